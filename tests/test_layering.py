"""Imports run downward: the layering of songsage's subpackages, read from the source with ``ast``.

Layer of a module = its first component below ``songsage`` (``songsage.data.sft.build`` -> ``data``,
``songsage.cli`` -> ``cli``). Function-level imports count: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "platform" / "songsage"
# layer -> the songsage layers it may import (itself always allowed).
ALLOWED = {
    "config": set(),
    "storage": {"config"},
    "prompts": set(),
    "markdown": set(),
}
# Layers that must not import the evaluation (the evaluation sits above them).
NO_EVAL = {"config", "storage", "prompts", "markdown", "tracking", "data", "train", "tune", "serve", "models"}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "songsage" and len(parts) > 1 else None


def songsage_imports(package: Path = PACKAGE) -> list[tuple[str, int, str, str]]:
    """(file relative to the package, line, importing layer, imported layer) for every songsage import."""
    out = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package)
        own = rel.parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # ``from songsage import storage`` imports the subpackage ``songsage.storage``.
                targets = (
                    [f"songsage.{a.name}" for a in node.names] if node.module == "songsage" else [node.module]
                )
            else:
                continue
            for target in targets:
                layer = _layer(target)
                if layer and layer != own:
                    out.append((str(rel), node.lineno, own, layer))
    return out


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the layer graph as a path ``[a, b, ..., a]``, or None."""
    state: dict[str, int] = {}  # 1 = on the DFS stack, 2 = done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], node, nxt]  # nxt is on the stack: path holds it
            if nxt not in state and (found := visit(nxt, [*path, node])):
                return found
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (found := visit(start, [])):
            return found
    return None


def test_cycle_finder_finds_and_clears() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


IMPORTS = songsage_imports()


def test_the_import_scan_sees_the_package() -> None:
    layers = {own for _, _, own, _ in IMPORTS}
    assert {"data", "eval", "serve", "train", "models"} <= layers


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_ground_floor_imports_nothing_above_it(layer: str) -> None:
    bad = [
        f"{f}:{n} imports songsage.{t}"
        for f, n, own, t in IMPORTS
        if own == layer and t not in ALLOWED[layer]
    ]
    assert not bad, "\n".join(bad)


def test_only_the_orchestration_imports_the_evaluation() -> None:
    bad = [f"{f}:{n} imports songsage.eval" for f, n, own, t in IMPORTS if own in NO_EVAL and t == "eval"]
    assert not bad, "\n".join(bad)


def test_no_import_cycles_between_layers() -> None:
    edges: dict[str, set[str]] = {}
    for _, _, own, target in IMPORTS:
        edges.setdefault(own, set()).add(target)
    cycle = _cycle(edges)
    where = (
        [
            f"{f}:{n}"
            for f, n, own, t in IMPORTS
            if cycle and (own, t) in set(zip(cycle, cycle[1:], strict=False))
        ]
        if cycle
        else []
    )
    assert cycle is None, f"cycle {' -> '.join(cycle or [])}: " + ", ".join(where)
