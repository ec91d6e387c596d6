"""Near-duplicate clusters on Ray Data, with datasets from end to end.

    songs (song_id, lyrics_norm)
      -> MinHash band keys per song               (map_batches)
      -> all pairs per bucket                     (repartition by bucket, runs of a key), distinct pairs
      -> exact shingle Jaccard on the workers     (pairs joined with both texts)
      -> connected components                     (driver union-find below a bound of edges,
                                                   min-label propagation with joins above it)
      -> (song_id, near_dup_cluster) for every song in a cluster of two or more

Verification looks both texts of a pair up in a broadcast of the texts of the songs in pairs, up to a
bound (``data/lookup.py``); above it, pairs are hash-joined with the texts twice. A hash join costs
about 2 s of fixed time per call on 2 cores (its aggregator actors start each time), which was most of
near dedup's time on the 4,300-song bench (bench/dedup_quality.py).

No texts, signatures or rows reach the driver; on the driver path only the verified edges (two ids
each) do, and only while there are at most ``driver_components_max_edges`` of them. Both paths give
the same clusters: every member is labelled with the smallest song_id of its component.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import ray
import ray.data
from ray.data.aggregate import Min
from ray.data.expressions import col

from songsage.config.schema import DedupConfig
from songsage.data.arrow_map import PYARROW, map_arrow
from songsage.data.dedup import (
    bucket_pairs,
    clusters_from_edges,
    jaccard_sorted,
    lsh_threshold,
    shingle_hashes,
)
from songsage.data.lookup import broadcast_columns, semi_join_small
from songsage.data.transforms import explode_bands, signature_batch

CLUSTER_SCHEMA = pa.schema([("song_id", pa.string()), ("near_dup_cluster", pa.string())])
PAIR_SCHEMA = pa.schema([("a", pa.string()), ("b", pa.string())])


def _empty(schema: pa.Schema) -> ray.data.Dataset:
    return ray.data.from_arrow(schema.empty_table())


def _bucket_pairs_block(block: pa.Table, max_bucket_size: int) -> pa.Table:
    """A block holding whole LSH buckets (song_id, band_key) -> the candidate pairs (a, b), a < b, of
    every bucket with two or more members."""
    block = block.sort_by([("band_key", "ascending")])
    keys = block.column("band_key").to_numpy()
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.zeros(0, np.int64)
    ends = np.r_[starts[1:], len(keys)]
    ids = block.column("song_id").to_pylist()
    pairs = [
        pair
        for i in np.flatnonzero(ends - starts > 1)
        for pair in bucket_pairs(ids[starts[i] : ends[i]], max_bucket_size)
    ]
    return pa.table({"a": [p[0] for p in pairs], "b": [p[1] for p in pairs]}, schema=PAIR_SCHEMA)


def _verified(pairs: pa.Table, texts_a: list[str], texts_b: list[str], k: int, threshold: float) -> pa.Table:
    """Pairs (a, b) and their texts -> the pairs whose shingle Jaccard reaches ``threshold``. A song's
    shingle hashes are computed once per batch (a song is in several pairs)."""
    sets: dict[str, np.ndarray] = {}

    def shingles(song_id: str, text: str) -> np.ndarray:
        if song_id not in sets:
            sets[song_id] = shingle_hashes(text, k)
        return sets[song_id]

    ids_a, ids_b = pairs.column("a").to_pylist(), pairs.column("b").to_pylist()
    keep = [
        jaccard_sorted(shingles(a, ta), shingles(b, tb)) >= threshold
        for a, b, ta, tb in zip(ids_a, ids_b, texts_a, texts_b, strict=True)
    ]
    return pairs.select(["a", "b"]).filter(pa.array(keep, pa.bool_()))


def _verified_joined_batch(batch: pa.Table, shingle_size: int, threshold: float) -> pa.Table:
    """Pairs hash-joined with both texts (a, b, text_a, text_b) -> the verified pairs."""
    texts_a, texts_b = batch.column("text_a").to_pylist(), batch.column("text_b").to_pylist()
    return _verified(batch, texts_a, texts_b, shingle_size, threshold)


def _verified_broadcast_batch(
    batch: pa.Table, refs: list[ray.ObjectRef], schema: pa.Schema, shingle_size: int, threshold: float
) -> pa.Table:
    """Pairs (a, b) -> the verified pairs, both texts looked up in the broadcast (song_id, lyrics_norm)."""
    side = broadcast_columns(refs, schema)
    texts = side["lyrics_norm"]
    text_a = texts.take(pc.index_in(batch.column("a"), value_set=side["song_id"])).to_pylist()
    text_b = texts.take(pc.index_in(batch.column("b"), value_set=side["song_id"])).to_pylist()
    return _verified(batch, text_a, text_b, shingle_size, threshold)


def _pair_members(batch: pa.Table) -> pa.Table:
    """Pairs (a, b) -> (song_id) rows, both ends of each pair."""
    ends = pa.concat_arrays([batch.column("a").combine_chunks(), batch.column("b").combine_chunks()])
    return pa.table({"song_id": ends})


def candidate_pairs(bands: ray.data.Dataset, max_bucket_size: int, partitions: int) -> ray.data.Dataset:
    """(song_id, band_key) rows -> distinct candidate pairs (a, b), a < b, of songs sharing a bucket.

    The rows are hash-partitioned by bucket and each partition's block is scanned for runs of one key
    -- what ``groupby().map_groups()`` does (same repartition, same one-block-per-partition
    guarantee) without a Python call and a table slice per bucket, which cost 3 s per 4,300 songs."""
    buckets = bands.repartition(partitions, keys=["band_key"], sort=True)
    pairs = buckets.map_batches(
        partial(_bucket_pairs_block, max_bucket_size=max_bucket_size), batch_size=None, batch_format=PYARROW
    )
    # a pair that shares several bands is proposed once per band: keep one
    return pairs.groupby(["a", "b"]).count().select_columns(["a", "b"])


def verify_pairs(
    pairs: ray.data.Dataset,
    texts: ray.data.Dataset,
    cfg: DedupConfig,
    partitions: int,
    max_broadcast_rows: int,
) -> tuple[ray.data.Dataset, str]:
    """Candidate pairs -> (the pairs whose exact shingle Jaccard reaches ``cfg.threshold``, the join
    path). The Jaccard runs on the workers: up to ``cfg.broadcast_max_texts`` songs in pairs, their
    texts are broadcast to the tasks (``max_broadcast_rows`` bounds the ids that select them);
    above it, each pair is hash-joined with the texts of both songs."""
    members = map_arrow(pairs, _pair_members).groupby("song_id").count().materialize()
    if members.count() > cfg.broadcast_max_texts:
        left = texts.rename_columns({"song_id": "a", "lyrics_norm": "text_a"})
        right = texts.rename_columns({"song_id": "b", "lyrics_norm": "text_b"})
        joined = pairs.join(left, "inner", num_partitions=partitions, on=("a",)).join(
            right, "inner", num_partitions=partitions, on=("b",)
        )
        fn = partial(_verified_joined_batch, shingle_size=cfg.shingle_size, threshold=cfg.threshold)
        return map_arrow(joined, fn), "shuffle"
    side, _ = semi_join_small(texts, members, "song_id", partitions, max_broadcast_rows)
    side = side.materialize()
    fn = partial(
        _verified_broadcast_batch,
        refs=side.to_arrow_refs(),
        schema=side.schema().base_schema,
        shingle_size=cfg.shingle_size,
        threshold=cfg.threshold,
    )
    return map_arrow(pairs, fn, batch_size=None), "broadcast"  # one shingle cache per block


def _directed(batch: pa.Table) -> pa.Table:
    """Edges (a, b) -> both directions (src, dst)."""
    a, b = batch.column("a"), batch.column("b")
    return pa.table(
        {
            "src": pa.concat_arrays([a.combine_chunks(), b.combine_chunks()]),
            "dst": pa.concat_arrays([b.combine_chunks(), a.combine_chunks()]),
        }
    )


def _own_or_smaller(batch: pa.Table) -> pa.Table:
    """(node, min(dst)) -> (node, label): a node's first label is the smallest of itself and its
    neighbours."""
    node = batch.column("src")
    neighbour = batch.column("min(dst)")
    return pa.table({"node": node, "label": pc.min_element_wise(node, neighbour)})


def _proposals(batch: pa.Table) -> pa.Table:
    """Directed edges joined with the source's label (src, dst, label) -> (node=dst, label)."""
    return pa.table({"node": batch.column("dst"), "label": batch.column("label")})


def min_label_components(edges: ray.data.Dataset, partitions: int) -> tuple[ray.data.Dataset, int]:
    """Connected components of ``edges`` (a, b) by iterative min-label propagation on Ray Data:
    each round every node takes the smallest label among itself and its neighbours, until no label
    changes (rounds <= the largest component's diameter). Returns (node, label) with label = the
    smallest id in the node's component, and the number of rounds."""
    directed = map_arrow(edges, _directed).materialize()
    labels = map_arrow(directed.groupby("src").aggregate(Min("dst")), _own_or_smaller).materialize()
    rounds = 0
    while True:
        rounds += 1
        proposed = map_arrow(
            directed.join(
                labels.rename_columns({"node": "src"}), "inner", num_partitions=partitions, on=("src",)
            ),
            _proposals,
        )
        updated = (
            proposed.union(labels)
            .groupby("node")
            .aggregate(Min("label"))
            .rename_columns({"min(label)": "label"})
            .materialize()
        )
        changed = (
            updated.join(
                labels.rename_columns({"label": "old"}), "inner", num_partitions=partitions, on=("node",)
            )
            .filter(expr=col("label") != col("old"))
            .count()
        )
        labels = updated
        if changed == 0:
            return labels, rounds


def connected_components(
    edges: ray.data.Dataset, n_edges: int, max_driver_edges: int, partitions: int
) -> tuple[ray.data.Dataset, str, int]:
    """Verified edges -> (song_id, near_dup_cluster) per clustered song, with the path taken
    ('driver' or 'distributed') and the propagation rounds (0 on the driver)."""
    if n_edges == 0:
        return _empty(CLUSTER_SCHEMA), "driver", 0
    if n_edges <= max_driver_edges:
        members = clusters_from_edges((r["a"], r["b"]) for r in edges.iter_rows())
        ids = sorted(members)
        table = pa.table(
            {"song_id": ids, "near_dup_cluster": [members[i] for i in ids]}, schema=CLUSTER_SCHEMA
        )
        return ray.data.from_arrow(table), "driver", 0
    labels, rounds = min_label_components(edges, partitions)
    clusters = labels.rename_columns({"node": "song_id", "label": "near_dup_cluster"})
    return clusters, "distributed", rounds


def near_duplicate_clusters(
    songs: ray.data.Dataset, cfg: DedupConfig, partitions: int, max_broadcast_rows: int
) -> tuple[ray.data.Dataset, dict[str, Any]]:
    """Songs (song_id, lyrics_norm, band_keys if already computed, other columns ignored) ->
    (song_id, near_dup_cluster) for every song in a near-duplicate cluster of two or more,
    ``near_dup_cluster`` being the smallest song_id of the cluster (the one kept), and stats (candidate and verified pair counts, clusters, the LSH
    threshold, the join and components paths). ``partitions``: hash partitions of each join;
    ``max_broadcast_rows``: the most keys a broadcast join ships (``curate.broadcast_max_rows``)."""
    texts = songs.select_columns(["song_id", "lyrics_norm"])
    if "band_keys" in songs.schema().names:  # computed in curation's fused row pass
        bands = map_arrow(songs.select_columns(["song_id", "band_keys"]), explode_bands).materialize()
    else:
        bands = map_arrow(texts, partial(signature_batch, cfg=cfg)).materialize()
    pairs = candidate_pairs(bands, cfg.max_bucket_size, partitions).materialize()
    n_candidates = pairs.count()
    verify_path = "none"
    edges = pairs
    if cfg.verify and n_candidates:
        edges, verify_path = verify_pairs(pairs, texts, cfg, partitions, max_broadcast_rows)
        edges = edges.materialize()
    n_edges = edges.count()
    clusters, path, rounds = connected_components(edges, n_edges, cfg.driver_components_max_edges, partitions)
    clusters = clusters.materialize()
    n_clustered = clusters.count()
    n_reps = clusters.filter(expr=col("song_id") == col("near_dup_cluster")).count() if n_clustered else 0
    stats = {
        "candidate_pairs": n_candidates,
        "verified_pairs": n_edges,
        "clusters": n_reps,
        "clustered_songs": n_clustered,
        "lsh_threshold": round(lsh_threshold(cfg.num_perm, cfg.bands), 4),
        "verify_join": verify_path,
        "components": path,
        "propagation_rounds": rounds,
    }
    return clusters, stats
