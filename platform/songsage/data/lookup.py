"""Left joins of a dataset with a smaller one on a unique key, without collecting either on the driver.

Curation joins its song table with small per-song results: duplicate marks, near-duplicate clusters,
first positions of repeated ids, kept song ids. Shuffling the song table (texts included) for each of
these joins was a large share of curation's time, so:

- up to ``max_broadcast_rows`` rows, the small side's blocks stay in the object store and every task
  fetches them by reference (``to_arrow_refs``; a broadcast join). Each worker process concatenates
  them once per join and looks keys up with ``pyarrow.compute.index_in``, keeping the large side's
  row order;
- above it, a hash-partitioned ``Dataset.join`` runs (rows then come in the join's order; every
  caller sorts before writing).

Input: ``big`` (any columns incl. ``on``), ``small`` (``on`` unique, plus value columns). Output:
``big`` plus ``small``'s value columns, null where the key has no match (``left_join_small``), or
``big``'s rows whose key occurs in ``small`` (``semi_join_small``). ``broadcast_columns`` lets other
stages look rows up in a broadcast side their own way.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import ray
import ray.data

from songsage.data.arrow_map import map_arrow

# Per worker process: the small side of the joins it has served (a few at most), column by column.
_SMALL: dict[tuple[tuple[str, ...], str], dict[str, pa.Array]] = {}
_MAX_CACHED = 4


def broadcast_columns(refs: list[ray.ObjectRef], schema: pa.Schema) -> dict[str, pa.Array]:
    """In a worker: the broadcast side (blocks ``refs``, columns ``schema``) as one array per column,
    loaded once per process and join."""
    key = (tuple(r.hex() for r in refs), str(schema))  # no refs (an empty side): told apart by schema
    if key not in _SMALL:
        if len(_SMALL) >= _MAX_CACHED:
            _SMALL.pop(next(iter(_SMALL)))
        blocks = [b.select(schema.names).cast(schema) for b in ray.get(refs)] if refs else []
        table = pa.concat_tables([schema.empty_table(), *blocks])
        _SMALL[key] = {name: table.column(name).combine_chunks() for name in schema.names}
    return _SMALL[key]


def _lookup_batch(batch: pa.Table, refs: list[ray.ObjectRef], schema: pa.Schema, on: str) -> pa.Table:
    small = broadcast_columns(refs, schema)
    index = pc.index_in(batch.column(on), value_set=small[on])
    for name in schema.names:
        if name != on:
            batch = batch.append_column(name, small[name].take(index))
    return batch


def left_join_small(
    big: ray.data.Dataset,
    small: ray.data.Dataset,
    schema: pa.Schema,
    on: str,
    partitions: int,
    max_broadcast_rows: int,
) -> tuple[ray.data.Dataset, str]:
    """``big`` left-joined with ``small`` (columns ``schema``, key ``on``) on ``on`` -> (dataset,
    'broadcast' or 'shuffle'). ``schema`` is given because an empty dataset has none."""
    small = small.materialize()
    if small.count() > max_broadcast_rows:
        return big.join(small, "left_outer", num_partitions=partitions, on=(on,)), "shuffle"
    refs = small.to_arrow_refs()  # the blocks stay in the object store: nothing reaches the driver
    return map_arrow(big, partial(_lookup_batch, refs=refs, schema=schema, on=on)), "broadcast"


def _semi_batch(batch: pa.Table, refs: list[ray.ObjectRef], schema: pa.Schema, on: str) -> pa.Table:
    return batch.filter(pc.is_in(batch.column(on), value_set=broadcast_columns(refs, schema)[on]))


def semi_join_small(
    big: ray.data.Dataset, keys: ray.data.Dataset, on: str, partitions: int, max_broadcast_rows: int
) -> tuple[ray.data.Dataset, str]:
    """``big``'s rows whose ``on`` occurs in ``keys`` (column ``on``, unique values) ->
    (dataset, 'broadcast' or 'shuffle'); ``big``'s row order is kept on the broadcast path."""
    keys = keys.select_columns([on]).materialize()
    if keys.count() > max_broadcast_rows:
        return big.join(keys, "inner", num_partitions=partitions, on=(on,)), "shuffle"
    schema = keys.schema().base_schema
    return map_arrow(big, partial(_semi_batch, refs=keys.to_arrow_refs(), schema=schema, on=on)), "broadcast"


def _kept_members_batch(
    batch: pa.Table, refs: list[ray.ObjectRef], schema: pa.Schema, key: str, list_col: str, out_col: str
) -> pa.Table:
    """+ ``out_col``: the items of each ``list_col`` list that are keys of the small side, in order."""
    keys = broadcast_columns(refs, schema)[key]
    lists = batch.column(list_col).combine_chunks()
    flat = pc.list_flatten(lists)
    keep = pc.is_in(flat, value_set=keys)
    parents = pc.list_parent_indices(lists).filter(keep).to_numpy(zero_copy_only=False)
    offsets = np.zeros(len(lists) + 1, dtype=np.int32)
    np.cumsum(np.bincount(parents, minlength=len(lists)), out=offsets[1:])
    return batch.append_column(out_col, pa.ListArray.from_arrays(pa.array(offsets), flat.filter(keep)))


def _explode_members(batch: pa.Table, row_key: str, list_col: str) -> pa.Table:
    lists = batch.column(list_col).combine_chunks()
    parents = pc.list_parent_indices(lists)
    starts = pc.take(lists.offsets, parents).to_numpy(zero_copy_only=False)
    position = np.arange(len(parents), dtype=np.int64) - starts
    return pa.table(
        {row_key: batch.column(row_key).take(parents), "item": pc.list_flatten(lists), "pos": position}
    )


def _collect_members(group: pa.Table, row_key: str, out_col: str) -> pa.Table:
    group = group.sort_by([("pos", "ascending")])
    items = group.column("item").combine_chunks()
    lists = pa.ListArray.from_arrays(pa.array([0, group.num_rows], pa.int32()), items)
    return pa.table({row_key: group.column(row_key).combine_chunks().slice(0, 1), out_col: lists})


def _fill_empty_lists(batch: pa.Table, out_col: str) -> pa.Table:
    lists = batch.column(out_col).combine_chunks()
    filled = pc.if_else(pc.is_null(lists), pa.scalar([], lists.type), lists)
    return batch.set_column(batch.schema.get_field_index(out_col), out_col, filled)


def filter_lists_by_keys(
    big: ray.data.Dataset,
    keys: ray.data.Dataset,
    key: str,
    row_key: str,
    list_col: str,
    out_col: str,
    partitions: int,
    max_broadcast_rows: int,
) -> tuple[ray.data.Dataset, str]:
    """``big`` + ``out_col``: the items of each row's ``list_col`` that occur in ``keys`` (column
    ``key``), in list order (e.g. a playlist's songs that survived curation) -> (dataset, path).

    Broadcast path as above; the shuffle path explodes the lists into (row, item, position) rows, joins
    them with the keys, regroups by row and joins the lists back."""
    keys = keys.select_columns([key]).materialize()
    if keys.count() <= max_broadcast_rows:
        schema = pa.schema([(key, pa.string())])
        fn = partial(
            _kept_members_batch,
            refs=keys.to_arrow_refs(),
            schema=schema,
            key=key,
            list_col=list_col,
            out_col=out_col,
        )
        return map_arrow(big, fn), "broadcast"
    items = map_arrow(
        big.select_columns([row_key, list_col]), partial(_explode_members, row_key=row_key, list_col=list_col)
    )
    matched = items.join(keys.rename_columns({key: "item"}), "inner", num_partitions=partitions, on=("item",))
    lists = matched.groupby(row_key).map_groups(
        partial(_collect_members, row_key=row_key, out_col=out_col), batch_format="pyarrow"
    )
    joined = big.join(lists, "left_outer", num_partitions=partitions, on=(row_key,))
    return map_arrow(joined, partial(_fill_empty_lists, out_col=out_col)), "shuffle"
