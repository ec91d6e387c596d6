"""Packed shards for training: locate and check them, split a held-out set, stream them with Ray Data.

Input: the curation job's ``shards/`` (Parquet rows ``input_ids`` list<int32> of exactly ``seq_len``
ids, ``length`` = real tokens; positions >= length are padding) and its ``manifest.json`` one level up.
The eval split is a deterministic function of each row's tokens and the seed (a hash below
``eval_fraction``), so it is stable across runs, worker counts and file layouts.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from songsage.config.paths import is_uri, join, resolve_path, run_dir
from songsage.config.schema import Config

# Resolution of the eval-split hash (buckets in [0, HASH_BUCKETS)).
HASH_BUCKETS = 1_000_000
# splitmix64 finaliser constants (a well-mixed 64-bit hash of a row's polynomial fingerprint).
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


class ShardError(ValueError):
    """The packed shards are missing or disagree with the run config / model."""


@dataclass
class ShardInfo:
    """What the driver knows about the shards before training.

    ``path``: shards dir (absolute or URI); ``files``: Parquet files found; ``seq_len``: tokens per row;
    ``manifest``: curation manifest (empty when absent); ``tokenizer_vocab``: ids in the tokenizer that
    made the shards (0 when unknown); ``rows``: packed rows in all files (from Parquet footers).
    """

    path: str
    files: list[str]
    seq_len: int
    manifest: dict[str, Any]
    tokenizer_vocab: int
    rows: int


def shards_path(cfg: Config) -> str:
    """``data.shards`` or ``<run.dir>/curate/shards``."""
    return resolve_path(cfg.data.shards) if cfg.data.shards else join(run_dir(cfg), "curate", "shards")


def _filesystem(path: str) -> tuple[Any, str]:
    import pyarrow.fs as pafs

    if is_uri(path):
        return pafs.FileSystem.from_uri(path)
    return pafs.LocalFileSystem(), path


def list_parquet(path: str) -> list[str]:
    """Parquet files under ``path`` (sorted); [] when the directory is missing."""
    import pyarrow.fs as pafs

    fs, root = _filesystem(path)
    info = fs.get_file_info(root)
    if info.type == pafs.FileType.NotFound:
        return []
    if info.type == pafs.FileType.File:
        return [path]
    entries = fs.get_file_info(pafs.FileSelector(root, recursive=True))
    found = sorted(e.path for e in entries if e.type == pafs.FileType.File and e.path.endswith(".parquet"))
    # Remote filesystems list paths without the scheme; put it back so Ray Data reads the same store.
    return [f"{path.split('://', 1)[0]}://{p}" for p in found] if is_uri(path) else found


def read_manifest(shards: str) -> dict[str, Any]:
    """The curation manifest beside ``shards/`` ({} when absent)."""
    import pyarrow.fs as pafs

    parent = shards.rstrip("/").rsplit("/", 1)[0]
    fs, root = _filesystem(join(parent, "manifest.json"))
    if fs.get_file_info(root).type != pafs.FileType.File:
        return {}
    with fs.open_input_stream(root) as fh:
        return json.loads(fh.read().decode("utf-8"))


def inspect_shards(cfg: Config) -> ShardInfo:
    """Locate the shards and check them against ``pretrain.seq_len``; raise :class:`ShardError`."""
    import pyarrow.parquet as pq

    path = shards_path(cfg)
    files = list_parquet(path)
    if not files:
        raise ShardError(
            f"no packed shards (*.parquet) at {path}: run jobs/curate.py first or set data.shards"
        )
    manifest = read_manifest(path)
    fs, first = _filesystem(files[0])
    schema_file = pq.ParquetFile(fs.open_input_file(first))
    if "input_ids" not in schema_file.schema_arrow.names or "length" not in schema_file.schema_arrow.names:
        raise ShardError(f"{files[0]} lacks the input_ids/length columns of packed shards")
    head = schema_file.read_row_group(0, columns=["input_ids"]).column("input_ids")
    seq_len = len(head[0].as_py()) if len(head) else int(manifest.get("seq_len", 0))
    if manifest.get("seq_len") and int(manifest["seq_len"]) != seq_len:
        raise ShardError(
            f"shards at {path} hold {seq_len}-token rows but the manifest says {manifest['seq_len']}"
        )
    if seq_len != cfg.pretrain.seq_len:
        raise ShardError(
            f"seq_len mismatch: shards at {path} were packed to {seq_len} tokens but pretrain.seq_len is "
            f"{cfg.pretrain.seq_len} (re-run curation with curate.pack.seq_len={cfg.pretrain.seq_len} "
            f"or set pretrain.seq_len={seq_len})"
        )
    vocab = int((manifest.get("tokenizer") or {}).get("vocab") or 0)
    rows = 0
    for file in files:
        fs_i, p = _filesystem(file)
        rows += pq.ParquetFile(fs_i.open_input_file(p)).metadata.num_rows
    return ShardInfo(
        path=path, files=files, seq_len=seq_len, manifest=manifest, tokenizer_vocab=vocab, rows=rows
    )


def ids_matrix(column: Any) -> np.ndarray:
    """A pyarrow list<int> column (or numpy rows) of equal-length rows -> (n, seq_len) int32 array."""
    if isinstance(column, np.ndarray):
        return np.stack(column).astype(np.int32) if column.dtype == object else column.astype(np.int32)
    col = column.combine_chunks() if hasattr(column, "combine_chunks") else column
    n = len(col)
    flat = col.flatten().to_numpy(zero_copy_only=False).astype(np.int32)
    return flat.reshape(n, -1) if n else np.zeros((0, 0), dtype=np.int32)


def eval_mask(ids: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """Boolean (n,) mask of held-out rows: a seeded 64-bit hash of each row's tokens below ``fraction``."""
    if fraction <= 0 or len(ids) == 0:
        return np.zeros(len(ids), dtype=bool)
    rng = np.random.default_rng(seed)
    weights = rng.integers(1, np.iinfo(np.int64).max, size=ids.shape[1], dtype=np.int64).astype(np.uint64)
    with np.errstate(over="ignore"):
        h = (ids.astype(np.uint64) * weights[None, :]).sum(axis=1, dtype=np.uint64)
        h ^= h >> np.uint64(30)
        h *= _MIX1
        h ^= h >> np.uint64(27)
        h *= _MIX2
        h ^= h >> np.uint64(31)
    return (h % np.uint64(HASH_BUCKETS)) < np.uint64(int(round(fraction * HASH_BUCKETS)))


def _select(batch: Any, fraction: float, seed: int, held_out: bool) -> dict[str, np.ndarray]:
    """Map-batches body: keep the held-out rows (``held_out``) or the training rows, as numpy tensors."""
    ids = ids_matrix(batch["input_ids"])
    length = np.asarray(
        batch["length"].to_numpy() if hasattr(batch["length"], "to_numpy") else batch["length"]
    )
    mask = eval_mask(ids, fraction, seed)
    keep = mask if held_out else ~mask
    return {"input_ids": ids[keep], "length": length[keep].astype(np.int32)}


@contextlib.contextmanager
def preserve_order() -> Iterator[None]:
    """Run driver-side Ray Data executions (``materialize``, ``count``) with ``preserve_order`` on, restoring
    the previous setting after; without it block order depends on which read task finishes first."""
    import ray.data

    options = ray.data.DataContext.get_current().execution_options
    previous = options.preserve_order
    options.preserve_order = True
    try:
        yield
    finally:
        options.preserve_order = previous


def build_datasets(info: ShardInfo, fraction: float, seed: int, num_blocks: int) -> tuple[Any, Any]:
    """(train, eval) Ray Datasets of ``input_ids`` (int32 [seq_len]) and ``length`` rows, file order kept."""
    import ray.data

    ds = ray.data.read_parquet(info.files, override_num_blocks=num_blocks).select_columns(
        ["input_ids", "length"]
    )
    train = ds.map_batches(
        _select, batch_format="pyarrow", fn_kwargs=dict(fraction=fraction, seed=seed, held_out=False)
    )
    held = ds.map_batches(
        _select, batch_format="pyarrow", fn_kwargs=dict(fraction=fraction, seed=seed, held_out=True)
    )
    return train, held


def steps_per_epoch(train_rows: int, num_workers: int, per_device_batch: int, grad_accum: int) -> int:
    """Optimizer steps one epoch gives: full global batches of ``num_workers * per_device_batch`` rows
    (each worker's share of the rows, in either data mode, makes the same number), one step every
    ``grad_accum`` of them; the remainder is dropped."""
    return train_rows // (num_workers * per_device_batch) // grad_accum
