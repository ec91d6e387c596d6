"""Models a run produced: the newest finished training stage in the run directory, and ``run:`` references.

``latest_trained(cfg)`` -> ``(name, path)`` of ``dpo/adapter``, else ``sft/adapter``, else ``pretrain/model``
under ``run.dir`` (a local path or URI), or None. ``resolve_model_ref("run:sft/adapter", cfg)`` ->
``<run.dir>/sft/adapter``. Evaluation and serving use these so a local pipeline evaluates and serves what
it just trained without naming paths.
"""

from __future__ import annotations

from songsage.config import Config
from songsage.config.paths import join, run_dir
from songsage.storage import exists

RUN_PREFIX = "run:"
# Newest first: (name in tables, path under the run dir, file that proves it finished).
TRAINED_STAGES = [
    ("songsage-dpo", "dpo/adapter", "adapter_config.json"),
    ("songsage-sft", "sft/adapter", "adapter_config.json"),
    ("songsage-pretrain", "pretrain/model", "config.json"),
]


def resolve_model_ref(ref: str, cfg: Config) -> str:
    """``run:<rel>`` -> ``<run.dir>/<rel>``; other references unchanged."""
    return join(run_dir(cfg), ref[len(RUN_PREFIX) :]) if ref.startswith(RUN_PREFIX) else ref


def latest_trained(cfg: Config) -> tuple[str, str] | None:
    """``(name, path)`` of the newest finished training stage in the run dir, or None."""
    root = run_dir(cfg)
    for name, rel, marker in TRAINED_STAGES:
        path = join(root, rel)
        if exists(join(path, marker)):
            return name, path
    return None
