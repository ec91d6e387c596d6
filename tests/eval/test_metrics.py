"""Task metrics on hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from songsage.eval import metrics as m


def test_tag_precision_recall_f1_hand_case():
    # pred {rock, 90s, sad}, gold {Rock, happy}: 1 hit -> P 1/3, R 1/2, F1 = 2*(1/6)/(5/6) = 0.4
    p, r, f1 = m.tag_precision_recall_f1(["rock", "90s", "sad"], ["Rock ", "happy"])
    assert p == pytest.approx(1 / 3) and r == pytest.approx(0.5) and f1 == pytest.approx(0.4)
    assert m.tag_precision_recall_f1([], ["a"]) == (0.0, 0.0, 0.0)
    assert m.split_tags("摇滚, 怀旧、#90s\n摇滚") == ["摇滚", "怀旧", "90s"]
    mean = m.mean_tag_scores([["a"], ["a", "b"]], [["a"], ["c"]])
    assert mean == {"precision": 0.5, "recall": 0.5, "f1": 0.5}


def test_emb_sim_hand_case():
    a = np.array([[1, 0], [0, 2]], dtype=np.float32)
    b = np.array([[1, 0], [1, 1]], dtype=np.float32)
    # cosines 1 and 1/sqrt(2) -> mean (1 + 0.7071) / 2
    assert m.emb_sim(a, b) == pytest.approx((1 + 2**-0.5) / 2, rel=1e-6)


def test_artist_exact_and_partial():
    assert m.artist_exact_match("Jay Chou", "jay chou")
    assert m.artist_exact_match("A & B", "B / A")
    assert not m.artist_partial_match("Jay Chou", "jay chou")  # exact is not partial
    assert m.artist_partial_match("周杰伦", "周杰伦、费玉清")
    assert m.artist_partial_match("Taylor", "Taylor Swift")  # containment
    assert not m.artist_partial_match("Adele", "Taylor Swift")
    assert not m.artist_exact_match("", "")


def test_title_f1_character_level_for_cjk():
    # 晴天 vs 晴天娃娃: common 2 chars; P = 2/2, R = 2/4 -> F1 = 2/3
    assert m.title_f1("晴天", "晴天娃娃") == pytest.approx(2 / 3)
    # words for latin: "yellow submarine" vs "the yellow submarine" -> P 1, R 2/3 -> F1 0.8
    assert m.title_f1("Yellow Submarine", "The Yellow Submarine") == pytest.approx(0.8)
    assert m.title_f1("abc", "xyz") == 0.0


def test_title_edit_distance():
    assert m.title_edit_distance("kitten", "sitting") == 3
    assert m.title_edit_distance("晴天", "晴天娃娃") == 2
    assert m.title_edit_distance("Hello", "hello!") == 0  # case + edge punctuation normalised


def test_emotion_accuracy_and_classification():
    assert m.emotion_accuracy(["Sad", "happy", "angry"], ["sad", "calm", "angry"]) == pytest.approx(2 / 3)
    assert m.accuracy(["A", "B"], ["A", "C"]) == 0.5
    # labels A,B: A tp1 fp1 fn0 -> 2/3; B tp0 fp0 fn1 -> 0 ; macro = 1/3
    assert m.macro_f1(["A", "A"], ["A", "B"], labels=["A", "B"]) == pytest.approx(1 / 3)


def test_hit_rate_at_k():
    ranked = [["p1", "p2"], ["p3", "p2"], ["p1", "p3"]]
    gold = ["p1", "p2", "p2"]
    assert m.hit_rate_at_k(ranked, gold, 1) == pytest.approx(1 / 3)
    assert m.hit_rate_at_k(ranked, gold, 2) == pytest.approx(2 / 3)
