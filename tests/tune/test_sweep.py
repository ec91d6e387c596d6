"""Ray Tune sweeps of tiny pretraining runs on CPU, in the suite's one Ray session: ASHA, failures, MLflow
nesting, best.yaml, resume."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path
from typing import Any

import pytest

from songsage.config import Config, load_config
from songsage.tracking import Tracker
from songsage.tune.sweep import run_sweep
from tests.conftest import REPO

STEPS = 8
# One Train worker of the tiny model, an evaluation every 2 steps (ASHA's rungs at 2, 4, 8), one trial at a time
# on 2 cores; the CPU peak is given so no trial measures it.
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
]
SPACE = "sweep.space={pretrain.lr: {loguniform: [2.0e-3, 1.0e-2]}, pretrain.per_device_batch: {choice: [2]}}"


def sweep_cfg(tmp: Path, shards: Path, *overrides: str) -> Config:
    seq_len = json.loads((shards.parent / "manifest.json").read_text())["seq_len"]
    return load_config(
        str(REPO / "configs/local.yaml"),
        [f"run.dir={tmp}", f"data.shards={shards}", f"pretrain.seq_len={seq_len}", *TINY, SPACE, *overrides],
    )


def sweep(cfg: Config, out_dir: Path) -> dict[str, Any]:
    with Tracker(cfg, "sweep") as tracker:
        return run_sweep(cfg, str(out_dir), tracker)


def held_resources() -> str:
    """What still holds resources: placement groups not removed, live actors (class, placement group)."""
    import ray
    from ray.util.state import list_actors

    groups = [
        f"pg {pg_id[:8]} {g['name']!r} {g['strategy']} {g['state']} {list(g['bundles'].values())}"
        for pg_id, g in ray.util.placement_group_table().items()
        if g["state"] != "REMOVED"
    ]
    actors = [
        f"actor {a.class_name} {a.repr_name!r} pid {a.pid} pg {(a.placement_group_id or '')[:8]}"
        for a in list_actors(
            address=ray.get_runtime_context().gcs_address,  # this session's (the machine may run several)
            detail=True,
            filters=[("state", "=", "ALIVE")],
            raise_on_missing_output=False,
        )
    ]
    return "; ".join(groups + actors)


@pytest.mark.slow
def test_asha_stops_the_bad_trial_failure_is_reported_nested_runs_and_best_yaml_reproduces(
    ray_session: Any, sweep_shards: Path, tmp_path: Path
) -> None:
    import mlflow

    from songsage.train.pretrain import run_pretraining

    # Tried in order: a good lr, a hopeless one (ASHA compares it with the first at step 2), an impossible batch
    # (more rows than the data: the trial raises), then one sampled from the space.
    points = "sweep.points=[{pretrain.lr: 5.0e-3, pretrain.per_device_batch: 2}, {pretrain.lr: 1.0e-7, pretrain.per_device_batch: 2}, {pretrain.lr: 5.0e-3, pretrain.per_device_batch: 100000}]"
    cfg = sweep_cfg(tmp_path, sweep_shards, "sweep.num_samples=4", points)
    out = tmp_path / "sweep"
    summary = sweep(cfg, out)
    import ray

    deadline = time.time() + 90  # the stopped trial's placement group is released (the cleaner ran)
    while ray.available_resources().get("CPU", 0) < 2 and time.time() < deadline:
        time.sleep(1)
    assert ray.available_resources().get("CPU", 0) == 2, held_resources()
    rows = {r["trial"]: r for r in summary["rows"]}
    assert len(rows) == 4
    by_lr = sorted(summary["rows"], key=lambda r: r["trial"])
    good, bad, impossible = by_lr[0], by_lr[1], by_lr[2]
    assert good["pretrain.lr"] == 5e-3 and good["status"] == "completed" and good["steps"] == STEPS
    assert bad["pretrain.lr"] == 1e-7 and bad["status"] == "stopped early" and bad["steps"] < STEPS
    assert bad["eval_loss"] > good["eval_loss"]
    assert impossible["status"] == "failed" and "too few" in impossible["error"]
    assert by_lr[3]["status"] in ("completed", "stopped early")

    with (out / "trials.csv").open() as fh:
        table = list(csv.DictReader(fh))
    assert {r["status"] for r in table} >= {"completed", "stopped early", "failed"}
    assert "stopped early" in (out / "trials.md").read_text()

    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{tmp_path}/mlflow.db")
    parents = client.search_runs(
        [client.get_experiment_by_name(cfg.tracking.experiment).experiment_id], "tags.job = 'sweep'"
    )
    assert len(parents) == 1
    parent = parents[0]
    summary_parent = parent.info.run_id
    children = client.search_runs(
        [parent.info.experiment_id], f"tags.`mlflow.parentRunId` = '{summary_parent}'"
    )
    assert summary["nested_runs"] == len(children) == 4
    status = {c.data.tags["sweep.trial_id"]: c for c in children}
    assert status[bad["trial"]].data.tags["sweep.stopped_early"] == "true"
    assert status[bad["trial"]].info.status == "KILLED"
    assert status[impossible["trial"]].info.status == "FAILED"
    assert status[good["trial"]].data.params["trial.pretrain.lr"] == "0.005"
    assert [m.step for m in client.get_metric_history(status[good["trial"]].info.run_id, "eval_loss")] == [
        2,
        4,
        6,
        8,
    ]
    best = summary["best"]
    assert parent.data.params["best.trial"] == best["trial"]
    assert parent.data.metrics["best_eval_loss"] == pytest.approx(best["eval_loss"])
    assert {a.path for a in client.list_artifacts(summary_parent)} >= {"trials.csv", "trials.md", "best.yaml"}

    # best.yaml is a profile the stage job takes; its run reaches the best trial's metric.
    best_cfg = load_config(str(out / "best.yaml"), [f"run.dir={tmp_path / 'rerun'}"])
    assert best_cfg.pretrain.lr == best["pretrain.lr"]
    with Tracker(best_cfg, "pretrain") as tracker:
        rerun = run_pretraining(best_cfg, str(tmp_path / "rerun" / "pretrain"), tracker)
    assert rerun["eval_loss"] == pytest.approx(best["eval_loss"], rel=1e-3)


@pytest.mark.slow
def test_interrupted_sweep_resumes_without_rerunning_finished_trials(
    ray_session: Any, sweep_shards: Path, tmp_path: Path
) -> None:
    points = "sweep.points=[{pretrain.lr: 5.0e-3, pretrain.per_device_batch: 2}, {pretrain.lr: 3.0e-3, pretrain.per_device_batch: 2}]"
    base = [f"pretrain.max_steps={STEPS // 2}", "sweep.num_samples=2", "sweep.scheduler=none", points]
    out = tmp_path / "sweep"
    first = sweep(sweep_cfg(tmp_path, sweep_shards, *base, "sweep.stop_after_trials=1"), out)
    assert first["interrupted"] and not first["restored"]
    done = [r for r in first["rows"] if r["status"] == "completed"]
    assert len(done) == 1
    trial_dir = out / "trials" / done[0]["trial"]
    stamp = (trial_dir / "manifest.json").stat().st_mtime_ns

    second = sweep(sweep_cfg(tmp_path, sweep_shards, *base), out)
    assert second["restored"] and not second["interrupted"]
    assert [r["status"] for r in second["rows"]] == ["completed", "completed"]
    # The first invocation had created only its first trial; the restored sweep keeps it and adds the second.
    assert len(second["rows"]) == 2 and done[0]["trial"] in {r["trial"] for r in second["rows"]}
    assert (trial_dir / "manifest.json").stat().st_mtime_ns == stamp  # the finished trial did not run again
    assert (out / "best.yaml").exists()
