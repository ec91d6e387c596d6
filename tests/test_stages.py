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
