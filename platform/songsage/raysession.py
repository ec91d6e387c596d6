"""Starting or joining Ray the same way in jobs, tests and benchmarks.

Local (no address): start Ray in-process; workers find ``songsage`` through PYTHONPATH. Remote
(``ray.address`` or ``RAY_ADDRESS``, or inside ``ray job submit``): ship the package with
``runtime_env.py_modules`` so cluster workers import the same code as the driver.

Console: Ray's and libraries' own chatter (Ray Data's execution/progress logs, worker stdout, DeepSpeed and
transformers notices) goes to Ray's session log dir; the console keeps SongSage's ``[stage] ...`` lines,
errors, the summaries and the tables. Progress bars are drawn only when stdout is a terminal.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from pathlib import Path
from typing import Any

from songsage.config.schema import RayConfig

PACKAGE_DIR = Path(__file__).resolve().parent

# Environment of the driver and every worker. Setdefault: a user's own value wins.
QUIET_ENV: dict[str, str] = {
    # Ray Train v2 patches print() on workers to also log it, so every worker print reached the console twice.
    "RAY_TRAIN_ENABLE_PRINT_PATCH": "0",
    # DeepSpeed ZeRO-2 calls torch.distributed.all_gather_into_tensor, which torch deprecates with a
    # FutureWarning on every call (every step); DeepSpeed's code, not ours, so a targeted filter.
    "PYTHONWARNINGS": "ignore:`torch.distributed.all_gather_into_tensor` is deprecated:FutureWarning",
    # transformers' per-load notices (unused weights, generation flags); errors still print.
    "TRANSFORMERS_VERBOSITY": "error",
    # MLflow prints two "View run/experiment at" lines per run on an HTTP server; the job summary names the run.
    "MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT": "true",
}
# Only where stdout is not a terminal: tqdm bars (transformers' weight loading, checkpoint shards) redraw
# as one line per update in a log.
NON_TTY_ENV: dict[str, str] = {"TQDM_DISABLE": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
# Shipped to workers as the driver has them (when set): the node-local cache root and the object store's
# endpoint and credentials, so a worker on another node reads and writes the run's storage like the driver.
PASSTHROUGH_ENV = (
    "SONGSAGE_NODE_CACHE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_DEFAULT_REGION",
    "MLFLOW_TRACKING_URI",
    "MLFLOW_S3_ENDPOINT_URL",
)

# Ray kills a worker process idle for 1 s above its soft limit (one per CPU), and Ray Data's many short
# tasks with fractional CPUs then start new ones: on 2 cores the churn (2-3 CPU-seconds per Python worker)
# doubled the curate job's wall time (250.6 s against 141.4 s with 60 s, the shipped sample, same machine).
RAY_SYSTEM_CONFIG: dict[str, Any] = {"idle_worker_killing_time_threshold_ms": 60_000}

# A worker line echoed under ray.worker_logs=songsage: SongSage's own "[stage] ..." lines and errors.
_KEEP_WORKER_LINE = re.compile(r"^\[[a-z_]+\] |Traceback|Error\b|Exception\b|^\s+File \"")


def is_tty() -> bool:
    """Whether stdout is an interactive terminal (progress bars) rather than a log or pipe."""
    return sys.stdout.isatty()


def keep_worker_line(line: str) -> bool:
    """True for a worker output line the console shows under ``ray.worker_logs: songsage``."""
    return bool(_KEEP_WORKER_LINE.search(line))


def worker_env() -> dict[str, str]:
    """The environment variables set (unless already set) in the driver and shipped to every worker."""
    env = dict(QUIET_ENV)
    if not is_tty():
        env.update(NON_TTY_ENV)
    if "DS_ACCELERATOR" not in os.environ and not _has_cuda():
        env["DS_ACCELERATOR"] = "cpu"  # else DeepSpeed warns on every import that it fell back to CPU
    out = {k: os.environ.get(k, v) for k, v in env.items()}
    out.update({k: os.environ[k] for k in PASSTHROUGH_ENV if os.environ.get(k)})
    return out


def _has_cuda() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


def _filter_worker_logs() -> None:
    """Echo only :func:`keep_worker_line` lines of workers' output (the rest stays in the worker logs)."""
    from ray._private import worker as ray_worker
    from ray._private.ray_logging import global_worker_stdstream_dispatcher as dispatcher

    ignore_prefix = ray_worker._should_ignore_worker_log_prefix(ray_worker.global_worker)

    def handle(data: dict[str, Any]) -> None:
        lines = [line for line in data.get("lines", []) if keep_worker_line(line)]
        if lines:
            ray_worker.print_to_stdstream({**data, "lines": lines}, ignore_prefix=ignore_prefix)

    dispatcher.remove_handler("ray_print_logs")
    dispatcher.add_handler("ray_print_logs", handle)


def quiet_ray_data_console() -> None:
    """Ray Data's INFO records (execution plans, per-dataset timings, progress blocks) to its log file only."""
    import ray.data  # noqa: F401  (configures the ray.data logger)

    for handler in logging.getLogger("ray.data").handlers:
        if not isinstance(handler, logging.FileHandler) and "File" not in type(handler).__name__:
            handler.setLevel(logging.WARNING)


def init_ray(cfg: RayConfig) -> None:
    """Connect to (or start) Ray once per process; a second call is a no-op."""
    import ray

    if ray.is_initialized():
        return
    env = worker_env()
    os.environ.update(env)
    address = cfg.address or os.environ.get("RAY_ADDRESS", "")
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = cfg.progress_bars and is_tty()
    # groupby/shuffle partitions: Ray's default (200) is tuned for clusters and costs ~10 s a
    # stage on a laptop; scale with the configured block count instead.
    ctx.default_hash_shuffle_parallelism = max(1, cfg.target_blocks)
    if address:
        runtime_env = {"py_modules": [str(PACKAGE_DIR)], "env_vars": env}
        ray.init(address=address, runtime_env=runtime_env, log_to_driver=True)
    else:
        platform_dir = str(PACKAGE_DIR.parent)
        paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        if platform_dir not in paths:
            os.environ["PYTHONPATH"] = os.pathsep.join([platform_dir, *paths])
        # address="local": always start a fresh in-process cluster, never attach to another Ray that
        # happens to run on this machine (a `ray start` there would otherwise be joined silently).
        ray.init(
            address="local",
            num_cpus=cfg.num_cpus,
            include_dashboard=True,
            configure_logging=False,
            _system_config=RAY_SYSTEM_CONFIG,
        )
    quiet_ray_data_console()
    if cfg.worker_logs == "songsage":
        _filter_worker_logs()
