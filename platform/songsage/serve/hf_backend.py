"""The ``hf`` serve backend: the shared :class:`~songsage.models.generator.HFGenerator` plus what serving adds.

Adds, on top of the one generator implementation: model sources from MLflow (``runs:/``,
``models:/``), PEFT LoRA adapters selected per request by model id, prompt-length checks, stop
strings, token usage, and token-by-token streaming (:class:`TokenStream`: transformers
``TextIteratorStreamer`` on the generator's own model/tokenizer, cancellable). Sampling uses a seeded
generator per request (``SeededSampler``), never the process-global torch RNG. Batched non-streaming generation goes through
``HFGenerator.generate`` (one call per group of requests with equal sampling params and adapter).
"""

from __future__ import annotations

import dataclasses
import threading
import weakref
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

from songsage.config import Config
from songsage.config.eval import GeneratorConfig
from songsage.models.generator import HFGenerator, Messages, SamplingParams, sampling_kwargs

MLFLOW_SCHEMES = ("runs:/", "models:/")
FINISH_STOP = "stop"
FINISH_LENGTH = "length"
# New tokens per request of the replica's warm-up batch.
WARMUP_TOKENS = 8


def resolve_model_source(path_or_uri: str) -> str:
    """A local model/adapter directory for ``path_or_uri``: MLflow ``runs:/``/``models:/`` URIs are
    downloaded with ``mlflow.artifacts.download_artifacts`` (tracking URI from the environment);
    anything else (directory, hub id, registry name) is returned unchanged."""
    if path_or_uri.startswith(MLFLOW_SCHEMES):
        import mlflow

        return str(mlflow.artifacts.download_artifacts(artifact_uri=path_or_uri))
    return path_or_uri


def base_model_source(cfg: Config) -> str:
    """``serve.mlflow_model_uri`` (downloaded), else ``serve.model`` (``run:<rel>`` = under ``run.dir``), else
    this run's newest trained stage (dpo/sft adapter merged, or the pretrained model), else ``model.name_or_path``."""
    from songsage.models.runs import latest_trained, resolve_model_ref

    if cfg.serve.mlflow_model_uri:
        return resolve_model_source(cfg.serve.mlflow_model_uri)
    if cfg.serve.model:
        return resolve_model_ref(cfg.serve.model, cfg)
    found = latest_trained(cfg)
    return found[1] if found else cfg.model.name_or_path


def serve_generator_config(cfg: Config) -> GeneratorConfig:
    """The shared generator's section for serving: batch = ``serve.batch_max_size``, prompt window =
    ``serve.max_prompt_tokens`` (requests above it are refused before reaching the model)."""
    return GeneratorConfig(
        backend="hf",
        batch_size=cfg.serve.batch_max_size,
        max_input_tokens=cfg.serve.max_prompt_tokens,
        max_new_tokens=cfg.serve.default_max_tokens,
        seed=cfg.run.seed,
        num_gpus=cfg.serve.generator.ray_actor_options.num_gpus,
    )


@dataclass
class GenRequest:
    """One generation request after validation. Token counts are tokenizer tokens."""

    messages: Messages
    max_tokens: int
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int = 0
    stop: tuple[str, ...] = ()
    # '' = the base model; else an adapter name.
    adapter: str = ""

    def params(self) -> SamplingParams:
        """The shared generator's sampling params."""
        return SamplingParams(self.max_tokens, self.temperature, self.top_p, self.seed)

    def group_key(self) -> tuple[Any, ...]:
        """Requests with equal keys are generated in one ``HFGenerator.generate`` call (seeds are per row)."""
        return (self.adapter, self.max_tokens, self.temperature, self.top_p)


def cut_at_stop(text: str, stops: tuple[str, ...]) -> tuple[str, bool]:
    """``text`` cut before the earliest stop string; (text, True if a stop string was found)."""
    cut = min((i for i in (text.find(s) for s in stops) if i >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)


class _CancelCriteria:
    """A transformers StoppingCriteria that stops generation once ``event`` is set (client went away)."""

    def __init__(self, event: threading.Event) -> None:
        self.event = event

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        import torch

        return torch.full((input_ids.shape[0],), self.event.is_set(), dtype=torch.bool)


class _TokenCountingModel:
    """Wraps the shared model: each ``generate`` records, per row, the new tokens before the first stop id.

    Counts are kept per thread (``threading.local``), so batched and streaming calls do not mix; every
    other attribute (PEFT ``set_adapter``/``disable_adapter``, config, ...) passes through.
    """

    def __init__(self, model: Any, stop_ids: list[int]) -> None:
        self.model = model
        self.stop_ids = set(stop_ids)
        self._local = threading.local()

    def generate(self, input_ids: Any = None, **kwargs: Any) -> Any:
        """``model.generate``; afterwards :meth:`last_counts` holds the new-token counts of this thread's call."""
        out = self.model.generate(input_ids=input_ids, **kwargs)
        counts = []
        for row in out[:, input_ids.shape[1] :].tolist():
            stop = next((i for i, t in enumerate(row) if t in self.stop_ids), len(row))
            counts.append(stop)
        self._local.counts = counts
        return out

    def last_counts(self) -> list[int]:
        """New-token counts (per row) of this thread's last ``generate``."""
        return list(getattr(self._local, "counts", []))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.model, name)


class ServeModel:
    """The served causal LM: one :class:`HFGenerator` (+ PEFT adapters) with serving helpers."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        model_cfg = dataclasses.replace(cfg.model, name_or_path=base_model_source(cfg))
        self.gen = HFGenerator(model_cfg, serve_generator_config(cfg))
        self.tokenizer = self.gen.tokenizer
        self.adapters = [a.name for a in cfg.serve.adapters]
        self._streams: weakref.WeakSet[TokenStream] = weakref.WeakSet()
        # Adapter switching mutates the model: serialize model calls when adapters are loaded.
        self._lock: AbstractContextManager[Any] = threading.Lock() if self.adapters else nullcontext()
        if cfg.serve.adapters:
            from peft import PeftModel

            first, *rest = cfg.serve.adapters
            model = PeftModel.from_pretrained(
                self.gen.model, resolve_model_source(first.path), adapter_name=first.name
            )
            for a in rest:
                model.load_adapter(resolve_model_source(a.path), adapter_name=a.name)
            self.gen.model = model.eval()
        self.counter = _TokenCountingModel(self.gen.model, self.gen.stop_ids)
        self.gen.model = self.counter

    def model_ids(self) -> list[str]:
        """Ids clients may send in ``model``: the base id then adapter names."""
        return [self.cfg.serve.model_id, *self.adapters]

    def adapter_for(self, model: str) -> str:
        """Adapter name for a request's ``model`` ('' = base; unknown/empty ids use the base model)."""
        return model if model in self.adapters else ""

    def prompt_ids(self, messages: Messages) -> list[int]:
        """Prompt token ids with the chat template and assistant header."""
        return self.gen.prompt_ids(messages)

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` (no special tokens); used for completion usage."""
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"]) if text else 0

    def _adapter_ctx(self, adapter: str) -> AbstractContextManager[Any]:
        if not self.adapters:
            return nullcontext()
        if adapter:
            self.gen.model.set_adapter(adapter)
            return nullcontext()
        return self.gen.model.disable_adapter()

    def generate(self, reqs: list[GenRequest]) -> list[tuple[str, str, int]]:
        """Generate for each request (grouped by params/adapter); returns (text, finish_reason, tokens).

        ``tokens``: generated tokens before the end-of-turn id (re-tokenized text when a stop string cut it);
        ``finish_reason`` is ``length`` when the completion used ``max_tokens`` tokens, else ``stop``.
        Each group is one ``HFGenerator.generate`` call (its ``batch_size`` = ``serve.batch_max_size``).
        """
        out: list[tuple[str, str, int] | None] = [None] * len(reqs)
        groups: dict[tuple[Any, ...], list[int]] = {}
        for i, r in enumerate(reqs):
            groups.setdefault(r.group_key(), []).append(i)
        for idx in groups.values():
            first = reqs[idx[0]]
            with self._lock, self._adapter_ctx(first.adapter):
                texts = self.gen.generate(
                    [reqs[i].messages for i in idx], first.params(), seeds=[reqs[i].seed for i in idx]
                )
                counts = self.counter.last_counts()
            for i, text, n_gen in zip(idx, texts, counts, strict=True):
                text, stopped = cut_at_stop(text, reqs[i].stop)
                n = self.count_tokens(text) if stopped else n_gen
                finish = FINISH_LENGTH if n >= reqs[i].max_tokens and not stopped else FINISH_STOP
                out[i] = (text, finish, n)
        return [o for o in out if o is not None]

    def warm_up(self) -> list[tuple[str, str, int]]:
        """One greedy batch of ``serve.batch_max_size`` short requests (<= ``WARMUP_TOKENS`` tokens each),
        so one-time costs of the first model calls are paid before the replica takes traffic."""
        tokens = min(WARMUP_TOKENS, self.cfg.serve.default_max_tokens)
        req = GenRequest([{"role": "user", "content": "Warm-up: name a song."}], tokens)
        return self.generate([req] * self.cfg.serve.batch_max_size)

    def active_streams(self) -> int:
        """Streams whose producer thread is still generating (0 once every stream has stopped)."""
        return sum(1 for st in list(self._streams) if st.running)

    def stream(self, req: GenRequest) -> TokenStream:
        """A started :class:`TokenStream` for ``req`` (``TextIteratorStreamer`` on the shared model)."""
        import torch
        from transformers import StoppingCriteriaList, TextIteratorStreamer

        ids = self.prompt_ids(req.messages)
        stop_ids = set(self.gen.stop_ids)

        class CountingStreamer(TextIteratorStreamer):  # type: ignore[misc]
            """Counts generated non-stop tokens as they arrive (the first put is the prompt)."""

            generated = 0

            def put(self, value: Any) -> None:
                if not self.next_tokens_are_prompt:
                    self.generated += sum(1 for t in value.reshape(-1).tolist() if t not in stop_ids)
                super().put(value)

        streamer = CountingStreamer(
            self.tokenizer,
            skip_prompt=True,
            skip_special_tokens=True,
            timeout=self.cfg.serve.request_timeout_s,
        )
        stream = TokenStream(streamer)
        kwargs: dict[str, Any] = dict(
            input_ids=torch.tensor([ids], device=self.gen.device),
            attention_mask=torch.ones(1, len(ids), dtype=torch.long, device=self.gen.device),
            max_new_tokens=req.max_tokens,
            eos_token_id=self.gen.stop_ids,
            pad_token_id=self.tokenizer.pad_token_id,
            streamer=streamer,
            stopping_criteria=StoppingCriteriaList([_CancelCriteria(stream.cancelled)]),
            **sampling_kwargs(req.params(), [req.seed]),
        )

        def run() -> None:
            with self._lock, self._adapter_ctx(req.adapter), torch.no_grad():
                self.gen.model.generate(**kwargs)

        self._streams.add(stream)
        stream.start(run)
        return stream


class TokenStream:
    """One streaming generation: a producer thread runs ``model.generate`` into a ``TextIteratorStreamer``.

    The consumer iterates text pieces (``next`` blocks up to the streamer's timeout) and, when it is done
    or its client went away, calls :meth:`cancel` (thread-safe; the producer stops at the next token)
    and :meth:`join`. The consumer never closes anything the producer uses: the producer ends the
    streamer itself, so a ``next`` still waiting in another thread returns instead of hanging.
    """

    def __init__(self, streamer: Any) -> None:
        self._streamer = streamer
        self.cancelled = threading.Event()
        self.error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def start(self, produce: Any) -> None:
        """Run ``produce()`` (which feeds the streamer) in a daemon thread."""

        def run() -> None:
            try:
                produce()
            except BaseException as exc:  # surfaced to the consumer by __next__
                self.error = exc
                self._streamer.end()

        self._thread = threading.Thread(target=run, daemon=True, name="songsage-stream")
        self._thread.start()

    def __iter__(self) -> TokenStream:
        return self

    def __next__(self) -> str:
        try:
            return str(next(self._streamer))
        except StopIteration:
            if self.error is not None:
                raise RuntimeError(f"generation failed: {self.error}") from self.error
            raise

    @property
    def generated(self) -> int:
        """Generated tokens so far (end-of-turn ids excluded)."""
        return int(self._streamer.generated)

    @property
    def running(self) -> bool:
        """True while the producer thread is generating."""
        return self._thread is not None and self._thread.is_alive()

    def cancel(self) -> None:
        """Ask the producer to stop at its next token."""
        self.cancelled.set()

    def join(self, timeout_s: float) -> bool:
        """Wait up to ``timeout_s`` for the producer; True once it has stopped."""
        if self._thread is not None:
            self._thread.join(timeout_s)
        return not self.running
