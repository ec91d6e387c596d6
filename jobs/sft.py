"""LoRA SFT (Table 8) on Ray Train + DeepSpeed; resubmitting with the same run.name resumes.

python jobs/sft.py --config configs/local.yaml [--set key=value ...]
ray job submit --working-dir . -- python jobs/sft.py --config configs/cluster.yaml
"""

import _bootstrap  # noqa: F401  (puts platform/ on sys.path)
from songsage.cli import run_job
from songsage.stages import get_stage

if __name__ == "__main__":
    raise SystemExit(run_job("sft", get_stage("sft")))
