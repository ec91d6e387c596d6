"""Deterministic synthetic LyricBank data: the shipped sample and benchmark-scale song files.

A development tool, outside the ``songsage`` package: the driver runs it, Ray workers never import it.
Phrase banks, templates and word lists are data files in ``data/synthetic/*.json`` (read once, lists
become tuples); this module holds only the composing logic. Two entry points, both standard library
only and fully seeded (same seed -> byte-identical output):

* :func:`make_sample` writes ``data/sample/`` -- ``songs.jsonl`` (about 600 songs: project-written
  lyrics plus up to 150 real public-domain songs from the shipped corpus, with deliberate defects),
  ``playlists.jsonl``, ``general.jsonl`` (general text for mixing), ``expected.json`` (ground truth
  for every deliberate defect) and ``README.md``.
* :func:`make_synthetic_songs` writes N synthetic songs (e.g. 200k for benchmarks) with the same
  defect kinds in proportion and an en:zh:ko:ja = 3:3:1:1 language skew.

Lyrics are composed from per-language phrase banks written for this project (English, Chinese,
Japanese, Korean with some English), with slot fills and verse/chorus structure, so independently
composed songs share few character shingles. All project-written text is dedicated to the public
domain (CC0).

CLI::

    python tools/synthetic.py sample --out data/sample
    python tools/synthetic.py songs --n 200000 --out FILE      # or: python -m tools.synthetic ...
"""

from __future__ import annotations

import argparse
import html
import json
import math
import os
import random
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LANGS: tuple[str, ...] = ("en", "zh", "ja", "ko")
REPO = Path(__file__).resolve().parents[1]
BANKS_DIR = REPO / "data" / "synthetic"
DEFAULT_PD_CORPUS = REPO / "data" / "corpora" / "public-domain-lyrics" / "songs.jsonl"
PD_CORPUS_ENV = "SONGSAGE_PD_CORPUS"

_BANK_FILES: dict[str, dict[str, Any]] = {}


def _tuples(obj: Any) -> Any:
    """JSON lists -> tuples, recursively (the banks are immutable and compared/concatenated as tuples)."""
    if isinstance(obj, list):
        return tuple(_tuples(x) for x in obj)
    if isinstance(obj, dict):
        return {k: _tuples(v) for k, v in obj.items()}
    return obj


def _bank(file: str, name: str) -> Any:
    """Constant ``name`` from ``data/synthetic/<file>.json``; a missing file or key is a clear error."""
    if file not in _BANK_FILES:
        path = BANKS_DIR / f"{file}.json"
        if not path.is_file():
            raise FileNotFoundError(f"synthetic phrase bank {path} is missing (it ships with the repository)")
        _BANK_FILES[file] = json.loads(path.read_text(encoding="utf-8"))
    try:
        return _tuples(_BANK_FILES[file][name])
    except KeyError:
        raise KeyError(f"{BANKS_DIR / (file + '.json')} has no entry {name!r}") from None


def _repo_relative(path: Path) -> str:
    """``path`` relative to the repository when inside it (so committed outputs name no machine path)."""
    try:
        return Path(path).resolve().relative_to(REPO).as_posix()
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------------------------
# Phrase banks (data/synthetic/lyrics.json). Templates use {slot} fields filled from the slot banks.
# --------------------------------------------------------------------------------------------

EN_SLOTS: dict[str, tuple[str, ...]] = _bank("lyrics", "EN_SLOTS")

EN_TEMPLATES: tuple[str, ...] = _bank("lyrics", "EN_TEMPLATES")

ZH_SLOTS: dict[str, tuple[str, ...]] = _bank("lyrics", "ZH_SLOTS")

ZH_TEMPLATES: tuple[str, ...] = _bank("lyrics", "ZH_TEMPLATES")

JA_SLOTS: dict[str, tuple[str, ...]] = _bank("lyrics", "JA_SLOTS")

JA_TEMPLATES: tuple[str, ...] = _bank("lyrics", "JA_TEMPLATES")

KO_SLOTS: dict[str, tuple[str, ...]] = _bank("lyrics", "KO_SLOTS")

# "을/를", "이/가", "은/는", "과/와" after a slot are resolved by the final consonant (see _fix_josa).
KO_TEMPLATES: tuple[str, ...] = _bank("lyrics", "KO_TEMPLATES")

BANKS: dict[str, tuple[tuple[str, ...], dict[str, tuple[str, ...]]]] = {
    "en": (EN_TEMPLATES, EN_SLOTS),
    "zh": (ZH_TEMPLATES, ZH_SLOTS),
    "ja": (JA_TEMPLATES, JA_SLOTS),
    "ko": (KO_TEMPLATES, KO_SLOTS),
}

# Traditional-Chinese lines (used for traditional-script songs).
ZH_TRAD_LINES: tuple[str, ...] = _bank("lyrics", "ZH_TRAD_LINES")

# Kanji-heavy Japanese lines: mostly kanji with only a little kana.
JA_KANJI_LINES: tuple[str, ...] = _bank("lyrics", "JA_KANJI_LINES")

# Korean lines with English words (K-pop style code-switching).
KO_MIX_LINES: tuple[str, ...] = _bank("lyrics", "KO_MIX_LINES")

# Chinese lines with English words.
ZH_MIX_LINES: tuple[str, ...] = _bank("lyrics", "ZH_MIX_LINES")

TITLES: dict[str, tuple[str, ...]] = _bank("lyrics", "TITLES")

_SURNAMES: dict[str, tuple[str, ...]] = _bank("lyrics", "_SURNAMES")
_GIVEN: dict[str, tuple[str, ...]] = _bank("lyrics", "_GIVEN")
_BANDS: dict[str, tuple[str, ...]] = _bank("lyrics", "_BANDS")
ALBUMS: dict[str, tuple[str, ...]] = _bank("lyrics", "ALBUMS")
TAGS: dict[str, tuple[str, ...]] = _bank("lyrics", "TAGS")

# --------------------------------------------------------------------------------------------
# Line pools and song composition
# --------------------------------------------------------------------------------------------

_JOSA_RE = re.compile(r"([가-힣])(을/를|이/가|은/는|과/와)")
_SLOT_RE = re.compile(r"{(\w+)}")


def _fix_josa(text: str) -> str:
    """Resolve Korean particle pairs (``을/를`` ...) by the preceding syllable's final consonant."""

    def rep(m: re.Match[str]) -> str:
        ch = m.group(1)
        has_final = (ord(ch) - 0xAC00) % 28 != 0
        first, second = m.group(2).split("/")
        return ch + (first if has_final else second)

    return _JOSA_RE.sub(rep, text)


class _Filler(dict):  # type: ignore[type-arg]
    """``str.format_map`` mapping that draws every slot value at random from a slot bank."""

    def __init__(self, rng: random.Random, slots: dict[str, tuple[str, ...]]) -> None:
        super().__init__()
        self._rng = rng
        self._slots = slots

    def __missing__(self, key: str) -> str:
        return self._rng.choice(self._slots[key])


def _fill(template: str, rng: random.Random, slots: dict[str, tuple[str, ...]], lang: str) -> str:
    """One filled template line (Korean particles resolved)."""
    line = template.format_map(_Filler(rng, slots)) if "{" in template else template
    return _fix_josa(line) if lang == "ko" else line


@dataclass
class LinePool:
    """Per-template lists of filled line variants for one language.

    ``variants[i]`` holds distinct fills of template ``i``; a song takes distinct templates so a
    line never repeats inside a verse by accident.
    """

    lang: str
    variants: list[list[str]]

    def lines(self, rng: random.Random, k: int) -> list[str]:
        """``k`` lines from ``k`` distinct templates (k is capped at the number of templates)."""
        k = min(k, len(self.variants))
        return [rng.choice(self.variants[i]) for i in rng.sample(range(len(self.variants)), k)]

    def line(self, rng: random.Random) -> str:
        """One random line."""
        return rng.choice(rng.choice(self.variants))


def build_pool(lang: str, seed: int = 0, per_template: int = 40) -> LinePool:
    """Build the line pool of ``lang`` (``en``/``zh``/``ja``/``ko``) deterministically from ``seed``."""
    templates, slots = BANKS[lang]
    rng = random.Random(f"pool:{lang}:{seed}")
    variants: list[list[str]] = []
    for tpl in templates:
        if "{" not in tpl:
            variants.append([_fix_josa(tpl) if lang == "ko" else tpl])
            continue
        seen: dict[str, None] = {}
        for _ in range(per_template * 5):
            seen.setdefault(_fill(tpl, rng, slots, lang), None)
            if len(seen) >= per_template:
                break
        variants.append(list(seen))
    return LinePool(lang, variants)


def compose_lines(
    rng: random.Random, pool: LinePool, n_lines: int, stanza_breaks: bool | None = None
) -> list[str]:
    """Verse/chorus lyric of ``n_lines`` non-blank lines; ``""`` entries are stanza breaks.

    The chorus (2-4 lines) repeats 2-4 times and long songs get a 2-line pre-chorus, so the most
    common line stays well under half of all lines and the number of distinct lines stays moderate.
    """
    n = max(4, n_lines)
    chorus_n = 2 if n < 12 else rng.randint(2, 4)
    reps = 2 if n < 16 else (3 if n < 30 else 4)
    pre_n = 2 if n >= 20 else 0
    pre_reps = min(2, reps) if pre_n else 0
    while chorus_n * reps + pre_n * pre_reps > n - reps:
        if pre_n:
            pre_n = pre_reps = 0
        elif chorus_n > 2:
            chorus_n -= 1
        else:
            reps -= 1
    verse_n = n - chorus_n * reps - pre_n * pre_reps
    distinct = pool.lines(rng, verse_n + chorus_n + pre_n)
    while len(distinct) < verse_n + chorus_n + pre_n:  # tiny pools only
        distinct.append(pool.line(rng))
    verse, chorus, pre = (
        distinct[:verse_n],
        distinct[verse_n : verse_n + chorus_n],
        distinct[verse_n + chorus_n :],
    )
    breaks = rng.random() < 0.6 if stanza_breaks is None else stanza_breaks
    sizes = [verse_n // reps + (1 if i < verse_n % reps else 0) for i in range(reps)]
    out: list[str] = []
    start = 0
    for i, size in enumerate(sizes):
        if out and breaks:
            out.append("")
        out.extend(verse[start : start + size])
        start += size
        if pre_n and i < pre_reps:
            out.extend(pre)
        if breaks:
            out.append("")
        out.extend(chorus)
    return out


def _person(rng: random.Random, lang: str) -> str:
    sur, given = rng.choice(_SURNAMES[lang]), rng.choice(_GIVEN[lang])
    return f"{given} {sur}" if lang == "en" else f"{sur}{given}"


def make_artist(rng: random.Random, lang: str) -> str:
    """A project-made artist name (a person or a band) for ``lang``."""
    return rng.choice(_BANDS[lang]) if rng.random() < 0.3 else _person(rng, lang)


# --------------------------------------------------------------------------------------------
# Defect makers (each returns new lyric text)
# --------------------------------------------------------------------------------------------

_BY_NAMES = ("LrcMaker", "小字幕", "lyricbot", "歌词君", "Ando", "네오")


def _stamp(t: float, three: bool) -> str:
    m, s = divmod(t, 60.0)
    return f"[{int(m):02d}:{s:06.3f}]" if three else f"[{int(m):02d}:{s:05.2f}]"


def add_lrc(
    rng: random.Random,
    lyrics: str,
    *,
    meta: dict[str, str] | None = None,
    multi: bool = False,
    three: bool | None = None,
) -> str:
    """Timestamp every line LRC-style; ``multi`` merges repeated lines into ``[t1][t2]line``.

    ``meta`` adds ``[ti:]``/``[ar:]``/``[by:]``/``[offset:]`` tag lines at the top. Blank lines
    become bare timestamps (single mode) or vanish (multi mode).
    """
    three = rng.random() < 0.3 if three is None else three
    t = rng.uniform(5.0, 25.0)
    stamped: list[tuple[str, str]] = []
    for line in lyrics.split("\n"):
        stamped.append((_stamp(t, three), line))
        t += rng.uniform(3.0, 9.0) if not line else rng.uniform(2.5, 6.0)
    out: list[str] = []
    if meta:
        out.extend(f"[{k}:{v}]" for k, v in meta.items())
    if multi:
        order: list[str] = []
        times: dict[str, list[str]] = {}
        for st, line in stamped:
            if not line:
                continue
            if line not in times:
                order.append(line)
                times[line] = []
            times[line].append(st)
        out.extend("".join(times[line]) + line for line in order)
    else:
        out.extend(st + line for st, line in stamped)
    return "\n".join(out)


CREDIT_STYLES: dict[str, tuple[tuple[str, ...], ...]] = _bank("defects", "CREDIT_STYLES")


def credit_lines(rng: random.Random, lang: str, style: int | None = None) -> list[str]:
    """Credit lines (``作词：X`` / ``Lyrics by X`` / ``작사 : X`` / ``作詞：X`` ...) for ``lang``."""
    styles = CREDIT_STYLES[lang]
    fmt = styles[rng.randrange(len(styles)) if style is None else style % len(styles)]
    names = {k: _person(rng, lang) for k in "abcd"}
    return [f.format(**names) for f in fmt]


def add_credits(rng: random.Random, lyrics: str, lang: str, style: int | None = None) -> str:
    """Prepend credit lines (producer lines sometimes go to the end instead)."""
    lines = credit_lines(rng, lang, style)
    tail = [ln for ln in lines if ln.startswith(("制作人", "Producer"))]
    head = [ln for ln in lines if ln not in tail]
    parts = ["\n".join(head)] if head else []
    parts.append(lyrics)
    if tail:
        parts.append("\n".join(tail))
    return "\n".join(parts) if rng.random() < 0.5 else "\n\n".join(parts)


def add_html(rng: random.Random, lyrics: str, mode: str) -> str:
    """HTML remnants: ``br`` (``<br>`` line ends), ``p`` (``<p>`` stanzas), ``entities`` (``&amp;``/``&#39;``)."""
    if mode == "br":
        tag = rng.choice(("<br>", "<br/>", "<br />"))
        return "".join(f"{ln}{tag}" if rng.random() < 0.5 else f"{ln}{tag}\n" for ln in lyrics.split("\n"))
    if mode == "p":
        stanzas = [s for s in lyrics.split("\n\n") if s.strip()]
        return "".join("<p>" + s.replace("\n", "<br>") + "</p>" for s in stanzas)
    text = html.escape(lyrics, quote=True).replace("&#x27;", "&#39;")
    if "&" not in text:
        lines = text.split("\n")
        i = rng.randrange(len(lines))
        lines[i] = lines[i] + " &amp; " + lines[(i + 1) % len(lines)]
        text = "\n".join(lines)
    return text


def add_control_chars(rng: random.Random, lyrics: str) -> str:
    """Scatter BEL/ESC (and a zero-width space or BOM) through a few lines."""
    lines = lyrics.split("\n")
    for i in rng.sample(range(len(lines)), min(3, len(lines))):
        ln = lines[i]
        pos = rng.randint(0, len(ln))
        lines[i] = ln[:pos] + rng.choice(("\x07", "\x1b", "\x07\x07", "\u200b")) + ln[pos:]
    text = "\n".join(lines)
    return ("\ufeff" + text) if rng.random() < 0.5 else text + "\x1b"


def to_fullwidth(text: str) -> str:
    """ASCII -> full-width forms (and space -> ideographic space); NFKC folds them back."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in text)


def add_fullwidth(rng: random.Random, lyrics: str) -> str:
    """Turn a few lines (or their ASCII parts) into full-width characters."""
    lines = lyrics.split("\n")
    idx = [i for i, ln in enumerate(lines) if ln]
    for i in rng.sample(idx, min(len(idx), max(2, len(idx) // 3))):
        lines[i] = to_fullwidth(lines[i])
    return "\n".join(lines)


def _sloppy_cp1252_table() -> list[str]:
    table = []
    for b in range(256):
        try:
            table.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            table.append(chr(b))
    return table


_CP1252 = _sloppy_cp1252_table()


def mojibake(text: str, codec: str = "cp1252") -> str:
    """UTF-8 bytes mis-decoded as ``cp1252`` (undefined bytes kept as latin-1) or ``latin-1``."""
    data = text.encode("utf-8")
    if codec == "latin-1":
        return data.decode("latin-1")
    return "".join(_CP1252[b] for b in data)


INSTRUMENTAL_TEXTS: tuple[tuple[str, str], ...] = _bank("defects", "INSTRUMENTAL_TEXTS")

# Project-written filler for the "mostly non-letter" defect.
NON_LETTER_TEXTS: tuple[str, ...] = _bank("defects", "NON_LETTER_TEXTS")

SHORT_TEXTS: dict[str, tuple[str, ...]] = _bank("defects", "SHORT_TEXTS")

# Word swaps for near-duplicate edits: (old, new) pairs tried in order.
_SWAPS: dict[str, tuple[tuple[str, str], ...]] = _bank("defects", "_SWAPS")


def swap_word(rng: random.Random, lines: list[str], lang: str) -> list[str]:
    """Change one word (first applicable swap) in one random non-blank line."""
    out = list(lines)
    idx = [i for i, ln in enumerate(out) if ln]
    rng.shuffle(idx)
    for old, new in _SWAPS[lang]:
        for i in idx:
            if old in out[i]:
                out[i] = out[i].replace(old, new, 1)
                return out
    i = idx[0]
    out[i] = out[i] + ("!" if lang == "en" else "啊")
    return out


# --------------------------------------------------------------------------------------------
# Reference normalization (used only to verify the ground truth written to expected.json)
# --------------------------------------------------------------------------------------------

_REF_LRC_TIME = re.compile(r"\[\s*\d{1,3}\s*:\s*\d{1,2}(?:\s*[.:]\s*\d{1,3})?\s*\]")
_REF_LRC_META = re.compile(r"^\s*\[(?:ti|ar|al|au|by|offset|re|ve|length)\s*:[^\]]*\]\s*$", re.I)
_REF_HTML_BREAK = re.compile(r"<\s*(?:br|/p|p|/div|div)\s*/?\s*>", re.I)
_REF_HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]{0,200}>")
_REF_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
_REF_CREDIT = re.compile(
    r"^\s*(?:作词|作曲|编曲|作詞|編曲|制作人|작사|작곡|편곡|lyrics|composed|written|producer)"
    r"(?:\s*(?:by|者))?\s*(?:[:：\-–—/]|\bby\b)\s*\S",
    re.I,
)
_REF_SPACE = re.compile(r"[ \t\u3000\xa0]+")
_WS = re.compile(r"\s+")
_PUNCT_DIGIT_WS = re.compile(r"[\W\d_]+", re.UNICODE)


def reference_normalize(text: str) -> str:
    """Cleaning as the curation pipeline is expected to do it (minus mojibake repair).

    HTML -> line breaks/unescaped, control characters dropped, NFKC, LRC tags and credit lines
    removed, lines stripped, blank runs collapsed. Only used to check the shipped ground truth.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = html.unescape(_REF_HTML_TAG.sub("", _REF_HTML_BREAK.sub("\n", text)))
    text = unicodedata.normalize("NFKC", _REF_CONTROL.sub("", text))
    text = _REF_LRC_TIME.sub("", "\n".join(ln for ln in text.split("\n") if not _REF_LRC_META.match(ln)))
    lines = [_REF_SPACE.sub(" ", ln).strip() for ln in text.split("\n")]
    lines = [ln for ln in lines if not (len(ln) <= 80 and _REF_CREDIT.match(ln))]
    out: list[str] = []
    for ln in lines:
        if ln or (out and out[-1]):
            out.append(ln)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def shingles(text: str, k: int = 5) -> set[str]:
    """Character ``k``-grams of the lowercased, whitespace-collapsed text."""
    s = _WS.sub(" ", text.lower()).strip()
    if len(s) < k:
        return {s} if s else set()
    return {s[i : i + k] for i in range(len(s) - k + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """Jaccard similarity of two sets (1.0 for two empty sets)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def text_jaccard(a: str, b: str, k: int = 5, normalize: bool = True) -> float:
    """Character-``k``-gram Jaccard of two lyric texts (after :func:`reference_normalize` if asked)."""
    if normalize:
        a, b = reference_normalize(a), reference_normalize(b)
    return jaccard(shingles(a, k), shingles(b, k))


def squash(text: str) -> str:
    """Lowercased text without punctuation, digits or whitespace (strict exact-duplicate key)."""
    return _PUNCT_DIGIT_WS.sub("", text.lower())


def estimate_tokens(text: str) -> int:
    """Rough token count: one per CJK/kana/hangul character, one per 4 other non-space characters."""
    cjk = other = 0
    for ch in text:
        cp = ord(ch)
        if (
            0x3040 <= cp <= 0x30FF
            or 0x3400 <= cp <= 0x9FFF
            or 0xAC00 <= cp <= 0xD7A3
            or 0xF900 <= cp <= 0xFAFF
        ):
            cjk += 1
        elif not ch.isspace():
            other += 1
    return cjk + (other + 3) // 4


# --------------------------------------------------------------------------------------------
# Records and file writing
# --------------------------------------------------------------------------------------------

_ABSENT = "__absent__"


@dataclass
class Song:
    """One song record of the sample plus its ground-truth labels.

    ``truth`` is the language a human would assign (None when the lyric has no language);
    ``hint`` is the ``language`` field written to the file (``_ABSENT`` to leave it out).
    """

    song_id: str
    name: str
    artist: str
    album: str | None
    lyrics: str | None
    tags: list[str]
    truth: str | None
    hint: str | None = None
    labels: set[str] = field(default_factory=set)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_obj(self) -> dict[str, Any]:
        """The JSON object written to ``songs.jsonl``."""
        obj: dict[str, Any] = {
            "song_id": self.song_id,
            "name": self.name,
            "artist": self.artist,
            "album": self.album,
            "lyrics": self.lyrics,
            "tags": self.tags,
        }
        if self.hint != _ABSENT:
            obj["language"] = self.hint
        obj.update(self.extra)
        return obj


@dataclass
class RawLine:
    """A deliberately invalid line, written verbatim."""

    data: bytes
    kind: str
    song_id: str | None = None
    detail: str = ""


def dumps_line(obj: Any) -> bytes:
    """One JSONL line (UTF-8, no trailing newline); line/paragraph separators are escaped."""
    text = json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\u0085", "\\u0085")
    return text.encode("utf-8")


def write_lines(path: Path, lines: Iterable[bytes]) -> tuple[int, int]:
    """Write byte lines (``\\n``-terminated) in binary mode; returns (lines, bytes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = size = 0
    with open(path, "wb") as fh:
        for line in lines:
            fh.write(line + b"\n")
            n += 1
            size += len(line) + 1
    return n, size


class IdMaker:
    """Opaque, unique, seeded ids like ``s3f9a2c1b07`` (no language hint inside)."""

    def __init__(self, rng: random.Random, prefix: str) -> None:
        self._rng = rng
        self._prefix = prefix
        self._seen: set[str] = set()

    def __call__(self) -> str:
        while True:
            new = f"{self._prefix}{self._rng.getrandbits(44):011x}"
            if new not in self._seen:
                self._seen.add(new)
                return new


# --------------------------------------------------------------------------------------------
# Public-domain subset from the shipped corpus (data/corpora/public-domain-lyrics)
# --------------------------------------------------------------------------------------------

# Broad credit-like line starts: public-domain songs with such lines are skipped so that cleaning
# leaves them untouched.
_PD_CREDITISH = re.compile(
    r"^\s*(?:music|words|written|lyrics?|composed|arranged|vocals?|producer|歌|唄|曲|词|詞|作|鼓|노래)\s*(?:by|[:：\-–—/])",
    re.I,
)
PD_QUOTA: dict[str, int] = {"en": 45, "zh": 55, "ja": 40}
_PD_ALBUMS: dict[str, tuple[str, ...]] = _bank("public_domain", "_PD_ALBUMS")
_PD_LEN: dict[str, tuple[int, int]] = {"en": (150, 480), "zh": (48, 200), "ja": (50, 300)}


def _pd_ok(rec: dict[str, Any]) -> bool:
    lang = rec.get("language")
    if lang not in _PD_LEN or rec.get("album") not in _PD_ALBUMS[lang]:
        return False
    text = rec["lyrics"]
    lo, hi = _PD_LEN[lang]
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if not lo <= len(text) <= hi or len(lines) < 4:
        return False
    if any(_PD_CREDITISH.match(ln) or "[" in ln or "<" in ln for ln in lines):
        return False
    top = Counter(lines).most_common(1)[0][1]
    return top / len(lines) <= 0.34


def load_public_domain(path: Path, seed: int, quota: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """Pick a small, duplicate-free subset of the public-domain corpus.

    Input: ``songs.jsonl`` of the corpus. Output: records (all original fields kept) with
    ``quota`` songs per language, no two of them sharing a strict exact key or reaching 0.4
    character-5-gram Jaccard, spread over the collections of ``_PD_ALBUMS``.
    """
    quota = dict(PD_QUOTA if quota is None else quota)
    by_lang_album: dict[tuple[str, str], list[dict[str, Any]]] = {}
    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            if not raw.strip():
                continue
            rec = json.loads(raw)
            if _pd_ok(rec):
                by_lang_album.setdefault((rec["language"], rec["album"]), []).append(rec)
    rng = random.Random(f"pd:{seed}")
    chosen: list[dict[str, Any]] = []
    keys: set[str] = set()
    sh: list[set[str]] = []
    for lang in ("en", "zh", "ja"):
        queues = []
        for album in _PD_ALBUMS[lang]:
            recs = sorted(by_lang_album.get((lang, album), []), key=lambda r: r["song_id"])
            rng.shuffle(recs)
            queues.append(recs)
        got = 0
        while got < quota.get(lang, 0) and any(queues):
            for q in queues:
                if got >= quota.get(lang, 0) or not q:
                    continue
                rec = q.pop()
                key = squash(rec["lyrics"])
                s = shingles(reference_normalize(rec["lyrics"]))
                if key in keys or any(jaccard(s, o) >= 0.4 for o in sh):
                    continue
                keys.add(key)
                sh.append(s)
                chosen.append(rec)
                got += 1
    return chosen


# --------------------------------------------------------------------------------------------
# The sample's songs
# --------------------------------------------------------------------------------------------

SAMPLE_TRUTH_TARGET: dict[str, int] = {"en": 200, "zh": 200, "ja": 120, "ko": 80}
_PUNCT: dict[str, tuple[str, ...]] = _bank("sample_songs", "_PUNCT")
_WRONG_HINT: dict[str, str] = {"en": "zh", "zh": "ja", "ja": "zh", "ko": "ja"}


def _unique_line_indexes(lines: list[str]) -> list[int]:
    counts = Counter(lines)
    return [i for i, ln in enumerate(lines) if ln and counts[ln] == 1]


def edit_lines(rng: random.Random, lines: list[str], lang: str, op: str, pool: LinePool | None) -> list[str]:
    """Apply one small edit: ``swap`` (one word), ``line_change``, ``line_add``, ``line_remove``, ``punct``."""
    out = list(lines)
    if op == "swap":
        return swap_word(rng, out, lang)
    idx = _unique_line_indexes(out) or [i for i, ln in enumerate(out) if ln]
    i = rng.choice(idx)
    if op == "line_change" and pool is not None:
        new = pool.line(rng)
        while new in out:
            new = pool.line(rng)
        out[i] = new
    elif op == "line_add" and pool is not None:
        new = pool.line(rng)
        while new in out:
            new = pool.line(rng)
        out.insert(i, new)
    elif op == "line_remove":
        del out[i]
    elif op == "punct":
        for j in rng.sample(idx, min(3, len(idx))):
            out[j] = out[j] + rng.choice(_PUNCT[lang])
    else:
        raise ValueError(f"unknown edit {op!r}")
    return out


class _SongFactory:
    """Builds the labelled songs of the sample (valid records and invalid lines)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"songs:{seed}")
        self.pools = {lang: build_pool(lang, seed) for lang in LANGS}
        self.new_id = IdMaker(self.rng, "s")
        self.songs: list[Song] = []
        self.raw: list[RawLine] = []
        self.exact_groups: list[list[str]] = []
        self.exact_raw_groups: list[list[str]] = []
        self.near_groups: list[list[str]] = []
        self.near_pairs: list[float] = []

    # ---- helpers -----------------------------------------------------------------------
    def lines(self, lang: str, lo: int = 8, hi: int = 11) -> list[str]:
        return compose_lines(self.rng, self.pools[lang], self.rng.randint(lo, hi))

    def add(self, lang: str, lyrics: str | None, *labels: str, truth: str | None = "", **kw: Any) -> Song:
        rng = self.rng
        song = Song(
            song_id=kw.pop("song_id", None) or self.new_id(),
            name=kw.pop("name", None) or rng.choice(TITLES[lang]),
            artist=kw.pop("artist", None) or make_artist(rng, lang),
            album=kw.pop("album")
            if "album" in kw
            else (rng.choice(ALBUMS[lang]) if rng.random() < 0.85 else None),
            lyrics=lyrics,
            tags=kw.pop("tags") if "tags" in kw else rng.sample(TAGS[lang], rng.randint(0, 3)),
            truth=lang if truth == "" else truth,
            hint=lang,
            labels=set(labels),
            extra=kw.pop("extra", {}),
        )
        if kw:
            raise TypeError(f"unexpected {sorted(kw)}")
        self.songs.append(song)
        return song

    def copy(self, song: Song, lyrics: str, *labels: str, **kw: Any) -> Song:
        fields = {
            "name": song.name,
            "artist": song.artist,
            "album": song.album,
            "tags": list(song.tags),
            "extra": dict(song.extra),
        }
        fields.update(kw)
        lang = song.hint if song.hint in LANGS else (song.truth or "en")
        new = self.add(lang, lyrics, *labels, truth=song.truth, **fields)
        return new

    # ---- defect families -----------------------------------------------------------------
    def lrc_songs(self) -> None:
        plan = [
            ("en", True, False, False),
            ("en", False, True, True),
            ("zh", True, False, False),
            ("zh", True, True, False),
            ("zh", False, False, True),
            ("ja", True, False, False),
            ("ja", False, True, False),
            ("ko", False, False, False),
            ("ko", True, True, True),
        ]
        for lang, meta, multi, three in plan:
            song = self.add(lang, None, "lrc")
            lines = self.lines(lang, 10, 18)
            tags = None
            if meta:
                tags = {"ti": song.name, "ar": song.artist}
                if song.album:
                    tags["al"] = song.album
                tags.update(
                    {"by": self.rng.choice(_BY_NAMES), "offset": str(self.rng.choice((0, 200, -150, 500)))}
                )
                song.labels.add("lrc_metadata")
            if multi:
                song.labels.add("lrc_multi_stamp")
            song.lyrics = add_lrc(self.rng, "\n".join(lines), meta=tags, multi=multi, three=three)

    def credit_songs(self) -> None:
        for lang in LANGS:
            for style in range(len(CREDIT_STYLES[lang])):
                self.add(lang, add_credits(self.rng, "\n".join(self.lines(lang)), lang, style), "credits")
        # credits and LRC together (the usual shape of downloaded .lrc files)
        song = self.add("zh", None, "credits", "lrc")
        body = "\n".join(credit_lines(self.rng, "zh", 1) + self.lines("zh", 10, 16))
        song.lyrics = add_lrc(self.rng, body, meta={"ti": song.name, "ar": song.artist})
        song.labels.add("lrc_metadata")

    def markup_songs(self) -> None:
        en = "\n".join(ln for ln in self.lines("en") if ln)
        while "'" not in en:
            en = "\n".join(self.lines("en"))
        self.add("en", add_html(self.rng, en, "entities"), "html")
        self.add("en", add_html(self.rng, "\n".join(self.lines("en")), "br"), "html")
        self.add("zh", add_html(self.rng, "\n".join(self.lines("zh")), "p"), "html")
        self.add("zh", add_html(self.rng, "\n".join(self.lines("zh")), "br"), "html")
        ja = add_html(self.rng, "\n".join(self.lines("ja")), "p").replace("</p><p>", "</p>\n&amp;\n<p>", 1)
        self.add("ja", ja, "html")
        for lang in LANGS:
            self.add(lang, add_control_chars(self.rng, "\n".join(self.lines(lang))), "control_chars")
        for _ in range(2):
            self.add("en", add_fullwidth(self.rng, "\n".join(self.lines("en"))), "fullwidth")
        for lang, mix in (("zh", ZH_MIX_LINES), ("ko", KO_MIX_LINES)):
            lines = self.lines(lang, 9, 12)
            idx = _unique_line_indexes(lines)
            for i, new in zip(self.rng.sample(idx, min(3, len(idx))), self.rng.sample(mix, 3), strict=False):
                lines[i] = to_fullwidth(new)
            self.add(lang, "\n".join(lines), "fullwidth", "mixed_language")

    def quality_songs(self) -> None:
        for lang, text in INSTRUMENTAL_TEXTS:
            self.add(lang, text, "instrumental", truth=None)
        body = "\n".join(credit_lines(self.rng, "zh", 3)) + "\n\n纯音乐，请欣赏"
        self.add("zh", body, "instrumental", "credits", truth=None)
        for lang, text in (("en", ""), ("zh", ""), ("ko", "   "), ("ja", "\n\n \t\n"), ("en", None)):
            self.add(lang, text, "empty", truth=None)
        for lang in LANGS:
            self.add(lang, SHORT_TEXTS[lang][0], "too_short")
        self.add("en", SHORT_TEXTS["en"][1], "too_short")
        for lang, reps in (("en", 35), ("zh", 40), ("ko", 32), ("ja", 30)):
            pool = self.pools[lang]
            line = pool.line(self.rng)
            others = [pool.line(self.rng) for _ in range(2)]
            self.add(lang, "\n".join(others[:1] + [line] * reps + others[1:]), "spam")
        langs = ("en", "zh", "ja", "ko", "zh")
        for lang, text in zip(langs, NON_LETTER_TEXTS, strict=True):
            self.add(lang, text, "non_letter", truth=None)

    def mojibake_songs(self) -> None:
        for lang, codec in (("zh", "cp1252"), ("zh", "latin-1"), ("ja", "cp1252"), ("ko", "cp1252")):
            self.add(lang, mojibake("\n".join(self.lines(lang)), codec), "mojibake", f"mojibake_{codec}")

    def language_songs(self) -> None:
        rng = self.rng
        for _ in range(3):  # Korean with English lines
            lines = self.lines("ko", 10, 16)
            for i in rng.sample(range(len(lines)), 3):
                if lines[i]:
                    lines[i] = rng.choice(KO_MIX_LINES)
            lines += [self.pools["en"].line(rng), ""] if rng.random() < 0.5 else []
            self.add("ko", "\n".join(lines).strip("\n"), "mixed_language")
        for _ in range(3):  # Japanese verses, English chorus
            chorus = self.pools["en"].lines(rng, 2)
            verses = [self.pools["ja"].lines(rng, 4) for _ in range(3)]
            parts = [verses[0], chorus, verses[1], chorus, verses[2]]
            self.add("ja", "\n\n".join("\n".join(p) for p in parts), "mixed_language")
        for _ in range(3):  # Chinese with English words
            lines = self.lines("zh", 10, 16)
            for i in rng.sample(range(len(lines)), 4):
                if lines[i]:
                    lines[i] = rng.choice(ZH_MIX_LINES)
            self.add("zh", "\n".join(lines), "mixed_language")
        for _ in range(4):  # kanji-heavy Japanese with only a little kana
            lines = rng.sample(JA_KANJI_LINES, rng.randint(8, 11))
            lines.insert(rng.randrange(len(lines)), self.pools["ja"].line(rng))
            self.add("ja", "\n".join(lines), "kanji_heavy_ja")
        for _ in range(4):  # traditional Chinese
            self.add("zh", "\n".join(rng.sample(ZH_TRAD_LINES, rng.randint(8, 14))), "traditional_zh")

    def exact_dups(self, pd: list[dict[str, Any]]) -> None:
        rng = self.rng
        for lang, n in (("en", 2), ("zh", 3), ("ko", 2)):
            first = self.add(lang, "\n".join(self.lines(lang)), "exact_dup")
            group = [first.song_id]
            for k in range(n - 1):
                kw = {"name": rng.choice(TITLES[lang])} if k == 0 else {"artist": make_artist(rng, lang)}
                group.append(self.copy(first, first.lyrics or "", "exact_dup", **kw).song_id)
            self.exact_groups.append(group)
            self.exact_raw_groups.append(group)
        ja_pd = next((s for s in self.songs if "public_domain" in s.labels and s.truth == "ja"), None)
        if ja_pd is None:  # no corpus: a synthetic stand-in
            ja_pd = self.add("ja", "\n".join(self.lines("ja")))
        dup = self.copy(ja_pd, ja_pd.lyrics or "", "exact_dup", name=ja_pd.name + "（再録）")
        if "public_domain" in ja_pd.labels:
            dup.labels.add("public_domain_derived")
            dup.extra = {**ja_pd.extra, "source": ja_pd.extra["source"] + " (duplicate copy)"}
        ja_pd.labels.add("exact_dup")
        self.exact_groups.append([ja_pd.song_id, dup.song_id])
        self.exact_raw_groups.append([ja_pd.song_id, dup.song_id])
        # duplicates that differ only in LRC timestamps / credits / line endings
        for lang, kinds in (
            ("zh", ("lrc",)),
            ("ja", ("lrc",)),
            ("en", ("credits",)),
            ("ko", ("credits", "lrc")),
            ("en", ("crlf",)),
        ):
            plain = self.lines(lang, 10, 16)
            first = self.add(lang, "\n".join(plain), "exact_dup")
            group = [first.song_id]
            for kind in kinds:
                if kind == "lrc":
                    text, labels = add_lrc(rng, "\n".join(plain)), ("lrc",)
                elif kind == "credits":
                    text, labels = add_credits(rng, "\n".join(plain), lang), ("credits",)
                else:
                    text, labels = "\r\n".join(ln + rng.choice(("", " ", "  ")) for ln in plain), ()
                group.append(self.copy(first, text, "exact_dup", *labels).song_id)
            self.exact_groups.append(group)

    def near_dups(self, pd: list[Song]) -> None:
        plan: list[tuple[str, tuple[str, ...]]] = [
            ("en", ("swap",)),
            ("en", ("line_add+punct",)),
            ("zh", ("swap", "line_remove")),
            ("zh", ("credits+swap",)),
            ("ja", ("line_change",)),
            ("ja", ("lrc+swap",)),
            ("ko", ("swap", "line_add")),
            ("ko", ("punct+swap",)),
        ]
        for lang, ops in plan:
            self._near_group(lang, ops, None)
        hymn = next((s for s in pd if s.truth == "en" and "Hymn" in (s.album or "")), None)
        self._near_group("en", ("swap",), hymn)

    def _near_group(self, lang: str, ops: tuple[str, ...], base_song: Song | None) -> None:
        rng = self.rng
        base_lines = (base_song.lyrics or "").split("\n") if base_song else self.lines(lang, 18, 24)
        for attempt in range(60):
            if base_song is None and attempt % 10 == 9:  # this base is too short for the edit: draw another
                base_lines = self.lines(lang, 18, 24)
            texts: list[tuple[str, tuple[str, ...]]] = []
            for op in ops:
                lines, labels = list(base_lines), []
                for part in op.split("+"):
                    if part in ("credits", "lrc"):
                        continue
                    lines = edit_lines(rng, lines, lang, part, self.pools[lang])
                text = "\n".join(lines)
                if "credits" in op:
                    text, labels = add_credits(rng, text, lang), ["credits"]
                if "lrc" in op:
                    text, labels = add_lrc(rng, text), ["lrc"]
                texts.append((text, tuple(labels)))
            allt = ["\n".join(base_lines)] + [t for t, _ in texts]
            norm = [reference_normalize(t) for t in allt]
            sims = [jaccard(shingles(a), shingles(b)) for i, a in enumerate(norm) for b in norm[i + 1 :]]
            keys = {squash(n) for n in norm}
            if min(sims) >= 0.85 and len(keys) == len(norm):
                break
        else:
            raise RuntimeError("could not make a near-duplicate group")
        self.near_pairs.extend(sims)
        if base_song is None:
            base = self.add(lang, allt[0], "near_dup")
        else:
            base = base_song
            base.labels.add("near_dup")
        group = [base.song_id]
        for text, labels in texts:
            kw: dict[str, Any] = {}
            if rng.random() < 0.4:
                kw["name"] = base.name + rng.choice((" (Live)", " (Acoustic)", " - Remastered", "（现场版）"))
            new = self.copy(base, text, "near_dup", *labels, **kw)
            if "public_domain" in base.labels:
                new.labels.add("public_domain_derived")
                new.extra = {**base.extra, "source": base.extra["source"] + " (edited copy)"}
            group.append(new.song_id)
        self.near_groups.append(group)

    def public_domain(self, pd: list[dict[str, Any]]) -> list[Song]:
        out = []
        for rec in pd:
            extra = {k: v for k, v in rec.items() if k in ("source", "license")}
            song = self.add(
                rec["language"],
                rec["lyrics"],
                "public_domain",
                song_id=rec["song_id"],
                name=rec["name"],
                artist=rec["artist"],
                album=rec.get("album"),
                tags=list(rec.get("tags") or []),
                extra=extra,
            )
            out.append(song)
        return out

    def invalid_lines(self) -> None:
        rng = self.rng

        def obj(lang: str = "en") -> dict[str, Any]:
            return {
                "song_id": self.new_id(),
                "name": rng.choice(TITLES[lang]),
                "artist": make_artist(rng, lang),
                "album": rng.choice(ALBUMS[lang]),
                "lyrics": "\n".join(self.lines(lang, 8, 10)),
                "tags": rng.sample(TAGS[lang], 2),
                "language": lang,
            }

        o = obj("zh")
        text = dumps_line(o).decode("utf-8")
        self.raw.append(
            RawLine(
                text[: int(len(text) * 0.6)].encode("utf-8"), "broken_json", o["song_id"], "truncated object"
            )
        )
        o = obj("en")
        self.raw.append(
            RawLine(
                dumps_line({k: o[k] for k in ("song_id", "name", "artist")})[:-1] + b",",
                "broken_json",
                o["song_id"],
                "ends after a comma",
            )
        )
        o = obj("ko")
        self.raw.append(
            RawLine(repr(o).encode("utf-8"), "broken_json", o["song_id"], "python dict repr (single quotes)")
        )
        for bad, detail in (
            (b"\xff\xfe", "bytes FF FE"),
            (b"\x80", "lone continuation byte"),
            (b"\xe4\xbd", "truncated 3-byte sequence"),
        ):
            o = obj(rng.choice(LANGS))
            data = dumps_line(o)
            at = data.index(b'"lyrics": "') + len(b'"lyrics": "')
            nl = data.index(b"\\n", at)
            self.raw.append(RawLine(data[:nl] + bad + data[nl:], "invalid_utf8", o["song_id"], detail))
        for variant in ("removed", "id", "songId"):
            o = obj(rng.choice(LANGS))
            sid = o.pop("song_id")
            if variant != "removed":
                o = {variant: sid, **o}
            self.raw.append(RawLine(dumps_line(o), "missing_song_id", None, f"song_id {variant}"))
        for empty in ("", "   ", ""):
            o = obj(rng.choice(LANGS))
            o["song_id"] = empty
            self.raw.append(RawLine(dumps_line(o), "empty_song_id", None, repr(empty)))
        for fld, value, detail in (
            ("tags", "pop, love", "tags is a string"),
            ("lyrics", 12345, "lyrics is a number"),
            ("name", None, "name is null"),
            ("artist", ["A", "B"], "artist is a list"),
        ):
            o = obj(rng.choice(LANGS))
            o[fld] = value
            self.raw.append(RawLine(dumps_line(o), "wrong_type", o["song_id"], detail))
        o = obj("en")
        self.raw.append(
            RawLine(dumps_line([o["song_id"], o["name"], o["lyrics"]]), "not_object", None, "array")
        )
        self.raw.append(RawLine(dumps_line("just a lyric line, not an object"), "not_object", None, "string"))
        self.raw.append(RawLine(b"null", "not_object", None, "null"))
        victims = rng.sample([s for s in self.songs if "public_domain" not in s.labels and s.truth], 3)
        for v in victims:
            o = obj(v.truth or "en")
            o["song_id"] = v.song_id
            self.raw.append(
                RawLine(dumps_line(o), "duplicate_song_id", v.song_id, "reuses an earlier song_id")
            )

    def fill_plain(self) -> None:
        have = Counter(s.truth for s in self.songs if s.truth)
        for lang in LANGS:
            for _ in range(SAMPLE_TRUTH_TARGET[lang] - have[lang]):
                self.add(lang, "\n".join(self.lines(lang)))

    def hints(self) -> None:
        rng = self.rng
        for s in self.songs:
            if rng.random() < 0.1:
                s.hint = _ABSENT
                s.labels.add("language_hint_missing")
        plain = [
            s for s in self.songs if s.truth and s.hint == s.truth and not (s.labels - {"public_domain"})
        ]
        for s in rng.sample(plain, 8):
            s.hint = _WRONG_HINT[s.truth or "en"] if rng.random() < 0.75 else "en"
            if s.hint == s.truth:
                s.hint = "zh"
            s.labels.add("language_hint_wrong")


# Labels whose songs the quality filters should drop, with the pipeline's expected reason.
QUALITY_DROP: dict[str, str] = _bank("sample_songs", "QUALITY_DROP")
SONG_LABELS: tuple[str, ...] = _bank("sample_songs", "SONG_LABELS")
INVALID_KINDS: tuple[str, ...] = _bank("sample_songs", "INVALID_KINDS")


def _layout(rng: random.Random, songs: list[Song], raws: list[RawLine], blanks: Sequence[bytes]) -> list[Any]:
    """Shuffle records, put duplicate-id lines after their originals, sprinkle blank lines."""
    items: list[Any] = [*songs, *(r for r in raws if r.kind != "duplicate_song_id")]
    rng.shuffle(items)
    for r in (r for r in raws if r.kind == "duplicate_song_id"):
        pos = next(i for i, it in enumerate(items) if isinstance(it, Song) and it.song_id == r.song_id)
        items.insert(rng.randint(pos + 1, len(items)), r)
    for b in blanks:
        items.insert(rng.randint(1, len(items) - 1), b)
    return items


def _check_songs(f: _SongFactory) -> dict[str, Any]:
    """Verify the song ground truth with the reference normalization; returns measured numbers.

    Raises RuntimeError when a labelled group is not what it claims or when two songs outside a
    group are exact or near (>= 0.5 char-5-gram Jaccard) duplicates of each other.
    """
    dropped = set(QUALITY_DROP) | {"mojibake"}
    live = [s for s in f.songs if not (s.labels & dropped)]
    norm = {s.song_id: reference_normalize(s.lyrics or "") for s in live}
    sh = {sid: shingles(t) for sid, t in norm.items()}
    group_of: dict[str, int] = {}
    for gi, g in enumerate(f.exact_groups + f.near_groups):
        for sid in g:
            group_of[sid] = gi
    for g in f.exact_groups:
        if len({norm[sid] for sid in g}) != 1:
            raise RuntimeError(f"exact group {g} differs after normalization")
    near_sims = []
    for g in f.near_groups:
        for i, a in enumerate(g):
            for b in g[i + 1 :]:
                near_sims.append(jaccard(sh[a], sh[b]))
                if squash(norm[a]) == squash(norm[b]):
                    raise RuntimeError(f"near group {g} has exact duplicates")
    if min(near_sims) < 0.85:
        raise RuntimeError(f"near group below 0.85: {min(near_sims)}")
    ids = sorted(sh)
    worst = 0.0
    keys: dict[str, str] = {}
    for sid in ids:
        k = squash(norm[sid])
        if k in keys and group_of.get(k and keys[k]) != group_of.get(sid, -1):
            raise RuntimeError(f"unlabelled exact duplicate: {keys[k]} {sid}")
        keys.setdefault(k, sid)
    # candidate pairs through a shingle index (exact Jaccard on the candidates)
    index: dict[str, list[str]] = {}
    for sid in ids:
        for g in sh[sid]:
            index.setdefault(g, []).append(sid)
    shared: Counter[tuple[str, str]] = Counter()
    for members in index.values():
        if len(members) > 60:  # very common shingles (" the ") say nothing
            continue
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                shared[(a, b)] += 1
    for (a, b), n in shared.items():
        if n < 5:
            continue
        same = a in group_of and group_of[a] == group_of.get(b)
        if not same:
            j = jaccard(sh[a], sh[b])
            worst = max(worst, j)
            if j >= 0.5:
                raise RuntimeError(f"unlabelled near duplicate {a} {b}: {j:.3f}")
    return {"near_dup_min_jaccard": round(min(near_sims), 4), "near_dup_max_other_jaccard": round(worst, 4)}


def build_sample_songs(
    seed: int, pd_records: list[dict[str, Any]]
) -> tuple[list[bytes], dict[str, Any], _SongFactory]:
    """All lines of ``songs.jsonl`` and its ground truth (the ``songs`` part of expected.json)."""
    f = _SongFactory(seed)
    pd_songs = f.public_domain(pd_records)
    f.lrc_songs()
    f.credit_songs()
    f.markup_songs()
    f.quality_songs()
    f.mojibake_songs()
    f.language_songs()
    f.exact_dups(pd_records)
    f.near_dups(pd_songs)
    f.fill_plain()
    f.hints()
    f.invalid_lines()
    measured = _check_songs(f)

    items = _layout(f.rng, f.songs, f.raw, (b"", b"", b"   ", b""))
    lines: list[bytes] = []
    line_of: dict[str, int] = {}
    blank: list[int] = []
    invalid: dict[str, list[int]] = {k: [] for k in INVALID_KINDS}
    details = []
    for n, it in enumerate(items, start=1):
        if isinstance(it, bytes):
            lines.append(it)
            blank.append(n)
        elif isinstance(it, Song):
            lines.append(dumps_line(it.to_obj()))
            line_of[it.song_id] = n
        else:
            lines.append(it.data)
            invalid[it.kind].append(n)
            details.append({"line": n, "kind": it.kind, "song_id": it.song_id, "detail": it.detail})
    order = sorted(f.songs, key=lambda s: line_of[s.song_id])
    labelled = {lab: [s.song_id for s in order if lab in s.labels] for lab in SONG_LABELS}
    truth = {s.song_id: s.truth for s in order if s.truth}
    excluded = {s.song_id: sorted(s.labels & set(QUALITY_DROP))[0] for s in order if not s.truth}
    quality = {s.song_id: QUALITY_DROP[lab] for s in order for lab in QUALITY_DROP if lab in s.labels}
    removed_by_dedup = {sid for g in f.exact_groups + f.near_groups for sid in g[1:]}
    after = Counter(
        s.truth for s in order if s.truth and s.song_id not in quality and s.song_id not in removed_by_dedup
    )
    ratios = {"en": 2, "zh": 2, "ko": 1, "ja": 1}
    unit = min(after[lang] / r for lang, r in ratios.items())
    balanced = {lang: min(after[lang], math.floor(unit * r + 1e-9)) for lang, r in ratios.items()}
    expected: dict[str, Any] = {
        "file": "songs.jsonl",
        "physical_lines": len(lines),
        "blank_lines": blank,
        "input_records": len(lines) - len(blank),
        "valid_records": len(f.songs),
        "invalid_records": len(f.raw),
        "invalid": invalid,
        "invalid_details": sorted(details, key=lambda d: d["line"]),
        **labelled,
        "exact_dup_groups": [sorted(g, key=line_of.__getitem__) for g in f.exact_groups],
        "exact_dup_raw_groups": [sorted(g, key=line_of.__getitem__) for g in f.exact_raw_groups],
        "near_dup_groups": [sorted(g, key=line_of.__getitem__) for g in f.near_groups],
        **measured,
        "language_hint_wrong_values": {s.song_id: s.hint for s in order if "language_hint_wrong" in s.labels},
        "language_truth": truth,
        "language_truth_excluded": excluded,
        "language_counts": dict(sorted(Counter(truth.values()).items())),
        "quality_drop": quality,
        "expected_after_quality_dedup": dict(sorted(after.items())),
        "expected_balanced_2_2_1_1": balanced,
        "lyric_tokens_estimate": sum(estimate_tokens(s.lyrics or "") for s in f.songs),
    }
    expected["counts"] = {
        **{lab: len(labelled[lab]) for lab in SONG_LABELS},
        **{f"invalid.{k}": len(v) for k, v in invalid.items()},
        "exact_dup_groups": len(f.exact_groups),
        "near_dup_groups": len(f.near_groups),
        "blank_lines": len(blank),
    }
    return lines, expected, f


# --------------------------------------------------------------------------------------------
# Playlists
# --------------------------------------------------------------------------------------------

# (title, tags, {slot: value}) per language; descriptions come from _PL_DESC templates.
_PL_THEMES: dict[str, tuple[tuple[str, tuple[str, ...], dict[str, str]], ...]] = _bank(
    "playlists", "_PL_THEMES"
)

_PL_DESC: dict[str, tuple[str, ...]] = _bank("playlists", "_PL_DESC")


def build_playlists(
    seed: int, truth: dict[str, str], pd_albums: dict[str, str]
) -> tuple[list[bytes], dict[str, Any]]:
    """``playlists.jsonl`` lines and ground truth.

    Inputs: the sample's valid songs as {song_id: language} and {song_id: album} for the
    public-domain ones. Output: 60 valid playlists (15 per language) referencing 5-25 valid songs
    each, plus 3 invalid lines (missing id, ``song_ids`` not a list, broken JSON).
    """
    rng = random.Random(f"playlists:{seed}")
    new_id = IdMaker(rng, "pl")
    by_lang: dict[str, list[str]] = {
        lang: sorted(s for s, lang2 in truth.items() if lang2 == lang) for lang in LANGS
    }
    pd_by_lang = {lang: [s for s in by_lang[lang] if s in pd_albums] for lang in LANGS}
    lines: list[bytes] = []
    valid: list[str] = []
    no_desc: list[str] = []
    refs = 0
    for lang in LANGS:
        for title, tags, slots in _PL_THEMES[lang]:
            n = rng.randint(5, 25)
            pd_theme = title in ("古风诗词", "Old Hymns", "Nursery Rhymes for Little Ones", "童謡・民謡")
            source = pd_by_lang[lang] if pd_theme else by_lang[lang]
            if title == "Old Hymns":
                source = [s for s in source if "Hymn" in pd_albums[s]]
            elif title == "Nursery Rhymes for Little Ones":
                source = [s for s in source if "Hymn" not in pd_albums[s]]
            ids = rng.sample(source, min(n, len(source)))
            if not pd_theme and rng.random() < 0.25:  # a few cross-language picks
                other = rng.choice([x for x in LANGS if x != lang])
                ids += rng.sample(by_lang[other], 2)
            desc: str | None = None
            if rng.random() < 0.88:
                for tpl in rng.sample(_PL_DESC[lang], len(_PL_DESC[lang])):
                    desc = tpl.format(n=len(ids), title=title, **slots)
                    if 50 <= len(desc) <= 200:
                        break
            pid = new_id()
            if desc is None:
                no_desc.append(pid)
            rec = {
                "playlist_id": pid,
                "title": title,
                "tags": list(tags),
                "description": desc,
                "song_ids": ids,
            }
            lines.append(dumps_line(rec))
            valid.append(pid)
            refs += len(ids)
    order = list(range(len(lines)))
    rng.shuffle(order)
    lines = [lines[i] for i in order]
    valid = [valid[i] for i in order]
    bad_ids = rng.sample(by_lang["zh"], 5)
    bad = [
        (
            "missing_playlist_id",
            dumps_line({"title": "无名歌单", "tags": ["伤感"], "description": None, "song_ids": bad_ids}),
        ),
        (
            "song_ids_not_list",
            dumps_line(
                {
                    "playlist_id": new_id(),
                    "title": "Broken list",
                    "tags": ["Pop"],
                    "description": "song_ids is a comma-separated string here.",
                    "song_ids": ",".join(bad_ids),
                }
            ),
        ),
        (
            "broken_json",
            dumps_line({"playlist_id": new_id(), "title": "途中で切れた", "tags": [], "song_ids": bad_ids})[
                :40
            ],
        ),
    ]
    invalid: dict[str, list[int]] = {}
    for _kind, data in bad:
        lines.insert(rng.randint(1, len(lines)), data)
    for n, line in enumerate(lines, start=1):
        for kind, data in bad:
            if line is data:
                invalid[kind] = [n]
    valid_set = set(valid)
    expected = {
        "file": "playlists.jsonl",
        "physical_lines": len(lines),
        "input_records": len(lines),
        "valid_records": len(valid),
        "invalid": invalid,
        "valid_playlist_ids": [
            p for p in (json.loads(x)["playlist_id"] for x in lines if _is_json(x)) if p in valid_set
        ],
        "description_null": no_desc,
        "song_refs": refs,
        "unknown_song_refs": 0,
    }
    return lines, expected


def _is_json(data: bytes) -> bool:
    try:
        obj = json.loads(data)
    except ValueError:
        return False
    return isinstance(obj, dict) and "playlist_id" in obj


# --------------------------------------------------------------------------------------------
# General text: wiki-style articles (facts written for this project)
# --------------------------------------------------------------------------------------------

# (kind, English name, Chinese name, English facts, Chinese facts)
WIKI_TOPICS: tuple[tuple[str, str, str, tuple[str, ...], tuple[str, ...]], ...] = _bank("wiki", "WIKI_TOPICS")

_WIKI_GENERIC: dict[tuple[str, str], tuple[str, ...]] = dict(_bank("wiki", "_WIKI_GENERIC"))

_WIKI_SECTIONS: dict[tuple[str, str], tuple[str, ...]] = dict(_bank("wiki", "_WIKI_SECTIONS"))


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _standalone(facts: Sequence[str], kind: str, name: str, lang: str) -> list[str]:
    """Facts with a leading "It"/"Its"/"它" replaced by the topic name (so any order reads well)."""
    subject = f"the {name}" if lang == "en" and kind == "instrument" else name
    out = [facts[0]]
    for f in facts[1:]:
        if lang == "en" and f.startswith("It "):
            f = _cap(subject) + f[2:]
        elif lang == "en" and f.startswith("Its "):
            f = _cap(subject) + "'s" + f[3:]
        elif lang == "zh" and f.startswith("它"):
            f = subject + f[1:]
        out.append(f)
    return out


def _wiki_doc(
    rng: random.Random, topic: tuple[str, str, str, tuple[str, ...], tuple[str, ...]], lang: str
) -> str:
    kind, en_name, zh_name, en_facts, zh_facts = topic
    name = en_name if lang == "en" else zh_name
    facts = _standalone(en_facts if lang == "en" else zh_facts, kind, name, lang)
    generic = [g.format(name=name) for g in _WIKI_GENERIC[(kind, lang)]]
    sections = list(_WIKI_SECTIONS[(kind, lang)])
    sep = " " if lang == "en" else ""
    style = rng.random()
    if style < 0.55:  # full article
        head = facts[:2]
        rest = facts[2:]
        rng.shuffle(rest)
        rng.shuffle(generic)
        parts = [f"# {_cap(name)}", sep.join(head)]
        titles = rng.sample(sections, min(len(sections), rng.randint(2, 3)))
        for i, title in enumerate(titles):
            body = rest[i :: len(titles)] + generic[i * 2 : i * 2 + rng.randint(1, 2)]
            rng.shuffle(body)
            parts.append(f"## {title}\n\n{sep.join(body)}")
        return "\n\n".join(parts)
    if style < 0.8:  # short summary with a related-topics line
        related = [t for t in WIKI_TOPICS if t[0] == kind and t[1] != en_name]
        see = rng.sample(related, 3)
        names = [t[1] if lang == "en" else t[2] for t in see]
        body = sep.join(facts[: rng.randint(2, len(facts))] + rng.sample(generic, 1))
        tail = (
            ("See also: " + ", ".join(names) + ".") if lang == "en" else ("参见：" + "、".join(names) + "。")
        )
        return f"{_cap(name)}\n\n{body}\n\n{tail}"
    # comparison of two topics of the same kind
    other = rng.choice([t for t in WIKI_TOPICS if t[0] == kind and t[1] != en_name])
    oname = other[1] if lang == "en" else other[2]
    ofacts = _standalone(other[3] if lang == "en" else other[4], kind, oname, lang)
    if lang == "en":
        title = f"# {_cap(name)} and {oname}: a comparison"
        intro = f"This note compares {name} with {oname}, two topics that are often mentioned together."
        closing = f"Both {name} and {oname} reward careful listening, and learning about one often helps with the other."
    else:
        title = f"# {name}与{oname}的比较"
        intro = f"本文比较{name}与{oname}这两个常被一起提到的话题。"
        closing = f"无论是{name}还是{oname}，都值得细细聆听；了解其中一个，往往也有助于理解另一个。"
    a = sep.join(facts[:1] + rng.sample(facts[1:], 2))
    b = sep.join(ofacts[:1] + rng.sample(ofacts[1:], 2))
    return "\n\n".join([title, intro, f"## {_cap(name)}\n\n{a}", f"## {_cap(oname)}\n\n{b}", closing])


def gen_wiki(rng: random.Random) -> Iterable[dict[str, Any]]:
    """Endless wiki-style documents (en and zh) about instruments, genres, technology and theory."""
    while True:
        topic = rng.choice(WIKI_TOPICS)
        lang = "en" if rng.random() < 0.4 else "zh"
        yield {"text": _wiki_doc(rng, topic, lang), "lang": lang}


# --------------------------------------------------------------------------------------------
# General text: everyday chat (en/zh), templated with computed details
# --------------------------------------------------------------------------------------------

_CITIES_EN = _bank("chat", "_CITIES_EN")
_CITIES_ZH = ("上海", "杭州", "成都", "广州", "深圳", "武汉", "西安", "南京", "厦门", "青岛", "重庆", "长沙")
_DAYS_EN = ("Saturday", "Sunday", "weekend", "afternoon", "Monday", "evening")
_DAYS_ZH = ("周六", "周日", "这个周末", "今天下午", "明天", "今晚")
_INGR_EN = _bank("chat", "_INGR_EN")
_INGR_ZH = _bank("chat", "_INGR_ZH")
_SYSTEM_EN = _bank("chat", "_SYSTEM_EN")
_SYSTEM_ZH = _bank("chat", "_SYSTEM_ZH")

_RAINY_IDEAS_EN = _bank("chat", "_RAINY_IDEAS_EN")
_RAINY_IDEAS_ZH = _bank("chat", "_RAINY_IDEAS_ZH")
_ACTIVITY_BPM: tuple[tuple[str, str, int, int], ...] = _bank("chat", "_ACTIVITY_BPM")
_GIFTS_EN: dict[str, tuple[str, ...]] = _bank("chat", "_GIFTS_EN")
_HOBBY_ZH = _bank("chat", "_HOBBY_ZH")
_GIFTS_ZH: dict[str, tuple[str, ...]] = _bank("chat", "_GIFTS_ZH")
_RELATIONS = _bank("chat", "_RELATIONS")


def _chat_en(rng: random.Random) -> list[dict[str, str]]:
    kind = rng.randrange(9)
    msgs: list[dict[str, str]] = []
    if rng.random() < 0.3:
        msgs.append({"role": "system", "content": rng.choice(_SYSTEM_EN)})
    if kind == 0:
        city, day = rng.choice(_CITIES_EN), rng.choice(_DAYS_EN)
        msgs.append(
            {
                "role": "user",
                "content": rng.choice(
                    (
                        f"It's supposed to rain all {day} in {city}. Any ideas for things to do indoors?",
                        f"Rainy {day} in {city} again. What could I do at home?",
                    )
                ),
            }
        )
        ideas = rng.sample(_RAINY_IDEAS_EN, rng.randint(3, 5))
        msgs.append(
            {
                "role": "assistant",
                "content": "Rainy days are great for slowing down. A few ideas:\n\n"
                + "\n".join(f"- {i}" for i in ideas)
                + f"\n\nEnjoy your {day}!",
            }
        )
    elif kind == 1:
        a, b, c = rng.sample(_INGR_EN, 3)
        dish = rng.choice(
            ("a quick stir-fry", "a simple soup", "a one-pan bake", "a warm salad", "fried rice")
        )
        msgs.append(
            {"role": "user", "content": f"I have {a}, {b} and {c} in the fridge. What can I make for dinner?"}
        )
        msgs.append(
            {
                "role": "assistant",
                "content": (
                    f"How about {dish}? It works well with what you have.\n\n"
                    f"1. Prepare everything first: wash and chop the {b} and the {c} into bite-sized pieces.\n"
                    f"2. Heat a little oil in a pan over medium heat.\n"
                    f"3. Cook the {a} until it is done, then add the {b} and {c}.\n"
                    f"4. Season with salt, pepper and anything you like (soy sauce, garlic or herbs all work).\n\n"
                    f"Taste as you go, and adjust the seasoning at the end."
                ),
            }
        )
    elif kind == 2:
        days, hours = rng.randint(5, 21), rng.randint(1, 4)
        subjects = rng.sample(
            ("math", "history", "biology", "English", "chemistry", "economics", "music theory"),
            rng.randint(2, 4),
        )
        total = days * hours
        review = max(1, days // 5)
        study_days = days - review
        per = study_days * hours / len(subjects)
        msgs.append(
            {
                "role": "user",
                "content": f"My exams start in {days} days and I can study about {hours} hours a day. "
                f"I need to cover {', '.join(subjects)}. How should I plan?",
            }
        )
        msgs.append(
            {
                "role": "assistant",
                "content": (
                    f"You have {days} x {hours} = {total} hours in total. I'd keep the last {review} day(s) for review, "
                    f"which leaves {study_days} x {hours} = {study_days * hours} hours for new material. Split evenly over "
                    f"{len(subjects)} subjects, that's about {per:.1f} hours each.\n\n"
                    "- Put the hardest subject in the morning, when you're fresh.\n"
                    "- Alternate subjects every day instead of finishing one completely.\n"
                    "- End each session with ten minutes of self-testing: it shows what you really remember."
                ),
            }
        )
    elif kind == 3:
        act, _, lo, hi = rng.choice(_ACTIVITY_BPM)
        msgs.append({"role": "user", "content": f"What kind of music should I put on for {act}?"})
        mid = (lo + hi) // 2
        msgs.append(
            {
                "role": "assistant",
                "content": (
                    f"For {act}, look for songs between about {lo} and {hi} BPM. Around {mid} BPM is a comfortable middle. "
                    f"At {mid} BPM one beat lasts {60 / mid:.2f} seconds, so you can check a song's tempo by counting beats "
                    "for 15 seconds and multiplying by four. "
                    + (
                        "Instrumental tracks are usually less distracting."
                        if lo < 90
                        else "A steady, strong beat helps you keep a rhythm."
                    )
                ),
            }
        )
    elif kind == 4:
        rel, _ = rng.choice(_RELATIONS)
        hobby = rng.choice(tuple(_GIFTS_EN))
        budget = rng.choice((20, 30, 40, 50, 75, 100))
        ideas = rng.sample(_GIFTS_EN[hobby], 3)
        msgs.append(
            {
                "role": "user",
                "content": f"My {rel}'s birthday is next week. They love {hobby} and my budget is about ${budget}. Ideas?",
            }
        )
        msgs.append(
            {
                "role": "assistant",
                "content": "Here are a few gift ideas for someone who loves "
                + hobby
                + ":\n\n"
                + "\n".join(f"- {i}" for i in ideas)
                + f"\n\nWith ${budget} you could pick one main gift and add a handwritten card; a personal note often means more than the price.",
            }
        )
    elif kind == 5:
        now = rng.randint(5, 20)
        goal = rng.choice((30, 45, 60))
        weeks = math.ceil(math.log(goal / now) / math.log(1.1))
        msgs.append(
            {
                "role": "user",
                "content": f"I can run for about {now} minutes without stopping. How long until I can run {goal} minutes?",
            }
        )
        msgs.append(
            {
                "role": "assistant",
                "content": (
                    f"A common rule of thumb is to increase your running time by about 10% per week. Starting from {now} minutes, "
                    f"you'd need {weeks} weeks to reach {goal} minutes ({now} x 1.1^{weeks} = {now * 1.1**weeks:.1f} minutes). "
                    "Run three times a week, keep an easy pace where you can still talk, and take an extra rest day if anything hurts."
                ),
            }
        )
        if rng.random() < 0.5:
            msgs.append({"role": "user", "content": "Should I listen to music while running?"})
            msgs.append(
                {
                    "role": "assistant",
                    "content": "Many people find it helps. Choose songs around 150 to 170 BPM to match a "
                    "relaxed running cadence, and keep the volume low enough to hear traffic.",
                }
            )
    elif kind == 6:
        event = rng.choice(("birthday", "dinner plans", "graduation", "concert", "moving day"))
        msgs.append(
            {"role": "user", "content": f"I completely forgot about my friend's {event}. How do I apologize?"}
        )
        msgs.append(
            {
                "role": "assistant",
                "content": (
                    "Apologize soon and keep it simple: say what happened, don't make excuses, and offer to make it up.\n\n"
                    f"Example: \"I'm really sorry I missed your {event}. I have no good excuse, and I know it mattered. "
                    'Can I take you out this week to celebrate properly?"'
                ),
            }
        )
    elif kind == 7:
        inst, chords = rng.choice(
            (("guitar", "G, C, D, E minor and A minor"), ("ukulele", "C, A minor, F and G"))
        )
        msgs.append(
            {"role": "user", "content": f"I just bought a {inst}. Which chords should I learn first?"}
        )
        msgs.append(
            {
                "role": "assistant",
                "content": (
                    f"Start with {chords}. With these you can already play hundreds of simple songs. Practise switching between "
                    "two chords for one minute at a time, slowly, and only speed up when the changes are clean."
                ),
            }
        )
    else:
        d1, d2 = rng.sample(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"), 2)
        name = rng.choice(_GIVEN["en"])
        msgs.append(
            {
                "role": "user",
                "content": f"Can you help me write a short message to {name} to move our meeting from {d1} to {d2}?",
            }
        )
        msgs.append(
            {
                "role": "assistant",
                "content": (
                    f'Sure:\n\n"Hi {name}, would it be possible to move our meeting from {d1} to {d2}? Something came up on '
                    f"{d1}. Same time works for me, but I'm happy to adjust. Thanks for understanding!\""
                ),
            }
        )
    return msgs


def _chat_zh(rng: random.Random) -> list[dict[str, str]]:
    kind = rng.randrange(8)
    msgs: list[dict[str, str]] = []
    if rng.random() < 0.3:
        msgs.append({"role": "system", "content": rng.choice(_SYSTEM_ZH)})
    if kind == 0:
        city, day = rng.choice(_CITIES_ZH), rng.choice(_DAYS_ZH)
        msgs.append(
            {
                "role": "user",
                "content": rng.choice(
                    (f"{city}{day}一直下雨，在家能做点什么？", f"{day}{city}要下大雨，有什么室内活动推荐吗？")
                ),
            }
        )
        ideas = rng.sample(_RAINY_IDEAS_ZH, rng.randint(3, 5))
        msgs.append(
            {
                "role": "assistant",
                "content": "下雨天正好可以慢下来。给你几个建议：\n\n"
                + "\n".join(f"- {i}" for i in ideas)
                + "\n\n祝你过得愉快！",
            }
        )
    elif kind == 1:
        a, b, c = rng.sample(_INGR_ZH, 3)
        msgs.append({"role": "user", "content": f"冰箱里只有{a}、{b}和{c}，晚饭做什么好？"})
        msgs.append(
            {
                "role": "assistant",
                "content": (
                    f"可以做一道简单的家常小炒。\n\n1. 先把{b}和{c}洗净切好。\n2. 锅里放少许油，中火烧热。\n"
                    f"3. 先把{a}炒熟，再放入{b}和{c}翻炒。\n4. 加盐调味，喜欢的话可以放一点生抽或蒜末。\n\n边炒边尝，最后再调整咸淡。"
                ),
            }
        )
    elif kind == 2:
        days, hours = rng.randint(5, 21), rng.randint(1, 4)
        subjects = rng.sample(("数学", "语文", "英语", "物理", "化学", "历史", "乐理"), rng.randint(2, 4))
        review = max(1, days // 5)
        study = (days - review) * hours
        msgs.append(
            {
                "role": "user",
                "content": f"还有{days}天考试，每天大概能学{hours}小时，要复习{'、'.join(subjects)}，怎么安排？",
            }
        )
        msgs.append(
            {
                "role": "assistant",
                "content": (
                    f"你一共有{days}×{hours}={days * hours}小时。建议留出最后{review}天做总复习，剩下{days - review}×{hours}={study}小时学新内容，"
                    f"平均分给{len(subjects)}门课，每门大约{study / len(subjects):.1f}小时。\n\n"
                    "- 把最难的科目放在精力最好的上午。\n- 每天交替复习不同科目，不要一门学完再学下一门。\n- 每次学习结束前花十分钟自测，检验真正记住了多少。"
                ),
            }
        )
    elif kind == 3:
        _, act, lo, hi = rng.choice(_ACTIVITY_BPM)
        mid = (lo + hi) // 2
        msgs.append({"role": "user", "content": f"{act}的时候适合听什么样的音乐？"})
        msgs.append(
            {
                "role": "assistant",
                "content": (
                    f"{act}时可以选速度在每分钟{lo}到{hi}拍（BPM）之间的歌，{mid} BPM左右比较合适。{mid} BPM时每一拍约{60 / mid:.2f}秒。"
                    "想知道一首歌的速度，可以数15秒内的拍数再乘以4。"
                    + ("纯音乐通常更不容易让人分心。" if lo < 90 else "稳定、有力的节拍能帮你保持节奏。")
                ),
            }
        )
    elif kind == 4:
        _, rel = rng.choice(_RELATIONS)
        hobby = rng.choice(tuple(_GIFTS_ZH))
        budget = rng.choice((100, 200, 300, 500))
        ideas = rng.sample(_GIFTS_ZH[hobby], 3)
        msgs.append(
            {
                "role": "user",
                "content": f"下周是我{rel}的生日，他/她喜欢{_HOBBY_ZH[hobby]}，预算{budget}元左右，送什么好？",
            }
        )
        msgs.append(
            {
                "role": "assistant",
                "content": f"给喜欢{_HOBBY_ZH[hobby]}的人，可以考虑：\n\n"
                + "\n".join(f"- {i}" for i in ideas)
                + f"\n\n{budget}元的预算可以选一件主要礼物，再附上一张手写卡片，心意往往比价格更重要。",
            }
        )
    elif kind == 5:
        now = rng.randint(5, 20)
        goal = rng.choice((30, 45, 60))
        weeks = math.ceil(math.log(goal / now) / math.log(1.1))
        msgs.append({"role": "user", "content": f"我现在能连续跑{now}分钟，多久才能跑到{goal}分钟？"})
        msgs.append(
            {
                "role": "assistant",
                "content": (
                    f"常见的建议是每周把跑步时间增加约10%。从{now}分钟开始，大约需要{weeks}周才能达到{goal}分钟"
                    f"（{now}×1.1^{weeks}≈{now * 1.1**weeks:.1f}分钟）。每周跑三次，保持能边跑边说话的轻松配速，身体不适就多休息一天。"
                ),
            }
        )
    elif kind == 6:
        event = rng.choice(("生日", "聚餐", "毕业典礼", "演唱会", "搬家"))
        msgs.append({"role": "user", "content": f"我完全忘了朋友的{event}，该怎么道歉？"})
        msgs.append(
            {
                "role": "assistant",
                "content": (
                    f"尽快道歉，简单真诚：说明情况，不找借口，并提出弥补。\n\n可以这样说：“真的很抱歉错过了你的{event}，"
                    "我没有任何借口，也知道这对你很重要。这周我请你吃饭，好好补上，好吗？”"
                ),
            }
        )
    else:
        q, a = rng.choice(
            (
                (
                    "今天好累啊，想听点轻松的。",
                    "辛苦啦！可以先泡一杯热茶，放一张节奏慢一点的专辑，把手机调成静音二十分钟，什么都不做，只听音乐。",
                ),
                (
                    "最近压力有点大，怎么放松一下？",
                    "可以试试散步十五分钟、做几次深呼吸，或者把想做的事写下来，一件一件划掉，会轻松很多。",
                ),
                (
                    "周末不想出门，有什么好玩的？",
                    "可以在家做一顿慢慢炖的饭，或者找一部老电影，再约一两个朋友线上一起玩个小游戏。",
                ),
            )
        )
        msgs.append({"role": "user", "content": q})
        msgs.append({"role": "assistant", "content": a})
        if rng.random() < 0.6:
            msgs.append({"role": "user", "content": "谢谢，有推荐的音乐类型吗？"})
            msgs.append(
                {
                    "role": "assistant",
                    "content": "可以听听波萨诺瓦、轻爵士或者钢琴独奏，速度在每分钟60到80拍左右的音乐通常最让人放松。",
                }
            )
    return msgs


def gen_chat(rng: random.Random) -> Iterable[dict[str, Any]]:
    """Endless everyday conversations in English and Chinese (``messages`` records)."""
    while True:
        if rng.random() < 0.4:
            yield {"messages": _chat_en(rng), "lang": "en"}
        else:
            yield {"messages": _chat_zh(rng), "lang": "zh"}


# --------------------------------------------------------------------------------------------
# General text: math word problems with computed worked answers
# --------------------------------------------------------------------------------------------


def _num(x: float) -> str:
    """A number without a pointless ``.0`` and with at most two decimals."""
    if abs(x - round(x)) < 1e-9:
        return str(int(round(x)))
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _mmss(seconds: int) -> str:
    m, s = divmod(seconds, 60)
    return f"{m}:{s:02d}"


def _math_problem(rng: random.Random, lang: str) -> tuple[str, list[str], str]:
    """(problem, solution steps, answer) for one generated word problem."""
    kind = rng.randrange(12)
    zh = lang == "zh"
    if kind == 0:
        a, p, b, q = (
            rng.randint(40, 400),
            rng.choice((15, 18, 20, 25, 30, 35)),
            rng.randint(5, 60),
            rng.choice((60, 75, 80, 120)),
        )
        total = a * p + b * q
        if zh:
            return (
                f"一场音乐会售出{a}张普通票，每张{p}元；还售出{b}张VIP票，每张{q}元。一共收入多少元？",
                [
                    f"普通票收入：{a}×{p}={a * p}元",
                    f"VIP票收入：{b}×{q}={b * q}元",
                    f"合计：{a * p}+{b * q}={total}元",
                ],
                f"{total}元",
            )
        return (
            f"A concert hall sold {a} regular tickets at ${p} each and {b} VIP tickets at ${q} each. How much money did it take in?",
            [
                f"Regular tickets: {a} x ${p} = ${a * p}",
                f"VIP tickets: {b} x ${q} = ${b * q}",
                f"Total: ${a * p} + ${b * q} = ${total}",
            ],
            f"${total}",
        )
    if kind == 1:
        p, d = rng.randint(8, 90), rng.choice((10, 15, 20, 25, 30, 40, 50))
        sale = p * (100 - d) / 100
        if zh:
            return (
                f"一张专辑原价{p}元，现在打{_num((100 - d) / 10)}折（便宜{d}%）。现价多少元？",
                [
                    f"便宜的金额：{p}×{d}%={_num(p * d / 100)}元",
                    f"现价：{p}-{_num(p * d / 100)}={sale:.2f}元",
                ],
                f"{sale:.2f}元",
            )
        return (
            f"An album costs ${p}. During a sale it is {d}% off. What is the sale price?",
            [
                f"Discount: {d}% of ${p} = ${p * d / 100:.2f}",
                f"Sale price: ${p} - ${p * d / 100:.2f} = ${sale:.2f}",
            ],
            f"${sale:.2f}",
        )
    if kind == 2:
        durs = [rng.randint(130, 330) for _ in range(rng.randint(3, 6))]
        total = sum(durs)
        listed = ", ".join(_mmss(d) for d in durs)
        steps = [
            ("换算成秒：" if zh else "Convert to seconds: ")
            + " + ".join(str(d) for d in durs)
            + f" = {total}",
            (
                f"{total}秒 = {total // 60}分{total % 60}秒"
                if zh
                else f"{total} s = {total // 60} min {total % 60} s"
            ),
        ]
        if zh:
            return (
                f"一个歌单里有{len(durs)}首歌，时长分别是{listed}。整个歌单一共多长？",
                steps,
                f"{_mmss(total)}（{total}秒）",
            )
        return (
            f"A playlist has {len(durs)} songs lasting {listed}. How long is the whole playlist?",
            steps,
            f"{_mmss(total)} ({total} seconds)",
        )
    if kind == 3:
        bpm, beats, bars = (
            rng.choice((60, 72, 80, 90, 96, 100, 120, 128, 144, 150)),
            rng.choice((3, 4)),
            rng.choice((8, 12, 16, 24, 32)),
        )
        secs = bars * beats * 60 / bpm
        if zh:
            return (
                f"一首歌速度为每分钟{bpm}拍，{beats}/4拍。{bars}小节一共多少秒？",
                [
                    f"总拍数：{bars}×{beats}={bars * beats}拍",
                    f"每拍时长：60÷{bpm}={_num(60 / bpm)}秒",
                    f"总时长：{bars * beats}×60÷{bpm}={_num(secs)}秒",
                ],
                f"{_num(secs)}秒",
            )
        return (
            f"A song is played at {bpm} beats per minute in {beats}/4 time. How many seconds do {bars} bars last?",
            [
                f"Beats: {bars} x {beats} = {bars * beats}",
                f"Seconds per beat: 60 / {bpm} = {_num(60 / bpm)}",
                f"Total: {bars * beats} x 60 / {bpm} = {_num(secs)} seconds",
            ],
            f"{_num(secs)} seconds",
        )
    if kind == 4:
        scores = [rng.randint(60, 100) for _ in range(rng.randint(4, 6))]
        mean = sum(scores) / len(scores)
        steps = [
            ("总分：" if zh else "Sum: ") + " + ".join(map(str, scores)) + f" = {sum(scores)}",
            (
                f"平均分：{sum(scores)}÷{len(scores)}={_num(mean)}"
                if zh
                else f"Average: {sum(scores)} / {len(scores)} = {_num(mean)}"
            ),
        ]
        if zh:
            return (
                f"合唱团{len(scores)}位评委的打分是{'、'.join(map(str, scores))}。平均分是多少？",
                steps,
                _num(mean),
            )
        return (
            f"A choir received scores of {', '.join(map(str, scores))} from {len(scores)} judges. What is the average score?",
            steps,
            _num(mean),
        )
    if kind == 5:
        x, y = rng.choice((15, 20, 25, 30, 40, 45)), rng.choice((30, 45, 60, 90))
        total = 5 * x + 2 * y
        h, m = divmod(total, 60)
        if zh:
            return (
                f"小林工作日每天练琴{x}分钟，周末每天练{y}分钟。他一周一共练多长时间？",
                [
                    f"工作日：5×{x}={5 * x}分钟",
                    f"周末：2×{y}={2 * y}分钟",
                    f"合计：{total}分钟={h}小时{m}分钟",
                ],
                f"{h}小时{m}分钟",
            )
        return (
            f"Mia practises piano for {x} minutes every weekday and {y} minutes on each weekend day. How long does she practise per week?",
            [
                f"Weekdays: 5 x {x} = {5 * x} min",
                f"Weekend: 2 x {y} = {2 * y} min",
                f"Total: {total} min = {h} h {m} min",
            ],
            f"{h} hours {m} minutes",
        )
    if kind == 6:
        sold, got, left = rng.randint(10, 60), rng.randint(5, 40), rng.randint(20, 90)
        start = left + sold - got
        if zh:
            return (
                f"乐队有一些海报。演出时卖出{sold}张，之后又收到{got}张新海报，现在有{left}张。原来有多少张？",
                [f"设原来有x张：x-{sold}+{got}={left}", f"x={left}+{sold}-{got}={start}"],
                f"{start}张",
            )
        return (
            f"A band had some posters. They sold {sold} at a show, then received {got} new ones, and now they have {left}. How many did they start with?",
            [
                f"Let x be the starting number: x - {sold} + {got} = {left}",
                f"x = {left} + {sold} - {got} = {start}",
            ],
            str(start),
        )
    if kind == 7:
        r1, r2 = rng.choice(((2, 3), (3, 2), (3, 4), (5, 3), (1, 2), (4, 5)))
        n = (r1 + r2) * rng.randint(4, 12)
        altos = n * r2 // (r1 + r2)
        if zh:
            return (
                f"合唱团女高音与女低音人数之比为{r1}:{r2}，共{n}人。女低音有多少人？",
                [f"一份：{n}÷({r1}+{r2})={n // (r1 + r2)}人", f"女低音：{n // (r1 + r2)}×{r2}={altos}人"],
                f"{altos}人",
            )
        return (
            f"In a choir the ratio of sopranos to altos is {r1}:{r2}. There are {n} singers. How many altos are there?",
            [
                f"One part: {n} / ({r1} + {r2}) = {n // (r1 + r2)}",
                f"Altos: {n // (r1 + r2)} x {r2} = {altos}",
            ],
            str(altos),
        )
    if kind == 8:
        length, width = rng.randint(6, 20), rng.randint(4, 12)
        if zh:
            return (
                f"一个长方形舞台长{length}米、宽{width}米。面积和周长各是多少？",
                [
                    f"面积：{length}×{width}={length * width}平方米",
                    f"周长：2×({length}+{width})={2 * (length + width)}米",
                ],
                f"面积{length * width}平方米，周长{2 * (length + width)}米",
            )
        return (
            f"A rectangular stage is {length} m long and {width} m wide. What are its area and perimeter?",
            [
                f"Area: {length} x {width} = {length * width} m^2",
                f"Perimeter: 2 x ({length} + {width}) = {2 * (length + width)} m",
            ],
            f"{length * width} m^2 and {2 * (length + width)} m",
        )
    if kind == 9:
        a = rng.randint(20, 200) * 100
        b = a + rng.randint(-60, 150) * a // 100
        pct = (b - a) / a * 100
        if zh:
            return (
                f"一首歌上个月播放{a}次，这个月播放{b}次。变化了百分之多少？",
                [f"变化量：{b}-{a}={b - a}", f"百分比：{b - a}÷{a}×100%={pct:.1f}%"],
                f"{pct:+.1f}%",
            )
        return (
            f"A song was streamed {a} times last month and {b} times this month. What is the percentage change?",
            [f"Change: {b} - {a} = {b - a}", f"Percent: {b - a} / {a} x 100% = {pct:.1f}%"],
            f"{pct:+.1f}%",
        )
    if kind == 10:
        v = rng.choice((40, 50, 60, 75, 80, 90, 100))
        d = v * rng.randint(2, 12) // 4
        minutes = d * 60 // v
        h, m = divmod(minutes, 60)
        if zh:
            return (
                f"巡演大巴以每小时{v}公里的速度行驶{d}公里。需要多长时间？",
                [f"时间：{d}÷{v}={_num(d / v)}小时", f"{_num(d / v)}小时={h}小时{m}分钟"],
                f"{h}小时{m}分钟",
            )
        return (
            f"A tour bus travels {d} km at {v} km/h. How long does the trip take?",
            [f"Time: {d} / {v} = {_num(d / v)} hours", f"{_num(d / v)} hours = {h} h {m} min"],
            f"{h} hours {m} minutes",
        )
    n, k = rng.randint(50, 400), rng.choice((6, 8, 10, 12, 15))
    q, r = divmod(n, k)
    if zh:
        return (
            f"礼堂有{n}把椅子，每排摆{k}把。能摆满几排？还剩几把？",
            [f"{n}÷{k}={q}……{r}"],
            f"摆满{q}排，剩{r}把",
        )
    return (
        f"A hall has {n} chairs set out in rows of {k}. How many full rows are there, and how many chairs are left over?",
        [f"{n} / {k} = {q} remainder {r}"],
        f"{q} full rows, {r} left over",
    )


def gen_math(rng: random.Random) -> Iterable[dict[str, Any]]:
    """Endless math word problems with step-by-step solutions (documents and chats, en/zh)."""
    while True:
        lang = "en" if rng.random() < 0.4 else "zh"
        problem, steps, answer = _math_problem(rng, lang)
        if lang == "zh":
            solution = "解：\n" + "\n".join(steps) + f"\n答：{answer}"
            doc = f"题目：{problem}\n\n{solution}"
        else:
            solution = "Solution:\n" + "\n".join(steps) + f"\nAnswer: {answer}"
            doc = f"Problem: {problem}\n\n{solution}"
        if rng.random() < 0.5:
            yield {"text": doc, "lang": lang}
        else:
            yield {
                "messages": [
                    {"role": "user", "content": problem},
                    {"role": "assistant", "content": solution},
                ],
                "lang": lang,
            }


# --------------------------------------------------------------------------------------------
# General text: small Python snippets with explanations (example results recorded in data/synthetic/code.json)
# --------------------------------------------------------------------------------------------

# (function names, English task, Chinese task, code with {fn}, English note, Chinese note,
#  (example call, repr of its result)); each result was computed once by running the snippet.
CODE_TEMPLATES: tuple[tuple[tuple[str, ...], str, str, str, str, str, tuple[tuple[str, str], ...]], ...] = (
    _bank("code", "CODE_TEMPLATES")
)


def gen_code(rng: random.Random) -> Iterable[dict[str, Any]]:
    """Endless Python snippets with explanations and recorded example results (documents and chats)."""
    while True:
        names, task_en, task_zh, code_t, note_en, note_zh, calls = rng.choice(CODE_TEMPLATES)
        fn = rng.choice(names)
        code = code_t.format(fn=fn)
        picked = rng.sample(calls, rng.randint(1, min(3, len(calls))))
        examples = [(c.format(fn=fn), result) for c, result in picked]
        shell = "\n".join(f">>> {c}\n{r}" for c, r in examples)
        lang = "en" if rng.random() < 0.5 else "zh"
        if lang == "en":
            ask = rng.choice(
                (
                    f"Write a Python function that {task_en}.",
                    f"How do I write a function in Python that {task_en}?",
                    f"Can you show me Python code that {task_en}?",
                )
            )
            answer = f"Here is a small function `{fn}`:\n\n```python\n{code}```\n\n{note_en}\n\nExample:\n\n```python\n{shell}\n```"
            title = f"## {fn}: a function that {task_en}"
        else:
            ask = rng.choice((f"用Python写一个函数，{task_zh}。", f"Python里怎么写一个{task_zh}的函数？"))
            answer = f"可以这样写一个函数`{fn}`：\n\n```python\n{code}```\n\n{note_zh}\n\n示例：\n\n```python\n{shell}\n```"
            title = f"## {fn}：{task_zh}"
        if rng.random() < 0.5:
            yield {
                "messages": [{"role": "user", "content": ask}, {"role": "assistant", "content": answer}],
                "lang": lang,
            }
        else:
            yield {"text": f"{title}\n\n{answer}", "lang": lang}


# --------------------------------------------------------------------------------------------
# General text: music knowledge Q&A (computed scales, chords, intervals, keys; written answers)
# --------------------------------------------------------------------------------------------

_LETTERS = "CDEFGAB"
_NATURAL_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
MAJOR_KEYS = ("C", "G", "D", "A", "E", "B", "F#", "C#", "F", "Bb", "Eb", "Ab", "Db", "Gb")
MINOR_KEYS = ("A", "E", "B", "F#", "C#", "G#", "D#", "D", "G", "C", "F", "Bb", "Eb")
_ROOTS = ("C", "C#", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_KEYSIG_SHARPS = {"C": 0, "G": 1, "D": 2, "A": 3, "E": 4, "B": 5, "F#": 6, "C#": 7}
_KEYSIG_FLATS = {"F": 1, "Bb": 2, "Eb": 3, "Ab": 4, "Db": 5, "Gb": 6}
_INTERVALS: tuple[tuple[int, int, str, str], ...] = _bank("music", "_INTERVALS")
_TRIADS: tuple[tuple[str, str, int, int], ...] = _bank("music", "_TRIADS")


def pitch_class(name: str) -> int:
    """Pitch class (0-11) of a note name like ``C``, ``F#`` or ``Bb``."""
    return (_NATURAL_PC[name[0]] + name.count("#") - name.count("b")) % 12


def spell(letter: str, pc: int) -> str | None:
    """The name with ``letter`` for pitch class ``pc`` (single sharp/flat only, else None)."""
    diff = (pc - _NATURAL_PC[letter]) % 12
    diff = diff - 12 if diff > 6 else diff
    return {0: letter, 1: letter + "#", -1: letter + "b"}.get(diff)


def note_above(root: str, steps: int, semitones: int) -> str | None:
    """The note ``steps`` letter names and ``semitones`` half steps above ``root``."""
    letter = _LETTERS[(_LETTERS.index(root[0]) + steps) % 7]
    return spell(letter, (pitch_class(root) + semitones) % 12)


def scale(tonic: str, minor: bool = False) -> list[str]:
    """The seven notes of the major (or natural minor) scale on ``tonic``, correctly spelled."""
    pattern = (2, 1, 2, 2, 1, 2, 2) if minor else (2, 2, 1, 2, 2, 2, 1)
    out, semis = [tonic], 0
    for i, step in enumerate(pattern[:-1], start=1):
        semis += step
        note = note_above(tonic, i, semis)
        if note is None:
            raise ValueError(f"{tonic} needs double accidentals")
        out.append(note)
    return out


_MK_STATIC: tuple[tuple[str, str, str, str], ...] = _bank("music", "_MK_STATIC")


def _mk_item(rng: random.Random, lang: str) -> tuple[str, str]:
    """One music-knowledge (question, answer) pair in ``lang`` (computed or written)."""
    zh = lang == "zh"
    kind = rng.randrange(8)
    if kind == 0:
        key = rng.choice(MAJOR_KEYS)
        notes = scale(key)
        if zh:
            return (
                f"{key}大调音阶有哪些音？",
                f"{key}大调音阶依次是：{'、'.join(notes)}。它按照“全全半全全全半”的音程关系排列。",
            )
        return (
            f"What are the notes of the {key} major scale?",
            f"The {key} major scale is {', '.join(notes)}. It follows the pattern whole, whole, half, whole, whole, whole, half.",
        )
    if kind == 1:
        key = rng.choice(MINOR_KEYS)
        notes = scale(key, minor=True)
        rel = notes[2]
        if zh:
            return (
                f"{key}小调（自然小调）音阶有哪些音？",
                f"{key}自然小调音阶依次是：{'、'.join(notes)}。它的关系大调是{rel}大调，两者调号相同。",
            )
        return (
            f"What are the notes of the {key} natural minor scale?",
            f"The {key} natural minor scale is {', '.join(notes)}. Its relative major is {rel} major, which has the same key signature.",
        )
    if kind == 2:
        while True:
            root = rng.choice(_ROOTS)
            q_en, q_zh, third, fifth = rng.choice(_TRIADS)
            t, f = note_above(root, 2, third), note_above(root, 4, fifth)
            if t and f:
                break
        if zh:
            return (
                f"以{root}为根音的{q_zh}由哪几个音组成？",
                f"{root}{q_zh}由{root}、{t}、{f}组成：根音到三音{third}个半音，根音到五音{fifth}个半音。",
            )
        return (
            f"Which notes make up a {root} {q_en} triad?",
            f"A {root} {q_en} triad is {root}, {t} and {f}: the third is {third} semitones and the fifth {fifth} semitones above the root.",
        )
    if kind == 3:
        while True:
            root = rng.choice(_ROOTS)
            num, semis, name_en, name_zh = rng.choice(_INTERVALS)
            top = note_above(root, num - 1, semis)
            if top:
                break
        if zh:
            return f"从{root}向上到{top}是什么音程？", f"从{root}向上到{top}是{name_zh}，相差{semis}个半音。"
        return (
            f"What interval is it from {root} up to {top}?",
            f"From {root} up to {top} is a {name_en}, {semis} semitones.",
        )
    if kind == 4:
        key = rng.choice(MAJOR_KEYS[:-1])
        if key in _KEYSIG_SHARPS:
            n, acc = _KEYSIG_SHARPS[key], list("FCGDAEB")[: _KEYSIG_SHARPS[key]]
            acc = [a + "#" for a in acc]
            kind_en, kind_zh = "sharp", "升号"
        else:
            n, acc = _KEYSIG_FLATS[key], [a + "b" for a in "BEADGCF"[: _KEYSIG_FLATS[key]]]
            kind_en, kind_zh = "flat", "降号"
        if n == 0:
            return (
                ("C大调的调号有几个升降号？", "C大调没有升号也没有降号，只用白键上的音。")
                if zh
                else (
                    "How many sharps or flats does C major have?",
                    "C major has no sharps or flats; it uses only the white keys of the piano.",
                )
            )
        if zh:
            return f"{key}大调的调号有几个{kind_zh}？", f"{key}大调有{n}个{kind_zh}：{'、'.join(acc)}。"
        return (
            f"How many {kind_en}s are in the key signature of {key} major?",
            f"{key} major has {n} {kind_en}{'s' if n > 1 else ''}: {', '.join(acc)}.",
        )
    if kind == 5:
        name = rng.choice(_SHARP_NAMES)
        octave = rng.randint(2, 6)
        midi = (octave + 1) * 12 + pitch_class(name)
        freq = 440 * 2 ** ((midi - 69) / 12)
        d = midi - 69
        if zh:
            rel = "与A4相同" if d == 0 else (f"比A4高{d}个半音" if d > 0 else f"比A4低{-d}个半音")
            return (
                f"以A4=440赫兹为标准，{name}{octave}的频率是多少？",
                f"{name}{octave}{rel}，频率为440×2^({d}/12)≈{freq:.2f}赫兹。",
            )
        rel = (
            "is A4 itself"
            if d == 0
            else (f"is {d} semitones above A4" if d > 0 else f"is {-d} semitones below A4")
        )
        return (
            f"With A4 = 440 Hz, what is the frequency of {name}{octave}?",
            f"{name}{octave} {rel}, so its frequency is 440 x 2^({d}/12) = {freq:.2f} Hz.",
        )
    if kind == 6:
        top, bottom = rng.choice(((2, 4), (3, 4), (4, 4), (5, 4), (6, 8), (9, 8), (12, 8), (3, 8), (2, 2)))
        unit = rng.choice((8, 16)) if bottom <= 8 else 16
        count = top * unit // bottom
        names_en = {8: "eighth notes", 16: "sixteenth notes"}
        names_zh = {8: "八分音符", 16: "十六分音符"}
        if zh:
            return (
                f"一个{top}/{bottom}拍的小节能放几个{names_zh[unit]}？",
                f"{top}/{bottom}拍每小节有{top}个{bottom}分音符，等于{count}个{names_zh[unit]}。",
            )
        return (
            f"How many {names_en[unit]} fit in one bar of {top}/{bottom}?",
            f"A bar of {top}/{bottom} holds {top} notes of value 1/{bottom}, which equals {count} {names_en[unit]}.",
        )
    q_en, a_en, q_zh, a_zh = rng.choice(_MK_STATIC)
    return (q_zh, a_zh) if zh else (q_en, a_en)


def gen_music_knowledge(rng: random.Random) -> Iterable[dict[str, Any]]:
    """Endless music-theory and songwriting Q&A (en/zh) as chats or short documents."""
    while True:
        lang = "en" if rng.random() < 0.4 else "zh"
        items = [_mk_item(rng, lang) for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.6:
            msgs: list[dict[str, str]] = []
            for q, a in items:
                msgs += [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
            yield {"messages": msgs, "lang": lang}
        else:
            qa = "\n\n".join((f"问：{q}\n答：{a}" if lang == "zh" else f"Q: {q}\nA: {a}") for q, a in items)
            yield {"text": qa, "lang": lang}


# --------------------------------------------------------------------------------------------
# general.jsonl
# --------------------------------------------------------------------------------------------

GENERAL_SOURCES: dict[str, tuple[Callable[[random.Random], Iterable[dict[str, Any]]], float]] = {
    "wiki": (gen_wiki, 0.30),
    "chat": (gen_chat, 0.18),
    "math": (gen_math, 0.16),
    "code": (gen_code, 0.16),
    "music_knowledge": (gen_music_knowledge, 0.20),
}


def _record_text(rec: dict[str, Any]) -> str:
    if "text" in rec:
        return str(rec["text"])
    return "\n".join(m["content"] for m in rec["messages"])


def build_general(
    seed: int, lyric_tokens: int, ratio: float = 5.2, min_bytes: int = 1_200_000
) -> tuple[list[bytes], dict[str, Any]]:
    """``general.jsonl`` lines and ground truth.

    Generates documents (``text``) and chats (``messages``) from the five sources, balanced by
    bytes with the weights of :data:`GENERAL_SOURCES`, until the estimated tokens reach
    ``ratio * lyric_tokens`` and the file holds at least ``min_bytes``; then adds two invalid
    lines (broken JSON, a record with neither text nor messages).
    """
    rng = random.Random(f"general:{seed}")
    gens = {
        name: iter(g(random.Random(f"general:{name}:{seed}"))) for name, (g, _) in GENERAL_SOURCES.items()
    }
    weights = {name: w for name, (_, w) in GENERAL_SOURCES.items()}
    size: Counter[str] = Counter()
    stats: dict[str, Counter[str]] = {name: Counter() for name in gens}
    lines: list[bytes] = []
    seen: set[str] = set()
    total_tokens = total_bytes = 0
    counters: Counter[str] = Counter()
    target = ratio * lyric_tokens
    skipped = 0
    while total_tokens < target or total_bytes < min_bytes:
        src = min(weights, key=lambda k: size[k] / weights[k])
        rec = next(gens[src])
        text = _record_text(rec)
        if text in seen:
            skipped += 1
            if skipped > 100_000:
                raise RuntimeError("general generators keep repeating themselves")
            size[src] += 1  # nudge the round robin
            continue
        seen.add(text)
        counters[src] += 1
        obj: dict[str, Any] = {"id": f"g-{src}-{counters[src]:05d}", "source": src}
        if "text" in rec:
            obj["text"] = rec["text"]
            stats[src]["documents"] += 1
        else:
            obj["messages"] = rec["messages"]
            stats[src]["chats"] += 1
        obj["lang"] = rec["lang"]
        line = dumps_line(obj)
        tokens = estimate_tokens(text)
        lines.append(line)
        size[src] += len(line) + 1
        total_bytes += len(line) + 1
        total_tokens += tokens
        stats[src]["records"] += 1
        stats[src]["bytes"] += len(line) + 1
        stats[src]["tokens_estimate"] += tokens
        stats[src][f"lang_{rec['lang']}"] += 1
    broken = dumps_line(
        {"id": "g-bad-00001", "source": "wiki", "text": "This document was cut off in the middle of"}
    )[:-12]
    empty = dumps_line({"id": "g-bad-00002", "source": "chat"})
    invalid: dict[str, list[int]] = {}
    for data in (broken, empty):
        lines.insert(rng.randint(1, len(lines) - 1), data)
    for n, line in enumerate(lines, start=1):
        if line is broken:
            invalid["broken_json"] = [n]
        elif line is empty:
            invalid["no_text_or_messages"] = [n]
    expected = {
        "file": "general.jsonl",
        "physical_lines": len(lines),
        "input_records": len(lines),
        "valid_records": len(lines) - 2,
        "invalid": invalid,
        "by_source": {k: dict(sorted(v.items())) for k, v in stats.items()},
        "tokens_estimate": total_tokens,
        "lyric_tokens_estimate": lyric_tokens,
        "general_to_lyrics_token_ratio": round(total_tokens / max(1, lyric_tokens), 3),
        "token_estimate_rule": "1 token per CJK/kana/hangul character + 1 per 4 other non-space characters",
    }
    return lines, expected


# --------------------------------------------------------------------------------------------
# make_sample
# --------------------------------------------------------------------------------------------


def _readme(
    expected: dict[str, Any], files: dict[str, tuple[int, int]], pd_records: list[dict[str, Any]]
) -> str:
    songs, pl, gen = expected["songs"], expected["playlists"], expected["general"]
    c = songs["counts"]
    lc = songs["language_counts"]
    repos = Counter(r["source"].split(":")[0] for r in pd_records)
    albums = Counter((r["language"], r["album"], r.get("license", "")) for r in pd_records)
    out = [
        "# SongSage sample data",
        "",
        "Small, deterministic data for tests, the smoke pipeline and the benchmark baseline. Generated by",
        f"`python tools/synthetic.py sample --out data/sample --seed {expected['seed']}` (`tools/synthetic.py`,",
        "phrase banks in `data/synthetic/`); do not edit by hand, regenerate instead. The same seed gives",
        "byte-identical files. Larger synthetic song files for benchmarks come from",
        "`python tools/synthetic.py songs --n 200000 --out FILE` (not committed).",
        "",
        "| file | lines | bytes | holds |",
        "| --- | ---: | ---: | --- |",
        f"| `songs.jsonl` | {files['songs.jsonl'][0]} | {files['songs.jsonl'][1]:,} | lyric records with deliberate defects |",
        f"| `playlists.jsonl` | {files['playlists.jsonl'][0]} | {files['playlists.jsonl'][1]:,} | playlists referencing the songs |",
        f"| `general.jsonl` | {files['general.jsonl'][0]} | {files['general.jsonl'][1]:,} | general text for mixing |",
        f"| `expected.json` | - | {files['expected.json'][1]:,} | ground truth for every deliberate defect |",
        "",
        "## Licence",
        "",
        "Everything except the public-domain songs listed below was written for this project (phrase banks,",
        "templates and generated combinations: lyrics, names, playlists, articles, conversations, problems, code)",
        "and is dedicated to the public domain under **CC0 1.0**. The project-written lyrics are original",
        "combinations of short phrases written for this project; no lyrics were copied from existing songs.",
        "",
        f"{len(pd_records)} songs (`public_domain` in expected.json) are copied unchanged, with their `song_id`, `name`,",
        "`artist`, `album`, `lyrics`, `tags`, `source` and `license` fields, from the public-domain corpus",
        "shipped in `data/corpora/public-domain-lyrics/songs.jsonl` (see its README for provenance and commits).",
        f"{c['public_domain_derived']} further records (`public_domain_derived`) are a duplicate copy and an edited copy of",
        "two of them, made to test deduplication; their `source` field says so.",
        "",
        "| language | collection | licence field | songs |",
        "| --- | --- | --- | ---: |",
    ]
    out += [f"| {lang} | {album} | {lic} | {n} |" for (lang, album, lic), n in sorted(albums.items())]
    out += [
        "",
        "Source repositories: " + "; ".join(f"`{r}` ({n})" for r, n in sorted(repos.items())) + ".",
        "",
    ]
    out += [
        "The 全宋词/诗经/花间集/南唐/纳兰 texts are pre-modern Chinese poetry (public domain) as digitised by the",
        "MIT-licensed chinese-poetry project; the English hymns and nursery rhymes are 19th/early-20th-century",
        "books from Project Gutenberg (public domain); the Japanese songs are by 野口雨情, 北原白秋 and 竹久夢二",
        "(all died before 1946; public domain) via Aozora Bunko.",
        "",
        "## songs.jsonl",
        "",
        '`{"song_id": str, "name": str, "artist": str, "album": str|null, "lyrics": str, "tags": [str],',
        '"language": str}`; `language` is only a hint: absent in some records and deliberately wrong in others.',
        "Extra fields (`source`, `license`) appear on the public-domain songs.",
        "",
        f"* {songs['physical_lines']} physical lines: {songs['input_records']} records + {len(songs['blank_lines'])} blank lines",
        f"  (blank or whitespace-only lines are not records); {songs['valid_records']} valid records,",
        f"  {songs['invalid_records']} invalid lines.",
        f"* Language truth (songs with lyric text): en {lc.get('en', 0)}, zh {lc.get('zh', 0)}, ja {lc.get('ja', 0)},",
        f"  ko {lc.get('ko', 0)}; {len(songs['language_truth_excluded'])} valid songs have no language",
        "  (empty, instrumental placeholder, mostly non-letter) and are listed in `language_truth_excluded`.",
        f"* After quality filters and deduplication the expected counts are {songs['expected_after_quality_dedup']};",
        f"  balancing en:zh:ko:ja = 2:2:1:1 then keeps {songs['expected_balanced_2_2_1_1']}.",
        "",
        "Deliberate defects (song ids per label in expected.json; counts here):",
        "",
        "| label | records | what |",
        "| --- | ---: | --- |",
    ]
    what = {
        "lrc": "LRC timestamps at line starts (`[00:12.34]`, `[01:02.345]`)",
        "lrc_metadata": "LRC tag lines `[ti:]` `[ar:]` `[al:]` `[by:]` `[offset:]`",
        "lrc_multi_stamp": "repeated lines merged as `[00:12.34][01:15.00]line`",
        "credits": "credit lines: 作词：/作曲：/编曲：/作词 : /制作人：, Lyrics by/Composed by/Written by/Producer:, 작사 : /작곡 : , 作詞：/作曲：",
        "html": "HTML remnants `<br>`, `<p>`, `&amp;`, `&#39;`",
        "control_chars": "BEL/ESC control characters, zero-width space, BOM",
        "fullwidth": "full-width ASCII (and U+3000 spaces) that NFKC folds",
        "instrumental": "instrumental placeholders (纯音乐，请欣赏, 此歌曲为没有填词的纯音乐，请您欣赏, Instrumental, (instrumental), インストゥルメンタル)",
        "empty": "empty, whitespace-only or null lyrics",
        "too_short": "one or two short lines",
        "spam": "one line repeated 30+ times",
        "non_letter": "mostly digits, symbols, emoji",
        "mojibake": "whole lyric UTF-8 mis-decoded as cp1252 (`mojibake_cp1252`) or latin-1 (`mojibake_latin-1`)",
        "mixed_language": "Korean with English lines, Japanese with an English chorus, Chinese with English words",
        "kanji_heavy_ja": "Japanese that is mostly kanji with little kana",
        "traditional_zh": "traditional-character Chinese",
        "exact_dup": f"members of {c['exact_dup_groups']} exact-duplicate groups (identical, or identical after removing LRC stamps / credits / CRLF)",
        "near_dup": f"members of {c['near_dup_groups']} near-duplicate groups (one word/line changed, added or removed; char-5-gram Jaccard >= {songs['near_dup_min_jaccard']})",
        "language_hint_missing": "no `language` field",
        "language_hint_wrong": "`language` field contradicts the lyric",
    }
    out += [f"| `{lab}` | {c[lab]} | {desc} |" for lab, desc in what.items()]
    out += ["", "Invalid lines (1-based line numbers in `invalid`; details in `invalid_details`):", ""]
    inv_what = {
        "broken_json": "truncated object, object ending after a comma, Python dict repr",
        "invalid_utf8": "raw bytes FF FE, a lone continuation byte, a truncated 3-byte sequence inside the lyric",
        "missing_song_id": "no `song_id` (removed or spelled `id` / `songId`)",
        "empty_song_id": "`song_id` empty or only spaces",
        "wrong_type": "`tags` a string, `lyrics` a number, `name` null, `artist` a list",
        "not_object": "a JSON array, a JSON string, `null`",
        "duplicate_song_id": "a later record reusing an earlier `song_id` with different content (the first one is valid)",
    }
    out += [f"* `{k}` ({len(songs['invalid'][k])}): {v}" for k, v in inv_what.items()]
    out += [
        "",
        "Near-duplicate groups are checked when the file is generated: every pair inside a group has character-5-gram",
        f"Jaccard >= {songs['near_dup_min_jaccard']} after cleaning, and no two songs outside a common group reach 0.5",
        f"(highest: {songs['near_dup_max_other_jaccard']}).",
        "",
        "## playlists.jsonl",
        "",
        '`{"playlist_id", "title", "tags": [str], "description": str|null, "song_ids": [str]}`: '
        f"{pl['valid_records']} playlists (15 per language, themes such as 伤感, 深夜, Workout, Chill, 90s, J-Pop, K-Pop),",
        "5-25 valid song ids each (public-domain themed lists use the public-domain songs). Invalid lines: "
        + ", ".join(f"`{k}` (line {v[0]})" for k, v in pl["invalid"].items())
        + ".",
        "",
        "## general.jsonl",
        "",
        'General text for mixing, two shapes: documents `{"id", "source", "text", "lang"}` and chats',
        '`{"id", "source", "messages": [{"role", "content"}], "lang"}`. Sources (named after the paper\'s Table 10',
        "categories): `wiki` (articles on instruments, genres, recording technology, notation; en/zh), `chat` (daily",
        "conversations; en/zh), `math` (word problems with computed worked answers), `code` (Python snippets whose",
        "examples were produced by running them), `music_knowledge` (computed scales, chords, intervals, key",
        "signatures, frequencies, plus written theory and songwriting answers).",
        "",
        "| source | records | documents | chats | bytes | est. tokens |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for src, st in gen["by_source"].items():
        out.append(
            f"| {src} | {st.get('records', 0)} | {st.get('documents', 0)} | {st.get('chats', 0)} | "
            f"{st.get('bytes', 0):,} | {st.get('tokens_estimate', 0):,} |"
        )
    out += [
        "",
        f"Estimated tokens: general {gen['tokens_estimate']:,} vs. lyrics {gen['lyric_tokens_estimate']:,} "
        f"(ratio {gen['general_to_lyrics_token_ratio']}; rule: {gen['token_estimate_rule']}).",
        "Invalid lines: " + ", ".join(f"`{k}` (line {v[0]})" for k, v in gen["invalid"].items()) + ".",
        "",
        "## expected.json",
        "",
        "`songs`: `input_records`, `valid_records`, `blank_lines`, `invalid` (kind -> line numbers), `invalid_details`,",
        "one id list per label above, `exact_dup_groups` (identical after cleaning), `exact_dup_raw_groups`",
        "(byte-identical lyrics), `near_dup_groups`, `language_truth` ({song_id: en|zh|ja|ko}),",
        "`language_truth_excluded`, `language_hint_wrong_values`, `quality_drop` ({song_id: expected quality reason;",
        "`too_short` also covers `too_few_lines`}),",
        "`expected_after_quality_dedup`, `expected_balanced_2_2_1_1`, `counts`. `playlists` and `general`: record",
        "counts, invalid line numbers, per-source statistics.",
        "",
    ]
    return "\n".join(out)


def make_sample(out_dir: Path, seed: int = 0, pd_corpus: Path | None = None) -> dict[str, Any]:
    """Write the shipped sample (songs, playlists, general text, expected.json, README.md) to ``out_dir``.

    Inputs: output folder, seed, and the public-domain corpus (default: ``$SONGSAGE_PD_CORPUS``
    or :data:`DEFAULT_PD_CORPUS`, the copy shipped in the repository; a missing file is an error).
    Output: a summary dict (files with lines and bytes, language counts, defect counts, token ratio).
    """
    out_dir = Path(out_dir)
    pd_path = Path(pd_corpus or os.environ.get(PD_CORPUS_ENV) or DEFAULT_PD_CORPUS)
    if not pd_path.is_file():
        raise FileNotFoundError(f"public-domain corpus {pd_path} is missing (default: {DEFAULT_PD_CORPUS})")
    pd_records = load_public_domain(pd_path, seed)
    song_lines, song_exp, factory = build_sample_songs(seed, pd_records)
    pd_albums = {s.song_id: s.album or "" for s in factory.songs if "public_domain" in s.labels}
    pl_lines, pl_exp = build_playlists(seed, song_exp["language_truth"], pd_albums)
    gen_lines, gen_exp = build_general(seed, song_exp["lyric_tokens_estimate"])
    files = {
        "songs.jsonl": write_lines(out_dir / "songs.jsonl", song_lines),
        "playlists.jsonl": write_lines(out_dir / "playlists.jsonl", pl_lines),
        "general.jsonl": write_lines(out_dir / "general.jsonl", gen_lines),
    }
    expected = {
        "version": 1,
        "seed": seed,
        "generator": "tools/synthetic.py make_sample",
        "public_domain_corpus": _repo_relative(pd_path) if pd_records else None,
        "songs": song_exp,
        "playlists": pl_exp,
        "general": gen_exp,
    }
    exp_text = json.dumps(expected, ensure_ascii=False, indent=1) + "\n"
    (out_dir / "expected.json").write_text(exp_text, encoding="utf-8")
    files["expected.json"] = (exp_text.count("\n"), len(exp_text.encode("utf-8")))
    readme = _readme(expected, files, pd_records)
    (out_dir / "README.md").write_text(readme, encoding="utf-8")
    files["README.md"] = (readme.count("\n"), len(readme.encode("utf-8")))
    return {
        "out_dir": str(out_dir),
        "files": {k: {"lines": v[0], "bytes": v[1]} for k, v in files.items()},
        "total_bytes": sum(v[1] for v in files.values()),
        "songs": {
            "input_records": song_exp["input_records"],
            "valid": song_exp["valid_records"],
            "language_counts": song_exp["language_counts"],
            "counts": song_exp["counts"],
        },
        "playlists": {"valid": pl_exp["valid_records"], "invalid": pl_exp["invalid"]},
        "general": {
            "records": gen_exp["valid_records"],
            "tokens_estimate": gen_exp["tokens_estimate"],
            "ratio": gen_exp["general_to_lyrics_token_ratio"],
        },
        "public_domain_songs": len(pd_records),
    }


# --------------------------------------------------------------------------------------------
# Benchmark-scale songs
# --------------------------------------------------------------------------------------------

# Defect kinds of make_synthetic_songs and their relative weights (within the defect share).
BENCH_DEFECTS: dict[str, int] = _bank("bench", "BENCH_DEFECTS")
BENCH_LANG_WEIGHTS: dict[str, int] = {"en": 3, "zh": 3, "ko": 1, "ja": 1}


def make_synthetic_songs(n: int, out_path: Path, seed: int = 0, defect_rate: float = 0.05) -> int:
    """Write ``n`` synthetic song lines (JSONL, one record per line) to ``out_path``.

    Languages are skewed en:zh:ko:ja = 3:3:1:1, lyrics have 8-40 lines, and a ``defect_rate`` share of
    the lines carry one defect drawn from :data:`BENCH_DEFECTS` (LRC, credits, HTML, instrumental,
    empty, spam, exact/near duplicates of recent songs, mojibake, invalid JSON/UTF-8/schema ...).
    ``language`` hints are missing for 10% and wrong for ``defect_rate / 2`` of the valid songs.
    Output: the number of lines written (= ``n``).
    """
    rng = random.Random(f"bench:{seed}")
    pools = {lang: build_pool(lang, seed) for lang in LANGS}
    lang_bag = [lang for lang, w in BENCH_LANG_WEIGHTS.items() for _ in range(w)]
    kinds = list(BENCH_DEFECTS)
    cum: list[int] = []
    acc = 0
    for k in kinds:
        acc += BENCH_DEFECTS[k]
        cum.append(acc)
    recent: list[dict[str, Any]] = []
    hint_missing, hint_wrong = 0.10, defect_rate / 2
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    buf: list[bytes] = []
    written = 0
    with open(out_path, "wb") as fh:
        for i in range(n):
            sid = f"b{seed:x}{i:09d}"
            lang = rng.choice(lang_bag)
            kind = "plain"
            if rng.random() < defect_rate:
                kind = rng.choices(kinds, cum_weights=cum)[0]
                if kind in ("exact_dup", "exact_dup_lrc", "near_dup", "duplicate_song_id") and not recent:
                    kind = "plain"
            pool = pools[lang]
            rec: dict[str, Any] = {
                "song_id": sid,
                "name": rng.choice(TITLES[lang]),
                "artist": make_artist(rng, lang),
                "album": rng.choice(ALBUMS[lang]) if rng.random() < 0.85 else None,
                "lyrics": "",
                "tags": rng.sample(TAGS[lang], rng.randint(0, 3)),
            }
            line: bytes | None = None
            if kind in ("exact_dup", "exact_dup_lrc", "near_dup"):
                src = rng.choice(recent)
                lang = src["_lang"]
                rec["lyrics"] = src["lyrics"]
                if kind == "exact_dup_lrc":
                    rec["lyrics"] = (
                        add_lrc(rng, src["lyrics"])
                        if rng.random() < 0.5
                        else add_credits(rng, src["lyrics"], lang)
                    )
                elif kind == "near_dup":
                    rec["lyrics"] = "\n".join(
                        edit_lines(
                            rng,
                            src["lyrics"].split("\n"),
                            lang,
                            rng.choice(("swap", "line_change", "line_add")),
                            pools[lang],
                        )
                    )
            elif kind == "instrumental":
                lang, rec["lyrics"] = rng.choice(INSTRUMENTAL_TEXTS)
            elif kind == "empty":
                rec["lyrics"] = rng.choice(("", "   ", "\n\n", None))
            elif kind == "too_short":
                rec["lyrics"] = rng.choice(SHORT_TEXTS[lang])
            elif kind == "non_letter":
                rec["lyrics"] = rng.choice(NON_LETTER_TEXTS)
            elif kind == "spam":
                rec["lyrics"] = "\n".join([pool.line(rng)] * rng.randint(30, 45))
            else:
                lines = compose_lines(rng, pool, rng.randint(8, 40))
                if kind == "mixed_language":
                    mix = {"ko": KO_MIX_LINES, "zh": ZH_MIX_LINES}.get(lang)
                    for j in rng.sample(range(len(lines)), max(2, len(lines) // 5)):
                        if lines[j]:
                            lines[j] = (
                                rng.choice(mix) if mix else pools["en" if lang != "en" else "zh"].line(rng)
                            )
                text = "\n".join(lines)
                if kind == "lrc":
                    text = add_lrc(
                        rng,
                        text,
                        multi=rng.random() < 0.3,
                        meta={"ti": rec["name"], "ar": rec["artist"]} if rng.random() < 0.4 else None,
                    )
                elif kind == "credits":
                    text = add_credits(rng, text, lang)
                elif kind == "html":
                    text = add_html(rng, text, rng.choice(("br", "p", "entities")))
                elif kind == "control_chars":
                    text = add_control_chars(rng, text)
                elif kind == "fullwidth":
                    text = add_fullwidth(rng, text)
                elif kind == "mojibake":
                    text = mojibake(text, rng.choice(("cp1252", "latin-1")))
                rec["lyrics"] = text
            if kind in ("plain", "lrc", "credits", "mixed_language") and rec["lyrics"]:
                recent.append({"lyrics": rec["lyrics"], "_lang": lang, "song_id": sid})
                if len(recent) > 512:
                    recent.pop(rng.randrange(512))
            r = rng.random()
            if r >= hint_missing:
                rec["language"] = _WRONG_HINT[lang] if r < hint_missing + hint_wrong else lang
            if kind == "broken_json":
                text = dumps_line(rec).decode("utf-8")
                line = text[: rng.randint(10, max(11, len(text) - 2))].encode("utf-8")
            elif kind == "invalid_utf8":
                data = dumps_line(rec)
                at = data.index(b'"lyrics": "') + len(b'"lyrics": "')
                line = data[:at] + rng.choice((b"\xff\xfe", b"\x80", b"\xe4\xbd")) + data[at:]
            elif kind == "missing_song_id":
                del rec["song_id"]
            elif kind == "empty_song_id":
                rec["song_id"] = rng.choice(("", "  "))
            elif kind == "wrong_type":
                fld, value = rng.choice(
                    (("tags", "pop, love"), ("lyrics", 12345), ("name", None), ("artist", ["A", "B"]))
                )
                rec[fld] = value
            elif kind == "not_object":
                line = dumps_line(rng.choice(([sid, rec["name"]], "not an object", None)))
            elif kind == "duplicate_song_id":
                rec["song_id"] = rng.choice(recent)["song_id"]
            buf.append(line if line is not None else dumps_line(rec))
            if len(buf) >= 4096:
                fh.write(b"\n".join(buf) + b"\n")
                written += len(buf)
                buf.clear()
        if buf:
            fh.write(b"\n".join(buf) + b"\n")
            written += len(buf)
    return written


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """``sample --out DIR [--seed S]`` or ``songs --n N --out FILE [--seed S] [--defect-rate R]``."""
    parser = argparse.ArgumentParser(prog="python tools/synthetic.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_sample = sub.add_parser(
        "sample", help="write the shipped sample (songs, playlists, general, expected.json)"
    )
    p_sample.add_argument("--out", type=Path, default=Path("data/sample"))
    p_sample.add_argument("--seed", type=int, default=0)
    p_sample.add_argument(
        "--pd-corpus", type=Path, default=None, help="public-domain songs.jsonl (default: the shipped copy)"
    )
    p_songs = sub.add_parser("songs", help="write N synthetic songs (benchmark scale)")
    p_songs.add_argument("--n", type=int, required=True)
    p_songs.add_argument("--out", type=Path, required=True)
    p_songs.add_argument("--seed", type=int, default=0)
    p_songs.add_argument("--defect-rate", type=float, default=0.05)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    if args.cmd == "sample":
        summary = make_sample(args.out, seed=args.seed, pd_corpus=args.pd_corpus)
    else:
        lines = make_synthetic_songs(args.n, args.out, seed=args.seed, defect_rate=args.defect_rate)
        summary = {"out": str(args.out), "lines": lines, "bytes": args.out.stat().st_size}
    summary["seconds"] = round(time.perf_counter() - start, 2)
    json.dump(summary, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
