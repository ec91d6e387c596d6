"""Near dedup on Ray Data: pairs verified on the workers, identical clusters from the driver's
union-find and from distributed min-label propagation."""

from __future__ import annotations

from dataclasses import replace

import pyarrow as pa
import pytest
import ray.data

from songsage.config.schema import DedupConfig
from songsage.data.dedup import clusters_from_edges
from songsage.data.near_dedup import connected_components, near_duplicate_clusters

BASE = (
    "the river runs along the valley floor tonight and every lantern on the water hums an old song "
    "we sang when the summer nights were long and the wind came down the hill"
)
OTHER = "completely different words about a city street at noon, traffic lights, a bakery and rain on glass"


def _songs() -> ray.data.Dataset:
    rows = [
        ("s00", OTHER),  # unrelated, smallest id
        ("s01", BASE),
        ("s02", BASE.replace("tonight", "tonite")),
        ("s03", BASE + " again"),
        ("s04", "zzz " + OTHER.upper()[:20]),
        ("s05", "月光照在河面上，灯笼在水中轻轻摇晃，我们唱着夏夜里那首古老的歌，风从山上吹下来。" * 2),
        ("s06", "月光照在河面上，灯笼在水中轻轻摇晃，我们唱着夏夜里那首古老的歌，风从山上吹下来了。" * 2),
    ]
    table = pa.table({"song_id": [r[0] for r in rows], "lyrics_norm": [r[1] for r in rows]})
    return ray.data.from_arrow(table)


def _as_dict(ds: ray.data.Dataset) -> dict[str, str]:
    return {r["song_id"]: r["near_dup_cluster"] for r in ds.take_all()}


@pytest.mark.usefixtures("ray_session")
def test_driver_and_distributed_components_agree():
    cfg = DedupConfig()
    driver, stats = near_duplicate_clusters(_songs(), cfg, partitions=2, max_broadcast_rows=1_000)
    distributed, dstats = near_duplicate_clusters(
        _songs(), replace(cfg, driver_components_max_edges=0), partitions=2, max_broadcast_rows=1_000
    )
    assert stats["components"] == "driver" and dstats["components"] == "distributed"
    assert (
        _as_dict(driver)
        == _as_dict(distributed)
        == {
            "s01": "s01",
            "s02": "s01",
            "s03": "s01",
            "s05": "s05",
            "s06": "s05",
        }
    )
    assert stats["clusters"] == 2 and stats["clustered_songs"] == 5
    assert stats["verified_pairs"] <= stats["candidate_pairs"]


@pytest.mark.usefixtures("ray_session")
def test_broadcast_and_hash_joins_give_the_same_clusters():
    cfg = DedupConfig()
    broadcast, stats = near_duplicate_clusters(_songs(), cfg, partitions=2, max_broadcast_rows=1_000)
    hashed, hstats = near_duplicate_clusters(
        _songs(), replace(cfg, broadcast_max_texts=0), partitions=2, max_broadcast_rows=0
    )
    assert stats["verify_join"] == "broadcast" and hstats["verify_join"] == "shuffle"
    assert _as_dict(broadcast) == _as_dict(hashed) and len(_as_dict(hashed)) == 5
    assert stats["candidate_pairs"] == hstats["candidate_pairs"]
    assert stats["verified_pairs"] == hstats["verified_pairs"]


@pytest.mark.usefixtures("ray_session")
def test_distributed_components_of_a_long_chain_match_union_find():
    # a chain (diameter 7) plus a separate triangle: propagation needs several rounds
    edges = [(f"n{i}", f"n{i + 1}") for i in range(7)] + [("t2", "t1"), ("t1", "t3"), ("t3", "t2")]
    edges = [tuple(sorted(e)) for e in edges]
    ds = ray.data.from_arrow(pa.table({"a": [e[0] for e in edges], "b": [e[1] for e in edges]}))
    clusters, path, rounds = connected_components(ds, len(edges), max_driver_edges=0, partitions=2)
    assert path == "distributed" and rounds >= 3
    assert _as_dict(clusters) == clusters_from_edges(edges)


@pytest.mark.usefixtures("ray_session")
def test_no_near_duplicates_gives_an_empty_cluster_table():
    table = pa.table({"song_id": ["a", "b"], "lyrics_norm": [BASE, OTHER]})
    clusters, stats = near_duplicate_clusters(
        ray.data.from_arrow(table), DedupConfig(), partitions=2, max_broadcast_rows=1_000
    )
    assert clusters.count() == 0 and stats["clusters"] == 0
