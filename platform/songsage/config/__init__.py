"""Config: typed schema, YAML profiles, ``--set`` overrides, run-directory paths."""

import os

from songsage.config.loader import ConfigError, apply_overrides, build, flatten, load, to_dict
from songsage.config.paths import is_uri, job_output_dir, resolve_path
from songsage.config.schema import Config


def load_config(path: str | None, overrides: list[str] | None = None) -> Config:
    """Load the root :class:`Config` from a YAML profile plus ``dotted.key=value`` overrides.

    A model or tokenizer reference that names an existing local directory relative to the working
    directory becomes absolute: Ray workers load it from another working directory, where a relative
    path would be taken for a hub id."""
    cfg = load(Config, path, overrides)
    for section in (cfg.tokenizer, cfg.model):
        ref = section.name_or_path
        if ref and not is_uri(ref) and not os.path.isabs(ref) and os.path.isdir(ref):
            section.name_or_path = resolve_path(ref)
    return cfg


__all__ = [
    "Config",
    "ConfigError",
    "apply_overrides",
    "build",
    "flatten",
    "job_output_dir",
    "load",
    "load_config",
    "resolve_path",
    "to_dict",
]
