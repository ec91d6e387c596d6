import json
from pathlib import Path

import numpy as np

from songsage.config.schema import NormalizeConfig
from songsage.data.dedup import (
    band_keys,
    bucket_edges,
    bucket_pairs,
    clusters_from_edges,
    jaccard,
    jaccard_sorted,
    minhash,
    permutations,
    shingle_hashes,
    shingle_set,
    text_hash,
)
from songsage.data.normalize import normalize_lyrics

PAIRS = Path(__file__).resolve().parents[1] / "data" / "neardup_pairs.jsonl"


def test_text_hash_is_stable():
    assert text_hash("abc") == text_hash("abc") != text_hash("abd")


def test_jaccard_hand_computed():
    assert jaccard({1, 2, 3}, {2, 3, 4}) == 0.5
    assert jaccard(set(), set()) == 1.0
    # "abcdef" k=3 -> abc bcd cde def ; "abcdeg" -> abc bcd cde deg  => 3/5
    assert jaccard(shingle_set("abcdef", 3), shingle_set("abcdeg", 3)) == 0.6


def test_minhash_estimates_jaccard():
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(400)]
    a_text = " ".join(rng.choice(words, 300))
    b_text = a_text[: len(a_text) // 2] + " " + " ".join(rng.choice(words, 150))
    a, b = permutations(256, 7)
    ha, hb = shingle_hashes(a_text, 5), shingle_hashes(b_text, 5)
    true = jaccard(set(ha.tolist()), set(hb.tolist()))
    est = float((minhash(ha, a, b) == minhash(hb, a, b)).mean())
    assert abs(est - true) < 0.08


def test_identical_texts_share_every_band():
    a, b = permutations(128, 1)
    sig = minhash(shingle_hashes("same text here", 5), a, b)
    assert band_keys(sig, 16) == band_keys(sig.copy(), 16)
    assert len(set(band_keys(sig, 16))) == 16  # band index is mixed into each key


def test_union_find_components_and_representatives():
    edges = bucket_edges(["c", "a", "b"]) + [("d", "e"), ("e", "f"), ("b", "f")]
    members = clusters_from_edges(edges)
    assert set(members.values()) == {"a"}
    assert clusters_from_edges([("x", "y")]) == {"x": "x", "y": "x"}


def test_bucket_pairs_checks_every_pair_not_only_the_star():
    # B and C share a bucket with an unrelated smaller A: the pair (B, C) is still proposed
    assert bucket_pairs(["c", "a", "b"], 256) == [("a", "b"), ("a", "c"), ("b", "c")]
    assert bucket_pairs(["x"], 256) == []
    # above the bound: a sliding window of the next max_bucket_size - 1 members in id order
    assert bucket_pairs(["d", "a", "c", "b"], 2) == [("a", "b"), ("b", "c"), ("c", "d")]
    assert len(bucket_pairs([f"s{i:03d}" for i in range(10)], 3)) == 9 + 8


def test_labelled_pairs_recall_and_precision():
    """Near-dup decision (Jaccard >= 0.8 on normalized text) against hand-labelled pairs."""
    rows = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 60
    cfg = NormalizeConfig()
    tp = fp = fn = 0
    for r in rows:
        sim = jaccard(
            shingle_set(normalize_lyrics(r["a"], cfg), 5), shingle_set(normalize_lyrics(r["b"], cfg), 5)
        )
        pred = sim >= 0.8
        gold = r["label"] == "dup"
        tp += pred and gold
        fp += pred and not gold
        fn += gold and not pred
    recall = tp / (tp + fn)
    precision = tp / (tp + fp) if tp + fp else 1.0
    assert recall >= 0.9, (recall, precision)
    assert precision >= 0.95, (recall, precision)


def test_band_key_lists_explode_to_the_per_band_rows():
    import pyarrow as pa

    from songsage.config.schema import DedupConfig
    from songsage.data.transforms import band_key_lists, explode_bands, signature_batch

    cfg = DedupConfig()
    texts = ["one two three four five six", "", "月光照在河面上灯笼在水中"]
    lists = band_key_lists(texts, cfg)
    assert [len(x) for x in lists.to_pylist()] == [cfg.bands] * 3
    a, b = permutations(cfg.num_perm, cfg.seed)
    assert lists[0].as_py() == band_keys(minhash(shingle_hashes(texts[0], cfg.shingle_size), a, b), cfg.bands)
    exploded = explode_bands(pa.table({"song_id": ["x", "y", "z"], "band_keys": lists}))
    direct = signature_batch(pa.table({"song_id": ["x", "y", "z"], "lyrics_norm": texts}), cfg)
    assert exploded.equals(direct) and exploded.num_rows == 3 * cfg.bands


def test_minhash_equals_the_textbook_formula():
    hashes = np.array([0, 1, 2**32 - 1, 123456789], dtype=np.uint64)
    a, b = permutations(16, 3)
    expected = [
        min(((int(ai) * int(h) + int(bi)) % 2**64) % (2**61 - 1) & 0xFFFFFFFF for h in hashes)
        for ai, bi in zip(a, b, strict=True)
    ]
    assert minhash(hashes, a, b).tolist() == expected


def test_jaccard_sorted_equals_the_set_jaccard():
    texts = ["abcdef", "abcdeg", "", "x", "月光照在河面上，灯笼在水中", "月光照在河面上，灯笼在水里"]
    for x in texts:
        for y in texts:
            hx, hy = shingle_hashes(x, 3), shingle_hashes(y, 3)
            assert jaccard_sorted(hx, hy) == jaccard(set(hx.tolist()), set(hy.tolist()))


def test_minhash_equals_the_numpy_formula_on_large_sets():
    rng = np.random.default_rng(5)
    a, b = permutations(128, 2)
    for n in (1, 7, 2_000):
        hashes = np.unique(rng.integers(0, 2**32, n, dtype=np.uint64))
        with np.errstate(over="ignore"):
            vals = (np.multiply.outer(hashes, a) + b) % np.uint64(2**61 - 1) & np.uint64(0xFFFFFFFF)
        assert minhash(hashes, a, b).tolist() == vals.min(axis=0).astype(np.uint32).tolist()
