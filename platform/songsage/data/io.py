"""Curation input reading: JSONL files as physical lines, so invalid UTF-8 and broken JSON reach validation.

- :func:`read_lines` turns JSONL files into a Ray Dataset of physical lines (source, line, raw bytes).
- :func:`iter_lines` is its single-process twin.
File listing and filesystems are :mod:`songsage.storage`'s.
"""

from __future__ import annotations

import gzip
from typing import Any

from songsage.storage import filesystem, list_files

GZIP_MAGIC = b"\x1f\x8b"


def split_lines(row: dict[str, Any]) -> list[dict[str, Any]]:
    """One file row (``path``, ``bytes``) -> one row per non-blank physical line (1-based numbers)."""
    data = row["bytes"]
    if data[:2] == GZIP_MAGIC:  # readers may or may not have decompressed already
        data = gzip.decompress(data)
    out = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if raw.strip():
            out.append({"source": row["path"], "line": number, "raw": raw.rstrip(b"\r")})
    return out


def read_lines(path: str, target_blocks: int):
    """Ray Dataset of the non-blank lines of every JSONL file under ``path`` (gzip handled)."""
    import ray.data

    files = list_files(path)
    fs, _ = filesystem(files[0])
    inner = [filesystem(f)[1] for f in files]
    ds = ray.data.read_binary_files(inner, filesystem=fs, include_paths=True, override_num_blocks=len(inner))
    return ds.flat_map(split_lines).repartition(target_blocks)


def iter_lines(path: str):
    """Single-process twin of :func:`read_lines` (benchmark baseline and small inputs)."""
    for f in list_files(path):
        fs, inner = filesystem(f)
        with fs.open_input_stream(inner) as fh:
            data = fh.read()
        yield from split_lines({"path": inner, "bytes": data})
