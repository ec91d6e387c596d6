"""Joins with a small side: the broadcast path and the shuffle path give the same rows."""

from __future__ import annotations

import pyarrow as pa
import pytest
import ray.data

from songsage.data.lookup import filter_lists_by_keys, left_join_small, semi_join_small

SMALL_SCHEMA = pa.schema([("song_id", pa.string()), ("rep", pa.string())])


def _big() -> ray.data.Dataset:
    ids = [f"s{i:03d}" for i in range(40)]
    table = pa.table({"song_id": ids, "n": list(range(40))})
    return ray.data.from_arrow(table).repartition(4)


def _rows(ds: ray.data.Dataset) -> list[dict]:
    return sorted(ds.take_all(), key=lambda r: r["song_id"])


@pytest.mark.parametrize("bound", [1_000, 0])
def test_left_join_small_both_paths(ray_session, bound):
    small = ray.data.from_arrow(pa.table({"song_id": ["s003", "s017", "zzz"], "rep": ["s001", "s002", "x"]}))
    joined, path = left_join_small(_big(), small, SMALL_SCHEMA, "song_id", 2, bound)
    assert path == ("broadcast" if bound else "shuffle")
    rows = _rows(joined)
    assert len(rows) == 40  # a left join: every big row once, the unmatched key "zzz" adds nothing
    reps = {r["song_id"]: r["rep"] for r in rows}
    assert reps["s003"] == "s001" and reps["s017"] == "s002"
    assert sum(v is not None for v in reps.values()) == 2


def test_left_join_small_empty_side_adds_null_columns(ray_session):
    empty = ray.data.from_arrow(SMALL_SCHEMA.empty_table())
    joined, path = left_join_small(_big(), empty, SMALL_SCHEMA, "song_id", 2, 10)
    rows = _rows(joined)
    assert path == "broadcast" and len(rows) == 40 and all(r["rep"] is None for r in rows)


@pytest.mark.parametrize("bound", [1_000, 0])
def test_filter_lists_by_keys_keeps_order_both_paths(ray_session, bound):
    playlists = ray.data.from_arrow(
        pa.table(
            {
                "playlist_id": ["p1", "p2", "p3"],
                "song_ids": [["s009", "s001", "gone", "s005"], ["gone"], ["s030", "s030b", "s002"]],
            }
        )
    )
    out, path = filter_lists_by_keys(
        playlists, _big(), "song_id", "playlist_id", "song_ids", "kept", 2, bound
    )
    assert path == ("broadcast" if bound else "shuffle")
    kept = {r["playlist_id"]: list(r["kept"]) for r in out.take_all()}
    assert kept == {"p1": ["s009", "s001", "s005"], "p2": [], "p3": ["s030", "s002"]}


@pytest.mark.parametrize("bound", [1_000, 0])
def test_semi_join_small_both_paths(ray_session, bound):
    keys = ray.data.from_arrow(pa.table({"song_id": ["s003", "s017", "zzz"]}))
    kept, path = semi_join_small(_big(), keys, "song_id", 2, bound)
    assert path == ("broadcast" if bound else "shuffle")
    assert [(r["song_id"], r["n"]) for r in _rows(kept)] == [("s003", 3), ("s017", 17)]
