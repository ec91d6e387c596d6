"""FlatIndex saved to and loaded from an ``s3://`` directory (moto S3 on 127.0.0.1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from songsage.models.index import INDEX_FILE, META_FILE, FlatIndex


def test_flat_index_save_to_s3_and_load_back(
    s3_server: Any, s3_dir: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a stray local "s3:" folder would land here
    monkeypatch.setenv("SONGSAGE_NODE_CACHE", str(tmp_path / "node-cache"))
    x = np.eye(4, dtype=np.float32)
    index = FlatIndex(4)
    index.add(x, ids=["a", "b", "c", "d"])
    index.metadata = {"encoder": "test"}
    dest = f"{s3_dir}/build_index/index"
    assert index.save(dest) == dest
    prefix = dest.removeprefix(f"s3://{s3_server.bucket}/")
    assert s3_server.keys(dest) == [f"{prefix}/{INDEX_FILE}", f"{prefix}/{META_FILE}"]
    loaded = FlatIndex.load(dest)
    assert loaded.metadata == {"encoder": "test"} and loaded.search_ids(x[2:3], 1) == [["c"]]
    assert not Path("s3:").exists()
