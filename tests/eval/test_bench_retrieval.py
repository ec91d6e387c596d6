"""bench/retrieval.py --small runs and the three methods agree."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "retrieval.py"


def test_retrieval_bench_small(capsys):
    spec = importlib.util.spec_from_file_location("bench_retrieval", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    res = mod.main(["--small", "--base", "5000", "--queries", "200"])
    assert [r["method"] for r in res["rows"]] == ["faiss", "numpy", "torch"]
    assert res["peak_gflops"] > 0
    for r in res["rows"]:
        assert r["top1_agrees_with_faiss"] > 0.99 and r["queries_per_s"] > 0 and r["peak_fraction"] > 0
    assert "fraction of peak" in capsys.readouterr().out
