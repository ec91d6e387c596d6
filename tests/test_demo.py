"""The main job as a new user sees it (configs/local.yaml on the shipped sample).

Fast: the profile's SFT/DPO base is a real model (a random one made Serve answer ''), the demo's evaluation
tasks leave out the all-constant tables, constant tables are not printed. Slow: the profile's query writer
writes queries specific enough that the oracle row beats the random row; the serve demo stage answers the
demo question in real text.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from songsage.config import load_config
from songsage.eval.run import is_constant_table, print_final_tables, table_cells

REPO = Path(__file__).resolve().parents[1]
PROFILE = REPO / "configs" / "local.yaml"
SAMPLE = REPO / "data" / "sample"


def test_demo_trains_lora_on_a_real_model() -> None:
    from songsage.train.lora import base_model_config, is_random_init

    cfg = load_config(str(PROFILE), ["run.dir=/nonexistent-run"])
    base = base_model_config(cfg, cfg.sft)
    assert not is_random_init(base), (
        f"sft base {base.name_or_path} is a random-init model: Serve answers noise"
    )
    assert "judge" not in cfg.eval.tasks and "task_metrics" not in cfg.eval.tasks


def test_constant_tables_are_named_not_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    zeros = "| model | A | B |\n|---|---|---|\n| m1 | 0.00 | 0.00 |\n| m2 | 0.00 | 0.00 |\n"
    varied = "| model | HR@1 |\n|---|---|\n| oracle | 60.00 |\n| random | 10.00 |\n"
    assert table_cells(varied) == ["60.00", "10.00"]
    assert is_constant_table(zeros) and not is_constant_table(varied) and is_constant_table("no table")
    (tmp_path / "playlistsense").mkdir()
    (tmp_path / "choice").mkdir()
    (tmp_path / "playlistsense" / "table1.md").write_text(varied)
    (tmp_path / "choice" / "choice.md").write_text(zeros)
    cfg = load_config(str(PROFILE), ["eval.tasks=[playlistsense, choice]"])
    print_final_tables(cfg, str(tmp_path))
    out = capsys.readouterr().out
    assert "| oracle | 60.00 |" in out
    assert "choice/choice.md: not printed, every cell is '0.00'" in out and "| m1 |" not in out


@pytest.mark.slow
def test_demo_queries_retrieve_their_playlist(ray_session: Any, tmp_path: Path) -> None:
    """The profile's writer (SmolLM2) on the shipped playlists: oracle HR@1 clearly above random."""
    from songsage.eval.playlistsense import build_queries, evaluate_playlistsense

    cfg = load_config(
        str(PROFILE),
        [
            f"run.dir={tmp_path}",
            "tracking.enabled=false",
            f"eval.playlistsense.playlists={SAMPLE / 'playlists.jsonl'}",
            f"eval.playlistsense.songs={SAMPLE / 'songs.jsonl'}",
            "eval.model.max_new_tokens=8",
        ],
    )
    queries = build_queries(cfg, str(tmp_path / "build_playlistsense"))
    assert (queries["query"].str.len() > 0).all()
    # One cheap evaluated model (the descriptions do not enter the oracle and random rows).
    res = evaluate_playlistsense(cfg, str(tmp_path / "evaluate"), [("smollm2", cfg.eval.model)])
    oracle, rand = res["rows"]["oracle"]["avg/HR@1"], res["rows"]["random"]["avg/HR@1"]
    print(queries["query"].tolist(), res["rows"])
    n = cfg.eval.playlistsense.max_playlists
    oracle5, rand5 = res["rows"]["oracle"]["avg/HR@5"], res["rows"]["random"]["avg/HR@5"]
    # Measured with this profile: oracle HR@1 20% / HR@5 47% against chance 1/20 and 5/20.
    assert oracle >= 3 / n and oracle > rand and oracle5 > rand5 + 0.1, (oracle, rand, oracle5, rand5)


@pytest.mark.slow
def test_serve_demo_answers_in_real_text(ray_session: Any, tmp_path: Path) -> None:
    """The serve demo stage on the profile's base model answers the demo question with text."""
    import socket

    from songsage.serve.demo import serve_demo_stage
    from songsage.tracking import Tracker

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg = load_config(
        str(PROFILE),
        [
            f"run.dir={tmp_path}",
            "tracking.enabled=false",
            f"serve.port={port}",
            f"serve.model={cfg_base_model()}",
            f"serve.playlists={SAMPLE / 'playlists.jsonl'}",
        ],
    )
    with Tracker(cfg, "serve_demo") as tracker:
        rows = dict(serve_demo_stage(cfg, str(tmp_path / "serve_demo"), tracker))
    answer = ast.literal_eval(rows["answer"])  # the row holds repr(answer)
    assert len(answer.split()) >= 3, answer


def cfg_base_model() -> str:
    """The profile's SFT/DPO base (what the demo's served adapter sits on)."""
    return load_config(str(PROFILE), []).sft.base_model
