"""Latency-bound admission: the controller on a fake clock, then the ingress shedding a burst."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from songsage.serve.admission import AdmissionController

REPO = Path(__file__).resolve().parents[2]


class FakeClock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_controller_admits_within_bound_and_sheds_the_rest() -> None:
    clock = FakeClock()
    ctl = AdmissionController(latency_bound_s=2.0, clock=clock)
    # A burst before the first measurement: one request at a time, the rest refused at once (the work
    # admitted without a rate is bounded by nothing; a burst of batch_max_size took 8.7 s for a 5 s bound).
    burst = [ctl.try_admit(16) for _ in range(8)]
    assert [d.admitted for d in burst] == [True] + [False] * 7
    assert all(d.expected_s is None and d.retry_after_s == 1 for d in burst[1:])
    first = burst[0].admission
    assert first is not None and burst[0].expected_s is None
    clock.t = 0.5
    first.served = True
    first.release()
    first.release()  # idempotent: a second release changes nothing
    assert ctl.inflight == 0 and ctl.outstanding == 0 and ctl.rate == pytest.approx(32.0)
    # With a rate: admitted while the expected completion fits (4 x 16 tokens at 32/s = 2 s <= 2 s).
    assert [ctl.try_admit(16).admitted for _ in range(5)] == [True] * 4 + [False]
    clock.t = 2.5  # the four finish together after 2 s of busy time
    for _ in range(4):
        ctl.release(16)
    assert ctl.rate == pytest.approx(32.0) and ctl.inflight == 0
    # Steady state: 64 tokens per busy second (batches of 4 x 16 tokens every second), bound off meanwhile.
    ctl.bound = 0.0
    for _ in range(30):
        for _ in range(4):
            assert ctl.try_admit(16).admitted
        clock.t += 1.0
        for _ in range(4):
            ctl.release(16)
    assert ctl.rate == pytest.approx(64.0, rel=0.05)
    ctl.bound = 2.1
    # Bound 2.1 s at 64 tokens/s = 134 tokens: 8 requests of 16 admitted, the 9th refused fast.
    decisions = [ctl.try_admit(16) for _ in range(9)]
    assert [d.admitted for d in decisions] == [True] * 8 + [False]
    assert decisions[-1].expected_s == pytest.approx(9 * 16 / 64, rel=0.05)
    assert decisions[-1].retry_after_s == 1
    # Work done frees room again; a failed request does not move the rate.
    clock.t += 0.5
    ctl.release(16, served=False)
    assert ctl.rate == pytest.approx(64.0, rel=0.05) and ctl.try_admit(16).admitted
    # Bound 0 = off: everything admitted.
    off = AdmissionController(0.0, clock=clock)
    assert all(off.try_admit(1000).admitted for _ in range(100))


class _FakeGenerator:
    """Handle-like: ``generate.remote(req)`` serves one request at a time, ``SERVICE_S`` each."""

    SERVICE_S = 0.04

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.generate = self

    def remote(self, req: dict[str, Any]) -> Any:
        async def run() -> dict[str, Any]:
            async with self.lock:
                await asyncio.sleep(self.SERVICE_S)
            n = int(req["max_tokens"])
            return {"text": "x", "finish_reason": "length", "prompt_tokens": 3, "completion_tokens": n}

        return run()


def _ingress(latency_bound_s: float, generator: Any, *overrides: str) -> Any:
    """The Ingress class's instance without Serve, over a fake generator handle."""
    from songsage.config import load_config
    from songsage.serve.app import Ingress

    cfg = load_config(
        str(REPO / "configs" / "local.yaml"), [f"serve.latency_bound_s={latency_bound_s}", *overrides]
    )
    ingress = Ingress.func_or_class.__new__(Ingress.func_or_class)
    ingress.cfg, ingress.s, ingress.token = cfg, cfg.serve, ""
    ingress.model_ids = [cfg.serve.model_id]
    ingress.generator = generator
    ingress.admission = AdmissionController(cfg.serve.latency_bound_s)
    return ingress


def _burst(latency_bound_s: float, n: int = 60) -> tuple[list[float], list[float]]:
    from songsage.serve import openai_schema as oa

    ingress = _ingress(latency_bound_s, _FakeGenerator())
    body = oa.ChatCompletionRequest(messages=[{"role": "user", "content": "hi"}], max_tokens=16)
    ok: list[float] = []
    shed: list[float] = []

    async def one() -> None:
        t0 = time.perf_counter()
        res = await ingress._guard(lambda: ingress._complete(body, body.chat(), chat=True))
        status = getattr(res, "status_code", 200)
        (ok if status == 200 else shed).append(time.perf_counter() - t0)
        if status != 200:
            assert status == 503 and int(res.headers["retry-after"]) >= 1

    async def main() -> None:
        for _ in range(3):  # measure the rate first (a task per request, as Serve runs them)
            await asyncio.create_task(one())
        ok.clear()
        await asyncio.gather(*(one() for _ in range(n)))

    asyncio.run(main())
    return ok, shed


def test_ingress_keeps_admitted_latency_within_bound() -> None:
    bound = 0.6
    ok, shed = _burst(bound)
    # ~bound / SERVICE_S requests fit; the others are refused before any work.
    assert 5 <= len(ok) <= 25 and len(shed) == 60 - len(ok)
    assert max(ok) <= bound * 1.5 and max(shed) < 0.1
    # Without the bound every request is admitted and the last waits for all 60 (~2.4 s).
    ok_off, shed_off = _burst(0.0)
    assert not shed_off and max(ok_off) > 2 * bound


def test_latency_bound_config_key() -> None:
    from songsage.config import ConfigError, load_config

    assert load_config(str(REPO / "configs" / "local.yaml")).serve.latency_bound_s == 5.0
    with pytest.raises(ConfigError, match="serve.latency_bound_s"):
        load_config(str(REPO / "configs" / "local.yaml"), ["serve.latency_bound_s=-1"])


class _FakeStream:
    """Handle-like ``options(stream=True).stream.remote(req)``: a response generator of ``items``
    (``hang``: the first item never comes); records ``cancel()``."""

    def __init__(self, items: list[dict[str, Any]], hang: bool = False) -> None:
        self.items, self.hang, self.cancelled = list(items), hang, False
        self.stream = self

    def options(self, **kwargs: Any) -> _FakeStream:
        return self

    def remote(self, req: dict[str, Any]) -> _FakeStream:
        return self

    def __aiter__(self) -> _FakeStream:
        return self

    async def __anext__(self) -> dict[str, Any]:
        if self.hang:
            await asyncio.sleep(3600)
        if not self.items:
            raise StopAsyncIteration
        return self.items.pop(0)

    def cancel(self) -> None:
        self.cancelled = True


STREAM_ITEMS = [{"prompt_tokens": 3}, {"text": "la"}, {"finish_reason": "length", "completion_tokens": 16}]


@pytest.mark.parametrize("end", ["served", "gone_before_first_chunk", "send_fails", "cancelled", "timeout"])
def test_stream_admission_released_however_the_request_ends(end: str) -> None:
    from starlette.responses import StreamingResponse

    from songsage.serve import openai_schema as oa

    gen = _FakeStream(STREAM_ITEMS, hang=end == "timeout")
    ingress = _ingress(5.0, gen, "serve.request_timeout_s=0.05")
    body = oa.ChatCompletionRequest(messages=[{"role": "user", "content": "hi"}], max_tokens=16, stream=True)
    sent: list[dict[str, Any]] = []
    # ASGI 2.0: Starlette races the body against a disconnect; 2.4: a failing send means the client left.
    scope = {"type": "http", "asgi": {"spec_version": "2.4" if end == "send_fails" else "2.0"}}

    async def receive() -> dict[str, Any]:
        if end == "gone_before_first_chunk":
            return {"type": "http.disconnect"}
        await asyncio.sleep(3600)
        return {}

    async def send(message: dict[str, Any]) -> None:
        if end == "send_fails":
            raise OSError("connection reset by peer")
        if end == "gone_before_first_chunk":
            await asyncio.sleep(0.05)  # the disconnect arrives while the headers are being sent
        sent.append(message)

    async def request() -> Any:
        # What the Serve replica runs per HTTP request: the route, then the response it returned.
        res = await ingress._guard(lambda: ingress._complete(body, body.chat(), chat=True))
        assert ingress.admission.inflight == 1  # held until this request's task ends
        if end == "timeout":
            return res
        assert isinstance(res, StreamingResponse)
        if end == "cancelled":  # Serve cancels the request before the response is sent
            await asyncio.sleep(3600)
        await res(scope, receive, send)
        return res

    async def main() -> Any:
        task = asyncio.create_task(request())
        if end == "cancelled":
            await asyncio.sleep(0.05)
            task.cancel()
        try:
            return await task
        except (asyncio.CancelledError, Exception):
            return None
        finally:
            await asyncio.sleep(0)

    res = asyncio.run(main())
    ctl = ingress.admission
    assert ctl.inflight == 0 and ctl.outstanding == 0
    if end == "served":
        assert sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}
        assert ctl.rate is not None and not gen.cancelled  # counted toward the rate; nothing to stop
    else:
        assert ctl.rate is None  # not served: the rate is not moved
    if end in ("gone_before_first_chunk", "send_fails", "cancelled"):
        assert gen.cancelled and not any(m.get("body") for m in sent)  # no chunk went out; replica told
    if end == "timeout":
        assert res.status_code == 504
