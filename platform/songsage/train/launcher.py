"""The one Ray Train entry for every training stage (pretraining now; SFT and DPO reuse it).

Driver side, :func:`launch` builds a ``TorchTrainer`` (Ray Train V2) around a stage's worker loop with:
the DeepSpeed config from the run config, a stable run name + storage path (a resubmitted job restores
the latest checkpoint), ``CheckpointConfig(num_to_keep)``, ``FailureConfig(max_failures)`` and Ray
Datasets streamed to workers (``ray.train.get_dataset_shard``; order preserved; an equal split per
worker, or the whole ordered stream when the stage slices global batches itself).

Worker side, the helpers here do what every loop needs: DeepSpeed initialisation (torch AdamW on CPU,
DeepSpeed's AdamW on GPUs; warmup + cosine/linear/constant schedule), checkpoint save/restore (model,
optimizer, scheduler, per-rank RNG states and the loop's data position), rank-0 MLflow logging into the
driver's run, cross-worker averages and the final ``save_pretrained``.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from songsage.config import Config, build
from songsage.config.paths import is_uri, join
from songsage.config.train import PretrainConfig
from songsage.storage import scratch_dir, staged_dir
from songsage.tracking import Tracker

CHECKPOINT_TAG = "ds"
STATE_FILE = "train_state.json"
RNG_FILE = "rng_rank{rank}.pt"


class LaunchError(RuntimeError):
    """Training cannot start (devices, resources) or the Ray Train run failed."""


# --------------------------------------------------------------------------------------------- driver
@dataclass
class LaunchSpec:
    """A stage's request to :func:`launch`.

    ``job``: stage name (run name ``<job>-<run.name>``); ``loop``: an importable worker function taking
    the loop config dict; ``loop_config``: extra entries for it (``cfg``, ``ds_config`` and ``tracking`` are
    added); ``datasets``: Ray Datasets by name; ``train``: the section with workers/devices/checkpointing;
    ``storage_path``: Ray Train storage (local dir or URI); ``split``: give each worker an equal share of the
    datasets (Ray's streaming split) instead of the whole ordered stream.
    """

    job: str
    loop: Callable[[dict[str, Any]], None]
    loop_config: dict[str, Any]
    datasets: dict[str, Any]
    train: PretrainConfig
    storage_path: str
    split: bool = True


def check_devices(train: PretrainConfig, section: str = "pretrain") -> None:
    """Raise :class:`LaunchError` when ``<section>.use_gpu`` asks for GPUs the Ray cluster does not have."""
    if not train.use_gpu:
        return
    import ray

    gpus = int(ray.cluster_resources().get("GPU", 0))
    if gpus < train.num_workers:
        raise LaunchError(
            f"{section}.use_gpu is true with {train.num_workers} workers but the Ray cluster has {gpus} GPU(s); "
            f"run on a GPU cluster or set {section}.use_gpu=false (CPU DeepSpeed over gloo)"
        )


# Train callbacks added by :func:`reporting_to` (a Tune trial); empty for a plain job.
_RUN_CALLBACKS: list[Any] = []


@contextmanager
def reporting_to(callbacks: list[Any]) -> Iterator[None]:
    """Within the block, :func:`launch` adds ``callbacks`` (e.g. Tune's report callback) to the Train run and
    the worker loops report their metrics at every evaluation (``eval_every``), not only at checkpoints."""
    _RUN_CALLBACKS[:] = callbacks
    try:
        yield
    finally:
        _RUN_CALLBACKS.clear()


def report_evaluation(step: int, metrics: dict[str, float]) -> None:
    """Worker side: report ``metrics`` of an evaluation at ``step`` without a checkpoint, for a sweep trial
    (the loop config's ``report_evals``, see :func:`reporting_to`). Collective: every worker calls it at the
    same step."""
    import ray.train

    ray.train.report({**metrics, "step": float(step)})


def run_name(cfg: Config, job: str) -> str:
    """The stable Ray Train run name: resubmitting with the same name + storage path resumes."""
    return f"{job}-{cfg.run.name}"


def launch(cfg: Config, spec: LaunchSpec, tracker: Tracker) -> Any:
    """Run ``spec.loop`` on ``spec.train.num_workers`` Ray Train workers; return the Ray ``Result``.

    Raises :class:`LaunchError` if the run fails after ``max_failures`` restarts.
    """
    import ray.train
    from ray.data import ExecutionOptions
    from ray.train.torch import TorchTrainer

    from songsage.train.deepspeed_config import build_deepspeed_config

    train = spec.train
    check_devices(train, spec.job)
    ds_config = build_deepspeed_config(train, train.num_workers, train.use_gpu)
    loop_config = {
        **spec.loop_config,
        "cfg": cfg,  # the resolved dataclass tree itself (pickled), so workers see exactly the driver's config
        "ds_config": ds_config,
        "tracking": {"run_id": tracker.run_id, "uri": tracker.uri, "job": spec.job},
        "report_evals": bool(_RUN_CALLBACKS),
    }
    if not is_uri(spec.storage_path):
        Path(spec.storage_path).mkdir(parents=True, exist_ok=True)
    for ds in spec.datasets.values():
        # Workers' dataset iterators draw progress bars that outlive them in the driver's console and redraw
        # around every later print; the per-step logs show training progress. Datasets hold a copy of the
        # DataContext (never touch the global one).
        if ds.context is not ray.data.DataContext.get_current():
            ds.context.enable_progress_bars = False
    trainer = TorchTrainer(
        train_loop_per_worker=spec.loop,
        train_loop_config=loop_config,
        scaling_config=ray.train.ScalingConfig(
            num_workers=train.num_workers,
            use_gpu=train.use_gpu,
            resources_per_worker={"CPU": train.cpus_per_worker, **({"GPU": 1} if train.use_gpu else {})},
        ),
        run_config=ray.train.RunConfig(
            name=run_name(cfg, spec.job),
            storage_path=spec.storage_path,
            checkpoint_config=ray.train.CheckpointConfig(num_to_keep=train.keep_last),
            failure_config=ray.train.FailureConfig(max_failures=train.max_failures),
            callbacks=list(_RUN_CALLBACKS),
        ),
        datasets=spec.datasets,
        dataset_config=ray.train.DataConfig(
            datasets_to_split="all" if spec.split else [],
            execution_options=ExecutionOptions(preserve_order=True),
        ),
    )
    result = trainer.fit()
    if result.error is not None:
        raise LaunchError(f"{spec.job} training failed: {result.error}") from result.error
    return result


# --------------------------------------------------------------------------------------------- worker
@dataclass
class WorkerInfo:
    """Where this worker stands: ``rank``/``world`` in the data-parallel group, torch ``device``."""

    rank: int
    world: int
    device: Any


def worker_info(use_gpu: bool, cpus_per_worker: float) -> WorkerInfo:
    """Rank, world size and device of this Ray Train worker; pins CPU threads to the worker's CPUs."""
    import ray.train
    import torch

    ctx = ray.train.get_context()
    if use_gpu:
        device = ray.train.torch.get_device()
        torch.cuda.set_device(device)
    else:
        device = torch.device("cpu")
        torch.set_num_threads(max(1, round(cpus_per_worker)))
    return WorkerInfo(ctx.get_world_rank(), ctx.get_world_size(), device)


def config_from(loop_config: dict[str, Any]) -> Config:
    """The typed :class:`Config` that the driver resolved (a dict tree is rebuilt and validated)."""
    cfg = loop_config["cfg"]
    return cfg if isinstance(cfg, Config) else build(Config, cfg)


class WorkerTracker(Tracker):
    """A :class:`Tracker` that logs into the driver's MLflow run (rank 0 only; others are no-ops)."""

    def __init__(self, cfg: Config, tracking: dict[str, Any], rank: int) -> None:
        super().__init__(cfg, tracking["job"], rank=rank)
        self.active = self.active and bool(tracking.get("run_id"))
        self.run_id = tracking.get("run_id")
        self.uri = tracking.get("uri")

    def __enter__(self) -> WorkerTracker:
        if self.active:
            import mlflow

            self._mlflow = mlflow
            mlflow.set_tracking_uri(self.uri)
            mlflow.start_run(run_id=self.run_id)
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        # The driver owns the run's final status; only detach this process from it.
        if self._mlflow is not None and self._mlflow.active_run() is not None:
            self._mlflow.end_run(status="FAILED" if exc_type else "RUNNING")


def lr_factor(step: int, total_steps: int, warmup_steps: int, kind: str, min_ratio: float) -> float:
    """LR multiplier at optimizer step ``step`` (0-based): linear warmup, then cosine/linear decay to
    ``min_ratio`` at ``total_steps`` (or constant)."""
    if warmup_steps > 0 and step < warmup_steps:
        return (step + 1) / warmup_steps
    if kind == "constant":
        return 1.0
    progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
    decay = 0.5 * (1.0 + math.cos(math.pi * progress)) if kind == "cosine" else 1.0 - progress
    return min_ratio + (1.0 - min_ratio) * decay


def param_groups(model: Any, weight_decay: float) -> list[dict[str, Any]]:
    """AdamW groups: decay on matrices, none on biases and norm weights (1-D parameters)."""
    decay, no_decay = [], []
    for _, p in model.named_parameters():
        if not p.requires_grad:
            continue
        (no_decay if p.ndim < 2 else decay).append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def setup_deepspeed(
    model: Any, ds_config: dict[str, Any], train: PretrainConfig, total_steps: int
) -> tuple[Any, Any]:
    """``deepspeed.initialize`` with the run's optimizer and schedule.

    Inputs: the model, the DeepSpeed dict from :func:`~songsage.train.deepspeed_config.build_deepspeed_config`,
    the train section and the schedule length in optimizer steps. Output: (engine, lr scheduler). On CPU a
    ``torch.optim.AdamW`` is passed (no op JIT); on GPUs DeepSpeed builds its fused AdamW from ``ds_config``.
    """
    import deepspeed
    import torch

    warmup = int(math.ceil(train.warmup_ratio * total_steps))

    def schedule(optimizer: Any) -> Any:
        return torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda s: lr_factor(s, total_steps, warmup, train.lr_scheduler, train.min_lr_ratio)
        )

    groups = param_groups(model, train.weight_decay)
    optimizer = None
    if "optimizer" not in ds_config:
        optimizer = torch.optim.AdamW(
            groups, lr=train.lr, betas=(train.adam_beta1, train.adam_beta2), eps=train.adam_eps
        )
    engine, _, _, scheduler = deepspeed.initialize(
        model=model, model_parameters=groups, optimizer=optimizer, lr_scheduler=schedule, config=ds_config
    )
    return engine, scheduler


def _rng_state() -> dict[str, Any]:
    import torch

    state = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_rng_state(state: dict[str, Any]) -> None:
    import torch

    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def has_frozen_parameters(engine: Any) -> bool:
    """True when some of the engine's module parameters do not train (LoRA: the base model)."""
    return any(not p.requires_grad for p in engine.module.parameters())


def save_checkpoint(engine: Any, state: dict[str, Any], metrics: dict[str, Any], rank: int) -> None:
    """Save a DeepSpeed checkpoint (model, optimizer, scheduler) + RNG + ``state`` (data position) and report
    it to Ray Train, which merges every worker's files into ``checkpoint_step_<n>`` under storage.

    Frozen parameters (a LoRA run's base model) are left out: the run reloads them from the base at start,
    and they were ~94% of a SmolLM2-135M LoRA checkpoint (577 MB of 694 MB). Collective: every worker must
    call it at the same step.
    """
    import ray.train
    import torch

    tmp = scratch_dir("ckpt-")
    try:
        engine.save_checkpoint(
            tmp,
            tag=CHECKPOINT_TAG,
            client_state={"train_state": state},
            exclude_frozen_parameters=has_frozen_parameters(engine),
        )
        torch.save(_rng_state(), os.path.join(tmp, RNG_FILE.format(rank=rank)))
        if rank == 0:
            Path(tmp, STATE_FILE).write_text(json.dumps(state), encoding="utf-8")
        ray.train.report(
            metrics,
            checkpoint=ray.train.Checkpoint.from_directory(tmp),
            checkpoint_dir_name=f"checkpoint_step_{state['global_step']:08d}",
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def restore_checkpoint(engine: Any, rank: int) -> dict[str, Any] | None:
    """Load the latest Ray Train checkpoint (after a worker failure or a resubmitted run) into ``engine``
    and this rank's RNG; return the saved loop state (data position), or None on a fresh start."""
    import ray.train
    import torch

    checkpoint = ray.train.get_checkpoint()
    if checkpoint is None:
        return None
    with checkpoint.as_directory() as path:
        engine.load_checkpoint(
            path,
            tag=CHECKPOINT_TAG,
            load_module_strict=not has_frozen_parameters(engine),
            load_optimizer_states=True,
            load_lr_scheduler_states=True,
        )
        state = json.loads(Path(path, STATE_FILE).read_text(encoding="utf-8"))
        rng_path = Path(path, RNG_FILE.format(rank=rank))
        if rng_path.exists():
            _set_rng_state(torch.load(rng_path, weights_only=False))
    return state


def all_reduce_sum(values: list[float], device: Any) -> list[float]:
    """Element-wise sum of ``values`` over all workers (float64)."""
    import torch
    import torch.distributed as dist

    t = torch.tensor(values, dtype=torch.float64, device=device)
    if dist.is_available() and dist.is_initialized():
        dist.all_reduce(t, op=dist.ReduceOp.SUM)
    return t.tolist()


def save_final_model(
    engine: Any, tokenizer: Any, out_dir: str, zero_stage: int, rank: int, log_to: WorkerTracker | None = None
) -> str:
    """``save_pretrained`` the trained model (+ tokenizer) to ``out_dir`` (local, or a URI: staged in the node
    cache and uploaded) and log the files to ``log_to``'s run as artifacts ``model/``. ZeRO-3 weights are
    gathered on rank 0 first (collective). Returns ``out_dir`` on rank 0 ("" elsewhere)."""
    state_dict = engine._zero3_consolidated_16bit_state_dict() if zero_stage == 3 else None
    if rank != 0:
        return ""
    with staged_dir(out_dir) as local:
        if state_dict is not None:
            engine.module.save_pretrained(local, state_dict=state_dict)
        else:
            engine.module.save_pretrained(local)
        tokenizer.save_pretrained(local)
        if log_to is not None:
            log_to.log_artifacts(local, "model")
    return out_dir


def destroy_process_group() -> None:
    """Tear down torch.distributed at the end of a worker loop (DeepSpeed offload runs abort without it)."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def storage_path(train: PretrainConfig, out_dir: str) -> str:
    """``pretrain.storage_path`` or ``<output.dir>/ray``."""
    from songsage.config.paths import resolve_path

    return resolve_path(train.storage_path) if train.storage_path else join(out_dir, "ray")
