"""The proof experiment: held-out split, training stages, side-by-side evaluation, bootstrap results."""
