"""Playlist index built into an ``s3://`` run dir and found there by the recommender (moto S3 on 127.0.0.1)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from songsage import storage
from songsage.config import Config, load_config, to_dict

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "sample" / "playlists.jsonl"


class HashEncoder:
    """Deterministic 8-dim unit vectors from each text's sha256 (stands in for e5; no model files)."""

    dim = 8

    def encode(self, texts: Sequence[str], role: str = "passage") -> np.ndarray:
        rows = [np.frombuffer(hashlib.sha256(t.encode()).digest()[:8], np.uint8) for t in texts]
        x = np.asarray(rows, np.float32) + 1.0
        return x / np.linalg.norm(x, axis=1, keepdims=True)


def _cfg(run_dir: str) -> Config:
    return load_config(str(REPO / "configs" / "local.yaml"), [f"run.dir={run_dir}", "tracking.enabled=false"])


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # a stray local "s3:" folder would land here
    monkeypatch.setenv("SONGSAGE_NODE_CACHE", str(tmp_path / "node-cache"))
    return tmp_path


def test_build_index_reads_curated_playlists_and_writes_to_s3(
    in_tmp: Path, s3_server: Any, s3_dir: str
) -> None:
    from songsage.serve.index_build import build_index, index_dir

    storage.write_text(SAMPLE.read_text(encoding="utf-8"), f"{s3_dir}/curate/playlists/part-00000.jsonl")
    cfg = _cfg(s3_dir)
    manifest = build_index(cfg, index_dir(cfg), encoder=HashEncoder())
    prefix = s3_dir.removeprefix(f"s3://{s3_server.bucket}/")
    assert {
        f"{prefix}/build_index/{f}" for f in ("manifest.json", "index/index.faiss", "index/meta.json")
    } <= set(s3_server.keys(s3_dir))
    assert manifest["source"] == f"{s3_dir}/curate/playlists"
    assert manifest["source_sha256"] == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    assert storage.read_json(f"{s3_dir}/build_index/manifest.json") == manifest
    assert not Path("s3:").exists()


def test_recommender_loads_the_index_from_s3(in_tmp: Path, s3_dir: str) -> None:
    from songsage.models.index import FlatIndex
    from songsage.serve.app import RecommenderServer
    from songsage.serve.index_build import index_dir

    cfg = _cfg(s3_dir)
    index = FlatIndex(HashEncoder.dim)
    index.add(HashEncoder().encode(["a", "b", "c"]), ids=["p1", "p2", "p3"])
    index.save(index_dir(cfg))
    server = RecommenderServer.func_or_class(to_dict(cfg), None, None)  # the replica's class, without Serve
    assert server.info() == {"index_dir": index_dir(cfg), "loaded": True, "rows": 3}
    assert not Path("s3:").exists()
