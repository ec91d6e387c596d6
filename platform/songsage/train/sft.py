"""LoRA SFT on LyricBank-SFT (paper 4.3, Table 8) on Ray Train + DeepSpeed, and the worker loop DPO shares.

Driver (:func:`run_sft`): resolves the base model (``sft.base_model``, the pretrain output, or
``model.name_or_path``; a random-init registry model is saved once under ``<out>/base`` so every worker and
every later reload sees the same weights), tokenizes the chat samples with Ray Data (Qwen2.5 ChatML template;
labels only on assistant tokens, which include the closing ``<|im_end|>``, so the tuned model learns to end its
turn), sizes the schedule and launches :func:`lora_loop` through :func:`songsage.train.launcher.launch`.

Worker (:func:`lora_loop`, ``kind`` sft or dpo): base + PEFT LoRA (r/alpha/dropout/targets from the section),
DeepSpeed ZeRO-2/3 with AdamW + warmup/cosine from the launcher, gradient accumulation, checkpoints (resume
restores model, optimizer, scheduler, RNG and the data position), rank-0 MLflow metrics (loss, lr, grad norm,
and the stage's own metrics), validation loss, and at the end the adapter in PEFT format (ZeRO-3: gathered)
plus, optionally, the merged model.
"""

from __future__ import annotations

import dataclasses
import math
import random
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa

from songsage.config import Config
from songsage.config.paths import join, resolve_path, run_dir
from songsage.config.sft import SFTConfig
from songsage.config.train import ModelConfig
from songsage.storage import exists, list_files, staged_dir, tree_bytes, write_json
from songsage.tracking import Tracker
from songsage.train.launcher import (
    LaunchSpec,
    WorkerTracker,
    all_reduce_sum,
    config_from,
    destroy_process_group,
    launch,
    restore_checkpoint,
    run_name,
    setup_deepspeed,
    storage_path,
    worker_info,
)
from songsage.train.loop import Schedule, Stage, finish, run_steps
from songsage.train.lora import (
    ADAPTER_DIR,
    BASE_DIR,
    IGNORE_INDEX,
    MERGED_DIR,
    attention_from,
    base_model_config,
    encode_chat,
    is_random_init,
    load_tokenizer,
    lora_config,
    merged_state,
    pad,
    save_adapter,
)

JOB = "sft"
TOKEN_SCHEMA = pa.schema(
    [("input_ids", pa.list_(pa.int32())), ("labels", pa.list_(pa.int32())), ("length", pa.int32())]
)


class SFTDataError(ValueError):
    """The SFT data is missing or too small for one optimizer step."""


# ------------------------------------------------------------------------------------------------ driver
class TokenizeChats:
    """Ray Data callable: ``messages`` -> ``input_ids``, ``labels`` (assistant tokens only), ``length``; rows
    without any assistant token after truncation are dropped."""

    def __init__(self, model_cfg: ModelConfig, section: SFTConfig) -> None:
        self.tok = load_tokenizer(model_cfg, section)
        self.max_len = section.seq_len

    def __call__(self, batch: pa.Table) -> pa.Table:
        ids_out, labels_out = [], []
        for msgs in batch.column("messages").to_pylist():
            ids, labels = encode_chat(self.tok, msgs, self.max_len)
            if any(lab != IGNORE_INDEX for lab in labels):
                ids_out.append(ids)
                labels_out.append(labels)
        return pa.Table.from_pydict(
            {"input_ids": ids_out, "labels": labels_out, "length": [len(x) for x in ids_out]},
            schema=TOKEN_SCHEMA,
        )


def prepare_base(cfg: Config, section: SFTConfig, out_dir: str) -> ModelConfig:
    """The base the workers load. A random-init registry model is built once (seeded) and saved to
    ``<out_dir>/base`` (local or URI) with its tokenizer, so the adapter has a real base directory to reload."""
    import torch

    from songsage.models.registry import load_model, load_model_tokenizer

    base = base_model_config(cfg, section)
    if not is_random_init(base):
        return base
    target = join(out_dir, BASE_DIR)
    if not exists(join(target, "config.json")):
        torch.manual_seed(cfg.run.seed)
        model = load_model(base)
        with staged_dir(target) as local:
            model.save_pretrained(local)
            load_model_tokenizer(base).save_pretrained(local)
    return dataclasses.replace(base, name_or_path=target)


def steps_for(rows: int, section: SFTConfig, accum: int) -> int:
    """Optimizer steps per epoch: every worker gets ``rows // workers`` rows in micro-batches of
    ``per_device_batch``; ``accum`` micro-batches make a step."""
    return rows // section.num_workers // section.per_device_batch // accum


def launch_lora(
    cfg: Config,
    kind: str,
    loop: Callable[[dict[str, Any]], None],
    out_dir: str,
    tracker: Tracker,
    base: ModelConfig,
    datasets: dict[str, Any],
    extra: dict[str, Any],
) -> dict[str, Any]:
    """Size the schedule from ``datasets['train']`` and run ``loop`` (the stage's worker entry around
    :func:`lora_loop`; ``kind`` sft/dpo names the section) on Ray Train. Returns the summary dict (final metrics,
    history, dirs, sizes)."""
    section: SFTConfig = getattr(cfg, kind)
    accum = section.accumulation()
    section = dataclasses.replace(section, grad_accum=accum)
    cfg = dataclasses.replace(cfg, **{kind: section})
    train_rows = datasets["train"].count()
    eval_rows = datasets["eval"].count() if "eval" in datasets else 0
    spe = steps_for(train_rows, section, accum)
    if spe == 0:
        raise SFTDataError(
            f"{train_rows} {kind} rows are too few for one step of {section.num_workers} workers x "
            f"{section.per_device_batch} rows x {accum} accumulation"
        )
    total = section.max_steps or section.epochs * spe
    global_batch = section.per_device_batch * accum * section.num_workers
    print(
        f"[{kind}] {train_rows:,} train + {eval_rows:,} validation rows; global batch {section.per_device_batch} x "
        f"{accum} x {section.num_workers} workers = {global_batch}; {spe} steps/epoch, {total} steps"
    )
    store = storage_path(section, out_dir)
    tracker.log_params(
        {
            "derived.total_steps": total,
            "derived.global_batch": global_batch,
            "derived.train_rows": train_rows,
            "derived.base_model": base.name_or_path,
        }
    )
    spec = LaunchSpec(
        job=kind,
        loop=loop,
        train=section,
        storage_path=store,
        loop_config={
            "kind": kind,
            "base": base,
            "total_steps": total,
            "steps_per_epoch": spe,
            "eval_rows": eval_rows,
            "out_dir": out_dir,
            **extra,
        },
        datasets=datasets,
    )
    result = launch(cfg, spec, tracker)
    metrics = dict(result.metrics or {})
    adapter = join(out_dir, ADAPTER_DIR)
    registered = ""
    if section.register_model and metrics.get("finished"):
        registered = tracker.register_model(ADAPTER_DIR, section.registered_model_name or f"songsage-{kind}")
    summary = {
        **metrics,
        "total_steps": total,
        "global_batch": global_batch,
        "train_rows": train_rows,
        "eval_rows": eval_rows,
        "base_model": base.name_or_path,
        "storage_path": store,
        "checkpoint": result.checkpoint.path if result.checkpoint else "",
        "run_name": run_name(cfg, kind),
        "adapter_dir": adapter if metrics.get("finished") else "",
        "adapter_bytes": tree_bytes(adapter) if metrics.get("finished") else 0,
        "merged_dir": join(out_dir, MERGED_DIR) if metrics.get("finished") and section.save_merged else "",
        "mlflow_run_id": tracker.run_id or "",
        "registered_model": registered,
    }
    manifest = {k: v for k, v in summary.items() if k != "history"}
    write_json(manifest, join(out_dir, "manifest.json"), default=str)
    return summary


def data_dir(cfg: Config) -> str:
    """``sft.data`` or ``<run.dir>/build_sft``."""
    return resolve_path(cfg.sft.data) if cfg.sft.data else join(run_dir(cfg), "build_sft")


def run_sft(cfg: Config, out_dir: str, tracker: Tracker) -> dict[str, Any]:
    """Tokenize LyricBank-SFT, launch LoRA SFT, return the summary."""
    import ray.data

    section = cfg.sft
    src = data_dir(cfg)
    base = prepare_base(cfg, section, out_dir)
    datasets = {}
    for split, name in (("train", "train"), ("validation", "eval")):
        path = join(src, split)
        files = list_files(path, (".parquet",)) if exists(path) else []
        if split == "train" and not files:
            raise SFTDataError(f"sft.data: no training files under {path} (run jobs/build_sft.py first)")
        if files:
            ds = ray.data.read_parquet(files, override_num_blocks=cfg.ray.target_blocks).select_columns(
                ["messages"]
            )
            ds = ds.map_batches(
                TokenizeChats,
                fn_constructor_kwargs={"model_cfg": base, "section": section},
                batch_format="pyarrow",
                compute=ray.data.ActorPoolStrategy(size=1),
            )
            datasets[name] = ds.materialize()
    if "eval" in datasets and datasets["eval"].count() == 0:
        del datasets["eval"]
    tracker.set_tags({"sft.data": src})
    return launch_lora(cfg, JOB, sft_loop, out_dir, tracker, base, datasets, {})


# ------------------------------------------------------------------------------------------------ worker
def sft_batch(batch: dict[str, Any], pad_id: int) -> dict[str, Any]:
    """Numpy micro-batch -> right-padded tensors ``input_ids``, ``attention_mask``, ``labels``."""
    lengths = [int(n) for n in batch["length"]]
    ids = pad([list(x) for x in batch["input_ids"]], pad_id)
    return {
        "input_ids": ids,
        "attention_mask": attention_from(ids, lengths),
        "labels": pad([list(x) for x in batch["labels"]], IGNORE_INDEX),
    }


def target_tokens(batch: dict[str, Any]) -> int:
    """Tokens the SFT loss is taken on in a numpy micro-batch: labelled positions after the next-token shift."""
    return sum(int((np.asarray(row[1:]) != IGNORE_INDEX).sum()) for row in batch["labels"])


def token_loss_sum(logits: Any, labels: Any) -> Any:
    """Sum (not mean) of next-token cross-entropies over labelled positions (fp32; scalar tensor)."""
    import torch.nn.functional as F

    return F.cross_entropy(
        logits[:, :-1].float().reshape(-1, logits.shape[-1]),
        labels[:, 1:].reshape(-1),
        ignore_index=IGNORE_INDEX,
        reduction="sum",
    )


def sft_step(engine: Any, batch: dict[str, Any], ctx: dict[str, Any]) -> tuple[Any, dict[str, float]]:
    """Next-token loss on assistant tokens, summed over the micro-batch's target tokens (the loop divides by
    the global batch's count, :func:`accumulate`). Returns (loss-sum tensor, extra metrics)."""
    t = {k: v.to(ctx["device"]) for k, v in sft_batch(batch, ctx["pad_id"]).items()}
    out = engine(input_ids=t["input_ids"], attention_mask=t["attention_mask"])
    return token_loss_sum(out.logits, t["labels"]), {}


StepFn = Callable[[Any, dict[str, Any], dict[str, Any]], tuple[Any, dict[str, float]]]


def accumulate(
    engine: Any,
    micro_batches: list[dict[str, Any]],
    step_fn: StepFn,
    units_fn: Callable[[dict[str, Any]], int],
    ctx: dict[str, Any],
    world: int,
) -> tuple[float, float, dict[str, float]]:
    """Forward/backward of one optimizer step's micro-batches, weighted by the units the loss is summed over.

    ``step_fn`` returns each micro-batch's loss summed over its units (``units_fn``: SFT target tokens, DPO
    pairs). The units of every micro-batch of every worker are all-reduced first; each micro-batch's loss sum
    is then scaled by ``grad_accum * world / units``, since DeepSpeed's ``engine.backward`` divides by the
    accumulation steps and its gradient all-reduce averages over workers: the step's gradient is that of
    (sum of all unit losses) / (all units), so a short sample weighs by its tokens, not as much as a long one.
    Returns (summed loss of this worker, global units, summed extra metrics of this worker).
    """
    local = float(sum(units_fn(b) for b in micro_batches))
    units = all_reduce_sum([local], ctx["device"])[0]
    if units <= 0:
        raise RuntimeError("an optimizer step's global batch has no target tokens (labels all -100)")
    scale = len(micro_batches) * world / units
    loss_sum, extras = 0.0, {}
    for batch in micro_batches:
        loss, metrics = step_fn(engine, batch, ctx)
        engine.backward(loss * scale)
        engine.step()
        loss_sum += float(loss.detach())
        for k, v in metrics.items():
            extras[k] = extras.get(k, 0.0) + v
    return loss_sum, units, extras


def evaluate_sft(engine: Any, shard: Any, ctx: dict[str, Any], batch_size: int) -> float:
    """Token-weighted validation loss over every worker's split (assistant tokens only)."""
    import torch

    engine.eval()
    loss_sum, tokens = 0.0, 0.0
    with torch.no_grad():
        for batch in shard.iter_batches(batch_size=batch_size, batch_format="numpy", drop_last=False):
            t = sft_batch(batch, ctx["pad_id"])
            n = float((t["labels"][:, 1:] != IGNORE_INDEX).sum())
            loss_sum += float(engine(**{k: v.to(ctx["device"]) for k, v in t.items()}).loss) * n
            tokens += n
    engine.train()
    loss_sum, tokens = all_reduce_sum([loss_sum, tokens], ctx["device"])
    return loss_sum / tokens if tokens else float("nan")


def build_lora_model(config: dict[str, Any], section: SFTConfig, dtype: Any) -> Any:
    """Base model (+ the SFT adapter merged in, for DPO) with a fresh trainable LoRA adapter."""
    from peft import get_peft_model

    from songsage.models.registry import load_model

    model = load_model(config["base"], dtype)
    model = get_peft_model(model, lora_config(section))
    if section.grad_checkpointing:
        model.gradient_checkpointing_enable()
        model.enable_input_require_grads()
        model.config.use_cache = False
    return model


def sft_loop(config: dict[str, Any]) -> None:
    """Ray Train worker loop of LoRA SFT (loss weighted by target tokens)."""
    lora_loop(config, sft_step, target_tokens)


def lora_loop(config: dict[str, Any], step_fn: StepFn, units_fn: Callable[[dict[str, Any]], int]) -> None:
    """The shared worker loop: ``step_fn(engine, numpy micro-batch, ctx) -> (loss sum, metrics)`` per
    micro-batch, the loss summed over ``units_fn(micro-batch)`` units (see :func:`accumulate`), inside the
    step / eval / checkpoint skeleton of :func:`songsage.train.loop.run_steps`."""
    import torch
    from ray import train as ray_train

    cfg = config_from(config)
    kind = config["kind"]
    section: SFTConfig = getattr(cfg, kind)
    ds_config = config["ds_config"]
    total_steps, spe = int(config["total_steps"]), int(config["steps_per_epoch"])
    stop = min(total_steps, section.stop_at_step) if section.stop_at_step else total_steps
    info = worker_info(section.use_gpu, section.cpus_per_worker)
    random.seed(cfg.run.seed)
    np.random.seed(cfg.run.seed)
    torch.manual_seed(cfg.run.seed)
    dtype = torch.bfloat16 if ds_config["bf16"]["enabled"] else torch.float32
    tokenizer = load_tokenizer(config["base"], section)
    model = build_lora_model(config, section, dtype)
    n_trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    engine, _ = setup_deepspeed(model, ds_config, section, total_steps)
    ctx = {"device": info.device, "pad_id": tokenizer.pad_token_id, "beta": getattr(section, "beta", 0.0)}
    state = restore_checkpoint(engine, info.rank) or {"global_step": 0, "epoch": 0, "micro_in_epoch": 0}
    resumed_from = state["global_step"]
    train_shard = ray_train.get_dataset_shard("train")
    eval_shard = ray_train.get_dataset_shard("eval") if config["eval_rows"] else None

    def batches(epoch: int) -> Any:
        return train_shard.iter_batches(
            batch_size=section.per_device_batch, batch_format="numpy", drop_last=True
        )

    def train_step(window: list[dict[str, Any]], t0: float) -> dict[str, float]:
        step_loss, units, extras = accumulate(engine, window, step_fn, units_fn, ctx, info.world)
        keys = sorted(extras)
        sums = all_reduce_sum([step_loss, *(extras[k] for k in keys)], info.device)
        return {
            "loss": sums[0] / units,
            **{k: s / section.grad_accum / info.world for k, s in zip(keys, sums[1:], strict=True)},
            "step_time_s": time.perf_counter() - t0,
        }

    def evaluate() -> dict[str, float]:
        return {"eval_loss": evaluate_sft(engine, eval_shard, ctx, section.per_device_batch)}

    def line(step: int, metrics: dict[str, float]) -> str:
        shown = " ".join(f"{k} {v:.4g}" for k, v in metrics.items() if k not in ("epoch", "step_time_s"))
        return f"[{kind}] step {step}/{total_steps} {shown}"

    plan = Schedule(
        total_steps=total_steps,
        stop=stop,
        steps_per_epoch=spe,
        grad_accum=section.grad_accum,
        eval_every=section.eval_every,
        log_every=section.log_every,
        checkpoint_every=section.checkpoint_every,
        eval_on_stop=True,
        report_evals=bool(config.get("report_evals")),
    )
    stage = Stage(kind, batches, train_step, evaluate if eval_shard is not None else None, line)
    with WorkerTracker(cfg, config["tracking"], info.rank) as tracker:
        if info.rank == 0:
            print(
                f"[{kind}] worker 0/{info.world}: {n_trainable:,} trainable LoRA params, steps "
                f"{state['global_step']}->{stop} of {total_steps}"
                + (f" (resumed at {resumed_from})" if resumed_from else ""),
                flush=True,
            )
        history, last, held_out = run_steps(engine, state, plan, stage, tracker, info.rank)
        finished = state["global_step"] >= total_steps
        if finished:
            out_dir = config["out_dir"]
            base_path = config["base"].name_or_path
            save_adapter(
                engine.module,
                tokenizer,
                join(out_dir, ADAPTER_DIR),
                section.deepspeed.stage,
                info.rank,
                base_path,
                tracker,
            )
            if section.save_merged:
                merged = merged_state(engine.module, section.deepspeed.stage)
                if info.rank == 0:
                    with staged_dir(join(out_dir, MERGED_DIR)) as local:
                        merged.save_pretrained(local)
                        tokenizer.save_pretrained(local)
        final = {
            "step": float(state["global_step"]),
            "finished": float(finished),
            "resumed_from": float(resumed_from),
            "first_loss": history[0][1] if history else float("nan"),
            "final_loss": history[-1][1] if history else float("nan"),
            "eval_loss": held_out.get("eval_loss", float("nan")),
            "trainable_params": float(n_trainable),
            **{k: v for k, v in last.items() if k != "loss"},
        }
        finish(engine, state, final, history, info.rank)
    destroy_process_group()


def summarize(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """Closing-summary rows of an SFT or DPO run."""

    def num(key: str, fmt: str) -> str:
        v = summary.get(key)
        return format(v, fmt) if isinstance(v, (int, float)) and not math.isnan(v) else "n/a"

    rows = [
        (
            "steps",
            f"{int(summary.get('step', 0))}/{summary['total_steps']} (resumed from {int(summary.get('resumed_from', 0))})",
        ),
        (
            "rows",
            f"{summary['train_rows']:,} train, {summary['eval_rows']:,} validation; global batch {summary['global_batch']}",
        ),
        ("loss first -> last", f"{num('first_loss', '.4f')} -> {num('final_loss', '.4f')}"),
        ("validation loss", num("eval_loss", ".4f")),
    ]
    for key in ("rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracy"):
        if key in summary:
            rows.append((key, num(key, ".4f")))
    rows += [
        ("base model", str(summary["base_model"])),
        (
            "adapter",
            f"{summary['adapter_dir']} ({summary['adapter_bytes']:,} bytes)"
            if summary["adapter_dir"]
            else "not finished (stopped early; resubmit to resume)",
        ),
        ("merged model", summary["merged_dir"] or "-"),
        ("checkpoint", str(summary["checkpoint"])),
    ]
    return rows


def sft_stage(cfg: Config, out_dir: str, tracker: Tracker) -> list[tuple[str, str]]:
    """Stage body ``sft``: LoRA SFT on LyricBank-SFT; returns summary rows."""
    return summarize(run_sft(cfg, out_dir, tracker))
