"""Generators: tiny local HF model (batched, left padding) and the OpenAI-compatible client."""

from __future__ import annotations

import dataclasses
import json

import pytest

from songsage.config.eval import GeneratorConfig
from songsage.models.generator import (
    GenerationError,
    HFGenerator,
    OpenAIGenerator,
    SamplingParams,
    generate_dataset,
)


def _user(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


def test_hf_generator_batched_matches_single(tiny_model_cfg):
    gen = HFGenerator(tiny_model_cfg, GeneratorConfig(batch_size=4, max_new_tokens=6))
    prompts = [_user("hi"), _user("a much longer prompt about songs and playlists")]
    batched = gen.generate(prompts, SamplingParams(max_new_tokens=6))
    single = [gen.generate([p], SamplingParams(max_new_tokens=6))[0] for p in prompts]
    assert len(batched) == 2 and all(isinstance(t, str) for t in batched)
    assert batched == single  # left padding keeps greedy outputs identical
    assert gen.tokenizer.convert_tokens_to_ids("<|im_end|>") in gen.stop_ids
    sampled = gen.generate(prompts, SamplingParams(max_new_tokens=6, temperature=1.0, seed=1))
    assert all(t for t in sampled)  # random weights: sampling yields text (greedy yields newlines only)


def test_openai_client_retries_500_then_caches(chat_server, tmp_path):
    server = chat_server(lambda body: "echo:" + body["messages"][-1]["content"], fail_first=1)
    cfg = GeneratorConfig(
        backend="openai",
        model="m",
        base_url=server.base_url,
        retries=2,
        concurrency=2,
        api_key_env="",
    )
    gen = OpenAIGenerator(cfg, cache_dir=tmp_path / "cache")
    out = gen.generate([_user("a"), _user("b")])
    assert out == ["echo:a", "echo:b"]
    assert server.calls == 3 and gen.stats["retries"] == 1
    again = OpenAIGenerator(cfg, cache_dir=tmp_path / "cache")  # a resumed run: all answers cached
    assert again.generate([_user("a"), _user("b")]) == out
    assert server.calls == 3 and again.stats["cache_hits"] == 2
    cached = list((tmp_path / "cache").rglob("*.json"))
    assert len(cached) == 2 and json.loads(cached[0].read_text())["request"]["model"] == "m"


def test_openai_client_gives_up(chat_server):
    server = chat_server(lambda body: "never", fail_first=10)
    cfg = GeneratorConfig(
        backend="openai",
        model="m",
        base_url=server.base_url,
        retries=1,
        cache_dir="off",
        api_key_env="",
    )
    with pytest.raises(GenerationError, match="gave up after 2 attempts"):
        OpenAIGenerator(cfg).generate([_user("x")])


@pytest.mark.parametrize("key", ["backoff_s", "max_backoff_s"])
def test_backoff_keys_are_gone(key: str) -> None:
    # The SDK does its own backoff; a profile still naming the old knobs is told so, not silently ignored.
    from pathlib import Path

    from songsage.config import ConfigError, load_config

    profile = Path(__file__).resolve().parents[2] / "configs" / "local.yaml"
    with pytest.raises(ConfigError, match=key):
        load_config(str(profile), [f"sft_data.teacher.{key}=1"])


def test_openai_client_is_the_sdk_and_honours_retry_after(chat_server, monkeypatch):
    # 429 + Retry-After: 1 -> the SDK waits that second (its own backoff would be ~0.5 s), then retries.
    server = chat_server(lambda body: "ok", fail_first=1, fail_status=429, fail_headers={"Retry-After": "1"})
    monkeypatch.setenv("SONGSAGE_TEST_KEY", "k-123")
    cfg = GeneratorConfig(
        backend="openai",
        model="m",
        base_url=server.base_url,
        retries=1,
        cache_dir="off",
        api_key_env="SONGSAGE_TEST_KEY",
        timeout_s=5.0,
    )
    gen = OpenAIGenerator(cfg)
    assert gen.generate([_user("x")]) == ["ok"]
    assert server.calls == 2 and gen.stats == {"requests": 2, "cache_hits": 0, "retries": 1}
    assert server.times[1] - server.times[0] >= 0.95
    assert server.headers[0]["user-agent"].startswith("OpenAI/Python")
    assert server.headers[0]["authorization"] == "Bearer k-123"
    # No key configured: no Authorization header at all.
    keyless = OpenAIGenerator(dataclasses.replace(cfg, api_key_env=""))
    assert keyless.generate([_user("y")]) == ["ok"] and "authorization" not in server.headers[-1]


@pytest.mark.slow
def test_generate_dataset_actor_pool(ray_session, tiny_model_cfg):
    ds = ray_session.data.from_items(
        [{"id": i, "messages": json.dumps(_user(f"song {i}"))} for i in range(6)]
    )
    cfg = GeneratorConfig(batch_size=3, num_actors=1, max_new_tokens=4)
    rows = generate_dataset(ds, cfg, tiny_model_cfg).take_all()
    assert sorted(r["id"] for r in rows) == list(range(6))
    assert all(isinstance(r["text"], str) for r in rows)
