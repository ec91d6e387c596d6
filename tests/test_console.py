"""A console a person can read: to a log or pipe a job prints its own lines, not Ray's or libraries' chatter."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from songsage.cli import print_config, stage_line
from songsage.config import load_config
from songsage.raysession import keep_worker_line, worker_env

REPO = Path(__file__).resolve().parents[1]
# The curate job prints ~40 lines of its own (config line, one per curation step, the summary); before the
# fix it printed ~1,400 (the resolved config, Ray Data's execution plans and progress blocks).
MAX_CURATE_LINES = 120


def test_worker_lines_kept_are_songsage_lines_and_errors() -> None:
    assert keep_worker_line("[pretrain] step 3/10 loss 11.7 lr 1.0e-03")
    assert keep_worker_line("Traceback (most recent call last):")
    assert keep_worker_line("ValueError: sft.seq_len must be > 0")
    assert not keep_worker_line("✔️  Dataset train_0357 execution finished in 1.45 seconds")
    assert not keep_worker_line("Progress bars disabled. To enable, set `...enable_progress_bars = True`.")
    assert not keep_worker_line("DeepSpeed deepspeed.ops.comm.deepspeed_shm_comm_op built successfully")
    assert not keep_worker_line("Loading weights:  41%|████      | 112/272")


def test_worker_env_silences_the_repeated_deprecation(monkeypatch: pytest.MonkeyPatch) -> None:
    import warnings

    monkeypatch.delenv("PYTHONWARNINGS", raising=False)
    env = worker_env()
    assert env["RAY_TRAIN_ENABLE_PRINT_PATCH"] == "0"
    # The filter PYTHONWARNINGS installs in a worker matches DeepSpeed's per-step FutureWarning.
    action, message, category, *_ = env["PYTHONWARNINGS"].split(":")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        warnings.filterwarnings(
            action, message=message, category=getattr(__builtins__, category, FutureWarning)
        )
        warnings.warn(
            "`torch.distributed.all_gather_into_tensor` is deprecated. Please use ...",
            FutureWarning,
            stacklevel=1,
        )
        warnings.warn("another FutureWarning", FutureWarning, stacklevel=1)
    assert [str(w.message) for w in seen] == ["another FutureWarning"]
    monkeypatch.setenv("PYTHONWARNINGS", "error")
    assert worker_env()["PYTHONWARNINGS"] == "error"  # a user's own setting wins


def test_config_is_one_line_to_a_pipe(capsys: pytest.CaptureFixture[str]) -> None:
    cfg = load_config(str(REPO / "configs" / "local.yaml"), [])
    print_config(cfg, "configs/local.yaml", ["run.dir=/tmp/x"])
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "config: configs/local.yaml with run.dir=/tmp/x (resolved config: config.json in each MLflow run)"
    ]
    assert stage_line("curate", [("songs in", "638"), ("kept", "432")], 12.34) == (
        "[curate] done in 12.3 s: songs in 638; kept 432"
    )


@pytest.mark.slow
def test_curate_job_to_a_pipe_stays_short(tmp_path: Path) -> None:
    """jobs/curate.py on the shipped sample, stdout+stderr to a pipe (its own Ray, as a user runs it)."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "platform")}
    proc = subprocess.run(
        [sys.executable, "jobs/curate.py", "--config", "configs/local.yaml", "--set", f"run.dir={tmp_path}"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
        check=False,
    )
    lines = proc.stdout.splitlines()
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert len(lines) <= MAX_CURATE_LINES, "\n".join(lines)
    assert sum("[curate] songs:" in line for line in lines) >= 5  # the job's own per-step lines remain
    assert not any("logging_progress" in line or "Execution plan" in line for line in lines)


def test_stage_line_clips_long_values() -> None:
    line = stage_line("curate", [("quarantined", "22 " + "{'broken_json': 3}" * 10)], 1.0)
    assert line.startswith("[curate] done in 1.0 s: quarantined 22 {'broken_json'") and len(line) < 100
