"""The cluster profile end to end on a simulated multi-node cluster: a 0-CPU head and two worker nodes
(``ray.cluster_utils.Cluster``), raw data and run artifacts on an S3 API on 127.0.0.1 (moto), one
``mlflow server`` whose artifacts go to the bucket; the job runs from an empty working directory."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.cluster.simtest import REPO, run_on_sim_cluster, upload_raw
from tests.helpers import MlflowServer, S3Server, free_port

RUN = "s3://songsage/runs/cluster-sim"
STAGES = [
    "curate",
    "pretrain",
    "build_sft",
    "sft",
    "build_preferences",
    "dpo",
    "build_playlistsense",
    "evaluate",
    "build_index",
    "serve_demo",
]
# What each stage must have put in the bucket (relative to the run dir).
OUTPUTS = [
    "curate/manifest.json",
    "pretrain/manifest.json",
    "pretrain/model/config.json",
    "build_sft/manifest.json",
    "sft/manifest.json",
    "sft/adapter/adapter_config.json",
    "sft/merged/config.json",
    "build_preferences/manifest.json",
    "dpo/manifest.json",
    "dpo/sft_merged/config.json",
    "dpo/adapter/adapter_config.json",
    "build_index/manifest.json",
    "build_index/index/meta.json",
    "serve_demo/demo.json",
]


def _repo_files() -> set[str]:
    """``git status`` lines of the repository, ignored and untracked files included."""
    cmd = ["git", "status", "--porcelain", "--ignored", "--untracked-files=all"]
    return set(subprocess.run(cmd, cwd=REPO, capture_output=True, text=True).stdout.splitlines())


def _tmp_files() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).iterdir() if p.name.startswith("songsage")}


@pytest.mark.slow
@pytest.mark.timeout(1600)
def test_pipeline_runs_on_a_simulated_cluster_with_s3_storage(
    s3_server: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s3_server.clear(RUN)
    s3_server.clear("s3://songsage/mlflow-artifacts")
    upload_raw(s3_server)
    node_cache = tmp_path / "node-cache"
    monkeypatch.setenv("SONGSAGE_NODE_CACHE", str(node_cache))
    workdir = tmp_path / "work"
    workdir.mkdir()
    tmp_before = _tmp_files()
    repo_before = _repo_files()
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
                f"tracking.uri={mlflow_server.uri}",
                "--set",
                f"serve.port={free_port()}",
                "--set",
                f"eval.choice.benchmarks=[{{name: ziqi-eval, path: {REPO / 'data/benchmarks/ziqi-eval'}}}]",
            ],
            timeout_s=1500,
        )
        assert report["returncode"] == 0, log[-6000:]

        keys = set(s3_server.keys(RUN))
        missing = [rel for rel in OUTPUTS if f"runs/cluster-sim/{rel}" not in keys]
        assert not missing, f"not in the bucket: {missing}"
        assert any(k.startswith("runs/cluster-sim/curate/shards/") for k in keys)
        assert any(k.startswith("runs/cluster-sim/evaluate/") for k in keys)
        assert any(k.startswith("runs/cluster-sim/pretrain/ray/") for k in keys), (
            "checkpoints go to the bucket"
        )
        demo = json.loads(
            s3_server.client.get_object(Bucket="songsage", Key="runs/cluster-sim/serve_demo/demo.json")[
                "Body"
            ].read()
        )
        # The sim profile's tiny model, trained on packed text full of end-of-text tokens, answers '' (end of
        # text first): that Serve on the workers completed the request is the check here, the text is
        # tests/test_demo.py's on the real small model.
        assert isinstance(demo["answer"], str) and demo["finish_reason"] in ("stop", "length"), demo
        assert demo["usage"]["prompt_tokens"] > 0, demo
        assert demo["recommend"]["playlists"], demo

        workers = set(report["worker_nodes"])
        train = [a for a in report["actors"] if "TrainWorker" in a["class_name"]]
        replicas = [a for a in report["actors"] if a["class_name"].startswith("ServeReplica:")]
        assert train and {a["node_id"] for a in train} <= workers, train
        assert replicas and {a["node_id"] for a in replicas} <= workers, replicas

        assert not any(workdir.iterdir()), f"written to the working directory: {list(workdir.iterdir())}"
        assert _tmp_files() <= tmp_before, "run files written to the system temp dir"
        repo_after = _repo_files()
        assert repo_after <= repo_before, "the job wrote into the repository"

        import mlflow

        client = mlflow.MlflowClient(tracking_uri=mlflow_server.uri)
        exp = client.get_experiment_by_name("songsage-sim")
        runs = client.search_runs([exp.experiment_id], max_results=100)
        by_job = {r.data.tags.get("job"): r for r in runs}
        assert set(STAGES) <= set(by_job), sorted(by_job)
        assert all(by_job[s].info.status == "FINISHED" for s in STAGES)
        assert any(
            k.startswith("mlflow-artifacts/") for k in s3_server.keys("s3://songsage/mlflow-artifacts")
        )
        for stage in ("pretrain", "sft", "dpo"):
            versions = client.search_model_versions(f"name = 'songsage-sim-{stage}'")
            assert versions and versions[0].run_id == by_job[stage].info.run_id
        evaluate_tags = by_job["evaluate"].data.tags
        assert evaluate_tags["lineage.dpo.run_id"] == by_job["dpo"].info.run_id, (
            "evaluation names the model run"
        )
        assert evaluate_tags["mlflow.parentRunId"] == by_job["pipeline"].info.run_id
    finally:
        mlflow_server.close()
