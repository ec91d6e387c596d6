"""Path conventions: URIs stay as they are, local paths become absolute (Ray workers need that)."""

from __future__ import annotations

import os
from pathlib import Path

from songsage.config.schema import Config


def is_uri(path: str) -> bool:
    """True for ``scheme://...`` paths (s3, gs, hdfs, file)."""
    return "://" in path


def resolve_path(path: str, base: str | Path | None = None) -> str:
    """Absolute local path (relative to ``base`` or the cwd), or the URI unchanged; '' stays ''."""
    if not path or is_uri(path):
        return path
    p = Path(os.path.expanduser(path))
    if not p.is_absolute():
        p = Path(base or os.getcwd()) / p
    return str(p.resolve())


def run_dir(cfg: Config) -> str:
    """The run directory that local stages chain through (absolute or URI)."""
    return resolve_path(cfg.run.dir)


def join(base: str, *parts: str) -> str:
    """Join path parts for local paths and URIs alike."""
    out = base.rstrip("/")
    for part in parts:
        out = f"{out}/{part.strip('/')}"
    return out


def job_output_dir(cfg: Config, job: str) -> str:
    """``output.dir`` if set, else ``<run.dir>/<job>``: each job's output root."""
    return resolve_path(cfg.output.dir) if cfg.output.dir else join(run_dir(cfg), job)
