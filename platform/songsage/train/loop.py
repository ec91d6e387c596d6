"""The step / eval / checkpoint skeleton every training worker loop runs (pretraining, LoRA SFT, DPO).

:func:`run_steps` walks epochs of a worker's micro-batches, skips those consumed before the checkpoint it
resumed from, hands each optimizer step's ``grad_accum`` micro-batches to the stage's ``train_step``, and does
what is the same for every stage: step counting, lr and grad norm, held-out evaluation every ``eval_every``
steps, rank-0 metrics and console line every ``log_every`` steps, a checkpoint every ``checkpoint_every``
steps (the last one is :func:`finish`'s), and the check that an epoch had all its micro-batches.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from songsage.train.launcher import WorkerTracker, report_evaluation, save_checkpoint


@dataclass
class Schedule:
    """How far and how often: ``total_steps`` of the run, ``stop`` of this invocation (``stop_at_step``),
    ``steps_per_epoch``, ``grad_accum`` micro-batches per step, ``eval_every`` / ``log_every`` /
    ``checkpoint_every`` in optimizer steps; ``eval_on_stop``: also evaluate when this invocation stops early
    (else only at ``total_steps``); ``report_evals``: report every held-out evaluation to Ray Train even
    without a checkpoint (a sweep trial: ASHA decides at evaluations)."""

    total_steps: int
    stop: int
    steps_per_epoch: int
    grad_accum: int
    eval_every: int
    log_every: int
    checkpoint_every: int
    eval_on_stop: bool
    report_evals: bool = False


@dataclass
class Stage:
    """What a stage plugs into the skeleton.

    ``name``: the console prefix; ``batches(epoch)``: this worker's micro-batches of an epoch, in order;
    ``train_step(micro_batches, t0)``: forward/backward/step of one optimizer step (``t0``: when the step's
    data started), returns the step's cross-worker metrics, ``loss`` among them; ``evaluate()``: held-out
    metrics (collective), or None without a held-out split; ``line(step, metrics)``: rank 0's console line;
    ``short_epoch``: the exception raised when an epoch runs out of micro-batches.
    """

    name: str
    batches: Callable[[int], Iterable[Any]]
    train_step: Callable[[list[Any], float], dict[str, float]]
    evaluate: Callable[[], dict[str, float]] | None
    line: Callable[[int, dict[str, float]], str]
    short_epoch: type[Exception] = RuntimeError


def run_steps(
    engine: Any, state: dict[str, Any], plan: Schedule, stage: Stage, tracker: WorkerTracker, rank: int
) -> tuple[list[list[float]], dict[str, float], dict[str, float]]:
    """Train from ``state`` (``global_step``, ``epoch``, ``micro_in_epoch``; updated in place) to
    ``plan.stop``. Returns (history ``[[step, loss], ...]``, the last step's metrics, the last held-out
    metrics, empty when none ran)."""
    history: list[list[float]] = []
    last: dict[str, float] = {}
    held_out: dict[str, float] = {}
    micro_per_epoch = plan.steps_per_epoch * plan.grad_accum
    done = state["global_step"] >= plan.stop
    while not done:
        epoch = state["epoch"]
        micro, window, t0 = 0, [], time.perf_counter()
        for batch in stage.batches(epoch):
            if micro >= micro_per_epoch:
                break
            micro += 1
            if micro <= state["micro_in_epoch"]:  # consumed before the checkpoint we resumed from
                t0 = time.perf_counter()
                continue
            window.append(batch)
            if len(window) < plan.grad_accum:
                continue
            lr = engine.optimizer.param_groups[0]["lr"]
            metrics = stage.train_step(window, t0)
            window = []
            state["micro_in_epoch"] = micro
            state["global_step"] += 1
            step = state["global_step"]
            last = {
                **metrics,
                "lr": lr,
                "grad_norm": float(engine.get_global_grad_norm() or 0.0),
                "epoch": float(epoch),
            }
            history.append([float(step), last["loss"]])
            done = step >= plan.stop
            now: dict[str, float] = {}  # held-out metrics of this step, if it evaluated
            if stage.evaluate is not None and (
                step % plan.eval_every == 0 or (done and (plan.eval_on_stop or step == plan.total_steps))
            ):
                held_out = now = stage.evaluate()
                tracker.log_metrics(now, step=step)
            if step % plan.log_every == 0 or done:
                tracker.log_metrics(last, step=step)
                if rank == 0:
                    print(stage.line(step, {**last, **now}), flush=True)
            if step % plan.checkpoint_every == 0 and not done:  # the last one is finish()'s
                save_checkpoint(engine, dict(state), {"step": step, **last, **now}, rank)
            elif now and plan.report_evals and not done:  # the end's report is finish()'s
                report_evaluation(step, {**last, **now})
            t0 = time.perf_counter()
            if done:
                break
        if done:
            break
        if micro < micro_per_epoch:
            raise stage.short_epoch(
                f"worker {rank} got {micro} micro-batches in epoch {epoch}, expected {micro_per_epoch}"
            )
        state["epoch"] += 1
        state["micro_in_epoch"] = 0
    return history, last, held_out


def finish(
    engine: Any, state: dict[str, Any], final: dict[str, Any], history: list[list[float]], rank: int
) -> None:
    """Report the invocation's summary: with the end-of-invocation checkpoint when it trained (Ray's
    ``Result.metrics``), alone otherwise. Collective."""
    from ray import train as ray_train

    if history:
        save_checkpoint(engine, dict(state), {**final, "history": history}, rank)
    else:
        ray_train.report({**final, "history": history})
