"""The stage registry: every stage resolves to a callable body, and the main job names only known stages."""

import pytest

from songsage.config import load_config
from songsage.stages import STAGES, get_stage
from tests.conftest import REPO


@pytest.mark.parametrize("name", sorted(STAGES))
def test_every_stage_imports(name):
    assert callable(get_stage(name))


def test_local_pipeline_stages_are_known():
    stages = load_config(str(REPO / "configs/local.yaml")).pipeline.stages
    assert stages[0] == "curate" and set(stages) <= set(STAGES)


def test_unknown_stage_lists_known_ones():
    with pytest.raises(KeyError, match="known stages: curate"):
        get_stage("curat")


def test_evaluate_final_report_prints_existing_tables(tmp_path, capsys):
    from songsage.stages import final_report

    assert final_report("curate") is None
    (tmp_path / "task_metrics").mkdir()
    (tmp_path / "task_metrics" / "table2.md").write_text(
        "| Model | x |\n|---|---|\n| a | 1.0 |\n| b | 2.0 |\n"
    )
    from songsage.config import load_config

    (tmp_path / "judge").mkdir()
    (tmp_path / "judge" / "table3.md").write_text("stale table of an earlier run\n")
    final_report("evaluate")(load_config(None, ["eval.tasks=[playlistsense, task_metrics]"]), str(tmp_path))
    out = capsys.readouterr().out
    assert (
        "## task_metrics/table2.md" in out
        and "| Model | x |" in out
        and "table1" not in out
        and "stale" not in out
    )
