"""Pydantic request models and response builders of the OpenAI-compatible routes.

Requests are validated by FastAPI; a violation becomes a 422 whose ``error.param`` and message name the
field (see :func:`validation_error_body`). Limits that depend on the serve config (``max_tokens``,
prompt tokens, ``top_k``) are checked in the ingress and answered with 400 naming the field.
Responses follow the OpenAI wire format closely enough for the official ``openai`` client.
"""

from __future__ import annotations

import time
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Role = Literal["system", "user", "assistant", "developer"]


class ChatMessage(BaseModel):
    """One chat turn. ``content`` may be a string or OpenAI text parts (``[{"type":"text","text":...}]``)."""

    model_config = ConfigDict(extra="ignore")
    role: Role
    content: str | list[dict[str, Any]]
    name: str | None = None

    def text(self) -> str:
        """The turn's text (text parts joined)."""
        if isinstance(self.content, str):
            return self.content
        return "".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")


class SamplingFields(BaseModel):
    """Fields shared by chat and text completions. ``max_tokens`` None -> the server default."""

    model_config = ConfigDict(extra="ignore")
    model: str = ""
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    top_p: float = Field(default=1.0, gt=0.0, le=1.0)
    n: int = Field(default=1, ge=1, le=1)
    stream: bool = False
    stop: str | list[str] | None = None
    seed: int | None = None
    user: str | None = None
    # {"include_usage": true} adds a final usage chunk to a stream.
    stream_options: dict[str, Any] | None = None

    def include_usage(self) -> bool:
        """Whether a stream ends with a usage chunk."""
        return bool(self.stream_options and self.stream_options.get("include_usage"))

    def stop_list(self) -> list[str]:
        """Stop strings as a list (empty strings dropped)."""
        if self.stop is None:
            return []
        return [s for s in ([self.stop] if isinstance(self.stop, str) else self.stop) if s]

    def requested_max_tokens(self) -> int | None:
        """``max_completion_tokens`` (newer clients) or ``max_tokens``."""
        return self.max_completion_tokens or self.max_tokens


class ChatCompletionRequest(SamplingFields):
    """``POST /v1/chat/completions``."""

    messages: list[ChatMessage] = Field(min_length=1)

    def chat(self) -> list[dict[str, str]]:
        """Messages as the generator's ``[{"role", "content"}]`` (developer -> system)."""
        role = {"developer": "system"}
        return [{"role": role.get(m.role, m.role), "content": m.text()} for m in self.messages]


class CompletionRequest(SamplingFields):
    """``POST /v1/completions``: one prompt (a string or a one-element list), sent as a user turn."""

    prompt: str | list[str]

    @field_validator("prompt")
    @classmethod
    def _one_prompt(cls, v: str | list[str]) -> str | list[str]:
        if isinstance(v, list) and len(v) != 1:
            raise ValueError("only one prompt per request is supported")
        return v

    def prompt_text(self) -> str:
        """The prompt string."""
        return self.prompt if isinstance(self.prompt, str) else self.prompt[0]


class EmbeddingRequest(BaseModel):
    """``POST /v1/embeddings``: ``input`` is a string or a list of strings; float or base64 encoding."""

    model_config = ConfigDict(extra="ignore")
    input: str | list[str]
    model: str = ""
    # The openai client asks for base64 (little-endian float32 bytes) by default.
    encoding_format: Literal["float", "base64"] = "float"
    # "query" (retrieval queries) or "passage" (documents); e5/bge prefixes differ by role.
    input_type: Literal["query", "passage"] = "passage"
    user: str | None = None

    def texts(self) -> list[str]:
        """Inputs as a list."""
        return [self.input] if isinstance(self.input, str) else list(self.input)


class RecommendRequest(BaseModel):
    """``POST /v1/playlists/recommend``. ``rewrite`` None -> the server's ``serve.rewrite``."""

    model_config = ConfigDict(extra="ignore")
    query: str = Field(min_length=1)
    top_k: int | None = Field(default=None, ge=1)
    rewrite: bool | None = None


def _id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:24]}"


def usage(prompt_tokens: int, completion_tokens: int) -> dict[str, int]:
    """OpenAI ``usage`` block (token counts)."""
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def chat_response(
    model: str, text: str, finish: str, prompt_tokens: int, completion_tokens: int
) -> dict[str, Any]:
    """A non-streaming ``chat.completion`` object."""
    return {
        "id": _id("chatcmpl"),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": finish,
                "logprobs": None,
            }
        ],
        "usage": usage(prompt_tokens, completion_tokens),
    }


def completion_response(
    model: str, text: str, finish: str, prompt_tokens: int, completion_tokens: int
) -> dict[str, Any]:
    """A non-streaming ``text_completion`` object."""
    return {
        "id": _id("cmpl"),
        "object": "text_completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "text": text, "finish_reason": finish, "logprobs": None}],
        "usage": usage(prompt_tokens, completion_tokens),
    }


def chat_chunk(cid: str, model: str, delta: dict[str, str], finish: str | None) -> dict[str, Any]:
    """One ``chat.completion.chunk`` of a stream."""
    return {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
    }


def completion_chunk(cid: str, model: str, text: str, finish: str | None) -> dict[str, Any]:
    """One streamed ``text_completion`` chunk."""
    return {
        "id": cid,
        "object": "text_completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "text": text, "finish_reason": finish, "logprobs": None}],
    }


def new_stream_id(chat: bool) -> str:
    """A response id for a stream's chunks."""
    return _id("chatcmpl" if chat else "cmpl")


def encode_vector(vector: Any, encoding_format: str) -> list[float] | str:
    """A float32 vector as a JSON list (``float``) or base64 of its little-endian bytes (``base64``)."""
    import base64

    import numpy as np

    arr = np.asarray(vector, dtype="<f4")
    return base64.b64encode(arr.tobytes()).decode("ascii") if encoding_format == "base64" else arr.tolist()


def embedding_response(model: str, vectors: list[list[float] | str], prompt_tokens: int) -> dict[str, Any]:
    """``list`` of ``embedding`` objects in input order (vectors already encoded)."""
    return {
        "object": "list",
        "model": model,
        "usage": {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens},
        "data": [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)],
    }


def error_body(
    message: str, param: str | None = None, kind: str = "invalid_request_error", code: str | None = None
) -> dict[str, Any]:
    """OpenAI error envelope ``{"error": {"message", "type", "param", "code"}}``."""
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def validation_error_body(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """422 body from FastAPI/pydantic errors: message ``<field>: <reason>`` per error, first field as param."""
    parts, first = [], None
    for err in errors:
        loc = [str(x) for x in err.get("loc", ()) if x != "body"]
        field = ".".join(loc) or "body"
        first = first or field
        parts.append(f"{field}: {err.get('msg', 'invalid')}")
    body = error_body("; ".join(parts) or "invalid request", param=first)
    body["detail"] = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")} for e in errors
    ]
    return body
