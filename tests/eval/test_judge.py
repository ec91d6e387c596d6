"""Judge parsing on malformed outputs, shuffled order recorded, aggregation."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import pytest

from songsage.eval.judge import (
    DIMENSIONS,
    judge_descriptions,
    judge_lyrics,
    parse_choice,
    parse_lyric_scores,
)

GOOD = "Creativity: 8\nFluency: 7/10\n**Relevance** - 9\nEmotional Expression = 6.5"


def test_parse_lyric_scores_good_and_malformed():
    assert parse_lyric_scores(GOOD, 1, 10) == {
        "Creativity": 8,
        "Fluency": 7,
        "Relevance": 9,
        "Emotional Expression": 6.5,
    }
    assert parse_lyric_scores("创意: 8 流畅: 9 相关: 7 情感表达: 8", 1, 10)["Fluency"] == 9
    assert (
        parse_lyric_scores("Creativity: eight, Fluency: 7, Relevance: 7, Emotional Expression: 7", 1, 10)[
            "Creativity"
        ]
        == 8
    )
    assert parse_lyric_scores("Creativity: 8\nFluency: 7", 1, 10) is None  # missing dimensions
    assert parse_lyric_scores(GOOD.replace("8", "11"), 1, 10) is None  # out of range
    assert parse_lyric_scores("I cannot evaluate this.", 1, 10) is None
    assert parse_lyric_scores(None, 1, 10) is None  # type: ignore[arg-type]


# Realistic judge answers -> the four scores (Creativity, Fluency, Relevance, Emotional Expression),
# or None when the answer must count as malformed. Scale markers and ranges are never scores.
JUDGE_ANSWERS = [
    ("Creativity: 8\nFluency: 7\nRelevance: 9\nEmotional Expression: 6", (8, 7, 9, 6)),
    (
        "Creativity (1-10): 8\nFluency (1-10): 7\nRelevance (1-10): 9\nEmotional Expression (1-10): 6",
        (8, 7, 9, 6),
    ),
    (
        "**Creativity (1–10):** 8\n**Fluency (1–10):** 7\n**Relevance (1–10):** 9\n**Emotional Expression (1–10):** 6",
        (8, 7, 9, 6),
    ),
    ("Creativity 1-10: 8\nFluency 1-10: 7\nRelevance 1-10: 9\nEmotional Expression 1-10: 6", (8, 7, 9, 6)),
    ("Creativity: 8/10\nFluency: 7.5/10\nRelevance: 10/10\nEmotional Expression: 6 / 10", (8, 7.5, 10, 6)),
    (
        "Creativity: 8 out of 10\nFluency: 7 out of 10\nRelevance: 9 out of 10\nEmotional Expression: 6 out of 10",
        (8, 7, 9, 6),
    ),
    ("Creativity: one of the best, 9\nFluency: 7\nRelevance: 8\nEmotional Expression: 6", (9, 7, 8, 6)),
    (
        "Creativity - Score: 7.5\nFluency - Score: 8\nRelevance - Score: 9\nEmotional Expression - Score: 6.5",
        (7.5, 8, 9, 6.5),
    ),
    (
        "I will rate Creativity, Fluency, Relevance and Emotional Expression on a scale of 1 to 10.\n\n"
        "Creativity: 8\nFluency: 7\nRelevance: 9\nEmotional Expression: 6",
        (8, 7, 9, 6),
    ),
    ("1. Creativity: 8\n2. Fluency: 7\n3. Relevance: 9\n4. Emotional Expression: 6", (8, 7, 9, 6)),
    (
        "| Dimension | Score |\n|---|---|\n| Creativity | 8 |\n| Fluency | 7 |\n| Relevance | 9 |\n"
        "| Emotional Expression | 6 |",
        (8, 7, 9, 6),
    ),
    (
        "Creativity: eight\nFluency: Seven.\nRelevance: nine/10\nEmotional Expression: six out of ten",
        (8, 7, 9, 6),
    ),
    ("创意（1-10分）：8\n流畅（1-10分）：7\n相关（1-10分）：9\n情感表达（满分10分）：6分", (8, 7, 9, 6)),
    ("Creativity:\n8\nFluency:\n7\nRelevance:\n9\nEmotional Expression:\n6", (8, 7, 9, 6)),
    ("Creativity: 7-8\nFluency: 7\nRelevance: 9\nEmotional Expression: 6", None),  # a range is no score
    ("Creativity: 7 to 8\nFluency: 7\nRelevance: 9\nEmotional Expression: 6", None),
    ("Creativity (1-10): N/A\nFluency (1-10): 7\nRelevance (1-10): 9\nEmotional Expression (1-10): 6", None),
    ("Creativity: one of the strongest aspects\nFluency: 7\nRelevance: 9\nEmotional Expression: 6", None),
    ("Creativity: 8\nFluency: 7\nRelevance: 9\nEmotional Expression (1-10):", None),  # cut off
    ("Creativity: 0/10\nFluency: 7\nRelevance: 9\nEmotional Expression: 6", None),  # below the scale
]


@pytest.mark.parametrize(("answer", "expected"), JUDGE_ANSWERS)
def test_parse_lyric_scores_realistic_answers(answer, expected):
    got = parse_lyric_scores(answer, 1, 10)
    want = None if expected is None else dict(zip(DIMENSIONS, map(float, expected), strict=True))
    assert got == want


def test_parse_choice_variants():
    assert parse_choice("C", 8) == "C"
    assert parse_choice("**B**.", 8) == "B"
    assert parse_choice("The best description is E.", 8) == "E"
    assert parse_choice("答案：D", 8) == "D"
    assert parse_choice("H", 4) is None  # out of range
    assert parse_choice("A or B, hard to say", 8) is None  # ambiguous
    assert parse_choice("", 8) is None and parse_choice("none of them", 8) is None


class ScriptedJudge:
    """A Generator that answers from a fixed list (stands in for the HTTP judge)."""

    def __init__(self, answers: list[str]) -> None:
        self.answers = answers
        self.seen: list[str] = []

    def generate(self, batch: Sequence[list[dict[str, str]]], params=None) -> list[str]:
        self.seen += [m[-1]["content"] for m in batch]
        return self.answers[: len(batch)]


def test_judge_lyrics_counts_malformed():
    rows = pd.DataFrame(
        {
            "model": ["a", "a", "b"],
            "keywords": ["k"] * 3,
            "first_half": ["x"] * 3,
            "continuation": ["c1", "c2", "c3"],
        }
    )
    per, table = judge_lyrics(ScriptedJudge([GOOD, "garbage", GOOD.replace("8", "10")]), rows, 1, 10)
    assert list(per["malformed"]) == [False, True, False]
    a = table.set_index("model").loc["a"]
    assert a["malformed"] == 1 and a["Creativity"] == 8 and a["Avg."] == (8 + 7 + 9 + 6.5) / 4


def test_judge_descriptions_shuffles_and_records_order():
    rows = pd.DataFrame(
        {
            "playlist_id": ["p1"] * 3 + ["p2"] * 3,
            "model": ["m1", "m2", "m3"] * 2,
            "description": [f"d{i}" for i in range(6)],
            "title": "t",
        }
    )
    judge = ScriptedJudge(["A", "no idea"])
    per, table = judge_descriptions(judge, rows, seed=0)
    first = per.iloc[0]
    assert sorted(first["order"].split("|")) == ["m1", "m2", "m3"]
    assert first["chosen"] == first["order"].split("|")[0]  # letter A = first shown
    assert bool(per.iloc[1]["malformed"]) and per["malformed"].sum() == 1
    assert table["selected"].sum() == 1
    assert "A: d" in judge.seen[0] and "C: d" in judge.seen[0]
