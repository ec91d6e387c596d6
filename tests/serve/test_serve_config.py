"""Fast checks (no Serve started): the serve section, both Serve config files, deployment options and
the vLLM backend's LLMConfig (constructed only where ``ray.serve.llm``/vLLM imports)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from songsage.config import ConfigError, load_config

REPO = Path(__file__).resolve().parents[2]


def _cluster_cfg():  # the cluster Serve config's overrides applied to its profile
    app = yaml.safe_load((REPO / "configs" / "serve-cluster.yaml").read_text())["applications"][0]
    return load_config(str(REPO / app["args"]["config"]), app["args"]["set"])


def test_serve_yaml_builds_and_local_profile_loads() -> None:
    conf = yaml.safe_load((REPO / "configs" / "serve.yaml").read_text())
    app = conf["applications"][0]
    assert app["import_path"] == "songsage.serve.app:build_app"
    cfg = load_config(str(REPO / app["args"]["config"]), app["args"]["set"])
    assert cfg.serve.backend == "hf" and cfg.serve.port == conf["http_options"]["port"]


def test_invalid_serve_values_name_the_key() -> None:
    with pytest.raises(ConfigError, match="serve.default_max_tokens"):
        load_config(None, ["serve.default_max_tokens=999", "serve.max_tokens_limit=10"])
    with pytest.raises(ConfigError, match="serve.backend"):
        load_config(None, ["serve.backend=tgi"])
    with pytest.raises(ConfigError, match="serve.generator.autoscaling.max_replicas"):
        load_config(
            None, ["serve.generator.autoscaling.min_replicas=3", "serve.generator.autoscaling.max_replicas=2"]
        )


def test_deployment_options_autoscaling_and_gpu() -> None:
    from songsage.serve.app import deployment_options

    cfg = _cluster_cfg()
    gen = deployment_options(cfg.serve.generator)
    assert gen["autoscaling_config"] == {
        "min_replicas": 1,
        "max_replicas": 4,
        "target_ongoing_requests": 16.0,
    }
    assert gen["ray_actor_options"]["num_gpus"] == 1 and gen["max_queued_requests"] == 256
    assert "num_replicas" not in gen
    local = deployment_options(load_config(str(REPO / "configs" / "local.yaml")).serve.generator)
    assert local["num_replicas"] == 1 and local["ray_actor_options"]["num_gpus"] == 0


def test_vllm_llm_config_dict_from_cluster_profile() -> None:
    from songsage.serve.vllm_backend import llm_config_dict

    cfg = _cluster_cfg()
    # The cluster serves what the pipeline wrote (the merged DPO model in the run dir), not an MLflow name
    # that no job registers; no dynamic LoRA (nothing writes its one-folder-per-adapter layout).
    assert cfg.serve.mlflow_model_uri == ""
    d = llm_config_dict(cfg)
    assert d["model_loading_config"] == {
        "model_id": "songsage",
        "model_source": f"{cfg.run.dir}/dpo/merged",
    }
    assert "enable_lora" not in d["engine_kwargs"] and "lora_config" not in d
    cfg.serve.vllm.dynamic_lora_loading_path = "s3://bucket/adapters"
    d = llm_config_dict(cfg)
    assert d["engine_kwargs"]["enable_lora"] and d["lora_config"]["dynamic_lora_loading_path"].startswith(
        "s3://"
    )
    assert d["engine_kwargs"]["max_model_len"] >= cfg.serve.max_prompt_tokens + cfg.serve.max_tokens_limit
    assert (
        d["deployment_config"]["autoscaling_config"]["max_replicas"] == 4 and d["accelerator_type"] == "A100"
    )


def test_vllm_llm_config_constructs_where_available() -> None:
    pytest.importorskip("vllm", reason="vLLM is a GPU-cluster extra (pip install '.[vllm]')")
    llm = pytest.importorskip("ray.serve.llm")
    from songsage.serve.vllm_backend import build_llm_config

    cfg = _cluster_cfg()
    cfg.serve.mlflow_model_uri, cfg.serve.model = "", "Qwen/Qwen2.5-0.5B-Instruct"
    conf = build_llm_config(cfg)
    assert isinstance(conf, llm.LLMConfig) and conf.model_loading_config.model_id == "songsage"
