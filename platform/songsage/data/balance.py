"""Language balancing to target ratios by deterministic downsampling.

Input: kept-song counts per language and the target ratios (e.g. en:zh:ko:ja = 2:2:1:1).
Output: how many songs to keep per language. The largest set that fits the ratios is taken;
a language with no songs at all is reported as a shortfall and the ratios of the others are kept
among themselves. Which songs survive is decided by a seeded hash of the song id, so the same
inputs give the same selection on any number of workers.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any


def order_key(seed: int, key: str) -> int:
    """A stable 63-bit pseudo-random rank for ``key`` under ``seed`` (lower = picked first)."""
    digest = hashlib.blake2b(f"{seed}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


def balance_targets(
    counts: dict[str, int], ratios: dict[str, float]
) -> tuple[dict[str, int], dict[str, Any]]:
    """Per-language keep counts and a report (target share vs achieved, shortfalls)."""
    active = {lang: r for lang, r in ratios.items() if r > 0 and counts.get(lang, 0) > 0}
    missing = sorted(lang for lang, r in ratios.items() if r > 0 and counts.get(lang, 0) == 0)
    unit = min((counts[lang] / r for lang, r in active.items()), default=0.0)
    keep = {
        lang: min(counts[lang], math.floor(unit * r + 1e-9)) if lang in active else 0
        for lang, r in ratios.items()
    }
    for lang in counts:  # languages without a ratio (incl. "other") are balanced away
        keep.setdefault(lang, 0)
    total_ratio = sum(r for r in ratios.values() if r > 0)
    kept_total = sum(keep.values())
    limiting = min(active, key=lambda lang: counts[lang] / active[lang]) if active else None
    report = {
        "available": dict(sorted(counts.items())),
        "target_share": {lang: round(r / total_ratio, 4) for lang, r in ratios.items() if r > 0},
        "kept": dict(sorted(keep.items())),
        "achieved_share": {
            lang: round(keep.get(lang, 0) / kept_total, 4) if kept_total else 0.0 for lang in ratios
        },
        "limiting_language": limiting,
        "shortfall": missing,
    }
    return keep, report
