"""The OpenAI-compatible client's request cache in a URI run dir (moto S3 on 127.0.0.1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from songsage import storage
from songsage.config.eval import GeneratorConfig
from songsage.models.generator import OpenAIGenerator, resolve_cache_dir


def test_openai_cache_hits_on_s3(
    chat_server: Any, s3_server: Any, s3_dir: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a stray local "s3:" folder would land here
    server = chat_server(lambda body: "echo:" + body["messages"][-1]["content"])
    cfg = GeneratorConfig(backend="openai", model="m", base_url=server.base_url, api_key_env="")
    cache = resolve_cache_dir(cfg, s3_dir)
    assert cache == f"{s3_dir}/cache/generator"
    chats = [[{"role": "user", "content": c}] for c in ("a", "b")]
    assert OpenAIGenerator(cfg, cache_dir=cache).generate(chats) == ["echo:a", "echo:b"]
    assert server.calls == 2
    keys = s3_server.keys(cache)
    assert len(keys) == 2 and all(k.endswith(".json") for k in keys)
    entry = json.loads(storage.read_text(f"s3://{s3_server.bucket}/{keys[0]}"))
    assert entry["request"]["model"] == "m"
    again = OpenAIGenerator(cfg, cache_dir=cache)  # a resumed run on another node: all answers cached
    assert again.generate(chats) == ["echo:a", "echo:b"]
    assert server.calls == 2 and again.stats["cache_hits"] == 2
    assert not Path("s3:").exists()
