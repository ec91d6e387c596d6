"""Stage registry: each stage is ``body(cfg, out_dir, tracker) -> summary rows``.

Jobs (``jobs/<stage>.py``) run one stage under the job contract; the main job
(``jobs/pipeline.py``, ``make demo``) runs ``pipeline.stages`` in order, each with its own MLflow run,
chaining through the run directory.
"""

from __future__ import annotations

from collections.abc import Callable

from songsage.config import Config
from songsage.tracking import Tracker

StageBody = Callable[[Config, str, Tracker], list[tuple[str, str]]]


def curate_stage(cfg: Config, out_dir: str, tracker: Tracker) -> list[tuple[str, str]]:
    """LyricBank curation (Ray Data): raw JSONL -> songs/, playlists/, quarantine/, shards/."""
    from songsage.data.curate import run_curation, summarize
    from songsage.data.report import log_curation

    manifest = run_curation(cfg, out_dir)
    log_curation(tracker, manifest)
    return summarize(manifest)


STAGES: dict[str, StageBody] = {
    "curate": curate_stage,
}


def get_stage(name: str) -> StageBody:
    """The body of stage ``name``; unknown names list the known ones."""
    if name not in STAGES:
        raise KeyError(f"unknown stage {name!r}; known stages: {', '.join(STAGES)}")
    return STAGES[name]
