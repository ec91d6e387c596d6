"""Batch transforms shared by the Ray Data pipeline and the single-process baseline.

Each function takes and returns a ``pyarrow.Table`` batch (``batch_format="pyarrow"``) so it runs
unchanged inside ``Dataset.map_batches`` and in a plain loop. Rows are never dropped here: a
transform adds a reason column and the pipeline splits on it, so every row is counted.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from songsage.config.schema import CurateConfig, DedupConfig, LangIdConfig
from songsage.data.balance import order_key
from songsage.data.dedup import band_keys, minhash, permutations, shingle_hashes, text_hash
from songsage.data.langid import detect_language
from songsage.data.normalize import normalize_lyrics, normalize_plain
from songsage.data.pack import render_chat
from songsage.data.quality import quality_reason
from songsage.data.validate import VALIDATORS, decode_line, reason_code

RAW_PREVIEW_CHARS = 2000

SONG_FIELDS = {
    "song_id": pa.string(),
    "name": pa.string(),
    "artist": pa.string(),
    "album": pa.string(),
    "lyrics": pa.string(),
    "tags": pa.list_(pa.string()),
    "language_hint": pa.string(),
}
PLAYLIST_FIELDS = {
    "playlist_id": pa.string(),
    "title": pa.string(),
    "tags": pa.list_(pa.string()),
    "description": pa.string(),
    "song_ids": pa.list_(pa.string()),
}
GENERAL_FIELDS = {
    "doc_id": pa.string(),
    "source": pa.string(),
    "text": pa.string(),
    "messages": pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())])),
}
FIELDS = {"songs": SONG_FIELDS, "playlists": PLAYLIST_FIELDS, "general": GENERAL_FIELDS}
QUARANTINE_SCHEMA = pa.schema(
    [
        ("kind", pa.string()),
        ("source_file", pa.string()),
        ("line", pa.int64()),
        ("reason_code", pa.string()),
        ("reason", pa.string()),
        ("raw_preview", pa.string()),
        ("raw_base64", pa.string()),
    ]
)


def validate_batch(batch: pa.Table, kind: str) -> pa.Table:
    """Lines (source, line, raw) -> the kind's columns + ``reason`` ('' when valid) + provenance + raw bytes."""
    validator = VALIDATORS[kind]
    fields = FIELDS[kind]
    cols: dict[str, list[Any]] = {name: [] for name in fields}
    reasons = []
    for raw in batch.column("raw").to_pylist():
        obj, reason = decode_line(raw)
        record = None
        if reason is None:
            record, reason = validator(obj)
        reasons.append(reason or "")
        for name in fields:
            cols[name].append(record[name] if record else None)
    arrays = {name: pa.array(values, type=fields[name]) for name, values in cols.items()}
    return pa.table(
        {
            "source_file": batch.column("source"),
            "line": batch.column("line"),
            "reason": pa.array(reasons, pa.string()),
            "raw": batch.column("raw"),  # kept until the id check: quarantine stores exact bytes
            **arrays,
        }
    )


def quarantine_rows(batch: pa.Table, kind: str) -> pa.Table:
    """Rejected lines -> quarantine rows: reason, provenance, a readable preview and the exact bytes."""
    raws = batch.column("raw").to_pylist()
    reasons = batch.column("reason").to_pylist()
    return pa.table(
        {
            "kind": pa.array([kind] * len(raws), pa.string()),
            "source_file": batch.column("source_file"),
            "line": batch.column("line"),
            "reason_code": pa.array([reason_code(r) for r in reasons], pa.string()),
            "reason": pa.array(reasons, pa.string()),
            "raw_preview": pa.array(
                [r.decode("utf-8", "replace")[:RAW_PREVIEW_CHARS] for r in raws], pa.string()
            ),
            "raw_base64": pa.array([base64.b64encode(r).decode("ascii") for r in raws], pa.string()),
        },
        schema=QUARANTINE_SCHEMA,
    )


def clean_batch(batch: pa.Table, cfg: CurateConfig) -> pa.Table:
    """Songs -> + ``lyrics_norm``, ``filter_reason`` ('' = passes), ``text_hash`` of the normalized text."""
    norm, reasons, hashes = [], [], []
    for text in batch.column("lyrics").to_pylist():
        clean = normalize_lyrics(text or "", cfg.normalize)
        norm.append(clean)
        reasons.append(quality_reason(clean, cfg.quality) or "")
        hashes.append(text_hash(clean))
    return (
        batch.append_column("lyrics_norm", pa.array(norm, pa.string()))
        .append_column("filter_reason", pa.array(reasons, pa.string()))
        .append_column("text_hash", pa.array(hashes, pa.string()))
    )


def band_key_lists(texts: list[str], cfg: DedupConfig) -> pa.ListArray:
    """Normalized texts -> one list of LSH band keys (int64, ``cfg.bands`` per text) per text."""
    a, b = permutations(cfg.num_perm, cfg.seed)
    keys = [band_keys(minhash(shingle_hashes(text, cfg.shingle_size), a, b), cfg.bands) for text in texts]
    offsets = np.arange(0, cfg.bands * len(keys) + 1, cfg.bands, dtype=np.int32)
    flat = np.asarray([k for ks in keys for k in ks], dtype=np.int64)
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(flat, pa.int64()))


def explode_bands(batch: pa.Table) -> pa.Table:
    """(song_id, band_keys list) rows -> (song_id, band_key) rows, one per LSH band."""
    keys = batch.column("band_keys").combine_chunks()
    parents = pc.list_parent_indices(keys)
    return pa.table({"song_id": batch.column("song_id").take(parents), "band_key": pc.list_flatten(keys)})


def signature_batch(batch: pa.Table, cfg: DedupConfig) -> pa.Table:
    """Songs (song_id, lyrics_norm) -> (song_id, band_key) rows, one per LSH band."""
    lists = band_key_lists(batch.column("lyrics_norm").to_pylist(), cfg)
    return explode_bands(pa.table({"song_id": batch.column("song_id"), "band_keys": lists}))


def prepare_songs(batch: pa.Table, cfg: CurateConfig) -> pa.Table:
    """Validated songs -> every per-song result in one pass (curation's fused row stage): the
    ``clean_batch`` columns, ``band_keys`` (MinHash-LSH) and the ``langid_batch`` columns.

    Invalid rows (``reason`` set) get the same columns from an empty text, at no cost. Later stages
    only filter, join and aggregate, so each song's text is read once."""
    valid = pc.equal(batch.column("reason"), "")
    lyrics = pc.if_else(valid, pc.fill_null(batch.column("lyrics"), ""), "")
    batch = clean_batch(batch.set_column(batch.schema.get_field_index("lyrics"), "lyrics", lyrics), cfg)
    batch = batch.append_column(
        "band_keys", band_key_lists(batch.column("lyrics_norm").to_pylist(), cfg.dedup)
    )
    return langid_batch(batch, cfg.langid, cfg.balance.seed)


def position_key(files: pa.ChunkedArray | pa.Array, lines: pa.ChunkedArray | pa.Array) -> pa.Array:
    """(source_file, line) -> strings that sort like the pairs ("file\\t000000000042")."""
    padded = pc.utf8_lpad(pc.cast(lines, pa.string()), width=12, padding="0")
    return pc.binary_join_element_wise(pc.cast(files, pa.string()), padded, "\t")


def id_positions(batch: pa.Table, id_col: str) -> pa.Table:
    """Valid rows -> (id, position key) for the first-occurrence rule of repeated ids."""
    return pa.table(
        {id_col: batch.column(id_col), "pos": position_key(batch.column("source_file"), batch.column("line"))}
    )


def mark_repeated_ids(batch: pa.Table, id_col: str) -> pa.Table:
    """Rows joined with their id's first position (``first_pos``, null for ids seen once) -> a valid
    row at any later position gets ``reason`` = ``duplicate_id:<col>: '<id>' first seen at file:line``."""
    first = pc.cast(batch.column("first_pos"), pa.string())  # a shuffle join makes it large_string
    batch = batch.drop_columns(["first_pos"])
    pos = position_key(batch.column("source_file"), batch.column("line"))
    later = pc.and_(pc.equal(batch.column("reason"), ""), pc.fill_null(pc.not_equal(first, pos), False))
    if not pc.any(later).as_py():
        return batch
    reasons = batch.column("reason").to_pylist()
    ids = batch.column(id_col).to_pylist()
    for i in pc.indices_nonzero(later).to_pylist():
        file, line = first[i].as_py().rsplit("\t", 1)
        reasons[i] = f"duplicate_id:{id_col}: {ids[i]!r} first seen at {file}:{int(line)}"
    return batch.set_column(batch.schema.get_field_index("reason"), "reason", pa.array(reasons, pa.string()))


def fill_exact_duplicates(batch: pa.Table) -> pa.Table:
    """Songs joined with their text's smallest song_id (``text_rep``, null for unique texts) ->
    ``exact_dup_of`` = the representative a row duplicates ('' for representatives and unique texts)."""
    ids = batch.column("song_id")
    rep = pc.fill_null(batch.column("text_rep"), ids)
    dup_of = pc.if_else(pc.equal(rep, ids), "", rep)
    return batch.drop_columns(["text_rep"]).append_column("exact_dup_of", dup_of)


def over_balance(batch: pa.Table, cutoff: dict[str, int]) -> pa.Table:
    """Rows whose ``balance_key`` is beyond their language's cutoff (balanced away)."""
    limits = pa.array([cutoff.get(lang, -1) for lang in batch.column("language").to_pylist()], pa.int64())
    return batch.filter(pc.greater(batch.column("balance_key"), limits))


def fill_clusters(batch: pa.Table) -> pa.Table:
    """Songs, left-joined with their near-duplicate cluster (``near_dup_cluster``, null or absent for
    songs in no cluster) -> ``near_dup_cluster`` (own id for singletons) and ``near_dup_of``
    (the representative, '' for representatives and singletons)."""
    ids = batch.column("song_id")
    if "near_dup_cluster" in batch.column_names:
        cluster = pc.coalesce(batch.column("near_dup_cluster"), ids)
        batch = batch.drop_columns(["near_dup_cluster"])
    else:
        cluster = ids
    dup_of = pc.if_else(pc.equal(cluster, ids), "", cluster)
    return batch.append_column("near_dup_cluster", cluster).append_column("near_dup_of", dup_of)


def langid_batch(batch: pa.Table, cfg: LangIdConfig, balance_seed: int) -> pa.Table:
    """+ ``language``, ``language_score``, ``language_how`` and the balancing rank ``balance_key``."""
    langs, scores, hows, keys = [], [], [], []
    for song_id, text, hint in zip(
        batch.column("song_id").to_pylist(),
        batch.column("lyrics_norm").to_pylist(),
        batch.column("language_hint").to_pylist(),
        strict=True,
    ):
        lang, score, how = detect_language(text, hint or "", cfg)
        langs.append(lang)
        scores.append(score)
        hows.append(how)
        keys.append(order_key(balance_seed, song_id))
    return (
        batch.append_column("language", pa.array(langs, pa.string()))
        .append_column("language_score", pa.array(scores, pa.float32()))
        .append_column("language_how", pa.array(hows, pa.string()))
        .append_column("balance_key", pa.array(keys, pa.int64()))
    )


def keep_balanced(batch: pa.Table, cutoff: dict[str, int]) -> pa.Table:
    """Rows whose ``balance_key`` is within their language's cutoff (the balanced selection)."""
    limits = pa.array([cutoff.get(lang, -1) for lang in batch.column("language").to_pylist()], pa.int64())
    return batch.filter(pc.less_equal(batch.column("balance_key"), limits))


def lyric_document(row: dict[str, Any], template: str) -> str:
    """A curated song as one pretraining document."""
    return template.format(
        name=row["name"], artist=row["artist"], album=row["album"], lyrics=row["lyrics_norm"]
    )


def general_document(row: dict[str, Any]) -> str:
    """A general record as one pretraining document (chats as ChatML)."""
    if row["messages"]:
        return render_chat(row["messages"])
    return normalize_plain(row["text"])


def tokenize_texts(tokenizer: Any, texts: list[str]) -> list[np.ndarray]:
    """Batch-encode texts without special tokens -> int32 id arrays."""
    if not texts:
        return []
    enc = tokenizer(texts, add_special_tokens=False)["input_ids"]
    return [np.asarray(ids, dtype=np.int32) for ids in enc]


@lru_cache(maxsize=4)
def cached_tokenizer(tokenizer_path: str, trust_remote_code: bool = False) -> Any:
    """The tokenizer at ``tokenizer_path``, loaded once per worker process.

    Curation tokenizes in Ray tasks, which run in pooled worker processes, so transformers is
    imported and the tokenizer read once per process (an actor pool paid that, ~3 s, per stage)."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tokenizer_path, trust_remote_code=trust_remote_code)


DOCUMENT_COLUMNS = {
    "lyrics": ["song_id", "name", "artist", "album", "lyrics_norm"],
    "general": ["doc_id", "source", "text", "messages"],
}


def tokenize_documents(
    batch: pa.Table, tokenizer_path: str, kind: str, template: str, trust_remote_code: bool = False
) -> pa.Table:
    """Curated songs (``kind`` "lyrics") or general records -> (doc_key, source, input_ids, n_tokens)."""
    tokenizer = cached_tokenizer(tokenizer_path, trust_remote_code)
    rows = batch.select(DOCUMENT_COLUMNS[kind]).to_pylist()
    if kind == "lyrics":
        texts = [lyric_document(r, template) for r in rows]
        ids = [f"song:{r['song_id']}" for r in rows]
        sources = ["lyrics"] * len(rows)
    else:
        texts = [general_document(r) for r in rows]
        ids = [f"{r['source']}:{r['doc_id']}" for r in rows]
        sources = [r["source"] for r in rows]
    tokens = tokenize_texts(tokenizer, texts)
    return pa.table(
        {
            "doc_key": pa.array(ids, pa.string()),
            "source": pa.array(sources, pa.string()),
            "input_ids": list_array(tokens),
            "n_tokens": pa.array([len(t) for t in tokens], pa.int64()),
        }
    )


def list_array(arrays: list[np.ndarray]) -> pa.ListArray:
    """int32 arrays -> an Arrow list<int32> column, built from one flat buffer (no Python lists)."""
    lengths = np.fromiter((len(a) for a in arrays), dtype=np.int64, count=len(arrays))
    offsets = np.zeros(len(arrays) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    flat = np.concatenate(arrays).astype(np.int32) if arrays else np.zeros(0, np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(flat))


def token_lists(column: pa.ChunkedArray | pa.ListArray) -> list[np.ndarray]:
    """An Arrow list<int> column -> one numpy array per row (views of the flat values)."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    offsets = arr.offsets.to_numpy()
    flat = arr.values.to_numpy(zero_copy_only=False)
    return [flat[offsets[i] : offsets[i + 1]] for i in range(len(arr))]
