"""Pretraining through Ray Train + DeepSpeed on CPU (2 workers over gloo): learning, tracking, resume."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from songsage.config import Config, load_config
from songsage.tracking import Tracker
from songsage.train.pretrain import run_pretraining

REPO = Path(__file__).resolve().parents[2]
# Small enough for a 2-core machine: tiny Qwen2 (hidden 32, 2 layers; the 151,936-row LM head dominates),
# the fixture's 64-token rows, batch 2 per worker.
SMALL = [
    "model.tiny.hidden_size=32",
    "model.tiny.intermediate_size=128",
    "pretrain.per_device_batch=2",
    "pretrain.grad_accum=1",
    "pretrain.eval_fraction=0.1",
    "pretrain.eval_max_batches=2",
    "pretrain.warmup_ratio=0.1",
    "ray.progress_bars=false",
]


def make_cfg(tmp: Path, shards: Path, *overrides: str) -> Config:
    """The local profile pointed at the test shards and a private run dir (own MLflow db, storage)."""
    seq_len = json.loads((shards.parent / "manifest.json").read_text())["seq_len"]
    return load_config(
        str(REPO / "configs/local.yaml"),
        [f"run.dir={tmp}", f"data.shards={shards}", f"pretrain.seq_len={seq_len}", *SMALL, *overrides],
    )


def train(cfg: Config, out_dir: Path) -> dict[str, Any]:
    with Tracker(cfg, "pretrain") as tracker:
        return run_pretraining(cfg, str(out_dir), tracker)


STEPS = 16
ZERO2 = [
    f"pretrain.max_steps={STEPS}",
    "pretrain.lr=5e-3",
    f"pretrain.eval_every={STEPS // 2}",
    f"pretrain.checkpoint_every={STEPS // 2}",
    "pretrain.deepspeed.stage=2",
]


@pytest.mark.slow
def test_zero2_loss_falls_tracked_loadable_and_resumes_exactly(
    ray_session: Any, shards_dir: Path, tmp_path: Path
) -> None:
    import mlflow
    from transformers import AutoModelForCausalLM, AutoTokenizer

    ref_dir = tmp_path / "ref"
    summary = train(make_cfg(ref_dir, shards_dir, *ZERO2), ref_dir / "pretrain")
    losses = [loss for _, loss in summary["history"]]
    assert len(losses) == STEPS
    first, last = sum(losses[:3]) / 3, sum(losses[-3:]) / 3
    assert last < first - 0.5, f"loss did not fall: {first:.3f} -> {last:.3f}"
    assert summary["eval_loss"] < losses[0]
    assert summary["tokens_per_s"] > 0 and 0 < summary["mfu"] < 1

    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{ref_dir}/mlflow.db")
    run = client.get_run(summary["mlflow_run_id"])
    for key in ("loss", "lr", "grad_norm", "tokens_per_s", "mfu", "eval_loss", "eval_ppl"):
        assert key in run.data.metrics, key
    assert len(client.get_metric_history(run.info.run_id, "loss")) == STEPS
    assert [h.step for h in client.get_metric_history(run.info.run_id, "eval_loss")] == [STEPS // 2, STEPS]
    assert run.data.params["pretrain.lr"] == "0.005"
    assert {a.path for a in client.list_artifacts(run.info.run_id)} >= {"config.json", "model"}

    model = AutoModelForCausalLM.from_pretrained(summary["model_dir"])
    tok = AutoTokenizer.from_pretrained(summary["model_dir"])
    assert model.config.vocab_size == 151936 and model.config.hidden_size == 32
    assert tok("Hello, world")["input_ids"] == [9707, 11, 1879]
    ckpts = sorted(
        p.name for p in (Path(summary["storage_path"]) / summary["run_name"]).glob("checkpoint_step_*")
    )
    assert ckpts == [f"checkpoint_step_{STEPS // 2:08d}", f"checkpoint_step_{STEPS:08d}"]  # keep_last 2

    # Interrupted half way (the schedule still spans STEPS), then the same job resubmitted: Ray Train
    # restores the latest checkpoint (same run name + storage path) and the loss curve continues exactly.
    run_dir = tmp_path / "resumed"
    half = train(
        make_cfg(run_dir, shards_dir, *ZERO2, f"pretrain.stop_at_step={STEPS // 2}"), run_dir / "pretrain"
    )
    assert half["step"] == STEPS // 2 and not half["finished"] and half["model_dir"] == ""
    resumed = train(make_cfg(run_dir, shards_dir, *ZERO2), run_dir / "pretrain")
    assert resumed["resumed_from"] == STEPS // 2 and resumed["finished"]
    ref = {int(s): v for s, v in summary["history"]}
    assert [v for _, v in half["history"]] == pytest.approx(losses[: STEPS // 2], abs=1e-5)
    after = {int(s): v for s, v in resumed["history"]}
    assert sorted(after) == list(range(STEPS // 2 + 1, STEPS + 1))
    for step, loss in after.items():
        assert loss == pytest.approx(ref[step], abs=1e-4), (step, loss, ref[step])
    assert resumed["eval_loss"] == pytest.approx(summary["eval_loss"], abs=1e-4)


@pytest.mark.slow
def test_zero3_trains_checkpoints_and_saves_a_full_model(
    ray_session: Any, shards_dir: Path, tmp_path: Path
) -> None:
    from transformers import AutoModelForCausalLM

    cfg = make_cfg(
        tmp_path,
        shards_dir,
        "pretrain.max_steps=4",
        "pretrain.lr=5e-3",
        "pretrain.eval_every=4",
        "pretrain.checkpoint_every=2",
        "pretrain.deepspeed.stage=3",
    )
    summary = train(cfg, tmp_path / "pretrain")
    losses = [loss for _, loss in summary["history"]]
    assert len(losses) == 4 and losses[-1] < losses[0]
    ckpt = Path(summary["checkpoint"])
    assert ckpt.name == "checkpoint_step_00000004"
    assert len(list(ckpt.rglob("*optim_states.pt"))) == 2  # one ZeRO-3 optimizer partition per worker
    model = AutoModelForCausalLM.from_pretrained(summary["model_dir"])  # gathered 16-bit weights, not empty
    assert model.model.embed_tokens.weight.shape == (151936, 32)
    assert float(model.model.embed_tokens.weight.abs().sum()) > 0
