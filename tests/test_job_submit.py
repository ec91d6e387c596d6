"""The README's cluster submission path works against a real Ray head with token auth: a token made by
``ray get-auth-token --generate`` (in a temporary HOME, so ``~/.ray`` is not touched), a head started with
``RAY_AUTH_MODE=token``, one of this project's jobs (``jobs/build_index.py`` on the local profile) submitted
through the job API with the repository shipped as the runtime env's ``working_dir``. The job succeeds, runs
from the shipped copy (not this checkout), records its MLflow run, and the job API refuses requests without
the token (401) or with a wrong one (403).

The head is its own ``ray start --head --block`` (own ports and temp dir, its own process group), stopped by
signalling that group only, so the test run's shared Ray session and any other Ray on the machine live on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.helpers import free_port, stop_process_group, venv_bin

HEAD_START_TIMEOUT_S = 90.0
JOB_TIMEOUT_S = 150.0
WORKING_DIR_EXCLUDES = [
    ".git",
    ".venv",
    ".assets",
    "runs",
    "**/__pycache__",
    "tests",
    "bench",
    "docs",
    "data/corpora",
    "data/synthetic",
    "data/benchmarks",
]


@dataclass
class Head:
    """A running token-auth Ray head: its job API address, token and scratch dir."""

    dashboard: str
    token: str
    tmp: Path
    process: subprocess.Popen


def _status(url: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _clean_env() -> dict[str, str]:
    """This environment without Ray's address and auth settings; the venv's bin first on PATH, so the job's
    ``python`` entrypoint is this interpreter's environment (as on a node where the venv is activated)."""
    drop = ("RAY_ADDRESS", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH", "RAY_AUTH_MODE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["PATH"] = os.pathsep.join([str(Path(venv_bin("python")).parent), env.get("PATH", "")])
    return env


@pytest.fixture
def token_head() -> Iterator[Head]:
    """``ray get-auth-token --generate`` into a temporary HOME, then a head on free ports with that token."""
    tmp = Path(tempfile.mkdtemp(prefix="ssjs", dir="/tmp"))
    home = tmp / "home"
    home.mkdir()
    gen = subprocess.run(
        [venv_bin("ray"), "get-auth-token", "--generate"],
        env={**_clean_env(), "HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    token_file = home / ".ray" / "auth_token"
    assert gen.returncode == 0 and token_file.is_file(), gen.stderr
    token = token_file.read_text().strip()
    assert token and gen.stdout.strip() == token

    port, dashboard_port = free_port(), free_port()
    cmd = [
        venv_bin("ray"), "start", "--head", "--block",
        "--node-ip-address", "127.0.0.1",
        "--dashboard-host", "127.0.0.1",
        "--port", str(port),
        "--dashboard-port", str(dashboard_port),
        "--ray-client-server-port", str(free_port()),
        "--dashboard-agent-listen-port", str(free_port()),
        "--temp-dir", str(tmp / "ray"),
        "--num-cpus", "2",
    ]  # fmt: skip
    env = {**_clean_env(), "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN_PATH": str(token_file)}
    with open(tmp / "head.log", "wb") as log:
        process = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    head = Head(f"http://127.0.0.1:{dashboard_port}", token, tmp, process)
    try:
        deadline = time.monotonic() + HEAD_START_TIMEOUT_S
        auth = {"Authorization": f"Bearer {token}"}
        while True:
            assert process.poll() is None, (tmp / "head.log").read_text(errors="replace")[-4000:]
            try:
                if _status(f"{head.dashboard}/api/jobs/", auth) == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"job API not up in {HEAD_START_TIMEOUT_S:.0f} s"
            time.sleep(1)
        yield head
    finally:
        stop_process_group(process)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.mark.slow
def test_submitted_job_runs_shipped_code_records_mlflow_and_needs_the_token(token_head: Head) -> None:
    """``build_index`` submitted with the repo as ``working_dir`` SUCCEEDS on the token-auth head, reads the
    shipped sample data (not this checkout's), writes its index and a FINISHED MLflow run; the job API
    answers 401 without a token and 403 with a wrong one."""
    import mlflow
    from ray.job_submission import JobStatus, JobSubmissionClient

    from songsage.models.assets import assets_dir

    jobs_url = f"{token_head.dashboard}/api/jobs/"
    assert _status(jobs_url, {}) == 401
    assert _status(jobs_url, {"Authorization": "Bearer not-the-token"}) == 403

    run_dir = token_head.tmp / "run"
    client = JobSubmissionClient(
        token_head.dashboard, headers={"Authorization": f"Bearer {token_head.token}"}
    )
    job_id = client.submit_job(
        entrypoint=f"python jobs/build_index.py --config configs/local.yaml --set run.dir={run_dir}",
        runtime_env={
            "working_dir": str(REPO),
            "excludes": WORKING_DIR_EXCLUDES,
            "env_vars": {"SONGSAGE_ASSETS_DIR": str(assets_dir())},
        },
    )
    deadline = time.monotonic() + JOB_TIMEOUT_S
    while (status := client.get_job_status(job_id)) not in {
        JobStatus.SUCCEEDED,
        JobStatus.FAILED,
        JobStatus.STOPPED,
    }:
        assert time.monotonic() < deadline, f"job {job_id} still {status} after {JOB_TIMEOUT_S:.0f} s"
        time.sleep(1)
    logs = client.get_job_logs(job_id)
    assert status == JobStatus.SUCCEEDED, f"{status}: {client.get_job_info(job_id).message}\n{logs[-4000:]}"

    assert "build_index summary" in logs
    source = next(line.split(None, 1)[1] for line in logs.splitlines() if line.startswith("source "))
    assert source.endswith("data/sample/playlists.jsonl") and not source.startswith(str(REPO))
    assert (run_dir / "build_index" / "index").is_dir()

    tracking = mlflow.MlflowClient(tracking_uri=f"sqlite:///{run_dir / 'mlflow.db'}")
    experiment = tracking.get_experiment_by_name("songsage-local")
    assert experiment is not None
    runs = tracking.search_runs([experiment.experiment_id])
    assert [r.info.run_name for r in runs] == ["build_index-local"]
    assert runs[0].info.status == "FINISHED" and runs[0].info.run_id in logs
