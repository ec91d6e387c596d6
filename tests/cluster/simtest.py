"""Test-side helpers of the simulated-cluster tests: raw data into the bucket, a job run through
``tests/cluster/sim_cluster.py`` (its report and log back)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.helpers import S3Server

REPO = Path(__file__).resolve().parents[2]


def upload_raw(s3: S3Server) -> None:
    """The shipped sample's songs, playlists and general text to ``s3://songsage/raw/<kind>/``, where
    ``configs/cluster.yaml`` reads raw data."""
    for name in ("songs", "playlists", "general"):
        s3.client.upload_file(
            str(REPO / "data/sample" / f"{name}.jsonl"), "songsage", f"raw/{name}/{name}.jsonl"
        )


def run_on_sim_cluster(
    tmp_path: Path, workdir: Path, job: list[str], timeout_s: float, fault: str = ""
) -> tuple[dict[str, Any], str]:
    """Run ``python <job...>`` from ``workdir`` on a fresh simulated cluster; returns (report, job log).
    ``fault``: the log regex at which the Train workers' node is replaced (see sim_cluster.py)."""
    ray_tmp = tempfile.mkdtemp(prefix="ray-sim-")  # short: Ray's socket paths must fit 107 characters
    report_path, log_path = tmp_path / "report.json", tmp_path / "job.log"
    args = [
        "--report",
        str(report_path),
        "--workdir",
        str(workdir),
        "--temp-dir",
        ray_tmp,
        "--log",
        str(log_path),
    ]
    if fault:
        args += ["--fault", fault]
    try:
        subprocess.run(
            [sys.executable, str(REPO / "tests/cluster/sim_cluster.py"), *args, "--", *job],
            check=True,
            timeout=timeout_s,
        )
    finally:
        shutil.rmtree(ray_tmp, ignore_errors=True)
    return json.loads(report_path.read_text()), log_path.read_text(errors="replace")
