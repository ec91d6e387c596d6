"""Training FLOPs and model-FLOPs utilization (MFU).

Per trained token a decoder-only transformer costs ``6 * N`` FLOPs for its parameter matmuls (forward
2N + backward 4N; N counts every weight used in a matmul: a tied embedding/LM-head matrix once, since the
input lookup is free) plus an attention term ``12 * n_layers * hidden * seq_len`` (scores and weighted
values, forward and backward; PaLM appendix B). MFU = achieved model FLOP/s / peak FLOP/s of the devices.
"""

from __future__ import annotations

from typing import Any


def matmul_params(model: Any) -> int:
    """Parameters that take part in matmuls: all unique parameters (shared tensors counted once).

    Input: a ``torch.nn.Module``. Output: parameter count (int). Under ZeRO-3 pass the count taken
    before partitioning (``ds_numel`` is used when present).
    """
    seen: set[int] = set()
    total = 0
    for p in model.parameters():
        if id(p) in seen:
            continue
        seen.add(id(p))
        total += int(getattr(p, "ds_numel", 0) or p.numel())
    return total


def flops_per_token(n_params: int, n_layers: int, hidden: int, seq_len: int) -> float:
    """Training FLOPs per token: ``6 N + 12 L H T`` (inputs: params, layers, hidden size, sequence length)."""
    return 6.0 * n_params + 12.0 * n_layers * hidden * seq_len


def mfu(tokens_per_s: float, per_token_flops: float, peak_flops_per_device: float, n_devices: int) -> float:
    """Model-FLOPs utilization in [0, 1]: ``tokens/s * FLOPs/token / (peak FLOP/s per device * devices)``."""
    peak = peak_flops_per_device * n_devices
    return tokens_per_s * per_token_flops / peak if peak > 0 else 0.0


def measure_matmul_peak_flops(n: int = 2048, reps: int = 5) -> float:
    """Best-of-``reps`` FLOP/s of an fp32 ``n x n @ n x n`` torch matmul on this host's CPU (all intra-op
    threads): the practical CPU peak that MFU is measured against (``2 n^3`` FLOPs per matmul)."""
    import time

    import torch

    a, b = torch.randn(n, n), torch.randn(n, n)
    torch.mm(a, b)  # warm-up
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - t)
    return 2.0 * n**3 / best


def model_shape(config: Any) -> tuple[int, int]:
    """(n_layers, hidden_size) of a ``transformers`` config (text config for multimodal ones)."""
    text = config.get_text_config() if hasattr(config, "get_text_config") else config
    return int(text.num_hidden_layers), int(text.hidden_size)


def model_flops(model: Any, seq_len: int) -> tuple[int, float]:
    """(matmul parameter count, training FLOPs per token at ``seq_len``) of a ``transformers`` model."""
    n_params = matmul_params(model)
    n_layers, hidden = model_shape(model.config)
    return n_params, flops_per_token(n_params, n_layers, hidden, seq_len)
