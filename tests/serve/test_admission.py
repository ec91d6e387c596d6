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
    ctl = AdmissionController(latency_bound_s=2.0, warmup_requests=2, clock=clock)
    # Warm-up: no rate yet -> up to 2 in flight, then refused; nothing in flight -> always admitted.
    assert ctl.try_admit(16).admitted and ctl.try_admit(16).admitted
    refused = ctl.try_admit(16)
    assert not refused.admitted and refused.expected_s is None and refused.retry_after_s == 1
    clock.t = 1.0  # both finish together after 1 s of busy time: the second completion took 0 s
    ctl.release(16)
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
    off = AdmissionController(0.0, 1, clock=clock)
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


def _burst(latency_bound_s: float, n: int = 60) -> tuple[list[float], list[float]]:
    from songsage.config import load_config
    from songsage.serve import openai_schema as oa
    from songsage.serve.app import Ingress

    cfg = load_config(str(REPO / "configs" / "local.yaml"), [f"serve.latency_bound_s={latency_bound_s}"])
    ingress = Ingress.func_or_class.__new__(Ingress.func_or_class)
    ingress.cfg, ingress.s, ingress.token = cfg, cfg.serve, ""
    ingress.model_ids = [cfg.serve.model_id]
    ingress.generator = _FakeGenerator()
    ingress.admission = AdmissionController(cfg.serve.latency_bound_s, cfg.serve.batch_max_size)
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
        for _ in range(3):  # measure the rate first
            await one()
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
