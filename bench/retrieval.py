"""Exact top-k retrieval benchmark: faiss IndexFlatIP vs numpy vs torch on L2-normalised vectors.

    python bench/retrieval.py            # 300k x 512 base, 10k queries, top-5 (a few minutes on 2 cores)
    python bench/retrieval.py --small    # 20k x 512 base, 500 queries (seconds; used by the tests)

Prints one row per method: seconds, queries/s, achieved GFLOP/s (2 * queries * base * dim multiply-adds
per search) and the fraction of this machine's fp32 matrix-multiply peak, measured in the same run with a
torch ``n x n`` fp32 matmul. Every method's top-k ids are checked against faiss (ties aside).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "platform"))

from songsage.markdown import markdown_table  # noqa: E402

FULL = {"base": 300_000, "queries": 10_000, "dim": 512}
SMALL = {"base": 20_000, "queries": 500, "dim": 512}
PEAK_N = 4096  # matmul size for the peak measurement (SMALL uses 2048)
PEAK_REPS = 5
QUERY_CHUNK = 1024  # queries per numpy/torch score block (bounds the score matrix's memory)


def unit_vectors(n: int, dim: int, seed: int) -> np.ndarray:
    """``n`` random float32 vectors of unit L2 norm."""
    x = np.random.default_rng(seed).standard_normal((n, dim), dtype=np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


def matmul_peak_gflops(n: int, reps: int) -> float:
    """Best-of-``reps`` fp32 GFLOP/s of a torch ``n x n`` matmul (the platform's MFU peak measurement)."""
    from songsage.train.flops import measure_matmul_peak_flops

    return measure_matmul_peak_flops(n, reps) / 1e9


def search_faiss(base: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Top-k ids with the platform's FlatIndex (faiss IndexFlatIP)."""
    from songsage.models.index import FlatIndex

    index = FlatIndex(base.shape[1])
    index.add(base)
    return index.search(queries, k)[1]


def search_numpy(base: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Top-k ids with numpy: blocked matmul + argpartition + sort of the k candidates."""
    out = np.empty((len(queries), k), dtype=np.int64)
    for s in range(0, len(queries), QUERY_CHUNK):
        scores = queries[s : s + QUERY_CHUNK] @ base.T
        part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(scores, part, axis=1), axis=1)
        out[s : s + QUERY_CHUNK] = np.take_along_axis(part, order, axis=1)
    return out


def search_torch(base: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Top-k ids with torch: blocked matmul + topk."""
    import torch

    b = torch.from_numpy(base)
    out = []
    with torch.no_grad():
        for s in range(0, len(queries), QUERY_CHUNK):
            scores = torch.from_numpy(queries[s : s + QUERY_CHUNK]) @ b.T
            out.append(torch.topk(scores, k, dim=1).indices.numpy())
    return np.concatenate(out)


METHODS: dict[str, Callable[[np.ndarray, np.ndarray, int], np.ndarray]] = {
    "faiss": search_faiss,
    "numpy": search_numpy,
    "torch": search_torch,
}


def run(base_n: int, query_n: int, dim: int, k: int, peak_n: int, seed: int = 0) -> dict:
    """Benchmark every method; returns ``{"peak_gflops", "rows": [...], "shape": ...}``."""
    base = unit_vectors(base_n, dim, seed)
    queries = unit_vectors(query_n, dim, seed + 1)
    peak = matmul_peak_gflops(peak_n, PEAK_REPS)
    flops = 2.0 * query_n * base_n * dim
    from songsage.models.blas import select_openblas_coretype

    core = select_openblas_coretype()  # before faiss loads its bundled OpenBLAS
    import faiss  # noqa: F401  (import cost stays out of the timings)
    import torch  # noqa: F401

    rows, reference = [], None
    for name, fn in METHODS.items():
        t = time.perf_counter()
        ids = fn(base, queries, k)
        sec = time.perf_counter() - t
        if reference is None:
            reference = ids
        agree = float(np.mean(ids[:, 0] == reference[:, 0]))
        gflops = flops / sec / 1e9
        rows.append(
            {
                "method": name,
                "seconds": sec,
                "queries_per_s": query_n / sec,
                "gflops": gflops,
                "peak_fraction": gflops / peak,
                "top1_agrees_with_faiss": agree,
            }
        )
    return {
        "shape": {"base": base_n, "queries": query_n, "dim": dim, "k": k},
        "peak_gflops": peak,
        "rows": rows,
        "openblas_coretype": core or "detected",
    }


def markdown(res: dict) -> str:
    """The result as a Markdown table."""
    s = res["shape"]
    lines = [
        f"top-{s['k']} exact inner product, base {s['base']:,} x {s['dim']}, {s['queries']:,} queries; "
        f"measured fp32 matmul peak {res['peak_gflops']:.1f} GFLOP/s; faiss OpenBLAS core "
        f"{res.get('openblas_coretype', 'detected')}",
        "",
    ]
    header = ["method", "seconds", "queries/s", "GFLOP/s", "fraction of peak", "top-1 = faiss"]
    body = [
        [
            r["method"],
            f"{r['seconds']:.2f}",
            f"{r['queries_per_s']:,.0f}",
            f"{r['gflops']:.1f}",
            f"{r['peak_fraction']:.2f}",
            f"{r['top1_agrees_with_faiss']:.3f}",
        ]
        for r in res["rows"]
    ]
    return "\n".join([*lines, *markdown_table(header, body)])


def main(argv: list[str] | None = None) -> dict:
    """CLI entry: parse sizes, run, print the table (and write ``--json``)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--small", action="store_true", help="20k x 512 base, 500 queries")
    p.add_argument("--base", type=int)
    p.add_argument("--queries", type=int)
    p.add_argument("--dim", type=int)
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--json", help="also write the results here")
    a = p.parse_args(argv)
    sizes = dict(SMALL if a.small else FULL)
    for key in ("base", "queries", "dim"):
        if getattr(a, key):
            sizes[key] = getattr(a, key)
    res = run(sizes["base"], sizes["queries"], sizes["dim"], a.k, PEAK_N // 2 if a.small else PEAK_N)
    print(markdown(res))
    if a.json:
        Path(a.json).write_text(json.dumps(res, indent=2))
    return res


if __name__ == "__main__":
    main()
