"""LyricBank curation: raw songs/playlists/general text -> curated tables + packed token shards.

    python jobs/curate.py --config configs/local.yaml [--set data.songs=/path/songs.jsonl ...]
    ray job submit --working-dir . -- python jobs/curate.py --config configs/cluster.yaml
"""

import _bootstrap  # noqa: F401  (puts platform/ on sys.path)

from songsage.cli import run_job
from songsage.config import Config
from songsage.data.curate import run_curation, summarize
from songsage.data.report import log_curation
from songsage.tracking import Tracker


def body(cfg: Config, out_dir: str, tracker: Tracker) -> list[tuple[str, str]]:
    manifest = run_curation(cfg, out_dir)
    log_curation(tracker, manifest)
    return summarize(manifest)


if __name__ == "__main__":
    raise SystemExit(run_job("curate", body))
