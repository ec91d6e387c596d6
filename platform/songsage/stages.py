"""Stage registry: each stage is ``body(cfg, out_dir, tracker) -> summary rows``.

Jobs (``jobs/<stage>.py``) run one stage under the job contract; the main job
(``jobs/pipeline.py``, ``make demo``) runs ``pipeline.stages`` in order, each with its own MLflow run,
chaining through the run directory.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
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
    from songsage.storage import staged_dir

    with staged_dir(out_dir) as local:  # written locally, uploaded when out_dir is a URI
        df = build_queries(cfg, local)
        tracker.log_artifact(f"{local}/{QUERIES_FILE}")
    counts = df.groupby("perspective").size().to_dict()
    empty = int((df["query"].str.len() == 0).sum())
    tracker.log_metrics(
        {"queries": len(df), "playlists": df["playlist_id"].nunique(), "empty_queries": empty}
    )
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
# Stages a profile's ``pipeline.stages`` leaves out: a sweep searches one stage's hyperparameters as its own job
# (jobs/sweep.py) and writes best.yaml for the next pipeline run, instead of feeding the next stage.
STANDALONE_STAGES: frozenset[str] = frozenset({"sweep"})


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


# ------------------------------------------------------------------------------------ stage inputs/outputs
# Where each stage reads, as (config key, default when the key is '', external). The default is a path under
# run.dir (what an earlier stage writes), "=<key>" (another key's value), or None (nothing read when empty).
# external: the key may name something no stage writes (raw data, a hub model, a benchmark). These mirror
# the stages' own resolvers (e.g. songsage.train.data.shards_path); tests/test_stage_io.py checks they agree.
_INPUTS: dict[str, list[tuple[str, str | None, bool]]] = {
    "curate": [("data.songs", None, True), ("data.playlists", None, True), ("data.general", None, True)],
    "pretrain": [("data.shards", "curate/shards", False), ("model.name_or_path", None, True)],
    "build_sft": [
        ("sft_data.songs", "curate/songs", False),
        ("sft_data.playlists", "curate/playlists", False),
        ("sft_data.general", "=data.general", True),
        # decontamination reads the playlists PlaylistSense evaluates
        ("eval.playlistsense.playlists", "curate/playlists", True),
        ("eval.playlistsense.songs", "curate/songs", True),
    ],
    "sft": [("sft.data", "build_sft", False), ("sft.base_model", "pretrain/model", True)],
    "build_preferences": [("preferences.source", "build_sft", False)],
    "dpo": [("dpo.data", "build_preferences", False), ("dpo.sft_adapter", "sft/adapter", False)],
    "build_playlistsense": [
        ("eval.playlistsense.playlists", "curate/playlists", True),
        ("eval.playlistsense.songs", "curate/songs", True),
    ],
    "evaluate": [
        ("eval.playlistsense.queries", "build_playlistsense/queries.parquet", False),
        ("eval.playlistsense.playlists", "curate/playlists", True),
        ("eval.playlistsense.songs", "curate/songs", True),
        ("eval.playlistsense.golden", None, True),
        ("eval.task_metrics.data", "build_sft", False),
        ("eval.model.model", "<newest>", True),
        ("eval.linguistics.prompts", None, True),
    ],
    "build_index": [("serve.playlists", "curate/playlists", True)],
    "serve_demo": [
        ("serve.index_dir", "build_index/index", False),
        ("serve.playlists", "curate/playlists", True),
        ("serve.model", "<newest>", True),
    ],
}
# Outputs besides <run.dir>/<stage>: (config key, default under the stage's own dir).
_EXTRA_OUTPUTS: dict[str, list[tuple[str, str]]] = {
    "pretrain": [("pretrain.storage_path", "ray")],
    "sft": [("sft.storage_path", "ray")],
    "sweep": [("sweep.storage_path", "tune")],
    "dpo": [("dpo.storage_path", "ray")],
}
# Content-keyed caches a stage reads and writes: (config key, default under run.dir). Entries are keyed by a
# hash of the request, so stages may share one; the generator-level cache is used by openai backends only.
_CACHES: dict[str, list[tuple[str, str]]] = {
    "build_sft": [("sft_data.cache_dir", "cache/teacher")],
    "build_preferences": [("preferences.cache_dir", "cache/preferences")],
}
_OPENAI_GENERATORS: dict[str, list[str]] = {
    "build_sft": ["sft_data.teacher"],
    "build_preferences": ["preferences.strong", "preferences.weak"],
    "build_playlistsense": ["generator"],
    "evaluate": ["eval.model", "eval.judge.generator"],
}
# Newest first, as songsage.models.runs.TRAINED_STAGES: what an empty eval.model.model / serve.model picks.
_NEWEST = [("dpo", "dpo/adapter"), ("sft", "sft/adapter"), ("pretrain", "pretrain/model")]


@dataclass(frozen=True)
class StageIO:
    """Where one stage reads and writes, resolved from the config (local absolute paths or URIs).

    ``inputs``/``outputs``/``caches``: config key (``output`` for ``<run.dir>/<stage>``) -> path;
    ``external``: the input keys that may name something no stage writes (raw data, models, benchmarks).
    Model inputs that are not paths (hub ids, registry names) are left out."""

    inputs: dict[str, str]
    outputs: dict[str, str]
    caches: dict[str, str]
    external: frozenset[str]


def _get(cfg: Config, key: str) -> Any:
    obj: Any = cfg
    for part in key.split("."):
        obj = obj[int(part)] if part.isdigit() else getattr(obj, part)
    return obj


def _earlier(cfg: Config, stage: str) -> list[str]:
    order = list(cfg.pipeline.stages) if stage in cfg.pipeline.stages else list(STAGES)
    return order[: order.index(stage)]


def _path(cfg: Config, value: str) -> str:
    from songsage.config.paths import is_uri, join, resolve_path, run_dir
    from songsage.models.runs import RUN_PREFIX

    if value.startswith(RUN_PREFIX):
        return join(run_dir(cfg), value[len(RUN_PREFIX) :])
    return value if is_uri(value) else resolve_path(value)


def _is_path(value: str) -> bool:
    """Model references that name files: URIs, ``run:`` refs, absolute or existing paths (not hub ids)."""
    from pathlib import Path

    from songsage.config.paths import is_uri
    from songsage.models.runs import RUN_PREFIX

    return is_uri(value) or value.startswith((RUN_PREFIX, "/", ".")) or Path(value).exists()


def stage_io(cfg: Config, stage: str) -> StageIO:
    """Inputs, outputs and caches of ``stage`` under ``cfg`` (run as a job or as a ``pipeline.stages`` step),
    without touching storage. An empty ``eval.model.model``/``serve.model`` resolves to the newest training
    stage before ``stage`` in ``pipeline.stages`` (dpo > sft > pretrain), as the stages pick it at run time."""
    from songsage.config.paths import job_output_dir, join, run_dir

    if stage not in STAGES:
        raise KeyError(f"unknown stage {stage!r}; known stages: {', '.join(STAGES)}")
    root = run_dir(cfg)
    inputs: dict[str, str] = {}
    external = set()
    model_keys = {"model.name_or_path", "sft.base_model", "eval.model.model", "serve.model"}
    # a sweep's trials run sweep.stage, so they read what that stage reads
    specs = list(_INPUTS[cfg.sweep.stage if stage == "sweep" else stage])
    if stage == "evaluate":
        specs += [(f"eval.compare.{i}.model", None, True) for i, c in enumerate(cfg.eval.compare)]
        specs += [
            (f"eval.choice.benchmarks.{i}.path", None, True) for i in range(len(cfg.eval.choice.benchmarks))
        ]
        model_keys |= {f"eval.compare.{i}.model" for i in range(len(cfg.eval.compare))}
    if stage == "serve_demo":
        specs += [(f"serve.adapters.{i}.path", None, True) for i in range(len(cfg.serve.adapters))]
    for key, default, ext in specs:
        value = str(_get(cfg, key) or "")
        if key == "serve.model" and cfg.serve.mlflow_model_uri:
            continue  # the MLflow model wins; it is outside the run dir by nature
        if not value and default == "<newest>":
            done = _earlier(cfg, stage)
            value = next((f"run:{rel}" for name, rel in _NEWEST if name in done), "")
        elif not value and default and default.startswith("="):
            value = str(_get(cfg, default[1:]) or "")
        elif not value and default:
            value = f"run:{default}"
        if not value or (key in model_keys and not _is_path(value)):
            continue
        if key.startswith("eval.compare.") and cfg.eval.compare[int(key.split(".")[2])].backend != "hf":
            continue
        if key == "eval.model.model" and cfg.eval.model.backend != "hf":
            continue
        inputs[key] = _path(cfg, value)
        if ext:
            external.add(key)
    out_dir = job_output_dir(cfg, stage)
    outputs = {"output": out_dir}
    for key, default in _EXTRA_OUTPUTS.get(stage, []):
        value = str(_get(cfg, key) or "")
        outputs[key] = _path(cfg, value) if value else join(out_dir, default)
    caches = {}
    for key, default in _CACHES.get(stage, []):
        value = str(_get(cfg, key) or "")
        caches[key] = _path(cfg, value) if value else join(root, default)
    gens = list(_OPENAI_GENERATORS.get(stage, []))
    if stage == "evaluate":
        gens += [f"eval.compare.{i}" for i in range(len(cfg.eval.compare))]
    for key in gens:
        gen = _get(cfg, key)
        if gen.backend == "openai" and gen.cache_dir != "off":
            caches[f"{key}.cache_dir"] = (
                _path(cfg, gen.cache_dir) if gen.cache_dir else join(root, "cache", "generator")
            )
    return StageIO(inputs, outputs, caches, frozenset(external))


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def lineage_tags(cfg: Config, stage: str) -> dict[str, str]:
    """MLflow tags tracing ``stage``'s inputs: for each earlier stage it reads from,
    ``lineage.<stage>.run_id`` (its newest finished run under this run dir) and
    ``lineage.<stage>.manifest_sha256``; inputs no stage writes (raw data, models, benchmarks) as
    ``input.<config key>`` = path. Evaluation and serving thus name the model run they used."""
    from songsage.config.paths import join, run_dir
    from songsage.storage import exists, file_digest
    from songsage.tracking import latest_run_id

    root = run_dir(cfg)
    tags: dict[str, str] = {}
    for key, path in sorted(stage_io(cfg, stage).inputs.items()):
        producer = next((s for s in STAGES if s != stage and _under(path, join(root, s))), None)
        if producer is None:
            tags[f"input.{key}"] = path
            continue
        if f"lineage.{producer}.run_id" in tags:
            continue
        tags[f"lineage.{producer}.run_id"] = latest_run_id(cfg, producer) or "none"
        manifest = join(root, producer, "manifest.json")
        tags[f"lineage.{producer}.manifest_sha256"] = file_digest(manifest) if exists(manifest) else "none"
    return tags


def chain_problems(cfg: Config) -> list[str]:
    """What is wrong with how ``pipeline.stages`` chain through ``run.dir`` (empty = nothing): two stages
    writing one place, an input that no earlier stage writes and that may not be external, an output or
    cache outside ``run.dir``, a cache inside a stage's output."""
    from songsage.config.paths import run_dir

    root = run_dir(cfg)
    ios = {stage: stage_io(cfg, stage) for stage in cfg.pipeline.stages}
    problems = []
    written: list[tuple[str, str, str]] = []  # (stage, key, path)
    for stage, io in ios.items():
        for key, path in io.inputs.items():
            if any(_under(path, p) for _, _, p in written):
                continue
            if _under(path, root) or key not in io.external:
                problems.append(f"{stage}: input {key} = {path} is written by no earlier stage")
        for key, path in io.outputs.items():
            if not _under(path, root):
                problems.append(f"{stage}: output {key} = {path} is outside run.dir {root}")
            for other, okey, opath in written:
                if other != stage and (_under(path, opath) or _under(opath, path)):
                    problems.append(f"{stage}: output {key} = {path} overlaps {other}'s {okey} = {opath}")
        written += [(stage, key, path) for key, path in io.outputs.items()]
    for stage, io in ios.items():
        for key, path in io.caches.items():
            if not _under(path, root):
                problems.append(f"{stage}: cache {key} = {path} is outside run.dir {root}")
            for other, okey, opath in written:
                if _under(path, opath):
                    problems.append(f"{stage}: cache {key} = {path} is inside {other}'s {okey} = {opath}")
    return problems
