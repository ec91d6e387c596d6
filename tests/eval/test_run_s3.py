"""The evaluation with an ``s3://`` run dir (moto S3 on 127.0.0.1): validation split read from the bucket,
task tables written there (the judge reading task_metrics' lyrics beside its own), files logged while local."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from songsage import storage
from songsage.config import load_config
from songsage.eval.run import print_final_tables, run_evaluation
from tests.eval.test_task_metrics import SAMPLES, FakeEncoder, _write_split, tiny_echo_judge_overrides

pytestmark = pytest.mark.slow  # the tiny model generates in a Ray Data actor pool (~20 s)


class FileTracker:
    """Records logged metrics and checks each logged artifact is a readable local file at logging time."""

    def __init__(self) -> None:
        self.artifacts: list[tuple[str, str | None]] = []

    def log_metrics(self, metrics: dict[str, float], step: int | None = None) -> None:
        pass

    def log_artifact(self, path: str, artifact_path: str | None = None) -> None:
        assert os.path.isfile(path), path
        self.artifacts.append((Path(path).name, artifact_path))


def test_evaluation_writes_tables_to_s3(
    ray_session: Any,
    tiny_model_cfg: Any,
    chat_server: Any,
    s3_server: Any,
    s3_dir: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # a stray local "s3:" folder would land here
    monkeypatch.setenv("SONGSAGE_NODE_CACHE", str(tmp_path / "node-cache"))
    storage.upload_dir(str(_write_split(tmp_path / "local" / "build_sft")), f"{s3_dir}/build_sft")
    refs = {p: r for _, _, p, r in SAMPLES}
    echo = chat_server(lambda body: refs.get(body["messages"][-1]["content"], "?"))
    judge = chat_server(lambda body: "Creativity: 7\nFluency: 8\nRelevance: 6\nEmotional Expression: 9")
    cfg = load_config(
        None,
        [
            f"run.dir={s3_dir}",
            "eval.tasks=[task_metrics, judge]",
            *tiny_echo_judge_overrides(tiny_model_cfg, echo.base_url, judge.base_url),
        ],
    )
    monkeypatch.setattr("songsage.models.encoder.load_encoder", lambda _cfg: FakeEncoder())
    out = f"{s3_dir}/evaluate"
    tracker = FileTracker()
    rows = run_evaluation(cfg, out, tracker)
    assert any(k == "table2 echo" for k, _ in rows)
    prefix = out.removeprefix(f"s3://{s3_server.bucket}/")
    keys = set(s3_server.keys(out))
    assert {f"{prefix}/task_metrics/table2.md", f"{prefix}/judge/table3.md"} <= keys
    assert ("table2.md", "task_metrics") in tracker.artifacts
    assert "| echo | - | - | - | 100.00 | 100.00 | 100.00 |" in storage.read_text(
        f"{out}/task_metrics/table2.md"
    )
    print_final_tables(cfg, out)
    assert "## task_metrics/table2.md" in capsys.readouterr().out
    assert not Path("s3:").exists()
