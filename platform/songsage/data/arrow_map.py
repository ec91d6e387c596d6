"""The one way curation stages run a per-batch function on Ray Data: pyarrow batches, zero-copy."""

from __future__ import annotations

from typing import Any

import ray.data

PYARROW = "pyarrow"


def map_arrow(ds: ray.data.Dataset, fn: Any, **kwargs: Any) -> ray.data.Dataset:
    """``ds.map_batches(fn)`` with pyarrow tables in and out (``fn``: ``pa.Table -> pa.Table``);
    ``kwargs`` go to ``map_batches`` (compute, resources...)."""
    return ds.map_batches(fn, batch_format=PYARROW, zero_copy_batch=True, **kwargs)
