"""A labelled near-duplicate corpus built from real songs, and the scoring of a deduplicator's answer.

A development tool, outside the ``songsage`` package (it reuses ``songsage.data.dedup``'s shingles, Jaccard and
union-find; fully seeded: same input and seed -> identical output). Input: the shipped public-domain corpus
``data/corpora/public-domain-lyrics/songs.jsonl`` (JSON lines with ``song_id``, ``lyrics``, ``language``).

* :func:`make_near_dup_corpus` picks the same number of originals per language (songs with at least
  ``min_lines`` non-empty lines and ``min_chars`` characters), keeps each once (``edit="original"``) and
  adds ``copies`` copies of it, each with exactly one edit, the edit kinds taken in rotation:

  - ``chars``: about ``char_rate`` (3%) of the letters substituted, deleted or inserted; substituted and
    inserted letters come from the same script as the letter they replace or follow (Han from Han,
    kana from kana, Latin from Latin), so CJK text gets CJK characters;
  - ``drop_line``: one non-empty line removed;
  - ``dup_line``: one non-empty line repeated right after itself.

  Distractors are further real songs (``edit="distractor"``, ``original_id`` = their own id), so a
  deduplicator can produce false positives. The real corpus has near-duplicates of its own (the same
  hymn in two hymnals, ...): before choosing, songs whose character 5-gram Jaccard with another song
  reaches ``related_threshold`` are grouped and only the smallest id of each group stays eligible, so
  no two chosen songs (originals or distractors) are related except by the edits made here.
* :func:`score_removals` scores a deduplicator's removals (song_id -> kept representative) against
  the labels: precision, recall, recall per edit kind and per language, precision per language.
* :func:`write_near_dup_corpus` writes the corpus and its ground truth as JSON lines.

Copy ids are ``<original_id>~dupNN``; an original's id is a prefix of its copies' ids, so the original is
the smallest id of its group (the one a smallest-id-keeps deduplicator keeps).

CLI::

    python tools/near_dup_corpus.py --out DIR [--originals-per-language 100 --copies 10 --distractors 1000]
"""

from __future__ import annotations

import argparse
import json
import random
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from songsage.data.dedup import clusters_from_edges, jaccard, shingle_set, shingle_text

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO / "data" / "corpora" / "public-domain-lyrics" / "songs.jsonl"

EDITS: tuple[str, ...] = ("chars", "drop_line", "dup_line")
ORIGINAL = "original"
DISTRACTOR = "distractor"
CHAR_OPS: tuple[str, ...] = ("substitute", "delete", "insert")
SHINGLE = 5
# Shingles kept in the relatedness index: one in SAMPLE_MOD (by a stable hash), and only those shared
# by at most MAX_DF songs (very common shingles propose every pair and decide nothing).
SAMPLE_MOD = 4
MAX_DF = 200


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def read_songs(path: str | Path = DEFAULT_CORPUS) -> list[dict[str, Any]]:
    """JSON lines at ``path`` -> list of song dicts (every field kept)."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def content_lines(text: str) -> list[str]:
    """The non-empty (after strip) lines of ``text``."""
    return [ln for ln in text.split("\n") if ln.strip()]


# --------------------------------------------------------------------------------------------
# Relatedness inside the real corpus
# --------------------------------------------------------------------------------------------


def related_groups(songs: Sequence[dict[str, Any]], threshold: float = 0.5) -> dict[str, str]:
    """Songs -> {song_id: smallest song_id of its group} where groups are the connected components of
    the pairs whose character 5-gram Jaccard reaches ``threshold`` (only songs in a group of two or
    more appear). Candidate pairs come from an index of sampled shingles; exact Jaccard decides."""
    sets = {s["song_id"]: shingle_set(s["lyrics"], SHINGLE) for s in songs}
    sampled = {sid: {h for h in sh if h % SAMPLE_MOD == 0} for sid, sh in sets.items()}
    index: dict[int, list[str]] = defaultdict(list)
    for sid in sorted(sampled):
        for h in sampled[sid]:
            index[h].append(sid)
    edges = []
    for sid in sorted(sampled):
        counts: Counter[str] = Counter()
        for h in sampled[sid]:
            ids = index[h]
            if len(ids) <= MAX_DF:
                counts.update(o for o in ids if o > sid)
        for other, shared in counts.items():
            # a sampled-shingle overlap far below threshold * the smaller sample cannot reach it
            if shared < 0.5 * threshold * min(len(sampled[sid]), len(sampled[other])):
                continue
            if jaccard(sets[sid], sets[other]) >= threshold:
                edges.append((sid, other))
    return clusters_from_edges(edges)


# --------------------------------------------------------------------------------------------
# Edits
# --------------------------------------------------------------------------------------------


def script_of(ch: str) -> str:
    """The script class of one character: ``han``, ``hiragana``, ``katakana``, ``hangul``, ``latin``
    (letters a-z with or without accents), ``other`` (digits, punctuation, spaces, newlines...)."""
    o = ord(ch)
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF:
        return "han"
    if 0x3041 <= o <= 0x3096:
        return "hiragana"
    if 0x30A1 <= o <= 0x30FA:
        return "katakana"
    if 0xAC00 <= o <= 0xD7A3:
        return "hangul"
    if ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN"):
        return "latin"
    return "other"


def script_pools(songs: Iterable[dict[str, Any]]) -> dict[str, tuple[str, ...]]:
    """Letters per script class seen in ``songs`` (sorted, so the pools are deterministic); Latin is
    always a-z (case is matched at substitution time). ``other`` has no pool (never drawn)."""
    seen: dict[str, set[str]] = defaultdict(set)
    for s in songs:
        for ch in s["lyrics"]:
            sc = script_of(ch)
            if sc not in ("other", "latin"):
                seen[sc].add(ch)
    pools = {sc: tuple(sorted(chars)) for sc, chars in seen.items()}
    pools["latin"] = tuple("abcdefghijklmnopqrstuvwxyz")
    return pools


def _draw(rng: random.Random, pools: dict[str, tuple[str, ...]], like: str, avoid: str = "") -> str:
    """A letter of the same script as ``like`` (same case for Latin), different from ``avoid``."""
    sc = script_of(like)
    pool = pools.get(sc) or pools["latin"]
    while True:
        ch = rng.choice(pool)
        if sc == "latin" and like.isupper():
            ch = ch.upper()
        if ch != avoid or len(pool) < 2:
            return ch


def edit_chars(
    text: str, rng: random.Random, pools: dict[str, tuple[str, ...]], rate: float = 0.03
) -> tuple[str, Counter[str]]:
    """``text`` with about ``rate`` of its letters edited -> (edited text, count per operation).

    ``max(1, round(rate * letters))`` operations, each a substitution, deletion or insertion at a
    distinct letter position (never on spaces, punctuation or newlines, so the line structure stays).
    Substitutes and inserted letters are drawn from the letter's own script (``pools``)."""
    chars = list(text)
    letters = [i for i, ch in enumerate(chars) if script_of(ch) != "other"]
    if not letters:
        return text, Counter()
    n = max(1, round(rate * len(letters)))
    positions = sorted(rng.sample(letters, min(n, len(letters))), reverse=True)  # right to left
    ops: Counter[str] = Counter()
    for i in positions:
        op = rng.choice(CHAR_OPS)
        ops[op] += 1
        if op == "substitute":
            chars[i] = _draw(rng, pools, chars[i], avoid=chars[i])
        elif op == "delete":
            del chars[i]
        else:
            chars.insert(i + 1, _draw(rng, pools, chars[i]))
    return "".join(chars), ops


def drop_line(text: str, rng: random.Random) -> tuple[str, int]:
    """``text`` with one non-empty line removed -> (edited text, index of the removed line)."""
    lines = text.split("\n")
    i = rng.choice([j for j, ln in enumerate(lines) if ln.strip()])
    return "\n".join(lines[:i] + lines[i + 1 :]), i


def dup_line(text: str, rng: random.Random) -> tuple[str, int]:
    """``text`` with one non-empty line repeated right after itself -> (edited text, its index)."""
    lines = text.split("\n")
    i = rng.choice([j for j, ln in enumerate(lines) if ln.strip()])
    return "\n".join(lines[: i + 1] + [lines[i]] + lines[i + 1 :]), i


def apply_edit(
    text: str, edit: str, rng: random.Random, pools: dict[str, tuple[str, ...]], char_rate: float = 0.03
) -> tuple[str, dict[str, Any]]:
    """One edit of kind ``edit`` (one of :data:`EDITS`) -> (edited text, details of the edit)."""
    if edit == "chars":
        out, ops = edit_chars(text, rng, pools, char_rate)
        return out, {"ops": dict(sorted(ops.items()))}
    if edit == "drop_line":
        out, i = drop_line(text, rng)
        return out, {"line": i}
    if edit == "dup_line":
        out, i = dup_line(text, rng)
        return out, {"line": i}
    raise ValueError(f"unknown edit {edit!r}; expected one of {EDITS}")


# --------------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------------


def copy_id(original_id: str, j: int) -> str:
    """Id of copy ``j`` (1-based) of ``original_id``; the original's id is a prefix, so it sorts first."""
    return f"{original_id}~dup{j:02d}"


def make_near_dup_corpus(
    songs: list[dict[str, Any]],
    originals_per_language: int,
    copies: int,
    seed: int,
    distractors: int = 0,
    min_lines: int = 4,
    min_chars: int = 100,
    char_rate: float = 0.03,
    related_threshold: float = 0.5,
    related: dict[str, str] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Real songs -> (corpus rows, ground truth).

    ``songs``: dicts with ``song_id``, ``lyrics``, ``language``. ``originals_per_language`` originals are
    drawn for every language present among the eligible songs (``min_lines`` non-empty lines,
    ``min_chars`` characters after whitespace collapsing, no related song kept, see
    :func:`related_groups`); each gets ``copies`` copies, the edit kinds of all copies cycling through
    :data:`EDITS` in order. ``distractors`` further songs (any length) are drawn from the remaining
    eligible songs, split evenly over the languages. Raises ValueError when a language has too few.
    ``related``: :func:`related_groups` of ``songs`` at ``related_threshold`` when already computed.

    Corpus rows: ``{song_id, lyrics, language, original_id, edit}`` (plus ``edit_detail`` for copies),
    in a seeded shuffled order. Ground truth: one row per group ``{original_id, language, song_ids,
    edits, should_remove}`` (distractors are groups of one, ``should_remove`` = group size - 1).
    """
    rng = random.Random(f"near-dup:{seed}")
    rep = related_groups(songs, related_threshold) if related is None else related
    pool = sorted((s for s in songs if rep.get(s["song_id"], s["song_id"]) == s["song_id"]), key=_sid)
    pools = script_pools(songs)
    languages = sorted({s["language"] for s in pool})
    long_enough = {
        lang: [
            s
            for s in pool
            if s["language"] == lang
            and len(content_lines(s["lyrics"])) >= min_lines
            and len(shingle_text(s["lyrics"])) >= min_chars
        ]
        for lang in languages
    }
    originals: list[dict[str, Any]] = []
    for lang in languages:
        cands = long_enough[lang]
        if len(cands) < originals_per_language:
            raise ValueError(
                f"language {lang!r}: {len(cands)} eligible songs (>= {min_lines} lines, >= {min_chars} "
                f"chars, unrelated), {originals_per_language} originals requested"
            )
        originals.extend(sorted(rng.sample(cands, originals_per_language), key=_sid))
    chosen = {s["song_id"] for s in originals}

    rows: list[dict[str, Any]] = []
    truth: list[dict[str, Any]] = []
    k = 0
    for s in originals:
        sid, text, lang = s["song_id"], s["lyrics"], s["language"]
        group = [{"song_id": sid, "lyrics": text, "language": lang, "original_id": sid, "edit": ORIGINAL}]
        for j in range(1, copies + 1):
            edit = EDITS[k % len(EDITS)]
            k += 1
            new, detail = apply_edit(text, edit, rng, pools, char_rate)
            group.append(
                {
                    "song_id": copy_id(sid, j),
                    "lyrics": new,
                    "language": lang,
                    "original_id": sid,
                    "edit": edit,
                    "edit_detail": detail,
                }
            )
        rows.extend(group)
        truth.append(
            {
                "original_id": sid,
                "language": lang,
                "song_ids": [g["song_id"] for g in group],
                "edits": [g["edit"] for g in group],
                "should_remove": len(group) - 1,
            }
        )

    per_lang = [
        distractors // len(languages) + (i < distractors % len(languages)) for i in range(len(languages))
    ]
    for lang, n in zip(languages, per_lang, strict=True):
        rest = [s for s in pool if s["language"] == lang and s["song_id"] not in chosen]
        if len(rest) < n:
            raise ValueError(f"language {lang!r}: {len(rest)} songs left for {n} distractors")
        for s in sorted(rng.sample(rest, n), key=_sid):
            sid = s["song_id"]
            rows.append(
                {
                    "song_id": sid,
                    "lyrics": s["lyrics"],
                    "language": lang,
                    "original_id": sid,
                    "edit": DISTRACTOR,
                }
            )
            truth.append(
                {
                    "original_id": sid,
                    "language": lang,
                    "song_ids": [sid],
                    "edits": [DISTRACTOR],
                    "should_remove": 0,
                }
            )
    rng.shuffle(rows)
    return rows, truth


def _sid(s: dict[str, Any]) -> str:
    return s["song_id"]


def write_near_dup_corpus(
    rows: Sequence[dict[str, Any]], truth: Sequence[dict[str, Any]], out_dir: str | Path
) -> tuple[Path, Path]:
    """Write ``songs.jsonl`` (the corpus rows) and ``truth.jsonl`` (the groups) under ``out_dir``
    (created) -> their paths. UTF-8, one JSON object per line, keys in insertion order."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = (out / "songs.jsonl", out / "truth.jsonl")
    for path, items in zip(paths, (rows, truth), strict=True):
        with open(path, "w", encoding="utf-8") as f:
            for item in items:
                f.write(json.dumps(item, ensure_ascii=False) + "\n")
    return paths


# --------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------


def _ratio(num: int, den: int) -> float:
    """num / den, 1.0 for 0 / 0 (nothing to find or nothing claimed is not an error)."""
    return num / den if den else 1.0


def score_removals(rows: Sequence[dict[str, Any]], removed: dict[str, str]) -> dict[str, Any]:
    """Score a deduplicator's answer against the corpus labels.

    ``rows``: corpus rows (``song_id``, ``original_id``, ``edit``, ``language``). ``removed``: every
    removed song_id -> the kept representative it was removed for. A removal is correct when the
    representative has the same ``original_id`` (distractors have their own, so removing one is wrong).
    Recall's denominator is the number of songs that should go (each group keeps exactly one: its size
    - 1, i.e. the copies). Per edit kind: correct removals among songs of that kind / their count
    (the original counts only in the total, where it stands for a kept copy). Per language: recall
    as above, precision of the removals of that language's songs.

    Returns ``{removed, correct, wrong, should_remove, precision, recall, wrong_distractors,
    by_edit: {edit: {songs, correct, recall}}, by_language: {lang: {should_remove, removed, correct,
    recall, precision}}}``. Raises KeyError for an id not in ``rows``.
    """
    by_id = {r["song_id"]: r for r in rows}
    group_size = Counter(r["original_id"] for r in rows)
    correct_ids = {
        sid for sid, rep in removed.items() if by_id[sid]["original_id"] == by_id[rep]["original_id"]
    }
    should = sum(n - 1 for n in group_size.values())
    edits = [e for e in EDITS if any(r["edit"] == e for r in rows)]
    by_edit = {}
    for e in edits:
        ids = [r["song_id"] for r in rows if r["edit"] == e]
        hit = sum(sid in correct_ids for sid in ids)
        by_edit[e] = {"songs": len(ids), "correct": hit, "recall": _ratio(hit, len(ids))}
    by_lang = {}
    for lang in sorted({r["language"] for r in rows}):
        ids = [r["song_id"] for r in rows if r["language"] == lang]
        lang_should = sum(n - 1 for o, n in group_size.items() if by_id[o]["language"] == lang)
        lang_removed = [sid for sid in ids if sid in removed]
        lang_correct = sum(sid in correct_ids for sid in lang_removed)
        by_lang[lang] = {
            "should_remove": lang_should,
            "removed": len(lang_removed),
            "correct": lang_correct,
            "recall": _ratio(lang_correct, lang_should),
            "precision": _ratio(lang_correct, len(lang_removed)),
        }
    wrong = [sid for sid in removed if sid not in correct_ids]
    return {
        "removed": len(removed),
        "correct": len(correct_ids),
        "wrong": len(wrong),
        "wrong_distractors": sum(by_id[sid]["edit"] == DISTRACTOR for sid in wrong),
        "should_remove": should,
        "precision": _ratio(len(correct_ids), len(removed)),
        "recall": _ratio(len(correct_ids), should),
        "by_edit": by_edit,
        "by_language": by_lang,
    }


def main(argv: list[str] | None = None) -> None:
    """CLI: build the corpus from ``--songs`` and write it under ``--out``."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--songs", default=str(DEFAULT_CORPUS), help="public-domain songs (JSON lines)")
    p.add_argument("--out", required=True, help="directory for songs.jsonl and truth.jsonl")
    p.add_argument("--originals-per-language", type=int, default=100)
    p.add_argument("--copies", type=int, default=10)
    p.add_argument("--distractors", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    rows, truth = make_near_dup_corpus(
        read_songs(a.songs), a.originals_per_language, a.copies, a.seed, distractors=a.distractors
    )
    songs_path, truth_path = write_near_dup_corpus(rows, truth, a.out)
    print(f"{len(rows):,} songs -> {songs_path}; {len(truth):,} groups -> {truth_path}")


if __name__ == "__main__":
    main()
