"""A reduced proof run: the whole job (split -> held-out side -> CPT -> SFT -> DPO -> side-by-side evaluation
-> bootstrap table) at tiny sizes, producing every row and column of the results table, with lineage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from songsage.config import load_config

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "data" / "corpora" / "public-domain-lyrics"
TINY = "tiny-qwen2"


def _subset(tmp_path: Path) -> dict[str, str]:
    """12 playlists per language of the shipped corpus, 6 songs each, and those songs."""
    playlists = [json.loads(line) for line in (CORPUS / "playlists.jsonl").read_text().splitlines()]
    chosen, per_lang = [], {}
    for p in playlists:
        lang = p["playlist_id"].split("-")[0]
        if per_lang.get(lang, 0) < 12 and len(p["song_ids"]) >= 6:
            per_lang[lang] = per_lang.get(lang, 0) + 1
            chosen.append({**p, "song_ids": p["song_ids"][:6]})
    wanted = {s for p in chosen for s in p["song_ids"]}
    songs = [
        line
        for line in (CORPUS / "songs.jsonl").read_text().splitlines()
        if json.loads(line)["song_id"] in wanted
    ]
    (tmp_path / "songs.jsonl").write_text("\n".join(songs) + "\n")
    (tmp_path / "playlists.jsonl").write_text(
        "\n".join(json.dumps(p, ensure_ascii=False) for p in chosen) + "\n"
    )
    return {"songs": str(tmp_path / "songs.jsonl"), "playlists": str(tmp_path / "playlists.jsonl")}


def reduced_overrides(tmp_path: Path) -> list[str]:
    """configs/proof.yaml at test size: the tiny random model everywhere, a few steps, a few items."""
    data = _subset(tmp_path)
    tiny_gen = f"{{backend: hf, model: {TINY}, max_new_tokens: 12, batch_size: 16, max_input_tokens: 256}}"
    return [
        f"run.dir={tmp_path / 'run'}",
        f"data.songs={data['songs']}",
        f"data.playlists={data['playlists']}",
        "tokenizer.name_or_path=qwen2.5-offline",
        f"model.name_or_path={TINY}",
        "model.tiny={hidden_size: 64, num_layers: 2, num_heads: 4, num_kv_heads: 2, intermediate_size: 128}",
        "curate.pack.seq_len=128",
        "pretrain.seq_len=128",
        "pretrain.per_device_batch=1",
        "pretrain.max_steps=2",
        "pretrain.checkpoint_every=2",
        "pretrain.eval_every=2",
        "sft.seq_len=128",
        "sft.max_steps=2",
        "sft.checkpoint_every=2",
        "sft.eval_every=2",
        "dpo.seq_len=128",
        "dpo.max_steps=2",
        "dpo.checkpoint_every=2",
        "sft_data.total_samples=45",
        f"sft_data.teacher={tiny_gen}",
        f"preferences.strong={tiny_gen}",
        "preferences.per_task=1",
        f"generator={tiny_gen}",
        f"eval.model={tiny_gen}",
        "eval.choice.max_rows=3",
        "eval.choice.categories=[popular_music]",
        "proof.heldout_playlist_fraction=0.3",
        "proof.heldout_sft_samples=45",
        "proof.table2_per_task=2",
        "proof.ppl_songs_per_language=4",
        "proof.ppl_general_docs=4",
        "proof.ppl_max_tokens=64",
        "proof.bootstrap_resamples=100",
    ]


@pytest.mark.slow
def test_reduced_proof_run_fills_every_row_and_column(ray_session: Any, tmp_path: Path) -> None:
    import mlflow

    from songsage.proof.leaks import find_leaks
    from songsage.proof.run import proof_stage
    from songsage.tracking import Tracker

    cfg = load_config(str(REPO / "configs" / "proof.yaml"), reduced_overrides(tmp_path))
    out = tmp_path / "run" / "proof"
    with Tracker(cfg, "proof") as tracker:
        rows = dict(proof_stage(cfg, str(out), tracker))
        run_id = tracker.run_id
    assert "no held-out item" in rows["leak check"]

    frame = pd.read_csv(out / "results.csv")
    models = ["base", "+CPT", "+SFT", "+DPO"]
    assert set(frame["model"]) == set(models)
    metrics = set(frame["metric"])
    for lang in ("en", "ja", "zh"):
        assert f"lyrics perplexity ({lang})" in metrics
    assert "general-text perplexity" in metrics
    assert any(m.startswith("Table 2: ") for m in metrics)
    assert {"PlaylistSense HR@1", "PlaylistSense HR@5", "ziqi-eval 0-shot accuracy"} <= metrics
    others = frame[frame["model"] != "base"]
    assert others["verdict"].isin(["better", "worse", "no significant difference"]).all()
    assert (others["ci_low"] <= others["ci_high"]).all()
    # CPT moved the model: the random base's perplexity differs from the trained one
    ppl = frame[frame["metric"] == "lyrics perplexity (en)"].set_index("model")["value"]
    assert ppl["+CPT"] != ppl["base"]
    md = (out / "results.md").read_text()
    assert all(m in md for m in models) and "leak check" in md

    report = find_leaks(str(out / "split"), str(out / "train"))
    assert not report.leaks
    assert {"curate/songs", "curate/playlists", "build_sft/train", "build_preferences/pairs"} <= set(
        report.scanned
    )

    tags = mlflow.get_run(run_id).data.tags
    for stage in cfg.proof.train_stages:
        assert tags[f"lineage.train.{stage}.run_id"] not in ("", "none"), stage
    assert tags["lineage.heldout.curate.manifest_sha256"] != "none"
