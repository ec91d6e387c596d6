"""LyricBank-SFT and preference builders on Ray Data with teachers through the shared generator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from songsage.config.sft import GENERAL_TASK, SFT_TASKS
from songsage.data.sft.build import build_sft
from songsage.data.sft.preferences import build_preferences
from tests.sft.sftdata import make_config

pytestmark = pytest.mark.slow
PER_TASK = 4


def _reply(body: dict[str, Any]) -> str:
    """A deterministic teacher answer that names the request it answers."""
    return "Teacher answer about: " + body["messages"][-1]["content"].splitlines()[0][:60]


def _teacher(server: Any) -> list[str]:
    return [
        "sft_data.teacher.backend=openai",
        f"sft_data.teacher.base_url={server.base_url}",
        "sft_data.teacher.model=t",
        "sft_data.teacher.concurrency=2",
        "sft_data.teacher.retries=0",
    ]


def test_build_sft_resumes_from_cache_and_decontaminates(
    ray_session: Any, curated_root: Path, chat_server: Any, tmp_path: Path
) -> None:
    server = chat_server(_reply)
    ids_file = tmp_path / "eval_ids.txt"
    songs = pq.read_table(curated_root / "curate" / "songs").column("song_id").to_pylist()
    held_out = set(songs[:50])
    ids_file.write_text("\n".join(held_out), encoding="utf-8")
    cfg = make_config(
        curated_root,
        f"sft_data.total_samples={PER_TASK * len(SFT_TASKS)}",
        "sft_data.general_ratio=0.25",
        f"sft_data.decontam.ids_files=[{ids_file}]",
        f"sft_data.cache_dir={tmp_path / 'cache'}",
        *_teacher(server),
    )
    out = tmp_path / "build_sft"
    first = build_sft(cfg, str(out))
    calls = server.calls
    assert calls == first.teacher["round1"]["calls"] + first.teacher["round2"]["calls"] > 0
    assert all(first.per_task[t] == PER_TASK for t in SFT_TASKS), first.per_task
    assert first.per_task[GENERAL_TASK] == round(0.25 * PER_TASK * len(SFT_TASKS))
    rows = [r for split in ("train", "validation") for r in pq.read_table(out / split).to_pylist()]
    assert len(rows) == first.train_rows + first.validation_rows
    for r in rows:
        msgs = r["messages"]
        assert msgs[-1]["role"] == "assistant" and msgs[-1]["content"].strip() and msgs[0]["content"].strip()
        assert r["song_id"] not in held_out
        assert r["task"] in (*SFT_TASKS, GENERAL_TASK)
    stories = [r for r in rows if r["task"] == "lyrics_story"]
    assert stories and all(r["messages"][1]["content"].startswith("Teacher answer about") for r in stories)
    rewrites = [r for r in rows if r["task"] == "query_rewrite"]
    assert rewrites and all("Teacher answer about" in r["messages"][0]["content"] for r in rewrites)
    # The second build is answered from the cache: zero new teacher calls, identical samples.
    second = build_sft(cfg, str(out))
    assert server.calls == calls
    assert second.teacher["round1"]["calls"] == second.teacher["round2"]["calls"] == 0
    assert [r for split in ("train", "validation") for r in pq.read_table(out / split).to_pylist()] == rows
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["per_task"] == first.per_task and manifest["decontam"]["songs"] == len(held_out)


def test_build_preferences_strong_endpoint_weak_local_model(
    ray_session: Any, curated_root: Path, chat_server: Any, tmp_path: Path
) -> None:
    """chosen from an OpenAI-compatible endpoint, rejected from the local tiny model in a Ray Data actor pool."""
    teacher = chat_server(_reply)
    strong = chat_server(lambda body: "A careful answer.")
    root = tmp_path
    for name in ("songs", "playlists"):
        (root / "curate" / name).mkdir(parents=True)
        (root / "curate" / name / "part-00000.parquet").write_bytes(
            (curated_root / "curate" / name / "part-00000.parquet").read_bytes()
        )
    common = [
        f"sft_data.total_samples={2 * len(SFT_TASKS)}",
        "sft_data.general_ratio=0",
        *_teacher(teacher),
        "preferences.per_task=2",
        "preferences.strong.backend=openai",
        f"preferences.strong.base_url={strong.base_url}",
        "preferences.strong.model=s",
        "preferences.weak.model=tiny-qwen2",
        "preferences.weak.max_new_tokens=8",
        "preferences.weak.temperature=1.0",
    ]
    cfg = make_config(root, *common)
    build_sft(cfg, str(root / "build_sft"))
    result = build_preferences(cfg, str(root / "build_preferences"))
    assert 0 < sum(result.prompts.values()) <= 2 * len(SFT_TASKS)
    pairs = pq.read_table(root / "build_preferences" / "pairs").to_pylist()
    assert (
        len(pairs)
        == sum(result.pairs.values())
        == sum(result.prompts.values()) - sum(result.dropped.values())
    )
    for p in pairs:
        assert p["chosen"] == "A careful answer." and p["rejected"].strip() and p["rejected"] != p["chosen"]
        assert p["prompt"][-1]["role"] == "user" and p["task"] in SFT_TASKS
    calls = strong.calls
    again = build_preferences(cfg, str(root / "build_preferences"))
    assert (
        strong.calls == calls
        and again.generators["strong"]["calls"] == again.generators["weak"]["calls"] == 0
    )
