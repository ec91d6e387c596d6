"""DPO with LoRA on the SFT model (Ray Train + DeepSpeed); resubmitting resumes.

python jobs/dpo.py --config configs/local.yaml [--set key=value ...]
ray job submit --working-dir . -- python jobs/dpo.py --config configs/cluster.yaml
"""

import _bootstrap  # noqa: F401  (puts platform/ on sys.path)
from songsage.cli import run_job
from songsage.stages import get_stage

if __name__ == "__main__":
    raise SystemExit(run_job("dpo", get_stage("dpo")))
