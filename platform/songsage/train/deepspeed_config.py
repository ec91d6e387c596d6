"""The final DeepSpeed config dict, built from a ZeRO template plus the run config.

Templates (``configs/deepspeed/zero2.json``, ``zero3.json``; JSON or YAML) hold ZeRO tuning knobs and
``"auto"`` placeholders. Batch size, gradient accumulation, clipping, precision, ZeRO stage and the
optimizer always come from ``pretrain.*`` (so the two cannot disagree): a template value that is set to
something other than ``"auto"`` and differs from the run config raises :class:`DeepSpeedConfigError`.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml

from songsage.config.train import PretrainConfig

AUTO = "auto"
REPO_ROOT = Path(__file__).resolve().parents[3]


class DeepSpeedConfigError(ValueError):
    """The DeepSpeed template disagrees with the run config, or cannot be found."""


def template_path(cfg: PretrainConfig) -> Path:
    """``pretrain.deepspeed.template`` or ``configs/deepspeed/zero<stage>.json`` (cwd first, then repo)."""
    name = cfg.deepspeed.template or f"configs/deepspeed/zero{cfg.deepspeed.stage}.json"
    for candidate in (Path(name), REPO_ROOT / name):
        if candidate.exists():
            return candidate.resolve()
    raise DeepSpeedConfigError(f"DeepSpeed template {name} not found (cwd or {REPO_ROOT})")


def load_template(path: Path) -> dict[str, Any]:
    """Read a JSON or YAML DeepSpeed template into a dict."""
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    if not isinstance(data, dict):
        raise DeepSpeedConfigError(f"{path}: a DeepSpeed template must be a mapping")
    return data


def _fill(node: dict[str, Any], key: str, value: Any, where: str) -> None:
    """Set ``node[key] = value`` unless the template pins a different value (then raise)."""
    current = node.get(key, AUTO)
    if current != AUTO and current != value:
        raise DeepSpeedConfigError(
            f"DeepSpeed template sets {where}{key}={current!r} but the run config gives {value!r}; "
            f'use "auto" in the template (the run config is the single source)'
        )
    node[key] = value


def build_deepspeed_config(
    cfg: PretrainConfig,
    world_size: int,
    use_gpu: bool,
    template: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The DeepSpeed config dict for ``world_size`` data-parallel workers.

    Inputs: the pretrain section, the number of workers, whether they run on GPUs, and optionally an
    already-loaded template (default: :func:`template_path`). Output: a dict for
    ``deepspeed.initialize(config=...)``. ``train_batch_size`` = micro batch x accumulation x workers
    (rows of ``seq_len`` tokens). On GPUs the optimizer (AdamW) and its hyper-parameters are in the dict;
    on CPU the caller passes a ``torch.optim.AdamW`` with the same values (DeepSpeed's CPU Adam would
    JIT-compile for ~50 s), so the ``optimizer`` section is left out. bf16 only on GPUs.
    """
    ds = copy.deepcopy(template if template is not None else load_template(template_path(cfg)))
    _fill(ds, "train_micro_batch_size_per_gpu", cfg.per_device_batch, "")
    _fill(ds, "gradient_accumulation_steps", cfg.grad_accum, "")
    _fill(ds, "train_batch_size", cfg.per_device_batch * cfg.grad_accum * world_size, "")
    _fill(ds, "gradient_clipping", cfg.grad_clip, "")
    bf16 = ds.setdefault("bf16", {})
    _fill(bf16, "enabled", bool(cfg.bf16 and use_gpu), "bf16.")
    if ds.get("fp16", {}).get("enabled") is True:
        raise DeepSpeedConfigError("DeepSpeed template enables fp16; SongSage trains in bf16 or fp32")
    zero = ds.setdefault("zero_optimization", {})
    _fill(zero, "stage", cfg.deepspeed.stage, "zero_optimization.")
    if cfg.deepspeed.offload_optimizer:
        zero["offload_optimizer"] = {"device": "cpu", "pin_memory": use_gpu}
    if use_gpu:
        params = {
            "lr": cfg.lr,
            "betas": [cfg.adam_beta1, cfg.adam_beta2],
            "eps": cfg.adam_eps,
            "weight_decay": cfg.weight_decay,
        }
        optimizer = ds.setdefault("optimizer", {"type": "AdamW", "params": {}})
        if str(optimizer.get("type", "AdamW")).lower() != "adamw":
            raise DeepSpeedConfigError(
                f"DeepSpeed template optimizer {optimizer.get('type')!r}: only AdamW is supported"
            )
        optimizer["type"] = "AdamW"
        for key, value in params.items():
            _fill(optimizer.setdefault("params", {}), key, value, "optimizer.params.")
    elif "optimizer" in ds:
        # On CPU the worker passes a torch AdamW built from the same run-config values.
        del ds["optimizer"]
    if "scheduler" in ds:
        raise DeepSpeedConfigError(
            "DeepSpeed template has a scheduler: the schedule comes from pretrain.lr_scheduler"
        )
    leftover = [k for k, v in _walk(ds) if v == AUTO]
    if leftover:
        raise DeepSpeedConfigError(
            f'DeepSpeed template keys left as "auto" with no run-config value: {leftover}'
        )
    return ds


def _walk(node: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """(dotted key, value) for every leaf of a nested dict."""
    if isinstance(node, dict):
        out: list[tuple[str, Any]] = []
        for k, v in node.items():
            out.extend(_walk(v, f"{prefix}{k}."))
        return out
    return [(prefix.rstrip("."), node)]
