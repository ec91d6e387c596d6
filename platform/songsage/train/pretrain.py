"""Continual pretraining: packed shards -> causal LM, on Ray Train + DeepSpeed ZeRO (paper section 5, Table 7).

Driver (:func:`run_pretraining`): checks shards/tokenizer/model/devices, splits a held-out set, counts
rows to size the schedule, prints tokens per optimizer step and launches :func:`pretrain_loop` through
:func:`songsage.train.launcher.launch`. Worker loop: next-token loss on real tokens only (positions >=
``length`` are padding, label -100), AdamW + warmup/cosine, gradient accumulation and clipping by
DeepSpeed, held-out loss/perplexity every ``eval_every`` steps, checkpoints every ``checkpoint_every``
steps and at the end, rank-0 MLflow metrics, the final ``save_pretrained`` model + tokenizer.

Data order is deterministic (``pretrain.deterministic_data``, default): Ray Data keeps file order, every
worker streams the same rows and takes its slice of each global batch, an optional local shuffle buffer
is seeded per epoch, and on resume the consumed micro-batches of the current epoch are skipped, so a
resumed run continues the same loss curve. With it off, Ray's equal streaming split feeds each worker
its own rows (each row read once; assignment depends on timing).
"""

from __future__ import annotations

import math
import random
import time
from typing import Any

import numpy as np

from songsage.config import Config
from songsage.config.paths import join
from songsage.config.train import PretrainConfig
from songsage.storage import write_json
from songsage.tracking import Tracker
from songsage.train.data import ShardError, build_datasets, inspect_shards, preserve_order, steps_per_epoch
from songsage.train.flops import cpu_peak_flops, measure_matmul_peak_flops
from songsage.train.launcher import (
    LaunchSpec,
    WorkerTracker,
    all_reduce_sum,
    config_from,
    destroy_process_group,
    launch,
    restore_checkpoint,
    run_name,
    save_final_model,
    setup_deepspeed,
    storage_path,
    worker_info,
)
from songsage.train.loop import Schedule, Stage, finish, run_steps

JOB = "pretrain"
IGNORE_INDEX = -100


class VocabMismatchError(ValueError):
    """The tokenizer (or the shards' tokenizer) has more ids than the model has embedding rows."""


def check_vocab(tokenizer_len: int, shards_vocab: int, model_vocab: int, model_name: str) -> None:
    """Raise :class:`VocabMismatchError` if token ids could index past the model's embedding matrix."""
    for what, n in (("tokenizer", tokenizer_len), ("the shards' tokenizer (manifest)", shards_vocab)):
        if n > model_vocab:
            raise VocabMismatchError(
                f"{what} has {n} ids but model {model_name!r} has only {model_vocab} embedding rows: "
                f"use the model's tokenizer for curation (tokenizer.name_or_path) or a model with a larger vocab"
            )


def batch_inputs(batch: dict[str, Any], device: Any) -> tuple[Any, Any]:
    """(input_ids, labels) long tensors on ``device``; labels are -100 at padding (positions >= length)."""
    import torch

    ids = batch["input_ids"].to(device=device, dtype=torch.long)
    length = batch["length"].to(device=device, dtype=torch.long)
    positions = torch.arange(ids.shape[1], device=device)[None, :]
    labels = ids.masked_fill(positions >= length[:, None], IGNORE_INDEX)
    return ids, labels


def worker_batches(shard: Any, cfg: Config, rank: int, world: int, drop_last: bool, seed: int | None) -> Any:
    """This worker's micro-batches (dicts of tensors) from its dataset shard.

    ``pretrain.deterministic_data``: the shard is the whole ordered stream; read global batches of
    ``per_device_batch * world`` rows and keep this rank's slice (the tail batch, when kept, is split as
    evenly as it goes and may leave a rank an empty slice). Otherwise the shard is this worker's own split.
    ``seed``: local shuffle seed (None = no shuffle).
    """
    import torch

    train = cfg.pretrain
    deterministic = train.deterministic_data
    size = train.per_device_batch * (world if deterministic else 1)
    shuffle = {"local_shuffle_buffer_size": train.shuffle_buffer_rows, "local_shuffle_seed": seed}
    batches = shard.iter_torch_batches(
        batch_size=size,
        drop_last=drop_last,
        **(shuffle if seed is not None and train.shuffle_buffer_rows else {}),
    )
    for batch in batches:
        if deterministic:
            batch = {k: torch.tensor_split(v, world)[rank] for k, v in batch.items()}
        yield batch


def evaluate(engine: Any, shard: Any, cfg: Config, rank: int, world: int, device: Any) -> tuple[float, float]:
    """Held-out (loss, perplexity): token-weighted mean next-token loss over all held-out rows of all workers."""
    import torch

    train = cfg.pretrain
    engine.eval()
    loss_sum, tokens = 0.0, 0.0
    with torch.no_grad():
        for i, batch in enumerate(worker_batches(shard, cfg, rank, world, drop_last=False, seed=None)):
            if train.eval_max_batches and i >= train.eval_max_batches:
                break
            ids, labels = batch_inputs(batch, device)
            if len(ids) == 0:  # an empty tail slice: still run a forward (ZeRO-3 gathers are collective)
                engine(input_ids=torch.zeros((1, train.seq_len), dtype=torch.long, device=device))
                continue
            n = float((labels[:, 1:] != IGNORE_INDEX).sum())
            out = engine(input_ids=ids, labels=labels)
            loss_sum += float(out.loss) * n
            tokens += n
    engine.train()
    loss_sum, tokens = all_reduce_sum([loss_sum, tokens], device)
    loss = loss_sum / tokens if tokens else float("nan")
    return loss, math.exp(min(loss, 50.0)) if tokens else float("nan")


def run_peak_flops(
    train: PretrainConfig, per_thread: float, threads: int, world: int, device: Any
) -> tuple[float, int]:
    """(peak FLOP/s per device, devices) that MFU divides by, called in every worker (collective on CPU).

    GPUs: ``peak_flops`` or ``gpu_peak_flops`` per worker. CPU: ``peak_flops`` or ``cpu_peak_flops`` when
    configured (the whole run's peak), else ``per_thread`` (the driver's single-thread fp32 matmul FLOP/s)
    times this worker's ``threads``, summed over all workers, as one device.
    """
    if train.use_gpu:
        return train.peak_flops or train.gpu_peak_flops, world
    configured = train.peak_flops or train.cpu_peak_flops
    if configured:
        return configured, 1
    return cpu_peak_flops(per_thread, [int(all_reduce_sum([float(threads)], device)[0])]), 1


def pretrain_loop(config: dict[str, Any]) -> None:
    """The Ray Train worker loop (one per worker). ``config`` comes from :func:`launch`."""
    import torch
    from ray import train as ray_train

    from songsage.models.registry import load_model
    from songsage.models.tokenizer import load_tokenizer
    from songsage.train.flops import mfu, model_flops

    cfg = config_from(config)
    train = cfg.pretrain
    ds_config = config["ds_config"]
    total_steps, spe = int(config["total_steps"]), int(config["steps_per_epoch"])
    stop = min(total_steps, train.stop_at_step) if train.stop_at_step else total_steps
    info = worker_info(train.use_gpu, train.cpus_per_worker)
    random.seed(cfg.run.seed)
    np.random.seed(cfg.run.seed)
    torch.manual_seed(cfg.run.seed)

    dtype = torch.bfloat16 if ds_config["bf16"]["enabled"] else torch.float32
    hf_ds = None
    if train.deepspeed.stage == 3 and train.use_gpu:
        # Keeps HF's ZeRO-3 hook alive so weights are partitioned while loading (7B does not fit per GPU).
        from transformers.integrations import HfDeepSpeedConfig

        hf_ds = HfDeepSpeedConfig(ds_config)
    model = load_model(cfg.model, dtype)
    if train.grad_checkpointing:
        model.gradient_checkpointing_enable()
        model.config.use_cache = False
    n_params, per_token = model_flops(model, train.seq_len)
    peak, peak_devices = run_peak_flops(
        train, float(config["cpu_peak_per_thread"]), torch.get_num_threads(), info.world, info.device
    )
    engine, scheduler = setup_deepspeed(model, ds_config, train, total_steps)
    state = restore_checkpoint(engine, info.rank) or {
        "global_step": 0,
        "epoch": 0,
        "micro_in_epoch": 0,
        "tokens": 0,
    }
    resumed_from = state["global_step"]
    tokens_per_step = train.tokens_per_step() // train.num_workers * info.world
    train_shard = ray_train.get_dataset_shard("train")
    eval_shard = ray_train.get_dataset_shard("eval") if config["eval_rows"] else None
    rate = {"tokens": 0.0, "time": 0.0}  # tokens and seconds of the timed steps (not an invocation's first)

    def batches(epoch: int) -> Any:
        return worker_batches(
            train_shard, cfg, info.rank, info.world, drop_last=True, seed=cfg.run.seed + epoch
        )

    def train_step(window: list[dict[str, Any]], t0: float) -> dict[str, float]:
        step_loss = 0.0
        for batch in window:
            ids, labels = batch_inputs(batch, info.device)
            loss = engine(input_ids=ids, labels=labels).loss
            engine.backward(loss)
            engine.step()
            step_loss += float(loss.detach())
        state["tokens"] += tokens_per_step
        dt = time.perf_counter() - t0
        mean_loss = all_reduce_sum([step_loss / train.grad_accum], info.device)[0] / info.world
        tps = tokens_per_step / dt if dt > 0 else 0.0
        if state["global_step"] > resumed_from:  # the first step of an invocation includes warm-up
            rate["tokens"], rate["time"] = rate["tokens"] + tokens_per_step, rate["time"] + dt
        return {
            "loss": mean_loss,
            "tokens_per_s": tps,
            "tokens_per_s_per_device": tps / info.world,
            "mfu": mfu(tps, per_token, peak, peak_devices),
            "tokens": float(state["tokens"]),
        }

    def evaluate_held_out() -> dict[str, float]:
        loss, ppl = evaluate(engine, eval_shard, cfg, info.rank, info.world, info.device)
        return {"eval_loss": loss, "eval_ppl": ppl}

    def line(step: int, m: dict[str, float]) -> str:
        return (
            f"[pretrain] step {step}/{total_steps} loss {m['loss']:.4f} lr {m['lr']:.3e} "
            f"grad_norm {m['grad_norm']:.3f} tokens/s {m['tokens_per_s']:,.0f} mfu {m['mfu']:.2%}"
            + (f" eval_loss {m['eval_loss']:.4f} ppl {m['eval_ppl']:.1f}" if "eval_loss" in m else "")
        )

    plan = Schedule(
        total_steps=total_steps,
        stop=stop,
        steps_per_epoch=spe,
        grad_accum=train.grad_accum,
        eval_every=train.eval_every,
        log_every=train.log_every,
        checkpoint_every=train.checkpoint_every,
        eval_on_stop=False,
        report_evals=bool(config.get("report_evals")),
    )
    stage = Stage(
        JOB, batches, train_step, evaluate_held_out if eval_shard is not None else None, line, ShardError
    )
    with WorkerTracker(cfg, config["tracking"], info.rank) as tracker:
        if info.rank == 0:
            print(
                f"[pretrain] worker 0/{info.world}: {n_params:,} params, {per_token:.3e} FLOPs/token, "
                f"steps {state['global_step']}->{stop} of {total_steps}, {tokens_per_step:,} tokens/step"
                + (f" (resumed at step {resumed_from})" if resumed_from else ""),
                flush=True,
            )
        history, last, held_out = run_steps(engine, state, plan, stage, tracker, info.rank)
        finished = state["global_step"] >= total_steps
        if finished:
            tokenizer = load_tokenizer(cfg.tokenizer)
            save_final_model(
                engine, tokenizer, config["model_dir"], train.deepspeed.stage, info.rank, tracker
            )
        final = {
            "step": float(state["global_step"]),
            "finished": float(finished),
            "resumed_from": float(resumed_from),
            "tokens_per_s": rate["tokens"] / rate["time"] if rate["time"] else last.get("tokens_per_s", 0.0),
            "final_loss": history[-1][1] if history else float("nan"),
            "eval_loss": held_out.get("eval_loss", float("nan")),
            "eval_ppl": held_out.get("eval_ppl", float("nan")),
            "n_params": float(n_params),
            "flops_per_token": per_token,
            "peak_flops": peak * peak_devices,
        }
        final["mfu"] = mfu(final["tokens_per_s"], per_token, peak, peak_devices)
        finish(engine, state, final, history, info.rank)
    del hf_ds
    destroy_process_group()


def run_pretraining(cfg: Config, out_dir: str, tracker: Tracker) -> dict[str, Any]:
    """Check inputs, launch training, return a summary dict (steps, losses, tokens/s, MFU, dirs)."""
    from songsage.models.registry import model_vocab_size
    from songsage.models.tokenizer import load_tokenizer

    train = cfg.pretrain
    info = inspect_shards(cfg)
    tokenizer = load_tokenizer(cfg.tokenizer)
    model_vocab = model_vocab_size(cfg.model)
    check_vocab(len(tokenizer), info.tokenizer_vocab, model_vocab, cfg.model.name_or_path)
    # Datasets capture the DataContext when created: build them with preserve_order on, so materialized
    # blocks keep file order (else whichever read task ends first comes first).
    with preserve_order():
        train_ds, eval_ds = build_datasets(info, train.eval_fraction, cfg.run.seed, cfg.ray.target_blocks)
        if info.rows <= train.materialize_max_rows:  # small data: read once, keep in the object store
            train_ds, eval_ds = train_ds.materialize(), eval_ds.materialize()
        train_rows, eval_rows = train_ds.count(), eval_ds.count()
    spe = steps_per_epoch(train_rows, train.num_workers, train.per_device_batch, train.grad_accum)
    if spe == 0:
        raise ShardError(
            f"{train_rows} training rows are too few for one optimizer step of {train.num_workers} workers x "
            f"{train.per_device_batch} rows x {train.grad_accum} accumulation"
        )
    total_steps = train.max_steps or train.epochs * spe
    tokens_per_step = train.tokens_per_step()
    print(
        f"[pretrain] shards {info.path}: {len(info.files)} files, {train_rows:,} train + {eval_rows:,} held-out rows "
        f"of {info.seq_len} tokens; {spe} steps/epoch, {total_steps} steps"
    )
    print(
        f"[pretrain] tokens per optimizer step: {train.per_device_batch} x {train.grad_accum} x "
        f"{train.num_workers} workers x {train.seq_len} = {tokens_per_step:,}"
    )
    store = storage_path(train, out_dir)
    model_dir = join(out_dir, "model")
    tracker.log_params(
        {
            "derived.total_steps": total_steps,
            "derived.tokens_per_step": tokens_per_step,
            "derived.train_rows": train_rows,
            "derived.eval_rows": eval_rows,
            "derived.storage_path": store,
        }
    )
    tracker.set_tags(
        {"shards.content_hash": str(info.manifest.get("content_hash", "")), "shards.path": info.path}
    )
    per_thread = 0.0
    if not train.use_gpu and not (train.peak_flops or train.cpu_peak_flops):
        per_thread = measure_matmul_peak_flops(threads=1)
        print(
            f"[pretrain] CPU peak for MFU: {per_thread / 1e9:,.1f} GFLOP/s per thread (fp32 matmul) x the "
            f"threads of {train.num_workers} workers"
        )
    spec = LaunchSpec(
        job=JOB,
        loop=pretrain_loop,
        loop_config={
            "total_steps": total_steps,
            "steps_per_epoch": spe,
            "eval_rows": eval_rows,
            "model_dir": model_dir,
            "cpu_peak_per_thread": per_thread,
        },
        datasets={"train": train_ds, "eval": eval_ds},
        train=train,
        storage_path=store,
        split=not train.deterministic_data,
    )
    result = launch(cfg, spec, tracker)
    metrics = dict(result.metrics or {})
    registered = ""
    if train.register_model and metrics.get("finished"):
        registered = tracker.register_model("model", train.registered_model_name or f"songsage-{JOB}")
    summary = {
        **metrics,
        "total_steps": total_steps,
        "tokens_per_step": tokens_per_step,
        "train_rows": train_rows,
        "eval_rows": eval_rows,
        "model_dir": model_dir if metrics.get("finished") else "",
        "checkpoint": result.checkpoint.path if result.checkpoint else "",
        "storage_path": store,
        "run_name": run_name(cfg, JOB),
        "shards": info.path,
        "shards_content_hash": info.manifest.get("content_hash", ""),
        "mlflow_run_id": tracker.run_id or "",
        "registered_model": registered,
    }
    manifest = {k: v for k, v in summary.items() if k != "history"}
    write_json(manifest, join(out_dir, "manifest.json"), default=str)
    return summary


def summarize(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """Closing-summary rows for :func:`songsage.cli.run_job`."""

    def num(key: str, fmt: str) -> str:
        value = summary.get(key)
        return format(value, fmt) if isinstance(value, (int, float)) and not math.isnan(value) else "n/a"

    return [
        (
            "steps",
            f"{int(summary.get('step', 0))}/{summary['total_steps']} (resumed from {int(summary.get('resumed_from', 0))})",
        ),
        ("tokens/step", f"{summary['tokens_per_step']:,}"),
        ("rows", f"{summary['train_rows']:,} train, {summary['eval_rows']:,} held-out"),
        ("final loss", num("final_loss", ".4f")),
        ("eval loss / ppl", f"{num('eval_loss', '.4f')} / {num('eval_ppl', '.2f')}"),
        ("tokens/s", num("tokens_per_s", ",.0f")),
        ("MFU", num("mfu", ".2%")),
        ("model", summary["model_dir"] or "not finished (stopped early; resubmit to resume)"),
        ("checkpoint", str(summary["checkpoint"])),
    ]
