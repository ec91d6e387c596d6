"""Near-duplicate clusters on Ray Data, with datasets from end to end.

    songs (song_id, lyrics_norm)
      -> MinHash band keys per song               (map_batches)
      -> colliding buckets -> all pairs per bucket (groupby + join + map_groups), distinct pairs
      -> exact shingle Jaccard on the workers     (pairs joined with both texts)
      -> connected components                     (driver union-find below a bound of edges,
                                                   min-label propagation with joins above it)
      -> (song_id, near_dup_cluster) for every song in a cluster of two or more

No texts, signatures or rows reach the driver; on the driver path only the verified edges (two ids
each) do, and only while there are at most ``driver_components_max_edges`` of them. Both paths give
the same clusters: every member is labelled with the smallest song_id of its component.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import ray
import ray.data
from ray.data.aggregate import Min
from ray.data.expressions import col

from songsage.config.schema import DedupConfig
from songsage.data.arrow_map import PYARROW, map_arrow
from songsage.data.dedup import bucket_pairs, clusters_from_edges, jaccard, lsh_threshold, shingle_set
from songsage.data.transforms import explode_bands, signature_batch

CLUSTER_SCHEMA = pa.schema([("song_id", pa.string()), ("near_dup_cluster", pa.string())])
PAIR_SCHEMA = pa.schema([("a", pa.string()), ("b", pa.string())])


def _empty(schema: pa.Schema) -> ray.data.Dataset:
    return ray.data.from_arrow(schema.empty_table())


def _bucket_pairs_batch(group: pa.Table, max_bucket_size: int) -> pa.Table:
    """One LSH bucket's rows (song_id, band_key) -> its candidate pairs (a, b), a < b."""
    pairs = bucket_pairs(group.column("song_id").to_pylist(), max_bucket_size)
    return pa.table({"a": [p[0] for p in pairs], "b": [p[1] for p in pairs]}, schema=PAIR_SCHEMA)


def _verified_batch(batch: pa.Table, shingle_size: int, threshold: float) -> pa.Table:
    """Pairs joined with both texts (a, b, text_a, text_b) -> the pairs whose shingle Jaccard
    reaches ``threshold``."""
    keep = [
        jaccard(shingle_set(ta, shingle_size), shingle_set(tb, shingle_size)) >= threshold
        for ta, tb in zip(batch.column("text_a").to_pylist(), batch.column("text_b").to_pylist(), strict=True)
    ]
    return batch.select(["a", "b"]).filter(pa.array(keep, pa.bool_()))


def candidate_pairs(bands: ray.data.Dataset, max_bucket_size: int, partitions: int) -> ray.data.Dataset:
    """(song_id, band_key) rows -> distinct candidate pairs (a, b), a < b, of songs sharing a bucket.

    Singleton buckets (almost all of them) are dropped by a count before any pairs are formed, so
    only colliding rows are shuffled by bucket."""
    counts = bands.groupby("band_key").count()
    colliding = counts.filter(expr=col("count()") > 1).select_columns(["band_key"]).materialize()
    if colliding.count() == 0:
        return _empty(PAIR_SCHEMA)
    rows = bands.join(colliding, "inner", num_partitions=partitions, on=("band_key",))
    pairs = rows.groupby("band_key").map_groups(
        partial(_bucket_pairs_batch, max_bucket_size=max_bucket_size), batch_format=PYARROW
    )
    # a pair that shares several bands is proposed once per band: keep one
    return pairs.groupby(["a", "b"]).count().select_columns(["a", "b"])


def verify_pairs(
    pairs: ray.data.Dataset, texts: ray.data.Dataset, cfg: DedupConfig, partitions: int
) -> ray.data.Dataset:
    """Candidate pairs -> the pairs whose exact shingle Jaccard reaches ``cfg.threshold``, computed on
    the workers after joining each pair with the texts of both songs."""
    left = texts.rename_columns({"song_id": "a", "lyrics_norm": "text_a"})
    right = texts.rename_columns({"song_id": "b", "lyrics_norm": "text_b"})
    joined = pairs.join(left, "inner", num_partitions=partitions, on=("a",)).join(
        right, "inner", num_partitions=partitions, on=("b",)
    )
    return map_arrow(joined, partial(_verified_batch, shingle_size=cfg.shingle_size, threshold=cfg.threshold))


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
    songs: ray.data.Dataset, cfg: DedupConfig, partitions: int
) -> tuple[ray.data.Dataset, dict[str, Any]]:
    """Songs (song_id, lyrics_norm, band_keys if already computed, other columns ignored) ->
    (song_id, near_dup_cluster) for every song in a near-duplicate cluster of two or more,
    ``near_dup_cluster`` being the smallest song_id of the cluster (the one kept), and stats (candidate and verified pair counts, clusters, the LSH
    threshold, the components path). ``partitions``: hash partitions of each join."""
    texts = songs.select_columns(["song_id", "lyrics_norm"])
    if "band_keys" in songs.schema().names:  # computed in curation's fused row pass
        bands = map_arrow(songs.select_columns(["song_id", "band_keys"]), explode_bands).materialize()
    else:
        bands = map_arrow(texts, partial(signature_batch, cfg=cfg)).materialize()
    pairs = candidate_pairs(bands, cfg.max_bucket_size, partitions).materialize()
    n_candidates = pairs.count()
    edges = (
        verify_pairs(pairs, texts, cfg, partitions).materialize() if cfg.verify and n_candidates else pairs
    )
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
        "components": path,
        "propagation_rounds": rounds,
    }
    return clusters, stats
