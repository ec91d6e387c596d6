"""Exact and near-duplicate detection: text hashes, MinHash signatures, LSH bands, union-find.

All functions are pure and vectorized with numpy so Ray Data batches (and the single-process
benchmark baseline) share them. Near-duplicates are pairs whose character-shingle Jaccard
similarity reaches the threshold (default 0.8); LSH proposes candidates, an exact Jaccard check
on the shingle sets confirms them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from functools import lru_cache

import numpy as np

MERSENNE_61 = np.uint64((1 << 61) - 1)
MASK_32 = np.uint64(0xFFFFFFFF)
ROLL_BASE = np.uint64(1_000_003)
_SPACES = re.compile(r"\s+")


def text_hash(text: str) -> str:
    """Stable hex digest of a text (exact-duplicate key)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def shingle_text(text: str) -> str:
    """The text shingles are taken from: lowercased, whitespace runs -> one space."""
    return _SPACES.sub(" ", text.lower()).strip()


def shingle_hashes(text: str, k: int) -> np.ndarray:
    """Unique 32-bit hashes of the character k-grams of ``shingle_text(text)`` (uint64 array)."""
    s = shingle_text(text)
    if not s:
        return np.zeros(0, dtype=np.uint64)
    cps = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(cps) < k:
        cps = np.concatenate([cps, np.zeros(k - len(cps), dtype=np.uint64)])
    n = len(cps) - k + 1
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * ROLL_BASE + cps[j : j + n]
        h ^= h >> np.uint64(29)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(32)
    return np.unique(h & MASK_32)


def shingle_set(text: str, k: int) -> set[int]:
    """The shingle hashes as a Python set (for exact Jaccard)."""
    return set(shingle_hashes(text, k).tolist())


def jaccard(a: set[int], b: set[int]) -> float:
    """Jaccard similarity of two sets (1.0 for two empty sets)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _sorted_overlap(x: np.ndarray, y: np.ndarray) -> int:
    """Number of values two sorted arrays of unique values share (a merge walk)."""
    i = j = n = 0
    while i < x.size and j < y.size:
        if x[i] == y[j]:
            n += 1
            i += 1
            j += 1
        elif x[i] < y[j]:
            i += 1
        else:
            j += 1
    return n


@lru_cache(maxsize=1)
def _compiled_overlap():
    import numba

    return numba.njit(cache=True, nogil=True)(_sorted_overlap)


def jaccard_sorted(x: np.ndarray, y: np.ndarray) -> float:
    """Jaccard similarity of two sets given as sorted arrays of unique values (``shingle_hashes``
    output); equals ``jaccard`` of their sets, without building them (verifying 14,234 bench pairs:
    2.33 s -> 0.62 s in one process, with the hashes cached per batch)."""
    if x.size == 0 and y.size == 0:
        return 1.0
    shared = _compiled_overlap()(x, y)
    return shared / (x.size + y.size - shared)


def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) coefficients of ``num_perm`` universal hash functions, from ``seed``."""
    rng = np.random.default_rng(seed)
    a = rng.integers(1, int(MERSENNE_61), size=num_perm, dtype=np.uint64)
    b = rng.integers(0, int(MERSENNE_61), size=num_perm, dtype=np.uint64)
    return a, b


def _minhash_loop(hashes: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """min over ``hashes`` of ((a*h + b) mod 2**64) mod (2**61 - 1), low 32 bits, per (a, b)."""
    p = np.uint64((1 << 61) - 1)
    low = np.uint64(0xFFFFFFFF)
    shift = np.uint64(61)
    best = np.full(a.shape[0], low, dtype=np.uint64)
    for h in hashes:
        for i in range(a.shape[0]):  # the inner loop runs over permutations: it vectorizes
            v = a[i] * h + b[i]  # wraps mod 2**64, as numpy's uint64 does
            r = (v & p) + (v >> shift)  # v mod p by the Mersenne identity 2**61 = 1 (mod p)
            if r >= p:
                r -= p
            r &= low
            if r < best[i]:
                best[i] = r
    return best.astype(np.uint32)


@lru_cache(maxsize=1)
def _compiled_minhash():
    import numba

    return numba.njit(cache=True, nogil=True)(_minhash_loop)


def minhash(hashes: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """MinHash signature (uint32, len(a)) of a set of 32-bit shingle hashes (uint64 array).

    Compiled with numba: numpy's (shingles x perms) uint64 remainder was half of the signature time;
    the loop reduces mod 2**61 - 1 with shifts instead and needs no buffer."""
    if hashes.size == 0:
        return np.full(a.shape, 0xFFFFFFFF, dtype=np.uint32)
    return _compiled_minhash()(hashes, a, b)


def band_keys(signature: np.ndarray, bands: int) -> list[int]:
    """One signed 63-bit bucket key per LSH band (band index mixed in)."""
    rows = signature.reshape(bands, -1)
    keys = []
    for i, row in enumerate(rows):
        digest = hashlib.blake2b(row.tobytes(), digest_size=8, person=i.to_bytes(2, "little") * 8).digest()
        keys.append(int.from_bytes(digest, "little") >> 1)
    return keys


def lsh_threshold(num_perm: int, bands: int) -> float:
    """Approximate Jaccard at which a pair becomes an LSH candidate with probability 1/2."""
    rows = num_perm // bands
    return (1.0 / bands) ** (1.0 / rows)


class UnionFind:
    """Union-find over string ids; the root of each set is its smallest id (deterministic)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        parent = self.parent
        parent.setdefault(x, x)
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = (ra, rb) if ra < rb else (rb, ra)
            self.parent[hi] = lo


def clusters_from_edges(edges: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Connected components of an edge list -> {member id: representative (smallest id)}."""
    uf = UnionFind()
    for a, b in edges:
        uf.union(a, b)
    return {x: uf.find(x) for x in list(uf.parent)}


def bucket_edges(ids: list[str]) -> list[tuple[str, str]]:
    """Star edges (smallest id -> each other id) for the members of one exact-hash group: every member
    has the same text, so the star already connects the whole group."""
    ids = sorted(set(ids))
    return [(ids[0], other) for other in ids[1:]]


def bucket_pairs(ids: Iterable[str], max_bucket_size: int) -> list[tuple[str, str]]:
    """Candidate pairs (a < b) among the members of one LSH bucket.

    Every pair is proposed, not only star edges from the smallest id: B and C sharing a bucket with an
    unrelated smaller A must still be compared with each other. A bucket of m members costs m(m-1)/2
    pairs, so above ``max_bucket_size`` members each one is paired with the next ``max_bucket_size - 1``
    in id order instead (a sliding window: bounded work, still every neighbour in the window)."""
    members = sorted(set(ids))
    window = min(len(members), max(2, max_bucket_size))
    return [
        (members[i], members[j])
        for i in range(len(members))
        for j in range(i + 1, min(len(members), i + window))
    ]
