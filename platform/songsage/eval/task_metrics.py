"""Table 2 task metrics over the LyricBank-SFT validation split, for every evaluated model.

Input: ``<eval.task_metrics.data or run.dir/build_sft>/validation/*.parquet`` (``sample_id``, ``task``,
``language``, ``messages``: the chat whose last assistant turn is the reference). Each evaluated model
(:func:`songsage.eval.models.evaluated_models`) answers the prompt (the chat without its last turn)
through the shared generator (Ray Data actor pool or an OpenAI-compatible endpoint). Scores per task:

- ``playlist_tags``: tag set precision and F1 (:func:`~songsage.eval.metrics.mean_tag_scores`);
- ``playlist_description``: mean cosine of prediction and reference embeddings (Emb-Sim, configured encoder);
- ``lyrics_artist``: exact and partial match rates; ``lyrics_title``: title F1 (character-level for CJK)
  and mean character edit distance; ``lyrics_emotion``: accuracy.

The query-rewrite block of Table 2 (R@1, R@5, Emb-Sim) comes from the PlaylistSense evaluation of the same
run (``<out>/../playlistsense/rewrite.csv``) when it ran. Generation-task predictions
(``generation_tasks``) are saved for the judge (``lyrics_for_judge.parquet``). All values are fractions
except edit distance (characters); tables print percent like the paper.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from songsage.config import Config
from songsage.config.eval import GeneratorConfig
from songsage.config.paths import join, resolve_path, run_dir
from songsage.eval.metrics import (
    artist_exact_match,
    artist_partial_match,
    emb_sim,
    emotion_accuracy,
    mean_tag_scores,
    split_tags,
    title_edit_distance,
    title_f1,
)
from songsage.markdown import markdown_table

PREDICTIONS_FILE = "predictions.parquet"
JUDGE_LYRICS_FILE = "lyrics_for_judge.parquet"
SCORED_TASKS = ("playlist_tags", "playlist_description", "lyrics_artist", "lyrics_title", "lyrics_emotion")
# Table 2 columns: (block, column, metric key, percent?, lower is better?).
PLAYLIST_COLUMNS = [
    ("User-query Rewrite", "R@1", "rewrite/R@1", True),
    ("User-query Rewrite", "R@5", "rewrite/R@5", True),
    ("User-query Rewrite", "Emb-Sim", "rewrite/Emb-Sim", True),
    ("Playlist to Tags", "Precision", "playlist_tags/precision", True),
    ("Playlist to Tags", "F1-Score", "playlist_tags/f1", True),
    ("Playlist to Description", "Emb-Sim", "playlist_description/emb_sim", True),
]
LYRIC_COLUMNS = [
    ("Infer Artist", "Exact Match", "lyrics_artist/exact", True),
    ("Infer Artist", "Partial Match", "lyrics_artist/partial", True),
    ("Generate Song Title", "F1-Score", "lyrics_title/f1", True),
    ("Generate Song Title", "Edit Distance", "lyrics_title/edit_distance", False),
    ("Emotion Detection", "Accuracy", "lyrics_emotion/accuracy", True),
]


def validation_path(cfg: Config) -> str:
    """The validation split directory of LyricBank-SFT."""
    data = (
        resolve_path(cfg.eval.task_metrics.data)
        if cfg.eval.task_metrics.data
        else join(run_dir(cfg), "build_sft")
    )
    return join(data, "validation")


def load_samples(path: str, tasks: list[str], max_per_task: int) -> pd.DataFrame:
    """Validation samples of ``tasks`` with ``prompt`` (chat without its last turn, JSON) and ``reference``.

    Raises FileNotFoundError naming the path when the split is missing, ValueError naming the sample when a
    chat does not end with an assistant turn.
    """
    from songsage.storage import exists, read_table

    if not exists(path):
        raise FileNotFoundError(
            f"eval.task_metrics: no validation split at {path} (run jobs/build_sft.py, "
            "or set eval.task_metrics.data)"
        )
    df = read_table(path)
    df = df[df["task"].isin(tasks)].sort_values(["task", "sample_id"])
    if max_per_task:
        df = df.groupby("task", sort=True).head(max_per_task)
    prompts, refs = [], []
    for sid, messages in zip(df["sample_id"], df["messages"], strict=True):
        msgs = [{"role": str(m["role"]), "content": str(m["content"])} for m in messages]
        if not msgs or msgs[-1]["role"] != "assistant":
            raise ValueError(
                f"{path}: sample {sid}: messages must end with an assistant turn (the reference)"
            )
        prompts.append(json.dumps(msgs[:-1], ensure_ascii=False))
        refs.append(msgs[-1]["content"])
    return df.assign(prompt=prompts, reference=refs).reset_index(drop=True)[
        ["sample_id", "task", "language", "prompt", "reference"]
    ]


def score_task(task: str, preds: list[str], refs: list[str], encoder: Any = None) -> dict[str, float]:
    """Metrics of one task (keys as in the Table 2 columns, without the task prefix)."""
    if task == "playlist_tags":
        s = mean_tag_scores([split_tags(p) for p in preds], [split_tags(r) for r in refs])
        return {"precision": s["precision"], "f1": s["f1"]}
    if task == "playlist_description":
        if encoder is None:
            raise ValueError("playlist_description needs an encoder for Emb-Sim")
        return {
            "emb_sim": emb_sim(encoder.encode(preds, role="passage"), encoder.encode(refs, role="passage"))
        }
    if task == "lyrics_artist":
        return {
            "exact": float(np.mean([artist_exact_match(p, r) for p, r in zip(preds, refs, strict=True)])),
            "partial": float(np.mean([artist_partial_match(p, r) for p, r in zip(preds, refs, strict=True)])),
        }
    if task == "lyrics_title":
        return {
            "f1": float(np.mean([title_f1(p, r) for p, r in zip(preds, refs, strict=True)])),
            "edit_distance": float(
                np.mean([title_edit_distance(p, r) for p, r in zip(preds, refs, strict=True)])
            ),
        }
    if task == "lyrics_emotion":
        return {"accuracy": emotion_accuracy(preds, refs)}
    raise ValueError(f"no Table 2 metric for task {task!r}; scored tasks: {SCORED_TASKS}")


def predict(cfg: Config, gen: GeneratorConfig, samples: pd.DataFrame) -> list[str]:
    """The generator's answer to every sample prompt (row order kept)."""
    from songsage.eval.playlistsense import run_generation

    return run_generation(cfg, gen, [{"messages": json.loads(p)} for p in samples["prompt"]])


def rewrite_rows(out_dir: str) -> dict[str, dict[str, float]]:
    """PlaylistSense query-rewrite results of the same evaluation (model -> rewrite/R@k, rewrite/Emb-Sim; fractions)."""
    path = Path(out_dir).parent / "playlistsense" / "rewrite.csv"
    if not path.exists():
        return {}
    df = pd.read_csv(path)
    return {
        str(r.pop("model")): {f"rewrite/{k}": v / 100 for k, v in r.items()} for r in df.to_dict("records")
    }


def judge_lyrics_frame(predictions: pd.DataFrame, tasks: list[str]) -> pd.DataFrame:
    """Generation-task predictions in the judge's lyric table layout (task, model, keywords, first_half,
    continuation): keyword prompts fill ``keywords``, continuation/story prompts fill ``first_half``."""
    rows = []
    for r in predictions[predictions["task"].isin(tasks)].to_dict("records"):
        user = json.loads(r["prompt"])[-1]["content"]
        is_keywords = r["task"] == "keywords_to_lyrics"
        rows.append(
            {
                "task": r["task"],
                "model": r["model"],
                "sample_id": r["sample_id"],
                "keywords": user if is_keywords else "",
                "first_half": "" if is_keywords else user,
                "continuation": r["prediction"],
            }
        )
    return pd.DataFrame(
        rows, columns=["task", "model", "sample_id", "keywords", "first_half", "continuation"]
    )


def _cell(value: float | None, percent: bool) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "-"
    return f"{100 * value:.2f}" if percent else f"{value:.2f}"


def table2_markdown(rows: dict[str, dict[str, float]], counts: dict[str, int]) -> str:
    """Table 2 as two Markdown blocks (playlist-centric, lyric-centric); '-' where a metric was not measured."""
    parts = []
    for title, cols in (("Playlist-centric tasks", PLAYLIST_COLUMNS), ("Lyric-centric tasks", LYRIC_COLUMNS)):
        header = ["Model"] + [f"{block}: {col}" + (" ↓" if not pct else " ↑") for block, col, _, pct in cols]
        body = [[model] + [_cell(r.get(key), pct) for _, _, key, pct in cols] for model, r in rows.items()]
        parts.append("\n".join([f"**{title}**", "", *markdown_table(header, body)]))
    n = ", ".join(f"{t} {c}" for t, c in sorted(counts.items()))
    return (
        "\n\n".join(parts)
        + f"\n\nValidation samples per task: {n}. Percent except edit distance (characters).\n"
    )


def table2_frame(rows: dict[str, dict[str, float]]) -> pd.DataFrame:
    """Wide Table 2: one row per model; columns ``<block> <column>`` (percent, edit distance in characters)."""
    data = []
    for model, r in rows.items():
        rec: dict[str, Any] = {"model": model}
        for block, col, key, pct in [*PLAYLIST_COLUMNS, *LYRIC_COLUMNS]:
            v = r.get(key)
            rec[f"{block} {col}"] = None if v is None else round(100 * v if pct else v, 2)
        data.append(rec)
    return pd.DataFrame(data)


def evaluate_task_metrics(
    cfg: Config, out_dir: str, models: list[tuple[str, GeneratorConfig]] | None = None, encoder: Any = None
) -> dict[str, Any]:
    """Predict the validation split with every model, score Table 2, write tables + predictions.

    Returns ``rows`` (model -> ``<task>/<metric>`` values), ``counts`` (samples per task), ``files``,
    ``judge_lyrics`` (path of the generation predictions for the judge, '' when none).
    """
    from songsage.eval.models import evaluated_models
    from songsage.models.encoder import load_encoder

    tc = cfg.eval.task_metrics
    models = models or evaluated_models(cfg)
    path = validation_path(cfg)
    samples = load_samples(path, [*SCORED_TASKS, *tc.generation_tasks], tc.max_per_task)
    if samples.empty:
        raise ValueError(f"{path}: no samples of the tasks {[*SCORED_TASKS, *tc.generation_tasks]}")
    counts = samples["task"].value_counts().to_dict()
    needs_encoder = "playlist_description" in counts
    encoder = encoder or (load_encoder(cfg.encoder) if needs_encoder else None)
    rewrites = rewrite_rows(out_dir)
    rows: dict[str, dict[str, float]] = {}
    frames = []
    for name, gen in models:
        preds = predict(cfg, gen, samples)
        frame = samples.assign(model=name, prediction=preds)
        frames.append(frame)
        rows[name] = dict(rewrites.get(name, {}))
        for task, g in frame[frame["task"].isin(SCORED_TASKS)].groupby("task", sort=True):
            scores = score_task(str(task), g["prediction"].tolist(), g["reference"].tolist(), encoder)
            rows[name].update({f"{task}/{k}": v for k, v in scores.items()})
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    predictions = pd.concat(frames, ignore_index=True)
    predictions.to_parquet(out / PREDICTIONS_FILE, index=False)
    (out / "table2.md").write_text(table2_markdown(rows, {str(k): int(v) for k, v in counts.items()}))
    table2_frame(rows).to_csv(out / "table2.csv", index=False)
    judge_rows = judge_lyrics_frame(predictions, tc.generation_tasks)
    judge_path = ""
    if len(judge_rows):
        judge_path = str(out / JUDGE_LYRICS_FILE)
        judge_rows.to_parquet(judge_path, index=False)
    return {
        "rows": rows,
        "counts": {str(k): int(v) for k, v in counts.items()},
        "judge_lyrics": judge_path,
        "files": [str(out / "table2.md"), str(out / "table2.csv")],
    }
