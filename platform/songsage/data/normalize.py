"""Lyric normalization: mojibake repair, HTML and control characters, NFKC, LRC and credit lines.

Input: raw lyric text. Output: normalized text (lines stripped, inner whitespace collapsed,
at most one blank line between stanzas). Pure functions, used by Ray Data batches and the
single-process benchmark baseline alike.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

import ftfy

from songsage.config.schema import NormalizeConfig

# [00:12.34] [1:02] [01:02.345] ... possibly several per line (repeated choruses).
LRC_TIME = re.compile(r"\[\s*\d{1,3}\s*:\s*\d{1,2}(?:\s*[.:]\s*\d{1,3})?\s*\]")
# [ti:Title] [ar:Artist] [al:..] [by:..] [offset:+100] [re:..] [ve:..] [length:..] [au:..] [tool:..]
LRC_META = re.compile(
    r"^\s*\[(?:ti|ar|al|au|by|offset|re|ve|length|tool|la|id|hash|sign|total|kana)\s*:[^\]]*\]\s*$", re.I
)
HTML_BREAK = re.compile(r"<\s*(?:br|/p|p|/div|div|li)\s*/?\s*>", re.I)
HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]{0,200}>")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
INNER_SPACE = re.compile(r"[ \t\u3000\xa0]+")
# Text that ftfy returns unchanged: printable ASCII, tab, newline, and the CJK blocks lyrics are
# written in (ideographs, hiragana, katakana, hangul syllables, CJK punctuation). None of these is in
# ftfy's mojibake ("badness") pattern or touched by its width, quote, ligature, control or NFC
# fixes; combining marks, jamo, fullwidth forms and the rest take the ftfy path.
FTFY_UNCHANGED = re.compile(
    "[\t\n\x20-\x7e\u3001-\u3003\u3008-\u3011\u3041-\u3096\u30a1-\u30fa\u30fc-\u30fe"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3]*"
)

# Credit/metadata line prefixes (zh, ja, ko, en). A line is a credit line when it starts with
# one of these followed by ':' / '：' (or for "... by" forms, by the name) and is short.
CREDIT_PREFIXES = [
    "作词",
    "作曲",
    "编曲",
    "作詞",
    "編曲",
    "词",
    "曲",
    "制作人",
    "製作人",
    "监制",
    "監製",
    "混音",
    "和声",
    "吉他",
    "贝斯",
    "鼓",
    "录音",
    "母带",
    "出品",
    "发行",
    "企划",
    "统筹",
    "演唱",
    "原唱",
    "翻唱",
    "歌手",
    "作詞者",
    "作曲者",
    "編曲者",
    "歌",
    "唄",
    "작사",
    "작곡",
    "편곡",
    "프로듀서",
    "노래",
    "lyrics",
    "lyricist",
    "lyric",
    "music",
    "composer",
    "composed",
    "arranger",
    "arranged",
    "producer",
    "produced",
    "written",
    "words",
    "vocals",
    "vocal",
    "mixed",
    "mastered",
    "recorded",
    "writer",
    "writers",
    "songwriter",
    "songwriters",
    "publisher",
]
CREDIT_MAX_LINE = 80


@lru_cache(maxsize=32)
def _credit_regex(extra: tuple[str, ...]) -> re.Pattern[str]:
    words = sorted({*CREDIT_PREFIXES, *extra}, key=len, reverse=True)
    alt = "|".join(re.escape(w) for w in words)
    # "作词：X", "作词 : X", "Lyrics by X", "Composed by: X", "Producer - X"
    return re.compile(rf"^\s*(?:{alt})(?:\s*(?:by|者))?\s*(?:[:：\-–—/]|\bby\b)\s*\S", re.I)


def fix_mojibake(text: str) -> str:
    """Exactly ``ftfy.fix_text(text, unescape_html=False, normalization="NFC")``, faster.

    ftfy fixes each line (up to and including its newline) on its own, at about 40 us a line. So a
    line that ftfy would leave unchanged (``FTFY_UNCHANGED``) is skipped, and a line repeated inside
    the text (a chorus) is fixed once. ``tests/data_pipeline/test_normalize.py`` checks the equality."""
    if FTFY_UNCHANGED.fullmatch(text):
        return text
    fixed: dict[str, str] = {}
    out = []
    for i, line in enumerate(parts := text.split("\n")):
        segment = line if i == len(parts) - 1 else line + "\n"
        if segment not in fixed:
            fixed[segment] = (
                segment
                if FTFY_UNCHANGED.fullmatch(segment)
                else ftfy.fix_text(segment, unescape_html=False, normalization="NFC")
            )
        out.append(fixed[segment])
    return "".join(out)


def strip_html(text: str) -> str:
    """Line-breaking tags -> newlines, other tags removed, entities unescaped."""
    text = HTML_BREAK.sub("\n", text)
    text = HTML_TAG.sub("", text)
    return html.unescape(text)


def strip_lrc(text: str) -> str:
    """Remove LRC metadata lines and every timestamp tag."""
    lines = [ln for ln in text.split("\n") if not LRC_META.match(ln)]
    return LRC_TIME.sub("", "\n".join(lines))


def is_credit_line(line: str, extra: tuple[str, ...] = ()) -> bool:
    """True for credit/metadata lines like ``作词：X`` or ``Lyrics by X``."""
    return len(line) <= CREDIT_MAX_LINE and bool(_credit_regex(extra).match(line))


def tidy_lines(text: str) -> str:
    """Strip lines, collapse inner whitespace, keep at most one blank line between stanzas."""
    out: list[str] = []
    for raw in text.split("\n"):
        line = INNER_SPACE.sub(" ", raw).strip()
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def normalize_lyrics(text: str, cfg: NormalizeConfig) -> str:
    """Apply every enabled normalization step to one lyric text."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if cfg.fix_mojibake:
        text = fix_mojibake(text)
    if cfg.strip_html:
        text = strip_html(text)
    text = CONTROL.sub("", text)
    if cfg.nfkc:
        text = unicodedata.normalize("NFKC", text)
    if cfg.strip_lrc:
        text = strip_lrc(text)
    if cfg.strip_credits:
        extra = tuple(cfg.extra_credit_prefixes)
        text = "\n".join(ln for ln in text.split("\n") if not is_credit_line(ln, extra))
    return tidy_lines(text)


def normalize_plain(text: str) -> str:
    """Light normalization for general documents: mojibake, control chars, NFC, tidy lines."""
    text = ftfy.fix_text(text.replace("\r\n", "\n"), normalization="NFC")
    return tidy_lines(CONTROL.sub("", text))
