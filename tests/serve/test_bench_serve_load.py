"""bench/serve_load.py without a server: shed clients wait Retry-After (or not), the table's fields."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from tests.helpers import load_bench

DURATION_S = 1.5


def _always_shed(request: httpx.Request) -> httpx.Response:
    return httpx.Response(503, headers={"Retry-After": "1"}, json={"error": {"type": "overloaded_error"}})


@pytest.mark.parametrize("honour", [True, False])
def test_shed_clients_wait_retry_after(honour: bool) -> None:
    mod = load_bench("serve_load")
    t0 = time.perf_counter()
    res = asyncio.run(
        mod.run_load(
            "http://bench.invalid",
            clients=2,
            duration_s=DURATION_S,
            max_requests=60,
            max_tokens=4,
            honour_retry_after=honour,
            transport=httpx.MockTransport(_always_shed),
        )
    )
    summary = res.summary()
    assert summary["ok"] == 0 and summary["shed_503"] == summary["requests"] == summary["errors"]["503"]
    if honour:
        # Each client: one request at t=0, one after its 1 s wait, then the deadline cuts the next wait.
        assert 2 <= summary["requests"] <= 4
        assert time.perf_counter() - t0 < DURATION_S + 1.0
    else:
        assert summary["requests"] == 60  # back to back until --max-requests


def test_retry_after_header_and_table() -> None:
    mod = load_bench("serve_load")
    assert [mod.retry_after_s(v) for v in ("2", "0.5", "", "Wed, 21 Oct 2026 07:28:00 GMT")] == [2, 0.5, 0, 0]
    ok = httpx.Response(200, json={"usage": {"completion_tokens": 4}})

    def answer(request: httpx.Request) -> httpx.Response:
        assert json.loads(request.content)["max_tokens"] == 4
        return ok

    res = asyncio.run(
        mod.run_load("http://bench.invalid", 2, 30.0, 6, 4, transport=httpx.MockTransport(answer))
    )
    table = mod.format_table(res.summary())
    for key in ("p50_ms", "p99_ms", "shed_503", "shed_p50_ms", "shed_p99_ms", "tokens_per_s"):
        assert key in table
    assert res.summary()["ok"] == 6 and res.completion_tokens == 24
