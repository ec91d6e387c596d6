"""Fixtures for the sweep tests: the training tests' packed shards and a tiny pretraining profile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SAMPLE
from tests.train.conftest import write_shards


@pytest.fixture(scope="session")
def sweep_shards(tmp_path_factory: pytest.TempPathFactory, qwen_tokenizer: Any) -> Path:
    """Packed 64-token shards of the repo's 642 sample lyrics: enough for 8 steps of batch 2 and a held-out split
    (no corpus beside the repo needed)."""
    return write_shards(
        tmp_path_factory.mktemp("sweep-data"), qwen_tokenizer, 64, 642, 2, SAMPLE / "songs.jsonl"
    )
