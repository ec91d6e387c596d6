"""Fast checks of serving generation without Serve: per-request seeded sampling under concurrency,
a client disconnect mid-stream, the ingress timeout path and the bearer-token comparison."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from songsage.config import load_config

REPO = Path(__file__).resolve().parents[2]
SLOW_FORWARD_S = 0.02


@pytest.fixture(scope="module")
def serve_model(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The hf backend's ServeModel on the tiny random model (no trained stage in the run dir)."""
    from songsage.serve.hf_backend import ServeModel

    cfg = load_config(
        str(REPO / "configs" / "local.yaml"),
        [
            f"run.dir={tmp_path_factory.mktemp('serve_gen')}",
            "tracking.enabled=false",
            "model.tiny.hidden_size=64",
            "model.tiny.intermediate_size=128",
            "serve.request_timeout_s=30",
        ],
    )
    return ServeModel(cfg)


def _req(seed: int, text: str = "Sing me a song", max_tokens: int = 12) -> Any:
    from songsage.serve.hf_backend import GenRequest

    return GenRequest([{"role": "user", "content": text}], max_tokens, 1.0, 0.9, seed)


def test_seeded_sampling_is_per_request(serve_model: Any) -> None:
    import torch

    seeds = [1, 2, 1, 2, 3, 1]
    ref = {s: serve_model.generate([_req(s)])[0][0] for s in set(seeds)}
    assert len(set(ref.values())) > 1  # different seeds do sample differently
    # Same seed in one batch: identical rows (each row has its own generator).
    assert [t for t, _, _ in serve_model.generate([_req(1), _req(1), _req(2)])] == [ref[1], ref[1], ref[2]]
    # Concurrent requests (batched calls and streams in threads) each get their seed's text.
    state = torch.random.get_rng_state()

    def one(i_seed: tuple[int, int]) -> str:
        i, seed = i_seed
        if i % 2:
            return "".join(serve_model.stream(_req(seed)))
        return serve_model.generate([_req(seed)])[0][0]

    with ThreadPoolExecutor(max_workers=len(seeds)) as pool:
        got = list(pool.map(one, enumerate(seeds)))
    assert [g.strip() for g in got] == [ref[s] for s in seeds]
    assert torch.equal(torch.random.get_rng_state(), state)  # the global RNG is never touched


def test_disconnect_mid_stream_stops_the_producer(serve_model: Any) -> None:
    from songsage.serve.app import GeneratorServer

    server = GeneratorServer.func_or_class.__new__(GeneratorServer.func_or_class)
    server.cfg, server.model = serve_model.cfg, serve_model
    req = {"messages": [{"role": "user", "content": "la"}], "max_tokens": 64, "temperature": 0.0}
    req |= {"top_p": 1.0, "seed": 0, "stop": [], "model": "songsage"}
    streams: list[Any] = []
    real_stream = serve_model.stream
    # Slow every forward so the stream is surely mid-way when the client goes away.
    hook = serve_model.counter.model.register_forward_pre_hook(lambda m, a: time.sleep(SLOW_FORWARD_S))

    def spy(gen: Any) -> Any:
        streams.append(real_stream(gen))
        return streams[-1]

    serve_model.stream = spy
    try:

        async def disconnect() -> None:
            got: list[dict[str, Any]] = []

            async def consume() -> None:
                async for item in server.stream(req):
                    got.append(item)

            task = asyncio.create_task(consume())
            while len(got) < 3:  # prompt_tokens + two pieces
                await asyncio.sleep(0.005)
            task.cancel()  # what Serve does to the replica's generator when the client disconnects
            with pytest.raises(asyncio.CancelledError):
                await task

        asyncio.run(disconnect())
        stream = streams[0]
        assert not stream.running and 0 < stream.generated < 64
        assert serve_model.active_streams() == 0

        async def full() -> list[dict[str, Any]]:
            return [item async for item in server.stream(req | {"max_tokens": 4})]

        items = asyncio.run(full())  # the next request is served normally
        assert items[-1]["completion_tokens"] <= 4 and "finish_reason" in items[-1]
    finally:
        serve_model.stream = real_stream
        hook.remove()
    assert threading.active_count() < 50


def test_generator_replica_warms_up_before_taking_traffic(
    serve_model: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from songsage.config import to_dict
    from songsage.serve import hf_backend
    from songsage.serve.app import GeneratorServer

    batches: list[list[Any]] = []
    real = serve_model.generate
    monkeypatch.setattr(serve_model, "generate", lambda reqs: batches.append(reqs) or real(reqs))
    monkeypatch.setattr(hf_backend, "ServeModel", lambda cfg: serve_model)
    server = GeneratorServer.func_or_class(to_dict(serve_model.cfg))
    # The constructor ran one full greedy batch of short requests through the model.
    assert server.model is serve_model and len(batches) == 1
    assert len(batches[0]) == serve_model.cfg.serve.batch_max_size
    assert all(0 < r.max_tokens <= hf_backend.WARMUP_TOKENS and r.temperature == 0 for r in batches[0])
    assert len(serve_model.counter.last_counts()) == serve_model.cfg.serve.batch_max_size


def _ingress(timeout_s: float = 0.05, token: str = "") -> Any:
    from songsage.config.serve import ServeConfig
    from songsage.serve.app import Ingress

    ingress = Ingress.func_or_class.__new__(Ingress.func_or_class)
    ingress.s, ingress.token = ServeConfig(request_timeout_s=timeout_s), token
    return ingress


@pytest.mark.parametrize("exc", [asyncio.TimeoutError, TimeoutError])
def test_timeout_becomes_504(exc: type[BaseException]) -> None:
    ingress = _ingress()

    async def raises() -> None:
        raise exc("late")

    res = asyncio.run(ingress._guard(raises))
    assert res.status_code == 504 and b"serve.request_timeout_s=0.05" in res.body
    # A real deadline through _call (asyncio.wait_for) maps the same way.
    res = asyncio.run(ingress._guard(lambda: ingress._call(asyncio.sleep(5))))
    assert res.status_code == 504


def test_bearer_token_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import hmac

    import httpx

    from songsage.serve import app

    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(app.hmac, "compare_digest", spy)
    ingress = _ingress(token="s3cret")

    def auth(header: str) -> Any:
        return ingress._auth(httpx.Request("GET", "http://x/v1/models", headers={"authorization": header}))

    assert auth("Bearer s3cret") is None
    assert auth("Bearer s3cres").status_code == 401 and auth("Bearer s").status_code == 401
    assert calls[0] == (b"s3cret", b"s3cret") and len(calls) == 3
