from pathlib import Path

import pytest

from songsage.config import ConfigError, flatten, job_output_dir, load_config, to_dict

REPO = Path(__file__).resolve().parents[2]


def test_local_profile_loads_with_defaults():
    cfg = load_config(str(REPO / "configs/local.yaml"))
    assert cfg.curate.balance.ratios == {"en": 2.0, "zh": 2.0, "ko": 1.0, "ja": 1.0}
    assert cfg.curate.mix.general_ratio == 4.0
    assert cfg.curate.dedup.threshold == 0.8


def test_overrides_are_typed_and_dotted():
    cfg = load_config(
        None, ["curate.pack.seq_len=256", "curate.dedup.threshold=0.7", "data.general=", "run.seed=3"]
    )
    assert cfg.curate.pack.seq_len == 256 and isinstance(cfg.curate.pack.seq_len, int)
    assert cfg.curate.dedup.threshold == 0.7
    assert cfg.data.general == ""
    assert cfg.run.seed == 3


def test_unknown_key_is_named():
    with pytest.raises(ConfigError, match=r"curate\.pack\.seqlen"):
        load_config(None, ["curate.pack.seqlen=10"])


def test_wrong_type_is_named():
    with pytest.raises(ConfigError, match=r"curate\.pack\.seq_len"):
        load_config(None, ["curate.pack.seq_len=abc"])
    with pytest.raises(ConfigError, match=r"curate\.balance\.enabled"):
        load_config(None, ["curate.balance.enabled=maybe"])


def test_cross_field_validation():
    with pytest.raises(ConfigError, match="divisible"):
        load_config(None, ["curate.dedup.num_perm=100", "curate.dedup.bands=16"])


def test_malformed_override():
    with pytest.raises(ConfigError, match="dotted.key=value"):
        load_config(None, ["curate.pack.seq_len"])


def test_unknown_key_in_yaml_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("curate:\n  quality:\n    min_line: 3\n")
    with pytest.raises(ConfigError, match=r"curate\.quality\.min_line"):
        load_config(str(bad))


def test_output_dir_defaults_to_run_dir(tmp_path):
    cfg = load_config(None, [f"run.dir={tmp_path}"])
    assert job_output_dir(cfg, "curate") == str(tmp_path / "curate")
    cfg = load_config(None, ["output.dir=s3://bucket/x"])
    assert job_output_dir(cfg, "curate") == "s3://bucket/x"


def test_flatten_round_trip():
    flat = flatten(to_dict(load_config(None)))
    assert flat["curate.balance.ratios.en"] == 2.0
    assert "curate.mix.general_ratio" in flat


def test_partial_override_keeps_the_section_default():
    # JudgeConfig.generator defaults to an openai judge; naming one of its keys must not reset the rest.
    cfg = load_config(
        None, ["eval.judge.generator.base_url=http://judge/v1", "eval.judge.generator.max_new_tokens=64"]
    )
    gen = cfg.eval.judge.generator
    assert (gen.backend, gen.base_url, gen.max_new_tokens) == ("openai", "http://judge/v1", 64)
    assert load_config(None, ["eval.judge.generator.backend=hf"]).eval.judge.generator.backend == "hf"


def test_base_profile_is_merged_under_the_derived_one(tmp_path: Path):
    (tmp_path / "parent.yaml").write_text(
        "run: {name: p, seed: 3}\ncurate: {pack: {seq_len: 1024, num_shards: 8}}\n"
    )
    (tmp_path / "child.yaml").write_text(
        "base: parent.yaml\nrun: {name: c}\ncurate: {pack: {seq_len: 256}}\n"
    )
    cfg = load_config(str(tmp_path / "child.yaml"))
    assert (cfg.run.name, cfg.run.seed) == ("c", 3)
    assert (cfg.curate.pack.seq_len, cfg.curate.pack.num_shards) == (256, 8)
    (tmp_path / "loop.yaml").write_text("base: loop.yaml\n")
    with pytest.raises(ConfigError, match="includes itself"):
        load_config(str(tmp_path / "loop.yaml"))


def test_cluster_sim_keeps_every_key_of_the_cluster_profile():
    import yaml

    def keys(tree: dict, prefix: str = "") -> set[str]:
        out = set()
        for k, v in tree.items():
            out.add(prefix + k)
            if isinstance(v, dict):
                out |= keys(v, f"{prefix}{k}.")
        return out

    cluster = yaml.safe_load((REPO / "configs/cluster.yaml").read_text())
    sim = to_dict(load_config(str(REPO / "configs/cluster-sim.yaml")))
    missing = keys(cluster) - keys(sim)
    assert not missing, missing
    assert (
        sim["run"]["dir"].startswith("s3://") and sim["pipeline"]["stages"] == cluster["pipeline"]["stages"]
    )
    assert sim["model"]["name_or_path"] == "tiny-qwen2" and not sim["pretrain"]["use_gpu"]


def test_local_model_and_tokenizer_dirs_become_absolute(tmp_path, monkeypatch) -> None:
    """Ray workers run elsewhere: a relative local dir must not reach them as a (hub-id-looking) relative path."""
    import os

    from songsage.config import load_config

    (tmp_path / "assets" / "tok").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    cfg = load_config(None, ["tokenizer.name_or_path=assets/tok", "model.name_or_path=smollm2-135m-instruct"])
    assert cfg.tokenizer.name_or_path == os.path.join(str(tmp_path.resolve()), "assets", "tok")
    assert cfg.model.name_or_path == "smollm2-135m-instruct"  # a registry name, not a directory here
