"""LyricBank-SFT and preference builds with an ``s3://`` run dir (moto S3 on 127.0.0.1): inputs read from the
bucket, outputs, manifests and teacher caches written there, nothing written to a local ``s3:`` folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from songsage import storage
from songsage.config.sft import SFT_TASKS
from songsage.data.sft.build import build_sft_stage
from songsage.data.sft.preferences import build_preferences_stage
from tests.sft.sftdata import make_config

pytestmark = pytest.mark.slow  # two Ray Data builds (~30 s), like tests/sft/test_build.py


class DictTracker:
    """Records what a stage logs to MLflow."""

    def __init__(self) -> None:
        self.dicts: dict[str, Any] = {}

    def log_metrics(self, metrics: dict[str, float], step: int | None = None) -> None:
        pass

    def log_dict(self, data: Any, name: str) -> None:
        self.dicts[name] = data


def _prefix_keys(s3_server: Any, uri: str) -> set[str]:
    base = uri.removeprefix(f"s3://{s3_server.bucket}/")
    return {k.removeprefix(base + "/") for k in s3_server.keys(uri)}


def test_build_sft_and_preferences_in_s3_run_dir(
    ray_session: Any,
    curated_root: Path,
    chat_server: Any,
    s3_server: Any,
    s3_dir: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # a stray local "s3:" folder would land here
    storage.upload_dir(str(curated_root / "curate"), f"{s3_dir}/curate")
    teacher = chat_server(lambda body: "Teacher answer: " + body["messages"][-1]["content"][:40])
    strong = chat_server(lambda body: "A careful answer.")
    weak = chat_server(lambda body: "meh " + body["messages"][-1]["content"][:10])
    cfg = make_config(
        s3_dir,  # type: ignore[arg-type]
        f"sft_data.total_samples={len(SFT_TASKS)}",
        "sft_data.general_ratio=0",
        "sft_data.teacher.backend=openai",
        f"sft_data.teacher.base_url={teacher.base_url}",
        "sft_data.teacher.model=t",
        "sft_data.teacher.retries=0",
        "preferences.per_task=1",
        *[
            f"preferences.{name}.{k}={v}"
            for name, server in (("strong", strong), ("weak", weak))
            for k, v in (("backend", "openai"), ("base_url", server.base_url), ("model", name))
        ],
    )
    sft_out, prefs_out = f"{s3_dir}/build_sft", f"{s3_dir}/build_preferences"
    tracker = DictTracker()
    build_sft_stage(cfg, sft_out, tracker)
    keys = _prefix_keys(s3_server, s3_dir)
    assert {"build_sft/manifest.json", "build_sft/train/part-00000.parquet"} <= keys
    assert any(k.startswith("cache/teacher/") for k in keys)
    manifest = storage.read_json(f"{sft_out}/manifest.json")
    assert tracker.dicts["manifest.json"] == manifest
    assert manifest["train_rows"] + manifest["validation_rows"] == len(SFT_TASKS)
    assert pq.read_table(f"{sft_out}/train").num_rows == manifest["train_rows"]
    calls = teacher.calls
    build_sft_stage(cfg, sft_out, DictTracker())  # resumed from the bucket's teacher cache
    assert teacher.calls == calls

    build_preferences_stage(cfg, prefs_out, tracker)
    keys = _prefix_keys(s3_server, s3_dir)
    assert {"build_preferences/manifest.json", "build_preferences/pairs/part-00000.parquet"} <= keys
    assert any(k.startswith("cache/preferences/") for k in keys)
    pairs = pq.read_table(f"{prefs_out}/pairs").to_pylist()
    assert pairs and all(p["chosen"] == "A careful answer." for p in pairs)
    assert tracker.dicts["manifest.json"] == storage.read_json(f"{prefs_out}/manifest.json")
    assert not Path("s3:").exists()
