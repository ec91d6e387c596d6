"""The paired bootstrap of the proof's deltas: known differences are found, identical inputs are not."""

from __future__ import annotations

import numpy as np
import pytest

from songsage.eval.bootstrap import BETTER, NO_DIFFERENCE, WORSE, paired_bootstrap, perplexity, verdict


def test_a_known_difference_gives_an_interval_that_excludes_zero() -> None:
    rng = np.random.default_rng(0)
    base = rng.binomial(1, 0.3, size=400).astype(float)
    other = np.maximum(base, rng.binomial(1, 0.3, size=400))  # strictly more hits: about +0.2
    d = paired_bootstrap(base, other, resamples=500, seed=1)
    assert d.low > 0 and d.verdict == BETTER
    assert d.low <= d.delta <= d.high and d.delta == pytest.approx(other.mean() - base.mean())
    # the same difference on a lower-is-better metric is worse
    assert paired_bootstrap(base, other, higher_is_better=False, resamples=500).verdict == WORSE


def test_identical_inputs_give_an_interval_that_contains_zero() -> None:
    scores = np.random.default_rng(2).random(100)
    d = paired_bootstrap(scores, scores.copy(), resamples=300)
    assert d.low <= 0 <= d.high and d.delta == 0 and d.verdict == NO_DIFFERENCE


def test_noise_without_a_shift_is_not_significant() -> None:
    rng = np.random.default_rng(3)
    base, other = rng.random(60), rng.random(60)
    assert paired_bootstrap(base, other, resamples=500, seed=4).verdict == NO_DIFFERENCE


def test_perplexity_statistic_is_token_weighted() -> None:
    rows = np.array([[2.0, 1.0], [6.0, 3.0]])  # (nll_sum, tokens): 8 nats over 4 tokens
    assert perplexity(rows) == pytest.approx(np.exp(2.0))
    lower = np.array([[1.0, 1.0], [3.0, 3.0]])
    d = paired_bootstrap(rows, lower, perplexity, higher_is_better=False, resamples=200)
    assert d.delta == pytest.approx(np.e - np.exp(2.0)) and d.verdict in (BETTER, NO_DIFFERENCE)


def test_verdict_and_input_checks() -> None:
    assert verdict(0.1, 0.3, True) == BETTER and verdict(-0.3, -0.1, True) == WORSE
    assert verdict(-0.3, -0.1, False) == BETTER and verdict(-0.1, 0.1, False) == NO_DIFFERENCE
    with pytest.raises(ValueError, match="3 base items vs 2"):
        paired_bootstrap(np.zeros(3), np.zeros(2))
    with pytest.raises(ValueError, match="no items"):
        paired_bootstrap(np.zeros(0), np.zeros(0))
