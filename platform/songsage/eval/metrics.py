"""Task metrics of the paper's Table 2 plus the retrieval / classification scores used elsewhere.

One function per metric; each takes plain strings / lists / arrays and returns floats in [0, 1]
(fractions, not percent) unless stated. Text comparisons use :func:`normalize_text` (NFKC, case-fold,
collapsed whitespace, edge punctuation stripped).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Hashable, Sequence

import numpy as np
from rapidfuzz.distance import Levenshtein

# Separators between several artists in one credit ("A / B", "A & B", "A feat. B", "A、B").
ARTIST_SEPARATORS = re.compile(
    r"\s*(?:/|&|,|，|、|;|；|\band\b|\bfeat\.?|\bft\.?|\bx\b|\bwith\b)\s*", re.IGNORECASE
)
# A CJK ideograph, kana or hangul syllable counts as one token for title F1.
CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]|[^\W_]+", re.UNICODE)
# Tags in one generated string: split on commas, hashes, slashes, CJK list marks or newlines.
TAG_SEPARATORS = re.compile(r"[,，、;；/#\n|]+")


def normalize_text(text: str) -> str:
    """NFKC + casefold, whitespace collapsed, leading/trailing punctuation and quotes removed."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = " ".join(text.split())
    return text.strip(" \t\"'“”‘’「」『』《》<>()（）[]【】.,!?。，！？:：;；-—·")


def split_tags(text: str) -> list[str]:
    """Split a generated tag string ("rock, 90s, 怀旧") into normalized, de-duplicated tags (order kept)."""
    seen: dict[str, None] = {}
    for part in TAG_SEPARATORS.split(text or ""):
        tag = normalize_text(part)
        if tag:
            seen.setdefault(tag, None)
    return list(seen)


def tag_precision_recall_f1(pred: Sequence[str], gold: Sequence[str]) -> tuple[float, float, float]:
    """Set precision, recall and F1 of predicted tags against gold tags (normalized strings).

    Empty prediction -> precision 0; empty gold -> recall 0; F1 is 0 when P + R = 0.
    """
    p = {normalize_text(t) for t in pred if normalize_text(t)}
    g = {normalize_text(t) for t in gold if normalize_text(t)}
    hits = len(p & g)
    precision = hits / len(p) if p else 0.0
    recall = hits / len(g) if g else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def mean_tag_scores(preds: Sequence[Sequence[str]], golds: Sequence[Sequence[str]]) -> dict[str, float]:
    """Per-sample tag P/R/F1 averaged over samples: ``{"precision", "recall", "f1"}``."""
    if len(preds) != len(golds):
        raise ValueError(f"{len(preds)} predictions for {len(golds)} references")
    if not preds:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    scores = np.array([tag_precision_recall_f1(p, g) for p, g in zip(preds, golds, strict=True)])
    return {
        "precision": float(scores[:, 0].mean()),
        "recall": float(scores[:, 1].mean()),
        "f1": float(scores[:, 2].mean()),
    }


def row_cosines(pred: np.ndarray, gold: np.ndarray) -> np.ndarray:
    """Row-wise cosine similarity of two (n, d) embedding arrays (rows re-normalised here): shape (n,)."""
    pred = np.asarray(pred, dtype=np.float32)
    gold = np.asarray(gold, dtype=np.float32)
    if pred.shape != gold.shape:
        raise ValueError(f"shape mismatch {pred.shape} vs {gold.shape}")
    pn = pred / np.maximum(np.linalg.norm(pred, axis=1, keepdims=True), 1e-12)
    gn = gold / np.maximum(np.linalg.norm(gold, axis=1, keepdims=True), 1e-12)
    return np.sum(pn * gn, axis=1)


def emb_sim(pred: np.ndarray, gold: np.ndarray) -> float:
    """Mean row-wise cosine similarity of two (n, d) embedding arrays (0.0 for none)."""
    cos = row_cosines(pred, gold)
    return float(cos.mean()) if len(cos) else 0.0


def split_artists(text: str) -> set[str]:
    """The normalized individual artist names in one credit string."""
    return {normalize_text(a) for a in ARTIST_SEPARATORS.split(text or "") if normalize_text(a)}


def artist_exact_match(pred: str, gold: str) -> bool:
    """True when the normalized credit strings are equal (or name the same set of artists)."""
    p, g = normalize_text(pred), normalize_text(gold)
    return bool(p) and (p == g or split_artists(pred) == split_artists(gold))


def artist_partial_match(pred: str, gold: str) -> bool:
    """True when not an exact match but an artist is shared or one normalized credit contains the other."""
    if artist_exact_match(pred, gold):
        return False
    p, g = normalize_text(pred), normalize_text(gold)
    if not p or not g:
        return False
    return bool(split_artists(pred) & split_artists(gold)) or p in g or g in p


def title_tokens(text: str) -> list[str]:
    """Title tokens: each CJK character/kana/hangul syllable alone, other scripts by word."""
    return TOKEN.findall(normalize_text(text))


def title_f1(pred: str, gold: str) -> float:
    """Token-overlap F1 (multiset, SQuAD style) over :func:`title_tokens`; character-level for CJK."""
    p, g = title_tokens(pred), title_tokens(gold)
    if not p or not g:
        return float(p == g)
    common = sum((Counter(p) & Counter(g)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def title_edit_distance(pred: str, gold: str) -> int:
    """Character Levenshtein distance between the normalized titles (an absolute count, lower is better)."""
    return int(Levenshtein.distance(normalize_text(pred), normalize_text(gold)))


def emotion_accuracy(preds: Sequence[str], golds: Sequence[str]) -> float:
    """Fraction of predicted emotion labels equal to the gold label after normalization."""
    if len(preds) != len(golds):
        raise ValueError(f"{len(preds)} predictions for {len(golds)} references")
    if not preds:
        return 0.0
    return float(np.mean([normalize_text(p) == normalize_text(g) for p, g in zip(preds, golds, strict=True)]))


def hit_rate_at_k(ranked: Sequence[Sequence[Hashable]], gold: Sequence[Hashable], k: int) -> float:
    """HR@k (= Recall@k with one relevant item): share of queries whose gold id is in their top ``k``."""
    if len(ranked) != len(gold):
        raise ValueError(f"{len(ranked)} rankings for {len(gold)} gold ids")
    if not gold:
        return 0.0
    return float(np.mean([g in list(r)[:k] for r, g in zip(ranked, gold, strict=True)]))


def accuracy(preds: Sequence[Hashable], golds: Sequence[Hashable]) -> float:
    """Fraction of exact label matches."""
    if len(preds) != len(golds):
        raise ValueError(f"{len(preds)} predictions for {len(golds)} references")
    return float(np.mean([p == g for p, g in zip(preds, golds, strict=True)])) if golds else 0.0


def macro_f1(
    preds: Sequence[Hashable], golds: Sequence[Hashable], labels: Sequence[Hashable] | None = None
) -> float:
    """Unweighted mean of per-label F1 over ``labels`` (default: labels seen in gold or predictions)."""
    if len(preds) != len(golds):
        raise ValueError(f"{len(preds)} predictions for {len(golds)} references")
    labels = list(labels) if labels is not None else sorted(set(golds) | set(preds), key=str)
    if not labels:
        return 0.0
    f1s = []
    for label in labels:
        tp = sum(p == label and g == label for p, g in zip(preds, golds, strict=True))
        fp = sum(p == label and g != label for p, g in zip(preds, golds, strict=True))
        fn = sum(p != label and g == label for p, g in zip(preds, golds, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    return float(np.mean(f1s))
