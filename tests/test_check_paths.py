"""The CI path check (.ci/check_paths.py): the repo passes, planted outside paths fail with file:line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import REPO

CHECK = REPO / ".ci" / "check_paths.py"


def _run(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CHECK), str(root)], capture_output=True, text=True, check=False
    )


def test_repository_names_no_outside_path():
    r = _run(REPO)
    assert r.returncode == 0, r.stdout


def test_planted_outside_paths_fail_with_file_and_line(tmp_path):
    (tmp_path / "configs").mkdir()
    (tmp_path / "platform" / "pkg").mkdir(parents=True)
    (tmp_path / "configs" / "local.yaml").write_text(
        "data:\n  songs: data/sample/songs.jsonl\n  bench: ../shared/benchmarks/ziqi-eval\n"
        "  cache: s3://bucket/home/x\n"
    )
    (tmp_path / "platform" / "pkg" / "m.py").write_text(
        'from pathlib import Path\nA = Path(__file__).parent / "x"\nB = Path("/work/shared/corpora/songs.jsonl")\n'
    )
    (tmp_path / "Makefile").write_text("demo:\n\tpython jobs/pipeline.py --config /home/me/local.yaml\n")
    r = _run(tmp_path)
    assert r.returncode == 1
    flagged = sorted(
        line.split(": ")[0] for line in r.stdout.splitlines() if line.count(":") >= 2 and "/" in line
    )
    assert flagged == ["Makefile:2", "configs/local.yaml:3", "platform/pkg/m.py:3"], r.stdout


def test_cluster_mounts_are_flagged_in_every_profile(tmp_path):
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "cluster.yaml").write_text("model:\n  name_or_path: /mnt/models/Qwen2.5-7B\n")
    r = _run(tmp_path)
    assert r.returncode == 1 and "configs/cluster.yaml:2" in r.stdout


def test_local_profile_benchmark_is_the_shipped_copy():
    benches = yaml.safe_load((REPO / "configs" / "local.yaml").read_text())["eval"]["choice"]["benchmarks"]
    for b in benches:
        path = (REPO / b["path"]).resolve()
        assert path.is_relative_to(REPO) and (path / "test").is_dir() and (path / "LICENSE.md").is_file(), b
