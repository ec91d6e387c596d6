"""Load test of the Serve chat endpoint on loopback: N concurrent clients for T seconds.

    python bench/serve_load.py --config configs/local.yaml [--clients 8 --duration 20] [--quick]
    python bench/serve_load.py --url http://127.0.0.1:8000 --clients 8 --duration 20   # running server
    python bench/serve_load.py --clients 50 --duration 10 --no-honour-retry-after    # shed clients hammer

Without ``--url`` it starts Ray + Serve from the profile, runs, and shuts down. Bounded: each client
stops at ``--duration`` seconds or when ``--max-requests`` requests were sent in total. Prints a table:
requests, p50/p99 latency (ms) of the answered (200) requests, requests/s, completion tokens/s, errors
by HTTP status and the p50/p99 latency of the shed (503) ones (admission should refuse fast). A shed
client waits the response's ``Retry-After`` seconds before its next request (``--honour-retry-after``,
the default, as the ``openai`` SDK does); ``--no-honour-retry-after`` sends again at once.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "platform"))

QUICK = {"clients": 2, "duration": 3.0, "max_requests": 20, "max_tokens": 8}
PROMPT = "Recommend three songs for a rainy evening and say why in one sentence."
MS = 1000.0
P50, P99 = 50.0, 99.0
CONNECT_ERROR = "conn"


@dataclass
class LoadResult:
    """Outcome of one run. Latencies in seconds: ``latencies`` of 200s, ``shed_latencies`` of 503s."""

    clients: int
    wall_s: float
    latencies: list[float] = field(default_factory=list)
    shed_latencies: list[float] = field(default_factory=list)
    completion_tokens: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """Requests, ok, p50/p99 ms, req/s, tokens/s, errors by status, 503 count and p50/p99 ms."""
        import numpy as np

        lat = np.array(self.latencies) if self.latencies else np.zeros(1)
        shed = np.array(self.shed_latencies) if self.shed_latencies else np.zeros(1)
        total = sum(self.statuses.values())
        return {
            "clients": self.clients,
            "requests": total,
            "ok": len(self.latencies),
            "p50_ms": round(float(np.percentile(lat, P50)) * MS, 1),
            "p99_ms": round(float(np.percentile(lat, P99)) * MS, 1),
            "req_per_s": round(len(self.latencies) / self.wall_s, 2),
            "tokens_per_s": round(self.completion_tokens / self.wall_s, 1),
            "errors": {k: v for k, v in self.statuses.items() if k != "200"},
            "shed_503": len(self.shed_latencies),
            "shed_p50_ms": round(float(np.percentile(shed, P50)) * MS, 1),
            "shed_p99_ms": round(float(np.percentile(shed, P99)) * MS, 1),
        }


async def run_load(
    url: str,
    clients: int,
    duration_s: float,
    max_requests: int,
    max_tokens: int,
    token: str = "",
    timeout_s: float = 60.0,
    honour_retry_after: bool = True,
    transport: Any = None,
) -> LoadResult:
    """``clients`` tasks POST ``/v1/chat/completions`` back to back until ``duration_s`` or ``max_requests``;
    after a 503 a client first sleeps its ``Retry-After`` seconds (cut at the deadline) when
    ``honour_retry_after``. ``transport``: an httpx transport instead of the network (tests)."""
    import httpx

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {"model": "", "messages": [{"role": "user", "content": PROMPT}], "max_tokens": max_tokens}
    result = LoadResult(clients=clients, wall_s=0.0)
    sent = 0
    start = time.perf_counter()
    deadline = start + duration_s

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal sent
        while time.perf_counter() < deadline and sent < max_requests:
            sent += 1
            t0 = time.perf_counter()
            try:
                r = await http.post(url.rstrip("/") + "/v1/chat/completions", json=body, headers=headers)
                status = str(r.status_code)
            except httpx.HTTPError:
                status = CONNECT_ERROR
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if status == "503":
                result.shed_latencies.append(time.perf_counter() - t0)
                if honour_retry_after:
                    wait = retry_after_s(r.headers.get("retry-after", ""))
                    await asyncio.sleep(max(0.0, min(wait, deadline - time.perf_counter())))
            if status == "200":
                result.latencies.append(time.perf_counter() - t0)
                result.completion_tokens += int(r.json()["usage"]["completion_tokens"])

    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(timeout=timeout_s, limits=limits, transport=transport) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    result.wall_s = time.perf_counter() - start
    return result


def retry_after_s(value: str) -> float:
    """Seconds in a ``Retry-After`` header given as delay-seconds (0 when absent or an HTTP date)."""
    try:
        return max(0.0, float(value))
    except ValueError:
        return 0.0


def format_table(summary: dict[str, Any]) -> str:
    """A two-column text table of :meth:`LoadResult.summary`."""
    rows = [(k, str(v)) for k, v in summary.items()]
    width = max(len(k) for k, _ in rows)
    line = "-" * (width + 30)
    return "\n".join([line, *(f"{k:<{width}}  {v}" for k, v in rows), line])


def main(argv: list[str] | None = None) -> int:
    """Parse args, optionally start Serve from the profile, run the load, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", default="configs/local.yaml")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--url", default="", help="a running server; empty = start one from --config")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds")
    parser.add_argument("--max-requests", type=int, default=2000)
    parser.add_argument("--max-tokens", type=int, default=16)
    parser.add_argument(
        "--honour-retry-after",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="after a 503 a client waits its Retry-After seconds (default on)",
    )
    parser.add_argument("--quick", action="store_true", help=f"small run: {QUICK}")
    args = parser.parse_args(argv)
    if args.quick:
        for key, value in QUICK.items():
            setattr(args, key, value)

    from songsage.config import load_config

    cfg = load_config(args.config, args.overrides)
    token = os.environ.get(cfg.serve.auth_token_env, "") if cfg.serve.auth_token_env else ""
    started = False
    if not args.url:
        from songsage.raysession import init_ray
        from songsage.serve.app import base_url, start, wait_ready

        init_ray(cfg.ray)
        t0 = time.perf_counter()
        start(cfg)
        wait_ready(cfg)
        print(f"serve ready in {time.perf_counter() - t0:.1f} s")
        args.url, started = base_url(cfg), True
    try:
        res = asyncio.run(
            run_load(
                args.url,
                args.clients,
                args.duration,
                args.max_requests,
                args.max_tokens,
                token,
                cfg.serve.request_timeout_s,
                args.honour_retry_after,
            )
        )
    finally:
        if started:
            from songsage.serve.app import stop

            stop(cfg)
    print(
        f"serve load: {args.clients} clients x {args.duration} s, max_tokens {args.max_tokens}, "
        f"Retry-After {'honoured' if args.honour_retry_after else 'ignored'}, {args.url}"
    )
    print(format_table(res.summary()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
