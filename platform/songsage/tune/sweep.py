"""Ray Tune sweeps over a training stage (pretrain, SFT, DPO): ``python jobs/sweep.py --stage sft``.

Driver (:func:`run_sweep`): parses and checks ``sweep.space`` against the typed config (before any trial),
builds a ``Tuner`` (random search or Optuna's TPE, ASHA on the stage's validation metric in optimizer steps,
concurrency bounded by the cluster's CPUs/GPUs), or restores the sweep from its storage path when a previous
invocation left state there, then writes ``trials.csv``/``trials.md``/``best.yaml`` and logs the table and the
best trial to the sweep's MLflow run (the parent).

Trial (:func:`run_trial`, Ray 2.60's Train V2 pattern): a Tune function that runs the stage's own job body
(its Ray Train run through :func:`songsage.train.launcher.launch`) in a nested MLflow run, with a Train
callback that forwards each evaluation to Tune, so ASHA can stop the trial between evaluations. A trial that
raises is reported as failed with its error; the others go on.
"""

from __future__ import annotations

import math
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from songsage.config import Config, ConfigError
from songsage.config.paths import is_uri, join, resolve_path
from songsage.storage import write_text
from songsage.tracking import Tracker
from songsage.tune.space import SearchSpace, base_tree, parse_space, trial_config

# The metric a stage reports at each evaluation: its validation loss (the DPO job has no validation split).
STAGE_METRIC = {"pretrain": "eval_loss", "sft": "eval_loss", "dpo": "loss"}
TIME_ATTR = "step"  # ASHA's clock: the stage's optimizer step
PARENT_TAG = "mlflow.parentRunId"
TRIAL_TAG = "sweep.trial_id"
BEST_FILE = "best.yaml"


class SweepError(RuntimeError):
    """The sweep cannot run (no resources for one trial, missing search library) or no trial succeeded."""


@dataclass
class TrialContext:
    """What every trial needs from the driver (pickled into the Tune function).

    ``base``: the config tree without ``sweep``; ``stage``: the stage job to run; ``trials_dir``: each trial
    writes ``<trials_dir>/<trial_id>``; ``parent_run_id``: the sweep's MLflow run; ``metric``: reported metric.
    """

    base: dict[str, Any]
    stage: str
    trials_dir: str
    parent_run_id: str | None
    metric: str


def metric_name(cfg: Config) -> str:
    """``sweep.metric`` or the stage's validation metric."""
    return cfg.sweep.metric or STAGE_METRIC[cfg.sweep.stage]


def trial_resources(cfg: Config) -> tuple[float, float]:
    """(CPUs, GPUs) one trial holds: its driver plus the stage's Train workers."""
    section = getattr(cfg, cfg.sweep.stage)
    cpus = cfg.sweep.trial_cpus + section.num_workers * section.cpus_per_worker
    gpus = float(section.num_workers) if section.use_gpu else 0.0
    return cpus, gpus


def max_concurrent(cfg: Config, cluster_cpus: float, cluster_gpus: float) -> int:
    """Trials at once: ``sweep.max_concurrent_trials``, else as many as fit beside ``sweep.data_cpus`` kept for
    Ray Data (at most ``num_samples``). Raises :class:`SweepError` if not even one trial fits."""
    cpus, gpus = trial_resources(cfg)
    free = cluster_cpus - cfg.sweep.data_cpus
    fit = math.floor(free / cpus + 1e-9) if cpus else cfg.sweep.num_samples
    if gpus:
        fit = min(fit, math.floor(cluster_gpus / gpus + 1e-9))
    if fit < 1:
        raise SweepError(
            f"one {cfg.sweep.stage} trial needs {cpus:g} CPUs and {gpus:g} GPUs plus sweep.data_cpus="
            f"{cfg.sweep.data_cpus:g} for Ray Data, but the cluster has {cluster_cpus:g} CPUs and {cluster_gpus:g} "
            f"GPUs: lower {cfg.sweep.stage}.num_workers/cpus_per_worker or sweep.data_cpus"
        )
    if cfg.sweep.max_concurrent_trials:
        return cfg.sweep.max_concurrent_trials
    return max(1, min(fit, cfg.sweep.num_samples))


# ---------------------------------------------------------------------------------------------- trial
def _report_callback(metric: str) -> Any:
    """Tune's Train V2 report callback, forwarding only reports that carry ``metric`` (ASHA needs it in every
    result) and without the loss history (kept in MLflow)."""
    from ray.tune.integration.ray_train import TuneReportCallback

    class EvalReportCallback(TuneReportCallback):
        def after_report(self, run_context: Any, metrics: list[dict[str, Any]], checkpoint: Any) -> None:
            first = {k: v for k, v in metrics[0].items() if k != "history"}
            if metric in first:
                super().after_report(run_context, [first], checkpoint)

    return EvalReportCallback()


def _pin_ray_address() -> None:
    """Make the Train run's helper actors join this trial's cluster by address.

    Train V2's PlacementGroupCleaner queries the state API with no address, i.e. ``RAY_ADDRESS`` or "auto";
    on a machine running several Ray instances "auto" fails ("Found multiple active Ray instances"), the
    cleaner dies and the placement groups of trials that ASHA stopped are never released. Train forwards a
    fixed list of variables to its controller (whose children inherit them); RAY_ADDRESS is added to it.
    """
    import ray
    from ray.train.v2._internal import constants

    os.environ.setdefault("RAY_ADDRESS", ray.get_runtime_context().gcs_address)
    constants.ENV_VARS_TO_PROPAGATE.add("RAY_ADDRESS")


def trial_setup(params: dict[str, Any], ctx: TrialContext, trial_id: str) -> tuple[Config, str]:
    """(config, output dir) of one trial: ``params`` applied to the base config, its own Ray Train storage
    under ``<trials_dir>/<trial_id>`` and no Train-level retries (``max_failures`` 0)."""
    cfg = trial_config(ctx.base, params)
    out_dir = join(ctx.trials_dir, trial_id)
    section = getattr(cfg, ctx.stage)
    # Each trial keeps its own Ray Train storage, so a restored sweep resumes a trial from its checkpoint.
    section.storage_path = join(out_dir, "ray")
    # When Tune stops a trial (ASHA), its Train worker dies before the controller, and a Train retry would
    # start a new worker group whose placement group the dying controller never hands to Train's cleaner:
    # it stayed reserved (0.5 CPU) until the Ray session ended. A failed trial is Tune's to report or resume.
    section.max_failures = 0
    return cfg, out_dir


def run_trial(params: dict[str, Any], ctx: TrialContext) -> None:
    """The Tune function of one trial: the stage's job body with ``params`` applied, in a nested MLflow run."""
    from ray import tune

    from songsage.stages import get_stage
    from songsage.train.launcher import reporting_to

    trial_id = tune.get_context().get_trial_id()
    _pin_ray_address()
    cfg, out_dir = trial_setup(params, ctx, trial_id)
    if not is_uri(out_dir):
        Path(out_dir).mkdir(parents=True, exist_ok=True)
    tags = {TRIAL_TAG: trial_id, "sweep.stage": ctx.stage}
    if ctx.parent_run_id:
        tags[PARENT_TAG] = ctx.parent_run_id
    body = get_stage(ctx.stage)
    with Tracker(cfg, ctx.stage, tags=tags) as tracker:
        tracker.log_params({f"trial.{k}": v for k, v in params.items()})
        with reporting_to([_report_callback(ctx.metric)]):
            body(cfg, out_dir, tracker)


# ---------------------------------------------------------------------------------------------- driver
def search_algorithm(cfg: Config, space: SearchSpace, metric: str, concurrent: int) -> Any:
    """Random search (Tune's variant generator) or Optuna's TPE (``sweep.search`` tpe, or auto where installed)."""
    seed = cfg.run.seed if cfg.sweep.seed is None else cfg.sweep.seed
    points = [dict(p) for p in space.points] or None
    kind = cfg.sweep.search
    if kind == "auto":
        try:
            import optuna  # noqa: F401

            kind = "tpe" if not space.has_grid else "random"
        except ImportError:
            kind = "random"
    if kind == "tpe":
        try:
            import optuna
            from ray.tune.search.optuna import OptunaSearch
        except ImportError as exc:
            raise SweepError(
                "sweep.search=tpe needs optuna (pip install optuna), or use random/auto"
            ) from exc
        from ray.tune.search import ConcurrencyLimiter

        return ConcurrencyLimiter(
            OptunaSearch(
                points_to_evaluate=points,
                sampler=optuna.samplers.TPESampler(seed=seed),
                metric=metric,
                mode=cfg.sweep.mode,
            ),
            max_concurrent=concurrent,
        )
    from ray.tune.search.basic_variant import BasicVariantGenerator

    # Tune enforces TuneConfig.max_concurrent_trials only for Searchers: the generator takes its own limit.
    return BasicVariantGenerator(points_to_evaluate=points, random_state=seed, max_concurrent=concurrent)


def scheduler(cfg: Config) -> Any:
    """ASHA on the metric in optimizer steps (``sweep.scheduler: none`` -> FIFO)."""
    if cfg.sweep.scheduler == "none":
        return None
    from ray.tune.schedulers import ASHAScheduler

    section = getattr(cfg, cfg.sweep.stage)
    return ASHAScheduler(
        time_attr=TIME_ATTR,
        max_t=cfg.sweep.max_t or section.max_steps or 100,
        grace_period=cfg.sweep.grace_period,
        reduction_factor=cfg.sweep.reduction_factor,
    )


def _interrupt_after(n: int) -> Any:
    """A Tune callback that interrupts the sweep (as Ctrl+C does: state saved, resumable) once ``n`` trials
    have finished in this invocation."""
    from ray.tune import Callback

    class InterruptAfter(Callback):
        def __init__(self) -> None:
            self.finished = 0
            self.fired = False

        def _count(self) -> None:
            self.finished += 1
            if self.finished >= n and not self.fired:
                self.fired = True
                # Tune's own interrupt handler (SIGUSR1 = SIGINT without a KeyboardInterrupt elsewhere).
                os.kill(os.getpid(), signal.SIGUSR1)

        def on_trial_complete(self, iteration: int, trials: list, trial: Any, **info: Any) -> None:
            self._count()

        def on_trial_error(self, iteration: int, trials: list, trial: Any, **info: Any) -> None:
            self._count()

    return InterruptAfter()


def sweep_paths(cfg: Config, out_dir: str) -> tuple[str, str]:
    """(Tune storage path, experiment name): ``sweep.storage_path`` or ``<out_dir>/tune``;
    ``sweep.name`` or ``sweep-<stage>-<run.name>``."""
    store = resolve_path(cfg.sweep.storage_path) if cfg.sweep.storage_path else join(out_dir, "tune")
    return store, cfg.sweep.name or f"sweep-{cfg.sweep.stage}-{cfg.run.name}"


def build_tuner(cfg: Config, space: SearchSpace, ctx: TrialContext, out_dir: str) -> tuple[Any, bool, Any]:
    """A new ``Tuner``, or the one restored from the sweep's storage path. Returns (tuner, restored, interrupter)."""
    import ray
    from ray import tune

    store, name = sweep_paths(cfg, out_dir)
    cpus, gpus = trial_resources(cfg)
    resources = ray.cluster_resources()
    concurrent = max_concurrent(cfg, float(resources.get("CPU", 0)), float(resources.get("GPU", 0)))
    trainable = tune.with_resources(
        tune.with_parameters(run_trial, ctx=ctx), {"cpu": cfg.sweep.trial_cpus, "gpu": 0}
    )
    interrupter = _interrupt_after(cfg.sweep.stop_after_trials) if cfg.sweep.stop_after_trials else None
    path = join(store, name)
    if tune.Tuner.can_restore(path):
        print(f"[sweep] restoring {path} (finished trials are kept, unfinished ones resume)")
        tuner = tune.Tuner.restore(path, trainable=trainable, resume_unfinished=True, resume_errored=False)
        if interrupter is not None:
            # The restored run config keeps the callbacks it was saved with; this invocation's limit applies.
            tuner._local_tuner._run_config.callbacks = [interrupter]
        else:
            tuner._local_tuner._run_config.callbacks = []
        return tuner, True, interrupter
    print(
        f"[sweep] {cfg.sweep.num_samples} samples of {cfg.sweep.stage} over {', '.join(space.keys)}; "
        f"{concurrent} at once (each {cpus:g} CPU, {gpus:g} GPU; {cfg.sweep.data_cpus:g} CPU kept for Ray Data)"
    )
    tuner = tune.Tuner(
        trainable,
        param_space=space.param_space(),
        tune_config=tune.TuneConfig(
            metric=ctx.metric,
            mode=cfg.sweep.mode,
            search_alg=search_algorithm(cfg, space, ctx.metric, concurrent),
            scheduler=scheduler(cfg),
            num_samples=cfg.sweep.num_samples,
            # The search algorithm carries the limit (Tune ignores this one for generators, with a warning).
            max_concurrent_trials=None,
            trial_dirname_creator=trial_dirname,
        ),
        run_config=tune.RunConfig(
            name=name,
            storage_path=store,
            failure_config=tune.FailureConfig(max_failures=0),
            callbacks=[interrupter] if interrupter is not None else None,
            verbose=1,
        ),
    )
    return tuner, False, interrupter


def trial_dirname(trial: Any) -> str:
    """Tune's directory of a trial = its id (results map back to trials and their MLflow runs by it)."""
    return str(trial.trial_id)


def trial_rows(grid: Any, keys: list[str], metric: str, interrupted: bool) -> list[dict[str, Any]]:
    """One row per trial: trial id, status (completed / stopped early / failed / unfinished), the sampled
    values, the last reported metric and step, and the error of a failed trial.

    A trial that ended without an error and without the stage's final report ("finished") was stopped by the
    scheduler, unless this invocation was interrupted (then it is "unfinished" and resumes on restore).
    """
    rows = []
    for result in grid:
        m = dict(result.metrics or {})
        trial_id = Path(result.path).name
        if result.error is not None:
            status = "failed"
        elif m.get("finished"):
            status = "completed"
        elif not interrupted and m:
            status = "stopped early"
        else:
            status = "unfinished"
        config = result.config or {}
        rows.append(
            {
                "trial": trial_id,
                "status": status,
                **{k: config.get(k) for k in keys},
                metric: m.get(metric, float("nan")),
                "steps": int(m.get(TIME_ATTR, 0) or 0),
                "reports": int(m.get("training_iteration", 0) or 0),
                "error": _first_line(result.error),
            }
        )
    rows.sort(key=lambda r: r["trial"])
    return rows


def _first_line(error: Any) -> str:
    if error is None:
        return ""
    text = str(error).strip()
    # Ray wraps the trial's exception: the last line names it (e.g. "ShardError: 40 training rows ...").
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return (lines[-1] if lines else type(error).__name__)[:300]


def best_row(rows: list[dict[str, Any]], metric: str, mode: str) -> dict[str, Any] | None:
    """The best completed trial by its final metric (stopped/failed trials never win)."""
    done = [r for r in rows if r["status"] == "completed" and not math.isnan(float(r[metric]))]
    if not done:
        return None
    return (min if mode == "min" else max)(done, key=lambda r: float(r[metric]))


def write_best(cfg: Config, params: dict[str, Any], out_dir: str) -> str:
    """``<out_dir>/best.yaml``: the full profile of the best trial (no sweep section, default output dir), which
    the stage job accepts as ``--config``. Returns its path."""
    from songsage.config import to_dict

    best = to_dict(trial_config(base_tree(cfg), params))
    best.pop("sweep", None)
    best["output"] = {"dir": ""}
    text = (
        "# Best trial of the sweep; run with: python jobs/<stage>.py --config <this file>\n"
        + yaml.safe_dump(best, allow_unicode=True, sort_keys=False)
    )
    path = join(out_dir, BEST_FILE)
    write_text(text, path)
    return path


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return "n/a" if math.isnan(value) else f"{value:.6g}"
    return "" if value is None else str(value)


def table_lines(rows: list[dict[str, Any]]) -> list[str]:
    """The trials as a Markdown table."""
    from songsage.markdown import markdown_table

    header = list(rows[0]) if rows else ["trial"]
    return markdown_table(header, ([_fmt(r[h]) for h in header] for r in rows))


def tag_trial_runs(tracker: Tracker, rows: list[dict[str, Any]], metric: str) -> int:
    """Mark each nested MLflow run with its sweep status and final metric; close runs of trials ASHA stopped
    (their process was ended mid-run). Returns how many nested runs exist under the sweep's run."""
    if not tracker.active or tracker.run_id is None:
        return 0
    import mlflow

    client = mlflow.MlflowClient(tracking_uri=tracker.uri)
    exp = client.get_experiment_by_name(tracker.cfg.tracking.experiment)
    runs = client.search_runs([exp.experiment_id], f"tags.`{PARENT_TAG}` = '{tracker.run_id}'")
    by_trial = {r["trial"]: r for r in rows}
    for run in runs:
        row = by_trial.get(run.data.tags.get(TRIAL_TAG, ""))
        if row is None:
            continue
        client.set_tag(run.info.run_id, "sweep.status", row["status"])
        client.set_tag(run.info.run_id, "sweep.stopped_early", str(row["status"] == "stopped early").lower())
        if row["error"]:
            client.set_tag(run.info.run_id, "sweep.error", row["error"][:250])
        value = float(row[metric])
        if not math.isnan(value):
            client.log_metric(run.info.run_id, f"final_{metric}", value)
        # A stopped trial's run is ended by the interrupt of its process (FAILED) or not at all (RUNNING).
        status = {"failed": "FAILED", "completed": "FINISHED"}.get(row["status"], "KILLED")
        if run.info.status != status:
            client.set_terminated(run.info.run_id, status)
    return len(runs)


def run_sweep(cfg: Config, out_dir: str, tracker: Tracker) -> dict[str, Any]:
    """Run (or resume) the sweep; write trials.csv/trials.md/best.yaml; return a summary dict.

    Raises ConfigError for a bad search space (before any trial) and SweepError when no trial completed
    (unless the invocation was interrupted by ``sweep.stop_after_trials``).
    """
    import pandas as pd

    stage = cfg.sweep.stage
    space = parse_space(cfg)
    metric = metric_name(cfg)
    if not is_uri(out_dir):
        Path(out_dir).mkdir(parents=True, exist_ok=True)
    ctx = TrialContext(base_tree(cfg), stage, join(out_dir, "trials"), tracker.run_id, metric)
    tracker.set_tags({"sweep.stage": stage, "sweep.metric": metric})
    tuner, restored, interrupter = build_tuner(cfg, space, ctx, out_dir)
    start = time.perf_counter()
    grid = tuner.fit()
    wall = time.perf_counter() - start
    interrupted = bool(interrupter is not None and interrupter.fired)
    rows = trial_rows(grid, space.keys, metric, interrupted)
    frame = pd.DataFrame(rows)
    csv_text = frame.to_csv(index=False)
    md_text = "\n".join(table_lines(rows)) + "\n"
    write_text(csv_text, join(out_dir, "trials.csv"))
    write_text(md_text, join(out_dir, "trials.md"))
    tracker.log_text(csv_text, "trials.csv")
    tracker.log_text(md_text, "trials.md")
    nested = tag_trial_runs(tracker, rows, metric)
    best = best_row(rows, metric, cfg.sweep.mode)
    counts = frame["status"].value_counts().to_dict() if rows else {}
    summary: dict[str, Any] = {
        "stage": stage,
        "metric": metric,
        "mode": cfg.sweep.mode,
        "rows": rows,
        "counts": counts,
        "wall_s": wall,
        "restored": restored,
        "interrupted": interrupted,
        "nested_runs": nested,
        "storage": join(*sweep_paths(cfg, out_dir)),
        "best": best,
        "best_yaml": "",
    }
    tracker.log_metrics({f"trials_{k.replace(' ', '_')}": float(v) for k, v in counts.items()})
    if best is not None:
        params = {k: best[k] for k in space.keys}
        summary["best_yaml"] = write_best(cfg, params, out_dir)
        tracker.log_params({f"best.{k}": v for k, v in params.items()} | {"best.trial": best["trial"]})
        tracker.log_metrics({f"best_{metric}": float(best[metric])})
        tracker.log_artifact(summary["best_yaml"]) if not is_uri(summary["best_yaml"]) else None
    elif not interrupted:
        errors = "; ".join(f"{r['trial']}: {r['error'] or r['status']}" for r in rows)
        raise SweepError(f"no {stage} trial completed ({errors})")
    print("\n".join(["", f"[sweep] trials ({metric}, {cfg.sweep.mode}):", *table_lines(rows)]))
    return summary


def summarize(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """Closing-summary rows for :func:`songsage.cli.run_job`."""
    best = summary["best"]
    metric = summary["metric"]
    rows = [
        ("stage", summary["stage"]),
        ("trials", ", ".join(f"{v} {k}" for k, v in sorted(summary["counts"].items())) or "none"),
        ("metric", f"{metric} ({summary['mode']})"),
        ("wall time", f"{summary['wall_s']:.1f} s" + (" (restored)" if summary["restored"] else "")),
        ("storage", summary["storage"]),
    ]
    if best is not None:
        rows += [
            ("best trial", f"{best['trial']}: {metric} {_fmt(best[metric])}"),
            ("best.yaml", summary["best_yaml"]),
        ]
    if summary["interrupted"]:
        rows.append(("interrupted", "sweep.stop_after_trials reached; rerun the same command to resume"))
    return rows


def sweep_stage(cfg: Config, out_dir: str, tracker: Tracker) -> list[tuple[str, str]]:
    """The sweep job's body: ``sweep.stage`` trials, tracked under this job's MLflow run."""
    if cfg.sweep.stage not in STAGE_METRIC:
        raise ConfigError(f"sweep.stage: one of {', '.join(STAGE_METRIC)}, got {cfg.sweep.stage!r}")
    return summarize(run_sweep(cfg, out_dir, tracker))
