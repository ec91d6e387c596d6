"""tools/near_dup_corpus.py: seeded corpus, one edit of the stated kind per copy, edit rotation, CJK edits
stay CJK, related real songs are not both chosen, and the removal scoring (no Ray)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from rapidfuzz import fuzz

from tests.conftest import PUBLIC_DOMAIN
from tools import near_dup_corpus as ndc

ORIGINALS, COPIES, DISTRACTORS = 6, 5, 30


@pytest.fixture(scope="module")
def songs() -> list[dict[str, Any]]:
    return ndc.read_songs(PUBLIC_DOMAIN / "songs.jsonl")


@pytest.fixture(scope="module")
def related(songs: list[dict[str, Any]]) -> dict[str, str]:
    return ndc.related_groups(songs)


@pytest.fixture(scope="module")
def corpus(
    songs: list[dict[str, Any]], related: dict[str, str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return ndc.make_near_dup_corpus(
        songs, ORIGINALS, COPIES, seed=3, distractors=DISTRACTORS, related=related
    )


def _by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["song_id"]: r for r in rows}


def test_deterministic_for_a_seed(songs, related, corpus):
    again = ndc.make_near_dup_corpus(songs, ORIGINALS, COPIES, seed=3, distractors=DISTRACTORS)
    assert again == corpus  # related groups recomputed here: they are deterministic too
    other, _ = ndc.make_near_dup_corpus(
        songs, ORIGINALS, COPIES, seed=4, distractors=DISTRACTORS, related=related
    )
    assert other != corpus[0]


def test_shape_and_ground_truth(corpus):
    rows, truth = corpus
    assert len(rows) == 3 * ORIGINALS * (1 + COPIES) + DISTRACTORS
    assert len({r["song_id"] for r in rows}) == len(rows)
    edits = Counter((r["language"], r["edit"]) for r in rows)
    for lang in ("en", "ja", "zh"):
        assert edits[(lang, "original")] == ORIGINALS
        assert edits[(lang, "distractor")] == DISTRACTORS // 3
    by_id = _by_id(rows)
    for g in truth:
        assert g["should_remove"] == len(g["song_ids"]) - 1
        assert all(by_id[s]["original_id"] == g["original_id"] for s in g["song_ids"])
        assert min(g["song_ids"]) == g["original_id"]  # the original sorts first in its group
    for r in rows:
        if r["edit"] == "original":
            assert len(ndc.content_lines(r["lyrics"])) >= 4
        if r["edit"] in ("original", "distractor"):
            assert r["original_id"] == r["song_id"]


def test_every_copy_has_exactly_its_one_edit(corpus):
    rows, _ = corpus
    by_id = _by_id(rows)
    copies = [r for r in rows if r["edit"] in ndc.EDITS]
    assert len(copies) == 3 * ORIGINALS * COPIES
    for c in copies:
        orig = by_id[c["original_id"]]["lyrics"]
        a, b = orig.split("\n"), c["lyrics"].split("\n")
        assert c["lyrics"] != orig
        if c["edit"] == "drop_line":
            i = c["edit_detail"]["line"]
            assert a[i].strip() and b == a[:i] + a[i + 1 :]
        elif c["edit"] == "dup_line":
            i = c["edit_detail"]["line"]
            assert a[i].strip() and b == a[: i + 1] + [a[i]] + a[i + 1 :]
        else:
            assert len(a) == len(b)  # newlines are never edited
            assert fuzz.ratio(orig, c["lyrics"]) > 80
            ops = c["edit_detail"]["ops"]
            letters = sum(ndc.script_of(ch) != "other" for ch in orig)
            assert sum(ops.values()) == max(1, round(0.03 * letters))


def test_edit_kinds_rotate(corpus):
    rows, _ = corpus
    # generation order: languages sorted, originals sorted within a language, copies by number
    order = sorted(
        (r for r in rows if r["edit"] in ndc.EDITS),
        key=lambda r: (r["language"], r["original_id"], r["song_id"]),
    )
    kinds = [r["edit"] for r in order]
    assert kinds == [ndc.EDITS[i % 3] for i in range(len(kinds))]
    counts = Counter(kinds)
    assert max(counts.values()) - min(counts.values()) <= 1


def test_cjk_substitutions_stay_cjk(corpus):
    rows, _ = corpus
    by_id = _by_id(rows)
    checked = 0
    for c in rows:
        if c["edit"] == "chars" and c["language"] in ("zh", "ja"):
            new = set(c["lyrics"]) - set(by_id[c["original_id"]]["lyrics"])
            assert all(ndc.script_of(ch) in ("han", "hiragana", "katakana") for ch in new), new
            checked += len(new)
    assert checked > 0


def test_script_aware_edits_unit():
    import random

    pools = {"han": tuple("一二三四五"), "latin": tuple("abcdefghijklmnopqrstuvwxyz")}
    text, ops = ndc.edit_chars("一二三四五一二三四五\n一二三四五", random.Random(0), pools, rate=0.5)
    assert sum(ops.values()) == round(0.5 * 15) and text.count("\n") == 1
    assert set(text) <= set("一二三四五\n")
    upper = ndc._draw(random.Random(1), pools, "Q", avoid="Q")
    assert upper.isupper() and upper != "Q"


def test_related_real_songs_are_not_both_chosen(related, corpus):
    rows, _ = corpus
    rep = related
    chosen = [r["song_id"] for r in rows if r["edit"] in ("original", "distractor")]
    assert all(rep.get(s, s) == s for s in chosen)
    groups = Counter(rep.get(s, s) for s in chosen)
    assert max(groups.values()) == 1


def test_too_few_eligible_songs_is_an_error(songs):
    with pytest.raises(ValueError, match="eligible"):
        ndc.make_near_dup_corpus(songs[:50], 40, 1, seed=0, related={})


def _toy() -> list[dict[str, Any]]:
    """Two groups (A: original + 2 copies, B: original + 1 copy, in two languages) and one distractor."""

    def row(sid: str, orig: str, edit: str, lang: str) -> dict[str, Any]:
        return {"song_id": sid, "lyrics": "", "language": lang, "original_id": orig, "edit": edit}

    return [
        row("a", "a", "original", "en"),
        row("a~dup01", "a", "chars", "en"),
        row("a~dup02", "a", "drop_line", "en"),
        row("b", "b", "original", "zh"),
        row("b~dup01", "b", "dup_line", "zh"),
        row("d", "d", "distractor", "zh"),
    ]


def test_score_perfect_answer():
    rows = _toy()
    s = ndc.score_removals(rows, {"a~dup01": "a", "a~dup02": "a", "b~dup01": "b"})
    assert s["precision"] == s["recall"] == 1.0
    assert s["should_remove"] == 3 and s["wrong"] == 0
    assert all(v["recall"] == 1.0 for v in s["by_edit"].values())
    assert all(v["recall"] == v["precision"] == 1.0 for v in s["by_language"].values())


def test_score_wrong_answer():
    rows = _toy()
    # a~dup01 right; a~dup02 missed; b~dup01 merged into group a (wrong); distractor d removed for b (wrong)
    s = ndc.score_removals(rows, {"a~dup01": "a", "b~dup01": "a", "d": "b"})
    assert (s["removed"], s["correct"], s["wrong"], s["wrong_distractors"]) == (3, 1, 2, 1)
    assert s["precision"] == pytest.approx(1 / 3)
    assert s["recall"] == pytest.approx(1 / 3)
    assert s["by_edit"]["chars"] == {"songs": 1, "correct": 1, "recall": 1.0}
    assert s["by_edit"]["drop_line"]["recall"] == 0.0
    assert s["by_edit"]["dup_line"]["recall"] == 0.0
    en, zh = s["by_language"]["en"], s["by_language"]["zh"]
    assert (en["should_remove"], en["removed"], en["recall"], en["precision"]) == (2, 1, 0.5, 1.0)
    assert (zh["should_remove"], zh["removed"], zh["recall"], zh["precision"]) == (1, 2, 0.0, 0.0)
    # an original removed for its own copy is a correct removal too
    assert ndc.score_removals(rows, {"a": "a~dup01"})["correct"] == 1
    assert ndc.score_removals(rows, {})["precision"] == 1.0
