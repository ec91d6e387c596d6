"""Shared fixtures: one local Ray session for the whole test run, paths to the repo and its shipped data."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ChatServer, S3Server, free_port

REPO = Path(__file__).resolve().parents[1]
PUBLIC_DOMAIN = REPO / "data" / "corpora" / "public-domain-lyrics"
ZIQI = REPO / "data" / "benchmarks" / "ziqi-eval"
SAMPLE = REPO / "data" / "sample"

os.environ.setdefault("RAY_TRAIN_HEALTH_CHECK_INTERVAL_S", "0.2")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

# The S3-compatible test server's address and credentials go into the environment at import, before the
# shared Ray session starts, so Ray workers (pyarrow, boto3) see them too; `s3_server` starts the server.
S3_PORT = free_port()
S3_BUCKET = "songsage"
S3_ENV = {
    "AWS_ENDPOINT_URL": f"http://127.0.0.1:{S3_PORT}",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
os.environ.update(S3_ENV)


@pytest.fixture(scope="session")
def ray_session():
    """One local Ray (2 CPUs) shared by every test that needs it."""
    import ray

    from songsage.config.schema import RayConfig
    from songsage.raysession import init_ray

    init_ray(RayConfig(num_cpus=2, target_blocks=2, progress_bars=False))
    yield ray
    ray.shutdown()


@pytest.fixture(scope="session")
def qwen_tokenizer():
    """The exact Qwen2.5 tokenizer, rebuilt offline."""
    from songsage.config.schema import TokenizerConfig
    from songsage.models.tokenizer import load_tokenizer

    return load_tokenizer(TokenizerConfig())


@pytest.fixture(scope="session")
def tiny_model_cfg():
    """The registry's tiny-qwen2 at test size (random weights, exact Qwen2.5 tokenizer)."""
    from songsage.config.train import ModelConfig, TinyModelConfig

    tiny = TinyModelConfig(hidden_size=64, num_layers=2, num_heads=4, num_kv_heads=2, intermediate_size=128)
    return ModelConfig(name_or_path="tiny-qwen2", tiny=tiny)


@pytest.fixture
def chat_server() -> Iterator[Callable[..., ChatServer]]:
    """Factory: ``chat_server(reply, fail_first=0, ...)`` -> a running local chat server (closed after)."""
    servers: list[ChatServer] = []

    def make(reply: Callable[[dict], str], fail_first: int = 0, **kwargs: Any) -> ChatServer:
        servers.append(ChatServer(reply, fail_first, **kwargs))
        return servers[-1]

    yield make
    for s in servers:
        s.close()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """moto's S3 server on 127.0.0.1 (the environment's ``AWS_ENDPOINT_URL``) with the bucket ``songsage``."""
    server = S3Server(S3_PORT, S3_BUCKET)
    yield server
    server.close()


@pytest.fixture
def s3_dir(s3_server: S3Server, request: pytest.FixtureRequest) -> str:
    """A fresh ``s3://songsage/tests/<test name>`` prefix (emptied first)."""
    uri = f"s3://{S3_BUCKET}/tests/{request.node.name}"
    s3_server.clear(uri)
    return uri
