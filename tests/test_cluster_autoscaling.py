"""The autoscaling shape of ``cluster.yaml`` works: on Ray's fake multi-node provider (every "node" a set of
Ray processes on this machine), the worker types of ``cluster.yaml`` scaled down (CPU / 32, GPUs as the
logical resource ``fake_gpu``, idle timeout / 100) start at zero, the cluster profile's pretraining request
(``configs/cluster.yaml``: 16 Ray Train workers x {8 CPU, 1 GPU}, packed as Ray Train packs them) adds exactly
the GPU workers it needs, nothing of it lands on the CPU head, and the idle workers are terminated after the
idle timeout, not before.

The cluster is its own ``ray start --head`` (own ports and temp dir), driven from a subprocess, so it never
meets the test run's shared in-process Ray session; ``AutoscalingCluster``'s own start/shutdown run
``ray stop --force`` (every Ray on the machine), so this file starts and stops only its own head.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import free_port, stop_process_group, venv_bin

REPO = Path(__file__).resolve().parents[1]
CPU_SCALE = 32
IDLE_SCALE = 100
FAKE_GPU = "fake_gpu"
NODE_TYPE_LABEL = "songsage.io/node-type"
FAKE_NODE_OBJECT_STORE = 100 * 1024**2
HEAD_TYPE = "ray.head.default"
STARTUP_TIMEOUT_S = 60.0
SCALE_UP_TIMEOUT_S = 90.0
SCALE_DOWN_TIMEOUT_S = 60.0

BASE_CONFIG: dict[str, Any] = {
    "cluster_name": "songsage-fake",
    "provider": {
        "type": "fake_multinode",
        "use_node_id_as_ip": True,
        "disable_node_updaters": True,
        "disable_launch_config_check": True,
    },
    "auth": {},
    "docker": {},
    "upscaling_speed": 1.0,
    "head_node_type": HEAD_TYPE,
    "file_mounts": {},
    "cluster_synced_files": [],
    "file_mounts_sync_continuously": False,
    "rsync_exclude": [],
    "rsync_filter": [],
    "initialization_commands": [],
    "setup_commands": [],
    "head_setup_commands": [],
    "worker_setup_commands": [],
    "head_start_ray_commands": [],
    "worker_start_ray_commands": [],
}


def _scaled_resources(resources: dict[str, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, value in resources.items():
        if name == "CPU":
            out["CPU"] = int(value // CPU_SCALE)
        elif name == "GPU":
            out[FAKE_GPU] = value
        else:
            out[name] = value
    return out


def scaled_cluster(launcher: dict[str, Any]) -> tuple[dict[str, Any], dict[str, float], float]:
    """``cluster.yaml`` scaled to this machine: (worker node types, head resources, idle timeout minutes)."""
    nodes = launcher["available_node_types"]
    workers: dict[str, Any] = {}
    for name, node in nodes.items():
        if name == launcher["head_node_type"]:
            continue
        workers[name] = {
            "resources": {
                **_scaled_resources(node["resources"]),
                "object_store_memory": FAKE_NODE_OBJECT_STORE,
            },
            "node_config": {},
            "labels": {NODE_TYPE_LABEL: name},
            "min_workers": node.get("min_workers", 0),
            "max_workers": node["max_workers"],
        }
    head = _scaled_resources(nodes[launcher["head_node_type"]]["resources"])
    return workers, head, launcher["idle_timeout_minutes"] / IDLE_SCALE


def pretrain_bundles(profile: str) -> list[dict[str, float]]:
    """The placement group bundles Ray Train asks for in the profile's pretraining job, scaled like the nodes."""
    from songsage.config import load_config

    train = load_config(profile, []).pretrain
    bundle = {"CPU": train.cpus_per_worker, **({"GPU": 1} if train.use_gpu else {})}
    scaled = {"CPU": bundle["CPU"] / CPU_SCALE, **({FAKE_GPU: 1} if train.use_gpu else {})}
    assert set(_scaled_resources(bundle)) == set(scaled)
    return [dict(scaled) for _ in range(train.num_workers)]


class LocalAutoscalingCluster:
    """``ray.cluster_utils.AutoscalingCluster`` with its config passed in and a head of its own.

    The base class reads ``fake_multi_node/example.yaml`` (not in the wheel) and stops every Ray process on
    the machine on start and shutdown; this one builds the config from :data:`BASE_CONFIG`, starts its head
    with ``ray start --head --block`` on free ports in its own session, and stops only that process group.
    """

    def __init__(
        self, head_resources: dict[str, float], worker_node_types: dict[str, Any], **config_kwargs: Any
    ) -> None:
        from ray.cluster_utils import AutoscalingCluster

        class _Configured(AutoscalingCluster):
            def _generate_config(
                self,
                head_resources: dict,
                worker_node_types: dict,
                autoscaler_v2: bool = False,
                **kwargs: Any,
            ) -> dict[str, Any]:
                config = copy.deepcopy(BASE_CONFIG)
                config["available_node_types"] = copy.deepcopy(worker_node_types)
                config["available_node_types"][HEAD_TYPE] = {
                    "resources": dict(head_resources),
                    "node_config": {},
                    "max_workers": 0,
                }
                config["max_workers"] = sum(t["max_workers"] for t in worker_node_types.values())
                config.update(kwargs)
                return config

        self.port = free_port()
        self.head_resources = dict(head_resources)
        self.config = _Configured(head_resources, worker_node_types, **config_kwargs)._config
        self.config["provider"]["gcs_address"] = f"127.0.0.1:{self.port}"
        self.workdir = Path(tempfile.mkdtemp(prefix="ssas", dir="/tmp"))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """Environment of the head and of the driver: token auth on (as ``cluster.yaml`` starts Ray), with a
        token file of this cluster, not ``~/.ray/auth_token``."""
        env = {k: v for k, v in os.environ.items() if k not in ("RAY_ADDRESS", "RAY_AUTH_TOKEN")}
        token = self.workdir / "auth_token"
        if not token.exists():
            token.write_text(os.urandom(16).hex())
        paths = [str(REPO), *(p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p)]
        env.update(
            {
                "RAY_AUTH_MODE": "token",
                "RAY_AUTH_TOKEN_PATH": str(token),
                "PYTHONPATH": os.pathsep.join(paths),
            }
        )
        return env

    def start(self) -> None:
        config_path = self.workdir / "autoscaling.json"
        config_path.write_text(json.dumps(self.config))
        resources = {k: v for k, v in self.head_resources.items() if k not in ("CPU", "GPU")}
        cmd = [
            venv_bin("ray"), "start", "--head", "--block",
            f"--autoscaling-config={config_path}",
            "--node-ip-address=127.0.0.1",
            f"--port={self.port}",
            f"--ray-client-server-port={free_port()}",
            f"--dashboard-agent-listen-port={free_port()}",
            "--include-dashboard=false",
            f"--temp-dir={self.workdir / 'ray'}",
            f"--num-cpus={int(self.head_resources.get('CPU', 0))}",
            f"--object-store-memory={FAKE_NODE_OBJECT_STORE}",
        ]  # fmt: skip
        if resources:
            cmd.append(f"--resources={json.dumps(resources)}")
        env = {**self.env(), "AUTOSCALER_UPDATE_INTERVAL_S": "1", "RAY_FAKE_CLUSTER": "1"}
        with open(self.workdir / "head.log", "wb") as log:
            self.process = subprocess.Popen(
                cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def head_log(self) -> str:
        path = self.workdir / "head.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def shutdown(self) -> None:
        if self.process is not None:
            stop_process_group(self.process)
            self.process = None
        shutil.rmtree(self.workdir, ignore_errors=True)


def _wait(predicate: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.5)


def drive(address: str, bundles: list[dict[str, float]]) -> dict[str, Any]:
    """Driver of the scenario (run in its own process): the node counts before, during and after the request."""
    import ray
    from ray.util.placement_group import placement_group, placement_group_table, remove_placement_group
    from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

    ray.init(address=address, log_to_driver=False)

    head = next(n for n in ray.nodes() if n["Alive"] and "node:__internal_head__" in n["Resources"])

    def workers() -> list[dict[str, Any]]:
        return [n for n in ray.nodes() if n["Alive"] and n["NodeID"] != head["NodeID"]]

    time.sleep(3)
    before = len(workers())

    t0 = time.monotonic()
    pg = placement_group(bundles, strategy="PACK")
    ready = pg.wait(timeout_seconds=SCALE_UP_TIMEOUT_S)
    scale_up_s = time.monotonic() - t0
    up = workers()
    table = placement_group_table(pg)

    @ray.remote(num_cpus=bundles[0]["CPU"], resources={FAKE_GPU: 1} if FAKE_GPU in bundles[0] else None)
    def where() -> str:
        return ray.get_runtime_context().get_node_id()

    task_node = (
        ray.get(
            where.options(
                scheduling_strategy=PlacementGroupSchedulingStrategy(pg, placement_group_bundle_index=0)
            ).remote(),
            timeout=60,
        )
        if ready
        else None
    )
    remove_placement_group(pg)
    t1 = time.monotonic()
    _wait(lambda: not workers(), SCALE_DOWN_TIMEOUT_S, "idle workers to be terminated")
    scale_down_s = time.monotonic() - t1
    return {
        "head": head["NodeID"],
        "workers_before": before,
        "ready": ready,
        "scale_up_s": round(scale_up_s, 1),
        "workers_up": [
            {"id": n["NodeID"], "group": n["Labels"].get(NODE_TYPE_LABEL), "resources": n["Resources"]}
            for n in up
        ],
        "bundle_nodes": sorted(set(table["bundles_to_node_id"].values())),
        "task_node": task_node,
        "scale_down_s": round(scale_down_s, 1),
        "workers_after": len(workers()),
    }


@pytest.mark.slow
def test_pretrain_request_scales_gpu_workers_from_zero_and_idle_ones_go() -> None:
    """The profile's pretraining request brings up ceil(16 GPUs / 8 per node) = 2 GPU workers of
    ``cluster.yaml``'s GPU groups (within max_workers), none of it on the head; idle, they are removed after
    the idle timeout, not earlier."""
    launcher = yaml.safe_load((REPO / "cluster.yaml").read_text(encoding="utf-8"))
    workers, head, idle_minutes = scaled_cluster(launcher)
    bundles = pretrain_bundles(str(REPO / "configs" / "cluster.yaml"))
    gpu_groups = {name for name, t in workers.items() if t["resources"].get(FAKE_GPU) and t["max_workers"]}
    gpus_per_node = {workers[g]["resources"][FAKE_GPU] for g in gpu_groups}
    assert FAKE_GPU not in head and len(gpus_per_node) == 1
    expected_nodes = math.ceil(sum(b[FAKE_GPU] for b in bundles) / gpus_per_node.pop())
    assert expected_nodes <= sum(workers[g]["max_workers"] for g in gpu_groups)

    cluster = LocalAutoscalingCluster(head, workers, idle_timeout_minutes=idle_minutes)
    idle_s = idle_minutes * 60
    try:
        cluster.start()
        args = [sys.executable, __file__, "--address", cluster.address, "--bundles", json.dumps(bundles)]
        proc = subprocess.run(
            args, env=cluster.env(), capture_output=True, text=True, timeout=STARTUP_TIMEOUT_S + 180
        )
        assert proc.returncode == 0, f"driver failed:\n{proc.stderr[-4000:]}\nhead:\n{cluster.head_log()}"
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        cluster.shutdown()
    print(json.dumps(result, indent=1))

    assert result["workers_before"] == 0
    assert result["ready"], f"placement group not ready in {SCALE_UP_TIMEOUT_S} s: {result}"
    up = result["workers_up"]
    assert len(up) == expected_nodes
    assert {n["group"] for n in up} == {"gpu_worker"}, "on-demand GPU workers (spot is opt-in)"
    assert all(n["resources"][FAKE_GPU] == workers[n["group"]]["resources"][FAKE_GPU] for n in up)
    worker_ids = {n["id"] for n in up}
    assert set(result["bundle_nodes"]) == worker_ids and result["head"] not in result["bundle_nodes"]
    assert result["task_node"] in worker_ids
    assert result["workers_after"] == 0
    assert result["scale_down_s"] >= idle_s


def _main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", required=True)
    parser.add_argument("--bundles", required=True)
    args = parser.parse_args()
    print(json.dumps(drive(args.address, json.loads(args.bundles))))


if __name__ == "__main__":
    _main()
