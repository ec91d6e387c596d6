"""DPO with LoRA on the SFT model (paper 4.4 and section 5: global batch 128 through accumulation, 3 epochs),
on Ray Train + DeepSpeed through the same worker loop as SFT (:func:`songsage.train.sft.lora_loop`).

Choice: a hand-written sigmoid DPO loss (Rafailov et al. 2023) with TRL's ``selective_log_softmax`` for the
per-token log-probabilities, inside our Ray Train loop, so DPO reuses the launcher's DeepSpeed set-up,
checkpoint/resume and MLflow logging unchanged (TRL's DPOTrainer would bring its own Accelerate/DeepSpeed
engine, checkpointing and loop).

Reference model without a second copy: the driver merges the SFT adapter into the base once
(``<out>/sft_merged``); workers train a fresh LoRA adapter on that model, and the reference log-probabilities
come from the same module with the adapter disabled (``disable_adapter()``), i.e. exactly the SFT model.
The saved DPO adapter therefore applies to ``sft_merged`` (its ``adapter_config.json`` says so).

Logged per step: loss, lr, ``rewards/chosen``, ``rewards/rejected``, ``rewards/margins`` (beta-scaled
log-ratio differences to the reference) and ``rewards/accuracy`` (share of pairs with chosen > rejected).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pyarrow as pa

from songsage.config import Config
from songsage.config.paths import join, resolve_path, run_dir
from songsage.config.sft import SFTConfig
from songsage.config.train import ModelConfig
from songsage.storage import exists, list_files, staged_dir
from songsage.tracking import Tracker
from songsage.train.lora import ADAPTER_DIR, IGNORE_INDEX, attention_from, encode_pair, load_tokenizer, pad
from songsage.train.sft import SFTDataError, launch_lora, lora_loop, prepare_base, summarize

JOB = "dpo"
NO_ADAPTER = "none"
SFT_MERGED_DIR = "sft_merged"
PAIR_TOKEN_SCHEMA = pa.schema(
    [(f"{side}_{col}", pa.list_(pa.int32())) for side in ("chosen", "rejected") for col in ("ids", "labels")]
)


class TokenizePairs:
    """Ray Data callable: ``prompt``/``chosen``/``rejected`` -> ids and completion-only labels per side."""

    def __init__(self, model_cfg: ModelConfig, section: SFTConfig) -> None:
        self.tok = load_tokenizer(model_cfg, section)
        self.max_len = section.seq_len

    def __call__(self, batch: pa.Table) -> pa.Table:
        cols: dict[str, list[list[int]]] = {name: [] for name in PAIR_TOKEN_SCHEMA.names}
        for prompt, chosen, rejected in zip(
            batch.column("prompt").to_pylist(),
            batch.column("chosen").to_pylist(),
            batch.column("rejected").to_pylist(),
            strict=True,
        ):
            for side, text in (("chosen", chosen), ("rejected", rejected)):
                ids, labels = encode_pair(self.tok, prompt, text, self.max_len)
                cols[f"{side}_ids"].append(ids)
                cols[f"{side}_labels"].append(labels)
        return pa.Table.from_pydict(cols, schema=PAIR_TOKEN_SCHEMA)


def sequence_logps(logits: Any, labels: Any) -> Any:
    """Sum of next-token log-probabilities over labelled positions, per row (TRL's ``selective_log_softmax``)."""
    from trl.trainer.utils import selective_log_softmax

    targets = labels[:, 1:]
    mask = targets != IGNORE_INDEX
    per_token = selective_log_softmax(logits[:, :-1].float(), targets.clamp(min=0))
    return (per_token * mask).sum(-1)


def dpo_losses(
    policy_chosen: Any, policy_rejected: Any, ref_chosen: Any, ref_rejected: Any, beta: float
) -> tuple[Any, dict[str, float]]:
    """Sigmoid DPO loss summed over the pairs, and its metrics (means over the pairs), from summed
    log-probabilities (tensors of shape [pairs]); the worker loop divides by the global number of pairs."""
    import torch.nn.functional as F

    chosen_r = beta * (policy_chosen - ref_chosen)
    rejected_r = beta * (policy_rejected - ref_rejected)
    loss = -F.logsigmoid(chosen_r - rejected_r).sum()
    metrics = {
        "rewards/chosen": float(chosen_r.mean()),
        "rewards/rejected": float(rejected_r.mean()),
        "rewards/margins": float((chosen_r - rejected_r).mean()),
        "rewards/accuracy": float((chosen_r > rejected_r).float().mean()),
    }
    return loss, metrics


def dpo_step(engine: Any, batch: dict[str, Any], ctx: dict[str, Any]) -> tuple[Any, dict[str, float]]:
    """One micro-batch: policy and reference (adapter disabled) log-probs of chosen and rejected in one padded
    forward each. Returns (loss, metrics)."""
    import torch

    ids = [list(x) for x in batch["chosen_ids"]] + [list(x) for x in batch["rejected_ids"]]
    labels = pad(
        [list(x) for x in batch["chosen_labels"]] + [list(x) for x in batch["rejected_labels"]], IGNORE_INDEX
    )
    input_ids = pad(ids, ctx["pad_id"])
    attention = attention_from(input_ids, [len(x) for x in ids])
    dev = ctx["device"]
    input_ids, attention, labels = input_ids.to(dev), attention.to(dev), labels.to(dev)
    n = len(batch["chosen_ids"])
    policy = sequence_logps(engine(input_ids=input_ids, attention_mask=attention).logits, labels)
    with torch.no_grad(), engine.module.disable_adapter():
        ref = sequence_logps(engine.module(input_ids=input_ids, attention_mask=attention).logits, labels)
    return dpo_losses(policy[:n], policy[n:], ref[:n], ref[n:], ctx["beta"])


def dpo_loop(config: dict[str, Any]) -> None:
    """Ray Train worker loop of DPO (loss weighted by pairs)."""
    lora_loop(config, dpo_step, pair_count)


def pair_count(batch: dict[str, Any]) -> int:
    """Preference pairs in a numpy micro-batch (the unit the DPO loss is summed over)."""
    return len(batch["chosen_ids"])


def sft_adapter_dir(cfg: Config) -> str:
    """``dpo.sft_adapter`` or ``<run.dir>/sft/adapter`` ('' for ``none``)."""
    if cfg.dpo.sft_adapter == NO_ADAPTER:
        return ""
    return (
        resolve_path(cfg.dpo.sft_adapter) if cfg.dpo.sft_adapter else join(run_dir(cfg), "sft", ADAPTER_DIR)
    )


def merge_sft(cfg: Config, adapter: str, out_dir: str) -> ModelConfig:
    """Merge the SFT adapter into its base (named in ``adapter_config.json``; the registry loads an adapter
    directory merged) and save it with the adapter's tokenizer to ``<out_dir>/sft_merged`` (once). Returns the
    model section of the merged model."""
    from songsage.models.registry import load_model, load_model_tokenizer

    target = join(out_dir, SFT_MERGED_DIR)
    if not exists(join(target, "config.json")):
        adapter_cfg = dataclasses.replace(cfg.model, name_or_path=adapter)
        with staged_dir(target) as local:
            load_model(adapter_cfg).save_pretrained(local)
            load_model_tokenizer(adapter_cfg).save_pretrained(local)
    return dataclasses.replace(cfg.model, name_or_path=target)


def pairs_dir(cfg: Config) -> str:
    """``dpo.data`` or ``<run.dir>/build_preferences``; the pairs are in its ``pairs/``."""
    return join(
        resolve_path(cfg.dpo.data) if cfg.dpo.data else join(run_dir(cfg), "build_preferences"), "pairs"
    )


def run_dpo(cfg: Config, out_dir: str, tracker: Tracker) -> dict[str, Any]:
    """Merge the SFT adapter, tokenize the preference pairs, launch DPO; return the summary."""
    import ray.data

    adapter = sft_adapter_dir(cfg)
    if adapter and not exists(join(adapter, "adapter_config.json")):
        raise FileNotFoundError(
            f"dpo.sft_adapter: no PEFT adapter at {adapter} (run jobs/sft.py, or set it to 'none')"
        )
    base = merge_sft(cfg, adapter, out_dir) if adapter else prepare_base(cfg, cfg.dpo, out_dir)
    src = pairs_dir(cfg)
    files = list_files(src, (".parquet",)) if exists(src) else []
    if not files:
        raise SFTDataError(f"dpo.data: no preference pairs under {src} (run jobs/build_preferences.py first)")
    ds = ray.data.read_parquet(files, override_num_blocks=cfg.ray.target_blocks).select_columns(
        ["prompt", "chosen", "rejected"]
    )
    ds = ds.map_batches(
        TokenizePairs,
        fn_constructor_kwargs={"model_cfg": base, "section": cfg.dpo},
        batch_format="pyarrow",
        compute=ray.data.ActorPoolStrategy(size=1),
    ).materialize()
    tracker.set_tags({"dpo.data": src, "dpo.sft_adapter": adapter or NO_ADAPTER})
    return launch_lora(cfg, JOB, dpo_loop, out_dir, tracker, base, {"train": ds}, {"sft_adapter": adapter})


def dpo_stage(cfg: Config, out_dir: str, tracker: Tracker) -> list[tuple[str, str]]:
    """Stage body ``dpo``: DPO with LoRA on the SFT model; returns summary rows."""
    return summarize(run_dpo(cfg, out_dir, tracker))
