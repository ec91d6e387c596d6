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
from ray.data.aggregate import Count, Min
from ray.data.expressions import col

from songsage import storage
from songsage.config import Config, to_dict
from songsage.config.paths import join
from songsage.data import io
from songsage.data.arrow_map import PYARROW, map_arrow
from songsage.data.balance import balance_targets, order_key
from songsage.data.lookup import filter_lists_by_keys, left_join_small
from songsage.data.mix import copies, mix_plan
from songsage.data.near_dedup import CLUSTER_SCHEMA, near_duplicate_clusters
from songsage.data.pack import pack_documents
from songsage.data.transforms import (
    PLAYLIST_FIELDS,
    cached_tokenizer,
    fill_clusters,
    fill_exact_duplicates,
    id_positions,
    keep_balanced,
    mark_repeated_ids,
    over_balance,
    prepare_songs,
    quarantine_rows,
    token_lists,
    tokenize_documents,
    validate_batch,
)
from songsage.data.validate import reason_code
from songsage.markdown import markdown_table
from songsage.models.tokenizer import resolve_tokenizer_path

OUTPUT_PARTS = ("songs", "playlists", "quarantine", "rejected", "shards", "manifest.json", "funnel.md")
# The curated song table's columns and types. Free text and ids are large_string: the type these
# files have had since the first release (it came from a shuffle join), kept so that content hashes
# stay comparable, and the same whichever join path (broadcast or shuffle) produced the rows.
SONG_SCHEMA = pa.schema(
    [
        ("song_id", pa.large_string()),
        ("name", pa.large_string()),
        ("artist", pa.large_string()),
        ("album", pa.large_string()),
        ("tags", pa.list_(pa.string())),
        ("lyrics_norm", pa.large_string()),
        ("language", pa.string()),
        ("language_score", pa.float32()),
        ("language_how", pa.string()),
        ("language_hint", pa.large_string()),
        ("near_dup_cluster", pa.large_string()),
        ("text_hash", pa.large_string()),
        ("source_file", pa.large_string()),
        ("line", pa.int64()),
    ]
)
SONG_COLUMNS = SONG_SCHEMA.names
PLAYLIST_SCHEMA = pa.schema([*PLAYLIST_FIELDS.items(), ("kept_song_ids", pa.list_(pa.string()))])


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
            f"[curate] {stage:<22} in={rows_in:>9,} out={rows_out:>9,} {self.rows[-1]['seconds']:>6.1f} s "
            f"{dict(sorted((reasons or {}).items()))}"
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


def _cast(batch: pa.Table, schema: pa.Schema) -> pa.Table:
    return batch.cast(schema)


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
FIRST_POSITION_SCHEMA = {
    kind: pa.schema([(column, pa.string()), ("first_pos", pa.string())])
    for kind, column in ID_COLUMNS.items()
}
TEXT_REP_SCHEMA = pa.schema([("text_hash", pa.string()), ("text_rep", pa.string())])


def _validated(batch: pa.Table, kind: str, cfg: Config) -> pa.Table:
    """Raw lines -> validated rows; songs also get every per-song result (``prepare_songs``)."""
    checked = validate_batch(batch, kind)
    return prepare_songs(checked, cfg.curate) if kind == "songs" else checked


def _ingest(
    cfg: Config, kind: str, path: str, log: StageLog
) -> tuple[ray.data.Dataset, ray.data.Dataset, int, dict[str, int]]:
    """Read + validate one input -> (valid rows, quarantine rows, input rows, quarantine reasons).

    A repeated id (song_id, playlist_id) keeps its first occurrence (by file, line); later ones are
    quarantined as ``duplicate_id`` since other tables join on the id. The first positions come from
    a distributed aggregate and reach the rows by a join: no row goes through the driver."""
    checked = map_arrow(
        io.read_lines(path, cfg.ray.target_blocks), partial(_validated, kind=kind, cfg=cfg)
    ).materialize()
    total = checked.count()
    if total == 0:
        raise ValueError(f"{kind}: no input lines in {path!r}")
    if kind in ID_COLUMNS:
        id_col = ID_COLUMNS[kind]
        positions = map_arrow(
            checked.filter(expr=col("reason") == "").select_columns([id_col, "source_file", "line"]),
            partial(id_positions, id_col=id_col),
        )
        repeated = (
            positions.groupby(id_col)
            .aggregate(Count(), Min("pos"))
            .filter(expr=col("count()") > 1)
            .select_columns([id_col, "min(pos)"])
            .rename_columns({"min(pos)": "first_pos"})
        )
        joined, _ = left_join_small(
            checked,
            repeated,
            FIRST_POSITION_SCHEMA[kind],
            id_col,
            cfg.ray.target_blocks,
            cfg.curate.broadcast_max_rows,
        )
        checked = map_arrow(joined, partial(mark_repeated_ids, id_col=id_col)).materialize()
    quarantine = map_arrow(
        checked.filter(expr=col("reason") != ""), partial(quarantine_rows, kind=kind)
    ).materialize()
    reasons = _count_by(quarantine, "reason_code") if quarantine.count() else {}
    valid = checked.filter(expr=col("reason") == "").drop_columns(["reason", "raw"])
    n_valid = total - quarantine.count()
    log.add(f"{kind}: ingest+validate", total, n_valid, reasons)
    return valid, quarantine, total, reasons


def _exact_duplicates(passed: ray.data.Dataset, cfg: Config) -> tuple[ray.data.Dataset, int]:
    """Songs -> the same rows + ``exact_dup_of`` (the smallest song_id sharing the normalized text,
    '' for that representative and for unique texts), and the number of duplicates.

    A distributed aggregate finds the texts that occur more than once and their smallest id; the
    (text_hash, representative) rows join back onto the songs."""
    reps = (
        passed.select_columns(["text_hash", "song_id"])
        .groupby("text_hash")
        .aggregate(Count(), Min("song_id"))
        .filter(expr=col("count()") > 1)
        .materialize()
    )
    n_dups = int(reps.sum("count()") or 0) - reps.count() if reps.count() else 0
    reps = reps.select_columns(["text_hash", "min(song_id)"]).rename_columns({"min(song_id)": "text_rep"})
    joined, _ = left_join_small(
        passed, reps, TEXT_REP_SCHEMA, "text_hash", cfg.ray.target_blocks, cfg.curate.broadcast_max_rows
    )
    return map_arrow(joined, fill_exact_duplicates), n_dups


def _tokens(ds: ray.data.Dataset, cfg: Config, kind: str, tokenizer_path: str) -> ray.data.Dataset:
    fn = partial(
        tokenize_documents,
        tokenizer_path=tokenizer_path,
        kind=kind,
        template=cfg.curate.pack.lyric_template,
        trust_remote_code=cfg.tokenizer.trust_remote_code,
    )
    return map_arrow(ds, fn, batch_size=cfg.curate.pack.tokenize_batch_size)


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

    # 1 ingest + validate (with every per-song computation fused into the same pass)
    songs, q_songs, input_rows, quarantined = _ingest(cfg, "songs", cfg.data.songs, log)
    n_valid = input_rows - q_songs.count()

    # 2 normalize + quality filters (computed in the ingest pass; here the split and the counts)
    filtered = _count_by(songs.filter(expr=col("filter_reason") != ""), "filter_reason")
    passed = songs.filter(expr=col("filter_reason") == "")
    n_passed = n_valid - sum(filtered.values())
    log.add("songs: normalize+filter", n_valid, n_passed, filtered)

    # 3 exact dedup (representative = smallest song_id per normalized text)
    marked, exact_dups = _exact_duplicates(passed, cfg)
    marked = marked.materialize()
    uniq = marked.filter(expr=col("exact_dup_of") == "")
    log.add("songs: exact dedup", n_passed, n_passed - exact_dups, {"exact_duplicate": exact_dups})

    # 4 near dedup: LSH buckets, all pairs per bucket verified on the workers, connected components
    members, near_stats = near_duplicate_clusters(
        uniq, ccfg.dedup, cfg.ray.target_blocks, ccfg.broadcast_max_rows
    )
    joined, near_stats["join"] = left_join_small(
        uniq, members, CLUSTER_SCHEMA, "song_id", cfg.ray.target_blocks, ccfg.broadcast_max_rows
    )
    clustered = map_arrow(joined, fill_clusters).materialize()
    n_uniq = clustered.count()
    near_dups = near_stats["clustered_songs"] - near_stats["clusters"]
    tagged = clustered.filter(expr=col("near_dup_of") == "").materialize()
    log.add("songs: near dedup", n_uniq, n_uniq - near_dups, {"near_duplicate": near_dups})

    # 5 language ID (per song; computed in the ingest pass, counted here on the distinct songs)
    by_lang = _count_by(tagged, "language")
    n_tagged = sum(by_lang.values())
    log.add("songs: language id", n_tagged, n_tagged, {f"lang={k}": v for k, v in by_lang.items()})

    # 6 balance (keep the `target` smallest balance_keys per language)
    ratios = ccfg.balance.ratios if ccfg.balance.enabled else {lang: 0.0 for lang in by_lang}
    if ccfg.balance.enabled:
        keep, balance_report = balance_targets(by_lang, ratios)
    else:
        keep = {lang: n for lang, n in by_lang.items() if lang in ccfg.langid.languages}
        balance_report = {"available": by_lang, "kept": keep, "shortfall": []}
    cutoff = _balance_cutoffs(tagged, keep)
    kept = map_arrow(tagged, partial(keep_balanced, cutoff=cutoff)).materialize()
    n_kept = kept.count()
    balanced_away = n_tagged - n_kept
    away = {lang: by_lang[lang] - keep.get(lang, 0) for lang in by_lang if by_lang[lang] - keep.get(lang, 0)}
    log.add("songs: balance", n_tagged, n_kept, {f"lang={k}": v for k, v in away.items()})
    if balance_report.get("shortfall"):
        print(
            f"[curate] WARNING: no songs for target language(s) {balance_report['shortfall']}: "
            "balanced among the languages present"
        )

    # 7 + 8 tokenize, mix general data, pack
    tokenizer_path = resolve_tokenizer_path(cfg.tokenizer.name_or_path)
    tok = cached_tokenizer(tokenizer_path, cfg.tokenizer.trust_remote_code)
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

    # playlists: validate, keep the song ids that survived curation (a join with the kept ids)
    playlists, q_playlists, p_total, p_quarantined = _ingest(cfg, "playlists", cfg.data.playlists, log)
    q_parts.append(q_playlists)
    playlists, _ = filter_lists_by_keys(
        playlists,
        kept,
        key="song_id",
        row_key="playlist_id",
        list_col="song_ids",
        out_col="kept_song_ids",
        partitions=cfg.ray.target_blocks,
        max_broadcast_rows=ccfg.broadcast_max_rows,
    )

    # deterministic writes
    files: list[dict[str, Any]] = list(shards)
    files += _write_buckets(
        map_arrow(kept.select_columns(SONG_COLUMNS), partial(_cast, schema=SONG_SCHEMA)),
        join(out_root, "songs"),
        ccfg.song_files,
        "song_id",
        ["song_id"],
    )
    files += _write_buckets(
        map_arrow(playlists.select_columns(PLAYLIST_SCHEMA.names), partial(_cast, schema=PLAYLIST_SCHEMA)),
        join(out_root, "playlists"),
        1,
        "playlist_id",
        ["playlist_id"],
    )
    quarantine = q_parts[0].union(*q_parts[1:]) if len(q_parts) > 1 else q_parts[0]
    files += _write_buckets(
        quarantine, join(out_root, "quarantine"), 1, "kind", ["kind", "source_file", "line"]
    )
    rejected = _rejected(songs, marked, clustered, tagged, cutoff)
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
        "kept": n_kept,
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


REJECTED_SCHEMA = pa.schema(
    [("song_id", pa.string()), ("stage", pa.string()), ("reason", pa.string()), ("dup_of", pa.string())]
)


def _rejected_rows(
    batch: pa.Table, stage: str, reason: str | None, fixed: str | None, dup_of: str | None
) -> pa.Table:
    """Songs that one stage rejected -> (song_id, stage, reason, dup_of). ``reason``/``dup_of``: the
    columns holding them, else ``fixed`` as the reason (``language=<lang>`` when None too) and ''."""
    n = batch.num_rows
    if reason is not None:
        reasons = batch.column(reason)
    elif fixed is not None:
        reasons = pa.array([fixed] * n, pa.string())
    else:
        reasons = pc.binary_join_element_wise("language=", pc.cast(batch.column("language"), pa.string()), "")
    return pa.table(
        {
            "song_id": batch.column("song_id"),
            "stage": pa.array([stage] * n, pa.string()),
            "reason": reasons,
            "dup_of": batch.column(dup_of) if dup_of else pa.array([""] * n, pa.string()),
        }
    ).cast(REJECTED_SCHEMA)  # a shuffle join makes strings large_string


def _rejected(
    songs: ray.data.Dataset,
    marked: ray.data.Dataset,
    clustered: ray.data.Dataset,
    tagged: ray.data.Dataset,
    cutoff: dict[str, int],
) -> ray.data.Dataset:
    """Every valid song that did not make it, with the stage and reason (nothing silently lost)."""

    def rows(stage: str, reason: str | None = None, fixed: str | None = None, dup_of: str | None = None):
        return partial(_rejected_rows, stage=stage, reason=reason, fixed=fixed, dup_of=dup_of)

    parts = [
        map_arrow(songs.filter(expr=col("filter_reason") != ""), rows("filter", reason="filter_reason")),
        map_arrow(
            marked.filter(expr=col("exact_dup_of") != ""),
            rows("exact_dedup", fixed="exact_duplicate", dup_of="exact_dup_of"),
        ),
        map_arrow(
            clustered.filter(expr=col("near_dup_of") != ""),
            rows("near_dedup", fixed="near_duplicate", dup_of="near_dup_of"),
        ),
        map_arrow(map_arrow(tagged, partial(over_balance, cutoff=cutoff)), rows("balance")),
    ]
    return parts[0].union(*parts[1:])


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
