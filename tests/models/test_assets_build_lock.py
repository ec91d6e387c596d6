"""Set-up builds DeepSpeed's CPU op once; a build lock left by a killed build is cleared, a live one is not."""

import os
import time
from pathlib import Path

from songsage.models.assets import STALE_BUILD_LOCK_S, clear_stale_build_lock


def test_stale_build_lock_is_removed_and_a_fresh_one_kept(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TORCH_EXTENSIONS_DIR", str(tmp_path))
    lock = tmp_path / "deepspeed_shm_comm" / "lock"
    lock.parent.mkdir(parents=True)
    lock.touch()
    assert not clear_stale_build_lock("deepspeed_shm_comm") and lock.exists()  # a build may be running
    old = time.time() - STALE_BUILD_LOCK_S - 5
    os.utime(lock, (old, old))
    assert clear_stale_build_lock("deepspeed_shm_comm") and not lock.exists()
    assert not clear_stale_build_lock("deepspeed_shm_comm")  # nothing left to clear
