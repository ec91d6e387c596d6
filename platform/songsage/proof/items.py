"""Per-item scores of each compared model, aligned item by item, for the paired bootstrap.

Each function turns one evaluation's per-item output into :class:`ItemMetric` rows: a metric name, its
direction, the statistic over items (``mean`` or token-weighted ``perplexity``) and, per model, an array
whose row i is the same held-out item for every model. Inputs are what the evaluations write:
Table 2's ``predictions.parquet``, PlaylistSense's ``rankings.parquet``, multiple choice's per-model
prediction frames, and perplexity's ``(nll_sum, tokens)`` arrays.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from songsage.eval.metrics import row_cosines
from songsage.eval.task_metrics import LYRIC_COLUMNS, PLAYLIST_COLUMNS, SCORED_TASKS, score_task


@dataclass
class ItemMetric:
    """One results-table row before the bootstrap: model name -> per-item array (same items, same order)."""

    name: str
    higher_is_better: bool
    statistic: str  # "mean" | "perplexity"
    per_model: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_items(self) -> int:
        return len(next(iter(self.per_model.values()))) if self.per_model else 0


# Table 2 metric key -> its column label (task_metrics' own column list); edit distance is the one lower-better.
_TABLE2 = {key: f"{block} {col}" for block, col, key, _ in PLAYLIST_COLUMNS + LYRIC_COLUMNS}
_LOWER_IS_BETTER = {"lyrics_title/edit_distance"}


def _aligned(frame: pd.DataFrame, key: list[str], models: list[str]) -> dict[str, pd.DataFrame]:
    """Per model, its rows sorted by ``key``; raises ValueError when models saw different items."""
    out = {m: frame[frame["model"] == m].sort_values(key).reset_index(drop=True) for m in models}
    ref = out[models[0]][key]
    for m in models[1:]:
        if not out[m][key].equals(ref):
            raise ValueError(f"models {models[0]!r} and {m!r} were scored on different items ({key})")
    return out


def table2_items(predictions: pd.DataFrame, models: list[str], encoder: Any = None) -> list[ItemMetric]:
    """Table 2 metrics per validation sample (``predictions.parquet``: sample_id, task, model, prediction,
    reference). Emb-Sim is the cosine of each prediction with its reference under ``encoder``."""
    metrics: list[ItemMetric] = []
    for task in SCORED_TASKS:
        frame = predictions[predictions["task"] == task]
        if frame.empty:
            continue
        per = _aligned(frame, ["sample_id"], models)
        scores: dict[str, dict[str, np.ndarray]] = {}
        for m, g in per.items():
            preds, refs = g["prediction"].astype(str).tolist(), g["reference"].astype(str).tolist()
            if task == "playlist_description":
                if encoder is None:
                    raise ValueError("playlist_description needs an encoder for Emb-Sim")
                cos = row_cosines(encoder.encode(preds, role="passage"), encoder.encode(refs, role="passage"))
                scores[m] = {"emb_sim": cos.astype(np.float64)}
                continue
            rows = [score_task(task, [p], [r]) for p, r in zip(preds, refs, strict=True)]
            scores[m] = {k: np.array([row[k] for row in rows], dtype=np.float64) for k in rows[0]}
        for k in scores[models[0]]:
            key = f"{task}/{k}"
            label = _TABLE2.get(key, f"{task} {k}")
            higher = key not in _LOWER_IS_BETTER
            metrics.append(ItemMetric(f"Table 2: {label}", higher, "mean", {m: scores[m][k] for m in models}))
    return metrics


def playlistsense_items(rankings: pd.DataFrame, models: list[str], ks: list[int]) -> list[ItemMetric]:
    """HR@k per query (``rankings.parquet``: model, playlist_id, perspective, query, top_ids JSON)."""
    per = _aligned(rankings, ["playlist_id", "perspective", "query"], models)
    out = []
    for k in ks:
        hits = {
            m: np.array(
                [
                    gold in json.loads(top)[:k]
                    for gold, top in zip(g["playlist_id"], g["top_ids"], strict=True)
                ],
                dtype=np.float64,
            )
            for m, g in per.items()
        }
        out.append(ItemMetric(f"PlaylistSense HR@{k}", True, "mean", hits))
    return out


def choice_items(predictions: dict[str, pd.DataFrame], bench: str, shots: int) -> ItemMetric:
    """Accuracy per question (each model's predictions frame: category, answer, pred, in question order)."""
    models = list(predictions)
    n = {m: len(f) for m, f in predictions.items()}
    if len(set(n.values())) != 1:
        raise ValueError(f"{bench}: models answered different numbers of questions: {n}")
    correct = {
        m: (f["pred"].astype(str) == f["answer"].astype(str)).to_numpy(dtype=np.float64)
        for m, f in predictions.items()
    }
    return ItemMetric(f"{bench} {shots}-shot accuracy", True, "mean", {m: correct[m] for m in models})


def perplexity_item(name: str, per_model: dict[str, np.ndarray]) -> ItemMetric:
    """A perplexity row from ``(nll_sum, tokens)`` arrays (lower is better)."""
    return ItemMetric(name, False, "perplexity", per_model)
