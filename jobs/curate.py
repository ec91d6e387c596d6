"""LyricBank curation: raw songs/playlists/general text -> curated tables + packed token shards.

python jobs/curate.py --config configs/local.yaml [--set data.songs=/path/songs.jsonl ...]
ray job submit --working-dir . -- python jobs/curate.py --config configs/cluster.yaml
"""

import _bootstrap  # noqa: F401  (puts platform/ on sys.path)
from songsage.cli import run_job
from songsage.stages import curate_stage

if __name__ == "__main__":
    raise SystemExit(run_job("curate", curate_stage))
