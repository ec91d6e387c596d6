"""Preference set (paper 4.4, ``jobs/build_preferences.py``): per task, prompts -> chosen from a strong generator,
rejected from a weak one.

Prompts are LyricBank-SFT training samples (the conversation without its final assistant turn), ``per_task``
per task chosen by a deterministic score. Both generators are :class:`~songsage.config.eval.GeneratorConfig`
sections run through the shared generator with the prompt-hash cache of
:func:`songsage.data.sft.build.cached_generate` (a rebuild makes no repeated calls). Pairs with an empty (below
``min_chars``) or identical chosen/rejected answer are dropped. Output: ``pairs/part-*.parquet`` with ``prompt``
(chat messages), ``chosen``, ``rejected`` (assistant texts), ``task`` and ``sample_id``, plus ``manifest.json``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from songsage import storage
from songsage.config import Config, to_dict
from songsage.config.paths import join, resolve_path, run_dir
from songsage.data.sft.build import MANIFEST, MESSAGE_TYPE, cached_generate, write_rows
from songsage.data.sft.templates import stable_hash

PAIRS_DIR = "pairs"
PAIR_SCHEMA = pa.schema(
    [
        ("sample_id", pa.string()),
        ("task", pa.string()),
        ("prompt", MESSAGE_TYPE),
        ("chosen", pa.string()),
        ("rejected", pa.string()),
    ]
)


@dataclass
class PreferenceResult:
    """Counts of one build: prompts and kept pairs per task, drops by reason, generator calls."""

    out_dir: str
    prompts: dict[str, int] = field(default_factory=dict)
    pairs: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)
    generators: dict[str, dict[str, float]] = field(default_factory=dict)
    seconds: float = 0.0


def source_dir(cfg: Config) -> str:
    """``preferences.source`` or ``<run.dir>/build_sft``."""
    return resolve_path(cfg.preferences.source) if cfg.preferences.source else join(run_dir(cfg), "build_sft")


def cache_dir(cfg: Config) -> str:
    """``preferences.cache_dir`` or ``<run.dir>/cache/preferences``."""
    return (
        resolve_path(cfg.preferences.cache_dir)
        if cfg.preferences.cache_dir
        else join(run_dir(cfg), "cache", "preferences")
    )


def select_prompts(
    rows: list[dict[str, Any]], tasks: list[str], per_task: int, seed: int
) -> list[dict[str, Any]]:
    """``per_task`` rows of each task (lowest seeded hash of the sample id), as {sample_id, task, prompt}."""
    by_task: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        if r["task"] in tasks and r["messages"] and r["messages"][-1]["role"] == "assistant":
            by_task.setdefault(r["task"], []).append(r)
    out = []
    for task in tasks:
        ranked = sorted(
            by_task.get(task, []), key=lambda r: (stable_hash(seed, "pref", r["sample_id"]), r["sample_id"])
        )
        out.extend(
            {"sample_id": r["sample_id"], "task": task, "prompt": list(r["messages"][:-1])}
            for r in ranked[:per_task]
        )
    return out


def build_preferences(cfg: Config, out_dir: str) -> PreferenceResult:
    """Build the preference pairs into ``out_dir`` (``pairs/`` + ``manifest.json``)."""
    import pyarrow.parquet as pq

    from songsage.models.generator import resolve_cache_dir

    t0 = time.perf_counter()
    pc = cfg.preferences
    src = join(source_dir(cfg), "train")
    files = storage.list_files(src, (".parquet",)) if storage.exists(src) else []
    if not files:
        raise FileNotFoundError(
            f"preferences.source: no SFT training data under {src} (run jobs/build_sft.py first)"
        )
    rows = pa.concat_tables(
        [pq.read_table(f, columns=["sample_id", "task", "messages"]) for f in files]
    ).to_pylist()
    prompts = select_prompts(rows, list(pc.tasks), pc.per_task, pc.seed)
    result = PreferenceResult(out_dir=out_dir)
    for p in prompts:
        result.prompts[p["task"]] = result.prompts.get(p["task"], 0) + 1
    chats = [json.dumps(p["prompt"], ensure_ascii=False) for p in prompts]
    answers = {}
    for name, gen in (("strong", pc.strong), ("weak", pc.weak)):
        texts, stats = cached_generate(
            chats, gen, cfg.model, cache_dir(cfg), resolve_cache_dir(gen, run_dir(cfg)), cfg.ray.target_blocks
        )
        answers[name] = [t.strip() for t in texts]
        result.generators[name] = {
            "calls": stats.calls,
            "cache_hits": stats.cache_hits,
            "seconds": round(stats.seconds, 2),
        }
        print(
            f"[build_preferences] {name}: {stats.calls} calls, {stats.cache_hits} cache hits, {stats.seconds:.1f}s"
        )
    pairs = []
    for p, chosen, rejected in zip(prompts, answers["strong"], answers["weak"], strict=True):
        reason = (
            "empty"
            if min(len(chosen), len(rejected)) < pc.min_chars
            else "identical"
            if chosen == rejected
            else ""
        )
        if reason:
            result.dropped[reason] = result.dropped.get(reason, 0) + 1
            continue
        pairs.append({**p, "chosen": chosen, "rejected": rejected})
        result.pairs[p["task"]] = result.pairs.get(p["task"], 0) + 1
    pairs.sort(key=lambda r: r["sample_id"])
    write_rows(pairs, join(out_dir, PAIRS_DIR), PAIR_SCHEMA, cfg.sft_data.rows_per_file)
    result.seconds = round(time.perf_counter() - t0, 2)
    manifest = {
        "job": "build_preferences",
        "source": src,
        "prompts": result.prompts,
        "pairs": result.pairs,
        "dropped": result.dropped,
        "generators": result.generators,
        "seconds": result.seconds,
        "config": to_dict(pc),
    }
    storage.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), join(out_dir, MANIFEST))
    return result


def summarize(r: PreferenceResult) -> list[tuple[str, str]]:
    """Closing-summary rows of a preference build."""
    gens = ", ".join(
        f"{k}: {int(v['calls'])} calls / {int(v['cache_hits'])} cached" for k, v in r.generators.items()
    )
    return [
        ("pairs", f"{sum(r.pairs.values()):,} of {sum(r.prompts.values()):,} prompts"),
        ("per task", ", ".join(f"{k} {v}" for k, v in sorted(r.pairs.items()))),
        ("dropped", ", ".join(f"{k} {v}" for k, v in sorted(r.dropped.items())) or "-"),
        ("generators", gens),
        ("seconds", f"{r.seconds:.1f}"),
    ]


def build_preferences_stage(cfg: Config, out_dir: str, tracker: Any) -> list[tuple[str, str]]:
    """Stage body ``build_preferences``: build the pairs, log counts to MLflow, return summary rows."""
    r = build_preferences(cfg, out_dir)
    tracker.log_metrics(
        {
            **{f"pairs.{k}": v for k, v in r.pairs.items()},
            "pairs": sum(r.pairs.values()),
            **{f"{k}.calls": v["calls"] for k, v in r.generators.items()},
        }
    )
    # The manifest may live in object storage, so log its content (MLflow needs no local file then).
    tracker.log_dict(storage.read_json(join(out_dir, MANIFEST)), MANIFEST)
    return summarize(r)
