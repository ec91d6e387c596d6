"""The proof's held-out split (songsage.data.heldout): whole playlists, duplicate groups, nothing dropped."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from songsage.config import load_config
from songsage.data.heldout import SPLIT_FILE, chosen, make_split
from songsage.storage import read_jsonl_records

WORDS = [
    "river",
    "stone",
    "lantern",
    "orchard",
    "winter",
    "ember",
    "meadow",
    "harbor",
    "violet",
    "thunder",
    "cedar",
    "willow",
]


def _song(sid: str, topic: str, **extra: object) -> dict[str, object]:
    """A song whose lines are its own seeded word sequence (unrelated songs share few 5-grams)."""
    rng = random.Random(topic)
    lyrics = "\n".join(" ".join(rng.choice(WORDS) for _ in range(7)) for _ in range(8))
    return {"song_id": sid, "name": f"Song {sid}", "artist": "A", "lyrics": lyrics, **extra}


def _write(path: Path, rows: list[object]) -> str:
    path.write_bytes(b"".join((r if isinstance(r, bytes) else json.dumps(r).encode()) + b"\n" for r in rows))
    return str(path)


@pytest.fixture
def corpus(tmp_path: Path) -> dict[str, str]:
    songs = [_song(f"s{i:02d}", f"topic {i}") for i in range(40)]
    copy = _song("copy-of-s00", "topic 0")  # the same lyrics as s00 under another id
    songs.append(copy)
    playlists = [
        {"playlist_id": f"p{j}", "title": f"P{j}", "song_ids": [f"s{4 * j + k:02d}" for k in range(4)]}
        for j in range(10)
    ]
    general = [{"id": f"g{i}", "source": "wiki", "text": f"general text number {i}"} for i in range(40)]
    return {
        "songs": _write(tmp_path / "songs.jsonl", [*songs, b"{broken json", {"name": "no id"}]),
        "playlists": _write(tmp_path / "playlists.jsonl", playlists),
        "general": _write(tmp_path / "general.jsonl", general),
    }


def _cfg(corpus: dict[str, str], **proof: object) -> object:
    sets = [f"data.{k}={v}" for k, v in corpus.items()]
    sets += [f"proof.{k}={v}" for k, v in proof.items()]
    return load_config(None, sets)


def test_chosen_is_a_seeded_share() -> None:
    picks = [chosen(0, f"id{i}", 0.2) for i in range(5000)]
    assert 0.17 < sum(picks) / len(picks) < 0.23
    assert picks == [chosen(0, f"id{i}", 0.2) for i in range(5000)]
    assert picks != [chosen(1, f"id{i}", 0.2) for i in range(5000)]


def test_split_holds_out_whole_playlists_and_duplicate_groups(corpus: dict[str, str], tmp_path: Path) -> None:
    cfg = _cfg(corpus, heldout_playlist_fraction=0.3, heldout_song_fraction=0.1, heldout_general_fraction=0.2)
    split = make_split(cfg, str(tmp_path / "split"))
    held_pl = read_jsonl_records(str(tmp_path / "split/heldout/playlists.jsonl"))
    assert held_pl and {p["playlist_id"] for p in held_pl} == split.heldout_playlists
    for p in held_pl:  # every song of a held-out playlist is held out
        assert set(p["song_ids"]) <= split.heldout_songs
    train_songs = {
        r["song_id"] for r in read_jsonl_records(str(tmp_path / "split/train/songs.jsonl")) if "song_id" in r
    }
    assert not train_songs & split.heldout_songs
    # a duplicate follows its group: s00 and its copy are on the same side
    assert ("s00" in split.heldout_songs) == ("copy-of-s00" in split.heldout_songs)
    for p in read_jsonl_records(str(tmp_path / "split/train/playlists.jsonl")):
        assert not set(p["song_ids"]) & split.heldout_songs
    # nothing lost: unparsable and id-less lines stay on the training side for curation to quarantine
    train_raw = (tmp_path / "split/train/songs.jsonl").read_bytes()
    assert b"{broken json" in train_raw and b'"no id"' in train_raw
    assert split.counts["train"]["songs"] + split.counts["heldout"]["songs"] == 43
    assert split.counts["train"]["general"] + split.counts["heldout"]["general"] == 40
    recorded = json.loads((tmp_path / "split" / SPLIT_FILE).read_text())
    assert set(recorded["heldout_song_ids"]) == split.heldout_songs and recorded["heldout_lyric_hashes"]
    # seeded: the same split again
    again = make_split(cfg, str(tmp_path / "again"))
    assert again.heldout_songs == split.heldout_songs and again.heldout_playlists == split.heldout_playlists


def test_split_refuses_an_empty_side(corpus: dict[str, str], tmp_path: Path) -> None:
    cfg = _cfg(corpus, heldout_playlist_fraction=0.0, heldout_song_fraction=0.0001)
    with pytest.raises(ValueError, match="heldout side has no"):
        make_split(cfg, str(tmp_path / "split"))


def test_song_groups_join_exact_and_near_copies(corpus: dict[str, str]) -> None:
    from songsage.data.heldout import song_groups

    base = _song("a", "topic a")["lyrics"]
    lines = base.split("\n")
    near = "\n".join([*lines[:-1], "a different last line"])
    other = _song("d", "topic d")["lyrics"].split("\n") + _song("f", "topic f")["lyrics"].split("\n")
    stanzas = "\n".join([*lines[:3], *other])  # the same hymn in another hymnal: 3 shared lines, low Jaccard
    one_line = "\n".join([lines[0], _song("h", "topic h")["lyrics"]])
    songs = {
        "a": base,
        "b": base,
        "c": near,
        "d": _song("d", "topic d")["lyrics"],
        "e": stanzas,
        "g": one_line,
    }
    groups = song_groups(songs, _cfg(corpus))
    assert groups["a"] == groups["b"] == groups["c"] == groups["e"]
    assert groups["g"] != groups["a"]  # one shared stock line does not join


def test_leak_check_finds_held_out_ids_hashes_and_quoted_lines(
    corpus: dict[str, str], tmp_path: Path
) -> None:
    import pandas as pd

    from songsage.proof.leaks import LeakError, check_no_leaks, find_leaks

    cfg = _cfg(corpus, heldout_playlist_fraction=0.3, heldout_song_fraction=0.1)
    split_dir = str(tmp_path / "split")
    split = make_split(cfg, split_dir)
    held = sorted(split.heldout_songs)[0]
    train_id = next(
        r["song_id"] for r in read_jsonl_records(f"{split_dir}/train/songs.jsonl") if "song_id" in r
    )
    clean = tmp_path / "clean"
    (clean / "curate/songs").mkdir(parents=True)
    pd.DataFrame({"song_id": [train_id], "text_hash": ["0" * 32], "lyrics_norm": ["x"]}).to_parquet(
        clean / "curate/songs/part-0.parquet"
    )
    assert check_no_leaks(split_dir, str(clean)).scanned == {
        "general": split.counts["train"]["general"],
        "curate/songs": 1,
    }

    dirty = tmp_path / "dirty"
    (dirty / "curate/songs").mkdir(parents=True)
    (dirty / "build_sft/train").mkdir(parents=True)
    pd.DataFrame({"song_id": [held], "text_hash": ["0" * 32], "lyrics_norm": ["x"]}).to_parquet(
        dirty / "curate/songs/part-0.parquet"
    )
    held_lines = next(  # a held-out song's lyrics: three lines quoted in one prompt leak it, one does not
        r["lyrics"] for r in read_jsonl_records(f"{split_dir}/heldout/songs.jsonl") if r["song_id"] == held
    ).split("\n")
    pd.DataFrame(
        {
            "sample_id": ["x1", "x2"],
            "song_id": [train_id, train_id],
            "playlist_id": ["", ""],
            "messages": [
                [{"role": "user", "content": "continue:\n" + "\n".join(held_lines[:3])}],
                [{"role": "user", "content": f"a stock line:\n{held_lines[0]}"}],
            ],
        }
    ).to_parquet(dirty / "build_sft/train/part-0.parquet")
    report = find_leaks(split_dir, str(dirty))
    assert any(f"held-out song {held}" in leak for leak in report.leaks)
    assert any("row x1" in leak and f"3 lines of held-out song {held}" in leak for leak in report.leaks)
    assert not any("row x2" in leak for leak in report.leaks)
    with pytest.raises(LeakError, match="reached training inputs"):
        check_no_leaks(split_dir, str(dirty))
