"""Config section for Ray Tune sweeps (``jobs/sweep.py``).

``space`` maps a dotted config key to a distribution, e.g.::

    sweep:
      stage: pretrain
      num_samples: 4
      space:
        pretrain.lr: {loguniform: [1.0e-4, 1.0e-2]}
        pretrain.warmup_ratio: {uniform: [0.0, 0.2]}
        pretrain.per_device_batch: {choice: [2, 4]}

Kinds: ``uniform``/``loguniform`` ``[low, high]`` (float keys), ``randint`` ``[low, high)`` (int keys),
``choice`` ``[v1, v2, ...]`` (any key), ``grid`` ``[v1, ...]`` (every value, ``num_samples`` times each;
random search only). Keys and values are checked against the typed config before any trial starts
(:mod:`songsage.tune.space`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from songsage.config.loader import ConfigError

STAGES = ("pretrain", "sft", "dpo")


@dataclass
class SweepConfig:
    """A hyperparameter sweep over one training stage: each trial is that stage's own Ray Train run."""

    # Stage whose job each trial runs (jobs/sweep.py --stage overrides it).
    stage: str = "pretrain"
    # Dotted config key -> {kind: args} (see the module docstring).
    space: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Configurations tried first, in order ({dotted key: value}; keys of ``space``), then sampled ones.
    points: list[dict[str, Any]] = field(default_factory=list)
    # Trials sampled from the space (with ``grid`` keys: repeats of the whole grid).
    num_samples: int = 4
    # Metric every trial reports at each evaluation; '' -> the stage's validation loss (DPO: its loss).
    metric: str = ""
    mode: str = "min"
    # random | tpe (Optuna's TPE; needs optuna) | auto (tpe where optuna is installed, else random).
    search: str = "random"
    # asha (early stopping on the metric, in optimizer steps) | none.
    scheduler: str = "asha"
    # ASHA: steps before a trial can be stopped, and the keep-1-in-N rate per rung.
    grace_period: int = 1
    reduction_factor: int = 2
    # ASHA's horizon in steps; 0 -> the stage's max_steps (else 100).
    max_t: int = 0
    # Trials at once; 0 -> what the cluster fits (see songsage.tune.sweep.max_concurrent).
    max_concurrent_trials: int = 0
    # CPUs held by each trial's driver (the Tune function that builds and fits the TorchTrainer).
    trial_cpus: float = 0.1
    # CPUs kept free on the cluster for Ray Data (reads, tokenization) while trials train.
    data_cpus: float = 1.0
    # Tune storage (experiment state, for resume); local dir or s3://...; '' -> <output.dir>/tune.
    storage_path: str = ""
    # Experiment name under storage; '' -> sweep-<stage>-<run.name>.
    name: str = ""
    # End this invocation after this many trials have finished (time-boxed runs); rerunning the same
    # command restores the sweep and runs the rest. 0 = run to the end.
    stop_after_trials: int = 0
    # Seed of the search algorithm (sampled values are reproducible); None -> run.seed.
    seed: int | None = None

    def validate(self, prefix: str) -> None:
        if self.stage not in STAGES:
            raise ConfigError(f"{prefix}.stage: one of {', '.join(STAGES)}; got {self.stage!r}")
        if self.mode not in ("min", "max"):
            raise ConfigError(f"{prefix}.mode: min or max, got {self.mode!r}")
        if self.search not in ("random", "tpe", "auto"):
            raise ConfigError(f"{prefix}.search: one of random, tpe, auto; got {self.search!r}")
        if self.scheduler not in ("asha", "none"):
            raise ConfigError(f"{prefix}.scheduler: asha or none, got {self.scheduler!r}")
        for key in ("num_samples", "grace_period"):
            if getattr(self, key) < 1:
                raise ConfigError(f"{prefix}.{key}: must be >= 1, got {getattr(self, key)}")
        if self.reduction_factor < 2:
            raise ConfigError(f"{prefix}.reduction_factor: must be >= 2, got {self.reduction_factor}")
        for key in ("max_t", "max_concurrent_trials", "stop_after_trials"):
            if getattr(self, key) < 0:
                raise ConfigError(f"{prefix}.{key}: must be >= 0")
        if self.trial_cpus <= 0 or self.data_cpus < 0:
            raise ConfigError(f"{prefix}.trial_cpus must be > 0 and {prefix}.data_cpus >= 0")
