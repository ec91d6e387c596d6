"""The Serve app end to end on the tiny model: one module-scoped app, HTTP + ``openai`` client calls.

Covers: health/readiness, /v1/models, chat + text completions (plain and SSE streaming, a client
leaving mid-stream), embeddings,
bad requests (422/400 naming the field), bearer auth on (and the off path), overload -> 503 with
Retry-After, the recommender finding a playlist from its own description, OpenAIGenerator pointed at
the server, and the load bench's quick mode.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import load_bench

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
TOKEN_ENV = "SONGSAGE_TEST_SERVE_TOKEN"
TOKEN = "test-token-123"
# Generator admission kept tiny so a burst overloads it; the ingress admits everything.
GEN_MAX_ONGOING, GEN_MAX_QUEUED = 2, 2
BURST = 16


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(ray_session: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Build the playlist index from the sample, start the app, yield {cfg, url, headers}; shut down at the end."""
    import os

    from songsage.config import load_config
    from songsage.serve.app import base_url, start, stop, wait_ready
    from songsage.serve.index_build import build_index, index_dir, read_playlists

    run = tmp_path_factory.mktemp("serve_run")
    os.environ[TOKEN_ENV] = TOKEN
    cfg = load_config(
        str(REPO / "configs" / "local.yaml"),
        [
            f"run.dir={run}",
            "tracking.enabled=false",
            f"serve.port={_free_port()}",
            f"serve.playlists={REPO / 'data' / 'sample' / 'playlists.jsonl'}",
            f"serve.auth_token_env={TOKEN_ENV}",
            "model.tiny.hidden_size=64",
            "model.tiny.intermediate_size=128",
            "serve.max_prompt_tokens=256",
            "serve.max_tokens_limit=64",
            "serve.default_max_tokens=8",
            f"serve.generator.max_ongoing_requests={GEN_MAX_ONGOING}",
            f"serve.generator.max_queued_requests={GEN_MAX_QUEUED}",
        ],
    )
    build_index(cfg, index_dir(cfg))
    t0 = time.perf_counter()
    start(cfg)
    ready = wait_ready(cfg)
    print(f"serve ready in {time.perf_counter() - t0:.1f} s: {ready}")
    playlists = read_playlists(cfg.serve.playlists)
    yield {
        "cfg": cfg,
        "url": base_url(cfg),
        "headers": {"Authorization": f"Bearer {TOKEN}"},
        "playlists": playlists,
    }
    stop(cfg)


def _client(served: dict[str, Any]) -> Any:
    import openai

    return openai.OpenAI(base_url=served["url"] + "/v1", api_key=TOKEN, max_retries=0)


def test_health_ready_and_models(served: dict[str, Any]) -> None:
    assert httpx.get(served["url"] + "/healthz").json() == {"status": "ok"}
    ready = httpx.get(served["url"] + "/readyz").json()
    assert ready["ready"] and ready["index"]["rows"] == len(served["playlists"])
    assert [m.id for m in _client(served).models.list().data] == ["songsage"]


def test_auth_required_and_off_path(served: dict[str, Any]) -> None:
    from songsage.serve.app import Ingress

    url = served["url"] + "/v1/models"
    assert httpx.get(url).status_code == 401
    bad = httpx.get(url, headers={"Authorization": "Bearer wrong"})
    assert bad.status_code == 401 and bad.json()["error"]["param"] == "Authorization"
    assert httpx.get(url, headers=served["headers"]).status_code == 200
    # Auth off (serve.auth_token_env = ''): the same check lets a request without a header through.
    ingress = Ingress.func_or_class.__new__(Ingress.func_or_class)
    ingress.token = ""
    assert ingress._auth(httpx.Request("GET", url)) is None  # type: ignore[arg-type]


def test_chat_and_completion_via_openai_client(served: dict[str, Any]) -> None:
    client = _client(served)
    chat = client.chat.completions.create(
        model="songsage", messages=[{"role": "user", "content": "Hi"}], max_tokens=6
    )
    assert isinstance(chat.choices[0].message.content, str)
    assert chat.choices[0].finish_reason in {"stop", "length"}
    assert chat.usage.prompt_tokens > 0 and chat.usage.completion_tokens <= 6
    comp = client.completions.create(model="songsage", prompt="Once upon a time", max_tokens=5)
    assert isinstance(comp.choices[0].text, str) and comp.usage.completion_tokens <= 5


def test_streaming_chat_and_completion(served: dict[str, Any]) -> None:
    client = _client(served)
    stream = client.chat.completions.create(
        model="songsage",
        messages=[{"role": "user", "content": "Sing"}],
        max_tokens=8,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert finishes in (["stop"], ["length"]) and chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens <= 8 and isinstance(text, str)
    with httpx.stream(
        "POST",
        served["url"] + "/v1/completions",
        headers=served["headers"],
        json={"prompt": "la la", "max_tokens": 4, "stream": True},
    ) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        lines = [ln for ln in r.iter_lines() if ln.startswith("data: ")]
    assert lines[-1] == "data: [DONE]" and len(lines) >= 2


def test_disconnect_mid_stream_then_next_request(served: dict[str, Any]) -> None:
    from ray import serve

    body = {"messages": [{"role": "user", "content": "go"}], "max_tokens": 64, "stream": True}
    with httpx.stream(
        "POST", served["url"] + "/v1/chat/completions", headers=served["headers"], json=body, timeout=60
    ) as r:
        assert r.status_code == 200
        next(r.iter_lines())  # one packet, then the client goes away
    gen = serve.get_deployment_handle("Generator", served["cfg"].serve.app_name)
    deadline = time.monotonic() + 30
    while gen.info.remote().result()["active_streams"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert gen.info.remote().result()["active_streams"] == 0  # the producer thread stopped
    chat = _client(served).chat.completions.create(
        model="songsage", messages=[{"role": "user", "content": "Hi"}], max_tokens=4
    )
    assert chat.choices[0].finish_reason in {"stop", "length"}


@pytest.mark.parametrize(
    ("route", "body", "status", "param"),
    [
        ("/v1/chat/completions", {"model": "songsage"}, 422, "messages"),
        (
            "/v1/chat/completions",
            {"messages": [{"role": "user", "content": "x"}], "temperature": 5},
            422,
            "temperature",
        ),
        ("/v1/chat/completions", {"messages": [{"role": "wizard", "content": "x"}]}, 422, "messages.0.role"),
        (
            "/v1/chat/completions",
            {"messages": [{"role": "user", "content": "x"}], "max_tokens": 10_000},
            400,
            "max_tokens",
        ),
        ("/v1/chat/completions", {"messages": [{"role": "user", "content": "word " * 600}]}, 400, "messages"),
        (
            "/v1/chat/completions",
            {"messages": [{"role": "user", "content": "x"}], "model": "gpt-9"},
            400,
            "model",
        ),
        ("/v1/completions", {"prompt": ["a", "b"]}, 422, "prompt"),
        ("/v1/embeddings", {"input": ["x"] * 65}, 400, "input"),
        ("/v1/playlists/recommend", {"query": "sad songs", "top_k": 1000}, 400, "top_k"),
        ("/v1/playlists/recommend", {"query": ""}, 422, "query"),
    ],
)
def test_bad_requests_name_the_field(
    served: dict[str, Any], route: str, body: dict, status: int, param: str
) -> None:
    r = httpx.post(served["url"] + route, json=body, headers=served["headers"], timeout=60)
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["param"] == param and param.split(".")[0] in err["message"]


def test_embeddings_via_openai_client(served: dict[str, Any]) -> None:
    import numpy as np

    out = _client(served).embeddings.create(model="e5", input=["rainy night piano", "summer party"])
    vecs = np.array([d.embedding for d in out.data])
    assert vecs.shape == (2, 384) and np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    plain = httpx.post(
        served["url"] + "/v1/embeddings",
        headers=served["headers"],
        json={"input": "rainy night piano", "encoding_format": "float"},
    ).json()
    assert np.allclose(plain["data"][0]["embedding"], vecs[0], atol=1e-6)


def test_recommender_finds_playlist_by_its_description(served: dict[str, Any]) -> None:
    pl = served["playlists"]
    rows = pl[pl["description"] != ""].head(3)
    for pid, desc in zip(rows["playlist_id"], rows["description"], strict=True):
        r = httpx.post(
            served["url"] + "/v1/playlists/recommend",
            headers=served["headers"],
            json={"query": desc, "top_k": 3, "rewrite": False},
            timeout=60,
        )
        assert r.status_code == 200, r.text
        top = r.json()["playlists"]
        assert top[0]["playlist_id"] == pid and top[0]["title"] and top[0]["score"] >= top[-1]["score"]
    # With a rewrite by the generator the route still answers (rewritten text reported).
    r = httpx.post(
        served["url"] + "/v1/playlists/recommend",
        headers=served["headers"],
        json={"query": "songs for studying", "rewrite": True},
        timeout=60,
    )
    assert r.status_code == 200 and "rewritten_query" in r.json()


def test_openai_generator_teacher_points_at_serve(served: dict[str, Any]) -> None:
    from songsage.config.eval import GeneratorConfig
    from songsage.models.generator import OpenAIGenerator, SamplingParams

    gen = OpenAIGenerator(
        GeneratorConfig(
            backend="openai",
            base_url=served["url"] + "/v1",
            model="songsage",
            api_key_env=TOKEN_ENV,
            cache_dir="off",
            retries=0,
        )
    )
    try:
        texts = gen.generate(
            [[{"role": "user", "content": "Describe a playlist"}]] * 2, SamplingParams(max_new_tokens=6)
        )
    finally:
        gen.close()
    assert len(texts) == 2 and all(isinstance(t, str) for t in texts)


def test_overload_returns_503_with_retry_after(served: dict[str, Any]) -> None:
    body = {"messages": [{"role": "user", "content": "overload me"}], "max_tokens": 64}

    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(timeout=120, headers=served["headers"]) as http:
            return await asyncio.gather(
                *(http.post(served["url"] + "/v1/chat/completions", json=body) for _ in range(BURST))
            )

    t0 = time.perf_counter()
    responses = asyncio.run(burst())
    codes = [r.status_code for r in responses]
    assert set(codes) <= {200, 503} and 200 in codes and 503 in codes, codes
    assert codes.count(200) >= GEN_MAX_ONGOING
    rejected = next(r for r in responses if r.status_code == 503)
    assert (
        int(rejected.headers["retry-after"]) >= 1 and rejected.json()["error"]["type"] == "overloaded_error"
    )
    assert time.perf_counter() - t0 < 120
    # The server is still healthy afterwards.
    assert httpx.get(served["url"] + "/readyz").status_code == 200


def test_bench_quick_mode(served: dict[str, Any]) -> None:
    mod = load_bench("serve_load")
    res = asyncio.run(
        mod.run_load(served["url"], clients=2, duration_s=2.0, max_requests=10, max_tokens=4, token=TOKEN)
    )
    summary = res.summary()
    assert summary["requests"] <= 10 and summary["ok"] >= 1 and summary["p99_ms"] >= summary["p50_ms"]
    assert summary["shed_503"] == summary["errors"].get("503", 0) and "shed_p99_ms" in summary
    assert "p50_ms" in mod.format_table(summary)
