"""OpenBLAS CPU-kernel selection for libraries that bundle an old OpenBLAS (the faiss-cpu wheel).

faiss-cpu 1.15.1 ships OpenBLAS 0.3.15, which does not recognise recent Xeons and falls back to its
generic ``Prescott`` (SSE3) kernels, while numpy's newer OpenBLAS picks ``SkylakeX`` on the same CPU.
Measured on the 2-core dev machine (100k x 512 base, 2,000 queries, top-5): faiss 58 GFLOP/s with the
detected kernel, 212 GFLOP/s with ``OPENBLAS_CORETYPE=SkylakeX`` (3.6x). OpenBLAS reads the variable
when the library loads, so :func:`select_openblas_coretype` must run before ``import faiss``; a value the
user already set is never changed.
"""

from __future__ import annotations

import os
from pathlib import Path

CPUINFO = Path("/proc/cpuinfo")
# OpenBLAS core name -> CPU flags its kernels need (checked most capable first).
CORETYPES = [
    ("SkylakeX", {"avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"}),
    ("Haswell", {"avx2", "fma"}),
]


def cpu_flags(cpuinfo: Path = CPUINFO) -> set[str]:
    """The ``flags`` of the first CPU in ``/proc/cpuinfo`` (empty set where the file does not exist)."""
    try:
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def coretype_for(flags: set[str]) -> str:
    """The most capable OpenBLAS core whose required flags are all present ('' = leave detection alone)."""
    for name, needed in CORETYPES:
        if needed <= flags:
            return name
    return ""


def select_openblas_coretype(cpuinfo: Path = CPUINFO) -> str:
    """Set ``OPENBLAS_CORETYPE`` from the CPU flags unless already set; returns the value in effect."""
    if os.environ.get("OPENBLAS_CORETYPE"):
        return os.environ["OPENBLAS_CORETYPE"]
    core = coretype_for(cpu_flags(cpuinfo))
    if core:
        os.environ["OPENBLAS_CORETYPE"] = core
    return core
