"""Fixtures for evaluation tests: the tiny random Qwen2 model config and a config on the shared corpus."""

from __future__ import annotations

import pytest

from songsage.config.train import ModelConfig, TinyModelConfig

TINY = TinyModelConfig(hidden_size=64, num_layers=2, num_heads=4, num_kv_heads=2, intermediate_size=128)


@pytest.fixture(scope="session")
def tiny_model_cfg() -> ModelConfig:
    """The registry's tiny-qwen2 at test size (random weights, exact Qwen2.5 tokenizer)."""
    return ModelConfig(name_or_path="tiny-qwen2", tiny=TINY)
