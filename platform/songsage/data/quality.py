"""Quality filters on normalized lyrics. Each returns a reason code or None (keep).

Reason codes (in the order they are checked): ``empty``, ``instrumental``, ``too_long``,
``too_few_lines``, ``too_short``, ``non_letter``, ``repeated_lines``.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from songsage.config.schema import QualityConfig

# Instrumental / no-lyrics placeholders seen on lyric sites (compared after squashing punctuation).
INSTRUMENTAL_PATTERNS = [
    "纯音乐请欣赏",
    "此歌曲为没有填词的纯音乐请您欣赏",
    "纯音乐",
    "純音樂請欣賞",
    "純音樂",
    "无歌词",
    "暂无歌词",
    "instrumental",
    "instrumentalversion",
    "noLyrics",
    "nolyricsavailable",
    "lyricsnotavailable",
    "インストゥルメンタル",
    "インスト",
    "歌詞なし",
    "연주곡",
    "가사없음",
]
SQUASH = re.compile(r"[\W_]+", re.UNICODE)


def _squash(text: str) -> str:
    return SQUASH.sub("", text).lower()


@lru_cache(maxsize=16)
def _instrumental_set(extra: tuple[str, ...]) -> frozenset[str]:
    return frozenset(_squash(p) for p in (*INSTRUMENTAL_PATTERNS, *extra))


def is_instrumental(text: str, extra: tuple[str, ...] = ()) -> bool:
    """True when the whole text (or every non-empty line) is an instrumental placeholder."""
    patterns = _instrumental_set(extra)
    if _squash(text) in patterns:
        return True
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if not lines or len(lines) > 3:  # checked before squashing: most texts are long
        return False
    return all(sq in patterns or not sq for sq in map(_squash, lines))


def letter_ratio(text: str) -> float:
    """Share of letters (any script, incl. CJK) among non-space characters.

    ``str.isalpha`` is exactly Unicode category L*, and ``str.split()`` drops exactly the
    ``str.isspace`` characters, so this equals a per-character ``unicodedata.category`` loop at a
    fraction of its cost."""
    chars = "".join(text.split())
    if not chars:
        return 0.0
    letters = len(chars) if chars.isalpha() else sum(map(str.isalpha, chars))
    return letters / len(chars)


def top_line_share(lines: list[str]) -> float:
    """Share of lines taken by the most common line."""
    return Counter(lines).most_common(1)[0][1] / len(lines) if lines else 0.0


def quality_reason(text: str, cfg: QualityConfig) -> str | None:
    """The first quality filter that rejects ``text``, or None when it passes."""
    if not text.strip():
        return "empty"
    if is_instrumental(text, tuple(cfg.extra_instrumental_patterns)):
        return "instrumental"
    if len(text) > cfg.max_chars:
        return "too_long"
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if len(lines) < cfg.min_lines:
        return "too_few_lines"
    if len(text) < cfg.min_chars:
        return "too_short"
    if letter_ratio(text) < cfg.min_letter_ratio:
        return "non_letter"
    if top_line_share(lines) > cfg.max_top_line_share:
        return "repeated_lines"
    return None
