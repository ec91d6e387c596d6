"""Latency-bound admission for generation requests (the ingress sheds what it cannot serve in time).

A request costs its ``max_tokens`` (token units, the unit clients bound). The controller measures the
service rate (cost units completed per second of busy time, both summed with exponential decay over
the last ~``window_s`` busy seconds, so a batch whose requests finish at the same instant counts
right) and admits a request only if the expected completion of everything admitted plus this one,
``(outstanding + cost) / rate``, stays within ``latency_bound_s``. Otherwise the caller answers 503 at
once with ``retry_after_s``. Before the first measurement it admits one request at a time (nothing
bounds the latency of work admitted without a rate); with nothing in flight it always admits (so the
rate can recover). Each admission is an :class:`Admission` with an idempotent ``release``, tied to the
request's asyncio task (:meth:`Admission.release_with_current_task`) so it is returned however the
request ends. Single event loop (the ingress): no locks. Times are seconds from ``clock``.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass


class Admission:
    """One admitted request's hold on its controller: ``cost`` units until :meth:`release`.

    ``served``: set by the caller once the request completed, so its cost and busy time count toward
    the rate when released (an abandoned or failed request's do not).
    """

    def __init__(self, controller: AdmissionController, cost: float) -> None:
        self.controller, self.cost = controller, cost
        self.served = False
        self.released = False

    def release(self) -> None:
        """Return the hold to the controller; only the first call counts."""
        if self.released:
            return
        self.released = True
        self.controller.release(self.cost, self.served)

    def release_with_current_task(self) -> None:
        """Release when the running asyncio task ends, however it ends (returned, raised or cancelled:
        a task's done callbacks always run). Raises RuntimeError outside a task."""
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("Admission.release_with_current_task: no running asyncio task")
        task.add_done_callback(lambda _task: self.release())


@dataclass
class Decision:
    """``admitted`` (then ``admission`` holds it); ``expected_s`` (None before any measurement);
    ``retry_after_s`` (>= 1) when refused."""

    admitted: bool
    expected_s: float | None
    retry_after_s: int = 0
    admission: Admission | None = None


class AdmissionController:
    """Admit while expected completion <= ``latency_bound_s`` (0 = admit everything)."""

    def __init__(
        self,
        latency_bound_s: float,
        window_s: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bound, self.window_s, self.clock = latency_bound_s, window_s, clock
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
            if expected is None:
                return Decision(False, None, 1)
            if expected > self.bound:
                return Decision(False, expected, max(1, math.ceil(expected - self.bound)))
        self._advance()
        self.inflight += 1
        self.outstanding += cost
        return Decision(True, expected, admission=Admission(self, cost))

    def release(self, cost: float, served: bool = True) -> None:
        """A request admitted with ``cost`` ended; ``served``: it completed (counts toward the rate).
        Callers hold an :class:`Admission` and call its idempotent ``release`` instead."""
        self._advance()
        self.inflight -= 1
        self.outstanding -= cost
        if served:
            decay = math.exp(-self._busy / self.window_s)
            self._cost_sum = self._cost_sum * decay + cost
            self._busy_sum = self._busy_sum * decay + self._busy
            self._busy = 0.0
