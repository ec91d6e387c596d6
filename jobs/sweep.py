"""Hyperparameter sweep (Ray Tune) over a training stage: each trial is that stage's own Ray Train run.

python jobs/sweep.py --config configs/local.yaml --stage pretrain
ray job submit --working-dir . -- python jobs/sweep.py --config configs/cluster.yaml --stage sft
Rerunning the same command after an interruption restores the sweep from sweep.storage_path.
"""

import argparse
import sys

import _bootstrap  # noqa: F401  (puts platform/ on sys.path)
from songsage.cli import run_job
from songsage.config.tune import STAGES
from songsage.tune.sweep import sweep_stage

if __name__ == "__main__":
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--stage", choices=STAGES, help="stage to sweep (default: sweep.stage of the profile)")
    args, rest = pre.parse_known_args(sys.argv[1:])
    if args.stage:
        rest = [*rest, "--set", f"sweep.stage={args.stage}"]
    raise SystemExit(run_job("sweep", sweep_stage, rest))
