"""Integration: the curation job end to end on the shipped sample and on the real public-domain corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from songsage.cli import run_job
from songsage.config import load_config
from songsage.stages import curate_stage
from tests.conftest import PUBLIC_DOMAIN, REPO, SAMPLE

pytestmark = pytest.mark.slow

EXPECTED = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))


def _run(run_dir: Path, *overrides: str) -> dict:
    argv = [
        "--config",
        str(REPO / "configs/local.yaml"),
        "--set",
        f"run.dir={run_dir}",
        "--set",
        "ray.progress_bars=false",
    ]
    for o in overrides:
        argv += ["--set", o]
    assert run_job("curate", curate_stage, argv) == 0
    return json.loads((run_dir / "curate" / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sample_run(ray_session, tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("sample-run")
    return run_dir, _run(run_dir)


def test_funnel_adds_up(sample_run):
    _, m = sample_run
    accounted = (
        sum(m["quarantined"].values())
        + sum(m["filtered"].values())
        + m["exact_duplicates"]
        + m["near_duplicates"]
        + m["balanced_away"]
        + m["kept"]
    )
    assert accounted == m["input_rows"] == EXPECTED["songs"]["input_records"]


def test_every_invalid_line_is_quarantined_with_its_line(sample_run):
    run_dir, m = sample_run
    q = pq.read_table(run_dir / "curate" / "quarantine").to_pylist()
    song_q = {r["line"]: r["reason_code"] for r in q if r["kind"] == "songs"}
    expected_lines = {line for lines in EXPECTED["songs"]["invalid"].values() for line in lines}
    assert set(song_q) == expected_lines
    assert sum(m["quarantined"].values()) == len(expected_lines)
    for kind, code in [
        ("broken_json", "broken_json"),
        ("invalid_utf8", "invalid_utf8"),
        ("not_object", "not_object"),
    ]:
        for line in EXPECTED["songs"]["invalid"].get(kind, []):
            assert song_q[line] == code
    for line in EXPECTED["songs"]["invalid"].get("missing_song_id", []) + EXPECTED["songs"]["invalid"].get(
        "empty_song_id", []
    ):
        assert song_q[line] == "missing:song_id"
    for line in EXPECTED["songs"]["invalid"].get("duplicate_song_id", []):
        assert song_q[line] == "duplicate_id:song_id"
    for line in EXPECTED["songs"]["invalid"].get("wrong_type", []):
        assert song_q[line].startswith(("wrong_type:", "missing:"))
    assert all(r["raw_base64"] for r in q)
    kinds = {r["kind"] for r in q}
    assert {"songs", "playlists", "general"} <= kinds


def test_filters_and_dedup_catch_the_planted_defects(sample_run):
    run_dir, m = sample_run
    rejected = {r["song_id"]: r for r in pq.read_table(run_dir / "curate" / "rejected").to_pylist()}
    songs = pq.read_table(run_dir / "curate" / "songs").to_pylist()
    kept_ids = {r["song_id"] for r in songs}
    for label in ("instrumental", "empty", "spam", "non_letter"):
        ids = EXPECTED["songs"][label]
        assert ids, label
        assert all(rejected.get(i, {}).get("stage") == "filter" for i in ids), label
    for group in EXPECTED["songs"]["exact_dup_groups"]:
        survivors = [i for i in group if i not in rejected or rejected[i]["stage"] == "balance"]
        assert len(survivors) <= 1, group
    for group in EXPECTED["songs"]["near_dup_groups"]:
        survivors = [i for i in group if i not in rejected or rejected[i]["stage"] == "balance"]
        assert len(survivors) <= 1, group
    assert m["exact_duplicates"] >= sum(len(g) - 1 for g in EXPECTED["songs"]["exact_dup_groups"]) * 0.9
    # normalized lyrics carry no LRC stamps or credit lines
    for r in songs:
        assert "[00:" not in r["lyrics_norm"] and "作词" not in r["lyrics_norm"]
        assert "Lyrics by" not in r["lyrics_norm"]
    assert kept_ids and len(kept_ids) == m["kept"]


def test_language_ids_and_balance(sample_run):
    run_dir, m = sample_run
    truth = EXPECTED["songs"]["language_truth"]
    songs = pq.read_table(run_dir / "curate" / "songs").to_pylist()
    labelled = [r for r in songs if r["song_id"] in truth]
    acc = sum(r["language"] == truth[r["song_id"]] for r in labelled) / len(labelled)
    assert acc >= 0.95
    achieved = m["rows_by_language"]["achieved"]
    total = sum(achieved.values())
    for lang, share in {"en": 2 / 6, "zh": 2 / 6, "ko": 1 / 6, "ja": 1 / 6}.items():
        assert abs(achieved[lang] / total - share) < 0.02, (lang, achieved)
    assert m["rows_by_language"]["shortfall"] == []


def test_general_to_lyrics_token_ratio(sample_run):
    _, m = sample_run
    lyrics = m["tokens_by_source"]["lyrics"]
    general = sum(v for k, v in m["tokens_by_source"].items() if k != "lyrics")
    assert lyrics > 0
    assert general / lyrics == pytest.approx(4.0, rel=0.1)


def test_shards_are_packed_sequences(sample_run):
    run_dir, m = sample_run
    table = pq.read_table(run_dir / "curate" / "shards")
    assert table.num_rows == m["sequences"] > 0
    seq_len = m["seq_len"]
    ids = table.column("input_ids").to_pylist()
    assert all(len(x) == seq_len for x in ids)
    lengths = table.column("length").to_pylist()
    assert sum(lengths) == sum(m["tokens_by_source"].values()) + _docs(m)
    assert sum(1 for n in lengths if n < seq_len) <= m["config"]["curate"]["pack"]["num_shards"]


def _docs(m: dict) -> int:
    """EOS separators: one per packed document (lyrics kept + general docs selected)."""
    plan = m["general"]["plan"]
    return m["kept"] + sum(p.get("achieved_docs", 0) for p in plan.values())


def test_matches_single_process_reference(sample_run, qwen_tokenizer):
    from songsage.data.reference import curate_songs_single_process

    run_dir, m = sample_run
    cfg = load_config(str(REPO / "configs/local.yaml"))
    ref = curate_songs_single_process(cfg, qwen_tokenizer)
    for key in ("input_rows", "exact_duplicates", "near_duplicates", "balanced_away", "kept"):
        assert ref[key] == m[key], key
    songs = pq.read_table(run_dir / "curate" / "songs").to_pylist()
    by_lang: dict[str, list[str]] = {}
    for r in songs:
        by_lang.setdefault(r["language"], []).append(r["song_id"])
    assert {k: sorted(v) for k, v in by_lang.items()} == ref["kept_ids"]
    assert ref["lyric_tokens"] == m["tokens_by_source"]["lyrics"]


def test_mlflow_run_has_funnel(sample_run):
    import mlflow

    run_dir, m = sample_run
    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{run_dir}/mlflow.db")
    experiment = client.get_experiment_by_name("songsage-local")
    run = client.search_runs([experiment.experiment_id])[0]
    assert run.data.metrics["songs.kept"] == m["kept"]
    assert run.data.params["curate.dedup.threshold"] == "0.8"
    assert run.data.tags["content_hash"] == m["content_hash"]
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert {"funnel.md", "manifest.json", "config.json"} <= artifacts


def test_rerun_is_deterministic_and_cleans_up(sample_run, tmp_path):
    """Same inputs + config -> identical files and hash, even over a half-written earlier run."""
    _, first = sample_run
    stale = tmp_path / "curate" / "shards" / "shard-00099.parquet"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"left over by an interrupted run")
    second = _run(tmp_path)
    assert not stale.exists()
    assert second["content_hash"] == first["content_hash"]
    assert [(f["path"], f["sha256"]) for f in second["files"]] == [
        (f["path"], f["sha256"]) for f in first["files"]
    ]


def test_public_domain_corpus_reports_missing_korean(ray_session, tmp_path):
    m = _run(
        tmp_path,
        f"data.songs={PUBLIC_DOMAIN / 'songs.jsonl'}",
        f"data.playlists={PUBLIC_DOMAIN / 'playlists.jsonl'}",
        "data.general=",
    )
    assert m["input_rows"] == 7935
    assert m["rows_by_language"]["shortfall"] == ["ko"]
    achieved = m["rows_by_language"]["achieved"]
    assert achieved.get("ko", 0) == 0
    assert achieved["en"] == achieved["zh"] == 2 * achieved["ja"]
    assert m["exact_duplicates"] >= 60  # the corpus README counts 62 exact duplicate groups
    assert m["playlists"]["kept"] == 179


def test_shuffle_joins_give_the_same_files(sample_run, tmp_path):
    """Every small-side join (repeated ids, exact duplicates, near-duplicate clusters, kept playlist
    songs) as a hash-partitioned join instead of a broadcast: byte-identical outputs."""
    _, first = sample_run
    second = _run(tmp_path, "curate.broadcast_max_rows=0")
    assert second["near_dedup"]["join"] == "shuffle"
    assert second["content_hash"] == first["content_hash"]
