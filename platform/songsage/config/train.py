"""Config sections for models and training stages (model registry, pretraining).

Defaults reproduce the paper's Table 7 (continual pretraining of Qwen2.5-7B): AdamW, lr 3e-5,
cosine schedule, warmup 3 %, weight decay 0.1, clipping 1.0, per-device batch 8, gradient
accumulation 8, sequence length 2048, one epoch, bf16, DeepSpeed ZeRO. Profiles shrink them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from songsage.config.loader import ConfigError


@dataclass
class TinyModelConfig:
    """Architecture of the named tiny Qwen2 model (``tiny-qwen2``), random init; vocab as Qwen2.5."""

    hidden_size: int = 128
    num_layers: int = 2
    num_heads: int = 4
    num_kv_heads: int = 2
    intermediate_size: int = 512
    # Embedding rows of the Qwen2.5 family (the tokenizer has 151,665 ids; the rest is padding).
    vocab_size: int = 151936
    max_position_embeddings: int = 4096
    rope_theta: float = 1000000.0
    tie_embeddings: bool = True


@dataclass
class ModelConfig:
    """Which causal LM: a registry name (see :mod:`songsage.models.registry`) or a model dir / hub id."""

    name_or_path: str = "tiny-qwen2"
    trust_remote_code: bool = False
    # "sdpa" (PyTorch scaled-dot-product attention), "eager", or "flash_attention_2" where installed.
    attn_implementation: str = "sdpa"
    tiny: TinyModelConfig = field(default_factory=TinyModelConfig)


@dataclass
class DeepSpeedConfig:
    """DeepSpeed ZeRO set-up. Batch, accumulation, clipping, precision and optimizer are always filled
    from the pretrain section (a template value that disagrees is an error)."""

    stage: int = 2
    # JSON/YAML template; empty -> configs/deepspeed/zero<stage>.json.
    template: str = ""
    # ZeRO-Offload of optimizer states to CPU memory (GPU runs that are short of memory).
    offload_optimizer: bool = False

    def validate(self, prefix: str) -> None:
        if self.stage not in (2, 3):
            raise ConfigError(f"{prefix}.stage: ZeRO stage must be 2 or 3, got {self.stage}")


@dataclass
class PretrainConfig:
    """Continual pretraining on packed shards (Ray Train + DeepSpeed)."""

    # Optimizer (AdamW) and schedule.
    lr: float = 3e-5
    min_lr_ratio: float = 0.0
    lr_scheduler: str = "cosine"
    warmup_ratio: float = 0.03
    weight_decay: float = 0.1
    adam_beta1: float = 0.9
    adam_beta2: float = 0.95
    adam_eps: float = 1e-8
    grad_clip: float = 1.0
    # Batch geometry: tokens per optimizer step = per_device_batch * grad_accum * num_workers * seq_len.
    per_device_batch: int = 8
    grad_accum: int = 8
    seq_len: int = 2048
    epochs: int = 1
    # Optimizer steps the schedule spans; 0 -> derived from epochs and the number of training rows.
    max_steps: int = 0
    # Stop this invocation after this many optimizer steps (time-boxed or pre-empted runs; the schedule
    # still spans max_steps, and a resubmission resumes). 0 = run to the end.
    stop_at_step: int = 0
    # Shards with at most this many rows are read once into Ray's object store (fast epochs and evals on
    # small data); larger ones stream from storage every epoch.
    materialize_max_rows: int = 0
    # True: every worker streams the same file-ordered rows and takes its slice of each global batch, so
    # the data order (and a resumed loss curve) is reproducible exactly; each worker reads all rows.
    # False: Ray Data's dynamic equal split (each row read once; assignment depends on timing).
    deterministic_data: bool = True
    # Rows streamed through the per-worker local shuffle buffer (seeded per epoch); 0 = file order.
    shuffle_buffer_rows: int = 0
    # Workers and devices.
    num_workers: int = 16
    use_gpu: bool = True
    # Ray CPUs per training worker; below 1 leaves CPUs for Ray Data on small machines.
    cpus_per_worker: float = 1.0
    bf16: bool = True
    grad_checkpointing: bool = False
    deepspeed: DeepSpeedConfig = field(default_factory=DeepSpeedConfig)
    # Checkpoints, failures, evaluation, logging.
    checkpoint_every: int = 500
    keep_last: int = 3
    max_failures: int = 3
    eval_every: int = 500
    # Share of packed rows held out for eval (deterministic hash of each row's tokens).
    eval_fraction: float = 0.005
    # Cap on eval micro-batches per worker per evaluation; 0 = the whole held-out split.
    eval_max_batches: int = 0
    log_every: int = 1
    # Peak FLOP/s of one device for the MFU estimate; 0 -> by device (cpu_peak_flops / gpu_peak_flops).
    peak_flops: float = 0.0
    # CPU peak of the whole run; 0 -> the driver's single-thread fp32 matmul peak x the intra-op threads of
    # every worker (train/flops.py).
    cpu_peak_flops: float = 0.0
    gpu_peak_flops: float = 989e12
    # Ray Train storage (checkpoints); local dir or s3://...; empty -> <output.dir>/ray.
    storage_path: str = ""
    # Register the final model (pretraining: the HF model; SFT/DPO: the LoRA adapter, whose config names its
    # base) in the MLflow model registry as a new version of registered_model_name ('' = songsage-<stage>).
    register_model: bool = False
    registered_model_name: str = ""

    def validate(self, prefix: str) -> None:
        positive = {
            "lr": self.lr,
            "per_device_batch": self.per_device_batch,
            "grad_accum": self.grad_accum,
            "seq_len": self.seq_len,
            "epochs": self.epochs,
            "num_workers": self.num_workers,
            "checkpoint_every": self.checkpoint_every,
            "keep_last": self.keep_last,
            "eval_every": self.eval_every,
            "log_every": self.log_every,
            "cpus_per_worker": self.cpus_per_worker,
        }
        for key, value in positive.items():
            if value <= 0:
                raise ConfigError(f"{prefix}.{key}: must be > 0, got {value}")
        if self.lr_scheduler not in ("cosine", "linear", "constant"):
            raise ConfigError(
                f"{prefix}.lr_scheduler: one of cosine, linear, constant; got {self.lr_scheduler!r}"
            )
        if not 0 <= self.warmup_ratio < 1:
            raise ConfigError(f"{prefix}.warmup_ratio: must be in [0, 1), got {self.warmup_ratio}")
        if not 0 <= self.eval_fraction < 1:
            raise ConfigError(f"{prefix}.eval_fraction: must be in [0, 1), got {self.eval_fraction}")
        if not 0 <= self.min_lr_ratio <= 1:
            raise ConfigError(f"{prefix}.min_lr_ratio: must be in [0, 1], got {self.min_lr_ratio}")
        for key in (
            "max_steps",
            "stop_at_step",
            "max_failures",
            "eval_max_batches",
            "shuffle_buffer_rows",
            "materialize_max_rows",
        ):
            if getattr(self, key) < 0:
                raise ConfigError(f"{prefix}.{key}: must be >= 0")
        if self.grad_clip < 0:
            raise ConfigError(f"{prefix}.grad_clip: must be >= 0 (0 disables clipping)")

    def tokens_per_step(self) -> int:
        """Tokens per optimizer step (all workers, padding included)."""
        return self.per_device_batch * self.grad_accum * self.num_workers * self.seq_len
