"""Search-space parsing and checks against the typed config (no Ray): bad keys/values fail before any trial."""

from __future__ import annotations

import math

import pytest

from songsage.config import ConfigError, load_config
from songsage.tune.space import base_tree, parse_space, trial_config
from songsage.tune.sweep import TrialContext, best_row, max_concurrent, trial_setup
from tests.conftest import REPO


def cfg_with(space: str, *extra: str):
    return load_config(None, [f"sweep.space={space}", *extra])


def test_local_profile_example_sweep_parses():
    cfg = load_config(str(REPO / "configs/local.yaml"))
    space = parse_space(cfg)
    assert space.keys and cfg.sweep.stage in ("pretrain", "sft", "dpo")


def test_space_kinds_become_tune_domains():
    from ray.tune.search.sample import Categorical, Float, Integer

    cfg = cfg_with(
        "{sft.lr: {loguniform: [1.0e-5, 1.0e-3]}, sft.lora_r: {choice: [8, 16, 32]}, "
        "sft.warmup_ratio: {uniform: [0.0, 0.2]}, sft.per_device_batch: {randint: [1, 5]}, dpo.beta: {grid: [0.1, 0.5]}}"
    )
    space = parse_space(cfg).param_space()
    assert isinstance(space["sft.lr"], Float) and space["sft.lr"].lower == 1e-5
    assert isinstance(space["sft.lora_r"], Categorical) and space["sft.lora_r"].categories == [8, 16, 32]
    assert isinstance(space["sft.per_device_batch"], Integer)
    assert space["dpo.beta"] == {"grid_search": [0.1, 0.5]}


@pytest.mark.parametrize(
    ("space", "message"),
    [
        ("{sft.learning_rate: {uniform: [0.1, 0.2]}}", "sweep.space.sft.learning_rate: no config key"),
        ("{sfty.lr: {uniform: [0.1, 0.2]}}", "sweep.space.sfty.lr: no config key"),
        ("{sft.lr.x: {uniform: [0.1, 0.2]}}", "sweep.space.sft.lr.x: sft.lr is a value"),
        ("{sft.deepspeed: {choice: [2]}}", "sweep.space.sft.deepspeed: sft.deepspeed is a section"),
        ("{sft.lora_r: {choice: [8, big]}}", "sweep.space.sft.lora_r: choice value 'big' is invalid"),
        ("{sft.lora_r: {uniform: [8, 32]}}", "sweep.space.sft.lora_r: uniform needs a float key"),
        ("{sft.lr: {randint: [1, 3]}}", "sweep.space.sft.lr: randint needs a integer key"),
        ("{sft.lr: {loguniform: [0.0, 0.1]}}", "sweep.space.sft.lr: loguniform needs low > 0"),
        ("{sft.lr: {uniform: [0.1, 0.01]}}", "sweep.space.sft.lr: uniform needs low < high"),
        (
            "{sft.warmup_ratio: {uniform: [0.0, 1.5]}}",
            "sweep.space.sft.warmup_ratio: uniform bound 1.5 is invalid",
        ),
        ("{dpo.beta: {choice: [0.1, -1.0]}}", "sweep.space.dpo.beta: choice value -1.0 is invalid"),
        ("{sft.use_gpu: {choice: [yes_please]}}", "sweep.space.sft.use_gpu: choice value"),
        ("{sft.lr: {normal: [0, 1]}}", "sweep.space.sft.lr: unknown distribution 'normal'"),
        ("{sft.lr: [0.1, 0.2]}", "sweep.space.sft.lr: expected a mapping"),
        ("{sft.lr: {uniform: [0.1, 0.2], choice: [1]}}", "sweep.space.sft.lr: expected one of"),
        ("{sweep.num_samples: {choice: [2, 3]}}", "sweep.space.sweep.num_samples: the sweep section"),
        ("{}", "sweep.space: empty"),
    ],
)
def test_bad_space_names_the_key(space, message):
    with pytest.raises(ConfigError) as info:
        parse_space(cfg_with(space))
    assert message in str(info.value)


def test_points_must_use_space_keys_and_valid_values():
    space = "{pretrain.lr: {loguniform: [1.0e-4, 1.0e-2]}}"
    with pytest.raises(ConfigError, match=r"sweep.points\[0\].pretrain.warmup: not a key of sweep.space"):
        parse_space(cfg_with(space, "sweep.points=[{pretrain.warmup: 0.1}]"))
    with pytest.raises(ConfigError, match=r"sweep.space.pretrain.lr: points\[1\] value 0.0 is invalid"):
        parse_space(cfg_with(space, "sweep.points=[{pretrain.lr: 0.001}, {pretrain.lr: 0.0}]"))


def test_sweep_section_is_validated_by_the_loader():
    with pytest.raises(ConfigError, match="sweep.stage: one of pretrain, sft, dpo"):
        load_config(None, ["sweep.stage=curate"])
    with pytest.raises(ConfigError, match="unknown config key sweep.samples"):
        load_config(None, ["sweep.samples=3"])


def test_trial_config_applies_sampled_values_typed():
    cfg = cfg_with("{sft.lr: {loguniform: [1.0e-5, 1.0e-3]}, sft.lora_r: {choice: [8, 16]}}")
    trial = trial_config(base_tree(cfg), {"sft.lr": 3e-4, "sft.lora_r": 16.0})
    assert trial.sft.lr == 3e-4 and trial.sft.lora_r == 16 and isinstance(trial.sft.lora_r, int)
    assert trial.sweep.space == {}  # a trial's config is the stage's, not the sweep's
    assert cfg.sft.lr != 3e-4  # the base is untouched


@pytest.mark.parametrize("stage", ["pretrain", "sft", "dpo"])
def test_a_trial_runs_its_stage_without_train_retries_in_its_own_dir(stage, tmp_path):
    # A Train retry inside a trial Tune stops leaks the retry's placement group (see trial_setup).
    cfg = cfg_with("{" + stage + ".lr: {choice: [1.0e-4]}}", f"{stage}.max_failures=2")
    ctx = TrialContext(base_tree(cfg), stage, str(tmp_path / "trials"), None, "eval_loss")
    trial, out_dir = trial_setup({f"{stage}.lr": 1e-4}, ctx, "t_00001")
    section = getattr(trial, stage)
    assert section.max_failures == 0 and getattr(cfg, stage).max_failures == 2
    assert out_dir == str(tmp_path / "trials" / "t_00001") and section.storage_path == f"{out_dir}/ray"
    assert section.lr == 1e-4


def test_concurrency_from_cluster_resources():
    cfg = load_config(
        None,
        [
            "sweep.stage=pretrain",
            "pretrain.num_workers=1",
            "pretrain.cpus_per_worker=0.5",
            "pretrain.use_gpu=false",
            "sweep.trial_cpus=0.1",
            "sweep.data_cpus=1",
            "sweep.num_samples=8",
        ],
    )
    assert max_concurrent(cfg, cluster_cpus=2, cluster_gpus=0) == 1
    assert max_concurrent(cfg, cluster_cpus=16, cluster_gpus=0) == 8  # capped by num_samples
    assert max_concurrent(cfg, cluster_cpus=4.6, cluster_gpus=0) == 6
    gpu = load_config(None, ["pretrain.num_workers=2", "pretrain.use_gpu=true", "sweep.num_samples=8"])
    assert max_concurrent(gpu, cluster_cpus=64, cluster_gpus=4) == 2
    from songsage.tune.sweep import SweepError

    with pytest.raises(SweepError, match="needs 2.1 CPUs"):
        max_concurrent(load_config(None, ["pretrain.num_workers=2", "pretrain.use_gpu=false"]), 2, 0)


def test_best_row_ignores_stopped_and_failed_trials():
    rows = [
        {"trial": "a", "status": "stopped early", "eval_loss": 1.0},
        {"trial": "b", "status": "completed", "eval_loss": 3.0},
        {"trial": "c", "status": "completed", "eval_loss": 2.0},
        {"trial": "d", "status": "failed", "eval_loss": math.nan},
    ]
    assert best_row(rows, "eval_loss", "min")["trial"] == "c"
    assert best_row(rows, "eval_loss", "max")["trial"] == "b"
    assert best_row(rows[:1], "eval_loss", "min") is None
