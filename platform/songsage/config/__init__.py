"""Config: typed schema, YAML profiles, ``--set`` overrides, run-directory paths."""

from songsage.config.loader import ConfigError, apply_overrides, build, flatten, load, to_dict
from songsage.config.paths import job_output_dir, resolve_path
from songsage.config.schema import Config


def load_config(path: str | None, overrides: list[str] | None = None) -> Config:
    """Load the root :class:`Config` from a YAML profile plus ``dotted.key=value`` overrides."""
    return load(Config, path, overrides)


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
