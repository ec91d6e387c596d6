"""The proof's held-out split, made from the raw inputs before any stage sees them.

The unit of the split is a **song group**: songs joined by an identical normalized lyric (curation's
``text_hash``), by a verified near duplicate (curation's MinHash-LSH band keys, then shingle Jaccard >=
``curate.dedup.threshold``) or by sharing three distinctive lines (one hymn in two hymnals), so no
held-out song has a copy on the training side. Held-out playlists are
chosen first (a seeded share of whole playlists); every group holding one of their songs is held out, then
a seeded share of the other groups. Training playlists lose their held-out songs; one left with fewer than
``min_playlist_songs`` goes to neither side and is counted. A seeded share of general-text documents is held
out as well (the general-text perplexity, the forgetting check).

Choices are ``blake2b(seed:id) < fraction``: stable under reordering and under adding other records.
Lines that do not parse or carry no id go to the training side untouched, where curation quarantines them
with a reason: nothing is dropped.

Input: ``data.songs`` / ``data.playlists`` / ``data.general`` (paths, globs or URIs). Output under
``out_dir``: ``train/`` and ``heldout/`` with ``songs.jsonl``, ``playlists.jsonl``, ``general.jsonl``;
``heldout_ids.jsonl`` (``song_id`` / ``playlist_id`` rows, for ``sft_data.decontam.ids_files``) and
``split.json`` (seed, fractions, counts, and the held-out ids and lyric hashes the leak check reads). Runs in
one process on the driver: sized for proof corpora (the shipped one has ~8k songs).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from songsage.config import Config
from songsage.config.paths import join
from songsage.config.proof import ProofConfig
from songsage.data import io
from songsage.data.dedup import UnionFind, bucket_pairs, jaccard, shingle_set, shingle_text, text_hash
from songsage.data.normalize import normalize_lyrics
from songsage.data.transforms import signature_batch
from songsage.storage import write_bytes, write_json, write_text

SPLIT_FILE = "split.json"
# A song is identified by MIN_SHARED_LINES distinct lines of at least MIN_LINE_CHARS characters: songs sharing
# that many are one group, and a training text holding that many of a held-out song's lines leaks it.
MIN_LINE_CHARS = 12
MIN_SHARED_LINES = 3
IDS_FILE = "heldout_ids.jsonl"
KINDS = ("songs", "playlists", "general")


def seeded_draw(seed: int, key: str) -> float:
    """A uniform draw in [0, 1) from the hash of ``seed:key`` (stable for a key, whatever else exists)."""
    digest = hashlib.blake2b(f"{seed}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def chosen(seed: int, key: str, fraction: float) -> bool:
    """Whether ``key`` falls in the seeded ``fraction``."""
    return seeded_draw(seed, key) < fraction


@dataclass
class Line:
    """One raw input line, parsed when it is a JSON object (``obj`` None otherwise)."""

    raw: bytes
    obj: dict[str, Any] | None


def read_raw(path: str) -> list[Line]:
    """Every non-blank line under ``path`` ('' = none), parsed where it is valid JSON (kept raw otherwise)."""
    if not path:
        return []
    out = []
    for row in io.iter_lines(path):
        try:
            obj = json.loads(row["raw"].decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            obj = None
        out.append(Line(row["raw"], obj if isinstance(obj, dict) else None))
    return out


def distinctive_lines(lyrics: str) -> set[str]:
    """The lines of ``lyrics`` long enough to identify a song (shingle-normalized, >= MIN_LINE_CHARS)."""
    return {n for n in (shingle_text(line) for line in lyrics.splitlines()) if len(n) >= MIN_LINE_CHARS}


def song_groups(songs: dict[str, str], cfg: Config) -> dict[str, str]:
    """song id -> group representative, for songs given as id -> raw lyrics: exact and verified near
    duplicates, and songs sharing MIN_SHARED_LINES distinctive lines (the same hymn in two hymnals with other
    stanzas has a shingle Jaccard below the threshold, yet holding one out and training on the other leaks it)."""
    ids = sorted(songs)
    norm = {i: normalize_lyrics(songs[i], cfg.curate.normalize) for i in ids}
    uf = UnionFind()
    for i in ids:
        uf.find(i)
    lines = {i: distinctive_lines(norm[i]) for i in ids}
    by_line: dict[str, list[str]] = {}
    for i in ids:
        for line in lines[i]:
            by_line.setdefault(line, []).append(i)
    for i in ids:
        shared = Counter(j for line in lines[i] for j in by_line[line] if j > i)
        for j, n in shared.items():
            if n >= MIN_SHARED_LINES:
                uf.union(i, j)
    by_hash: dict[str, str] = {}
    for i in ids:
        h = text_hash(norm[i])
        if h in by_hash:
            uf.union(by_hash[h], i)
        else:
            by_hash[h] = i
    dedup = cfg.curate.dedup
    bands = signature_batch(
        pa.table({"song_id": pa.array(ids, pa.string()), "lyrics_norm": [norm[i] for i in ids]}), dedup
    )
    buckets: dict[int, list[str]] = {}
    for song_id, key in zip(
        bands.column("song_id").to_pylist(), bands.column("band_key").to_pylist(), strict=True
    ):
        buckets.setdefault(key, []).append(song_id)
    shingles: dict[str, set[int]] = {}
    for members in buckets.values():
        if len(members) < 2:
            continue
        for a, b in bucket_pairs(members, dedup.max_bucket_size):
            if uf.find(a) == uf.find(b):
                continue
            sa = shingles.setdefault(a, shingle_set(norm[a], dedup.shingle_size))
            sb = shingles.setdefault(b, shingle_set(norm[b], dedup.shingle_size))
            if jaccard(sa, sb) >= dedup.threshold:
                uf.union(a, b)
    return {i: uf.find(i) for i in ids}


@dataclass
class Split:
    """What :func:`make_split` decided: held-out ids and lyric hashes, and counts per side."""

    heldout_songs: set[str] = field(default_factory=set)
    heldout_playlists: set[str] = field(default_factory=set)
    heldout_general: set[str] = field(default_factory=set)
    heldout_hashes: set[str] = field(default_factory=set)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)


def _write(lines: list[bytes], path: str) -> int:
    """Write raw lines as JSONL (bytes as read: a line that is not UTF-8 stays so for curation to quarantine)."""
    write_bytes(b"".join(raw + b"\n" for raw in lines), path)
    return len(lines)


def make_split(cfg: Config, out_dir: str) -> Split:
    """Split ``cfg.data`` into ``out_dir``/train and ``out_dir``/heldout by ``cfg.proof`` (module docstring)."""
    pc: ProofConfig = cfg.proof
    songs = read_raw(cfg.data.songs)
    playlists = read_raw(cfg.data.playlists)
    general = read_raw(cfg.data.general)
    if not songs:
        raise ValueError(f"proof split: data.songs ({cfg.data.songs!r}) has no lines")
    lyrics = {
        str(s.obj["song_id"]): s.obj.get("lyrics") or ""
        for s in songs
        if s.obj is not None
        and s.obj.get("song_id") is not None
        and isinstance(s.obj.get("lyrics") or "", str)
    }
    groups = song_groups(lyrics, cfg)
    members: dict[str, set[str]] = {}
    for song_id, rep in groups.items():
        members.setdefault(rep, set()).add(song_id)

    split = Split()
    for p in playlists:
        if p.obj is not None and p.obj.get("playlist_id") is not None:
            pid = str(p.obj["playlist_id"])
            if chosen(pc.seed, f"playlist:{pid}", pc.heldout_playlist_fraction):
                split.heldout_playlists.add(pid)
                for sid in p.obj.get("song_ids") or []:
                    if str(sid) in groups:
                        split.heldout_songs |= members[groups[str(sid)]]
    for rep, group in members.items():
        if chosen(pc.seed, f"song:{rep}", pc.heldout_song_fraction):
            split.heldout_songs |= group
    split.heldout_hashes = {
        text_hash(normalize_lyrics(lyrics[i], cfg.curate.normalize)) for i in split.heldout_songs
    }

    train_songs, held_songs = [], []
    for s in songs:
        sid = str(s.obj["song_id"]) if s.obj is not None and s.obj.get("song_id") is not None else None
        (held_songs if sid in split.heldout_songs else train_songs).append(s.raw)
    train_pl, held_pl, emptied = [], [], 0
    for p in playlists:
        pid = (
            str(p.obj["playlist_id"]) if p.obj is not None and p.obj.get("playlist_id") is not None else None
        )
        if pid is None:
            train_pl.append(p.raw)
        elif pid in split.heldout_playlists:
            held_pl.append(p.raw)
        else:
            kept = [s for s in p.obj.get("song_ids") or [] if str(s) not in split.heldout_songs]
            if len(kept) < pc.min_playlist_songs:
                emptied += 1
                continue
            train_pl.append(json.dumps({**p.obj, "song_ids": kept}, ensure_ascii=False).encode("utf-8"))
    train_gen, held_gen = [], []
    for g in general:
        gid = str(g.obj["id"]) if g.obj is not None and g.obj.get("id") is not None else None
        if gid is not None and chosen(pc.seed, f"general:{gid}", pc.heldout_general_fraction):
            split.heldout_general.add(gid)
            held_gen.append(g.raw)
        else:
            train_gen.append(g.raw)

    for side, parts in (
        ("train", {"songs": train_songs, "playlists": train_pl, "general": train_gen}),
        ("heldout", {"songs": held_songs, "playlists": held_pl, "general": held_gen}),
    ):
        split.counts[side] = {
            kind: _write(parts[kind], join(out_dir, side, f"{kind}.jsonl")) for kind in KINDS
        }
    split.counts["dropped_playlists"] = {"fewer_than_min_songs": emptied}
    for side in ("train", "heldout"):
        for kind in ("songs", "playlists"):
            if not split.counts[side][kind]:
                raise ValueError(
                    f"proof split: the {side} side has no {kind} (proof.heldout_playlist_fraction="
                    f"{pc.heldout_playlist_fraction}, proof.heldout_song_fraction={pc.heldout_song_fraction})"
                )
    ids = [{"song_id": s} for s in sorted(split.heldout_songs)]
    ids += [{"playlist_id": p} for p in sorted(split.heldout_playlists)]
    write_text("".join(json.dumps(r) + "\n" for r in ids), join(out_dir, IDS_FILE))
    write_json(
        {
            "seed": pc.seed,
            "heldout_playlist_fraction": pc.heldout_playlist_fraction,
            "heldout_song_fraction": pc.heldout_song_fraction,
            "heldout_general_fraction": pc.heldout_general_fraction,
            "counts": split.counts,
            "song_groups": len(members),
            "heldout_song_ids": sorted(split.heldout_songs),
            "heldout_playlist_ids": sorted(split.heldout_playlists),
            "heldout_general_ids": sorted(split.heldout_general),
            "heldout_lyric_hashes": sorted(split.heldout_hashes),
        },
        join(out_dir, SPLIT_FILE),
    )
    return split


def side_paths(split_dir: str, side: str) -> dict[str, str]:
    """``{"songs", "playlists", "general"}`` -> the JSONL file of ``side`` ("train" or "heldout")."""
    return {kind: join(split_dir, side, f"{kind}.jsonl") for kind in KINDS}
