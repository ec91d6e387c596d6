"""Per-item scores line up across models, and the results table carries every model and verdict."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from songsage.config.proof import ProofConfig
from songsage.proof.items import ItemMetric, choice_items, playlistsense_items, table2_items
from songsage.proof.report import results_frame, results_markdown, tally

MODELS = ["base", "+CPT"]


def _predictions() -> pd.DataFrame:
    rows = []
    for model, title in (("base", "wrong title"), ("+CPT", "Autumn Rain")):
        for i in range(3):
            rows.append(
                {
                    "sample_id": f"t{i}",
                    "task": "lyrics_title",
                    "model": model,
                    "prediction": title,
                    "reference": "Autumn Rain",
                }
            )
            rows.append(
                {
                    "sample_id": f"e{i}",
                    "task": "lyrics_emotion",
                    "model": model,
                    "prediction": "sad",
                    "reference": "sad",
                }
            )
    return pd.DataFrame(rows[::-1])  # models' rows out of order: alignment is by sample id


def test_table2_items_are_per_sample_and_aligned() -> None:
    metrics = {m.name: m for m in table2_items(_predictions(), MODELS)}
    f1 = metrics["Table 2: Generate Song Title F1-Score"]
    assert f1.higher_is_better and f1.n_items == 3
    assert f1.per_model["+CPT"].tolist() == [1.0, 1.0, 1.0] and f1.per_model["base"].max() < 1.0
    assert not metrics["Table 2: Generate Song Title Edit Distance"].higher_is_better
    assert metrics["Table 2: Emotion Detection Accuracy"].per_model["base"].tolist() == [1.0, 1.0, 1.0]


def test_items_refuse_models_scored_on_different_samples() -> None:
    preds = _predictions()
    preds.loc[(preds["model"] == "+CPT") & (preds["sample_id"] == "t0"), "sample_id"] = "t9"
    with pytest.raises(ValueError, match="different items"):
        table2_items(preds, MODELS)


def test_playlistsense_and_choice_items() -> None:
    rankings = pd.DataFrame(
        {
            "model": ["base", "base", "+CPT", "+CPT"],
            "playlist_id": ["p1", "p2", "p1", "p2"],
            "perspective": ["x", "x", "x", "x"],
            "query": ["q1", "q2", "q1", "q2"],
            "top_ids": [json.dumps(t) for t in (["p2", "p1"], ["p1", "p3"], ["p1", "p2"], ["p2", "p1"])],
        }
    )
    hr1, hr2 = playlistsense_items(rankings, MODELS, [1, 2])
    assert hr1.per_model["base"].tolist() == [0.0, 0.0] and hr1.per_model["+CPT"].tolist() == [1.0, 1.0]
    assert hr2.per_model["base"].tolist() == [1.0, 0.0]
    frames = {
        m: pd.DataFrame({"answer": list("ABCD"), "pred": list(p)})
        for m, p in (("base", "AAAA"), ("+CPT", "ABCA"))
    }
    acc = choice_items(frames, "ziqi", 0)
    assert acc.per_model["base"].mean() == 0.25 and acc.per_model["+CPT"].mean() == 0.75


def test_results_table_has_every_model_delta_interval_and_verdict() -> None:
    rng = np.random.default_rng(0)
    base = rng.binomial(1, 0.2, 300).astype(float)
    metrics = [
        ItemMetric("HR@1", True, "mean", {"base": base, "+CPT": np.ones(300), "+SFT": base.copy()}),
        ItemMetric(
            "ppl",
            False,
            "perplexity",
            {
                m: np.column_stack([np.full(300, v), np.ones(300)])
                for m, v in (("base", 2.0), ("+CPT", 1.0), ("+SFT", 3.0))
            },
        ),
    ]
    models = ["base", "+CPT", "+SFT"]
    frame = results_frame(metrics, models, ProofConfig(bootstrap_resamples=200))
    assert len(frame) == 6 and set(frame["model"]) == set(models)
    verdicts = {(r["metric"], r["model"]): r["verdict"] for r in frame.to_dict("records")}
    assert (
        verdicts[("HR@1", "+CPT")] == "better" and verdicts[("HR@1", "+SFT")] == "no significant difference"
    )
    assert verdicts[("ppl", "+CPT")] == "better" and verdicts[("ppl", "+SFT")] == "worse"
    md = results_markdown(frame, models, 0.95)
    assert "base (base)" in md and "+CPT" in md and "+SFT" in md and "95% paired-bootstrap" in md
    assert tally(frame) == {
        "+CPT": {"better": 2, "worse": 0, "n.s.": 0},
        "+SFT": {"better": 0, "worse": 1, "n.s.": 1},
    }
