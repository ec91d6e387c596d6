"""General-data mixing at a target token ratio (general:lyrics, default 4:1), per-source weights.

Each source's token target is ``general_ratio * lyric_tokens * weight / sum(weights)``. Documents
are picked by a seeded hash, not by order: with ``f = target / available`` a document appears
``floor(f)`` times plus once more when its hash falls below the fractional part, capped at
``max_epochs`` passes. This is a map-only rule (no global sort), so it runs the same on one core or
a cluster, and the expected token count equals the target.
"""

from __future__ import annotations

import math
from typing import Any

from songsage.config.schema import MixConfig
from songsage.data.balance import order_key

KEY_SPACE = float(1 << 63)


def source_weights(cfg: MixConfig, found: list[str]) -> dict[str, float]:
    """Normalized weights for the configured sources (or equal weights over ``found``)."""
    if cfg.sources:
        weights = {s.name: s.weight for s in cfg.sources if s.weight > 0}
    else:
        weights = {name: 1.0 for name in found}
    total = sum(weights.values())
    return {name: w / total for name, w in weights.items()} if total else {}


def mix_plan(
    lyric_tokens: int, tokens_by_source: dict[str, int], cfg: MixConfig
) -> dict[str, dict[str, Any]]:
    """Per source: target tokens, available tokens, sampling factor (passes) and shortfall."""
    weights = source_weights(cfg, sorted(tokens_by_source))
    plan = {}
    for name, w in weights.items():
        target = cfg.general_ratio * lyric_tokens * w
        available = tokens_by_source.get(name, 0)
        factor = min(target / available, cfg.max_epochs) if available else 0.0
        plan[name] = {
            "weight": round(w, 6),
            "target_tokens": int(round(target)),
            "available_tokens": available,
            "factor": factor,
            "expected_tokens": int(round(factor * available)),
            "shortfall_tokens": max(0, int(round(target - factor * available))),
        }
    return plan


def copies(doc_id: str, factor: float, seed: int) -> int:
    """How many times a document enters the mix for sampling factor ``factor``."""
    whole = math.floor(factor)
    frac = factor - whole
    return whole + (1 if order_key(seed, doc_id) < frac * KEY_SPACE else 0)
