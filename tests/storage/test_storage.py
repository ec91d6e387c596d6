"""Storage (ground floor): file listing, deterministic writes, table and record reading."""

import gzip

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from songsage import storage


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.jsonl").write_bytes(b'{"k": 1}\n\n{"k": 2}\r\n')
    (tmp_path / "a" / "y.jsonl.gz").write_bytes(gzip.compress(b'{"k": 3}\n'))
    (tmp_path / "a" / "notes.txt").write_text("ignored")
    return tmp_path


def test_list_files_file_dir_glob_and_uri(tree):
    d = tree / "a"
    assert storage.list_files(str(d / "x.jsonl")) == [str(d / "x.jsonl")]
    assert storage.list_files(str(d)) == [str(d / "x.jsonl"), str(d / "y.jsonl.gz")]
    assert storage.list_files(str(tree / "*" / "*.jsonl")) == [str(d / "x.jsonl")]
    assert storage.list_files(f"file://{d}") == [f"file://{d}/x.jsonl", f"file://{d}/y.jsonl.gz"]


def test_missing_inputs_are_clear_errors(tree):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        storage.list_files(str(tree / "nope.jsonl"))
    with pytest.raises(FileNotFoundError, match="matched no files"):
        storage.list_files(str(tree / "*.parquet"))


def test_parquet_write_is_deterministic(tmp_path):
    t = pa.table({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    m1 = storage.write_parquet_file(t, str(tmp_path / "one" / "f.parquet"))
    m2 = storage.write_parquet_file(t, f"file://{tmp_path}/two/f.parquet")
    assert m1["sha256"] == m2["sha256"] and m1["rows"] == 3
    assert storage.file_digest(str(tmp_path / "two" / "f.parquet")) == m1["sha256"]
    storage.write_json({"b": 1, "a": "é"}, str(tmp_path / "m.json"))
    assert storage.read_json(str(tmp_path / "m.json")) == {"a": "é", "b": 1}
    storage.remove_tree(str(tmp_path / "one"))
    assert not storage.exists(str(tmp_path / "one"))


def test_read_table_files_dirs_and_uris(tmp_path, capsys):
    d = tmp_path / "t"
    d.mkdir()
    pd.DataFrame({"id": ["a", "b"], "tags": [["x"], []]}).to_parquet(d / "part-0.parquet")
    pd.DataFrame({"id": ["c"], "tags": [["y", "z"]]}).to_parquet(d / "part-1.parquet")
    (d / "ignored.jsonl").write_text('{"id": "nope"}\n')
    assert storage.read_table(str(d))["id"].tolist() == ["a", "b", "c"]  # parquet wins over jsonl
    assert storage.read_table(f"file://{d}")["id"].tolist() == ["a", "b", "c"]
    j = tmp_path / "r.jsonl"
    j.write_bytes(b'{"id": "a"}\nnot json\n\n[1]\n\xff\n{"id": "b"}\n')
    assert storage.read_table(j)["id"].tolist() == ["a", "b"]
    assert "skipped 3 malformed lines" in capsys.readouterr().out
    gz = tmp_path / "r.jsonl.gz"
    gz.write_bytes(gzip.compress(b'{"id": "g"}\n'))
    assert storage.read_jsonl_records(gz) == [{"id": "g"}]
    (tmp_path / "c.csv").write_text("id,n\na,1\n")
    assert storage.read_table(str(tmp_path / "c.csv")).to_dict("records") == [{"id": "a", "n": 1}]
    (tmp_path / "o.json").write_text('[{"id": "007"}]')
    assert storage.read_table(str(tmp_path / "o.json"))["id"].tolist() == ["007"]  # no dtype guessing


def test_read_table_missing_and_empty_are_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.parquet does not exist"):
        storage.read_table(str(tmp_path / "nope.parquet"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="no parquet/jsonl/csv files in .*empty"):
        storage.read_table(str(tmp_path / "empty"))


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (None, []),
        (float("nan"), []),
        ("", []),
        ("rock", ["rock"]),  # a string is one value, not its characters
        (np.array(["a", "b"]), ["a", "b"]),
        (["a", None, "", 3], ["a", "3"]),
        (7, ["7"]),
    ],
)
def test_as_list_cells(cell, expected):
    assert storage.as_list(cell) == expected
