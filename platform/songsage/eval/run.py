"""The evaluation entry point shared by ``jobs/evaluate.py`` and the pipeline.

``run_evaluation(cfg, out_dir, tracker) -> summary rows`` runs every task in ``cfg.eval.tasks``
(playlistsense, task_metrics, choice, judge, linguistics), writes each task's tables under ``<out_dir>/<task>/``,
logs metrics and table files to MLflow, prints the tables, and returns ``(key, value)`` rows for the
job summary.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from songsage.config import Config
from songsage.config.paths import join
from songsage.storage import exists, read_text, staged_dir
from songsage.tracking import Tracker

# MLflow metric names allow letters, digits, _ - . space : / only.
_METRIC_UNSAFE = re.compile(r"[^A-Za-z0-9_\-. :/]")


def metric_name(*parts: str) -> str:
    """An MLflow-safe metric name from parts ("HR@1" -> "HR_at_1")."""
    return _METRIC_UNSAFE.sub("_", "/".join(parts).replace("@", "_at_"))


def _log_files(tracker: Tracker, files: list[str], artifact_dir: str) -> None:
    for f in files:
        tracker.log_artifact(f, artifact_dir)


def _finite(metrics: dict[str, float]) -> dict[str, float]:
    """Metrics without NaN (a model with every judge answer malformed has no mean)."""
    return {k: v for k, v in metrics.items() if v == v}


def _playlistsense(cfg: Config, out_dir: str, tracker: Tracker) -> list[tuple[str, str]]:
    from songsage.eval.playlistsense import evaluate_playlistsense

    res = evaluate_playlistsense(cfg, join(out_dir, "playlistsense"))
    for model, row in res["rows"].items():
        tracker.log_metrics({metric_name("playlistsense", model, k): v for k, v in row.items()})
    for model, row in res["rewrite"].items():
        tracker.log_metrics({metric_name("rewrite", model, k): v for k, v in row.items()})
    _log_files(tracker, res["files"], "playlistsense")
    ks = cfg.eval.playlistsense.k
    out = [("playlistsense playlists/queries", f"{res['n_playlists']} / {res['n_queries']}")]
    for model, row in res["rows"].items():
        out.append(
            (f"playlistsense {model}", "  ".join(f"HR@{k} {100 * row[f'avg/HR@{k}']:.2f}" for k in ks))
        )
    for model, row in res["rewrite"].items():
        out.append((f"query rewrite {model}", "  ".join(f"{k} {100 * v:.2f}" for k, v in row.items())))
    return out


def _task_metrics(cfg: Config, out_dir: str, tracker: Tracker) -> list[tuple[str, str]]:
    from songsage.eval.task_metrics import evaluate_task_metrics

    res = evaluate_task_metrics(cfg, join(out_dir, "task_metrics"))
    for model, row in res["rows"].items():
        tracker.log_metrics({metric_name("table2", model, k): v for k, v in row.items()})
    _log_files(tracker, res["files"], "task_metrics")
    out = [("table2 samples", ", ".join(f"{t} {n}" for t, n in sorted(res["counts"].items())))]
    for model, row in res["rows"].items():
        keys = ["playlist_tags/f1", "lyrics_artist/exact", "lyrics_title/f1", "lyrics_emotion/accuracy"]
        out.append((f"table2 {model}", "  ".join(f"{k} {100 * row[k]:.1f}" for k in keys if k in row)))
    return out


def _choice(cfg: Config, out_dir: str, tracker: Tracker) -> list[tuple[str, str]]:
    from songsage.eval.choice import run_choice_benchmarks

    res = run_choice_benchmarks(cfg, join(out_dir, "choice"))
    for (model, bench, shots), summary in res["overall"].items():
        tracker.log_metrics(
            {metric_name("choice", model, bench, f"{shots}shot", k): v for k, v in summary.items()}
        )
    _log_files(tracker, res["files"], "choice")
    return [
        (
            f"{model} {bench} {shots}-shot",
            f"acc {100 * s['accuracy']:.2f}  macro-F1 {100 * s['macro_f1']:.2f}  n {int(s['n'])}",
        )
        for (model, bench, shots), s in res["overall"].items()
    ]


def _judge(cfg: Config, out_dir: str, tracker: Tracker) -> list[tuple[str, str]]:
    from songsage.eval.judge import run_judge

    res = run_judge(cfg, join(out_dir, "judge"))
    tracker.log_metrics(_finite({metric_name("judge", k): v for k, v in res["metrics"].items()}))
    _log_files(tracker, res["files"], "judge")
    return [
        (f"judge {k}", f"{v:.3f}" if v == v else "n/a (every answer malformed)")
        for k, v in res["metrics"].items()
    ]


def _linguistics(cfg: Config, out_dir: str, tracker: Tracker) -> list[tuple[str, str]]:
    from songsage.eval.linguistics import run_linguistics

    res = run_linguistics(cfg, join(out_dir, "linguistics"))
    _log_files(tracker, res["files"], "linguistics")
    return [("linguistics", ", ".join(f"{lang}: {note}" for lang, note in res["support"].items()))]


TASKS: dict[str, Callable[[Config, str, Tracker], list[tuple[str, str]]]] = {
    "playlistsense": _playlistsense,
    "task_metrics": _task_metrics,
    "choice": _choice,
    "judge": _judge,
    "linguistics": _linguistics,
}


def run_evaluation(
    cfg: Config, out_dir: str, tracker: Tracker, tasks: list[str] | None = None
) -> list[tuple[str, str]]:
    """Run ``tasks`` (default ``cfg.eval.tasks``) writing under ``out_dir`` (a local path or a URI); return
    summary rows ``(name, value)``, each task's wall-clock seconds among them (also an MLflow metric)."""
    names = list(tasks or cfg.eval.tasks)
    for task in names:
        if task not in TASKS:
            raise ValueError(f"unknown evaluation task {task!r}; choose from {sorted(TASKS)}")
    rows: list[tuple[str, str]] = []
    # The tasks write (and MLflow logs) local files and read earlier tasks' files beside theirs, so a URI
    # out_dir is filled from one local tree, uploaded when every task has finished.
    with staged_dir(out_dir) as local:
        for task in names:
            t0 = time.perf_counter()
            rows.extend(TASKS[task](cfg, local, tracker))
            seconds = time.perf_counter() - t0
            rows.append((f"{task} seconds", f"{seconds:.1f}"))
            tracker.log_metrics({metric_name("eval", task, "seconds"): seconds})
    return rows


# The paper-layout tables printed at the very end of the main job, per task (relative to the evaluate dir).
FINAL_TABLES = {
    "playlistsense": ["playlistsense/table1.md"],
    "task_metrics": ["task_metrics/table2.md"],
    "choice": ["choice/choice.md"],
    "judge": ["judge/table3.md", "judge/figure3.md"],
}


def table_cells(markdown: str) -> list[str]:
    """The body cells of every Markdown table in ``markdown``, without each row's label (first) cell,
    header rows and separators."""
    lines = [ln.strip() for ln in markdown.splitlines()]
    cells: list[str] = []
    for i, line in enumerate(lines):
        is_sep = line.startswith("|") and set(line) <= set("|-: ")
        next_is_sep = i + 1 < len(lines) and lines[i + 1].startswith("|") and set(lines[i + 1]) <= set("|-: ")
        if not line.startswith("|") or is_sep or next_is_sep:
            continue
        cells += [c.strip() for c in line.strip("|").split("|")[1:]]
    return cells


def is_constant_table(markdown: str) -> bool:
    """True when a table says nothing: no body cells, or every one identical (all zeros, all 10/10)."""
    return len(set(table_cells(markdown))) <= 1


def print_final_tables(cfg: Config, out_dir: str) -> None:
    """Print the tables of the tasks in ``eval.tasks`` (Table 1, Table 2, choice, Table 3, Figure 3) from
    ``out_dir``; a table whose every cell is the same is named, not printed (it stays in its file)."""
    for task in cfg.eval.tasks:
        for rel in FINAL_TABLES.get(task, []):
            path = join(out_dir, rel)
            if not exists(path):
                continue
            text = read_text(path)
            if is_constant_table(text):
                cells = set(table_cells(text))
                print(f"\n## {rel}: not printed, every cell is {next(iter(cells), 'empty')!r} ({path})")
                continue
            print(f"\n## {rel}\n")
            print(text)


def evaluation_summary(rows: list[tuple[str, str]]) -> dict[str, Any]:
    """Summary rows as a dict (for manifests)."""
    return dict(rows)
