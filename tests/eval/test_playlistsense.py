"""PlaylistSense end to end on real playlists with the tiny random model (Ray Data actor pool)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from songsage.config import load_config
from songsage.data.playlists import input_paths, load_playlists
from songsage.eval.playlistsense import QUERIES_FILE, build_queries, evaluate_playlistsense
from tests.conftest import PUBLIC_DOMAIN

N_PLAYLISTS = 12


def _cfg(tmp_path: Path, tiny_model_cfg, extra: list[str]):
    t = tiny_model_cfg.tiny
    sets = [
        f"run.dir={tmp_path}",
        "tracking.enabled=false",
        f"eval.playlistsense.playlists={PUBLIC_DOMAIN}/playlists.jsonl",
        f"eval.playlistsense.songs={PUBLIC_DOMAIN}/songs.jsonl",
        f"eval.playlistsense.max_playlists={N_PLAYLISTS}",
        "eval.playlistsense.songs_per_playlist=3",
        f"model.tiny.hidden_size={t.hidden_size}",
        f"model.tiny.intermediate_size={t.intermediate_size}",
        "eval.model.max_input_tokens=256",
        "eval.model.max_new_tokens=6",
        "eval.model.batch_size=16",
        "generator.max_input_tokens=384",
        "generator.max_new_tokens=4",
        "generator.batch_size=16",
        *extra,
    ]
    return load_config(None, sets)


@pytest.mark.slow
def test_build_queries_shape(ray_session, tiny_model_cfg, tmp_path):
    cfg = _cfg(
        tmp_path,
        tiny_model_cfg,
        ["eval.playlistsense.max_playlists=2", "eval.playlistsense.perspectives=[music_era, user_habit]"],
    )
    df = build_queries(cfg, str(tmp_path / "build_playlistsense"))
    assert list(df.columns) == ["playlist_id", "perspective", "query"]
    assert len(df) == 4 and sorted(set(df["perspective"])) == ["music_era", "user_habit"]
    assert (tmp_path / "build_playlistsense" / QUERIES_FILE).exists()


@pytest.mark.slow
def test_playlistsense_oracle_and_random_rows(ray_session, tiny_model_cfg, tmp_path):
    cfg = _cfg(tmp_path, tiny_model_cfg, [])
    playlists = load_playlists(*input_paths(cfg), 3, N_PLAYLISTS)
    # Queries quoting their playlist's title, tags and first lyric line: the oracle (playlist text) ranks its own first.
    rows = [
        {
            "playlist_id": p.playlist_id,
            "perspective": persp,
            "query": f"{p.title} {' '.join(p.tags)} {p.lyrics[0].splitlines()[0]}",
        }
        for p in playlists
        for persp in cfg.eval.playlistsense.perspectives
    ]
    qdir = tmp_path / "build_playlistsense"
    qdir.mkdir()
    pd.DataFrame(rows).to_parquet(qdir / QUERIES_FILE)
    res = evaluate_playlistsense(cfg, str(tmp_path / "evaluate"), [("tiny", cfg.eval.model)])
    n = res["n_playlists"]
    assert n == N_PLAYLISTS and res["n_queries"] == 10 * n
    assert res["rows"]["oracle"]["avg/HR@1"] == 1.0
    assert abs(res["rows"]["random"]["avg/HR@1"] - 1 / n) < 0.06  # 120 draws of p = 1/12: sd ~0.025
    assert 0.0 <= res["rows"]["tiny"]["avg/HR@5"] <= 1.0
    assert set(res["rewrite"]["tiny"]) == {"R@1", "R@5", "Emb-Sim"}
    md = (tmp_path / "evaluate" / "table1.md").read_text()
    assert "| oracle | 100.00 |" in md and "User-Based" in md
    csv = pd.read_csv(tmp_path / "evaluate" / "table1.csv")
    assert list(csv["model"]) == ["tiny", "oracle", "random"] and "avg HR@5" in csv.columns
    print(md)


def test_query_prompt_puts_the_playlist_first_and_shots_are_optional():
    from songsage.eval.playlistsense import query_messages

    user0 = query_messages("music_scene", 0)("Title: Rainy Tokyo\nTags: rain, city")[1]["content"]
    assert user0.startswith("Title: Rainy Tokyo") and "Example requests" not in user0
    assert "about the setting or scenery the music paints." in user0 and "Music-based" not in user0
    user2 = query_messages("music_scene", 2)("Title: Rainy Tokyo")[1]["content"]
    assert (
        user2.index("Title: Rainy Tokyo")
        < user2.index("Example requests")
        < user2.index("Write one sentence")
    )
    assert user2.count("\n- ") == 2
