"""Config section ``serve``: the Ray Serve application (OpenAI-compatible model, embeddings, recommender).

One profile section drives both generation backends (``hf``: transformers on CPU/GPU with
``@serve.batch``; ``vllm``: Ray Serve LLM on GPU clusters), the per-deployment scaling knobs, request
limits, auth and the playlist index. Times are seconds; token counts are tokenizer tokens.
Empty path strings mean "derive from the run directory".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from songsage.config.loader import ConfigError


@dataclass
class AutoscalingConfig:
    """Serve autoscaling of one deployment. ``enabled: false`` -> a fixed ``num_replicas``."""

    enabled: bool = False
    min_replicas: int = 1
    max_replicas: int = 1
    # Ongoing (running + queued) requests per replica the autoscaler aims for.
    target_ongoing_requests: float = 2.0

    def validate(self, prefix: str) -> None:
        if not 0 <= self.min_replicas <= self.max_replicas or self.max_replicas < 1:
            raise ConfigError(
                f"{prefix}.max_replicas: need 0 <= min_replicas <= max_replicas and max_replicas >= 1"
            )
        if self.target_ongoing_requests <= 0:
            raise ConfigError(f"{prefix}.target_ongoing_requests: must be > 0")


@dataclass
class ActorOptionsConfig:
    """``ray_actor_options`` of each replica (fractions allowed)."""

    num_cpus: float = 1.0
    num_gpus: float = 0.0


@dataclass
class DeploymentConfig:
    """Scaling and admission control of one Serve deployment.

    ``max_ongoing_requests``: requests a replica runs at once; ``max_queued_requests``: requests a
    caller's handle queues beyond that before answering 503 (-1 = unbounded, never used by default).
    """

    num_replicas: int = 1
    max_ongoing_requests: int = 8
    max_queued_requests: int = 32
    autoscaling: AutoscalingConfig = field(default_factory=AutoscalingConfig)
    ray_actor_options: ActorOptionsConfig = field(default_factory=ActorOptionsConfig)

    def validate(self, prefix: str) -> None:
        if self.num_replicas < 1 or self.max_ongoing_requests < 1:
            raise ConfigError(
                f"{prefix}.max_ongoing_requests: num_replicas and max_ongoing_requests must be >= 1"
            )
        if self.max_queued_requests < -1:
            raise ConfigError(f"{prefix}.max_queued_requests: must be >= 0 (or -1 = unbounded)")


@dataclass
class AdapterConfig:
    """A LoRA adapter (PEFT directory or MLflow URI) served under the model id ``name``."""

    name: str = ""
    path: str = ""


@dataclass
class VLLMConfig:
    """Ray Serve LLM (vLLM) backend; GPU clusters only. Passed into ``ray.serve.llm.LLMConfig``."""

    # GPU type the replicas ask for ('' = any), e.g. "A10G", "H100".
    accelerator_type: str = ""
    tensor_parallel_size: int = 1
    max_model_len: int = 4096
    gpu_memory_utilization: float = 0.9
    # Directory/URI with one sub-directory per LoRA adapter (dynamic loading); '' = no LoRA.
    dynamic_lora_loading_path: str = ""
    max_num_adapters_per_replica: int = 4
    max_lora_rank: int = 64
    # Extra vLLM engine kwargs (merged last).
    engine_kwargs: dict[str, str] = field(default_factory=dict)


@dataclass
class ServeConfig:
    """Everything ``jobs/serve.py``, ``configs/serve.yaml`` and ``jobs/build_index.py`` read."""

    host: str = "127.0.0.1"
    port: int = 8000
    route_prefix: str = "/"
    # Where Serve runs HTTP proxies: EveryNode (Ray's default; a load balancer in front), HeadOnly (one
    # address; what a simulated cluster on one machine needs, where every node would bind the same port).
    proxy_location: Literal["EveryNode", "HeadOnly"] = "EveryNode"
    app_name: str = "songsage"
    backend: Literal["hf", "vllm"] = "hf"
    # The base model: model dir, hub id or registry name ('' = root ``model.name_or_path``).
    model: str = ""
    # Takes precedence over ``model``: ``runs:/<id>/<path>`` or ``models:/<name>/<version|alias>``.
    mlflow_model_uri: str = ""
    # The id clients put in ``model`` (and ``/v1/models`` lists); adapters add their own names.
    model_id: str = "songsage"
    adapters: list[AdapterConfig] = field(default_factory=list)
    # Request limits: prompt tokens after the chat template; completion tokens per request.
    max_prompt_tokens: int = 2048
    max_tokens_limit: int = 512
    default_max_tokens: int = 128
    # Embeddings: inputs per request; characters per input.
    max_embedding_inputs: int = 64
    max_input_chars: int = 8192
    # hf backend: @serve.batch size and wait for a batch to fill.
    batch_max_size: int = 8
    batch_wait_timeout_s: float = 0.01
    # Seconds suggested to clients in Retry-After on overload (503).
    retry_after_s: int = 1
    # Admission (completions): admit a request only if its expected completion (work admitted ahead +
    # its own max_tokens, over the measured token rate) is within this bound; else 503 at once. 0 = off.
    latency_bound_s: float = 5.0
    # Per-request deadline inside the ingress (generation + retrieval); exceeded -> 504.
    request_timeout_s: float = 120.0
    # Env var holding the bearer token ('' = auth off). Never put the token itself in a profile.
    auth_token_env: str = ""
    # Playlist index (written by jobs/build_index.py): '' -> <run.dir>/build_index/index.
    index_dir: str = ""
    # Playlists to index: '' -> <run.dir>/curate/playlists, else ``data.playlists``.
    playlists: str = ""
    # Recommender: rewrite the query into a playlist description with the generator first.
    rewrite: bool = False
    rewrite_max_tokens: int = 48
    top_k: int = 5
    max_top_k: int = 50
    # HTTP timeout the jobs/demo use to wait for readiness.
    ready_timeout_s: float = 180.0
    generator: DeploymentConfig = field(default_factory=DeploymentConfig)
    embedder: DeploymentConfig = field(default_factory=DeploymentConfig)
    recommender: DeploymentConfig = field(default_factory=DeploymentConfig)
    ingress: DeploymentConfig = field(
        default_factory=lambda: DeploymentConfig(max_ongoing_requests=64, max_queued_requests=128)
    )
    vllm: VLLMConfig = field(default_factory=VLLMConfig)

    def validate(self, prefix: str) -> None:
        if self.backend not in ("hf", "vllm"):
            raise ConfigError(f"{prefix}.backend: must be 'hf' or 'vllm', got {self.backend!r}")
        for name in (
            "max_prompt_tokens",
            "max_tokens_limit",
            "default_max_tokens",
            "max_embedding_inputs",
            "max_input_chars",
            "batch_max_size",
            "top_k",
            "max_top_k",
            "rewrite_max_tokens",
        ):
            if getattr(self, name) < 1:
                raise ConfigError(f"{prefix}.{name}: must be >= 1, got {getattr(self, name)}")
        if self.latency_bound_s < 0:
            raise ConfigError(f"{prefix}.latency_bound_s: must be >= 0 (0 = off), got {self.latency_bound_s}")
        if self.default_max_tokens > self.max_tokens_limit:
            raise ConfigError(
                f"{prefix}.default_max_tokens: must be <= max_tokens_limit ({self.max_tokens_limit})"
            )
        if self.top_k > self.max_top_k:
            raise ConfigError(f"{prefix}.top_k: must be <= max_top_k ({self.max_top_k})")
        if not self.route_prefix.startswith("/"):
            raise ConfigError(f"{prefix}.route_prefix: must start with '/', got {self.route_prefix!r}")
        names = [a.name for a in self.adapters]
        if any(not a.name or not a.path for a in self.adapters) or len(set(names)) != len(names):
            raise ConfigError(f"{prefix}.adapters: each adapter needs a unique name and a path")
        if self.model_id in names:
            raise ConfigError(f"{prefix}.adapters: adapter name {self.model_id!r} clashes with model_id")
