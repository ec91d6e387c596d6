"""Losing a worker node mid-pretraining on the simulated cluster: Ray Train restores from the last checkpoint
in the bucket (``FailureConfig``) on a fresh node, and the run finishes continuing its loss curve."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cluster.simtest import REPO, run_on_sim_cluster, upload_raw
from tests.helpers import MlflowServer, S3Server

RUN = "s3://songsage/runs/cluster-sim-resume"
STEPS = 8
STEP_LINE = re.compile(r"\[pretrain\] step (\d+)/\d+ loss ([0-9.]+)")
RESUMED = re.compile(r"\[pretrain\] worker 0/\d+: .*\(resumed at step (\d+)\)")


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_pretraining_survives_losing_a_worker_node(
    s3_server: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s3_server.clear(RUN)
    upload_raw(s3_server)
    monkeypatch.setenv("SONGSAGE_NODE_CACHE", str(tmp_path / "node-cache"))
    workdir = tmp_path / "work"
    workdir.mkdir()
    mlflow_server = MlflowServer(tmp_path / "mlflow", "s3://songsage/mlflow-artifacts")
    try:
        report, log = run_on_sim_cluster(
            tmp_path,
            workdir,
            [
                str(REPO / "jobs/pipeline.py"),
                "--config",
                str(REPO / "configs/cluster-sim.yaml"),
                "--set",
                f"run.dir={RUN}",
                "--set",
                f"tracking.uri={mlflow_server.uri}",
                "--set",
                "pipeline.stages=[curate, pretrain]",
                "--set",
                f"pretrain.max_steps={STEPS}",
                "--set",
                "pretrain.register_model=false",
            ],
            timeout_s=840,
            fault=rf"\[pretrain\] step 5/{STEPS} ",
        )
    finally:
        mlflow_server.close()
    assert report["returncode"] == 0, log[-6000:]
    assert report["fault"]["fired"] and report["fault"]["removed_node"] in report["worker_nodes"]

    resumed = RESUMED.search(log)
    assert resumed, "the run did not restore from a checkpoint after the node was lost:\n" + log[-4000:]
    restored_at = int(resumed.group(1))
    assert 2 <= restored_at <= 6 and restored_at % 2 == 0, restored_at  # checkpoint_every: 2
    before = {int(s): float(x) for s, x in STEP_LINE.findall(log[: resumed.start()])}
    after = {int(s): float(x) for s, x in STEP_LINE.findall(log[resumed.end() :])}
    assert sorted(after) == list(range(restored_at + 1, STEPS + 1)), after
    # the restored model continues the curve: its first step is no worse than where training had got to
    assert after[restored_at + 1] <= before[1], (before, after)
    assert abs(after[restored_at + 1] - before.get(restored_at + 1, after[restored_at + 1])) < 0.05

    manifest = json.loads(
        s3_server.client.get_object(Bucket="songsage", Key="runs/cluster-sim-resume/pretrain/manifest.json")[
            "Body"
        ].read()
    )
    assert manifest["finished"] == 1.0 and manifest["step"] == STEPS
    assert any("/pretrain/ray/" in k for k in s3_server.keys(RUN))
