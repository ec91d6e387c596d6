"""Config sections for models and training stages (model registry, pretraining)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ModelConfig:
    """Which causal LM: a named tiny config (``tiny-qwen2``) or any HF model directory / hub id."""

    name_or_path: str = "tiny-qwen2"
    trust_remote_code: bool = False
