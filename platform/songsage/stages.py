"""Stage registry: each stage is ``body(cfg, out_dir, tracker) -> summary rows``.

Jobs (``jobs/<stage>.py``) run one stage under the job contract; the main job
(``jobs/pipeline.py``, ``make demo``) runs ``pipeline.stages`` in order, each with its own MLflow run,
chaining through the run directory.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from songsage.config import Config
from songsage.tracking import Tracker

StageBody = Callable[[Config, str, Tracker], list[tuple[str, str]]]


def curate_stage(cfg: Config, out_dir: str, tracker: Tracker) -> list[tuple[str, str]]:
    """LyricBank curation (Ray Data): raw JSONL -> songs/, playlists/, quarantine/, shards/."""
    from songsage.data.curate import run_curation, summarize
    from songsage.data.report import log_curation

    manifest = run_curation(cfg, out_dir)
    log_curation(tracker, manifest)
    return summarize(manifest)


def pretrain_stage(cfg: Config, out_dir: str, tracker: Tracker) -> list[tuple[str, str]]:
    """Continual pretraining (Ray Train + DeepSpeed) on the curated shards."""
    from songsage.train.pretrain import run_pretraining, summarize

    return summarize(run_pretraining(cfg, out_dir, tracker))


def build_playlistsense_stage(cfg: Config, out_dir: str, tracker: Tracker) -> list[tuple[str, str]]:
    """PlaylistSense queries: one per (playlist, perspective), written by the configured generator."""
    from songsage.eval.playlistsense import QUERIES_FILE, build_queries

    df = build_queries(cfg, out_dir)
    counts = df.groupby("perspective").size().to_dict()
    empty = int((df["query"].str.len() == 0).sum())
    tracker.log_metrics(
        {"queries": len(df), "playlists": df["playlist_id"].nunique(), "empty_queries": empty}
    )
    tracker.log_artifact(f"{out_dir}/{QUERIES_FILE}")
    backend = cfg.generator.backend + ":" + (cfg.generator.model or cfg.model.name_or_path)
    return [
        ("generator", backend),
        ("playlists", str(df["playlist_id"].nunique())),
        ("queries", str(len(df))),
        ("empty queries", str(empty)),
        ("per perspective", str(counts)),
    ]


def evaluate_stage(cfg: Config, out_dir: str, tracker: Tracker) -> list[tuple[str, str]]:
    """The tasks in ``eval.tasks`` (PlaylistSense, Table 2 task metrics, multiple choice, judge, linguistics); tables
    printed."""
    from songsage.eval.run import run_evaluation

    return run_evaluation(cfg, out_dir, tracker)


# Stage name -> "module:function" of its body, imported on first use (heavy deps stay unloaded).
STAGES: dict[str, str] = {
    "curate": "songsage.stages:curate_stage",
    "pretrain": "songsage.stages:pretrain_stage",
    "build_sft": "songsage.data.sft.build:build_sft_stage",
    "sft": "songsage.train.sft:sft_stage",
    "build_preferences": "songsage.data.sft.preferences:build_preferences_stage",
    "dpo": "songsage.train.dpo:dpo_stage",
    "sweep": "songsage.tune.sweep:sweep_stage",
    "build_playlistsense": "songsage.stages:build_playlistsense_stage",
    "evaluate": "songsage.stages:evaluate_stage",
    "build_index": "songsage.serve.index_build:build_index_stage",
    "serve_demo": "songsage.serve.demo:serve_demo_stage",
}


# Stage name -> "module:function(cfg, out_dir)" printed after the pipeline summary (the demo ends with the tables).
FINAL_REPORTS: dict[str, str] = {
    "evaluate": "songsage.eval.run:print_final_tables",
}


def _import(path: str) -> Any:
    """The object named by a ``"module:function"`` path (imported on first use)."""
    module, function = path.split(":")
    return getattr(importlib.import_module(module), function)


def final_report(name: str) -> Callable[[Config, str], None] | None:
    """The closing report of stage ``name`` (called with its output dir), or None."""
    return _import(FINAL_REPORTS[name]) if name in FINAL_REPORTS else None


def get_stage(name: str) -> StageBody:
    """The body of stage ``name``; unknown names list the known ones."""
    if name not in STAGES:
        raise KeyError(f"unknown stage {name!r}; known stages: {', '.join(STAGES)}")
    return _import(STAGES[name])
