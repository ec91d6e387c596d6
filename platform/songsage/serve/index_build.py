"""Playlist index for the recommender: embed ``title + tags + description`` and write a faiss index.

Input: a playlist table (curated parquet dir ``<run.dir>/curate/playlists`` or a raw jsonl/parquet
file) with ``playlist_id``, ``title``, ``tags``, ``description``. Output: ``<out>/index/`` holding the
shared :class:`~songsage.models.index.FlatIndex` (``index.faiss`` + ``meta.json``; ids = playlist ids,
metadata = encoder name, source and per-playlist title/tags/description) and ``<out>/manifest.json``.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.fs as pafs

from songsage import storage
from songsage.config import Config
from songsage.config.paths import is_uri, join, resolve_path, run_dir
from songsage.models.encoder import Encoder, load_encoder
from songsage.models.index import FlatIndex
from songsage.storage import as_list, read_table

INDEX_SUBDIR = "index"
MANIFEST = "manifest.json"
BUILD_INDEX_JOB = "build_index"


def playlist_text(title: str, tags: list[str], description: str) -> str:
    """The indexed passage of one playlist: title, tags and description on separate lines."""
    return "\n".join(p for p in (title, ", ".join(tags), description) if p)


def read_playlists(path: str) -> pd.DataFrame:
    """Playlist rows from a parquet/jsonl file or a directory of them; malformed jsonl lines skipped.

    Output columns: playlist_id, title, tags (list[str]), description (str); rows without an id dropped,
    duplicate ids keep the first row.
    """
    df = read_table(path)
    if "playlist_id" not in df.columns:
        raise ValueError(f"{path}: no playlist_id column")
    rows = []
    for r in df.to_dict("records"):
        pid = r.get("playlist_id")
        if not isinstance(pid, str) or not pid:
            continue
        desc = r.get("description")
        title = r.get("title")
        rows.append(
            {
                "playlist_id": pid,
                "title": title if isinstance(title, str) else "",
                "tags": as_list(r.get("tags")),
                "description": desc if isinstance(desc, str) else "",
            }
        )
    return pd.DataFrame(rows).drop_duplicates("playlist_id").reset_index(drop=True)


def playlists_source(cfg: Config) -> str:
    """``serve.playlists``, else the curated ``<run.dir>/curate/playlists`` if present, else ``data.playlists``."""
    if cfg.serve.playlists:
        return resolve_path(cfg.serve.playlists)
    curated = join(run_dir(cfg), "curate", "playlists")
    return curated if storage.exists(curated) else resolve_path(cfg.data.playlists)


def index_dir(cfg: Config) -> str:
    """``serve.index_dir``, else ``<run.dir>/build_index/index``."""
    return (
        resolve_path(cfg.serve.index_dir)
        if cfg.serve.index_dir
        else join(run_dir(cfg), BUILD_INDEX_JOB, INDEX_SUBDIR)
    )


def build_playlist_index(
    playlists: pd.DataFrame, encoder: Encoder, encoder_name: str, source: str
) -> FlatIndex:
    """Embed each playlist's :func:`playlist_text` as a passage and return the filled index."""
    texts = [
        playlist_text(t, g, d)
        for t, g, d in zip(playlists["title"], playlists["tags"], playlists["description"], strict=True)
    ]
    vectors = encoder.encode(texts, role="passage") if texts else np.zeros((0, encoder.dim), np.float32)
    index = FlatIndex(int(vectors.shape[1]) if len(texts) else encoder.dim)
    index.add(vectors, ids=list(playlists["playlist_id"]))
    index.metadata = {
        "encoder": encoder_name,
        "source": source,
        "text": "title\\ntags\\ndescription",
        "playlists": {
            pid: {"title": t, "tags": list(g), "description": d}
            for pid, t, g, d in zip(
                playlists["playlist_id"],
                playlists["title"],
                playlists["tags"],
                playlists["description"],
                strict=True,
            )
        },
    }
    return index


def _sha256(path: str) -> str:
    """sha256 over the bytes of every file under ``path`` (local or URI), in sorted path order."""
    fs, inner = storage.filesystem(path)
    info = fs.get_file_info(inner)
    if info.type == pafs.FileType.Directory:
        listed = fs.get_file_info(pafs.FileSelector(inner, recursive=True))
        files = sorted((f.path for f in listed if f.is_file), key=lambda p: p.split("/"))  # Path order
    else:
        files = [inner]
    h = hashlib.sha256()
    for f in files:
        with fs.open_input_stream(f) as fh:
            h.update(fh.read())
    return h.hexdigest()


def build_index(cfg: Config, out_index_dir: str, encoder: Encoder | None = None) -> dict[str, Any]:
    """Read the playlists, embed, save the index to ``out_index_dir``; write a manifest beside it.

    Returns the manifest: source, its sha256, rows, dim, encoder, seconds.
    """
    start = time.perf_counter()
    source = playlists_source(cfg)
    playlists = read_playlists(source)
    encoder = encoder or load_encoder(cfg.encoder)
    index = build_playlist_index(playlists, encoder, cfg.encoder.name_or_path, source)
    index.save(out_index_dir)
    manifest = {
        "job": BUILD_INDEX_JOB,
        "source": source,
        "source_sha256": _sha256(source),
        "rows": len(index),
        "dim": index.dim,
        "encoder": cfg.encoder.name_or_path,
        "index_dir": out_index_dir,
        "with_description": int((playlists["description"] != "").sum()),
        "seconds": round(time.perf_counter() - start, 3),
    }
    parent = (
        out_index_dir.rstrip("/").rsplit("/", 1)[0]
        if is_uri(out_index_dir)
        else str(Path(out_index_dir).parent)
    )
    storage.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), join(parent, MANIFEST))
    return manifest


def build_index_stage(cfg: Config, out_dir: str, tracker: Any) -> list[tuple[str, str]]:
    """Job body of ``jobs/build_index.py``: index under ``serve.index_dir`` or ``<out_dir>/index``."""
    target = resolve_path(cfg.serve.index_dir) if cfg.serve.index_dir else join(out_dir, INDEX_SUBDIR)
    manifest = build_index(cfg, target)
    tracker.log_metrics({"index_rows": float(manifest["rows"]), "index_seconds": float(manifest["seconds"])})
    tracker.log_dict(manifest, "build_index_manifest.json")
    return [
        ("playlists", f"{manifest['rows']} ({manifest['with_description']} with a description)"),
        ("source", manifest["source"]),
        ("encoder", f"{manifest['encoder']} (dim {manifest['dim']})"),
        ("index", target),
        ("seconds", str(manifest["seconds"])),
    ]
