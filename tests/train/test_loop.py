"""The shared step / eval / checkpoint skeleton (train/loop.py) without Ray: cadences, resume, short epochs."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

import songsage.train.loop as loop
from songsage.train.loop import Schedule, Stage, run_steps


class Tracker:
    def __init__(self) -> None:
        self.logged: list[tuple[int, dict[str, float]]] = []

    def log_metrics(self, metrics: dict[str, float], step: int) -> None:
        self.logged.append((step, dict(metrics)))


def _engine() -> Any:
    return SimpleNamespace(
        optimizer=SimpleNamespace(param_groups=[{"lr": 0.5}]), get_global_grad_norm=lambda: 2.0
    )


REPORTED: list[tuple[int, dict[str, float]]] = []


def _run(
    monkeypatch: pytest.MonkeyPatch,
    state: dict[str, Any],
    stop: int,
    rows: int = 8,
    checkpoint_every: int = 2,
    report_evals: bool = False,
) -> tuple[list[list[Any]], list[list[float]], dict[str, float], list[int], list[int]]:
    saved: list[int] = []
    monkeypatch.setattr(loop, "save_checkpoint", lambda e, s, m, r: saved.append(s["global_step"]))
    REPORTED.clear()
    monkeypatch.setattr(loop, "report_evaluation", lambda step, m: REPORTED.append((step, dict(m))))
    windows: list[list[Any]] = []
    evals: list[int] = []

    def train_step(window: list[Any], t0: float) -> dict[str, float]:
        windows.append(list(window))
        return {"loss": float(sum(window))}

    def evaluate() -> dict[str, float]:
        evals.append(state["global_step"])
        return {"eval_loss": 1.0}

    plan = Schedule(
        total_steps=6,
        stop=stop,
        steps_per_epoch=3,
        grad_accum=2,
        eval_every=2,
        log_every=1,
        checkpoint_every=checkpoint_every,
        eval_on_stop=False,
        report_evals=report_evals,
    )
    stage = Stage(
        "t", lambda epoch: [epoch * 100 + i for i in range(rows)], train_step, evaluate, lambda s, m: ""
    )
    history, last, held_out = run_steps(_engine(), state, plan, stage, Tracker(), rank=1)
    return windows, history, {**last, **held_out}, saved, evals


def test_steps_group_accumulation_and_follow_the_cadences(monkeypatch: pytest.MonkeyPatch) -> None:
    state = {"global_step": 0, "epoch": 0, "micro_in_epoch": 0}
    windows, history, last, saved, evals = _run(monkeypatch, state, stop=6)
    # 3 steps of 2 micro-batches per epoch (the epoch's 7th and 8th rows are left), then epoch 1.
    assert windows == [[0, 1], [2, 3], [4, 5], [100, 101], [102, 103], [104, 105]]
    assert [h[0] for h in history] == [1, 2, 3, 4, 5, 6] and history[0][1] == 1.0
    assert saved == [2, 4] and evals == [2, 4, 6]  # the final checkpoint is finish()'s
    assert last["lr"] == 0.5 and last["grad_norm"] == 2.0 and last["epoch"] == 1.0
    assert state == {"global_step": 6, "epoch": 1, "micro_in_epoch": 6}


def test_resume_skips_consumed_micro_batches_and_stop_is_early(monkeypatch: pytest.MonkeyPatch) -> None:
    state = {"global_step": 1, "epoch": 0, "micro_in_epoch": 2}
    windows, history, _, saved, evals = _run(monkeypatch, state, stop=3)
    assert windows == [[2, 3], [4, 5]] and [h[0] for h in history] == [2, 3]
    assert saved == [2] and evals == [2]  # stopped at 3 < total 6: no end-of-run evaluation


def test_short_epoch_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(RuntimeError, match="got 4 micro-batches in epoch 0, expected 6"):
        _run(monkeypatch, {"global_step": 0, "epoch": 0, "micro_in_epoch": 0}, stop=6, rows=4)


@pytest.mark.parametrize("report_evals", [False, True])
def test_a_sweep_trial_reports_each_evaluation_without_a_checkpoint(
    monkeypatch: pytest.MonkeyPatch, report_evals: bool
) -> None:
    state = {"global_step": 0, "epoch": 0, "micro_in_epoch": 0}
    _, _, _, saved, evals = _run(monkeypatch, state, stop=6, checkpoint_every=4, report_evals=report_evals)
    assert evals == [2, 4, 6] and saved == [4]
    # Step 4's evaluation rides on its checkpoint and step 6's on finish()'s report: only step 2 is reported alone.
    assert [(step, m["eval_loss"], m["loss"]) for step, m in REPORTED] == (
        [(2, 1.0, 5.0)] if report_evals else []
    )
