"""Multiple-choice harness over the first rows of the real ZIQI-Eval release with the tiny random model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from songsage.config import load_config
from songsage.eval.choice import (
    LETTERS,
    Split,
    build_prompt,
    discover,
    load_scorer,
    run_choice_benchmarks,
    shared_prefix_length,
)
from tests.conftest import ZIQI

ROWS = 40


def tiny_config(tiny_model_cfg, tmp_path, *overrides: str):
    """The default config with the test-size tiny model, run dir ``tmp_path``, then ``overrides``."""
    t = tiny_model_cfg.tiny
    return load_config(
        None,
        [
            f"run.dir={tmp_path}",
            f"model.tiny.hidden_size={t.hidden_size}",
            f"model.tiny.intermediate_size={t.intermediate_size}",
            *overrides,
        ],
    )


def test_discover_reads_ziqi_as_is():
    splits = discover(str(ZIQI), ["popular_music"], max_rows=5)
    assert [s.category for s in splits] == ["popular_music"]
    s = splits[0]
    assert len(s.test) == 5 and len(s.dev) == 5 and set(s.test["answer"]) <= set(LETTERS)
    prompt = build_prompt(s.category, s.test.iloc[0].to_dict(), s.dev, shots=2)
    assert prompt.count("Answer:") == 3 and prompt.endswith("Answer:")
    assert (
        prompt.count(" A\n\n") + prompt.count(" B\n\n") + prompt.count(" C\n\n") + prompt.count(" D\n\n") == 2
    )


@pytest.mark.slow
def test_ziqi_first_rows_tiny_model(tiny_model_cfg, tmp_path):
    cfg = tiny_config(
        tiny_model_cfg,
        tmp_path,
        f"eval.choice.benchmarks=[{{name: ziqi, path: {ZIQI}}}]",
        "eval.choice.shots=[0, 2]",
        f"eval.choice.max_rows={ROWS}",
        "eval.choice.categories=[popular_music, composition_theory]",
        "eval.choice.batch_size=16",
    )
    res = run_choice_benchmarks(cfg, str(tmp_path / "choice"), {"tiny": load_scorer(cfg)})
    assert set(res["overall"]) == {("tiny", "ziqi", 0), ("tiny", "ziqi", 2)}
    for (_, _, shots), summary in res["overall"].items():
        table = res["tables"][("tiny", "ziqi", shots)]
        assert list(table["category"]) == ["composition_theory", "popular_music"]
        assert list(table["n"]) == [ROWS, ROWS] and summary["n"] == 2 * ROWS
        # random weights: near chance (1/4); 80 questions, so allow a wide band
        assert 0.05 <= summary["accuracy"] <= 0.55, summary
        assert 0.0 <= summary["macro_f1"] <= 1.0
        print(shots, summary)
    assert (tmp_path / "choice" / "choice.md").read_text().count("**overall**") == 2


def test_generation_answerer_extracts_letters_and_counts_unparsed(tmp_path):
    from songsage.eval.choice import GenerationAnswerer, evaluate_split, summarize

    class Scripted:
        def generate(self, batch, params=None):
            assert all("Answer with the letter" in m[-1]["content"] for m in batch)
            return ["B", "The answer is C.", "I am not sure"][: len(batch)]

    test = pd.DataFrame(
        {"question": ["q1", "q2", "q3"], "A": "a", "B": "b", "C": "c", "D": "d", "answer": ["B", "D", "A"]}
    )
    split = Split("music", test, test.iloc[:0])
    preds = evaluate_split(GenerationAnswerer(Scripted()), split, 0, 8)
    assert list(preds["pred"]) == ["B", "C", ""] and list(preds["unparsed"]) == [False, False, True]
    _, overall = summarize(preds)
    assert overall["accuracy"] == pytest.approx(1 / 3) and overall["unparsed"] == 1


def test_shared_prefix_length_leaves_each_sequence_a_token():
    assert shared_prefix_length([[1, 2, 3, 4], [1, 2, 3, 5], [1, 2, 9]]) == 2
    assert shared_prefix_length([[1, 2, 3], [1, 2, 3]]) == 2
    assert shared_prefix_length([[7], [7, 8]]) == 0
    assert shared_prefix_length([[1, 2], [3, 4]]) == 0
    assert shared_prefix_length([]) == 0


def test_cached_exemplars_score_like_each_prompt_alone(tiny_model_cfg, tmp_path):
    """k-shot prompts of one category share the exemplars' tokens: scored through one cached prefix and
    right-padded batches, every question's letter log-probs equal those of the prompt scored alone."""
    cfg = tiny_config(tiny_model_cfg, tmp_path)
    split = discover(str(ZIQI), ["popular_music"], max_rows=7)[0]
    prompts = [build_prompt(split.category, r, split.dev, shots=3) for r in split.test.to_dict("records")]
    scorer = load_scorer(cfg)
    ids = [scorer.tok(p, add_special_tokens=False)["input_ids"] for p in prompts]
    assert shared_prefix_length(ids) >= max(scorer.MIN_SHARED_TOKENS, sum(map(len, ids)) // len(ids) // 2)
    cached = scorer.score(prompts, batch_size=3)
    scorer.MIN_SHARED_TOKENS = 10**9  # no cache: right-padded batches of whole prompts
    batched = scorer.score(prompts, batch_size=3)
    alone = np.concatenate([scorer.score([p], batch_size=1) for p in prompts])
    assert cached.shape == (7, 4)
    np.testing.assert_allclose(batched, alone, atol=1e-4)
    np.testing.assert_allclose(cached, alone, atol=1e-4)
    assert not np.allclose(alone[0], alone[1])  # the questions' own tokens count
