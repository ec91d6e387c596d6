"""Node-local cache and staged uploads against a real S3 API (moto on 127.0.0.1)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from songsage.storage import exists, read_json, write_json
from songsage.storage.sync import local_copy, node_cache_root, staged_dir, tree_bytes


@pytest.fixture
def node_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "node-cache"
    monkeypatch.setenv("SONGSAGE_NODE_CACHE", str(root))
    return root


def test_staged_dir_uploads_to_s3_and_local_copy_fetches_once(s3_dir: str, s3_server, node_cache: Path):
    dest = f"{s3_dir}/model"
    with staged_dir(dest) as local:
        assert Path(local).is_relative_to(node_cache)
        Path(local, "config.json").write_text('{"a": 1}')
        Path(local, "sub").mkdir()
        Path(local, "sub", "w.bin").write_bytes(b"\0" * 1000)
    assert not list((node_cache / "scratch").iterdir()), "the staging dir is removed after the upload"
    assert s3_server.keys(dest) == [
        f"tests/{Path(s3_dir).name}/model/config.json",
        f"tests/{Path(s3_dir).name}/model/sub/w.bin",
    ]
    assert tree_bytes(dest) == 1008

    first = local_copy(dest)
    assert Path(first).is_relative_to(node_cache) and Path(first).name == "model"
    assert Path(first, "sub", "w.bin").read_bytes() == b"\0" * 1000
    mtime = os.stat(Path(first, "config.json")).st_mtime_ns
    assert local_copy(dest) == first, "the same version is fetched once per node"
    assert os.stat(Path(first, "config.json")).st_mtime_ns == mtime

    write_json({"a": 2, "longer": True}, f"{dest}/config.json")
    second = local_copy(dest)
    assert second != first, "a rewritten artifact gets a new cache entry"
    assert read_json(str(Path(second, "config.json")))["a"] == 2


def test_staged_dir_failure_uploads_nothing(s3_dir: str, node_cache: Path):
    dest = f"{s3_dir}/broken"
    with pytest.raises(RuntimeError), staged_dir(dest) as local:
        Path(local, "partial.bin").write_bytes(b"x")
        raise RuntimeError("save failed")
    assert not exists(f"{dest}/partial.bin")


def test_local_paths_pass_through(tmp_path: Path, node_cache: Path):
    with staged_dir(str(tmp_path / "out")) as local:
        assert local == str(tmp_path / "out")
        Path(local, "f.txt").write_text("x")
    assert local_copy(str(tmp_path / "out")) == str(tmp_path / "out")
    assert not node_cache.exists() or not any(node_cache.rglob("*.txt"))


def test_missing_and_empty_sources_are_clear_errors(s3_dir: str, node_cache: Path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        local_copy(f"{s3_dir}/nothing-here")
    assert tree_bytes(f"{s3_dir}/nothing-here") == 0
    assert node_cache_root() == node_cache


def test_text_cache_entries_local_and_s3(s3_dir: str, s3_server, tmp_path: Path):
    from songsage.storage import read_text, read_text_if_exists, write_text_atomic

    for base in (str(tmp_path / "cache"), f"{s3_dir}/cache"):
        entry = f"{base}/ab/abc.json"
        assert read_text_if_exists(entry) is None
        write_text_atomic('{"text": "ü"}', entry)
        assert read_text_if_exists(entry) == read_text(entry) == '{"text": "ü"}'
    assert os.listdir(tmp_path / "cache" / "ab") == ["abc.json"]  # no temporary file left behind
    assert s3_server.keys(s3_dir) == [f"tests/{Path(s3_dir).name}/cache/ab/abc.json"]


def test_local_copy_of_a_flat_directory(s3_dir: str, node_cache: Path):
    # No subdirectory: the copy's own directory must still be created.
    write_json({"a": 1}, f"{s3_dir}/flat/meta.json")
    copy = local_copy(f"{s3_dir}/flat")
    assert sorted(os.listdir(copy)) == ["meta.json"] and read_json(f"{copy}/meta.json") == {"a": 1}
