"""The SongSage Ray Serve application: a FastAPI ingress over Generator, Embedder and Recommender deployments.

Routes (under ``serve.route_prefix``): ``GET /healthz`` (liveness), ``GET /readyz`` (models + index
loaded), ``GET /v1/models``, ``POST /v1/chat/completions`` and ``/v1/completions`` (SSE streaming
with ``stream: true``), ``POST /v1/embeddings``, ``POST /v1/playlists/recommend``. Bad bodies -> 422
naming the field; config limits (``max_tokens``, prompt tokens, ``top_k``, inputs) -> 400 naming the
field; overload (a completion whose expected finish exceeds ``serve.latency_bound_s``, see
:mod:`songsage.serve.admission`, or a deployment's ``max_queued_requests`` reached) -> 503 with
``Retry-After``; a
request past ``serve.request_timeout_s`` -> 504. Optional bearer auth on ``/v1/*`` from the env var
named by ``serve.auth_token_env``.

``build_app({"config": <profile>, "set": [...]})`` is the builder named by ``configs/serve.yaml``.
"""

import asyncio
import hmac
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from ray import serve
from starlette.exceptions import HTTPException as StarletteHTTPException

from songsage.config import Config, build, load_config, to_dict
from songsage.config.eval import EncoderConfig
from songsage.serve import openai_schema as oa
from songsage.serve.admission import Admission, AdmissionController
from songsage.serve.deployment import deployment_options

DEFAULT_PROFILE = "configs/local.yaml"
REPO_DIR = Path(__file__).resolve().parents[3]
SSE_MEDIA = "text/event-stream"
GENERATOR, EMBEDDER, RECOMMENDER, INGRESS = "Generator", "Embedder", "Recommender", "Ingress"


class RequestError(Exception):
    """A request that breaks a configured limit: HTTP ``status`` with a message naming ``param``."""

    def __init__(self, status: int, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.param = status, message, param


def _error(
    status: int, message: str, param: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    kind = {
        400: "invalid_request_error",
        401: "authentication_error",
        404: "not_found_error",
        422: "invalid_request_error",
        503: "overloaded_error",
        504: "timeout_error",
    }.get(status, "server_error")
    return JSONResponse(oa.error_body(message, param, kind), status_code=status, headers=headers)


# ---------------------------------------------------------------------------------------------------
# Generator (hf backend)
# ---------------------------------------------------------------------------------------------------
@serve.deployment(name=GENERATOR)
class GeneratorServer:
    """The served LM (:class:`songsage.serve.hf_backend.ServeModel`, warmed up at start): batched
    ``generate`` and ``stream``.

    Request dicts: ``messages``, ``max_tokens``, ``temperature``, ``top_p``, ``seed``, ``stop``, ``model``.
    A prompt longer than ``serve.max_prompt_tokens`` returns ``{"error", "param": "messages"}``.
    """

    def __init__(self, cfg_tree: dict[str, Any]) -> None:
        from songsage.serve.hf_backend import ServeModel

        self.cfg = build(Config, cfg_tree)
        self.model = ServeModel(self.cfg)
        # Before the replica takes traffic: otherwise the first calls' one-time costs land on the first
        # admitted requests and on the ingress's first rate measurement (which then admits too little).
        self.model.warm_up()
        self.generate_batch.set_max_batch_size(self.cfg.serve.batch_max_size)
        self.generate_batch.set_batch_wait_timeout_s(self.cfg.serve.batch_wait_timeout_s)

    def info(self) -> dict[str, Any]:
        """Model ids this replica serves and its streams still generating."""
        return {"model_ids": self.model.model_ids(), "active_streams": self.model.active_streams()}

    def _prepare(self, req: dict[str, Any]) -> tuple[Any, int] | dict[str, Any]:
        from songsage.serve.hf_backend import GenRequest

        n_prompt = len(self.model.prompt_ids(req["messages"]))
        if n_prompt > self.cfg.serve.max_prompt_tokens:
            return {
                "error": f"messages: the prompt has {n_prompt} tokens; the limit is "
                f"{self.cfg.serve.max_prompt_tokens} (serve.max_prompt_tokens)",
                "param": "messages",
            }
        gen = GenRequest(
            req["messages"],
            int(req["max_tokens"]),
            float(req["temperature"]),
            float(req["top_p"]),
            int(req["seed"]),
            tuple(req["stop"]),
            self.model.adapter_for(req["model"]),
        )
        return gen, n_prompt

    async def generate(self, req: dict[str, Any]) -> dict[str, Any]:
        """One completion: ``{"text", "finish_reason", "prompt_tokens", "completion_tokens"}`` or an error dict."""
        prepared = self._prepare(req)
        if isinstance(prepared, dict):
            return prepared
        gen, n_prompt = prepared
        text, finish, n_out = await self.generate_batch(gen)
        return {"text": text, "finish_reason": finish, "prompt_tokens": n_prompt, "completion_tokens": n_out}

    @serve.batch(max_batch_size=8, batch_wait_timeout_s=0.01)
    async def generate_batch(self, reqs: list[Any]) -> list[tuple[str, str, int]]:
        """Requests gathered by ``@serve.batch`` -> one ``ServeModel.generate`` call in a worker thread."""
        return await asyncio.to_thread(self.model.generate, reqs)

    async def stream(self, req: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        """Yield ``{"prompt_tokens"}`` (or an error dict) first, then ``{"text"}`` pieces, then
        ``{"finish_reason", "completion_tokens"}``. Stop strings are held back until they cannot match."""
        from songsage.serve.hf_backend import FINISH_LENGTH, FINISH_STOP, cut_at_stop

        prepared = self._prepare(req)
        if isinstance(prepared, dict):
            yield prepared
            return
        gen, n_prompt = prepared
        yield {"prompt_tokens": n_prompt}
        stream = self.model.stream(gen)
        hold = max((len(s) for s in gen.stop), default=1) - 1
        full, sent, stopped = "", 0, False
        end = object()
        try:
            while True:
                piece = await asyncio.to_thread(next, stream, end)
                if piece is end:
                    break
                full += str(piece)
                cut, stopped = cut_at_stop(full, gen.stop)
                upto = len(cut) if stopped else max(sent, len(full) - hold)
                if upto > sent:
                    yield {"text": full[sent:upto]}
                    sent = upto
                if stopped:
                    break
            if not stopped and sent < len(full):
                yield {"text": full[sent:]}
                sent = len(full)
        finally:
            # Also on a client disconnect (this task cancelled while a worker thread waits in next):
            # signal the producer and wait for it off the event loop; nothing is closed under it.
            stream.cancel()
            await asyncio.to_thread(stream.join, self.cfg.serve.request_timeout_s)
        n_out = self.model.count_tokens(full[:sent]) if stopped else stream.generated
        finish = FINISH_LENGTH if n_out >= gen.max_tokens and not stopped else FINISH_STOP
        yield {"finish_reason": finish, "completion_tokens": n_out}


# ---------------------------------------------------------------------------------------------------
# Embedder and Recommender
# ---------------------------------------------------------------------------------------------------
@serve.deployment(name=EMBEDDER)
class EmbedderServer:
    """The shared encoder (:func:`songsage.models.encoder.load_encoder`); concurrent calls are batched."""

    def __init__(
        self, encoder_tree: dict[str, Any], batch_max_size: int, batch_wait_timeout_s: float
    ) -> None:
        from songsage.models.encoder import load_encoder

        self.name = build(EncoderConfig, encoder_tree).name_or_path
        self.encoder = load_encoder(build(EncoderConfig, encoder_tree))
        self.embed_batch.set_max_batch_size(batch_max_size)
        self.embed_batch.set_batch_wait_timeout_s(batch_wait_timeout_s)

    def info(self) -> dict[str, Any]:
        """Encoder name and dimension."""
        return {"encoder": self.name, "dim": int(self.encoder.dim)}

    async def embed(self, texts: list[str], role: str) -> Any:
        """(len(texts), dim) float32, unit rows."""
        return await self.embed_batch((tuple(texts), role))

    @serve.batch(max_batch_size=8, batch_wait_timeout_s=0.01)
    async def embed_batch(self, items: list[tuple[tuple[str, ...], str]]) -> list[Any]:
        """Concatenate the texts of each role, encode once per role, split back per call."""
        out: list[Any] = [None] * len(items)
        for role in {r for _, r in items}:
            idx = [i for i, (_, r) in enumerate(items) if r == role]
            flat = [t for i in idx for t in items[i][0]]
            vecs = await asyncio.to_thread(self.encoder.encode, flat, role)
            pos = 0
            for i in idx:
                n = len(items[i][0])
                out[i] = vecs[pos : pos + n]
                pos += n
        return out


@serve.deployment(name=RECOMMENDER)
class RecommenderServer:
    """Playlist recommender: optional rewrite by the Generator -> Embedder -> faiss top-k over the index."""

    def __init__(self, cfg_tree: dict[str, Any], embedder: Any, generator: Any) -> None:
        from songsage.config.paths import join
        from songsage.models.index import META_FILE, FlatIndex
        from songsage.serve.index_build import index_dir
        from songsage.storage import exists

        self.cfg = build(Config, cfg_tree)
        self.embedder, self.generator = embedder, generator
        self.index_path = index_dir(self.cfg)
        self.index = FlatIndex.load(self.index_path) if exists(join(self.index_path, META_FILE)) else None

    def info(self) -> dict[str, Any]:
        """Index location and rows (0 and ``loaded: false`` when no index was built)."""
        return {
            "index_dir": self.index_path,
            "loaded": self.index is not None,
            "rows": len(self.index) if self.index is not None else 0,
        }

    async def _rewrite(self, query: str) -> str:
        from songsage.serve.recommender import rewrite_prompt
        from songsage.serve.vllm_backend import chat_text

        s = self.cfg.serve
        if s.backend == "vllm":
            return (
                await chat_text(self.generator, s.model_id, rewrite_prompt(query), s.rewrite_max_tokens)
            ).strip()
        res = await self.generator.generate.remote(
            {
                "messages": rewrite_prompt(query),
                "max_tokens": s.rewrite_max_tokens,
                "temperature": 0.0,
                "top_p": 1.0,
                "seed": self.cfg.run.seed,
                "stop": [],
                "model": s.model_id,
            }
        )
        return str(res.get("text", "")).strip()

    async def recommend(self, query: str, top_k: int, rewrite: bool) -> dict[str, Any]:
        """``{"query", "rewritten_query", "playlists": [{playlist_id, title, tags, score}]}`` or an error dict."""
        from songsage.serve.recommender import embed_role, rank

        if self.index is None:
            return {
                "error": f"no playlist index at {self.index_path}: run jobs/build_index.py",
                "status": 503,
            }
        rewritten = await self._rewrite(query) if rewrite else ""
        text = rewritten or query
        vec = await self.embedder.embed.remote([text], embed_role(bool(rewritten)))
        return {
            "query": query,
            "rewritten_query": rewritten or None,
            "playlists": rank(self.index, vec[0], top_k),
        }


# ---------------------------------------------------------------------------------------------------
# Ingress
# ---------------------------------------------------------------------------------------------------
api = FastAPI(
    title="SongSage", description="OpenAI-compatible SongSage model, embeddings and playlist recommender"
)


@api.exception_handler(RequestValidationError)
async def _validation_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    return JSONResponse(oa.validation_error_body(list(exc.errors())), status_code=422)


@api.exception_handler(StarletteHTTPException)
async def _http_handler(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    return _error(exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))


@serve.deployment(name=INGRESS)
@serve.ingress(api)
class Ingress:
    """HTTP front door: validation, limits, auth, overload mapping, SSE; forwards to the deployments."""

    def __init__(
        self, cfg_tree: dict[str, Any], generator: Any, embedder: Any, recommender: Any, auth_token: str = ""
    ) -> None:
        self.cfg = build(Config, cfg_tree)
        self.s = self.cfg.serve
        self.generator, self.embedder, self.recommender = generator, embedder, recommender
        env = self.s.auth_token_env
        self.token = (os.environ.get(env, "") or auth_token) if env else ""
        self.model_ids = [self.s.model_id, *(a.name for a in self.s.adapters)]
        self.admission = AdmissionController(self.s.latency_bound_s)

    # -- helpers ------------------------------------------------------------------------------------
    def _auth(self, request: Request) -> JSONResponse | None:
        """None when auth is off or the bearer token matches; else a 401 response."""
        if not self.token:
            return None
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        # Constant-time comparison: the time taken must not tell how much of a guess was right.
        if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), self.token.encode()):
            return _error(
                401,
                "missing or invalid bearer token (Authorization: Bearer <token>)",
                "Authorization",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return None

    def _overloaded(self, exc: Exception) -> JSONResponse:
        retry = getattr(exc, "retry_after_s", None) or self.s.retry_after_s
        return _error(
            503, f"server overloaded, retry later ({exc})", headers={"Retry-After": str(int(max(1, retry)))}
        )

    async def _call(self, awaitable: Any) -> Any:
        """Await a handle response; past ``serve.request_timeout_s`` raises TimeoutError (-> 504)."""
        return await asyncio.wait_for(awaitable, timeout=self.s.request_timeout_s)

    async def _guard(self, fn: Any) -> Any:
        from ray.serve.exceptions import BackPressureError, DeploymentUnavailableError

        try:
            return await fn()
        except RequestError as exc:
            return _error(exc.status, exc.message, exc.param)
        except (BackPressureError, DeploymentUnavailableError) as exc:
            return self._overloaded(exc)
        # Python 3.10: asyncio.wait_for raises asyncio.TimeoutError, not (yet) the builtin TimeoutError.
        except (TimeoutError, asyncio.TimeoutError):
            return _error(
                504, f"request took longer than serve.request_timeout_s={self.s.request_timeout_s} s"
            )

    def _gen_request(self, body: oa.SamplingFields, messages: list[dict[str, str]]) -> dict[str, Any]:
        """Validated generator request dict; limits -> RequestError(400) naming the field."""
        if body.model and body.model not in self.model_ids:
            raise RequestError(400, f"model: unknown model {body.model!r}; served: {self.model_ids}", "model")
        want = body.requested_max_tokens()
        field = "max_completion_tokens" if body.max_completion_tokens else "max_tokens"
        if want is not None and want > self.s.max_tokens_limit:
            raise RequestError(
                400,
                f"{field}: {want} exceeds the limit {self.s.max_tokens_limit} (serve.max_tokens_limit)",
                field,
            )
        return {
            "messages": messages,
            "max_tokens": want or self.s.default_max_tokens,
            "temperature": body.temperature,
            "top_p": body.top_p,
            "seed": body.seed if body.seed is not None else self.cfg.run.seed,
            "stop": body.stop_list(),
            "model": body.model or self.s.model_id,
        }

    async def _complete(self, body: oa.SamplingFields, messages: list[dict[str, str]], chat: bool) -> Any:
        """Admission (``serve.latency_bound_s``), then one completion or an SSE stream."""
        req = self._gen_request(body, messages)
        cost = float(req["max_tokens"])
        decision = self.admission.try_admit(cost)
        if not decision.admitted:
            expected = "unknown" if decision.expected_s is None else f"{decision.expected_s:.1f} s"
            return _error(
                503,
                f"server overloaded: expected completion {expected} exceeds serve.latency_bound_s="
                f"{self.s.latency_bound_s} s; retry later",
                headers={"Retry-After": str(decision.retry_after_s)},
            )
        admission = decision.admission
        assert admission is not None
        # The one release, which always runs: when this request's task ends (response sent, client gone
        # before or during the stream, cancelled, timed out or failed anywhere from here on).
        admission.release_with_current_task()
        if self.s.backend == "vllm":
            # vLLM answers are relayed as they are; a stream holds its admission until the response ends.
            out = await self._relay_vllm(body, chat)
            admission.served = out.status_code == 200
            return out
        return await self._complete_hf(req, body, chat, admission)

    async def _complete_hf(
        self, req: dict[str, Any], body: oa.SamplingFields, chat: bool, admission: Admission
    ) -> Any:
        model = req["model"]
        if not body.stream:
            res = await self._call(self.generator.generate.remote(req))
            if "error" in res:
                raise RequestError(400, res["error"], res.get("param"))
            admission.served = True
            make = oa.chat_response if chat else oa.completion_response
            return make(
                model, res["text"], res["finish_reason"], res["prompt_tokens"], res["completion_tokens"]
            )
        gen = self.generator.options(stream=True).stream.remote(req)
        first = await self._call(gen.__anext__())
        if "error" in first:
            raise RequestError(400, first["error"], first.get("param"))

        def stop_unfinished(_task: asyncio.Task[Any]) -> None:
            # The response never finished streaming (the body may not even have started, so the
            # generator's own cleanup never ran): stop the replica producing for nobody.
            if not admission.served:
                gen.cancel()

        task = asyncio.current_task()
        assert task is not None  # release_with_current_task above already needed one
        task.add_done_callback(stop_unfinished)
        return StreamingResponse(
            self._sse(gen, model, chat, first["prompt_tokens"], body.include_usage(), admission),
            media_type=SSE_MEDIA,
        )

    async def _sse(
        self, gen: Any, model: str, chat: bool, n_prompt: int, include_usage: bool, admission: Admission
    ) -> AsyncIterator[str]:
        """OpenAI SSE packets from the generator's stream; errors mid-stream end it with an error packet.
        Marks ``admission`` served once every packet went out (the request's task releases it)."""
        async for packet in self._sse_packets(gen, model, chat, n_prompt, include_usage):
            yield packet
        admission.served = True

    async def _sse_packets(
        self, gen: Any, model: str, chat: bool, n_prompt: int, include_usage: bool
    ) -> AsyncIterator[str]:
        cid = oa.new_stream_id(chat)

        def packet(obj: dict[str, Any]) -> str:
            return f"data: {json.dumps(obj, ensure_ascii=False)}\n\n"

        if chat:
            yield packet(oa.chat_chunk(cid, model, {"role": "assistant", "content": ""}, None))
        try:
            async for item in gen:
                if "text" in item:
                    yield packet(
                        oa.chat_chunk(cid, model, {"content": item["text"]}, None)
                        if chat
                        else oa.completion_chunk(cid, model, item["text"], None)
                    )
                elif "finish_reason" in item:
                    fin = item["finish_reason"]
                    yield packet(
                        oa.chat_chunk(cid, model, {}, fin)
                        if chat
                        else oa.completion_chunk(cid, model, "", fin)
                    )
                    if include_usage:
                        usage = {
                            "id": cid,
                            "object": "chat.completion.chunk" if chat else "text_completion",
                            "model": model,
                            "choices": [],
                            "usage": oa.usage(n_prompt, item["completion_tokens"]),
                        }
                        yield packet(usage)
        except Exception as exc:  # the client already has a 200: report in-band, never hang
            yield packet(oa.error_body(f"generation failed: {exc}", kind="server_error"))
        yield "data: [DONE]\n\n"

    async def _relay_vllm(self, body: oa.SamplingFields, chat: bool) -> Any:
        from songsage.serve.vllm_backend import CHAT, COMPLETIONS, relay

        data = body.model_dump(exclude_none=True)
        data["model"] = body.model or self.s.model_id
        data.setdefault("max_tokens", self.s.default_max_tokens)
        status, out = await self._call(relay(self.generator, CHAT if chat else COMPLETIONS, data))
        if status != 200:
            return JSONResponse(out, status_code=status)
        return JSONResponse(out) if isinstance(out, dict) else StreamingResponse(out, media_type=SSE_MEDIA)

    # -- routes -------------------------------------------------------------------------------------
    @api.get("/healthz")
    async def healthz(self) -> dict[str, str]:
        """Liveness: the ingress answers."""
        return {"status": "ok"}

    @api.get("/readyz")
    async def readyz(self) -> JSONResponse:
        """Readiness: generator, embedder and recommender replicas answer; reports models and index rows."""
        try:
            calls = [self.embedder.info.remote(), self.recommender.info.remote()]
            if self.s.backend == "hf":
                calls.append(self.generator.info.remote())
            infos = await asyncio.wait_for(asyncio.gather(*calls), timeout=self.s.request_timeout_s)
        except Exception as exc:  # not ready yet (or a replica is down)
            return _error(503, f"not ready: {exc}", headers={"Retry-After": str(self.s.retry_after_s)})
        return JSONResponse(
            {
                "ready": True,
                "models": self.model_ids,
                "backend": self.s.backend,
                "encoder": infos[0],
                "index": infos[1],
            }
        )

    @api.get("/v1/models")
    async def models(self, request: Request) -> Any:
        """OpenAI model list: the base model id and each adapter."""
        if (denied := self._auth(request)) is not None:
            return denied
        return {
            "object": "list",
            "data": [
                {"id": m, "object": "model", "created": 0, "owned_by": "songsage"} for m in self.model_ids
            ],
        }

    @api.post("/v1/chat/completions")
    async def chat_completions(self, body: oa.ChatCompletionRequest, request: Request) -> Any:
        """Chat completion (chat template applied by the generator; stops at end-of-turn)."""
        if (denied := self._auth(request)) is not None:
            return denied
        return await self._guard(lambda: self._complete(body, body.chat(), chat=True))

    @api.post("/v1/completions")
    async def completions(self, body: oa.CompletionRequest, request: Request) -> Any:
        """Text completion: the prompt is sent as one user turn through the same chat path."""
        if (denied := self._auth(request)) is not None:
            return denied
        return await self._guard(
            lambda: self._complete(body, [{"role": "user", "content": body.prompt_text()}], chat=False)
        )

    @api.post("/v1/embeddings")
    async def embeddings(self, body: oa.EmbeddingRequest, request: Request) -> Any:
        """Embeddings from the shared encoder (unit-norm float vectors)."""
        if (denied := self._auth(request)) is not None:
            return denied

        async def run() -> Any:
            texts = body.texts()
            if not texts or len(texts) > self.s.max_embedding_inputs:
                raise RequestError(
                    400,
                    f"input: give 1..{self.s.max_embedding_inputs} texts "
                    f"(serve.max_embedding_inputs), got {len(texts)}",
                    "input",
                )
            if any(len(t) > self.s.max_input_chars for t in texts):
                raise RequestError(
                    400,
                    f"input: a text exceeds {self.s.max_input_chars} characters (serve.max_input_chars)",
                    "input",
                )
            vecs = await self._call(self.embedder.embed.remote(texts, body.input_type))
            return oa.embedding_response(
                body.model or self.cfg.encoder.name_or_path,
                [oa.encode_vector(v, body.encoding_format) for v in vecs],
                0,
            )

        return await self._guard(run)

    @api.post("/v1/playlists/recommend")
    async def recommend(self, body: oa.RecommendRequest, request: Request) -> Any:
        """Top-k playlists for a free-text query (optional generator rewrite first)."""
        if (denied := self._auth(request)) is not None:
            return denied

        async def run() -> Any:
            k = body.top_k or self.s.top_k
            if k > self.s.max_top_k:
                raise RequestError(
                    400, f"top_k: {k} exceeds the limit {self.s.max_top_k} (serve.max_top_k)", "top_k"
                )
            if len(body.query) > self.s.max_input_chars:
                raise RequestError(400, f"query: longer than {self.s.max_input_chars} characters", "query")
            rewrite = self.s.rewrite if body.rewrite is None else body.rewrite
            res = await self._call(self.recommender.recommend.remote(body.query, k, rewrite))
            if "error" in res:
                raise RequestError(int(res.get("status", 500)), res["error"])
            return res

        return await self._guard(run)


# ---------------------------------------------------------------------------------------------------
# Builders and lifecycle
# ---------------------------------------------------------------------------------------------------
def build_serve_app(cfg: Config) -> Any:
    """The bound application for ``cfg`` (hf or vllm generator; same ingress and routes)."""
    tree = to_dict(cfg)
    s = cfg.serve
    if s.backend == "vllm":
        from songsage.serve.vllm_backend import build_llm_deployment

        generator = build_llm_deployment(cfg)
    else:
        generator = GeneratorServer.options(**deployment_options(s.generator)).bind(tree)
    embedder = EmbedderServer.options(**deployment_options(s.embedder)).bind(
        to_dict(cfg.encoder), s.batch_max_size, s.batch_wait_timeout_s
    )
    recommender = RecommenderServer.options(**deployment_options(s.recommender)).bind(
        tree, embedder, generator
    )
    token = os.environ.get(s.auth_token_env, "") if s.auth_token_env else ""
    return Ingress.options(**deployment_options(s.ingress)).bind(
        tree, generator, embedder, recommender, token
    )


def _base_dir(path: str) -> Path:
    """Directory relative paths are resolved against: the cwd if ``path`` exists there, else the repo
    root (``serve run`` builds the app in a Ray worker whose cwd may differ)."""
    p = Path(path)
    return Path.cwd() if p.is_absolute() or p.exists() else REPO_DIR


def absolute_paths(cfg: Config, base: Path) -> Config:
    """``cfg`` with run/index/playlist paths made absolute against ``base`` (replicas have other cwds)."""
    from songsage.config.paths import resolve_path

    cfg.run.dir = resolve_path(cfg.run.dir, base)
    cfg.data.playlists = resolve_path(cfg.data.playlists, base)
    cfg.serve.index_dir = resolve_path(cfg.serve.index_dir, base)
    cfg.serve.playlists = resolve_path(cfg.serve.playlists, base)
    return cfg


def build_app(args: dict[str, Any]) -> Any:
    """Serve config builder (``import_path: songsage.serve.app:build_app``): args ``config`` (profile
    path, default configs/local.yaml) and ``set`` (list of ``dotted.key=value`` overrides)."""
    path = str(args.get("config", DEFAULT_PROFILE))
    base = _base_dir(path)
    cfg = load_config(str(base / path), [str(o) for o in args.get("set") or []])
    return build_serve_app(absolute_paths(cfg, base))


def base_url(cfg: Config) -> str:
    """``http://host:port<route_prefix>`` without a trailing slash (the OpenAI ``base_url`` adds ``/v1``)."""
    return f"http://{cfg.serve.host}:{cfg.serve.port}{cfg.serve.route_prefix.rstrip('/')}"


def wait_ready(cfg: Config, timeout_s: float | None = None) -> dict[str, Any]:
    """Poll ``/readyz`` until 200 (returns its JSON) or raise TimeoutError after ``serve.ready_timeout_s``."""
    import time

    import httpx

    deadline = time.monotonic() + (timeout_s or cfg.serve.ready_timeout_s)
    last = ""
    while time.monotonic() < deadline:
        try:
            r = httpx.get(base_url(cfg) + "/readyz", timeout=cfg.serve.request_timeout_s)
            if r.status_code == 200:
                return dict(r.json())
            last = f"HTTP {r.status_code}: {r.text[:200]}"
        except httpx.HTTPError as exc:
            last = str(exc)
        time.sleep(cfg.serve.batch_wait_timeout_s * 10 + 0.2)
    raise TimeoutError(f"serve not ready after {timeout_s or cfg.serve.ready_timeout_s} s: {last}")


def start(cfg: Config, blocking: bool = False) -> Any:
    """Start Serve's HTTP proxy on ``serve.host:port`` and deploy the app (Ray must be initialised)."""
    serve.start(
        http_options={"host": cfg.serve.host, "port": cfg.serve.port},
        proxy_location=cfg.serve.proxy_location,
    )
    return serve.run(
        build_serve_app(absolute_paths(cfg, Path.cwd())),
        name=cfg.serve.app_name,
        route_prefix=cfg.serve.route_prefix,
        blocking=blocking,
    )


def stop(cfg: Config) -> None:
    """Delete the app and shut Serve down."""
    serve.delete(cfg.serve.app_name)
    serve.shutdown()
