"""Stage chaining from the config alone (no Ray, no storage calls): every profile's ``pipeline.stages`` reads
only what an earlier stage writes or an external input, no two stages write one place, all under run.dir."""

import pytest

from songsage.config import load_config
from songsage.stages import STAGES, STANDALONE_STAGES, chain_problems, stage_io
from tests.conftest import REPO

CLUSTER = str(REPO / "configs/cluster.yaml")
LOCAL = str(REPO / "configs/local.yaml")


@pytest.mark.parametrize("profile", [LOCAL, CLUSTER])
def test_profile_chains_every_stage(profile):
    cfg = load_config(profile)
    assert chain_problems(cfg) == []


def test_cluster_runs_every_stage_local_runs_under_s3_run_dir():
    cfg = load_config(CLUSTER)
    assert cfg.pipeline.stages == load_config(LOCAL).pipeline.stages
    assert set(cfg.pipeline.stages) == set(STAGES) - STANDALONE_STAGES
    assert cfg.run.dir.startswith("s3://") and cfg.run.dir.endswith(f"/runs/{cfg.run.name}")
    for stage in [*cfg.pipeline.stages, *STANDALONE_STAGES]:
        io = stage_io(cfg, stage)
        assert io.outputs["output"] == f"{cfg.run.dir}/{stage}"
        for key, path in {**io.outputs, **io.caches}.items():
            assert path.startswith(cfg.run.dir + "/"), (stage, key, path)
        for key, path in io.inputs.items():
            assert path.startswith("s3://") or key in io.external, (stage, key, path)
            assert not path.startswith("/mnt/"), (stage, key, path)  # no node mount that nothing creates
    # what the cluster profile evaluates and trains on is this run's, not the base model
    assert stage_io(cfg, "evaluate").inputs["eval.model.model"] == f"{cfg.run.dir}/dpo/adapter"
    assert stage_io(cfg, "sft").inputs["sft.base_model"] == f"{cfg.run.dir}/pretrain/model"
    assert cfg.pretrain.deterministic_data is False
    # a pretraining sweep reads the curated shards and keeps its trials under its own dir
    sweep = stage_io(cfg, "sweep")
    assert sweep.inputs["data.shards"] == f"{cfg.run.dir}/curate/shards"
    assert sweep.outputs["sweep.storage_path"] == f"{cfg.run.dir}/sweep/tune"
    assert cfg.eval.playlistsense.max_playlists > 0  # 0 + decontamination empties three SFT tasks


def test_shared_output_dir_and_missing_inputs_are_caught():
    shared = load_config(CLUSTER, ["output.dir=s3://songsage/runs/cluster/pretrain"])
    assert any("overlaps" in p for p in chain_problems(shared))
    # pretraining before curation: its shards are written by no earlier stage
    swapped = load_config(LOCAL, ["pipeline.stages=[pretrain, curate]"])
    assert chain_problems(swapped) == [
        f"pretrain: input data.shards = {stage_io(swapped, 'pretrain').inputs['data.shards']} "
        "is written by no earlier stage"
    ]
    outside = load_config(CLUSTER, ["pretrain.storage_path=s3://songsage/ray-results"])
    assert any("pretrain.storage_path" in p and "outside run.dir" in p for p in chain_problems(outside))


def test_newest_trained_stage_follows_pipeline_order(tmp_path):
    cfg = load_config(
        LOCAL, [f"run.dir={tmp_path}", "pipeline.stages=[curate, pretrain, build_sft, sft, evaluate]"]
    )
    assert stage_io(cfg, "evaluate").inputs["eval.model.model"] == str(tmp_path / "sft" / "adapter")


def test_defaults_agree_with_the_stages_resolvers(tmp_path):
    from songsage.data.sft.preferences import cache_dir, source_dir
    from songsage.train.data import shards_path

    cfg = load_config(LOCAL, [f"run.dir={tmp_path}"])
    assert stage_io(cfg, "pretrain").inputs["data.shards"] == shards_path(cfg)
    prefs = stage_io(cfg, "build_preferences")
    assert prefs.inputs["preferences.source"] == source_dir(cfg)
    assert prefs.caches["preferences.cache_dir"] == cache_dir(cfg)
