"""Curation reading: JSONL files as physical lines."""

import gzip

from songsage.data import io


def test_iter_lines_numbers_physical_lines_and_skips_blanks(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.jsonl").write_bytes(b'{"k": 1}\n\n{"k": 2}\r\n')
    (tmp_path / "a" / "y.jsonl.gz").write_bytes(gzip.compress(b'{"k": 3}\n'))
    tree = tmp_path
    rows = list(io.iter_lines(str(tree / "a")))
    assert [(r["line"], r["raw"]) for r in rows] == [(1, b'{"k": 1}'), (3, b'{"k": 2}'), (1, b'{"k": 3}')]
