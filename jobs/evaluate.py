"""Evaluation: PlaylistSense HR@k (+ query rewrite), Table 2 task metrics, multiple-choice benchmarks,
LLM judge, linguistics; one table row per evaluated model (eval.model + eval.compare).

    python jobs/evaluate.py                      # the tasks in eval.tasks
    python jobs/evaluate.py playlistsense choice # only these tasks
    python jobs/evaluate.py task_metrics --set eval.model.model=run:sft/adapter --set eval.model_name=sft
    python jobs/evaluate.py choice --set eval.choice.max_rows=20
"""

import sys

import _bootstrap  # noqa: F401  (puts platform/ on sys.path)
from songsage.cli import run_job
from songsage.config import Config
from songsage.eval.run import TASKS, run_evaluation
from songsage.tracking import Tracker


def split_tasks(argv: list[str]) -> tuple[list[str], list[str]]:
    """Leading positional task names, then the usual ``--config/--set`` arguments."""
    tasks = []
    while argv and argv[0] in TASKS:
        tasks.append(argv.pop(0))
    return tasks, argv


if __name__ == "__main__":
    TASK_NAMES, REST = split_tasks(sys.argv[1:])

    def body(cfg: Config, out_dir: str, tracker: Tracker) -> list[tuple[str, str]]:
        return run_evaluation(cfg, out_dir, tracker, TASK_NAMES or None)

    raise SystemExit(run_job("evaluate", body, REST))
