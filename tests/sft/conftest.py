"""Fixtures for the SFT/DPO tests (helpers in ``tests/sft/sftdata.py``; chat_server in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sft.sftdata import write_curated


@pytest.fixture(scope="session")
def curated_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run directory holding curated songs/playlists tables from the sample data."""
    return write_curated(tmp_path_factory.mktemp("sft-run"))
