"""One text-generation interface: ``generate(batch of chat messages, sampling params) -> texts``.

Implementations:
- :class:`HFGenerator`: a local causal LM from the model registry; batched, left-padded, chat
  template applied, greedy (temperature 0) or sampled with a seeded generator per row, stops on EOS
  and ``<|im_end|>``.
- :class:`OpenAIGenerator`: any OpenAI-compatible ``/v1/chat/completions`` endpoint through the official
  ``openai`` client (its timeouts and retries, Retry-After honoured); bounded concurrency (thread pool)
  and an on-disk JSON cache keyed by the request hash, so an interrupted run resumes where it stopped.

:func:`build_generator` picks one from a :class:`~songsage.config.eval.GeneratorConfig`;
:func:`generate_dataset` runs either over a Ray Dataset with an actor pool that holds the model.
Messages are ``[{"role": "system"|"user"|"assistant", "content": str}, ...]``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from songsage import storage
from songsage.config.eval import GeneratorConfig
from songsage.config.paths import join
from songsage.config.train import ModelConfig

Messages = list[dict[str, str]]
# Chat-turn terminators the HF generator stops on besides the tokenizer's EOS.
STOP_TOKENS = ("<|im_end|>", "<|endoftext|>")
CACHE_OFF = "off"


@dataclass
class SamplingParams:
    """Decoding settings. ``temperature`` 0 = greedy; token counts are tokenizer tokens."""

    max_new_tokens: int = 128
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int = 0

    @classmethod
    def from_config(cls, cfg: GeneratorConfig) -> SamplingParams:
        """The sampling params of a generator section."""
        return cls(cfg.max_new_tokens, cfg.temperature, cfg.top_p, cfg.seed)


class Generator(Protocol):
    """Batch of conversations -> one completion text per conversation (same order)."""

    def generate(self, batch: Sequence[Messages], params: SamplingParams | None = None) -> list[str]: ...


def model_config_for(gen: GeneratorConfig, base: ModelConfig) -> ModelConfig:
    """The registry ModelConfig of an hf generator: ``gen.model`` overrides ``base.name_or_path`` if set."""
    return dataclasses.replace(base, name_or_path=gen.model) if gen.model else base


class HFGenerator:
    """A local causal LM (registry name or model dir) with its tokenizer and chat template."""

    def __init__(self, model_cfg: ModelConfig, gen_cfg: GeneratorConfig | None = None) -> None:
        import torch

        from songsage.models.registry import load_model, load_model_tokenizer

        self.cfg = gen_cfg or GeneratorConfig()
        if self.cfg.num_threads:
            torch.set_num_threads(self.cfg.num_threads)
        # Random-init registry models must be identical in every actor: seed before building.
        torch.manual_seed(self.cfg.seed)
        self.tokenizer = load_model_tokenizer(model_cfg)
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.device = "cuda" if self.cfg.num_gpus > 0 and torch.cuda.is_available() else "cpu"
        dtype = torch.bfloat16 if self.device == "cuda" else None
        self.model = load_model(model_cfg, dtype).to(self.device).eval()
        vocab = self.tokenizer.get_vocab()
        stop = {self.tokenizer.eos_token_id, *(vocab[t] for t in STOP_TOKENS if t in vocab)}
        self.stop_ids = sorted(i for i in stop if i is not None)

    def prompt_ids(self, messages: Messages) -> list[int]:
        """Token ids of ``messages`` rendered with the chat template plus the assistant header."""
        text = self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def generate(
        self,
        batch: Sequence[Messages],
        params: SamplingParams | None = None,
        seeds: Sequence[int] | None = None,
    ) -> list[str]:
        """Generate for each conversation; prompts longer than ``max_input_tokens`` keep their last tokens.

        Sampling (``temperature`` > 0) draws each row from its own ``torch.Generator`` seeded with
        ``seeds[i]`` (default ``params.seed + i``): a row's text depends on its seed, not on the batch it
        shares or on other threads, and the process-global torch RNG is left alone.
        """
        import torch

        params = params or SamplingParams.from_config(self.cfg)
        if seeds is not None and len(seeds) != len(batch):
            raise ValueError(f"seeds: {len(seeds)} seeds for {len(batch)} conversations")
        row_seeds = list(seeds) if seeds is not None else [params.seed + i for i in range(len(batch))]
        out: list[str] = []
        for start in range(0, len(batch), self.cfg.batch_size):
            chunk = batch[start : start + self.cfg.batch_size]
            ids = [self.prompt_ids(m)[-self.cfg.max_input_tokens :] for m in chunk]
            enc = self.tokenizer.pad({"input_ids": ids}, padding=True, return_tensors="pt").to(self.device)
            kwargs: dict[str, Any] = dict(
                max_new_tokens=params.max_new_tokens,
                eos_token_id=self.stop_ids,
                pad_token_id=self.tokenizer.pad_token_id,
                **sampling_kwargs(params, row_seeds[start : start + len(chunk)]),
            )
            with torch.no_grad():
                gen = self.model.generate(
                    input_ids=enc["input_ids"], attention_mask=enc["attention_mask"], **kwargs
                )
            new = gen[:, enc["input_ids"].shape[1] :]
            out.extend(t.strip() for t in self.tokenizer.batch_decode(new, skip_special_tokens=True))
        return out


class SeededSampler:
    """A transformers logits processor that samples row ``i`` with its own ``torch.Generator(seeds[i])``.

    Input: (batch, vocab) next-token scores. Output: scores that are 0 at the sampled token and -inf
    elsewhere, so greedy decoding (``do_sample=False``) emits the sample. Applies ``temperature`` and
    nucleus ``top_p``. Exists because ``generate(do_sample=True)`` draws from the process-global RNG,
    which concurrent requests (threads) share.
    """

    def __init__(self, seeds: Sequence[int], temperature: float, top_p: float = 1.0) -> None:
        if temperature <= 0:
            raise ValueError(f"temperature: must be > 0 for sampling, got {temperature}")
        self.seeds, self.temperature, self.top_p = list(seeds), temperature, top_p
        self._gens: list[Any] | None = None

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import torch

        if self._gens is None:
            self._gens = [torch.Generator(device=scores.device).manual_seed(int(s)) for s in self.seeds]
        logits = scores.float() / self.temperature
        if self.top_p < 1.0:
            ordered, order = logits.sort(dim=-1, descending=True)
            probs = ordered.softmax(dim=-1)
            # Drop a token once the tokens before it already cover top_p (the best one always stays).
            ordered[probs.cumsum(dim=-1) - probs > self.top_p] = float("-inf")
            logits = torch.full_like(logits, float("-inf")).scatter(-1, order, ordered)
        probs = logits.softmax(dim=-1)
        picks = torch.stack([torch.multinomial(probs[i], 1, generator=g) for i, g in enumerate(self._gens)])
        return torch.full_like(scores, float("-inf")).scatter(1, picks, 0.0)


def sampling_kwargs(params: SamplingParams, seeds: Sequence[int]) -> dict[str, Any]:
    """``model.generate`` kwargs: greedy for temperature 0, else greedy over a :class:`SeededSampler`."""
    if params.temperature <= 0:
        return {"do_sample": False}
    from transformers import LogitsProcessorList

    sampler = SeededSampler(seeds, params.temperature, params.top_p)
    return {"do_sample": False, "logits_processor": LogitsProcessorList([sampler])}


class GenerationError(RuntimeError):
    """A request failed after all retries (or with a non-retryable status)."""


class OpenAIGenerator:
    """OpenAI-compatible chat client (the official ``openai`` SDK): bounded concurrency, on-disk cache.

    Timeouts (``timeout_s``) and retries (``retries`` extra attempts on 408/409/429/5xx, timeouts and
    connection errors, waiting as the server's ``Retry-After`` says, else the SDK's exponential backoff)
    are the SDK's own. ``stats``: HTTP requests sent, cache hits, retries.
    """

    def __init__(self, cfg: GeneratorConfig, cache_dir: str | Path | None = None) -> None:
        import openai

        if not cfg.base_url:
            raise ValueError("generator.base_url must be set for backend 'openai'")
        self.cfg = cfg
        # Part of the cache key (kept from the endpoint URL so existing caches stay valid).
        self.url = cfg.base_url.rstrip("/") + "/chat/completions"
        key = os.environ.get(cfg.api_key_env, "") if cfg.api_key_env else ""
        self.stats = {"requests": 0, "cache_hits": 0, "retries": 0}
        self._attempts = threading.local()
        self._lock = threading.Lock()
        self._no_auth = {} if key else {"Authorization": openai.Omit()}
        self._client = openai.OpenAI(
            base_url=cfg.base_url,
            # No key (local servers with auth off): the SDK insists on one, so give a placeholder; each
            # request then omits the Authorization header (``_no_auth``).
            api_key=key or "no-key",
            timeout=cfg.timeout_s,
            max_retries=cfg.retries,
            http_client=openai.DefaultHttpxClient(event_hooks={"request": [self._count_attempt]}),
        )
        # A local path or a URI (a cluster's run dir); entries are read and written through songsage.storage.
        self.cache_dir = str(cache_dir) if cache_dir else None
        if self.cache_dir:
            storage.make_dirs(self.cache_dir)

    def _count_attempt(self, request: Any) -> None:
        # httpx hook: runs on the thread that sends, once per attempt (first try and each retry).
        self._attempts.n = getattr(self._attempts, "n", 0) + 1
        with self._lock:
            self.stats["requests"] += 1
            self.stats["retries"] += int(self._attempts.n > 1)

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

    def request_body(self, messages: Messages, params: SamplingParams) -> dict[str, Any]:
        """The JSON body sent for one conversation."""
        body: dict[str, Any] = {
            "model": self.cfg.model,
            "messages": messages,
            "max_tokens": params.max_new_tokens,
            "temperature": params.temperature,
        }
        if params.temperature > 0:
            body.update(top_p=params.top_p, seed=params.seed)
        return body

    def cache_key(self, body: dict[str, Any]) -> str:
        """sha256 of the endpoint + canonical request JSON."""
        blob = json.dumps({"url": self.url, "body": body}, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()

    def _cache_path(self, key: str) -> str | None:
        return join(self.cache_dir, key[:2], f"{key}.json") if self.cache_dir else None

    def _post(self, body: dict[str, Any]) -> str:
        import openai

        self._attempts.n = 0
        try:
            resp = self._client.chat.completions.create(**body, extra_headers=self._no_auth)
        except (openai.APIStatusError, openai.APIConnectionError) as exc:
            status = getattr(exc, "status_code", None)
            last = f"HTTP {status}: {str(exc)[:200]}" if status else f"{type(exc).__name__}: {exc}"
            raise GenerationError(
                f"{self.url}: gave up after {self._attempts.n} attempts; last error {last}"
            ) from exc
        return resp.choices[0].message.content or ""

    def _one(self, messages: Messages, params: SamplingParams) -> str:
        body = self.request_body(messages, params)
        path = self._cache_path(self.cache_key(body))
        cached = storage.read_text_if_exists(path) if path is not None else None
        if cached is not None:
            with self._lock:
                self.stats["cache_hits"] += 1
            return json.loads(cached)["text"]
        text = self._post(body)
        if path is not None:
            storage.write_text_atomic(json.dumps({"request": body, "text": text}, ensure_ascii=False), path)
        return text

    def generate(self, batch: Sequence[Messages], params: SamplingParams | None = None) -> list[str]:
        """Send each conversation (``concurrency`` in flight); cached answers are not re-requested."""
        params = params or SamplingParams.from_config(self.cfg)
        with ThreadPoolExecutor(max_workers=self.cfg.concurrency) as pool:
            return list(pool.map(lambda m: self._one(m, params), batch))


def resolve_cache_dir(cfg: GeneratorConfig, run_dir: str) -> str | None:
    """``cache_dir`` or ``<run_dir>/cache/generator``; None when set to ``off``."""
    if cfg.cache_dir == CACHE_OFF:
        return None
    return cfg.cache_dir or join(run_dir, "cache", "generator")


def build_generator(cfg: GeneratorConfig, model_cfg: ModelConfig, cache_dir: str | None = None) -> Generator:
    """An :class:`HFGenerator` or :class:`OpenAIGenerator` per ``cfg.backend``."""
    if cfg.backend == "openai":
        return OpenAIGenerator(cfg, cache_dir=cache_dir)
    return HFGenerator(model_config_for(cfg, model_cfg), cfg)


class _GenerateBatch:
    """Ray Data callable class: holds one generator per actor; maps ``messages`` JSON -> ``output_column``."""

    def __init__(
        self,
        cfg: GeneratorConfig,
        model_cfg: ModelConfig,
        cache_dir: str | None,
        messages_column: str,
        output_column: str,
    ) -> None:
        self.gen = build_generator(cfg, model_cfg, cache_dir)
        self.params = SamplingParams.from_config(cfg)
        self.messages_column = messages_column
        self.output_column = output_column

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        convs = [json.loads(m) for m in batch[self.messages_column]]
        batch[self.output_column] = self.gen.generate(convs, self.params)
        return batch


def generate_dataset(
    ds: Any,
    cfg: GeneratorConfig,
    model_cfg: ModelConfig,
    cache_dir: str | None = None,
    messages_column: str = "messages",
    output_column: str = "text",
) -> Any:
    """Add ``output_column`` (completion text) to a Ray Dataset whose ``messages_column`` holds JSON chats.

    Runs a pool of ``cfg.num_actors`` actors, each holding one generator, on batches of
    ``cfg.batch_size`` rows (numpy batch format). Returns the lazy, transformed Dataset.
    """
    import ray

    return ds.map_batches(
        _GenerateBatch,
        fn_constructor_kwargs=dict(
            cfg=cfg,
            model_cfg=model_cfg,
            cache_dir=cache_dir,
            messages_column=messages_column,
            output_column=output_column,
        ),
        batch_size=cfg.batch_size,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=cfg.num_actors),
        **({"num_gpus": cfg.num_gpus} if cfg.num_gpus > 0 else {}),
    )
