"""Helpers of the SFT/DPO tests: curated-format tables from data/sample, test configs, a counting chat server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from songsage.config import Config, load_config
from songsage.config.train import TinyModelConfig

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
TINY = TinyModelConfig(hidden_size=64, num_layers=2, num_heads=4, num_kv_heads=2, intermediate_size=128)
# Songs taken from data/sample (a mix of zh/en/ja/ko with playlists that reference them).
N_SONGS = 400


def script_language(text: str) -> str:
    """Language by script (kana -> ja, hangul -> ko, Han -> zh, else en): good enough for test tables."""
    if any("\u3040" <= ch <= "\u30ff" for ch in text):
        return "ja"
    if any("\uac00" <= ch <= "\ud7af" for ch in text):
        return "ko"
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return "zh"
    return "en"


def _records(path: Path) -> list[dict[str, Any]]:
    out = []
    for line in path.read_bytes().split(b"\n"):
        try:
            rec = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        if isinstance(rec, dict):
            out.append(rec)
    return out


def write_curated(root: Path, n_songs: int = N_SONGS) -> Path:
    """Write ``root/curate/songs/part-00000.parquet`` and ``root/curate/playlists/part-00000.parquet`` in the
    curation schema from the sample data (malformed records skipped). Returns ``root``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    songs, seen = [], set()
    for rec in _records(SAMPLE / "songs.jsonl"):
        sid, lyrics = rec.get("song_id"), rec.get("lyrics")
        if not isinstance(sid, str) or not isinstance(lyrics, str) or not lyrics.strip() or sid in seen:
            continue
        seen.add(sid)
        tags = rec.get("tags") if isinstance(rec.get("tags"), list) else []
        songs.append(
            {
                "song_id": sid,
                "name": str(rec.get("name") or ""),
                "artist": str(rec.get("artist") or ""),
                "album": str(rec.get("album") or ""),
                "tags": [str(t) for t in tags],
                "lyrics_norm": lyrics,
                "language": script_language(lyrics),
            }
        )
        if len(songs) >= n_songs:
            break
    playlists = []
    for rec in _records(SAMPLE / "playlists.jsonl"):
        ids = rec.get("song_ids") if isinstance(rec.get("song_ids"), list) else []
        if not isinstance(rec.get("playlist_id"), str):
            continue
        playlists.append(
            {
                "playlist_id": rec["playlist_id"],
                "title": str(rec.get("title") or ""),
                "tags": [str(t) for t in rec.get("tags") or []],
                "description": rec.get("description") if isinstance(rec.get("description"), str) else None,
                "song_ids": [str(i) for i in ids],
                "kept_song_ids": [str(i) for i in ids if i in seen],
            }
        )
    for name, rows in (("songs", songs), ("playlists", playlists)):
        d = root / "curate" / name
        d.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(rows), d / "part-00000.parquet")
    return root


def make_config(run_dir: Path, *overrides: str) -> Config:
    """The local profile pointed at ``run_dir`` with tracking off, the test-size tiny model and ``overrides``."""
    tiny = [f"model.tiny.{k}={v}" for k, v in TINY.__dict__.items()]
    base = [f"run.dir={run_dir}", "tracking.enabled=false", "model.name_or_path=tiny-qwen2", *tiny]
    return load_config(
        str(Path(__file__).resolve().parents[2] / "configs" / "local.yaml"), [*base, *overrides]
    )
