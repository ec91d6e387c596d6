"""In-process helpers for the loss tests: a tiny random model and an engine stand-in with DeepSpeed's scaling."""

from __future__ import annotations

from typing import Any

import numpy as np

from songsage.config.train import ModelConfig, TinyModelConfig

TINY = TinyModelConfig(
    hidden_size=32, num_layers=2, num_heads=4, num_kv_heads=2, intermediate_size=64, vocab_size=512
)


def tiny_model(seed: int = 0) -> Any:
    """A 2-layer Qwen2 of hidden 32 and 512 vocabulary rows, random init (fp32)."""
    import torch

    from songsage.models.registry import load_model

    torch.manual_seed(seed)
    return load_model(ModelConfig(tiny=TINY))


class GradAccumEngine:
    """What the worker loop uses of a DeepSpeed engine, on a plain module: ``engine(...)`` is the forward,
    ``backward`` divides the loss by the accumulation steps first (DeepSpeed's ``scale_wrt_gas``), ``step`` is
    left to the test, ``module`` is the (PEFT) model."""

    def __init__(self, module: Any, grad_accum: int) -> None:
        self.module, self.grad_accum = module, grad_accum

    def __call__(self, **kwargs: Any) -> Any:
        return self.module(**kwargs)

    def backward(self, loss: Any) -> None:
        (loss / self.grad_accum).backward()

    def step(self) -> None:
        pass


def numpy_batch(rows: list[dict[str, list[int]]]) -> dict[str, Any]:
    """Rows as Ray Data's numpy micro-batch: columns of ragged int arrays (object arrays)."""
    out: dict[str, Any] = {}
    for key in rows[0]:
        col = np.empty(len(rows), dtype=object)
        col[:] = [np.asarray(r[key], dtype=np.int32) for r in rows]
        out[key] = col
    return out
