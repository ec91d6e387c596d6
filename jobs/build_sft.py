"""LyricBank-SFT builder (Ray Data): curated songs/playlists + teacher -> chat samples (train/validation).

python jobs/build_sft.py --config configs/local.yaml [--set key=value ...]
ray job submit --working-dir . -- python jobs/build_sft.py --config configs/cluster.yaml
"""

import _bootstrap  # noqa: F401  (puts platform/ on sys.path)
from songsage.cli import run_job
from songsage.stages import get_stage

if __name__ == "__main__":
    raise SystemExit(run_job("build_sft", get_stage("build_sft")))
