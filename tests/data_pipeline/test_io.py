import gzip

import pyarrow as pa
import pytest

from songsage.data import io


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.jsonl").write_bytes(b'{"k": 1}\n\n{"k": 2}\r\n')
    (tmp_path / "a" / "y.jsonl.gz").write_bytes(gzip.compress(b'{"k": 3}\n'))
    (tmp_path / "a" / "notes.txt").write_text("ignored")
    return tmp_path


def test_list_files_file_dir_glob_and_uri(tree):
    d = tree / "a"
    assert io.list_files(str(d / "x.jsonl")) == [str(d / "x.jsonl")]
    assert io.list_files(str(d)) == [str(d / "x.jsonl"), str(d / "y.jsonl.gz")]
    assert io.list_files(str(tree / "*" / "*.jsonl")) == [str(d / "x.jsonl")]
    assert io.list_files(f"file://{d}") == [f"file://{d}/x.jsonl", f"file://{d}/y.jsonl.gz"]


def test_missing_inputs_are_clear_errors(tree):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        io.list_files(str(tree / "nope.jsonl"))
    with pytest.raises(FileNotFoundError, match="matched no files"):
        io.list_files(str(tree / "*.parquet"))


def test_iter_lines_numbers_physical_lines_and_skips_blanks(tree):
    rows = list(io.iter_lines(str(tree / "a")))
    assert [(r["line"], r["raw"]) for r in rows] == [(1, b'{"k": 1}'), (3, b'{"k": 2}'), (1, b'{"k": 3}')]


def test_parquet_write_is_deterministic(tmp_path):
    t = pa.table({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    m1 = io.write_parquet_file(t, str(tmp_path / "one" / "f.parquet"))
    m2 = io.write_parquet_file(t, f"file://{tmp_path}/two/f.parquet")
    assert m1["sha256"] == m2["sha256"] and m1["rows"] == 3
    assert io.file_digest(str(tmp_path / "two" / "f.parquet")) == m1["sha256"]
    io.write_json({"b": 1, "a": "é"}, str(tmp_path / "m.json"))
    assert io.read_json(str(tmp_path / "m.json")) == {"a": "é", "b": 1}
    io.remove_tree(str(tmp_path / "one"))
    assert not io.exists(str(tmp_path / "one"))
