"""Table 2 task metrics: hand-computed scores, sample loading errors, the end-to-end evaluation with two
models (the tiny random model on Ray Data and a reference-echoing endpoint that must score perfectly),
and the judge's ``auto`` inputs built from it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from songsage.config import load_config
from songsage.eval.judge import run_judge
from songsage.eval.models import evaluated_model, evaluated_models
from songsage.eval.task_metrics import (
    JUDGE_LYRICS_FILE,
    evaluate_task_metrics,
    judge_lyrics_frame,
    load_samples,
    score_task,
)

# (task, language, user prompt, reference)
SAMPLES = [
    ("playlist_tags", "en", "Tags for the playlist 'Rainy Night Jazz'?", "jazz, night, rain"),
    ("playlist_tags", "zh", "给歌单《夏日》打标签", "夏天、流行"),
    (
        "playlist_description",
        "en",
        "Describe the playlist 'Morning Run'.",
        "Upbeat songs to start a morning run.",
    ),
    ("lyrics_artist", "en", "Who sings: 'hello from the other side'?", "Adele"),
    ("lyrics_title", "zh", "这首歌的歌名是什么：你问我爱你有多深", "月亮代表我的心"),
    ("lyrics_emotion", "en", "Emotion of: 'tears fall like rain'? (happy, sad)", "sad"),
    ("lyrics_continuation", "en", "Continue: 'Twinkle twinkle little star'", "How I wonder what you are"),
    ("keywords_to_lyrics", "en", "Write lyrics with: river, home", "Down by the river I found my home"),
]


class FakeEncoder:
    """Deterministic unit vectors from a text hash (identical texts -> cosine 1)."""

    def encode(self, texts, role="passage"):
        out = []
        for t in texts:
            v = np.random.default_rng(abs(hash(t)) % 2**32).normal(size=8)
            out.append(v / np.linalg.norm(v))
        return np.array(out, dtype=np.float32)


def test_scores_hand_computed():
    tags = score_task("playlist_tags", ["rock, pop", "爵士"], ["rock, jazz", "爵士、夜晚"])
    # sample 1: P 1/2, R 1/2, F1 1/2; sample 2: P 1, R 1/2, F1 2/3
    assert tags["precision"] == pytest.approx(0.75) and tags["f1"] == pytest.approx((0.5 + 2 / 3) / 2)
    artist = score_task(
        "lyrics_artist", ["Adele", "Simon", "Nobody"], ["adele", "Simon & Garfunkel", "Queen"]
    )
    assert artist == {"exact": pytest.approx(1 / 3), "partial": pytest.approx(1 / 3)}
    title = score_task("lyrics_title", ["月亮代表心", "Yesterday"], ["月亮代表我的心", "yesterday"])
    # CJK per character: P 5/5, R 5/7 -> F1 10/12; edit distance 2 then 0
    assert title["f1"] == pytest.approx((10 / 12 + 1) / 2) and title["edit_distance"] == pytest.approx(1.0)
    assert score_task("lyrics_emotion", ["Sad.", "happy"], ["sad", "sad"]) == {"accuracy": 0.5}
    enc = FakeEncoder()
    assert score_task("playlist_description", ["same text"], ["same text"], enc)["emb_sim"] == pytest.approx(
        1.0
    )
    with pytest.raises(ValueError, match="no Table 2 metric"):
        score_task("lyrics_story", ["a"], ["b"])


def _write_split(root: Path, rows=SAMPLES) -> Path:
    recs = [
        {
            "sample_id": f"s{i}",
            "task": t,
            "language": lang,
            "template_lang": lang,
            "song_id": "",
            "playlist_id": "",
            "teacher_kind": "",
            "messages": [{"role": "user", "content": p}, {"role": "assistant", "content": r}],
        }
        for i, (t, lang, p, r) in enumerate(rows)
    ]
    (root / "validation").mkdir(parents=True)
    pd.DataFrame(recs).to_parquet(root / "validation" / "part-00000.parquet")
    return root


def test_load_samples_and_errors(tmp_path):
    root = _write_split(tmp_path / "sft")
    df = load_samples(str(root / "validation"), ["lyrics_artist", "playlist_tags"], max_per_task=1)
    assert sorted(df["task"]) == ["lyrics_artist", "playlist_tags"] and df["reference"].iloc[0] == "Adele"
    assert json.loads(df["prompt"].iloc[0])[-1]["role"] == "user"
    with pytest.raises(FileNotFoundError, match="run jobs/build_sft.py"):
        load_samples(str(tmp_path / "missing"), ["lyrics_artist"], 0)
    bad = tmp_path / "bad"
    _write_split(bad, [("lyrics_artist", "en", "who?", "x")])
    df = pd.read_parquet(bad / "validation" / "part-00000.parquet")
    df["messages"] = [[{"role": "user", "content": "who?"}]]
    df.to_parquet(bad / "validation" / "part-00000.parquet")
    with pytest.raises(ValueError, match="sample s0: messages must end with an assistant turn"):
        load_samples(str(bad / "validation"), ["lyrics_artist"], 0)


def test_evaluated_model_resolution(tmp_path):
    cfg = load_config(None, [f"run.dir={tmp_path}", "tracking.enabled=false"])
    assert evaluated_model(cfg)[0] == "tiny-qwen2"
    (tmp_path / "pretrain" / "model").mkdir(parents=True)
    (tmp_path / "pretrain" / "model" / "config.json").write_text("{}")
    assert evaluated_model(cfg) == (
        "songsage-pretrain",
        cfg.eval.model.__class__(
            **{**cfg.eval.model.__dict__, "model": str(tmp_path / "pretrain" / "model")}
        ),
    )
    (tmp_path / "sft" / "adapter").mkdir(parents=True)
    (tmp_path / "sft" / "adapter" / "adapter_config.json").write_text("{}")
    assert evaluated_model(cfg)[0] == "songsage-sft"
    cfg = load_config(
        None,
        [
            f"run.dir={tmp_path}",
            "tracking.enabled=false",
            "eval.model.model=run:pretrain/model",
            "eval.model_name=base",
            "eval.compare=[{name: other, model: run:sft/adapter}]",
        ],
    )
    (name, gen), (other, gen2) = evaluated_models(cfg)
    assert (name, gen.model) == ("base", str(tmp_path / "pretrain" / "model"))
    assert (other, gen2.model) == ("other", str(tmp_path / "sft" / "adapter"))
    with pytest.raises(Exception, match="unique"):
        load_config(None, ["eval.model_name=x", "eval.compare=[{name: x, model: y}]"])


@pytest.mark.slow
def tiny_echo_judge_overrides(tiny_model_cfg: Any, echo_url: str, judge_url: str) -> list[str]:
    """Config overrides of the Table 2 + judge tests: the tiny model evaluated (4 new tokens), an "echo"
    endpoint compared, the judge at ``judge_url``, tracking and generation caches off."""
    t = tiny_model_cfg.tiny
    return [
        "tracking.enabled=false",
        f"model.tiny.hidden_size={t.hidden_size}",
        f"model.tiny.intermediate_size={t.intermediate_size}",
        "eval.model_name=tiny",
        "eval.model.max_new_tokens=4",
        "generator.cache_dir='off'",
        f"eval.compare=[{{name: echo, backend: openai, base_url: {echo_url}, model: echo, cache_dir: 'off'}}]",
        "eval.judge.lyrics=auto",
        f"eval.judge.generator.base_url={judge_url}",
        "eval.judge.generator.model=judge",
        "eval.judge.generator.cache_dir='off'",
    ]


def test_table2_two_models_and_judge_auto(ray_session, tiny_model_cfg, chat_server, tmp_path, monkeypatch):
    refs = {p: r for _, _, p, r in SAMPLES}
    echo = chat_server(lambda body: refs.get(body["messages"][-1]["content"], "?"))
    judge = chat_server(
        lambda body: (
            "Creativity: 7\nFluency: 8\nRelevance: 6\nEmotional Expression: 9"
            if "Twinkle" in body["messages"][-1]["content"]
            else "no scores"
        )
    )
    _write_split(tmp_path / "build_sft")
    cfg = load_config(
        None,
        [
            f"run.dir={tmp_path}",
            "eval.model.batch_size=8",
            *tiny_echo_judge_overrides(tiny_model_cfg, echo.base_url, judge.base_url),
        ],
    )
    monkeypatch.setattr("songsage.models.encoder.load_encoder", lambda _cfg: FakeEncoder())
    out = tmp_path / "evaluate" / "task_metrics"
    res = evaluate_task_metrics(cfg, str(out))
    assert list(res["rows"]) == ["tiny", "echo"] and res["counts"]["playlist_tags"] == 2
    e = res["rows"]["echo"]
    assert e["playlist_tags/precision"] == 1.0 and e["playlist_tags/f1"] == 1.0
    assert e["lyrics_artist/exact"] == 1.0 and e["lyrics_artist/partial"] == 0.0
    assert e["lyrics_title/f1"] == 1.0 and e["lyrics_title/edit_distance"] == 0.0
    assert e["lyrics_emotion/accuracy"] == 1.0 and e["playlist_description/emb_sim"] == pytest.approx(1.0)
    assert res["rows"]["tiny"]["lyrics_title/edit_distance"] > 0  # random weights do not guess titles
    md = (out / "table2.md").read_text()
    assert "| echo | - | - | - | 100.00 | 100.00 | 100.00 |" in md and "Lyric-centric" in md
    csv = pd.read_csv(out / "table2.csv")
    assert list(csv["model"]) == ["tiny", "echo"] and "Generate Song Title Edit Distance" in csv.columns
    preds = pd.read_parquet(out / "predictions.parquet")
    assert len(preds) == 2 * len(SAMPLES)

    lyrics = pd.read_parquet(out / JUDGE_LYRICS_FILE)
    assert (
        sorted(lyrics["task"].unique()) == ["keywords_to_lyrics", "lyrics_continuation"] and len(lyrics) == 4
    )
    res_j = run_judge(cfg, str(tmp_path / "evaluate" / "judge"))
    # the judge scores only the continuation rows; keyword rows come back malformed and are counted
    assert res_j["metrics"]["lyrics_malformed"] == 2 and res_j["metrics"]["lyrics_judged"] == 4
    assert res_j["metrics"]["lyrics/lyrics_continuation/echo/avg"] == pytest.approx(7.5)
    table3 = (tmp_path / "evaluate" / "judge" / "table3.md").read_text()
    assert "**Lyrics Continuation**" in table3 and "Creat" in table3
    with pytest.raises(FileNotFoundError, match="list 'playlistsense' before 'judge'"):
        run_judge(
            load_config(None, [f"run.dir={tmp_path}", "eval.judge.descriptions=auto"]),
            str(tmp_path / "x" / "judge"),
        )


def test_judge_lyrics_frame_layout():
    preds = pd.DataFrame(
        {
            "task": ["keywords_to_lyrics", "lyrics_continuation", "lyrics_title"],
            "model": "m",
            "sample_id": ["a", "b", "c"],
            "prediction": ["p1", "p2", "p3"],
            "prompt": [json.dumps([{"role": "user", "content": c}]) for c in ["kw", "half", "t"]],
        }
    )
    f = judge_lyrics_frame(preds, ["keywords_to_lyrics", "lyrics_continuation"])
    assert f[["keywords", "first_half", "continuation"]].values.tolist() == [
        ["kw", "", "p1"],
        ["", "half", "p2"],
    ]
