"""Directories between run storage (a local path or a URI) and the node-local cache.

Libraries that only read local directories (transformers, PEFT, vLLM, faiss) get them through here, on the
node that uses them:

- :func:`node_cache_root` -> the node-local cache root: ``$SONGSAGE_NODE_CACHE``, else
  ``~/.cache/songsage/node-cache`` (the launcher and Ray session ship the variable to every worker).
- :func:`local_copy` -> a local directory holding the files of ``path``: ``path`` itself when it is local;
  for a URI a copy under ``<root>/artifacts/<key>``, where ``key`` hashes the URI and its listing (relative
  path, size and modification time of every file), so each node fetches each version once and a rewritten
  artifact is fetched again.
- :func:`staged_dir` -> a context manager yielding a local directory to write into; on a clean exit its
  files are uploaded to ``dest`` when ``dest`` is a URI (a local ``dest`` is written in place).
- :func:`upload_dir`, :func:`tree_bytes`, :func:`make_dirs`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pyarrow.fs as pafs

from songsage.config.paths import is_uri
from songsage.storage.files import filesystem

NODE_CACHE_ENV = "SONGSAGE_NODE_CACHE"


def node_cache_root() -> Path:
    """The node-local cache root (created): ``$SONGSAGE_NODE_CACHE`` or ``~/.cache/songsage/node-cache``."""
    root = Path(os.environ.get(NODE_CACHE_ENV) or Path.home() / ".cache" / "songsage" / "node-cache")
    root.mkdir(parents=True, exist_ok=True)
    return root


def scratch_dir(prefix: str) -> str:
    """A fresh local scratch directory under the node cache (callers remove it)."""
    scratch = node_cache_root() / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    return tempfile.mkdtemp(prefix=prefix, dir=scratch)


def _listing(path: str) -> list[tuple[str, int, int]]:
    """(relative path, bytes, mtime ns) of every file under ``path``; raises FileNotFoundError when absent."""
    fs, inner = filesystem(path)
    inner = inner.rstrip("/")
    info = fs.get_file_info(inner)
    if info.type == pafs.FileType.NotFound:
        raise FileNotFoundError(f"{path!r} does not exist")
    if info.type == pafs.FileType.File:
        return [("", int(info.size or 0), int(info.mtime_ns or 0))]
    files = fs.get_file_info(pafs.FileSelector(inner, recursive=True))
    out = [
        (f.path[len(inner) + 1 :], int(f.size or 0), int(f.mtime_ns or 0))
        for f in files
        if f.type == pafs.FileType.File
    ]
    if not out:
        raise FileNotFoundError(f"{path!r} is an empty directory")
    return sorted(out)


def cache_key(path: str, listing: list[tuple[str, int, int]] | None = None) -> str:
    """Hex key of ``path``'s current version: sha256 of the URI and its file listing (``listing``: one the
    caller already has, else listed here)."""
    h = hashlib.sha256(path.rstrip("/").encode())
    for rel, size, mtime in listing if listing is not None else _listing(path):
        h.update(f"\0{rel}\0{size}\0{mtime}".encode())
    return h.hexdigest()[:32]


def local_copy(path: str) -> str:
    """A local directory (or file) with the contents of ``path``: itself when local, else the node cache's copy.

    Concurrent callers on one node (several Train workers) download into private temporary directories and
    the first complete one is renamed into place; the others are discarded."""
    if not is_uri(path):
        return path
    listing = _listing(path)
    target = node_cache_root() / "artifacts" / cache_key(path, listing)
    name = Path(path.rstrip("/")).name
    final = target / name
    if final.exists():
        return str(final)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.{uuid.uuid4().hex}"
    try:
        tmp.mkdir()
        if listing[0][0] == "":  # a single file
            src_fs, inner = filesystem(path)
            pafs.copy_files(
                inner,
                str(tmp / name),
                source_filesystem=src_fs,
                destination_filesystem=pafs.LocalFileSystem(),
            )
        else:
            # pyarrow copies files in parallel and does not create the destination's directories first
            for rel in sorted({str(Path(name, r).parent) for r, _, _ in listing}):
                (tmp / rel).mkdir(parents=True, exist_ok=True)
            pafs.copy_files(path, str(tmp / name))
        try:
            os.rename(tmp, target)
        except OSError:
            if not final.exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return str(final)


def upload_dir(local: str, dest: str) -> None:
    """Copy the files under the local directory ``local`` to ``dest`` (a URI or a local path)."""
    if not is_uri(dest):
        if Path(local).resolve() != Path(dest).resolve():
            shutil.copytree(local, dest, dirs_exist_ok=True)
        return
    pafs.copy_files(local, dest)


@contextlib.contextmanager
def staged_dir(dest: str) -> Iterator[str]:
    """Yield a local directory for writing ``dest``: ``dest`` itself when local, else a scratch directory in
    the node cache that is uploaded to ``dest`` on a clean exit and removed either way."""
    if not is_uri(dest):
        Path(dest).mkdir(parents=True, exist_ok=True)
        yield dest
        return
    local = scratch_dir("upload-")
    try:
        yield local
        upload_dir(local, dest)
    finally:
        shutil.rmtree(local, ignore_errors=True)


def tree_bytes(path: str) -> int:
    """Total bytes of the files under ``path`` (local or URI); 0 when it does not exist."""
    try:
        return sum(size for _, size, _ in _listing(path))
    except FileNotFoundError:
        return 0


def make_dirs(path: str) -> None:
    """Create the directory ``path`` (local or URI; object stores need none, this is then a no-op)."""
    fs, inner = filesystem(path)
    fs.create_dir(inner, recursive=True)
