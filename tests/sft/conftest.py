"""Fixtures for the SFT/DPO tests (helpers in ``tests/sft/sftdata.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.sft.sftdata import ChatServer, write_curated


@pytest.fixture(scope="session")
def curated_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run directory holding curated songs/playlists tables from the sample data."""
    return write_curated(tmp_path_factory.mktemp("sft-run"))


@pytest.fixture
def chat_server() -> Iterator[Callable[[Callable[[dict], str]], ChatServer]]:
    """Factory ``chat_server(reply)`` -> a running :class:`ChatServer` (closed after the test)."""
    servers: list[ChatServer] = []

    def make(reply: Callable[[dict], str]) -> ChatServer:
        servers.append(ChatServer(reply))
        return servers[-1]

    yield make
    for s in servers:
        s.close()
