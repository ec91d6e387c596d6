"""LyricBank curation on Ray Data: raw JSONL -> curated songs, playlists, quarantine, packed shards.

Stages (each a Ray Data transform that counts rows in/out and reasons):
 1 ingest + validate   2 normalize + quality filters   3 exact dedup   4 MinHash-LSH near dedup
 5 language ID         6 language balancing            7 general-data mixing
 8 tokenize + pack     then deterministic Parquet writes and ``manifest.json``.

Song rows add up: input_rows = quarantined + filtered + exact_duplicates + near_duplicates
+ balanced_away + kept. Same inputs + config -> byte-identical files and the same content hash.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import ray
import ray.data
from ray.data.expressions import col

from songsage import storage
from songsage.config import Config, to_dict
from songsage.config.paths import join
from songsage.data import io
from songsage.data.arrow_map import PYARROW, map_arrow
from songsage.data.balance import balance_targets, order_key
from songsage.data.dedup import bucket_edges, clusters_from_edges
from songsage.data.mix import copies, mix_plan
from songsage.data.near_dedup import near_duplicate_clusters
from songsage.data.pack import pack_documents
from songsage.data.transforms import (
    Tokenize,
    clean_batch,
    drop_ids,
    fill_clusters,
    keep_balanced,
    langid_batch,
    mark_duplicates,
    mark_rejected_lines,
    quarantine_rows,
    token_lists,
    validate_batch,
)
from songsage.data.validate import reason_code
from songsage.markdown import markdown_table
from songsage.models.tokenizer import resolve_tokenizer_path

OUTPUT_PARTS = ("songs", "playlists", "quarantine", "rejected", "shards", "manifest.json", "funnel.md")
SONG_COLUMNS = [
    "song_id",
    "name",
    "artist",
    "album",
    "tags",
    "lyrics_norm",
    "language",
    "language_score",
    "language_how",
    "language_hint",
    "near_dup_cluster",
    "text_hash",
    "source_file",
    "line",
]


@dataclass
class StageLog:
    """Rows in/out and drop reasons per stage, in order (the funnel)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    t0: float = field(default_factory=time.perf_counter)

    def add(self, stage: str, rows_in: int, rows_out: int, reasons: dict[str, int] | None = None) -> None:
        now = time.perf_counter()
        self.rows.append(
            {
                "stage": stage,
                "rows_in": rows_in,
                "rows_out": rows_out,
                "dropped": rows_in - rows_out,
                "reasons": dict(sorted((reasons or {}).items())),
                "seconds": round(now - self.t0, 2),
            }
        )
        self.t0 = now
        print(
            f"[curate] {stage:<22} in={rows_in:>9,} out={rows_out:>9,} {dict(sorted((reasons or {}).items()))}"
        )

    def markdown(self) -> str:
        body = [
            [
                r["stage"],
                f"{r['rows_in']:,}",
                f"{r['rows_out']:,}",
                f"{r['dropped']:,}",
                ", ".join(f"{k}: {v}" for k, v in r["reasons"].items()) or "-",
                r["seconds"],
            ]
            for r in self.rows
        ]
        header = ["stage", "rows in", "rows out", "dropped", "reasons", "s"]
        return "\n".join(markdown_table(header, body, align="lrrrlr"))


def _partial_sums(ds: ray.data.Dataset, key: str, column: str | None) -> dict[str, int]:
    """Per-key row counts (``column`` None) or sums of ``column`` for a low-cardinality ``key``
    (reasons, languages, sources): each block aggregates locally, only the small per-block tables
    reach the driver, so no shuffle is needed."""

    def aggregate(batch: pa.Table) -> pa.Table:
        values = batch.column(column) if column else pa.array([1] * batch.num_rows, pa.int64())
        table = pa.table({"k": batch.column(key).cast(pa.string()), "v": values.cast(pa.int64())})
        out = table.group_by("k").aggregate([("v", "sum")])
        return out.rename_columns(["k", "v"])

    totals: Counter[str] = Counter()
    for r in map_arrow(ds.select_columns([key] if column is None else [key, column]), aggregate).take_all():
        totals[r["k"]] += int(r["v"])
    return dict(totals)


def _count_by(ds: ray.data.Dataset, column: str) -> dict[str, int]:
    """Rows per value of a low-cardinality ``column``."""
    return _partial_sums(ds, column, None)


def _write_buckets(
    ds: ray.data.Dataset, out_dir: str, n_files: int, key: str, sort_by: list[str], prefix: str = "part"
) -> list[dict[str, Any]]:
    """Write ``ds`` as ``n_files`` Parquet files with deterministic names and row order."""
    if ds.count() == 0:
        return []

    def add_bucket(batch: pa.Table) -> pa.Table:
        keys = batch.column(key).to_pylist()
        return batch.append_column(
            "_bucket", pa.array([order_key(0, str(k)) % n_files for k in keys], pa.int64())
        )

    def write_group(group: pa.Table) -> pa.Table:
        bucket = group.column("_bucket")[0].as_py()
        table = group.drop_columns(["_bucket"]).sort_by([(c, "ascending") for c in sort_by])
        meta = storage.write_parquet_file(table, join(out_dir, f"{prefix}-{bucket:05d}.parquet"))
        return pa.table({k: [v] for k, v in meta.items()})

    return (
        map_arrow(ds, add_bucket).groupby("_bucket").map_groups(write_group, batch_format=PYARROW).take_all()
    )


ID_COLUMNS = {"songs": "song_id", "playlists": "playlist_id"}


def _ingest(
    cfg: Config, kind: str, path: str, log: StageLog
) -> tuple[ray.data.Dataset, ray.data.Dataset, int, dict[str, int]]:
    """Read + validate one input -> (valid rows, quarantine rows, input rows, quarantine reasons).

    A repeated id (song_id, playlist_id) keeps its first occurrence (by file, line); later ones are
    quarantined as ``duplicate_id`` since other tables join on the id."""
    checked = map_arrow(
        io.read_lines(path, cfg.ray.target_blocks), partial(validate_batch, kind=kind)
    ).materialize()
    total = checked.count()
    if kind in ID_COLUMNS:
        id_col = ID_COLUMNS[kind]
        valid = checked.filter(expr=col("reason") == "")
        seen: dict[str, tuple[str, int]] = {}
        later: dict[tuple[str, int], str] = {}
        for r in sorted(
            _collisions(valid, id_col, ["source_file", "line"]), key=lambda r: (r["source_file"], r["line"])
        ):
            first = seen.setdefault(r[id_col], (r["source_file"], r["line"]))
            if first != (r["source_file"], r["line"]):
                later[(r["source_file"], r["line"])] = (
                    f"duplicate_id:{id_col}: {r[id_col]!r} first seen at {first[0]}:{first[1]}"
                )
        if later:
            checked = map_arrow(checked, partial(mark_rejected_lines, reasons=later)).materialize()
    bad = checked.filter(expr=col("reason") != "")
    quarantine = map_arrow(bad, partial(quarantine_rows, kind=kind)).materialize()
    reasons = {k: v for k, v in _count_by(quarantine, "reason_code").items()}
    valid = checked.filter(expr=col("reason") == "").drop_columns(["reason", "raw"]).materialize()
    log.add(f"{kind}: ingest+validate", total, valid.count(), reasons)
    return valid, quarantine, total, reasons


def _collisions(ds: ray.data.Dataset, key: str, columns: list[str]) -> list[dict[str, Any]]:
    """Rows (``key`` + ``columns``) whose key occurs more than once. Keys are counted with a
    distributed aggregate; only the colliding rows (the duplicates, a small share) reach the driver."""
    if ds.count() == 0:
        return []
    counts = ds.groupby(key).count()
    dup_keys = pa.array([r[key] for r in counts.filter(expr=col("count()") > 1).take_all()])
    if len(dup_keys) == 0:
        return []

    def keep_colliding(batch: pa.Table) -> pa.Table:
        return batch.filter(pc.is_in(batch.column(key), value_set=dup_keys))

    return map_arrow(ds.select_columns([key, *columns]), keep_colliding).take_all()


def _group_edges(rows: list[dict[str, Any]], key: str, ident: str) -> list[tuple[str, str]]:
    """Rows sharing ``key`` -> star edges inside each group (smallest ``ident`` to the others)."""
    groups: dict[Any, list[str]] = {}
    for r in rows:
        groups.setdefault(r[key], []).append(r[ident])
    return sorted({e for ids in groups.values() for e in bucket_edges(ids)})


def _exact_dedup(passed: ray.data.Dataset) -> dict[str, str]:
    """{duplicate id: representative id} for rows sharing a normalized-text hash."""
    members = clusters_from_edges(
        _group_edges(_collisions(passed, "text_hash", ["song_id"]), "text_hash", "song_id")
    )
    return {i: rep for i, rep in members.items() if i != rep}


def _tokens(ds: ray.data.Dataset, cfg: Config, kind: str, tokenizer_path: str) -> ray.data.Dataset:
    return ds.map_batches(
        Tokenize,
        fn_constructor_kwargs={
            "tokenizer_path": tokenizer_path,
            "kind": kind,
            "template": cfg.curate.pack.lyric_template,
            "trust_remote_code": cfg.tokenizer.trust_remote_code,
        },
        batch_format=PYARROW,
        batch_size=cfg.curate.pack.tokenize_batch_size,
        compute=ray.data.ActorPoolStrategy(min_size=1, max_size=max(1, cfg.ray.target_blocks)),
    )


def _pack_and_write(
    ds: ray.data.Dataset, cfg: Config, out_dir: str, eos_id: int, pad_id: int
) -> list[dict[str, Any]]:
    """Tokenized docs -> packed sequences, one deterministic Parquet shard per bucket."""
    pcfg = cfg.curate.pack
    seed = cfg.run.seed

    def add_bucket(batch: pa.Table) -> pa.Table:
        keys = [order_key(seed, k) for k in batch.column("doc_key").to_pylist()]
        return batch.append_column("_order", pa.array(keys, pa.int64())).append_column(
            "_bucket", pa.array([k % pcfg.num_shards for k in keys], pa.int64())
        )

    def pack_group(group: pa.Table) -> pa.Table:
        bucket = group.column("_bucket")[0].as_py()
        group = group.sort_by([("_order", "ascending"), ("doc_key", "ascending")])
        seqs, lengths = pack_documents(token_lists(group.column("input_ids")), pcfg.seq_len, eos_id, pad_id)
        offsets = pa.array(np.arange(0, seqs.size + 1, pcfg.seq_len, dtype=np.int32))
        table = pa.table(
            {
                "input_ids": pa.ListArray.from_arrays(offsets, pa.array(seqs.reshape(-1))),
                "length": pa.array(lengths, pa.int32()),
            }
        )
        meta = storage.write_parquet_file(table, join(out_dir, f"shard-{bucket:05d}.parquet"))
        meta["tokens"] = int(lengths.sum())
        return pa.table({k: [v] for k, v in meta.items()})

    return (
        map_arrow(ds, add_bucket).groupby("_bucket").map_groups(pack_group, batch_format=PYARROW).take_all()
    )


def _replicate(batch: pa.Table, factors: dict[str, float], seed: int) -> pa.Table:
    """Repeat each general doc ``copies()`` times (epoch suffix keeps doc keys unique)."""
    idx, keys = [], []
    for i, (key, source) in enumerate(
        zip(batch.column("doc_key").to_pylist(), batch.column("source").to_pylist(), strict=True)
    ):
        for epoch in range(copies(key, factors.get(source, 0.0), seed)):
            idx.append(i)
            keys.append(key if epoch == 0 else f"{key}#epoch{epoch}")
    out = batch.take(pa.array(idx, pa.int64())) if idx else batch.slice(0, 0)
    return out.set_column(out.schema.get_field_index("doc_key"), "doc_key", pa.array(keys, pa.string()))


def _content_hash(files: list[dict[str, Any]], root: str) -> str:
    h = hashlib.sha256()
    for f in sorted(files, key=lambda f: f["path"]):
        h.update(f"{f['path'][len(root) :]}\t{f['sha256']}\n".encode())
    return h.hexdigest()


def run_curation(cfg: Config, out_root: str) -> dict[str, Any]:
    """Run every curation stage; write outputs under ``out_root``; return the manifest."""
    ccfg = cfg.curate
    log = StageLog()
    for part in OUTPUT_PARTS:  # a rerun (also after an interruption) starts from a clean output
        storage.remove_tree(join(out_root, part))

    # 1 ingest + validate
    songs, q_songs, input_rows, quarantined = _ingest(cfg, "songs", cfg.data.songs, log)
    n_valid = songs.count()

    # 2 normalize + quality filters
    cleaned = map_arrow(songs, partial(clean_batch, cfg=ccfg)).materialize()
    filtered = _count_by(cleaned.filter(expr=col("filter_reason") != ""), "filter_reason")
    passed = cleaned.filter(expr=col("filter_reason") == "").materialize()
    log.add("songs: normalize+filter", n_valid, passed.count(), filtered)

    # 3 exact dedup (representative = smallest song_id per normalized text)
    exact_of = _exact_dedup(passed)
    marked = map_arrow(passed, partial(mark_duplicates, dup_of=exact_of, column="exact_dup_of")).materialize()
    uniq = marked.filter(expr=col("exact_dup_of") == "").materialize()
    exact_dups = len(exact_of)
    log.add("songs: exact dedup", marked.count(), uniq.count(), {"exact_duplicate": exact_dups})

    # 4 near dedup: LSH buckets, all pairs per bucket verified on the workers, connected components
    members, near_stats = near_duplicate_clusters(uniq, ccfg.dedup, cfg.ray.target_blocks)
    if near_stats["clustered_songs"]:
        uniq = uniq.join(members, "left_outer", num_partitions=cfg.ray.target_blocks, on=("song_id",))
    clustered = map_arrow(uniq, fill_clusters).materialize()
    distinct = clustered.filter(expr=col("near_dup_of") == "").materialize()
    near_dups = clustered.count() - distinct.count()
    log.add("songs: near dedup", clustered.count(), distinct.count(), {"near_duplicate": near_dups})

    # 5 language ID (per song)
    tagged = map_arrow(
        distinct, partial(langid_batch, cfg=ccfg.langid, balance_seed=ccfg.balance.seed)
    ).materialize()
    by_lang = _count_by(tagged, "language")
    log.add(
        "songs: language id", tagged.count(), tagged.count(), {f"lang={k}": v for k, v in by_lang.items()}
    )

    # 6 balance (keep the `target` smallest balance_keys per language)
    ratios = ccfg.balance.ratios if ccfg.balance.enabled else {lang: 0.0 for lang in by_lang}
    if ccfg.balance.enabled:
        keep, balance_report = balance_targets(by_lang, ratios)
    else:
        keep = {lang: n for lang, n in by_lang.items() if lang in ccfg.langid.languages}
        balance_report = {"available": by_lang, "kept": keep, "shortfall": []}
    cutoff = _balance_cutoffs(tagged, keep)
    kept = map_arrow(tagged, partial(keep_balanced, cutoff=cutoff)).materialize()
    balanced_away = tagged.count() - kept.count()
    away = {lang: by_lang[lang] - keep.get(lang, 0) for lang in by_lang if by_lang[lang] - keep.get(lang, 0)}
    log.add("songs: balance", tagged.count(), kept.count(), {f"lang={k}": v for k, v in away.items()})
    if balance_report.get("shortfall"):
        print(
            f"[curate] WARNING: no songs for target language(s) {balance_report['shortfall']}: "
            "balanced among the languages present"
        )

    # 7 + 8 tokenize, mix general data, pack
    tokenizer_path = resolve_tokenizer_path(cfg.tokenizer.name_or_path)
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tokenizer_path, trust_remote_code=cfg.tokenizer.trust_remote_code)
    eos_id = tok.eos_token_id
    pad_id = tok.pad_token_id if tok.pad_token_id is not None else eos_id
    lyric_tokens_ds = _tokens(kept, cfg, "lyrics", tokenizer_path).materialize()
    lyric_tokens = int(lyric_tokens_ds.sum("n_tokens") or 0) if kept.count() else 0
    general_info: dict[str, Any] = {"input_rows": 0, "quarantined": {}, "plan": {}}
    mixed_general = None
    q_parts = [q_songs]
    if cfg.data.general:
        general, q_general, g_total, g_quarantined = _ingest(cfg, "general", cfg.data.general, log)
        q_parts.append(q_general)
        general_tokens = _tokens(general, cfg, "general", tokenizer_path).materialize()
        available = {k: int(v) for k, v in _sum_by(general_tokens, "source", "n_tokens").items()}
        plan = mix_plan(lyric_tokens, available, ccfg.mix)
        factors = {name: p["factor"] for name, p in plan.items()}
        mixed_general = map_arrow(
            general_tokens, partial(_replicate, factors=factors, seed=ccfg.mix.seed)
        ).materialize()
        achieved = _sum_by(mixed_general, "source", "n_tokens")
        achieved_docs = _count_by(mixed_general, "source")
        for name, p in plan.items():
            p["achieved_tokens"] = int(achieved.get(name, 0))
            p["achieved_docs"] = int(achieved_docs.get(name, 0))
        general_info = {
            "input_rows": g_total,
            "quarantined": g_quarantined,
            "valid": general.count(),
            "unused_sources": sorted(set(available) - set(plan)),
            "plan": plan,
        }
        log.add(
            "general: mix",
            general_tokens.count(),
            mixed_general.count(),
            {"sampled_away_or_repeated": general_tokens.count() - mixed_general.count()},
        )

    to_pack = lyric_tokens_ds if mixed_general is None else lyric_tokens_ds.union(mixed_general)
    shards = _pack_and_write(to_pack, cfg, join(out_root, "shards"), eos_id, pad_id)
    sequences = sum(int(s["rows"]) for s in shards)
    tokens_by_source = {
        "lyrics": lyric_tokens,
        **{k: p.get("achieved_tokens", 0) for k, p in general_info["plan"].items()},
    }
    log.add("pack", to_pack.count(), sequences, {})

    # playlists: validate, keep the song ids that survived curation
    playlists, q_playlists, p_total, p_quarantined = _ingest(cfg, "playlists", cfg.data.playlists, log)
    q_parts.append(q_playlists)
    kept_ids = {r["song_id"] for r in kept.select_columns(["song_id"]).take_all()}
    playlists = playlists.map(lambda r: {**r, "kept_song_ids": [s for s in r["song_ids"] if s in kept_ids]})

    # deterministic writes
    files: list[dict[str, Any]] = list(shards)
    files += _write_buckets(
        kept.select_columns(SONG_COLUMNS), join(out_root, "songs"), ccfg.song_files, "song_id", ["song_id"]
    )
    files += _write_buckets(
        playlists.drop_columns(["source_file", "line"]),
        join(out_root, "playlists"),
        1,
        "playlist_id",
        ["playlist_id"],
    )
    quarantine = q_parts[0].union(*q_parts[1:]) if len(q_parts) > 1 else q_parts[0]
    files += _write_buckets(
        quarantine, join(out_root, "quarantine"), 1, "kind", ["kind", "source_file", "line"]
    )
    rejected = _rejected(cleaned, marked, clustered, tagged, kept_ids)
    files += _write_buckets(rejected, join(out_root, "rejected"), 1, "song_id", ["stage", "song_id"])

    kept_by_lang = _count_by(kept, "language")
    manifest = {
        "stage": "curate",
        "input_rows": input_rows,
        "quarantined": quarantined,
        "filtered": filtered,
        "exact_duplicates": exact_dups,
        "near_duplicates": near_dups,
        "balanced_away": balanced_away,
        "kept": kept.count(),
        "rows_by_language": {
            "detected": by_lang,
            "target_share": balance_report.get("target_share", {}),
            "achieved": kept_by_lang,
            "achieved_share": balance_report.get("achieved_share", {}),
            "limiting_language": balance_report.get("limiting_language"),
            "shortfall": balance_report.get("shortfall", []),
        },
        "near_dedup": near_stats,
        "tokens_by_source": tokens_by_source,
        "general_to_lyrics_ratio": round(
            sum(v for k, v in tokens_by_source.items() if k != "lyrics") / lyric_tokens, 4
        )
        if lyric_tokens
        else None,
        "general": general_info,
        "playlists": {"input_rows": p_total, "quarantined": p_quarantined, "kept": playlists.count()},
        "quarantine_rows": quarantine.count(),
        "sequences": sequences,
        "seq_len": ccfg.pack.seq_len,
        "tokenizer": {
            "name_or_path": cfg.tokenizer.name_or_path,
            "eos_id": eos_id,
            "pad_id": pad_id,
            "vocab": len(tok),
        },
        "inputs": {
            k: storage.fingerprint(v)
            for k, v in (
                ("songs", cfg.data.songs),
                ("playlists", cfg.data.playlists),
                ("general", cfg.data.general),
            )
            if v
        },
        "files": sorted(
            ({**f, "path": f["path"][len(out_root) + 1 :]} for f in files), key=lambda f: f["path"]
        ),
        "content_hash": _content_hash(files, out_root),
        "funnel": log.rows,
        "config": to_dict(cfg),
    }
    check_funnel(manifest)
    storage.write_json(manifest, join(out_root, "manifest.json"))
    return manifest


def _sum_by(ds: ray.data.Dataset, key: str, column: str) -> dict[str, int]:
    """Sum of ``column`` per value of a low-cardinality ``key``."""
    return _partial_sums(ds, key, column)


def _balance_cutoffs(tagged: ray.data.Dataset, keep: dict[str, int]) -> dict[str, int]:
    """Per language, the largest ``balance_key`` among its ``keep`` smallest (only keys are moved)."""

    def kth(group: pa.Table) -> pa.Table:
        lang = group.column("language")[0].as_py()
        k = keep.get(lang, 0)
        keys = sorted(group.column("balance_key").to_pylist())
        return pa.table({"language": [lang], "cutoff": [keys[k - 1] if k else -1]})

    if tagged.count() == 0:
        return {}
    rows = (
        tagged.select_columns(["language", "balance_key"])
        .groupby("language")
        .map_groups(kth, batch_format=PYARROW)
    )
    return {r["language"]: r["cutoff"] for r in rows.take_all()}


def _rejected(cleaned: Any, marked: Any, clustered: Any, tagged: Any, kept_ids: set[str]) -> ray.data.Dataset:
    """Every valid song that did not make it, with the stage and reason (nothing silently lost)."""
    cols = ["song_id", "stage", "reason", "dup_of"]

    def shape(stage: str, reason_col: str | None, dup_col: str | None):
        def fn(r: dict[str, Any]) -> dict[str, Any]:
            return {
                "song_id": r["song_id"],
                "stage": stage,
                "reason": r[reason_col] if reason_col else f"language={r['language']}",
                "dup_of": r[dup_col] if dup_col else "",
            }

        return fn

    parts = [
        cleaned.filter(expr=col("filter_reason") != "").map(shape("filter", "filter_reason", None)),
        marked.filter(expr=col("exact_dup_of") != "").map(
            lambda r: {
                "song_id": r["song_id"],
                "stage": "exact_dedup",
                "reason": "exact_duplicate",
                "dup_of": r["exact_dup_of"],
            }
        ),
        clustered.filter(expr=col("near_dup_of") != "").map(
            lambda r: {
                "song_id": r["song_id"],
                "stage": "near_dedup",
                "reason": "near_duplicate",
                "dup_of": r["near_dup_of"],
            }
        ),
        map_arrow(tagged, partial(drop_ids, ids=pa.array(sorted(kept_ids), pa.string()))).map(
            shape("balance", None, None)
        ),
    ]
    return parts[0].union(*parts[1:]).select_columns(cols)


def check_funnel(manifest: dict[str, Any]) -> None:
    """Raise if song rows do not add up (a bug, never a data problem)."""
    total = (
        sum(manifest["quarantined"].values())
        + sum(manifest["filtered"].values())
        + manifest["exact_duplicates"]
        + manifest["near_duplicates"]
        + manifest["balanced_away"]
        + manifest["kept"]
    )
    if total != manifest["input_rows"]:
        raise AssertionError(
            f"funnel does not add up: {total} accounted for, {manifest['input_rows']} input rows"
        )


def summarize(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) rows for the closing summary table."""
    q = sum(manifest["quarantined"].values())
    f = sum(manifest["filtered"].values())
    langs = ", ".join(f"{k} {v}" for k, v in sorted(manifest["rows_by_language"]["achieved"].items()))
    rows = [
        ("input rows (songs)", f"{manifest['input_rows']:,}"),
        (
            "quarantined",
            f"{q:,} {dict(Counter({reason_code(k): v for k, v in manifest['quarantined'].items()}))}",
        ),
        ("filtered", f"{f:,} {manifest['filtered']}"),
        ("exact duplicates", f"{manifest['exact_duplicates']:,}"),
        ("near duplicates", f"{manifest['near_duplicates']:,}"),
        ("balanced away", f"{manifest['balanced_away']:,}"),
        ("kept", f"{manifest['kept']:,} ({langs})"),
        ("target share", str(manifest["rows_by_language"]["target_share"])),
        ("achieved share", str(manifest["rows_by_language"]["achieved_share"])),
        ("shortfall", ", ".join(manifest["rows_by_language"]["shortfall"]) or "none"),
        ("tokens by source", ", ".join(f"{k} {v:,}" for k, v in manifest["tokens_by_source"].items())),
        ("general:lyrics tokens", str(manifest["general_to_lyrics_ratio"])),
        ("sequences", f"{manifest['sequences']:,} x {manifest['seq_len']}"),
        ("playlists kept", f"{manifest['playlists']['kept']:,} of {manifest['playlists']['input_rows']:,}"),
        ("content hash", manifest["content_hash"][:16]),
    ]
    return rows
