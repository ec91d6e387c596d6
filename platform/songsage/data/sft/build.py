"""LyricBank-SFT builder on Ray Data (``jobs/build_sft.py``): curated songs + playlists -> chat samples.

Steps: read the curated tables -> decontamination ids -> emotion votes (playlist tags) and the keyword
TF-IDF fit -> candidates of the nine tasks (``map_batches`` over songs; playlists on the driver) ->
per-task selection of the lowest deterministic scores (``groupby("task").map_groups``; counts from
``total_samples`` x normalised ``task_weights``) -> teacher round 1 (stories, user queries, missing
descriptions) -> teacher round 2 (query rewrites) -> optional general chat data -> ``messages`` +
train/validation split -> ``train/`` and ``validation/`` Parquet + ``manifest.json``.

Teacher calls go through :func:`cached_generate`: answers are stored on disk by request hash (teacher
identity + messages + sampling), only the missing ones go to the shared generator
(:func:`songsage.models.generator.generate_dataset`: a local HF model in a Ray Data actor pool or an
OpenAI-compatible endpoint with bounded concurrency and retries), so an interrupted or repeated build
makes no repeated calls.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from songsage import storage
from songsage.config import Config, to_dict
from songsage.config.eval import GeneratorConfig
from songsage.config.paths import join, resolve_path, run_dir
from songsage.config.sft import GENERAL_TASK
from songsage.config.train import ModelConfig
from songsage.data.sft.decontam import eval_ids
from songsage.data.sft.emotions import emotion_map, majority, song_emotions, tag_labels
from songsage.data.sft.keywords import KeywordExtractor
from songsage.data.sft.tasks import (
    COLUMNS,
    TaskSettings,
    after_query,
    chat,
    playlist_samples,
    score,
    song_samples,
)

MESSAGE_TYPE = pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))
SCHEMA = pa.schema([(c, pa.float64() if c == "score" else pa.string()) for c in COLUMNS])
OUTPUT_SCHEMA = pa.schema(
    [
        ("sample_id", pa.string()),
        ("task", pa.string()),
        ("language", pa.string()),
        ("template_lang", pa.string()),
        ("song_id", pa.string()),
        ("playlist_id", pa.string()),
        ("teacher_kind", pa.string()),
        ("messages", MESSAGE_TYPE),
    ]
)
N_CANDIDATES = "n_candidates"
TEACHER_OUT = "teacher_out"
REQUEST_KEY = "request_key"
TRAIN, VALIDATION = "train", "validation"
SPLIT_SALT = "split"
MANIFEST = "manifest.json"


def validation_ids(rows: list[dict[str, Any]], seed: int, fraction: float, min_per_task: int) -> set[str]:
    """Sample ids held out for validation: every sample whose seeded split score is below ``fraction``, topped
    up per LyricBank-SFT task to ``min_per_task`` by the lowest scores (general chats: fraction only), always
    leaving at least one sample of each task for training."""
    by_task: dict[str, list[tuple[float, str]]] = {}
    for r in rows:
        by_task.setdefault(r["task"], []).append(
            (score(seed, f"{SPLIT_SALT}:{r['sample_id']}"), r["sample_id"])
        )
    out: set[str] = set()
    for task, scored in by_task.items():
        scored.sort()
        n = sum(1 for s, _ in scored if s < fraction)
        if task != GENERAL_TASK:
            n = min(max(n, min_per_task), len(scored) - 1)
        out.update(sid for _, sid in scored[:n])
    return out


# ----------------------------------------------------------------------------------------- teacher cache
def generator_identity(gen: GeneratorConfig, model: ModelConfig) -> dict[str, Any]:
    """What makes two generators answer alike: backend, model (and a registry model's architecture),
    endpoint and sampling settings. Part of every cache key."""
    ident: dict[str, Any] = {
        "backend": gen.backend,
        "model": gen.model or model.name_or_path,
        "base_url": gen.base_url,
        "max_new_tokens": gen.max_new_tokens,
        "temperature": gen.temperature,
        "top_p": gen.top_p,
        "seed": gen.seed,
        "max_input_tokens": gen.max_input_tokens,
    }
    if gen.backend == "hf":  # registry models (tiny-qwen2) are defined by the model section too
        from songsage.models.generator import model_config_for

        ident["model_config"] = to_dict(model_config_for(gen, model))
    return ident


def request_key(identity: dict[str, Any], messages_json: str) -> str:
    """sha256 of the generator identity and the chat (canonical JSON)."""
    blob = json.dumps(
        {"generator": identity, "messages": json.loads(messages_json)}, sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def cache_path(cache_dir: str, key: str) -> str:
    """File (local path or URI) of one cached answer."""
    return join(cache_dir, key[:2], f"{key}.json")


def read_cached(cache_dir: str, key: str) -> str | None:
    """The cached answer of request ``key``, or None."""
    text = storage.read_text_if_exists(cache_path(cache_dir, key))
    return json.loads(text)["text"] if text is not None else None


def write_cached(cache_dir: str, key: str, messages_json: str, text: str) -> None:
    """Store one answer under its request key (atomically, so a crash never leaves half a file)."""
    storage.write_text_atomic(
        json.dumps({"messages": json.loads(messages_json), "text": text}, ensure_ascii=False),
        cache_path(cache_dir, key),
    )


@dataclass
class GenStats:
    """Requests of one cached generation pass: ``calls`` sent to the generator, ``cache_hits`` answered from disk."""

    calls: int = 0
    cache_hits: int = 0
    seconds: float = 0.0


def cached_generate(
    chats: list[str],
    gen: GeneratorConfig,
    model: ModelConfig,
    cache_dir: str,
    generator_cache: str | None,
    target_blocks: int,
) -> tuple[list[str], GenStats]:
    """One answer per JSON chat in ``chats`` (same order). Cached answers are read from ``cache_dir``; the
    missing ones (deduplicated) are generated by the shared generator over a Ray Dataset
    (:func:`~songsage.models.generator.generate_dataset`: HF actor pool or OpenAI-compatible client) and cached
    as they come back. Returns (texts, stats)."""
    import ray.data

    from songsage.models.generator import generate_dataset

    t0 = time.perf_counter()
    identity = generator_identity(gen, model)
    keys = [request_key(identity, c) for c in chats]
    answers: dict[str, str] = {}
    missing: dict[str, str] = {}
    for key, chat_json in zip(keys, chats, strict=True):
        if key in answers or key in missing:
            continue
        text = read_cached(cache_dir, key)
        if text is None:
            missing[key] = chat_json
        else:
            answers[key] = text
    stats = GenStats(calls=len(missing), cache_hits=len(chats) - len(missing))
    if missing:
        items = pa.table({REQUEST_KEY: list(missing), "messages": list(missing.values())})
        ds = ray.data.from_arrow(items).repartition(max(1, min(target_blocks, len(missing))))
        out = generate_dataset(
            ds, gen, model, generator_cache, messages_column="messages", output_column=TEACHER_OUT
        )
        for row in out.iter_rows():
            key, text = str(row[REQUEST_KEY]), str(row[TEACHER_OUT])
            write_cached(cache_dir, key, missing[key], text)
            answers[key] = text
    stats.seconds = time.perf_counter() - t0
    return [answers[k] for k in keys], stats


# ------------------------------------------------------------------------------------------- candidates
def song_candidates(
    batch: pa.Table,
    settings: TaskSettings,
    votes: dict[str, list[str]],
    table: dict[str, str],
    excluded: set[str],
) -> pa.Table:
    """Ray Data function: curated song rows -> candidate samples of the song tasks (decontaminated)."""
    rows: list[dict[str, Any]] = []
    for song in batch.to_pylist():
        sid = str(song["song_id"])
        if sid in excluded:
            continue
        labels = [*votes.get(sid, []), *tag_labels(song.get("tags") or [], table)]
        rows.extend(song_samples(song, majority(labels), settings))
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def select_top(group: pa.Table, counts: dict[str, int]) -> pa.Table:
    """The ``counts[task]`` candidates of one task with the lowest (score, sample_id), plus ``n_candidates``
    (how many the task had)."""
    if group.num_rows == 0:
        return group.append_column(N_CANDIDATES, pa.array([], pa.int64()))
    task = group.column("task")[0].as_py()
    top = group.sort_by([("score", "ascending"), ("sample_id", "ascending")]).slice(0, counts.get(task, 0))
    return top.append_column(N_CANDIDATES, pa.array([group.num_rows] * top.num_rows, pa.int64()))


def task_counts(total: int, weights: dict[str, float], tasks: list[str]) -> dict[str, int]:
    """Samples per task: ``total`` split by the normalised weights (largest remainder, deterministic)."""
    w = {t: max(0.0, weights.get(t, 0.0)) for t in tasks}
    norm = sum(w.values())
    if norm <= 0:
        raise ValueError("sft_data.task_weights: every selected task has weight 0")
    exact = {t: total * v / norm for t, v in w.items()}
    counts = {t: int(v) for t, v in exact.items()}
    rest = total - sum(counts.values())
    for t in sorted(tasks, key=lambda t: (-(exact[t] - counts[t]), tasks.index(t)))[:rest]:
        counts[t] += 1
    return counts


# ------------------------------------------------------------------------------------------------ inputs
def input_tables(cfg: Config) -> tuple[str, str]:
    """(songs, playlists) paths: ``sft_data.*`` or the curation outputs."""
    sd = cfg.sft_data
    base = join(run_dir(cfg), "curate")
    songs = resolve_path(sd.songs) if sd.songs else join(base, "songs")
    playlists = resolve_path(sd.playlists) if sd.playlists else join(base, "playlists")
    for what, path in (("songs", songs), ("playlists", playlists)):
        if not storage.exists(path):
            raise FileNotFoundError(f"sft_data.{what}: {path} does not exist (run jobs/curate.py first)")
    return songs, playlists


def _list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else []


def general_samples(cfg: Config, n: int) -> list[dict[str, Any]]:
    """``n`` general chat records (sources in ``general_sources``; lowest scores first) as samples with messages."""
    from songsage.data.io import iter_lines

    sd = cfg.sft_data
    path = sd.general or cfg.data.general
    if n <= 0 or not path:
        return []
    found = []
    for line in iter_lines(resolve_path(path)):
        try:
            rec = json.loads(line["raw"])
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
        msgs = rec.get("messages") if isinstance(rec, dict) else None
        if rec.get("source") not in sd.general_sources or not isinstance(msgs, list) or not msgs:
            continue
        if (
            not all(
                isinstance(m, dict)
                and m.get("role") in ("system", "user", "assistant")
                and isinstance(m.get("content"), str)
                for m in msgs
            )
            or msgs[-1]["role"] != "assistant"
        ):
            continue
        sid = f"{GENERAL_TASK}:{rec.get('id', len(found))}"
        found.append(
            {
                "sample_id": sid,
                "task": GENERAL_TASK,
                "language": str(rec.get("lang") or ""),
                "score": score(sd.seed, sid),
                "messages": [{"role": m["role"], "content": m["content"]} for m in msgs],
            }
        )
    found.sort(key=lambda r: (r["score"], r["sample_id"]))
    return found[:n]


# ------------------------------------------------------------------------------------------------ build
@dataclass
class BuildResult:
    """What a build produced (also written to ``manifest.json``)."""

    out_dir: str
    per_task: dict[str, int] = field(default_factory=dict)
    candidates: dict[str, int] = field(default_factory=dict)
    train_rows: int = 0
    validation_rows: int = 0
    teacher: dict[str, dict[str, float]] = field(default_factory=dict)
    dropped_short_teacher: int = 0
    decontam: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


def teacher_cache_dir(cfg: Config) -> str:
    """``sft_data.cache_dir`` or ``<run.dir>/cache/teacher``."""
    return (
        resolve_path(cfg.sft_data.cache_dir)
        if cfg.sft_data.cache_dir
        else join(run_dir(cfg), "cache", "teacher")
    )


def _teacher_round(
    rows: list[dict[str, Any]], cfg: Config, name: str, result: BuildResult
) -> list[str | None]:
    """Teacher answers for the rows that carry teacher messages (None for the others)."""
    from songsage.models.generator import resolve_cache_dir

    idx = [i for i, r in enumerate(rows) if r["teacher_messages"]]
    out: list[str | None] = [None] * len(rows)
    gen = cfg.sft_data.teacher
    texts, stats = cached_generate(
        [rows[i]["teacher_messages"] for i in idx],
        gen,
        cfg.model,
        teacher_cache_dir(cfg),
        resolve_cache_dir(gen, run_dir(cfg)),
        cfg.ray.target_blocks,
    )
    for i, text in zip(idx, texts, strict=True):
        out[i] = text.strip()
    result.teacher[name] = {
        "calls": stats.calls,
        "cache_hits": stats.cache_hits,
        "seconds": round(stats.seconds, 2),
    }
    print(
        f"[build_sft] teacher {name}: {stats.calls} calls, {stats.cache_hits} cache hits, {stats.seconds:.1f}s"
    )
    return out


def _fill(
    rows: list[dict[str, Any]], answers: list[str | None], seed: int, min_chars: int
) -> tuple[list[dict[str, Any]], int]:
    """Put teacher answers in place: a user query becomes the prompt of task 1 (and asks for its rewrite), every
    other answer becomes the response. Rows whose answer is shorter than ``min_chars`` are dropped."""
    out, dropped = [], 0
    for r, text in zip(rows, answers, strict=True):
        if text is None:
            out.append(r)
        elif len(text) < min_chars:
            dropped += 1
        elif r["teacher_kind"] == "query":
            out.append(after_query(r, text, seed))
        else:
            out.append({**r, "response": text, "teacher_messages": ""})
    return out, dropped


def read_selected(
    cfg: Config, songs_path: str, playlists_path: str, result: BuildResult
) -> list[dict[str, Any]]:
    """Candidates of all tasks (song tasks on Ray Data, playlist tasks on the driver), decontaminated, then the
    per-task selection (``groupby(task).map_groups``). Returns the selected rows."""
    import pyarrow.parquet as pq
    import ray.data

    from songsage import storage

    sd = cfg.sft_data
    excluded = eval_ids(cfg)
    result.decontam = {
        "songs": len(excluded.songs),
        "playlists": len(excluded.playlists),
        "sources": excluded.sources,
    }
    table = emotion_map(sd.emotion_map)
    playlists = pq.read_table(playlists_path).to_pylist()
    kept = [p for p in playlists if str(p["playlist_id"]) not in excluded.playlists]
    result.decontam["playlists_dropped"] = len(playlists) - len(kept)
    votes = song_emotions(
        ((_list(p.get("tags")), _list(p.get("kept_song_ids")) or _list(p.get("song_ids"))) for p in kept),
        table,
    )
    song_files = storage.list_files(songs_path, (".parquet",))
    schema = pq.read_schema(song_files[0])
    lyric_col = "lyrics_norm" if "lyrics_norm" in schema.names else "lyrics"
    # Keyword IDF fit and playlist song names: columnar reads on the driver (a few columns).
    extractor = None
    if "keywords_to_lyrics" in sd.tasks:
        by_lang: dict[str, list[str]] = {}
        for f in song_files:
            for r in pq.read_table(f, columns=["language", lyric_col]).to_pylist():
                texts = by_lang.setdefault(str(r["language"] or ""), [])
                if len(texts) < sd.keywords.fit_max_songs:
                    texts.append(str(r[lyric_col] or ""))
            if all(len(v) >= sd.keywords.fit_max_songs for v in by_lang.values()):
                break
        extractor = KeywordExtractor(sd.keywords).fit(by_lang)
    wanted = {s for p in kept for s in (_list(p.get("kept_song_ids")) or _list(p.get("song_ids")))}
    meta: dict[str, tuple[str, str, str]] = {}
    for f in song_files:
        for r in pq.read_table(f, columns=["song_id", "name", "artist", "language"]).to_pylist():
            if r["song_id"] in wanted:
                meta[r["song_id"]] = (str(r["name"] or ""), str(r["artist"] or ""), str(r["language"] or ""))
    settings = TaskSettings(
        seed=sd.seed,
        tasks=list(sd.tasks),
        zh_languages=list(sd.zh_languages),
        max_lyrics_chars=sd.max_lyrics_chars,
        min_lines=sd.min_lines,
        songs_per_playlist=sd.songs_per_playlist,
        keywords=extractor,
    )
    pl_rows: list[dict[str, Any]] = []
    for p in kept:
        ids = _list(p.get("kept_song_ids")) or _list(p.get("song_ids"))
        pl_rows.extend(playlist_samples(p, [meta[i] for i in ids if i in meta], settings))
    songs = ray.data.read_parquet(song_files, override_num_blocks=cfg.ray.target_blocks)
    cands = songs.map_batches(
        song_candidates,
        fn_kwargs=dict(settings=settings, votes=votes, table=table, excluded=excluded.songs),
        batch_format="pyarrow",
    )
    if pl_rows:
        cands = cands.union(ray.data.from_arrow(pa.Table.from_pylist(pl_rows, schema=SCHEMA)))
    counts = task_counts(sd.total_samples, sd.task_weights, list(sd.tasks))
    selected = cands.groupby("task").map_groups(
        select_top, fn_kwargs={"counts": counts}, batch_format="pyarrow"
    )
    rows = selected.take_all()
    for r in rows:
        result.candidates[r["task"]] = int(r.pop(N_CANDIDATES))
    check_every_task_has_candidates(counts, result)
    rows.sort(key=lambda r: r["sample_id"])
    return rows


def check_every_task_has_candidates(counts: dict[str, int], result: BuildResult) -> None:
    """Raise ValueError naming the tasks that were asked for samples (``counts``) but have no candidates, and
    how many playlists decontamination removed (an evaluation pool that swallows the training playlists)."""
    empty = sorted(t for t, n in counts.items() if n > 0 and not result.candidates.get(t))
    if not empty:
        return
    dropped = result.decontam.get("playlists_dropped", 0)
    raise ValueError(
        f"sft_data.tasks: no candidates for {', '.join(empty)}; decontamination removed {dropped} playlists "
        f"(sft_data.decontam: the ones eval.playlistsense evaluates). Lower eval.playlistsense.max_playlists, "
        "add data, or drop the tasks from sft_data.tasks / set their sft_data.task_weights to 0"
    )


def build_sft(cfg: Config, out_dir: str) -> BuildResult:
    """Build LyricBank-SFT into ``out_dir`` (``train/``, ``validation/``, ``manifest.json``)."""
    t0 = time.perf_counter()
    sd = cfg.sft_data
    result = BuildResult(out_dir=out_dir)
    songs_path, playlists_path = input_tables(cfg)
    rows = read_selected(cfg, songs_path, playlists_path, result)
    rows, dropped = _fill(rows, _teacher_round(rows, cfg, "round1", result), sd.seed, sd.min_teacher_chars)
    rows, dropped2 = _fill(rows, _teacher_round(rows, cfg, "round2", result), sd.seed, sd.min_teacher_chars)
    result.dropped_short_teacher = dropped + dropped2
    final = [
        {
            **{
                k: r[k]
                for k in (
                    "sample_id",
                    "task",
                    "language",
                    "template_lang",
                    "song_id",
                    "playlist_id",
                    "teacher_kind",
                )
            },
            "messages": chat(r["prompt"], r["response"]),
        }
        for r in rows
        if r["prompt"].strip() and r["response"].strip()
    ]
    for g in general_samples(cfg, round(sd.general_ratio * len(final))):
        final.append(
            {
                "sample_id": g["sample_id"],
                "task": GENERAL_TASK,
                "language": g["language"],
                "template_lang": "",
                "song_id": "",
                "playlist_id": "",
                "teacher_kind": "",
                "messages": g["messages"],
            }
        )
    final.sort(key=lambda r: r["sample_id"])
    held_out = validation_ids(final, sd.seed, sd.validation_fraction, sd.validation_min_per_task)
    splits: dict[str, list[dict[str, Any]]] = {TRAIN: [], VALIDATION: []}
    for r in final:
        splits[VALIDATION if r["sample_id"] in held_out else TRAIN].append(r)
        result.per_task[r["task"]] = result.per_task.get(r["task"], 0) + 1
    for split, part in splits.items():
        write_rows(part, join(out_dir, split), OUTPUT_SCHEMA, sd.rows_per_file)
        setattr(result, f"{split}_rows", len(part))
    result.seconds = round(time.perf_counter() - t0, 2)
    storage.write_text(
        json.dumps(manifest(cfg, result, songs_path, playlists_path), indent=2, ensure_ascii=False),
        join(out_dir, MANIFEST),
    )
    return result


def write_rows(rows: list[dict[str, Any]], path: str, schema: pa.Schema, rows_per_file: int) -> list[str]:
    """Replace ``path`` with ``part-00000.parquet``, ... of ``rows_per_file`` rows each (deterministic names;
    an empty split gets one empty file so readers see the schema). Returns the files written."""
    storage.remove_tree(path)
    storage.make_dirs(path)
    files = []
    for i, start in enumerate(range(0, max(1, len(rows)), rows_per_file)):
        f = join(path, f"part-{i:05d}.parquet")
        storage.write_parquet_file(
            pa.Table.from_pylist(rows[start : start + rows_per_file], schema=schema), f
        )
        files.append(f)
    return files


def manifest(cfg: Config, r: BuildResult, songs: str, playlists: str) -> dict[str, Any]:
    """The build's manifest: inputs, counts per task, teacher calls, decontamination, config section."""
    inputs = {}
    for name, path in (("songs", songs), ("playlists", playlists)):
        files = storage.list_files(path, (".parquet",))
        inputs[name] = {
            "path": path,
            "sha256": hashlib.sha256("".join(storage.file_digest(f) for f in files).encode()).hexdigest(),
        }
    return {
        "job": "build_sft",
        "inputs": inputs,
        "per_task": r.per_task,
        "candidates": r.candidates,
        "train_rows": r.train_rows,
        "validation_rows": r.validation_rows,
        "teacher": r.teacher,
        "dropped_short_teacher": r.dropped_short_teacher,
        "decontam": r.decontam,
        "seconds": r.seconds,
        "config": to_dict(cfg.sft_data),
    }


def summarize(r: BuildResult) -> list[tuple[str, str]]:
    """Closing-summary rows of a LyricBank-SFT build."""
    teacher = ", ".join(
        f"{k}: {int(v['calls'])} calls / {int(v['cache_hits'])} cached" for k, v in r.teacher.items()
    )
    return [
        ("samples", f"{r.train_rows:,} train, {r.validation_rows:,} validation"),
        ("per task", ", ".join(f"{k} {v}" for k, v in sorted(r.per_task.items()))),
        ("candidates", ", ".join(f"{k} {v}" for k, v in sorted(r.candidates.items()))),
        ("teacher", teacher or "-"),
        ("dropped (short teacher answer)", str(r.dropped_short_teacher)),
        (
            "decontamination",
            f"{r.decontam.get('songs', 0)} song ids, {r.decontam.get('playlists', 0)} playlist ids; "
            f"{r.decontam.get('playlists_dropped', 0)} playlists dropped",
        ),
        ("seconds", f"{r.seconds:.1f}"),
    ]


def build_sft_stage(cfg: Config, out_dir: str, tracker: Any) -> list[tuple[str, str]]:
    """Stage body ``build_sft``: build LyricBank-SFT, log counts to MLflow, return summary rows."""
    r = build_sft(cfg, out_dir)
    tracker.log_metrics(
        {
            **{f"samples.{k}": v for k, v in r.per_task.items()},
            "train_rows": r.train_rows,
            "validation_rows": r.validation_rows,
            **{f"teacher.{k}.calls": v["calls"] for k, v in r.teacher.items()},
            **{f"teacher.{k}.cache_hits": v["cache_hits"] for k, v in r.teacher.items()},
        }
    )
    # The manifest may live in object storage, so log its content (MLflow needs no local file then).
    tracker.log_dict(storage.read_json(join(out_dir, MANIFEST)), MANIFEST)
    return summarize(r)
