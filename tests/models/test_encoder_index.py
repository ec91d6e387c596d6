"""Encoder (offline e5) and faiss flat index round trip."""

from __future__ import annotations

import numpy as np

from songsage.config.eval import EncoderConfig
from songsage.models.encoder import load_encoder
from songsage.models.index import FlatIndex


def test_e5_offline_encodes_normalised_and_retrieves():
    enc = load_encoder(EncoderConfig())
    passages = ["a playlist of heartbreak ballads", "夏祭りの歌", "古风 诗经 国风"]
    p = enc.encode(passages, role="passage")
    q = enc.encode(["songs for a summer festival in Japan"], role="query")
    assert p.dtype == np.float32 and p.shape == (3, enc.dim)
    np.testing.assert_allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-5)
    index = FlatIndex(enc.dim)
    index.add(p, ids=["en", "ja", "zh"])
    assert index.search_ids(q, 1) == [["ja"]]


def test_flat_index_exact_topk_save_load(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((50, 8)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    q = x[:5] + 0.01
    index = FlatIndex(8)
    index.add(x, ids=[f"id{i}" for i in range(50)])
    index.metadata = {"encoder": "test"}
    scores, rows = index.search(q, 3)
    expect = np.argsort(-(q @ x.T), axis=1)[:, :3]
    np.testing.assert_array_equal(rows, expect)
    loaded = FlatIndex.load(index.save(tmp_path / "idx"))
    assert loaded.metadata == {"encoder": "test"} and len(loaded) == 50
    assert loaded.search_ids(q, 1) == [[f"id{i}"] for i in range(5)]
