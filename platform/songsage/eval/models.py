"""The models an evaluation compares: ``eval.model`` (default: this run's latest trained stage) plus
``eval.compare``, each as ``(name, GeneratorConfig)`` with its model path resolved.

Resolution of an hf generator's ``model``: ``""`` for ``eval.model`` -> the newest stage output that
exists in the run directory (``dpo/adapter``, ``sft/adapter``, ``pretrain/model``), else the root
``model.name_or_path``; ``run:<rel>`` -> ``<run.dir>/<rel>``; anything else unchanged (registry
name, model/adapter directory, hub id). Adapter directories load as base + merged adapter
(:func:`songsage.models.registry.load_model`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from songsage.config import Config
from songsage.config.eval import GeneratorConfig
from songsage.models.runs import latest_trained, resolve_model_ref


def evaluated_model(cfg: Config) -> tuple[str, GeneratorConfig]:
    """``(name, generator)`` of ``eval.model`` with its model reference resolved."""
    gen = cfg.eval.model
    if gen.backend != "hf":
        return cfg.eval.model_name or gen.model or gen.base_url, gen
    if gen.model:
        path = resolve_model_ref(gen.model, cfg)
        return cfg.eval.model_name or Path(path).name or path, dataclasses.replace(gen, model=path)
    found = latest_trained(cfg)
    if found:
        return cfg.eval.model_name or found[0], dataclasses.replace(gen, model=found[1])
    return cfg.eval.model_name or cfg.model.name_or_path, gen


def evaluated_models(cfg: Config) -> list[tuple[str, GeneratorConfig]]:
    """The evaluated model first, then every ``eval.compare`` entry (``run:`` references resolved)."""
    out = [evaluated_model(cfg)]
    for c in cfg.eval.compare:
        # A NamedGeneratorConfig is a GeneratorConfig: used as is, only its model reference resolved.
        gen = (
            dataclasses.replace(c, model=resolve_model_ref(c.model, cfg))
            if c.backend == "hf" and c.model
            else c
        )
        out.append((c.name, gen))
    names = [n for n, _ in out]
    if len(set(names)) != len(names):
        raise ValueError(f"eval: evaluated model names collide: {names}; set eval.model_name")
    return out
