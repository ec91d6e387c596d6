"""Training throughput on one device: plain PyTorch vs DeepSpeed ZeRO-2 vs ZeRO-3 (vs torch.compile).

    python bench/train_throughput.py                       # GPU: Qwen2.5-0.5B and 1.5B architectures, seq 2048, bf16
    python bench/train_throughput.py --dry-run             # CPU: tiny architecture, a few steps (tested)

Models are random-init from the published Qwen2.5 configs (no weights needed). Every mode trains the same
model on the same random token batches with AdamW (torch's, fused on CUDA, in every mode, so the
comparison isolates ZeRO's partitioning/communication and compilation) and the same precision recipe: on
CUDA bf16 compute with fp32 master weights and fp32 Adam states (plain/compile: fp32 weights under bf16
autocast; ZeRO: DeepSpeed's bf16 weights with fp32 masters), on CPU fp32 throughout. The table says which. Output: a table of tokens/s per
device, step time, peak memory and MFU (``6 N + 12 L H T`` FLOPs/token over ``--peak-flops``), plus each
mode's throughput ratio against the plain PyTorch loop of the same architecture.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import socket
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "platform"))

from songsage.config.train import DeepSpeedConfig, ModelConfig, PretrainConfig, TinyModelConfig  # noqa: E402
from songsage.models.registry import QWEN25_ARCHS, TINY_QWEN2, load_model  # noqa: E402
from songsage.train.deepspeed_config import build_deepspeed_config  # noqa: E402
from songsage.train.flops import cpu_peak_flops, measure_matmul_peak_flops, mfu, model_flops  # noqa: E402

MODES = ("plain", "zero2", "zero3", "compile")
GPU_ARCHS = ("qwen2.5-0.5b-arch", "qwen2.5-1.5b-arch")
DEFAULTS = PretrainConfig()
# --dry-run: the tiny architecture at test size, short sequences, two timed steps on CPU.
DRY_RUN = {
    "archs": [TINY_QWEN2],
    "seq_len": 64,
    "batch": 1,
    "steps": 2,
    "warmup": 1,
    "modes": ["plain", "zero2", "zero3"],
}
DRY_RUN_TINY = TinyModelConfig(
    hidden_size=32, num_layers=2, num_heads=4, num_kv_heads=2, intermediate_size=128
)


@dataclass
class Precision:
    """How a mode trains: ``load`` dtype of the weights handed to it, ``autocast`` dtype of the plain loop's
    forward (None = off), ``label`` for the table."""

    load: Any
    autocast: Any
    label: str


def mode_precision(mode: str, cuda: bool) -> Precision:
    """The precision of ``mode``: like with like, fp32 master weights + fp32 Adam in every mode on CUDA (bf16
    compute), fp32 everywhere on CPU (DeepSpeed's bf16 is off on CPU, build_deepspeed_config)."""
    import torch

    if not cuda:
        return Precision(torch.float32, None, "fp32")
    if mode.startswith("zero"):
        return Precision(torch.float32, None, "bf16 weights, fp32 master (ZeRO)")
    return Precision(torch.float32, torch.bfloat16, "bf16 autocast, fp32 weights")


@dataclass
class Row:
    """One measurement: architecture, mode, params, tokens/s per device, seconds per step, peak GiB, MFU,
    precision."""

    arch: str
    mode: str
    params: int
    tokens_per_s: float
    step_s: float
    peak_mem_gib: float
    mfu: float
    precision: str = ""
    ratio: float = 1.0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archs", default=",".join(GPU_ARCHS), help="registry names, comma-separated")
    parser.add_argument("--modes", default=",".join(MODES), help=f"subset of {','.join(MODES)}")
    parser.add_argument("--seq-len", type=int, default=DEFAULTS.seq_len)
    parser.add_argument("--batch", type=int, default=4, help="sequences per step (per device)")
    parser.add_argument("--steps", type=int, default=10, help="timed optimizer steps")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps first (allocation, compilation)")
    parser.add_argument("--grad-checkpointing", action="store_true")
    parser.add_argument(
        "--peak-flops",
        type=float,
        default=0.0,
        help="device peak FLOP/s (0: pretrain.gpu_peak_flops on CUDA; on CPU the single-thread fp32 matmul peak x torch threads)",
    )
    parser.add_argument("--json", default="", help="also write the rows to this JSON file")
    parser.add_argument("--dry-run", action="store_true", help="CPU smoke run: tiny architecture, few steps")
    args = parser.parse_args(argv)
    if args.dry_run:
        for key, value in DRY_RUN.items():
            setattr(args, key, value)
    else:
        args.archs = [a for a in args.archs.split(",") if a]
        args.modes = [m for m in args.modes.split(",") if m]
    unknown = sorted(set(args.modes) - set(MODES))
    if unknown:
        parser.error(f"unknown modes {unknown}; choose from {MODES}")
    return args


def init_single_process_dist(backend: str) -> None:
    """A one-process torch.distributed group (DeepSpeed needs one; avoids its MPI discovery)."""
    import torch.distributed as dist

    if dist.is_initialized():
        return
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    os.environ.update(
        RANK="0", LOCAL_RANK="0", WORLD_SIZE="1", MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port)
    )
    dist.init_process_group(backend=backend, rank=0, world_size=1)


def model_config(arch: str, dry_run: bool) -> ModelConfig:
    return ModelConfig(name_or_path=arch, tiny=DRY_RUN_TINY if dry_run else TinyModelConfig())


def bench_one(arch: str, mode: str, args: argparse.Namespace, device: Any, peak: float) -> Row:
    """Train ``arch`` for warmup + steps optimizer steps in ``mode``; return the timed row (the model and
    optimizer are freed when this function returns)."""
    import torch

    cuda = device.type == "cuda"
    precision = mode_precision(mode, cuda)
    torch.manual_seed(0)
    model = load_model(model_config(arch, args.dry_run), dtype=precision.load)
    if args.grad_checkpointing:
        model.gradient_checkpointing_enable()
        model.config.use_cache = False
    n_params, per_token = model_flops(model, args.seq_len)
    vocab = model.config.vocab_size
    train = PretrainConfig(
        per_device_batch=args.batch,
        grad_accum=1,
        seq_len=args.seq_len,
        num_workers=1,
        use_gpu=cuda,
        bf16=cuda,
        deepspeed=DeepSpeedConfig(stage=3 if mode == "zero3" else 2),
    )
    fused = {"fused": True} if cuda else {}
    if mode.startswith("zero"):
        import deepspeed

        ds_config = build_deepspeed_config(train, world_size=1, use_gpu=cuda)
        ds_config.pop("optimizer", None)  # the same torch AdamW as the plain loop
        opt = torch.optim.AdamW(model.parameters(), lr=train.lr, weight_decay=train.weight_decay, **fused)
        engine, _, _, _ = deepspeed.initialize(model=model, optimizer=opt, config=ds_config)

        def step(ids: Any) -> None:
            loss = engine(input_ids=ids, labels=ids).loss
            engine.backward(loss)
            engine.step()
    else:
        model.to(device)
        opt = torch.optim.AdamW(model.parameters(), lr=train.lr, weight_decay=train.weight_decay, **fused)
        forward = torch.compile(model) if mode == "compile" else model
        autocast = precision.autocast

        def step(ids: Any) -> None:
            with torch.autocast(device.type, dtype=autocast, enabled=autocast is not None):
                loss = forward(input_ids=ids, labels=ids).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), train.grad_clip)
            opt.step()
            opt.zero_grad(set_to_none=True)

    gen = torch.Generator().manual_seed(0)
    batches = [
        torch.randint(0, vocab, (args.batch, args.seq_len), generator=gen).to(device) for _ in range(2)
    ]
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    for i in range(args.warmup):
        step(batches[i % 2])
    if cuda:
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for i in range(args.steps):
        step(batches[i % 2])
    if cuda:
        torch.cuda.synchronize()
    elapsed = time.perf_counter() - t0
    tps = args.batch * args.seq_len * args.steps / elapsed
    peak_mem = torch.cuda.max_memory_allocated() / 2**30 if cuda else 0.0
    gc.collect()
    if cuda:
        torch.cuda.empty_cache()
    return Row(
        arch,
        mode,
        n_params,
        tps,
        elapsed / args.steps,
        peak_mem,
        mfu(tps, per_token, peak, 1),
        precision.label,
    )


def print_table(rows: list[Row], device: str, args: argparse.Namespace) -> None:
    print(
        f"\ntraining throughput on {device}: seq {args.seq_len}, batch {args.batch}, {args.steps} timed steps "
        f"(+{args.warmup} warm-up), grad checkpointing {'on' if args.grad_checkpointing else 'off'}"
    )
    header = f"{'architecture':<20} {'mode':<8} {'params':>12} {'tokens/s/dev':>13} {'s/step':>8} {'peak GiB':>9} {'MFU':>7} {'vs plain':>9}  precision"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r.arch:<20} {r.mode:<8} {r.params:>12,} {r.tokens_per_s:>13,.0f} {r.step_s:>8.3f} "
            f"{r.peak_mem_gib:>9.2f} {r.mfu:>7.2%} {r.ratio:>8.2f}x  {r.precision}"
        )


def main(argv: Sequence[str] | None = None) -> list[Row]:
    """Run the benchmark; print the table; return the rows."""
    import torch

    args = parse_args(argv)
    cuda = torch.cuda.is_available() and not args.dry_run
    if not cuda and not args.dry_run:
        raise SystemExit("no CUDA device: run on a GPU, or use --dry-run for the CPU smoke run")
    device = torch.device("cuda" if cuda else "cpu")
    peak = args.peak_flops or (
        DEFAULTS.gpu_peak_flops
        if cuda
        else DEFAULTS.cpu_peak_flops
        or cpu_peak_flops(measure_matmul_peak_flops(threads=1), [torch.get_num_threads()])
    )
    if any(m.startswith("zero") for m in args.modes):
        init_single_process_dist("nccl" if cuda else "gloo")
    rows: list[Row] = []
    for arch in args.archs:
        if arch not in QWEN25_ARCHS and arch != TINY_QWEN2:
            raise SystemExit(f"unknown architecture {arch!r}: {[TINY_QWEN2, *QWEN25_ARCHS]}")
        arch_rows = []
        for mode in args.modes:
            row = bench_one(arch, mode, args, device, peak)
            # One line per measurement as it lands: a run cut short still shows what it measured.
            print(
                f"measured {arch} {mode}: {row.tokens_per_s:,.0f} tokens/s, {row.step_s:.3f} s/step, "
                f"{row.peak_mem_gib:.2f} GiB, MFU {row.mfu:.2%}",
                flush=True,
            )
            arch_rows.append(row)
        base = next((r.tokens_per_s for r in arch_rows if r.mode == "plain"), 0.0)
        for r in arch_rows:
            r.ratio = r.tokens_per_s / base if base else float("nan")
        rows.extend(arch_rows)
    name = torch.cuda.get_device_name() if cuda else "cpu"
    print_table(rows, name, args)
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(r) for r in rows], indent=2), encoding="utf-8")
    import torch.distributed as dist

    if dist.is_initialized():
        dist.destroy_process_group()
    return rows


if __name__ == "__main__":
    main()
