#!/usr/bin/env python3
"""Fail when code, jobs, configs or the Makefile name a path outside the repository.

    python .ci/check_paths.py [ROOT]     # ROOT defaults to the repository this file is in

Flags, per line of every text file under platform/, jobs/, configs/ and the Makefile:
* a relative path that starts by climbing out of its base (``../shared/...``): configs are read from the
  repository root, so any leading ``../`` escapes it;
* an absolute path of one machine (``/work/...``, ``/home/...``, ``/Users/...``, ``/tmp/...``, ``/mnt/...``,
  ``C:\\Users\\...`` ...). URIs (``s3://bucket/home/x``) and paths inside a longer path are not flagged.
Prints ``file:line: reason: text`` for each hit and exits 1 when there is one, else 0.

There are no exceptions: the cluster profiles name hub ids, ``run:`` references and ``s3://`` URIs.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

SCANNED = ("platform", "jobs", "configs", "Makefile")
SUFFIXES = {".py", ".yaml", ".yml", ".json", ".toml", ".cfg", ".ini", ".sh", ".txt", ".md", ""}
# A path token starts at the line start or after a delimiter, never inside a word, a URI or a longer path.
_START = r"(?:^|(?<=[\s\"'`=:(\[{,]))"
PARENT = re.compile(_START + r"\.\./")
MACHINE = re.compile(
    _START + r"(?<!:/)(?<!://)/(?:work|home|Users|tmp|mnt|root|opt|srv|scratch|data|var|private|Volumes)/\S*"
    r"|\b[A-Za-z]:\\\\?Users\\"
)


def _build_output(path: Path) -> bool:
    """True for files that pip and Python write into the tree (not the project's own text)."""
    return any(part == "__pycache__" or part.endswith(".egg-info") for part in path.parts)


def _files(root: Path) -> Iterator[Path]:
    for name in SCANNED:
        top = root / name
        if top.is_file():
            yield top
        elif top.is_dir():
            for p in sorted(top.rglob("*")):
                if p.is_file() and p.suffix in SUFFIXES and not _build_output(p):
                    yield p


def find_outside_paths(root: Path) -> list[str]:
    """Return ``rel/file:line: reason: text`` for every path outside the repository under ``root``."""
    hits = []
    for path in _files(root):
        rel = path.relative_to(root).as_posix()
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            continue
        for no, line in enumerate(lines, 1):
            if PARENT.search(line):
                hits.append(f"{rel}:{no}: relative path leaves the repository: {line.strip()}")
            for m in MACHINE.finditer(line):
                hits.append(f"{rel}:{no}: absolute machine path {m.group(0)!r}: {line.strip()}")
    return hits


def main(argv: list[str]) -> int:
    root = Path(argv[0]).resolve() if argv else Path(__file__).resolve().parents[1]
    hits = find_outside_paths(root)
    for h in hits:
        print(h)
    if hits:
        print(f"{len(hits)} path(s) outside the repository; ship the data in the repo or use a config key")
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
