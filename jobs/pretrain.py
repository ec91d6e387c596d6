"""Continual pretraining on the curated packed shards (Ray Train + DeepSpeed ZeRO), resumable, tracked.

    python jobs/pretrain.py --config configs/local.yaml [--set pretrain.max_steps=50 ...]
    ray job submit --working-dir . -- python jobs/pretrain.py --config configs/cluster.yaml

Resubmitting with the same run.name and pretrain.storage_path resumes from the latest checkpoint.
"""

import _bootstrap  # noqa: F401  (puts platform/ on sys.path)
from songsage.cli import run_job
from songsage.config import Config
from songsage.tracking import Tracker
from songsage.train.pretrain import run_pretraining, summarize


def body(cfg: Config, out_dir: str, tracker: Tracker) -> list[tuple[str, str]]:
    return summarize(run_pretraining(cfg, out_dir, tracker))


if __name__ == "__main__":
    raise SystemExit(run_job("pretrain", body))
