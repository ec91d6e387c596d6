"""Fast checks of the training parts: profiles, DeepSpeed config, schedule, eval split, input errors, bench."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from songsage.config import ConfigError, load_config
from songsage.config.train import DeepSpeedConfig, ModelConfig, PretrainConfig
from songsage.train.data import ShardError, eval_mask, inspect_shards, steps_per_epoch
from songsage.train.deepspeed_config import (
    DeepSpeedConfigError,
    build_deepspeed_config,
    load_template,
    template_path,
)
from songsage.train.flops import flops_per_token, measure_matmul_peak_flops, mfu
from songsage.train.launcher import LaunchError, check_devices, lr_factor
from songsage.train.pretrain import VocabMismatchError, batch_inputs, check_vocab

REPO = Path(__file__).resolve().parents[2]


def test_cluster_profile_reproduces_table7() -> None:
    cfg = load_config(str(REPO / "configs/cluster.yaml"))
    p = cfg.pretrain
    assert (p.lr, p.lr_scheduler, p.warmup_ratio, p.weight_decay, p.grad_clip) == (
        3e-5,
        "cosine",
        0.03,
        0.1,
        1.0,
    )
    assert (p.per_device_batch, p.grad_accum, p.seq_len, p.epochs, p.num_workers) == (8, 8, 2048, 1, 16)
    assert p.use_gpu and p.bf16 and p.deepspeed.stage in (2, 3)
    assert p.tokens_per_step() == 8 * 8 * 16 * 2048 == 2_097_152
    assert cfg.model.name_or_path.endswith("Qwen2.5-7B") and not cfg.model.trust_remote_code
    # checkpoints and shards default under the S3 run dir: <run.dir>/pretrain/ray, <run.dir>/curate/shards
    assert cfg.run.dir.startswith("s3://") and p.storage_path == "" and cfg.data.shards == ""
    assert cfg.tracking.uri.startswith("http")
    assert cfg.curate.pack.seq_len == p.seq_len
    ds = build_deepspeed_config(p, p.num_workers, use_gpu=True, template=load_template(template_path(p)))
    assert ds["train_batch_size"] == 8 * 8 * 16 and ds["bf16"]["enabled"] is True
    assert ds["zero_optimization"]["stage"] == p.deepspeed.stage


@pytest.mark.parametrize("profile", ["local.yaml", "local-smollm2.yaml"])
def test_local_profiles_chain_curation_into_pretraining(profile: str) -> None:
    cfg = load_config(str(REPO / "configs" / profile))
    assert cfg.pretrain.seq_len == cfg.curate.pack.seq_len
    assert not cfg.pretrain.use_gpu and cfg.pretrain.num_workers == 2
    assert cfg.data.shards == ""  # -> <run.dir>/curate/shards


def test_pretrain_config_rejects_bad_values() -> None:
    with pytest.raises(ConfigError, match="pretrain.deepspeed.stage"):
        load_config(None, ["pretrain.deepspeed.stage=1"])
    with pytest.raises(ConfigError, match="pretrain.grad_accum"):
        load_config(None, ["pretrain.grad_accum=0"])
    with pytest.raises(ConfigError, match="unknown config key pretrain.learning_rate"):
        load_config(None, ["pretrain.learning_rate=1"])


@pytest.mark.parametrize("stage", [2, 3])
@pytest.mark.parametrize("use_gpu", [False, True])
def test_deepspeed_config_agrees_with_run_config(stage: int, use_gpu: bool) -> None:
    p = PretrainConfig(
        per_device_batch=3,
        grad_accum=5,
        grad_clip=0.7,
        lr=2e-4,
        weight_decay=0.05,
        adam_beta1=0.8,
        adam_beta2=0.9,
        bf16=True,
        deepspeed=DeepSpeedConfig(stage=stage),
    )
    ds = build_deepspeed_config(p, world_size=4, use_gpu=use_gpu)
    assert ds["train_micro_batch_size_per_gpu"] == 3 and ds["gradient_accumulation_steps"] == 5
    assert ds["train_batch_size"] == 3 * 5 * 4 and ds["gradient_clipping"] == 0.7
    assert ds["zero_optimization"]["stage"] == stage
    assert ds["bf16"]["enabled"] is use_gpu  # bf16 only on GPUs
    if use_gpu:
        assert ds["optimizer"] == {
            "type": "AdamW",
            "params": {"lr": 2e-4, "betas": [0.8, 0.9], "eps": 1e-8, "weight_decay": 0.05},
        }
    else:
        assert "optimizer" not in ds  # the worker passes torch AdamW with the same values
    assert "auto" not in json.dumps(ds)


def test_deepspeed_template_cannot_disagree() -> None:
    p = PretrainConfig(per_device_batch=8, deepspeed=DeepSpeedConfig(stage=2))
    template = load_template(template_path(p))
    with pytest.raises(DeepSpeedConfigError, match="train_micro_batch_size_per_gpu"):
        build_deepspeed_config(p, 1, False, {**template, "train_micro_batch_size_per_gpu": 4})
    with pytest.raises(DeepSpeedConfigError, match="stage"):
        build_deepspeed_config(PretrainConfig(deepspeed=DeepSpeedConfig(stage=3)), 1, False, template)
    with pytest.raises(DeepSpeedConfigError, match="scheduler"):
        build_deepspeed_config(p, 1, False, {**template, "scheduler": {"type": "WarmupLR"}})


def test_lr_schedule_warmup_then_cosine() -> None:
    f = [lr_factor(s, 100, 10, "cosine", 0.1) for s in range(100)]
    assert f[0] == pytest.approx(0.1) and f[9] == pytest.approx(1.0) and f[10] == pytest.approx(1.0)
    assert all(a >= b for a, b in zip(f[10:], f[11:], strict=False))
    assert lr_factor(100, 100, 10, "cosine", 0.1) == pytest.approx(0.1)
    assert lr_factor(55, 100, 10, "cosine", 0.0) == pytest.approx(0.5)
    assert lr_factor(50, 100, 0, "constant", 0.0) == 1.0


def test_eval_split_is_deterministic_and_sized() -> None:
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 151_000, size=(20_000, 16), dtype=np.int32)
    mask = eval_mask(ids, 0.05, seed=0)
    assert mask.mean() == pytest.approx(0.05, abs=0.01)
    # Row-wise: the same row is held out whatever batch it arrives in.
    assert np.array_equal(mask[5000:6000], eval_mask(ids[5000:6000], 0.05, seed=0))
    assert not np.array_equal(mask, eval_mask(ids, 0.05, seed=1))
    assert not eval_mask(ids, 0.0, seed=0).any()


def test_labels_mask_padding() -> None:
    import torch

    batch = {"input_ids": torch.tensor([[5, 6, 7, 0], [1, 2, 3, 4]]), "length": torch.tensor([3, 4])}
    ids, labels = batch_inputs(batch, torch.device("cpu"))
    assert labels.tolist() == [[5, 6, 7, -100], [1, 2, 3, 4]] and ids.dtype == torch.long


def test_clear_errors_for_bad_inputs(tmp_path: Path, shards_dir: Path) -> None:
    with pytest.raises(ShardError, match="no packed shards"):
        inspect_shards(load_config(None, [f"run.dir={tmp_path}"]))
    seq_len = json.loads((shards_dir.parent / "manifest.json").read_text())["seq_len"]
    with pytest.raises(ShardError, match="seq_len mismatch"):
        inspect_shards(load_config(None, [f"data.shards={shards_dir}", f"pretrain.seq_len={seq_len * 2}"]))
    info = inspect_shards(load_config(None, [f"data.shards={shards_dir}", f"pretrain.seq_len={seq_len}"]))
    assert info.seq_len == seq_len and info.rows > 0 and info.tokenizer_vocab == 151_665
    with pytest.raises(VocabMismatchError, match="49152 embedding rows"):
        check_vocab(151_665, 151_665, 49_152, "smollm2-135m-instruct")
    check_vocab(151_665, 151_665, 151_936, "tiny-qwen2")


def test_no_gpu_is_a_clear_error(ray_session: Any) -> None:
    if ray_session.cluster_resources().get("GPU", 0):
        pytest.skip("this machine has GPUs")
    with pytest.raises(LaunchError, match="use_gpu is true"):
        check_devices(PretrainConfig(use_gpu=True, num_workers=2))


def test_steps_and_flops_arithmetic() -> None:
    assert steps_per_epoch(1000, 2, 4, 2) == 62
    assert flops_per_token(1_000_000, 2, 64, 128) == 6e6 + 12 * 2 * 64 * 128
    assert mfu(1000.0, 1e9, 1e12, 2) == pytest.approx(0.5)


def test_measured_cpu_peak_is_plausible() -> None:
    # A 256^3 fp32 matmul on any CPU this runs on: above 0.1 GFLOP/s, below 100 TFLOP/s.
    assert 1e8 < measure_matmul_peak_flops(256, 3) < 1e14


def test_registry_tiny_qwen2_matches_qwen25_vocab() -> None:
    from songsage.models.registry import load_model, load_model_tokenizer, model_vocab_size

    cfg = ModelConfig()
    model = load_model(cfg)
    body = sum(p.numel() for n, p in model.named_parameters() if "embed_tokens" not in n)
    assert model.config.vocab_size == model_vocab_size(cfg) == 151_936 and model.config.tie_word_embeddings
    assert 100_000 < body < 5_000_000, body  # a few hundred thousand to millions besides embeddings
    tok = load_model_tokenizer(cfg)
    assert len(tok) <= model.config.vocab_size and "<|im_start|>" in tok.chat_template


def test_bench_dry_run(tmp_path: Path) -> None:
    out = tmp_path / "rows.json"
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench/train_throughput.py"), "--dry-run", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = json.loads(out.read_text())
    assert [r["mode"] for r in rows] == ["plain", "zero2", "zero3"]
    assert all(r["tokens_per_s"] > 0 and 0 < r["mfu"] < 1 and not math.isnan(r["ratio"]) for r in rows)
    assert "vs plain" in proc.stdout and all(r["precision"] == "fp32" for r in rows)


def test_bench_modes_compare_like_with_like(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every mode keeps fp32 master weights (the plain loop is not pure bf16 against ZeRO's fp32 masters)."""
    import importlib.util

    import torch

    spec = importlib.util.spec_from_file_location("train_throughput", REPO / "bench/train_throughput.py")
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, bench)  # dataclasses look their module up
    spec.loader.exec_module(bench)
    for mode in bench.MODES:
        gpu, cpu = bench.mode_precision(mode, cuda=True), bench.mode_precision(mode, cuda=False)
        assert gpu.load == cpu.load == torch.float32, mode
        assert cpu.autocast is None and cpu.label == "fp32"
        # bf16 compute on CUDA: autocast in the plain loops, DeepSpeed's bf16 (build_deepspeed_config) in ZeRO.
        assert (gpu.autocast is torch.bfloat16) is not mode.startswith("zero"), mode
        assert "fp32" in gpu.label and "bf16" in gpu.label


@pytest.mark.gpu
def test_bf16_deepspeed_step_on_gpu() -> None:
    import torch

    if not torch.cuda.is_available():
        pytest.skip("needs CUDA")
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench/train_throughput.py"),
            "--archs",
            "tiny-qwen2",
            "--modes",
            "plain,zero2,zero3",
            "--seq-len",
            "256",
            "--steps",
            "2",
            "--warmup",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]


def _meta_model(name: str) -> Any:
    import torch
    from transformers import AutoModelForCausalLM

    from songsage.models.registry import resolve

    with torch.device("meta"):
        return AutoModelForCausalLM.from_config(resolve(ModelConfig(name_or_path=name)).config)


def test_matmul_params_are_palm_n_of_qwen25() -> None:
    """N of the published Qwen2.5 shapes by hand: per layer q/k/v/o (+ q/k/v biases), gated MLP, 2 norms."""
    from songsage.train.flops import matmul_params, model_flops

    def by_hand(hidden: int, layers: int, kv_dim: int, inter: int, vocab: int) -> int:
        attn = hidden * hidden + hidden + 2 * (hidden * kv_dim + kv_dim) + hidden * hidden
        per_layer = attn + 3 * hidden * inter + 2 * hidden
        return layers * per_layer + hidden + vocab * hidden  # final norm + the LM head matrix, once

    # 0.5B: tied, so the embedding matrix counts once (as the head): N is every parameter, 494,032,768.
    n_05b = by_hand(896, 24, 2 * 64, 4864, 151_936)
    assert n_05b == 494_032_768 == matmul_params(_meta_model("qwen2.5-0.5b-arch"))
    # 7B (registry vocab 151,936 rows): untied; the input embedding (151,936 x 3,584 = 544,538,624) is a
    # lookup and does not count.
    n_7b = by_hand(3584, 28, 4 * 128, 18944, 151_936)
    model = _meta_model("qwen2.5-7b-arch")
    total = sum(p.numel() for p in model.parameters())
    assert matmul_params(model) == n_7b == total - 151_936 * 3584 == 7_070_160_384
    # PaLM FLOPs/token at T = 2048 with the attention term 12 L H T.
    _, per_token = model_flops(model, 2048)
    assert per_token == 6 * 7_070_160_384 + 12 * 28 * 3584 * 2048


def test_cpu_peak_is_per_thread_times_worker_threads() -> None:
    import torch

    from songsage.train.flops import cpu_peak_flops
    from songsage.train.pretrain import run_peak_flops

    assert cpu_peak_flops(2e9, [3, 1]) == 8e9
    cpu = PretrainConfig(use_gpu=False)
    # One process, no process group: the sum over workers is this worker's threads.
    assert run_peak_flops(cpu, 2e9, 3, 1, torch.device("cpu")) == (6e9, 1)
    configured = PretrainConfig(use_gpu=False, cpu_peak_flops=5e10)
    assert run_peak_flops(configured, 2e9, 3, 1, torch.device("cpu")) == (5e10, 1)
    assert run_peak_flops(PretrainConfig(use_gpu=True), 0.0, 1, 4, None) == (989e12, 4)
    one = measure_matmul_peak_flops(256, 3, threads=1)
    assert 1e8 < one < 1e13 and torch.get_num_threads() >= 1
