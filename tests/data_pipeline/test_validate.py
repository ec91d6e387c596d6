import json

import pyarrow as pa
import pytest

from songsage.data.transforms import quarantine_rows, validate_batch
from songsage.data.validate import (
    decode_line,
    reason_code,
    validate_general,
    validate_playlist,
    validate_song,
)

GOOD = {"song_id": "s1", "name": "N", "artist": "A", "album": None, "lyrics": "la\nla", "tags": ["x"]}


def test_valid_song_is_normalised():
    rec, reason = validate_song({**GOOD, "song_id": 7, "language": "EN"})
    assert reason is None
    assert rec["song_id"] == "7" and rec["album"] == "" and rec["language_hint"] == "en"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b'{"song_id": "s1", "name": "x"', "broken_json"),
        (b'{"song_id": "s1", "lyrics": "\xff\xfe"}', "invalid_utf8"),
        (b"[1, 2, 3]", "not_object"),
    ],
)
def test_undecodable_lines(raw, code):
    obj, reason = decode_line(raw)
    if reason is None:
        _, reason = validate_song(obj)
    assert reason_code(reason) == code


@pytest.mark.parametrize(
    ("patch", "code"),
    [
        ({"song_id": None}, "missing:song_id"),
        ({"song_id": "  "}, "missing:song_id"),
        ({"tags": "rock"}, "wrong_type:tags"),
        ({"lyrics": 42}, "wrong_type:lyrics"),
        ({"name": None}, "missing:name"),
        ({"tags": [1.5]}, "wrong_type:tags"),
        ({"song_id": True}, "wrong_type:song_id"),
    ],
)
def test_schema_violations_name_the_field(patch, code):
    _, reason = validate_song({**GOOD, **patch})
    assert reason_code(reason) == code


def test_missing_field_entirely():
    obj = dict(GOOD)
    del obj["song_id"]
    assert reason_code(validate_song(obj)[1]) == "missing:song_id"


def test_playlist_and_general_validation():
    assert validate_playlist({"playlist_id": "p", "title": "t", "song_ids": "a,b"})[1].startswith(
        "wrong_type:song_ids"
    )
    assert validate_playlist({"title": "t", "song_ids": []})[1].startswith("missing:playlist_id")
    rec, _ = validate_playlist({"playlist_id": "p", "title": " t ", "song_ids": ["a"], "description": None})
    assert rec["title"] == "t" and rec["description"] == ""
    assert validate_general({"id": "g", "source": "wiki"})[1].startswith("missing:text")
    assert validate_general({"id": "g", "source": "chat", "messages": [{"role": "bot", "content": "x"}]})[
        1
    ].startswith("wrong_type")
    rec, _ = validate_general({"id": 1, "source": "chat", "messages": [{"role": "user", "content": "hi"}]})
    assert rec["doc_id"] == "1"


def test_validate_batch_keeps_every_row_and_quarantine_keeps_bytes():
    lines = [json.dumps(GOOD).encode(), b"{broken", b'{"song_id": "s2", "name": "\xff"}']
    batch = pa.table({"source": ["f.jsonl"] * 3, "line": [1, 2, 4], "raw": lines})
    out = validate_batch(batch, "songs")
    assert out.num_rows == 3
    reasons = out.column("reason").to_pylist()
    assert reasons[0] == "" and reasons[1].startswith("broken_json") and reasons[2].startswith("invalid_utf8")
    bad = out.filter(pa.compute.not_equal(out.column("reason"), ""))
    q = quarantine_rows(bad, "songs")
    assert q.column("line").to_pylist() == [2, 4]
    assert q.column("reason_code").to_pylist() == ["broken_json", "invalid_utf8"]
    import base64

    assert base64.b64decode(q.column("raw_base64")[1].as_py()) == lines[2]


def test_repeated_ids_keep_the_first_position():
    from songsage.data.transforms import fill_exact_duplicates, id_positions, mark_repeated_ids

    batch = pa.table(
        {
            "source_file": ["b.jsonl", "a.jsonl", "a.jsonl", "a.jsonl"],
            "line": [1, 10, 9, 2],
            "reason": ["", "", "", "broken_json: x"],
            "song_id": ["s1", "s1", "s1", None],
        }
    )
    pos = id_positions(batch, "song_id").column("pos").to_pylist()
    assert sorted(pos[:3]) == [pos[2], pos[1], pos[0]]  # a:9 < a:10 < b:1, like (file, line) pairs
    joined = batch.append_column("first_pos", pa.array([pos[2], pos[2], pos[2], None]))
    reasons = mark_repeated_ids(joined, "song_id").column("reason").to_pylist()
    assert reasons[2] == "" and reasons[3] == "broken_json: x"
    assert reasons[0] == "duplicate_id:song_id: 's1' first seen at a.jsonl:9"
    assert reasons[1] == "duplicate_id:song_id: 's1' first seen at a.jsonl:9"

    songs = pa.table({"song_id": ["s2", "s1", "s3"], "text_rep": ["s1", "s1", None]})
    assert fill_exact_duplicates(songs).column("exact_dup_of").to_pylist() == ["s1", "", ""]
