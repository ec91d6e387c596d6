"""PlaylistSense query generation: one query per (playlist, perspective) with the configured generator.

    python jobs/build_playlistsense.py --config configs/local.yaml
    python jobs/build_playlistsense.py --set generator.backend=openai \
        --set generator.base_url=https://api.deepseek.com/v1 --set generator.model=deepseek-chat
"""

import _bootstrap  # noqa: F401  (puts platform/ on sys.path)
from songsage.cli import run_job
from songsage.stages import build_playlistsense_stage

if __name__ == "__main__":
    raise SystemExit(run_job("build_playlistsense", build_playlistsense_stage))
