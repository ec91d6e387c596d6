"""Exact inner-product top-k over L2-normalised vectors (= cosine), with save/load and metadata.

``FlatIndex`` wraps ``faiss.IndexFlatIP`` (moved to a GPU when faiss has GPUs and ``use_gpu``).
Saved as ``<dir>/index.faiss`` + ``<dir>/meta.json`` (``{"dim", "count", "ids", "metadata"}``):
``ids[i]`` names row ``i`` (e.g. a playlist id) and ``metadata`` is any JSON-able dict.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from songsage.models.blas import select_openblas_coretype
from songsage.storage import local_copy, staged_dir

# Before any ``import faiss``: its bundled OpenBLAS misdetects recent CPUs (see songsage.models.blas).
select_openblas_coretype()

INDEX_FILE = "index.faiss"
META_FILE = "meta.json"


class FlatIndex:
    """Exact inner-product search. Input vectors: float32 (n, dim); search returns (scores, rows)."""

    def __init__(self, dim: int, use_gpu: bool = False) -> None:
        import faiss

        self.dim = dim
        self.ids: list[str] = []
        self.metadata: dict[str, Any] = {}
        self._cpu = faiss.IndexFlatIP(dim)
        self._index = self._cpu
        if use_gpu and hasattr(faiss, "get_num_gpus") and faiss.get_num_gpus() > 0:
            self._index = faiss.index_cpu_to_all_gpus(self._cpu)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, vectors: np.ndarray, ids: Sequence[str] | None = None) -> None:
        """Append rows; ``ids`` default to their row numbers as strings."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise ValueError(f"expected (n, {self.dim}) vectors, got {vectors.shape}")
        start = len(self)
        ids = [str(i) for i in range(start, start + len(vectors))] if ids is None else [str(i) for i in ids]
        if len(ids) != len(vectors):
            raise ValueError(f"{len(ids)} ids for {len(vectors)} vectors")
        self._index.add(vectors)
        self.ids.extend(ids)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` rows per query: (scores float32 (q, k), row indices int64 (q, k)), best first."""
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        k = min(k, len(self))
        if k == 0 or len(queries) == 0:
            return np.zeros((len(queries), k), np.float32), np.zeros((len(queries), k), np.int64)
        return self._index.search(queries, k)

    def search_ids(self, queries: np.ndarray, k: int) -> list[list[str]]:
        """Top-``k`` ids per query, best first."""
        _, rows = self.search(queries, k)
        return [[self.ids[r] for r in row if r >= 0] for row in rows]

    def save(self, out_dir: str | Path) -> str:
        """Write ``index.faiss`` + ``meta.json`` under ``out_dir`` (a local path or a URI, uploaded from a local
        scratch copy since faiss writes local files only); returns ``out_dir`` as a string."""
        import faiss

        cpu = faiss.index_gpu_to_cpu(self._index) if self._index is not self._cpu else self._cpu
        meta = {"dim": self.dim, "count": len(self), "ids": self.ids, "metadata": self.metadata}
        with staged_dir(str(out_dir)) as local:
            out = Path(local)
            faiss.write_index(cpu, str(out / INDEX_FILE))
            (out / META_FILE).write_text(json.dumps(meta, ensure_ascii=False))
        return str(out_dir)

    @classmethod
    def load(cls, in_dir: str | Path, use_gpu: bool = False) -> FlatIndex:
        """Read an index saved by :meth:`save` (a URI is read from this node's cached copy)."""
        import faiss

        src = Path(local_copy(str(in_dir)))
        meta = json.loads((src / META_FILE).read_text())
        obj = cls(int(meta["dim"]), use_gpu=False)
        obj._cpu = faiss.read_index(str(src / INDEX_FILE))
        obj._index = obj._cpu
        if use_gpu and hasattr(faiss, "get_num_gpus") and faiss.get_num_gpus() > 0:
            obj._index = faiss.index_cpu_to_all_gpus(obj._cpu)
        obj.ids = list(meta["ids"])
        obj.metadata = dict(meta.get("metadata", {}))
        if len(obj.ids) != len(obj):
            raise ValueError(f"{src}: meta has {len(obj.ids)} ids but the index has {len(obj)} rows")
        return obj
