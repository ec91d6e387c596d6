"""Training FLOPs and model-FLOPs utilization (MFU).

Per trained token a decoder-only transformer costs ``6 * N`` FLOPs for its parameter matmuls (forward
2N + backward 4N) plus an attention term ``12 * n_layers * hidden * seq_len`` (scores and weighted values,
forward and backward; PaLM appendix B; included here). N is the non-embedding parameter count: the input
embedding lookup is a gather, not a matmul, so its matrix is left out, except when it is tied to the LM head,
which multiplies (then the shared matrix counts once, as the head). Norm weights and biases are included
(PaLM's "non-embedding parameters"; well under 0.1% of N). MFU = achieved model FLOP/s / peak FLOP/s.

CPU peak: an fp32 matmul measured on one thread, times the intra-op threads each worker trains with, summed
over workers (the driver's own thread count says nothing about the workers': under ``ray job submit`` the
driver runs with one OpenMP thread).
"""

from __future__ import annotations

from typing import Any


def matmul_params(model: Any) -> int:
    """PaLM's N: unique parameters (shared tensors counted once) less the embedding lookup tables.

    Input: a ``torch.nn.Module`` (a ``transformers`` model; a meta-device one works). Weights of
    ``nn.Embedding`` modules are left out unless the same tensor is the output (LM head) matrix, i.e. tied
    embeddings count once as the head. Output: parameter count (int). Under ZeRO-3 the pre-partition count
    (``ds_numel``) is used when present.
    """
    import torch

    head = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
    head_id = id(head.weight) if head is not None else None
    lookups = {
        id(m.weight) for m in model.modules() if isinstance(m, torch.nn.Embedding) and id(m.weight) != head_id
    }
    seen: set[int] = set()
    total = 0
    for p in model.parameters():
        if id(p) in seen or id(p) in lookups:
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


def measure_matmul_peak_flops(n: int = 2048, reps: int = 5, threads: int = 0) -> float:
    """Best-of-``reps`` FLOP/s of an fp32 ``n x n @ n x n`` torch matmul on this host's CPU (``2 n^3`` FLOPs
    per matmul). ``threads``: intra-op threads for the measurement (0 = the process's current setting; the
    setting is restored afterwards). ``threads=1`` gives the per-thread peak of :func:`cpu_peak_flops`."""
    import time

    import torch

    before = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    try:
        a, b = torch.randn(n, n), torch.randn(n, n)
        torch.mm(a, b)  # warm-up
        best = float("inf")
        for _ in range(reps):
            t = time.perf_counter()
            torch.mm(a, b)
            best = min(best, time.perf_counter() - t)
    finally:
        torch.set_num_threads(before)
    return 2.0 * n**3 / best


def cpu_peak_flops(per_thread_flops: float, threads_per_worker: list[int]) -> float:
    """CPU peak FLOP/s of a run: the single-thread matmul peak times the intra-op threads of each worker,
    summed over workers (inputs: FLOP/s of one thread, ``torch.get_num_threads()`` of every worker)."""
    return per_thread_flops * float(sum(threads_per_worker))


def model_shape(config: Any) -> tuple[int, int]:
    """(n_layers, hidden_size) of a ``transformers`` config (text config for multimodal ones)."""
    text = config.get_text_config() if hasattr(config, "get_text_config") else config
    return int(text.num_hidden_layers), int(text.hidden_size)


def model_flops(model: Any, seq_len: int) -> tuple[int, float]:
    """(matmul parameter count, training FLOPs per token at ``seq_len``) of a ``transformers`` model."""
    n_params = matmul_params(model)
    n_layers, hidden = model_shape(model.config)
    return n_params, flops_per_token(n_params, n_layers, hidden, seq_len)
