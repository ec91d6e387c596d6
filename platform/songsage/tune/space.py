"""Search spaces: ``sweep.space`` (dotted config key -> distribution) checked against the typed config.

Input: the resolved :class:`~songsage.config.Config` and its ``sweep`` section. Output: a
:class:`SearchSpace` (the parsed dimensions, Ray Tune's ``param_space``, the ``points`` to try first), and
:func:`trial_config`, which builds the typed config of one trial from the base config and its sampled
values. Every error (unknown key, a distribution that does not fit the key's type, a value the section's own
validation rejects) is a :class:`~songsage.config.ConfigError` naming the key, raised before any trial runs.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, get_type_hints

from songsage.config import Config, ConfigError, apply_overrides, build, to_dict

KINDS = ("uniform", "loguniform", "randint", "choice", "grid")


@dataclass(frozen=True)
class Dimension:
    """One searched key: ``key`` (dotted), ``kind`` (one of :data:`KINDS`), ``args`` (bounds or values)."""

    key: str
    kind: str
    args: tuple[Any, ...]

    def to_tune(self) -> Any:
        """The Ray Tune domain of this dimension."""
        from ray import tune

        if self.kind == "uniform":
            return tune.uniform(*self.args)
        if self.kind == "loguniform":
            return tune.loguniform(*self.args)
        if self.kind == "randint":
            return tune.randint(*self.args)
        if self.kind == "choice":
            return tune.choice(list(self.args))
        return tune.grid_search(list(self.args))


@dataclass(frozen=True)
class SearchSpace:
    """The parsed ``sweep.space``: its dimensions, in the YAML's order, and the points tried first."""

    dims: tuple[Dimension, ...]
    points: tuple[dict[str, Any], ...]

    @property
    def keys(self) -> list[str]:
        return [d.key for d in self.dims]

    @property
    def has_grid(self) -> bool:
        return any(d.kind == "grid" for d in self.dims)

    def param_space(self) -> dict[str, Any]:
        """Ray Tune's ``param_space``: flat, keyed by the dotted config key."""
        return {d.key: d.to_tune() for d in self.dims}


def _field_type(key: str) -> Any:
    """The annotation of dotted ``key`` in :class:`Config`; ConfigError naming the key if it does not exist."""
    cls: Any = Config
    parts = key.split(".")
    for i, part in enumerate(parts):
        if not dataclasses.is_dataclass(cls):
            raise ConfigError(f"sweep.space.{key}: {'.'.join(parts[:i])} is a value, not a section")
        hints = get_type_hints(cls)
        if part not in hints:
            where = ".".join(parts[:i]) or "the config root"
            raise ConfigError(
                f"sweep.space.{key}: no config key {key!r} ({part!r} is not a key of {where}; "
                f"valid keys there: {', '.join(sorted(hints))})"
            )
        cls = hints[part]
    if dataclasses.is_dataclass(cls):
        raise ConfigError(f"sweep.space.{key}: {key} is a section; search one of its keys")
    return cls


def check_value(base: dict[str, Any], key: str, value: Any, what: str) -> None:
    """Build the config with ``key=value`` (type coercion + the section's validation); ConfigError naming
    ``key`` and ``what`` (e.g. "choice value") if it is rejected."""
    try:
        build(Config, _set(base, key, value))
    except ConfigError as exc:
        raise ConfigError(f"sweep.space.{key}: {what} {value!r} is invalid: {exc}") from exc


def _set(tree: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """A copy of ``tree`` with dotted ``key`` set to ``value`` (the value kept as is, not YAML-parsed)."""
    out = apply_overrides(tree, [])
    node = out
    parts = key.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return out


def parse_dimension(key: str, spec: Any, base: dict[str, Any]) -> Dimension:
    """Parse ``{kind: args}`` for ``key`` and check it against the key's type and validation."""
    tp = _field_type(key)
    if not isinstance(spec, dict) or len(spec) != 1:
        raise ConfigError(f"sweep.space.{key}: expected one of {{{', '.join(KINDS)}}}: [...], got {spec!r}")
    ((kind, args),) = spec.items()
    if kind not in KINDS:
        raise ConfigError(f"sweep.space.{key}: unknown distribution {kind!r}; one of {', '.join(KINDS)}")
    if not isinstance(args, list) or not args:
        raise ConfigError(f"sweep.space.{key}: {kind} takes a non-empty list, got {args!r}")
    if kind in ("uniform", "loguniform", "randint"):
        numeric = float if kind != "randint" else int
        if tp is not numeric:
            allowed = "float" if numeric is float else "integer"
            raise ConfigError(
                f"sweep.space.{key}: {kind} needs a {allowed} key, but {key} is {getattr(tp, '__name__', tp)}"
                + (" (use randint or choice)" if tp is int else " (use choice)")
            )
        if len(args) != 2 or not all(isinstance(a, (int, float)) and not isinstance(a, bool) for a in args):
            raise ConfigError(f"sweep.space.{key}: {kind} takes [low, high] numbers, got {args!r}")
        low, high = args
        if not low < high:
            raise ConfigError(f"sweep.space.{key}: {kind} needs low < high, got {args!r}")
        if kind == "loguniform" and low <= 0:
            raise ConfigError(f"sweep.space.{key}: loguniform needs low > 0, got {low!r}")
        if kind == "randint" and not (float(low).is_integer() and float(high).is_integer()):
            raise ConfigError(f"sweep.space.{key}: randint takes integer bounds, got {args!r}")
        # high is exclusive for randint: its largest value is high - 1.
        bounds = (low, high - 1) if kind == "randint" else (low, high)
        for bound in bounds:
            check_value(base, key, numeric(bound), f"{kind} bound")
        return Dimension(key, kind, (numeric(low), numeric(high)) if kind == "randint" else (low, high))
    for value in args:
        check_value(base, key, value, f"{kind} value")
    return Dimension(key, kind, tuple(args))


def parse_space(cfg: Config) -> SearchSpace:
    """Parse and check ``cfg.sweep.space`` and ``cfg.sweep.points``; ConfigError naming the key."""
    sweep = cfg.sweep
    if not sweep.space:
        raise ConfigError(
            "sweep.space: empty; give at least one dotted key, e.g. pretrain.lr: {loguniform: [1e-4, 1e-2]}"
        )
    base = base_tree(cfg)
    dims = tuple(parse_dimension(key, spec, base) for key, spec in sweep.space.items())
    for d in dims:
        if d.key.split(".")[0] == "sweep":
            raise ConfigError(f"sweep.space.{d.key}: the sweep section itself cannot be searched")
    keys = {d.key for d in dims}
    points = []
    for i, point in enumerate(sweep.points):
        unknown = sorted(set(point) - keys)
        if unknown:
            raise ConfigError(
                f"sweep.points[{i}].{unknown[0]}: not a key of sweep.space ({', '.join(sorted(keys))})"
            )
        for key, value in point.items():
            check_value(base, key, value, f"points[{i}] value")
        points.append(dict(point))
    if points and any(d.kind == "grid" for d in dims):
        raise ConfigError("sweep.points: cannot be combined with grid dimensions (use choice)")
    if sweep.search == "tpe" and any(d.kind == "grid" for d in dims):
        raise ConfigError("sweep.space: grid dimensions need sweep.search=random (TPE samples; use choice)")
    return SearchSpace(dims, tuple(points))


def base_tree(cfg: Config) -> dict[str, Any]:
    """The config as a plain tree, without the sweep section (trials run the stage, not the sweep)."""
    tree = to_dict(cfg)
    tree.pop("sweep", None)
    return tree


def trial_config(base: dict[str, Any], params: dict[str, Any]) -> Config:
    """The typed config of one trial: ``base`` (see :func:`base_tree`) with each sampled ``params`` value."""
    tree = base
    for key, value in params.items():
        if isinstance(value, float) and math.isfinite(value) and _field_type(key) is int:
            value = int(value)
        tree = _set(tree, key, value)
    return build(Config, tree)
