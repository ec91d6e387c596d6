"""Starting or joining Ray the same way in jobs, tests and benchmarks.

Local (no address): start Ray in-process; workers find ``songsage`` through PYTHONPATH. Remote
(``ray.address`` or ``RAY_ADDRESS``, or inside ``ray job submit``): ship the package with
``runtime_env.py_modules`` so cluster workers import the same code as the driver.
"""

from __future__ import annotations

import os
from pathlib import Path

from songsage.config.schema import RayConfig

PACKAGE_DIR = Path(__file__).resolve().parent


def init_ray(cfg: RayConfig) -> None:
    """Connect to (or start) Ray once per process; a second call is a no-op."""
    import ray

    if ray.is_initialized():
        return
    address = cfg.address or os.environ.get("RAY_ADDRESS", "")
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = cfg.progress_bars
    # groupby/shuffle partitions: Ray's default (200) is tuned for clusters and costs ~10 s a
    # stage on a laptop; scale with the configured block count instead.
    ctx.default_hash_shuffle_parallelism = max(1, cfg.target_blocks)
    if address:
        ray.init(address=address, runtime_env={"py_modules": [str(PACKAGE_DIR)]}, log_to_driver=True)
        return
    platform_dir = str(PACKAGE_DIR.parent)
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if platform_dir not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([platform_dir, *paths])
    # address="local": always start a fresh in-process cluster, never attach to another Ray that
    # happens to run on this machine (a `ray start` there would otherwise be joined silently).
    ray.init(address="local", num_cpus=cfg.num_cpus, include_dashboard=True, configure_logging=False)
