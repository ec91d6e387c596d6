"""LoRA pieces shared by SFT and DPO: base model resolution, chat template, PEFT config, tokenization with
assistant-only labels, padding, and adapter saving (ZeRO-3 parameters gathered first).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from songsage.config import Config
from songsage.config.paths import join, resolve_path, run_dir
from songsage.config.sft import SFTConfig
from songsage.config.train import ModelConfig
from songsage.storage import exists, local_copy, staged_dir

IGNORE_INDEX = -100
END_OF_TURN = "<|im_end|>"
QWEN_TEMPLATE = "qwen2.5"
MODEL_TEMPLATE = "model"
ADAPTER_DIR, MERGED_DIR, BASE_DIR = "adapter", "merged", "base"
ADAPTER_WEIGHTS = "adapter_model.safetensors"


def base_model_config(cfg: Config, section: SFTConfig) -> ModelConfig:
    """The model section of the base: ``base_model``, else ``<run.dir>/pretrain/model`` when it exists, else
    ``model.name_or_path`` (registry names keep ``model.tiny`` etc.)."""
    if section.base_model:
        path = section.base_model
        return dataclasses.replace(cfg.model, name_or_path=resolve_path(path) if exists(path) else path)
    pretrained = join(run_dir(cfg), "pretrain", "model")
    if exists(join(pretrained, "config.json")):
        return dataclasses.replace(cfg.model, name_or_path=pretrained)
    return cfg.model


def is_random_init(model_cfg: ModelConfig) -> bool:
    """True for registry names built from a config (random weights: saved beside the adapter)."""
    from songsage.models.registry import resolve

    return resolve(model_cfg).config is not None


def load_tokenizer(model_cfg: ModelConfig, section: SFTConfig) -> Any:
    """The base's tokenizer with the chat template ``section.chat_template`` and a pad token.

    Raises ValueError when the template does not mark assistant turns (no assistant-only loss possible) or the
    vocabulary has no ``<|im_end|>``."""
    from songsage.models.registry import load_model_tokenizer
    from songsage.models.tokenizer import QWEN25_CHAT_TEMPLATE

    tok = load_model_tokenizer(model_cfg)
    if section.chat_template == QWEN_TEMPLATE:
        tok.chat_template = QWEN25_CHAT_TEMPLATE
    elif section.chat_template != MODEL_TEMPLATE:
        tok.chat_template = Path(section.chat_template).read_text(encoding="utf-8")
    if not tok.chat_template or "{% generation %}" not in tok.chat_template:
        raise ValueError(
            "the chat template must mark assistant turns with {% generation %} (sft.chat_template)"
        )
    if END_OF_TURN not in tok.get_vocab():
        raise ValueError(f"tokenizer of {model_cfg.name_or_path} has no {END_OF_TURN} token")
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return tok


def lora_config(section: SFTConfig) -> Any:
    """PEFT ``LoraConfig`` (causal LM) from the section: r, alpha, dropout, target modules."""
    from peft import LoraConfig

    targets = section.lora_target_modules
    target: Any = targets[0] if targets == ["all-linear"] else list(targets)
    return LoraConfig(
        r=section.lora_r,
        lora_alpha=section.lora_alpha,
        lora_dropout=section.lora_dropout,
        target_modules=target,
        bias="none",
        task_type="CAUSAL_LM",
    )


def encode_chat(tokenizer: Any, messages: list[dict[str, str]], max_len: int) -> tuple[list[int], list[int]]:
    """(input ids, labels) of one conversation: labels are the ids on assistant tokens (content + ``<|im_end|>``)
    and -100 elsewhere; cut to ``max_len`` tokens."""
    enc = tokenizer.apply_chat_template(
        messages, tokenize=True, return_dict=True, return_assistant_tokens_mask=True
    )
    ids = list(enc["input_ids"])[:max_len]
    mask = list(enc["assistant_masks"])[:max_len]
    return ids, [i if m else IGNORE_INDEX for i, m in zip(ids, mask, strict=True)]


def encode_pair(
    tokenizer: Any, prompt: list[dict[str, str]], completion: str, max_len: int
) -> tuple[list[int], list[int]]:
    """(ids, labels) of prompt + assistant ``completion`` + ``<|im_end|>``: labels only on the completion. The
    prompt keeps its last tokens when the pair is longer than ``max_len``."""
    p = tokenizer.apply_chat_template(prompt, tokenize=False, add_generation_prompt=True)
    p_ids = tokenizer(p, add_special_tokens=False)["input_ids"]
    c_ids = tokenizer(completion + END_OF_TURN, add_special_tokens=False)["input_ids"][: max_len // 2]
    p_ids = p_ids[-(max_len - len(c_ids)) :]
    return p_ids + c_ids, [IGNORE_INDEX] * len(p_ids) + c_ids


def pad(seqs: list[list[int]], value: int) -> Any:
    """Right-pad lists of ids to a (batch, longest) long tensor."""
    import torch

    width = max(len(s) for s in seqs)
    return torch.tensor([list(s) + [value] * (width - len(s)) for s in seqs], dtype=torch.long)


def attention_from(ids: Any, lengths: list[int]) -> Any:
    """Attention mask (1 on real tokens) for right-padded ``ids`` with the given lengths."""
    import torch

    positions = torch.arange(ids.shape[1])[None, :]
    return (positions < torch.tensor(lengths)[:, None]).long()


def trainable_params(model: Any) -> list[Any]:
    """Parameters that require grad (the LoRA matrices)."""
    return [p for p in model.parameters() if p.requires_grad]


def save_adapter(
    module: Any, tokenizer: Any, out_dir: str, zero_stage: int, rank: int, base_path: str, log_to: Any = None
) -> str:
    """Save the PEFT adapter (+ tokenizer) to ``out_dir`` (local or URI: staged in the node cache, then uploaded)
    on rank 0; under ZeRO-3 the LoRA parameters are gathered on every rank first (collective), so the saved
    matrices are complete. ``base_path`` goes into ``adapter_config.json`` as the base model; ``log_to`` (a
    tracker) logs the files as artifacts ``adapter/`` from the local copy. Returns ``out_dir`` on rank 0
    ('' elsewhere)."""
    import contextlib

    gather: Any = contextlib.nullcontext()
    if zero_stage == 3:
        import deepspeed

        gather = deepspeed.zero.GatheredParameters(trainable_params(module), modifier_rank=None)
    with gather:
        if rank == 0:
            with staged_dir(out_dir) as local:
                module.save_pretrained(local)
                tokenizer.save_pretrained(local)
                conf_path = Path(local, "adapter_config.json")
                conf = json.loads(conf_path.read_text(encoding="utf-8"))
                conf["base_model_name_or_path"] = base_path
                conf_path.write_text(json.dumps(conf, indent=2), encoding="utf-8")
                if log_to is not None:
                    log_to.log_artifacts(local, ADAPTER_DIR)
    return out_dir if rank == 0 else ""


def merged_state(module: Any, zero_stage: int) -> Any:
    """A CPU copy of the base with the adapter merged (ZeRO-3: gathered first; collective). Returns the merged
    ``transformers`` model."""
    import contextlib
    import copy

    from songsage.models.registry import merge_adapter

    gather: Any = contextlib.nullcontext()
    if zero_stage == 3:
        import deepspeed

        gather = deepspeed.zero.GatheredParameters(list(module.parameters()), modifier_rank=None)
    with gather:
        return merge_adapter(copy.deepcopy(module))


def load_adapter_model(adapter_dir: str, model_cfg: ModelConfig) -> Any:
    """Base (from ``model_cfg``) + the adapter in ``adapter_dir`` as an inference PEFT model."""
    from peft import PeftModel

    from songsage.models.registry import load_model

    return PeftModel.from_pretrained(load_model(model_cfg), local_copy(adapter_dir)).eval()
