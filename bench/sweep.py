"""A 4-trial pretraining sweep (Ray Tune + ASHA) vs the same 4 configs run one after another without it.

    python bench/sweep.py --shards runs/local/curate/shards     # curated shards of `make demo`'s curate stage

Trials: a good learning rate, a hopeless one (1e-7: ASHA stops it at the first rung), a batch larger than the
data (the trial fails) and one sampled from the space; tiny model, 1 Train worker, an evaluation every 2 steps.
Output: wall time of the sweep and of the 4 sequential runs, their ratio, and the trial-steps ASHA saved
(steps the stopped trials did not run).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "platform"))
os.environ.setdefault("RAY_TRAIN_HEALTH_CHECK_INTERVAL_S", "0.2")

from songsage.config import load_config  # noqa: E402
from songsage.config.schema import RayConfig  # noqa: E402
from songsage.raysession import init_ray  # noqa: E402
from songsage.tracking import Tracker  # noqa: E402
from songsage.tune.space import base_tree, trial_config  # noqa: E402
from songsage.tune.sweep import run_sweep  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
STEPS = 8
TINY = [
    "model.tiny.hidden_size=32",
    "model.tiny.intermediate_size=128",
    "pretrain.num_workers=1",
    "pretrain.cpus_per_worker=0.5",
    "pretrain.per_device_batch=2",
    "pretrain.grad_accum=1",
    f"pretrain.max_steps={STEPS}",
    "pretrain.eval_every=2",
    "pretrain.checkpoint_every=100",
    "pretrain.eval_fraction=0.1",
    "pretrain.eval_max_batches=2",
    "pretrain.warmup_ratio=0.0",
    "pretrain.cpu_peak_flops=1.0e11",
    "ray.progress_bars=false",
    "sweep.stage=pretrain",
    "sweep.search=random",
    "sweep.grace_period=2",
    "sweep.reduction_factor=2",
    "sweep.max_concurrent_trials=1",
    "sweep.num_samples=4",
    "sweep.space={pretrain.lr: {loguniform: [2.0e-3, 1.0e-2]}, pretrain.per_device_batch: {choice: [2]}}",
    "sweep.points=[{pretrain.lr: 5.0e-3, pretrain.per_device_batch: 2}, {pretrain.lr: 1.0e-7, "
    "pretrain.per_device_batch: 2}, {pretrain.lr: 5.0e-3, pretrain.per_device_batch: 100000}]",
]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--config", default=str(REPO / "configs/local.yaml"))
    parser.add_argument("--shards", required=True, help="packed token shards (curation's shards/)")
    parser.add_argument("--seq-len", type=int, default=0, help="shard sequence length (0: from the manifest)")
    parser.add_argument("--num-cpus", type=int, default=2)
    args = parser.parse_args()
    import json

    seq_len = args.seq_len or json.loads((Path(args.shards).parent / "manifest.json").read_text())["seq_len"]
    work = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    cfg = load_config(
        args.config,
        [
            f"run.dir={work}",
            f"data.shards={Path(args.shards).resolve()}",
            f"pretrain.seq_len={seq_len}",
            *TINY,
        ],
    )
    init_ray(RayConfig(num_cpus=args.num_cpus, target_blocks=2, progress_bars=False))

    start = time.perf_counter()
    with Tracker(cfg, "sweep") as tracker:
        summary = run_sweep(cfg, str(work / "sweep"), tracker)
    sweep_s = time.perf_counter() - start
    keys = [k for k in summary["rows"][0] if k.startswith("pretrain.")]

    from songsage.train.pretrain import run_pretraining

    seq_rows = []
    start = time.perf_counter()
    for i, row in enumerate(summary["rows"]):
        trial_cfg = trial_config(base_tree(cfg), {k: row[k] for k in keys})
        t0 = time.perf_counter()
        try:
            with Tracker(trial_cfg, "pretrain") as tracker:
                res = run_pretraining(trial_cfg, str(work / f"seq-{i}"), tracker)
            outcome = f"{int(res.get('step', 0))} steps, eval_loss {res['eval_loss']:.4f}"
        except Exception as exc:  # the impossible batch fails here too: that is part of the comparison
            outcome = f"failed: {type(exc).__name__}"
        seq_rows.append((row["trial"], outcome, time.perf_counter() - t0))
    seq_s = time.perf_counter() - start

    ran = sum(r["steps"] for r in summary["rows"])
    planned = STEPS * sum(r["status"] != "failed" for r in summary["rows"])
    saved = sum(STEPS - r["steps"] for r in summary["rows"] if r["status"] == "stopped early")
    print("\n| trial | sweep status | sweep steps | sequential run | sequential s |")
    print("|---|---|---|---|---|")
    for row, (_, outcome, sec) in zip(summary["rows"], seq_rows, strict=True):
        print(f"| {row['trial']} | {row['status']} | {row['steps']} | {outcome} | {sec:.1f} |")
    print(f"\nsweep (4 trials, ASHA)   {sweep_s:7.1f} s")
    print(f"4 sequential runs        {seq_s:7.1f} s")
    print(f"ratio sweep/sequential   {sweep_s / seq_s:7.2f}")
    print(f"trial-steps: ran {ran} of {planned} planned; ASHA saved {saved}")
    print(f"load average at end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
