"""Latency-bound admission for generation requests (the ingress sheds what it cannot serve in time).

A request costs its ``max_tokens`` (token units, the unit clients bound). The controller measures the
service rate (cost units completed per second of busy time, both summed with exponential decay over
the last ~``window_s`` busy seconds, so a batch whose requests finish at the same instant counts right) and admits a request only if the expected completion of everything
admitted plus this one, ``(outstanding + cost) / rate``, stays within ``latency_bound_s``. Otherwise
the caller answers 503 at once with ``retry_after_s``. Before the first measurement it admits up to
``warmup_requests`` at a time; with nothing outstanding it always admits (so the rate can recover).
Single event loop (the ingress): no locks. Times are seconds from ``clock``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Decision:
    """``admitted``; ``expected_s`` (None before any measurement); ``retry_after_s`` (>= 1) when refused."""

    admitted: bool
    expected_s: float | None
    retry_after_s: int = 0


class AdmissionController:
    """Admit while expected completion <= ``latency_bound_s`` (0 = admit everything)."""

    def __init__(
        self,
        latency_bound_s: float,
        warmup_requests: int,
        window_s: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bound, self.warmup, self.window_s, self.clock = latency_bound_s, warmup_requests, window_s, clock
        self.inflight = 0
        self.outstanding = 0.0
        self._busy = 0.0
        self._last = clock()
        self._cost_sum = 0.0
        self._busy_sum = 0.0

    @property
    def rate(self) -> float | None:
        """Measured cost units per busy second (None before the first completion)."""
        if self._cost_sum <= 0 or self._busy_sum <= 0:
            return None
        return self._cost_sum / self._busy_sum

    def _advance(self) -> None:
        now = self.clock()
        if self.inflight:
            self._busy += now - self._last
        self._last = now

    def expected_s(self, cost: float) -> float | None:
        """Seconds until everything admitted plus ``cost`` is done, at the measured rate."""
        rate = self.rate
        return None if rate is None else (self.outstanding + cost) / rate

    def try_admit(self, cost: float) -> Decision:
        """Admit (and account) a request of ``cost`` units, or refuse it."""
        expected = self.expected_s(cost)
        if self.bound > 0 and self.inflight > 0:
            if expected is None and self.inflight >= self.warmup:
                return Decision(False, None, 1)
            if expected is not None and expected > self.bound:
                return Decision(False, expected, max(1, math.ceil(expected - self.bound)))
        self._advance()
        self.inflight += 1
        self.outstanding += cost
        return Decision(True, expected)

    def release(self, cost: float, served: bool = True) -> None:
        """A request admitted with ``cost`` ended; ``served``: it completed (counts toward the rate)."""
        self._advance()
        self.inflight -= 1
        self.outstanding -= cost
        if served:
            decay = math.exp(-self._busy / self.window_s)
            self._cost_sum = self._cost_sum * decay + cost
            self._busy_sum = self._busy_sum * decay + self._busy
            self._busy = 0.0
