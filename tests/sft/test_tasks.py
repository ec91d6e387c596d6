"""The nine LyricBank-SFT tasks, templates, keywords and emotions on the sample data (no Ray)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from songsage.config.sft import SFT_TASKS, KeywordConfig
from songsage.data.sft.build import task_counts
from songsage.data.sft.emotions import DEFAULT_EMOTION_MAP, emotion_map, majority, song_emotions
from songsage.data.sft.keywords import KeywordExtractor
from songsage.data.sft.tasks import TaskSettings, after_query, playlist_samples, song_samples
from songsage.data.sft.templates import TASK_TEMPLATES, pick


def _tables(root: Path) -> tuple[list[dict], list[dict]]:
    songs = pq.read_table(root / "curate" / "songs").to_pylist()
    playlists = pq.read_table(root / "curate" / "playlists").to_pylist()
    return songs, playlists


def _settings(songs: list[dict]) -> TaskSettings:
    by_lang: dict[str, list[str]] = {}
    for s in songs:
        by_lang.setdefault(s["language"], []).append(s["lyrics_norm"])
    return TaskSettings(
        seed=0,
        tasks=list(SFT_TASKS),
        zh_languages=["zh"],
        max_lyrics_chars=400,
        min_lines=4,
        songs_per_playlist=10,
        keywords=KeywordExtractor(KeywordConfig()).fit(by_lang),
    )


def test_every_task_yields_well_formed_samples(curated_root: Path) -> None:
    songs, playlists = _tables(curated_root)
    s = _settings(songs)
    votes = song_emotions(((p["tags"], p["kept_song_ids"]) for p in playlists), emotion_map({}))
    meta = {x["song_id"]: (x["name"], x["artist"], x["language"]) for x in songs}
    rows = [r for song in songs for r in song_samples(song, majority(votes.get(song["song_id"], [])), s)]
    rows += [
        r
        for p in playlists
        for r in playlist_samples(p, [meta[i] for i in p["kept_song_ids"] if i in meta], s)
    ]
    by_task: dict[str, list[dict]] = {}
    for r in rows:
        by_task.setdefault(r["task"], []).append(r)
    assert set(by_task) == set(SFT_TASKS)
    for task, items in by_task.items():
        ids = [r["sample_id"] for r in items]
        assert len(ids) == len(set(ids)), task
        for r in items[:20]:
            if r["teacher_kind"] != "query":  # task 1's prompt is the teacher-written query (round 1)
                assert r["prompt"].strip(), task
                assert not any(
                    f"{{{k}}}" in r["prompt"] for k in ("lyrics", "playlist", "query", "keywords", "labels")
                ), task
            assert 0 <= r["score"] < 1 and r["template_lang"] in ("zh", "en")
            if r["teacher_kind"]:
                msgs = json.loads(r["teacher_messages"])
                assert msgs[0]["role"] == "user" and msgs[0]["content"].strip()
            else:
                assert r["response"].strip(), task
    zh = [r for r in by_task["lyrics_title"] if r["language"] == "zh"]
    assert zh and all(
        r["template_lang"] == "zh"
        and r["prompt"].startswith(tuple(t[:4] for t in TASK_TEMPLATES["lyrics_title"]["zh"]))
        for r in zh
    )
    q = by_task["query_rewrite"][0]
    second = after_query(q, "适合下雨天听的歌", 0)
    assert "适合下雨天听的歌" in second["prompt"] or "适合下雨天听的歌" in second["teacher_messages"]
    assert second["teacher_kind"] == "rewrite"


def test_templates_deterministic_and_varied() -> None:
    picks = {pick("lyrics_title", "en", 0, f"lyrics_title:{i}") for i in range(50)}
    assert len(picks) == len(TASK_TEMPLATES["lyrics_title"]["en"])
    assert pick("lyrics_title", "zh", 3, "x") == pick("lyrics_title", "zh", 3, "x")
    for task in SFT_TASKS:
        assert len(TASK_TEMPLATES[task]["zh"]) >= 3 and len(TASK_TEMPLATES[task]["en"]) >= 3


def test_keywords_zh_and_en() -> None:
    ext = KeywordExtractor(KeywordConfig(top_k=4, include_tags=True)).fit(
        {
            "en": [
                "the rain falls on the city tonight",
                "summer sun and ocean waves",
                "city lights and rain again",
            ]
        }
    )
    zh = ext.extract("夜深了 你还好吗\n雨停了 天就晴了\n城市的灯火一盏一盏亮起", "zh", ["伤感"])
    assert zh[0] == "伤感" and 2 <= len(zh) <= 4
    en = ext.extract("summer sun and ocean waves", "en", [])
    assert en and "and" not in en and all(len(w) >= 2 for w in en)


def test_emotion_table_and_majority() -> None:
    table = emotion_map({})
    assert (
        table["chill"] == "calm" and table["伤感"] == "sad" and DEFAULT_EMOTION_MAP["workout"] == "energetic"
    )
    assert (
        majority(["sad", "calm", "sad"]) == "sad"
        and majority(["calm", "sad"]) == "sad"
        and majority([]) == ""
    )
    votes = song_emotions([(["Sad", "Breakup"], ["a"]), (["Chill"], ["a", "b"]), (["Pop"], ["c"])], table)
    assert majority(votes["a"]) == "sad" and majority(votes["b"]) == "calm" and "c" not in votes


def test_task_counts_follow_weights() -> None:
    counts = task_counts(100, {t: 1.0 for t in SFT_TASKS}, list(SFT_TASKS))
    assert sum(counts.values()) == 100 and max(counts.values()) - min(counts.values()) <= 1
    weighted = task_counts(10, {"lyrics_title": 3.0, "lyrics_artist": 1.0}, ["lyrics_title", "lyrics_artist"])
    assert weighted == {"lyrics_title": 8, "lyrics_artist": 2}


def test_validation_ids_stratified_with_minimum():
    from songsage.config.sft import GENERAL_TASK
    from songsage.data.sft.build import validation_ids

    rows = [
        {"task": t, "sample_id": f"{t}-{i}"} for t in ("lyrics_title", "playlist_tags") for i in range(10)
    ]
    rows += [{"task": "lyrics_artist", "sample_id": "only-one"}]
    rows += [{"task": GENERAL_TASK, "sample_id": f"g{i}"} for i in range(10)]
    held = validation_ids(rows, seed=0, fraction=0.0, min_per_task=3)
    assert (
        sum(s.startswith("lyrics_title") for s in held) == 3
        and sum(s.startswith("playlist_tags") for s in held) == 3
    )
    assert "only-one" not in held  # a task keeps at least one training sample
    assert not any(s.startswith("g") for s in held)  # general chats follow the fraction only
    assert validation_ids(rows, 0, 0.0, 3) == held  # deterministic
    everything = validation_ids(rows, 0, 0.999, 0)
    assert len([s for s in everything if s.startswith("lyrics_title")]) == 9 and "only-one" not in everything
