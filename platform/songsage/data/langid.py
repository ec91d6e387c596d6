"""Per-song language identification (en, zh, ja, ko, other) with py3langid plus script evidence.

Decided per song, not per line: kanji-only lines are ambiguous, so any real share of kana makes a
song Japanese and hangul makes it Korean; Han-dominant text is Chinese (simplified or traditional);
Latin-script text goes to the py3langid classifier, where a confident non-target language is
``other``. A source's ``language`` field only breaks ties when the detector is unsure.
Output: ``(language, confidence in [0, 1], how)`` with how in {script, detector, hint}.
"""

from __future__ import annotations

import copy
from collections import Counter
from functools import lru_cache

import numpy as np

from songsage.config.schema import LangIdConfig

OTHER = "other"
# Latin letters count a quarter each: one CJK character carries about as much as a short word.
LATIN_WEIGHT = 0.25


# Disjoint code-point ranges (inclusive) -> script: kana, hangul, han, and the ASCII letters.
SCRIPT_RANGES = (
    (0x41, 0x5A, "ascii"),
    (0x61, 0x7A, "ascii"),
    (0x1100, 0x11FF, "hangul"),
    (0x3040, 0x30FF, "kana"),
    (0x3130, 0x318F, "hangul"),
    (0x31F0, 0x31FF, "kana"),
    (0x3400, 0x4DBF, "han"),
    (0x4E00, 0x9FFF, "han"),
    (0xAC00, 0xD7A3, "hangul"),
    (0xF900, 0xFAFF, "han"),
    (0xFF66, 0xFF9D, "kana"),
    (0x20000, 0x2FA1F, "han"),
)
_SCRIPTS = ("kana", "hangul", "han", "ascii")
_STARTS = np.array([lo for lo, _, _ in SCRIPT_RANGES], dtype=np.uint32)
_ENDS = np.array([hi for _, hi, _ in SCRIPT_RANGES], dtype=np.uint32)
_RANGE_SCRIPT = np.array([_SCRIPTS.index(name) for _, _, name in SCRIPT_RANGES], dtype=np.int64)


def script_counts(text: str) -> dict[str, float]:
    """Weighted letter counts per script: kana, hangul, han, latin, other.

    Vectorized over the code points (one ``searchsorted`` into ``SCRIPT_RANGES``): a per-character
    Python loop was the largest cost of language ID. Only code points outside ASCII and those ranges
    are looked up one by one (``str.isalpha``), once per distinct code point."""
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    slot = np.searchsorted(_STARTS, cps, side="right") - 1
    inside = (slot >= 0) & (cps <= _ENDS[np.maximum(slot, 0)])
    script = np.where(inside, _RANGE_SCRIPT[np.maximum(slot, 0)], len(_SCRIPTS))
    counts = np.bincount(script, minlength=len(_SCRIPTS) + 1)
    latin = float(counts[3])
    other = 0.0
    rest = cps[~inside & (cps >= 0x80)]
    for cp, n in zip(*np.unique(rest, return_counts=True), strict=True):
        if chr(cp).isalpha():
            if cp < 0x250 or 0x1E00 <= cp <= 0x1EFF:
                latin += int(n)
            else:
                other += int(n)
    return {
        "kana": float(counts[0]),
        "hangul": float(counts[1]),
        "han": float(counts[2]),
        "latin": latin * LATIN_WEIGHT,
        "other": other,
    }


def _walk_features(
    nextmove: np.ndarray, rowbase: np.ndarray, output: np.ndarray, data: np.ndarray
) -> np.ndarray:
    """The feature ids that py3langid's byte DFA emits over ``data`` (uint8), in walk order: the loop of
    ``py3langid.langid.visit_counts``, compiled by numba (it was 40% of curation's per-song time)."""
    found = np.empty(data.size, dtype=np.int64)
    n = 0
    state = 0
    for letter in data:
        state = nextmove[rowbase[state] + letter]
        feature = output[state]
        if feature >= 0:
            found[n] = feature
            n += 1
    return found[:n]


@lru_cache(maxsize=1)
def _compiled_walk():
    import numba

    return numba.njit(cache=True, nogil=True)(_walk_features)


def _identifier_class():
    import py3langid.langid as lid

    class CompiledIdentifier(lid.LanguageIdentifier):
        """py3langid's identifier with the DFA walk compiled; scores are bit-identical (the same
        feature counts, in the same order, go to the same naive-Bayes scoring)."""

        def _raw_score(self, text: bytes) -> np.ndarray:
            if not hasattr(self, "_dfa"):
                self._dfa = (
                    np.asarray(self.tk_nextmove, dtype=np.int64),
                    np.asarray(self._rowbase, dtype=np.int64),
                    np.asarray(self.tk_output, dtype=np.int64),
                )
            found = _compiled_walk()(*self._dfa, np.frombuffer(text, dtype=np.uint8))
            if found.size:
                return self._sparse_score(Counter(found.tolist()), self.nb_ptc)
            return np.full(len(self.nb_classes), 0.0 if self._norm_probs else lid.RAW_FLOOR, dtype=np.float32)

    return CompiledIdentifier


@lru_cache(maxsize=1)
def _identifiers() -> tuple[object, dict[tuple[str, ...], object]]:
    import py3langid.langid as lid

    full = _identifier_class().from_modelpath(lid.MODEL_DIR / lid.MODEL_FILE, norm_probs=True)
    return full, {}


def _restricted(languages: tuple[str, ...]):
    full, cache = _identifiers()
    if languages not in cache:
        ident = copy.copy(full)  # shares the model arrays; set_languages rebinds, never mutates
        ident.set_languages(list(languages))
        cache[languages] = ident
    return cache[languages]


def classify(text: str, languages: tuple[str, ...] | None = None) -> tuple[str, float]:
    """py3langid's (language, probability) over all its languages or only ``languages``."""
    ident = _restricted(languages) if languages else _identifiers()[0]
    lang, prob = ident.classify(text)
    return str(lang), float(prob)


def detect_language(text: str, hint: str, cfg: LangIdConfig) -> tuple[str, float, str]:
    """Decide one song's language from its whole (normalized) lyric text."""
    targets = tuple(cfg.languages)
    counts = script_counts(text)
    total = sum(counts.values())
    if total == 0:
        return OTHER, 0.0, "script"
    share = {k: v / total for k, v in counts.items()}
    if "ko" in targets and share["hangul"] >= cfg.hangul_share:
        return "ko", round(min(1.0, share["hangul"] + share["latin"]), 4), "script"
    if "ja" in targets and share["kana"] >= cfg.kana_share:
        return "ja", round(min(1.0, share["kana"] + share["han"] + share["latin"]), 4), "script"
    if "zh" in targets and share["han"] >= 0.5:
        _, prob = classify(text, targets)
        return "zh", round(max(prob, share["han"]), 4), "script"
    top, top_prob = classify(text)
    if top in targets:
        lang, prob, how = top, top_prob, "detector"
    elif top_prob >= cfg.min_confidence and len(text) >= cfg.other_min_chars:
        lang, prob, how = OTHER, top_prob, "detector"
    else:
        lang, prob = classify(text, targets)
        how = "detector"
    if prob < cfg.min_confidence:
        if hint in targets:
            return hint, round(prob, 4), "hint"
        return OTHER, round(prob, 4), "detector"
    return lang, round(prob, 4), how
