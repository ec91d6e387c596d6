"""Files on local paths and URIs (``s3://``, ``gs://``, ``file://`` ...) through pyarrow filesystems.

- :func:`filesystem` maps a path or URI to (pyarrow filesystem, path inside it).
- :func:`list_files` expands a path, directory or glob into sorted file paths/URIs.
- :func:`write_parquet_file` / :func:`file_digest` / :func:`fingerprint` write and fingerprint
  deterministic files; :func:`write_text` / :func:`write_json` / :func:`read_text` / :func:`read_json` /
  :func:`exists` / :func:`remove_tree`.
- :func:`read_text_if_exists` / :func:`write_text_atomic`: one-file-per-key caches (a missing entry is None;
  a written entry is never seen half-written).
"""

from __future__ import annotations

import fnmatch
import hashlib
import io
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from songsage.config.paths import is_uri

GLOB_CHARS = set("*?[")


def filesystem(path: str) -> tuple[pafs.FileSystem, str]:
    """(pyarrow filesystem, path inside it) for a local path or URI."""
    if is_uri(path):
        return pafs.FileSystem.from_uri(path)
    return pafs.LocalFileSystem(), path


def _join_uri(template: str, inner: str) -> str:
    if is_uri(template):
        scheme = template.split("://", 1)[0]
        return f"{scheme}://{inner}"
    return inner


def list_files(path: str, suffixes: tuple[str, ...] = (".jsonl", ".json", ".jsonl.gz")) -> list[str]:
    """Expand a file, a directory (files ending in ``suffixes``) or a glob to sorted paths/URIs."""
    fs, inner = filesystem(path)
    if any(c in inner for c in GLOB_CHARS):
        base = inner
        while any(c in base for c in GLOB_CHARS):
            base = base.rsplit("/", 1)[0]
        infos = fs.get_file_info(pafs.FileSelector(base or "/", recursive=True))
        found = [i.path for i in infos if i.type == pafs.FileType.File and fnmatch.fnmatch(i.path, inner)]
    else:
        info = fs.get_file_info(inner)
        if info.type == pafs.FileType.NotFound:
            raise FileNotFoundError(f"input {path!r} does not exist")
        if info.type == pafs.FileType.Directory:
            infos = fs.get_file_info(pafs.FileSelector(inner, recursive=True))
            found = [i.path for i in infos if i.type == pafs.FileType.File and i.path.endswith(suffixes)]
        else:
            found = [inner]
    if not found:
        raise FileNotFoundError(f"input {path!r} matched no files")
    return [_join_uri(path, f) for f in sorted(found)]


def file_digest(path: str) -> str:
    """sha256 of a file's bytes."""
    fs, inner = filesystem(path)
    h = hashlib.sha256()
    with fs.open_input_stream(inner) as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def fingerprint(path: str) -> dict[str, Any]:
    """Input fingerprint: each file's size and sha256."""
    out = {}
    for f in list_files(path):
        fs, inner = filesystem(f)
        out[f] = {"bytes": fs.get_file_info(inner).size, "sha256": file_digest(f)}
    return out


def write_parquet_file(table: pa.Table, path: str) -> dict[str, Any]:
    """Write ``table`` to ``path`` deterministically (no timestamps); return rows, bytes, sha256."""
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd", write_statistics=True)
    data = buf.getvalue()
    fs, inner = filesystem(path)
    fs.create_dir(inner.rsplit("/", 1)[0], recursive=True)
    with fs.open_output_stream(inner) as fh:
        fh.write(data)
    return {
        "path": path,
        "rows": table.num_rows,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def write_bytes(data: bytes, path: str) -> None:
    """Write ``data`` to a local path or URI, creating its directory."""
    fs, inner = filesystem(path)
    fs.create_dir(inner.rsplit("/", 1)[0], recursive=True)
    with fs.open_output_stream(inner) as fh:
        fh.write(data)


def write_text(text: str, path: str) -> None:
    """Write ``text`` (UTF-8) to a local path or URI, creating its directory."""
    write_bytes(text.encode("utf-8"), path)


def write_json(data: Any, path: str, default: Callable[[Any], Any] | None = None) -> None:
    """Write JSON (UTF-8, indented, sorted keys) to a local path or URI; ``default`` as in ``json.dumps``."""
    write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=default), path)


def read_text(path: str) -> str:
    """Read a UTF-8 text file from a local path or URI."""
    fs, inner = filesystem(path)
    with fs.open_input_stream(inner) as fh:
        return fh.read().decode("utf-8")


def read_text_if_exists(path: str) -> str | None:
    """The UTF-8 text at ``path``, or None when there is no file (one request on an object store)."""
    if not is_uri(path):
        local = Path(path)
        return local.read_text(encoding="utf-8") if local.exists() else None
    try:
        return read_text(path)
    except FileNotFoundError:
        return None


def write_text_atomic(text: str, path: str) -> None:
    """Write ``text`` (UTF-8) so readers see the old file or the whole new one, never a part.

    Local: a temporary sibling renamed into place (directories created). Object stores: one PUT, which is
    atomic already."""
    if is_uri(path):
        write_text(text, path)
        return
    local = Path(path)
    local.parent.mkdir(parents=True, exist_ok=True)
    tmp = local.with_name(f"{local.name}.tmp{os.getpid()}.{time.monotonic_ns()}")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(local)


def read_json(path: str) -> Any:
    """Read a JSON file from a local path or URI."""
    fs, inner = filesystem(path)
    with fs.open_input_stream(inner) as fh:
        return json.loads(fh.read().decode("utf-8"))


def exists(path: str) -> bool:
    """True if a file or directory exists at ``path``."""
    fs, inner = filesystem(path)
    return fs.get_file_info(inner).type != pafs.FileType.NotFound


def remove_tree(path: str) -> None:
    """Delete a file or directory tree if present."""
    fs, inner = filesystem(path)
    info = fs.get_file_info(inner)
    if info.type == pafs.FileType.Directory:
        fs.delete_dir(inner)
    elif info.type == pafs.FileType.File:
        fs.delete_file(inner)
