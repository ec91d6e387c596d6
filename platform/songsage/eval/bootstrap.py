"""Paired bootstrap of a metric difference between two models scored on the same held-out items.

Each model's per-item scores are rows of an array (``(n,)`` or ``(n, k)``, row i = item i for both models);
a statistic maps rows to the metric (:func:`mean` for per-item averages, :func:`perplexity` for
``(nll_sum, tokens)`` rows). One resample draws n item indices with replacement and applies them to both
models, so item difficulty cancels in the difference. The interval is the percentile interval of the
resampled differences (``other - base``); a difference is significant when the interval excludes zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Statistic = Callable[[np.ndarray], float]
BETTER, WORSE, NO_DIFFERENCE = "better", "worse", "no significant difference"


def mean(rows: np.ndarray) -> float:
    """Mean of per-item values (first column of 2-D rows)."""
    values = rows if rows.ndim == 1 else rows[:, 0]
    return float(values.mean())


def perplexity(rows: np.ndarray) -> float:
    """``exp(sum nll / sum tokens)`` of ``(nll_sum_nats, tokens)`` rows: token-weighted, like a corpus."""
    return float(np.exp(rows[:, 0].sum() / max(rows[:, 1].sum(), 1.0)))


@dataclass(frozen=True)
class Delta:
    """``other - base`` with its bootstrap interval and what it means for a metric's direction."""

    base: float
    other: float
    delta: float
    low: float
    high: float
    verdict: str


def verdict(low: float, high: float, higher_is_better: bool) -> str:
    """better / worse / no significant difference, from the interval of ``other - base``."""
    if low > 0:
        return BETTER if higher_is_better else WORSE
    if high < 0:
        return WORSE if higher_is_better else BETTER
    return NO_DIFFERENCE


def paired_bootstrap(
    base: np.ndarray,
    other: np.ndarray,
    statistic: Statistic = mean,
    higher_is_better: bool = True,
    resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> Delta:
    """The paired bootstrap of ``statistic(other) - statistic(base)`` over the items (rows).

    Raises ValueError when the two models were not scored on the same number of items, or on none.
    """
    base, other = np.asarray(base, dtype=np.float64), np.asarray(other, dtype=np.float64)
    if len(base) != len(other):
        raise ValueError(f"paired bootstrap: {len(base)} base items vs {len(other)} other items")
    if len(base) == 0:
        raise ValueError("paired bootstrap: no items")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(base), size=(resamples, len(base)))
    deltas = np.array([statistic(other[i]) - statistic(base[i]) for i in idx])
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(deltas, [tail, 100 - tail])
    b, o = statistic(base), statistic(other)
    return Delta(b, o, o - b, float(low), float(high), verdict(float(low), float(high), higher_is_better))
