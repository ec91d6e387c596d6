"""The tracker: one MLflow run per job, in the run directory's sqlite db unless configured otherwise."""

import os
from pathlib import Path

import mlflow

from songsage.config import load_config
from songsage.tracking import Tracker, tracking_uri


def test_two_jobs_in_one_process_keep_their_own_run_dirs(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    runs = {}
    for name in ("a", "b"):
        cfg = load_config(None, [f"run.dir={tmp_path / name}", "tracking.experiment=t"])
        with Tracker(cfg, "job") as tracker:
            tracker.log_metrics({"x": 1.0})
            runs[name] = tracker.run_id
        assert "MLFLOW_TRACKING_URI" not in os.environ  # mlflow's export is undone
    for name, run_id in runs.items():
        client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{tmp_path / name}/mlflow.db")
        run = client.get_run(run_id)
        assert run.data.metrics["x"] == 1.0
        assert run.data.params["run.dir"] == str(tmp_path / name)


def test_uri_precedence(tmp_path, monkeypatch):
    cfg = load_config(None, [f"run.dir={tmp_path}"])
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert tracking_uri(cfg) == f"sqlite:///{tmp_path}/mlflow.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://mlflow.example:5000")
    assert tracking_uri(cfg) == "http://mlflow.example:5000"
    cfg = load_config(None, [f"run.dir={tmp_path}", "tracking.uri=sqlite:///x.db"])
    assert tracking_uri(cfg) == "sqlite:///x.db"


def test_disabled_and_non_zero_rank_log_nothing(tmp_path):
    cfg = load_config(None, [f"run.dir={tmp_path}"])
    with Tracker(cfg, "job", rank=1) as tracker:
        tracker.log_metrics({"x": 1.0})
        assert tracker.run_id is None and tracker.where() == "tracking disabled"
    assert not (tmp_path / "mlflow.db").exists()


def test_pipeline_stages_are_nested_runs_tagged_with_their_inputs_lineage(tmp_path, monkeypatch):
    from songsage.cli import run_stage
    from songsage.storage import file_digest, write_json

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    cfg = load_config(None, [f"run.dir={tmp_path}", "tracking.experiment=lineage"])

    def curate(cfg, out_dir, tracker):
        write_json({"content_hash": "abc", "mlflow_run_id": tracker.run_id}, f"{out_dir}/manifest.json")
        return [("rows", "1")]

    def pretrain(cfg, out_dir, tracker):
        return [("steps", "0")]

    with Tracker(cfg, "pipeline") as parent:
        run_stage(cfg, "curate", str(tmp_path / "curate"), curate, summary=False, nested=True)
        run_stage(cfg, "pretrain", str(tmp_path / "pretrain"), pretrain, summary=False, nested=True)
    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{tmp_path}/mlflow.db")
    exp = client.get_experiment_by_name("lineage")
    runs = {r.data.tags["job"]: r for r in client.search_runs([exp.experiment_id])}
    assert set(runs) == {"pipeline", "curate", "pretrain"}
    for stage in ("curate", "pretrain"):
        assert runs[stage].data.tags["mlflow.parentRunId"] == parent.run_id
    tags = runs["pretrain"].data.tags
    assert tags["lineage.curate.run_id"] == runs["curate"].info.run_id
    assert tags["lineage.curate.manifest_sha256"] == file_digest(str(tmp_path / "curate" / "manifest.json"))
    assert runs["curate"].data.tags["input.data.songs"].endswith("data/sample/songs.jsonl")


def test_registered_model_versions_download_the_logged_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    cfg = load_config(None, [f"run.dir={tmp_path}", "tracking.experiment=registry"])
    model_dir = tmp_path / "adapter"
    model_dir.mkdir()
    (model_dir / "adapter_config.json").write_text('{"base_model_name_or_path": "tiny-qwen2"}')
    uris = []
    for _ in range(2):
        with Tracker(cfg, "sft") as tracker:
            tracker.log_artifacts(str(model_dir), "adapter")
            uris.append(tracker.register_model("adapter", "songsage-sft"))
    assert uris == ["models:/songsage-sft/1", "models:/songsage-sft/2"]
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path}/mlflow.db")
    try:
        local = mlflow.artifacts.download_artifacts(artifact_uri=uris[1], dst_path=str(tmp_path / "dl"))
    finally:
        mlflow.set_tracking_uri(None)
        monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert (tmp_path / "dl").exists() and "tiny-qwen2" in Path(local, "adapter_config.json").read_text()
