"""The job contract shared by every ``jobs/*.py`` script.

``python jobs/<job>.py --config configs/<profile>.yaml [--set k=v ...]``: parse, load and print the
resolved config, start/join Ray, open the job's MLflow run, call the job, print a closing summary
(counts, metrics, output dir, MLflow run). ``run_pipeline`` chains the stages of the main job.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml

from songsage.config import Config, job_output_dir, load_config, to_dict
from songsage.tracking import Tracker

StageBody = Callable[[Config, str, Tracker], list[tuple[str, str]]]

DEFAULT_PROFILE = "configs/local.yaml"


def parse_args(job: str, argv: Sequence[str] | None = None) -> argparse.Namespace:
    """``--config`` (default configs/local.yaml or $SONGSAGE_CONFIG) and repeatable ``--set``."""
    parser = argparse.ArgumentParser(prog=f"jobs/{job}.py", description=f"SongSage {job} job")
    parser.add_argument(
        "--config", default=os.environ.get("SONGSAGE_CONFIG", DEFAULT_PROFILE), help="YAML profile"
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config value, e.g. --set curate.pack.seq_len=512 (repeatable)",
    )
    return parser.parse_args(argv)


def print_config(cfg: Config, profile: str, overrides: Sequence[str]) -> None:
    """Print the resolved config as YAML in a terminal; to a log or pipe, one line (each job's MLflow run
    keeps the full resolved config as ``config.json``)."""
    from songsage.raysession import is_tty

    if not is_tty():
        sets = f" with {', '.join(overrides)}" if overrides else ""
        print(f"config: {profile}{sets} (resolved config: config.json in each MLflow run)")
        return
    print("=" * 80)
    print("resolved config:")
    print(yaml.safe_dump(to_dict(cfg), allow_unicode=True, sort_keys=False).rstrip())
    print("=" * 80)


def print_summary(job: str, rows: list[tuple[str, str]], out_dir: str, tracker: Tracker) -> None:
    """The closing summary table of a job."""
    rows = [*rows, ("outputs", out_dir), ("mlflow", tracker.where())]
    width = max(len(k) for k, _ in rows)
    print("\n" + "=" * 80)
    print(f"{job} summary")
    print("-" * 80)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    print("=" * 80)


def _load(job: str, argv: Sequence[str] | None) -> Config | None:
    from songsage.config import ConfigError

    args = parse_args(job, argv)
    try:
        cfg = load_config(args.config, args.overrides)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return None
    print_config(cfg, args.config, args.overrides)
    from songsage.raysession import init_ray

    if cfg.run.node_cache:
        from songsage.config.paths import resolve_path
        from songsage.storage.sync import NODE_CACHE_ENV

        os.environ[NODE_CACHE_ENV] = resolve_path(cfg.run.node_cache)

    init_ray(cfg.ray)
    return cfg


def run_stage(
    cfg: Config, job: str, out_dir: str, body: StageBody, summary: bool = True, nested: bool = False
) -> list[tuple[str, str]]:
    """Run one stage body in its own MLflow run (tagged with its inputs' lineage; ``nested``: a child of the
    main job's run); ``summary``: print its closing table (single jobs; the main job prints all of them in
    the pipeline summary)."""
    from songsage.stages import STAGES, lineage_tags

    if "://" not in out_dir:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
    with Tracker(cfg, job, nested=nested) as tracker:
        if job in STAGES:
            tracker.set_tags(lineage_tags(cfg, job))
        rows = body(cfg, out_dir, tracker)
        if summary:
            print_summary(job, rows, out_dir, tracker)
    return [*rows, ("outputs", out_dir), ("mlflow", tracker.where())]


def stage_line(name: str, rows: list[tuple[str, str]], seconds: float) -> str:
    """The one console line of a finished stage in the main job: seconds and its first summary rows
    (rows in/out)."""
    head = "; ".join(f"{k} {_clip(v)}" for k, v in rows[:3])
    return f"[{name}] done in {seconds:.1f} s: {head}"


def _clip(value: str, width: int = 48) -> str:
    """``value`` cut to ``width`` characters (the pipeline summary has it whole)."""
    return value if len(value) <= width else value[: width - 1] + "…"


def run_job(job: str, body: StageBody, argv: Sequence[str] | None = None) -> int:
    """Run ``body(cfg, out_dir, tracker) -> summary rows`` under the job contract."""
    cfg = _load(job, argv)
    if cfg is None:
        return 2
    from songsage.stages import final_report

    started = time.perf_counter()  # Ray is up: what follows is the job's own time
    out_dir = job_output_dir(cfg, job)
    run_stage(cfg, job, out_dir, body)
    report = final_report(job)  # the evaluation tables, printed once after the summary like the main job
    if report is not None:
        report(cfg, out_dir)
    print(f"[{job}] done in {time.perf_counter() - started:.1f} s after Ray was up")
    return 0


def run_pipeline(argv: Sequence[str] | None = None) -> int:
    """The main job: run ``pipeline.stages`` in order; each stage writes ``<run.dir>/<stage>``."""
    from songsage.config.paths import join, run_dir
    from songsage.stages import final_report, get_stage

    cfg = _load("pipeline", argv)
    if cfg is None:
        return 2
    bodies = [(name, get_stage(name)) for name in cfg.pipeline.stages]  # fail fast on a typo
    results = []
    # One parent MLflow run for the main job; every stage is a nested run of it.
    with Tracker(cfg, "pipeline", tags={"stages": ",".join(cfg.pipeline.stages)}) as parent:
        for name, body in bodies:
            print(f">>> stage {name}", flush=True)
            start = time.perf_counter()
            rows = run_stage(cfg, name, join(run_dir(cfg), name), body, summary=False, nested=parent.active)
            seconds = time.perf_counter() - start
            print(stage_line(name, rows, seconds), flush=True)
            results.append((name, rows, seconds))
            parent.log_metrics({f"seconds.{name}": seconds})
    print("\n" + "#" * 80)
    print("pipeline summary")
    for name, rows, _ in results:
        print(f"\n[{name}]")
        width = max(len(k) for k, _ in rows)
        for key, value in rows:
            print(f"  {key:<{width}}  {value}")
    total = sum(sec for _, _, sec in results)
    print("\n[stage wall-clock seconds]")
    for name, _, sec in results:
        print(f"  {name:<20}  {sec:7.1f}")
    print(f"  {'total':<20}  {total:7.1f}")
    print("#" * 80)
    for name, _, _ in results:
        report = final_report(name)
        if report is not None:
            report(cfg, join(run_dir(cfg), name))
    return 0
