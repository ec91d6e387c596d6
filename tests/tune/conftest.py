"""Fixtures for the sweep tests: the training tests' packed shards and a tiny pretraining profile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.train.conftest import SHARD_FILES, SHARD_SEQ_LEN, SHARD_SONGS, write_shards


@pytest.fixture(scope="session")
def sweep_shards(tmp_path_factory: pytest.TempPathFactory, qwen_tokenizer: Any) -> Path:
    """The training tests' packed 64-token shards of 600 public-domain lyrics (~1,100 rows): enough for 8 steps
    of batch 2 and a held-out split."""
    return write_shards(
        tmp_path_factory.mktemp("sweep-data"), qwen_tokenizer, SHARD_SEQ_LEN, SHARD_SONGS, SHARD_FILES
    )
