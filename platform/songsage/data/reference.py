"""Single-process reference of the song curation path (no Ray), built from the same transforms.

Used two ways: as the baseline of ``bench/curate.py`` (the same work in one Python process) and
by tests that check the distributed pipeline keeps exactly the songs this plain version keeps.
Output: funnel counts, kept song ids per language, lyric tokens and packed sequence count.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from songsage.config import Config
from songsage.data import io
from songsage.data.balance import balance_targets
from songsage.data.dedup import bucket_edges, bucket_pairs, clusters_from_edges, jaccard, shingle_set
from songsage.data.pack import pack_documents
from songsage.data.transforms import (
    clean_batch,
    langid_batch,
    lyric_document,
    signature_batch,
    tokenize_texts,
    validate_batch,
)


def _groups(keys: list[Any], ids: list[str]) -> list[list[str]]:
    """Ids sharing a key, for keys shared by two or more ids."""
    groups: dict[Any, list[str]] = {}
    for k, i in zip(keys, ids, strict=True):
        groups.setdefault(k, []).append(i)
    return [members for members in groups.values() if len(members) > 1]


def curate_songs_single_process(cfg: Config, tokenizer: Any, batch_size: int = 1024) -> dict[str, Any]:
    """Run validation -> filters -> dedup -> language ID -> balance -> tokenize -> pack in one process."""
    ccfg = cfg.curate
    lines = list(io.iter_lines(cfg.data.songs))
    raw = pa.table(
        {
            "source": [r["source"] for r in lines],
            "line": [r["line"] for r in lines],
            "raw": [r["raw"] for r in lines],
        }
    )
    checked = pa.concat_tables(
        validate_batch(raw.slice(i, batch_size), "songs") for i in range(0, max(raw.num_rows, 1), batch_size)
    )
    valid = checked.filter(pc.equal(checked.column("reason"), ""))
    first_seen: set[str] = set()
    keep_mask = []
    for song_id in valid.column("song_id").to_pylist():  # rows are in (file, line) order
        keep_mask.append(song_id not in first_seen)
        first_seen.add(song_id)
    valid = valid.filter(pa.array(keep_mask))
    quarantined = checked.num_rows - valid.num_rows
    cleaned = pa.concat_tables(
        clean_batch(valid.slice(i, batch_size), ccfg) for i in range(0, max(valid.num_rows, 1), batch_size)
    )
    passed = cleaned.filter(pc.equal(cleaned.column("filter_reason"), ""))
    filtered = Counter(r for r in cleaned.column("filter_reason").to_pylist() if r)

    exact = clusters_from_edges(
        e
        for members in _groups(passed.column("text_hash").to_pylist(), passed.column("song_id").to_pylist())
        for e in bucket_edges(members)
    )
    exact_dups = {i for i, rep in exact.items() if i != rep}
    uniq = passed.filter(
        pc.invert(pc.is_in(passed.column("song_id"), value_set=pa.array(sorted(exact_dups), pa.string())))
    )

    bands = signature_batch(uniq.select(["song_id", "lyrics_norm"]), ccfg.dedup)
    edges = sorted(
        {
            e
            for members in _groups(bands.column("band_key").to_pylist(), bands.column("song_id").to_pylist())
            for e in bucket_pairs(members, ccfg.dedup.max_bucket_size)
        }
    )
    texts = dict(zip(uniq.column("song_id").to_pylist(), uniq.column("lyrics_norm").to_pylist(), strict=True))
    k = ccfg.dedup.shingle_size
    if ccfg.dedup.verify:
        edges = [
            (a, b)
            for a, b in edges
            if jaccard(shingle_set(texts[a], k), shingle_set(texts[b], k)) >= ccfg.dedup.threshold
        ]
    near = clusters_from_edges(edges)
    near_dups = {i for i, rep in near.items() if i != rep}
    distinct = uniq.filter(
        pc.invert(pc.is_in(uniq.column("song_id"), value_set=pa.array(sorted(near_dups), pa.string())))
    )

    tagged = langid_batch(distinct, ccfg.langid, ccfg.balance.seed)
    by_lang = Counter(tagged.column("language").to_pylist())
    keep, _ = balance_targets(dict(by_lang), ccfg.balance.ratios)
    rows = sorted(tagged.to_pylist(), key=lambda r: r["balance_key"])
    taken: Counter[str] = Counter()
    kept = []
    for r in rows:
        if taken[r["language"]] < keep.get(r["language"], 0):
            taken[r["language"]] += 1
            kept.append(r)
    tokens = tokenize_texts(tokenizer, [lyric_document(r, ccfg.pack.lyric_template) for r in kept])
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    seqs, _ = pack_documents(tokens, ccfg.pack.seq_len, tokenizer.eos_token_id, pad)
    return {
        "input_rows": raw.num_rows,
        "quarantined": quarantined,
        "filtered": dict(filtered),
        "exact_duplicates": len(exact_dups),
        "near_duplicates": len(near_dups),
        "balanced_away": distinct.num_rows - len(kept),
        "kept": len(kept),
        "kept_ids": {lang: sorted(r["song_id"] for r in kept if r["language"] == lang) for lang in taken},
        "lyric_tokens": int(sum(len(t) for t in tokens)),
        "sequences": int(seqs.shape[0]),
        "input_bytes": sum(len(r["raw"]) for r in lines),
    }
