"""The ``vllm`` serve backend (GPU clusters only): Ray Serve LLM's ``LLMServer`` behind SongSage's routes.

:func:`llm_config_dict` turns the ``serve`` section into the keyword arguments of
``ray.serve.llm.LLMConfig`` (model source, continuous-batching engine kwargs, LoRA, autoscaling,
admission limits, accelerator type) without importing vLLM, so it is testable anywhere;
:func:`build_llm_deployment` builds the deployment (needs ``ray[llm]``/vLLM, i.e. a GPU node).
The SongSage ingress keeps the same routes and relays chat/completions to that deployment
(:func:`relay`); the recommender's rewrite uses :func:`chat_text`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from songsage.config import Config
from songsage.serve.deployment import deployment_options
from songsage.serve.hf_backend import base_model_source

SSE_DONE = "data: [DONE]\n\n"
CHAT = "chat"
COMPLETIONS = "completions"


def deployment_config_dict(cfg: Config) -> dict[str, Any]:
    """Serve options of the LLM deployment from ``serve.generator`` (replicas/autoscaling, admission); GPU
    resources come from ``LLMConfig``'s own placement, so no ``ray_actor_options``."""
    opts = deployment_options(cfg.serve.generator)
    opts.pop("ray_actor_options")
    return opts


def llm_config_dict(cfg: Config) -> dict[str, Any]:
    """Keyword arguments of ``ray.serve.llm.LLMConfig`` for the served model (no vLLM import needed).

    ``max_model_len`` is at least ``max_prompt_tokens + max_tokens_limit`` so every admitted request fits.
    """
    s, v = cfg.serve, cfg.serve.vllm
    engine: dict[str, Any] = {
        "tensor_parallel_size": v.tensor_parallel_size,
        "max_model_len": max(v.max_model_len, s.max_prompt_tokens + s.max_tokens_limit),
        "gpu_memory_utilization": v.gpu_memory_utilization,
        "trust_remote_code": cfg.model.trust_remote_code,
    }
    out: dict[str, Any] = {
        "model_loading_config": {"model_id": s.model_id, "model_source": base_model_source(cfg)},
        "deployment_config": deployment_config_dict(cfg),
        "engine_kwargs": engine,
    }
    if v.dynamic_lora_loading_path:
        engine.update(
            enable_lora=True, max_lora_rank=v.max_lora_rank, max_loras=v.max_num_adapters_per_replica
        )
        out["lora_config"] = {
            "dynamic_lora_loading_path": v.dynamic_lora_loading_path,
            "max_num_adapters_per_replica": v.max_num_adapters_per_replica,
        }
    if v.accelerator_type:
        out["accelerator_type"] = v.accelerator_type
    engine.update(v.engine_kwargs)
    return out


def build_llm_config(cfg: Config) -> Any:
    """A ``ray.serve.llm.LLMConfig`` (raises ImportError without vLLM)."""
    from ray.serve.llm import LLMConfig

    return LLMConfig(**llm_config_dict(cfg))


def build_llm_deployment(cfg: Config) -> Any:
    """The bound ``LLMServer`` deployment (an Application) the ingress gets as its generator handle."""
    from ray.serve.llm import build_llm_deployment as _build

    return _build(build_llm_config(cfg))


def _request(method: str, body: dict[str, Any]) -> Any:
    from ray.serve.llm.openai_api_models import ChatCompletionRequest, CompletionRequest

    return (ChatCompletionRequest if method == CHAT else CompletionRequest)(**body)


def _packet(item: Any) -> str:
    """One SSE packet from an LLMServer stream item (str already framed, or a pydantic model)."""
    if isinstance(item, list):
        return "".join(_packet(i) for i in item)
    if isinstance(item, str):
        return item if item.startswith("data:") else f"data: {item}\n\n"
    return f"data: {json.dumps(item.model_dump())}\n\n"


def _error_of(item: Any) -> tuple[int, dict[str, Any]] | None:
    first = item[0] if isinstance(item, list) and item else item
    err = getattr(first, "error", None)
    if err is None or not hasattr(first, "model_dump"):
        return None
    return int(getattr(err, "code", 500) or 500), first.model_dump()


async def relay(handle: Any, method: str, body: dict[str, Any]) -> tuple[int, Any]:
    """Send an OpenAI body to the LLMServer; (status, JSON dict) or (200, async iterator of SSE strings)."""
    gen = getattr(handle.options(stream=True), method).remote(_request(method, body), None)
    first = await gen.__anext__()
    err = _error_of(first)
    if err is not None:
        return err
    if not isinstance(first, (str, list)) and hasattr(first, "model_dump"):
        return 200, first.model_dump()

    async def stream() -> AsyncIterator[str]:
        done = False
        for item in [first]:
            packet = _packet(item)
            done = done or packet.strip().endswith("[DONE]")
            yield packet
        async for item in gen:
            packet = _packet(item)
            done = done or packet.strip().endswith("[DONE]")
            yield packet
        if not done:
            yield SSE_DONE

    return 200, stream()


async def chat_text(handle: Any, model_id: str, messages: list[dict[str, str]], max_tokens: int) -> str:
    """Greedy chat completion text from the LLMServer (used for the recommender's query rewrite)."""
    status, data = await relay(
        handle,
        CHAT,
        {
            "model": model_id,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": 0.0,
            "stream": False,
        },
    )
    if status != 200 or not isinstance(data, dict):
        raise RuntimeError(f"vLLM rewrite failed with status {status}: {data}")
    return str(data["choices"][0]["message"]["content"] or "")
