"""tools/synthetic.py: phrase banks from data/synthetic/, seeded output, the defect kinds, no exec/eval."""

from __future__ import annotations

import ast
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLE
from tools import synthetic

LRC = re.compile(r"\[\d{2}:\d{2}")


def _classify(path: Path) -> Counter[str]:
    """Count the structural defects of a songs file (what curation's validate stage must catch)."""
    kinds: Counter[str] = Counter()
    seen: set[str] = set()
    for raw in path.read_bytes().split(b"\n")[:-1]:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            kinds["invalid_utf8"] += 1
            continue
        try:
            rec = json.loads(text)
        except json.JSONDecodeError:
            kinds["broken_json"] += 1
            continue
        if not isinstance(rec, dict):
            kinds["not_object"] += 1
        elif "song_id" not in rec:
            kinds["missing_song_id"] += 1
        elif rec["song_id"] == "":
            kinds["empty_song_id"] += 1
        elif rec["song_id"] in seen:
            kinds["duplicate_song_id"] += 1
        else:
            seen.add(rec["song_id"])
            lyrics = rec.get("lyrics")
            if not isinstance(lyrics, str) or not isinstance(rec.get("tags", []), list):
                kinds["wrong_type"] += 1
            elif LRC.search(lyrics):
                kinds["lrc"] += 1
            elif "<br" in lyrics.lower() or "</p>" in lyrics.lower():
                kinds["html"] += 1
    return kinds


def test_bench_songs_are_seeded_and_carry_every_structural_defect(tmp_path):
    a, b, c = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    assert synthetic.make_synthetic_songs(1500, a, seed=7, defect_rate=0.4) == 1500
    synthetic.make_synthetic_songs(1500, b, seed=7, defect_rate=0.4)
    synthetic.make_synthetic_songs(1500, c, seed=8, defect_rate=0.4)
    assert a.read_bytes() == b.read_bytes() and a.read_bytes() != c.read_bytes()
    kinds = _classify(a)
    expected = {"invalid_utf8", "broken_json", "not_object", "missing_song_id", "empty_song_id"}
    expected |= {"duplicate_song_id", "wrong_type", "lrc", "html"}
    assert expected <= set(kinds), kinds


def test_generator_has_no_exec_or_eval_and_reads_its_banks_from_data():
    tree = ast.parse(Path(synthetic.__file__).read_text(encoding="utf-8"))
    called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert not called & {"exec", "eval", "compile"}
    assert synthetic.BANKS_DIR == REPO / "data" / "synthetic"
    assert synthetic.DEFAULT_PD_CORPUS == REPO / "data" / "corpora" / "public-domain-lyrics" / "songs.jsonl"
    assert synthetic.EN_SLOTS["place"][0] == "the station" and isinstance(synthetic.EN_SLOTS["place"], tuple)
    with pytest.raises(KeyError, match="lyrics.json has no entry 'NOPE'"):
        synthetic._bank("lyrics", "NOPE")
    with pytest.raises(FileNotFoundError, match="nope.json is missing"):
        synthetic._bank("nope", "X")


@pytest.mark.slow
def test_sample_songs_and_playlists_regenerate_byte_identical():
    """The committed sample is what the generator writes for seed 0 from the shipped corpus."""
    pd_records = synthetic.load_public_domain(synthetic.DEFAULT_PD_CORPUS, 0)
    song_lines, song_exp, factory = synthetic.build_sample_songs(0, pd_records)
    albums = {s.song_id: s.album or "" for s in factory.songs if "public_domain" in s.labels}
    pl_lines, _ = synthetic.build_playlists(0, song_exp["language_truth"], albums)
    assert b"".join(line + b"\n" for line in song_lines) == (SAMPLE / "songs.jsonl").read_bytes()
    assert b"".join(line + b"\n" for line in pl_lines) == (SAMPLE / "playlists.jsonl").read_bytes()
    expected = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))
    assert song_exp["invalid"] == expected["songs"]["invalid"]
