"""Tables and records from local paths or URIs: jsonl/json/csv/parquet files, or a directory of them.

- :func:`read_table` -> one DataFrame (a directory: its parquet files, else jsonl, else csv, sorted).
- :func:`read_jsonl_records` -> the JSON-object lines of one jsonl file (malformed lines skipped, counted).
- :func:`as_list` -> a list-like cell (parquet list, numpy array, JSON list, scalar) as ``list[str]``.
"""

from __future__ import annotations

import gzip
import io
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.fs as pafs

from songsage.storage.files import filesystem

# Directory members read by :func:`read_table`, in order of preference (only the first kind present).
TABLE_SUFFIXES = (".parquet", ".jsonl", ".csv")


def _read_bytes(path: str) -> bytes:
    fs, inner = filesystem(path)
    with fs.open_input_stream(inner) as fh:
        data = fh.read()
    return gzip.decompress(data) if path.endswith(".gz") and data[:2] == b"\x1f\x8b" else data


def read_jsonl_records(path: str | Path) -> list[dict[str, Any]]:
    """JSON-object lines of a jsonl file (``.jsonl.gz`` too); blank lines ignored, malformed or non-object
    lines skipped and counted on stdout (raw data has some)."""
    records, bad = [], 0
    for line in _read_bytes(str(path)).split(b"\n"):
        if not line.strip():
            continue
        try:
            obj = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            bad += 1
            continue
        if isinstance(obj, dict):
            records.append(obj)
        else:
            bad += 1
    if bad:
        print(f"{path}: skipped {bad} malformed lines")
    return records


def _dir_members(path: str, fs: pafs.FileSystem, inner: str) -> list[str]:
    infos = fs.get_file_info(pafs.FileSelector(inner, recursive=False))
    names = sorted(i.path for i in infos if i.type == pafs.FileType.File)
    for suffix in TABLE_SUFFIXES:
        found = [n for n in names if n.endswith(suffix)]
        if found:
            base = path.rstrip("/")
            return [f"{base}/{n.rsplit('/', 1)[-1]}" for n in found]
    raise FileNotFoundError(f"no parquet/jsonl/csv files in {path}")


def read_table(path: str | Path) -> pd.DataFrame:
    """A jsonl/json/csv/parquet file, or a directory of parquet (else jsonl, else csv) files, as one DataFrame.

    Raises FileNotFoundError naming ``path`` when it does not exist or a directory holds no table file.
    """
    path = str(path)
    fs, inner = filesystem(path)
    info = fs.get_file_info(inner)
    if info.type == pafs.FileType.NotFound:
        raise FileNotFoundError(f"table {path} does not exist")
    if info.type == pafs.FileType.Directory:
        return pd.concat([read_table(f) for f in _dir_members(path, fs, inner)], ignore_index=True)
    if path.endswith((".jsonl", ".jsonl.gz")):
        return pd.DataFrame(read_jsonl_records(path))
    if path.endswith(".json"):
        return pd.read_json(io.BytesIO(_read_bytes(path)), dtype=False)
    if path.endswith(".csv"):
        return pd.read_csv(io.BytesIO(_read_bytes(path)))
    return pd.read_parquet(inner, filesystem=fs)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def as_list(value: Any) -> list[str]:
    """A list-like table cell as strings: None/NaN -> [], a string -> [it] ('' -> []), a scalar -> [str],
    an iterable (list, tuple, numpy array) -> its non-missing, non-empty elements as strings."""
    if _missing(value):
        return []
    if isinstance(value, str):
        return [value] if value else []
    if not hasattr(value, "__iter__"):
        return [str(value)]
    return [str(v) for v in value if not _missing(v) and str(v)]
