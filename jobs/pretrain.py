"""Continual pretraining on Ray Train with DeepSpeed ZeRO (GPU or CPU), resumable, tracked.

python jobs/pretrain.py --config configs/local.yaml
ray job submit --working-dir . -- python jobs/pretrain.py --config configs/cluster.yaml
"""

import _bootstrap  # noqa: F401  (puts platform/ on sys.path)
from songsage.cli import run_job
from songsage.stages import pretrain_stage

if __name__ == "__main__":
    raise SystemExit(run_job("pretrain", pretrain_stage))
