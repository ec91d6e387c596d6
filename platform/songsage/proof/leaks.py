"""The proof's leak check: no held-out song id, lyric hash, lyric line or playlist reaches a training input.

Reads ``split.json`` (:mod:`songsage.data.heldout`) and the training run directory, and looks in every
training input the stages wrote: the training side's general text (ids), the curated songs (``song_id``,
``text_hash``) and playlists (``playlist_id``, ``song_ids``, ``kept_song_ids``), LyricBank-SFT (``song_id``,
``playlist_id``, and the text of every message), the preference pairs (prompt and both answers) and the
teacher's prompt cache. A text leaks a held-out song when it holds ``min_shared_lines`` (3) of its
distinct lines (:func:`songsage.data.heldout.distinctive_lines`: normalized like the curated lyrics, at
least 12 characters each): a held-out song quoted inside a prompt. One shared line is not a leak: unrelated songs share stock lines (on the
shipped corpus, 59 training hymns share one line such as "glory to god on high!" with a held-out hymn).

``find_leaks(split_dir, train_dir) -> LeakReport``; :func:`check_no_leaks` raises :class:`LeakError` naming
the first leaks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from songsage.config.paths import join
from songsage.data.dedup import shingle_text
from songsage.data.heldout import MIN_SHARED_LINES, SPLIT_FILE, distinctive_lines
from songsage.storage import as_list, exists, list_files, read_json, read_jsonl_records, read_table, read_text


class LeakError(RuntimeError):
    """A held-out item reached a training input."""


@dataclass
class LeakReport:
    """Leaks found (``where: what``) and what was scanned (input -> rows)."""

    leaks: list[str] = field(default_factory=list)
    scanned: dict[str, int] = field(default_factory=dict)


def heldout_lines(split_dir: str) -> dict[str, set[str]]:
    """Distinctive lyric line (:func:`~songsage.data.heldout.distinctive_lines`) -> the held-out songs with it."""
    lines: dict[str, set[str]] = {}
    for rec in read_jsonl_records(join(split_dir, "heldout", "songs.jsonl")):
        for norm in distinctive_lines(str(rec.get("lyrics") or "")):
            lines.setdefault(norm, set()).add(str(rec.get("song_id")))
    return lines


def _texts(value: Any) -> list[str]:
    """Every string inside a cell (messages lists, structs, plain strings)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if hasattr(value, "tolist") and not isinstance(value, str | bytes):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return [t for v in value for t in _texts(v)]
    return []


class _Scanner:
    def __init__(self, split: dict[str, Any], lines: dict[str, set[str]], min_shared_lines: int) -> None:
        self.songs = set(split["heldout_song_ids"])
        self.playlists = set(split["heldout_playlist_ids"])
        self.hashes = set(split["heldout_lyric_hashes"])
        self.lines = lines
        self.min_shared_lines = min_shared_lines
        self.report = LeakReport()

    def leak(self, where: str, what: str) -> None:
        self.report.leaks.append(f"{where}: {what}")

    def text(self, where: str, texts: list[str]) -> None:
        """A leak when the texts hold ``min_shared_lines`` distinct lines of one held-out song (unrelated
        songs share single stock lines: hymns' "glory to god on high!")."""
        shared: dict[str, set[str]] = {}
        for t in texts:
            for line in t.splitlines():
                norm = shingle_text(line)
                for song in self.lines.get(norm, ()):
                    shared.setdefault(song, set()).add(norm)
        for song, lines in sorted(shared.items()):
            if len(lines) >= self.min_shared_lines:
                self.leak(
                    where, f"{len(lines)} lines of held-out song {song}, e.g. {sorted(lines)[0][:60]!r}"
                )
                return

    def table(self, where: str, path: str, text_columns: tuple[str, ...] = ()) -> None:
        if not exists(path):
            return
        df = read_table(path)
        self.report.scanned[where] = len(df)
        for row in df.to_dict("records"):
            rid = row.get("sample_id") or row.get("song_id") or row.get("playlist_id")
            if str(row.get("song_id") or "") in self.songs:
                self.leak(where, f"held-out song {row['song_id']} (row {rid})")
            if str(row.get("playlist_id") or "") in self.playlists:
                self.leak(where, f"held-out playlist {row['playlist_id']} (row {rid})")
            if str(row.get("text_hash") or "") in self.hashes:
                self.leak(where, f"a held-out song's lyrics (row {rid}, text_hash {row['text_hash']})")
            for col in ("song_ids", "kept_song_ids"):
                hit = sorted(set(as_list(row.get(col))) & self.songs)
                if hit:
                    self.leak(where, f"held-out songs {hit[:3]} in {col} of row {rid}")
            for col in text_columns:
                self.text(f"{where} row {rid} {col}", _texts(row.get(col)))


def find_leaks(
    split_dir: str,
    train_dir: str,
    min_shared_lines: int = MIN_SHARED_LINES,
) -> LeakReport:
    """Scan every training input under ``train_dir`` for the held-out items of ``split_dir``."""
    split = read_json(join(split_dir, SPLIT_FILE))
    scan = _Scanner(split, heldout_lines(split_dir), min_shared_lines)
    general = read_jsonl_records(join(split_dir, "train", "general.jsonl"))
    scan.report.scanned["general"] = len(general)
    for doc in sorted({str(d.get("id")) for d in general} & set(split["heldout_general_ids"])):
        scan.leak("general", f"held-out general document {doc}")
    scan.table("curate/songs", join(train_dir, "curate", "songs"), ("lyrics_norm",))
    scan.table("curate/playlists", join(train_dir, "curate", "playlists"))
    for part in ("train", "validation"):
        scan.table(f"build_sft/{part}", join(train_dir, "build_sft", part), ("messages",))
    scan.table(
        "build_preferences/pairs",
        join(train_dir, "build_preferences", "pairs"),
        ("prompt", "chosen", "rejected"),
    )
    cache = join(train_dir, "cache")
    files = list_files(cache, (".json",)) if exists(cache) else []
    if files:
        scan.report.scanned["cache"] = len(files)
        for f in files:
            try:
                entry = json.loads(read_text(f))
            except json.JSONDecodeError:
                continue
            scan.text(f"cache {f.rsplit('/', 1)[-1]}", _texts(entry))
    return scan.report


def check_no_leaks(split_dir: str, train_dir: str) -> LeakReport:
    """:func:`find_leaks`, raising :class:`LeakError` with the first leaks when there is any."""
    report = find_leaks(split_dir, train_dir)
    if report.leaks:
        head = "\n  ".join(report.leaks[:10])
        raise LeakError(f"{len(report.leaks)} held-out items reached training inputs:\n  {head}")
    if not report.scanned:
        raise LeakError(f"leak check: no training inputs found under {train_dir}")
    return report
