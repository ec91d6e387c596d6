"""Logging a curation manifest to MLflow: funnel metrics, the funnel table and the manifest."""

from __future__ import annotations

from typing import Any

from songsage.data.curate import StageLog
from songsage.tracking import Tracker


def curation_metrics(manifest: dict[str, Any]) -> dict[str, float]:
    """Flat numeric metrics of a manifest (counts, ratios, tokens)."""
    m: dict[str, float] = {
        "songs.input_rows": manifest["input_rows"],
        "songs.quarantined": sum(manifest["quarantined"].values()),
        "songs.filtered": sum(manifest["filtered"].values()),
        "songs.exact_duplicates": manifest["exact_duplicates"],
        "songs.near_duplicates": manifest["near_duplicates"],
        "songs.balanced_away": manifest["balanced_away"],
        "songs.kept": manifest["kept"],
        "sequences": manifest["sequences"],
        "playlists.kept": manifest["playlists"]["kept"],
    }
    for reason, n in manifest["filtered"].items():
        m[f"filtered.{reason}"] = n
    for reason, n in manifest["quarantined"].items():
        m[f"quarantined.{reason.replace(':', '.')}"] = n
    for lang, n in manifest["rows_by_language"]["achieved"].items():
        m[f"kept.{lang}"] = n
    for source, n in manifest["tokens_by_source"].items():
        m[f"tokens.{source}"] = n
    if manifest.get("general_to_lyrics_ratio") is not None:
        m["general_to_lyrics_ratio"] = manifest["general_to_lyrics_ratio"]
    return m


def log_curation(tracker: Tracker, manifest: dict[str, Any]) -> None:
    """Metrics + funnel.md + manifest.json into the job's MLflow run."""
    tracker.log_metrics(curation_metrics(manifest))
    log = StageLog(rows=manifest["funnel"])
    tracker.log_text(log.markdown(), "funnel.md")
    tracker.log_dict({k: v for k, v in manifest.items() if k != "config"}, "manifest.json")
    tracker.set_tags({"content_hash": manifest["content_hash"]})
