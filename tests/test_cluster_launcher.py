"""The Ray cluster launcher file (``cluster.yaml``) passes Ray's own config validation, as ``ray up`` runs it
(defaults filled by ``prepare_config``, then the launcher JSON schema), with no cloud call."""

import copy
import re

import pytest
import yaml

from tests.conftest import REPO


def _launcher_config():
    return yaml.safe_load((REPO / "cluster.yaml").read_text(encoding="utf-8"))


def _validated(config):
    from ray.autoscaler._private.util import prepare_config, validate_config

    config = prepare_config(copy.deepcopy(config))
    validate_config(config)
    return config


def test_cluster_yaml_passes_ray_validation_with_the_planned_shape():
    config = _validated(_launcher_config())
    assert config["provider"]["type"] == "aws" and config["idle_timeout_minutes"] > 0
    nodes = config["available_node_types"]
    head = nodes[config["head_node_type"]]
    assert "GPU" not in head["resources"] and "p4d" not in head["node_config"]["InstanceType"]
    gpu = nodes["gpu_worker"]
    assert (gpu["min_workers"], gpu["max_workers"], gpu["resources"]["GPU"]) == (0, 2, 8)
    spot = nodes["gpu_worker_spot"]
    assert spot["min_workers"] == 0 and spot["node_config"]["InstanceMarketOptions"]["MarketType"] == "spot"
    assert config["max_workers"] >= sum(n.get("max_workers", 0) for n in nodes.values())
    # Pinned images: an explicit Ray release tag, the same Ray the setup installs with the project.
    images = [config["docker"]["head_image"], config["docker"]["worker_image"]]
    tags = {re.fullmatch(r"rayproject/ray:(\d+\.\d+\.\d+)-py\d+-(cpu|gpu)", i).group(1) for i in images}
    assert len(tags) == 1
    setup = " ".join(config["setup_commands"])
    assert f"=={tags.pop()}" in setup and 'install -e ".[gpu]"' in setup
    starts = config["head_start_ray_commands"] + config["worker_start_ray_commands"]
    assert all("RAY_AUTH_MODE=token" in c for c in starts if "ray start" in c)


def test_ray_validation_rejects_a_wrong_launcher_key():
    config = _launcher_config()
    config["available_node_types"]["gpu_worker"]["min_worker"] = 0  # typo of min_workers
    with pytest.raises(Exception, match="min_worker"):
        _validated(config)
