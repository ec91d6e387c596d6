"""A simulated multi-node Ray cluster running one job: ``python tests/cluster/sim_cluster.py --report r.json
--workdir <empty dir> --temp-dir <dir> -- <job argv>``.

Starts ``ray.cluster_utils.Cluster`` with a head that has no CPUs (as a production head: it runs only the job
driver, the GCS, the dashboard and Serve's proxy) and ``--workers`` worker nodes with their own CPUs and a
``sim_worker`` resource; runs the job (e.g. ``jobs/pipeline.py --config configs/cluster-sim.yaml``) as a
driver subprocess in ``--workdir`` with ``RAY_ADDRESS`` pointing at the head, so the job connects as a
``ray job submit`` driver does (the package shipped through ``runtime_env.py_modules``); then records where
Ray Train workers and Serve replicas ran (the state API) and writes the report JSON:
``{"returncode", "seconds", "head_node", "worker_nodes" (a replacement node included), "fault",
"actors": [{"class_name", "node_id", "state"}]}``.
Its own process, because a pytest process may already hold another Ray session.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
# Per-node object store: 3 raylets on a 24 GiB laptop.
OBJECT_STORE_BYTES = 300 * 1024 * 1024


def start_cluster(workers: int, cpus: int, temp_dir: str) -> Any:
    """Head (0 CPUs, dashboard for the state API) + ``workers`` nodes of ``cpus`` CPUs each."""
    from ray.cluster_utils import Cluster

    from songsage.raysession import RAY_SYSTEM_CONFIG

    cluster = Cluster(
        initialize_head=True,
        head_node_args={
            "num_cpus": 0,
            "include_dashboard": True,
            "temp_dir": temp_dir,
            "object_store_memory": OBJECT_STORE_BYTES,
            "_system_config": RAY_SYSTEM_CONFIG,
        },
    )
    for _ in range(workers):
        cluster.add_node(num_cpus=cpus, resources={"sim_worker": 1}, object_store_memory=OBJECT_STORE_BYTES)
    cluster.wait_for_nodes()
    return cluster


def actors_by_node(address: str) -> list[dict[str, Any]]:
    """Every actor the cluster ran (alive or dead): class name, node id, state."""
    import ray
    from ray.util.state import list_actors

    ray.init(address=address, logging_level="ERROR")
    try:
        return [
            {"class_name": a.class_name, "node_id": a.node_id, "state": a.state}
            for a in list_actors(limit=10_000, raise_on_missing_output=False)
        ]
    finally:
        ray.shutdown()


def replace_train_node_when(
    pattern: str, log_path: str, proc: Any, cluster: Any, cpus: int
) -> dict[str, Any]:
    """Wait for a line of the job's log matching ``pattern``, then remove the worker node that hosts a live
    Ray Train worker (``Cluster.remove_node``: its raylet and workers die) and add a fresh node of the same
    shape. Returns what happened: the line, the removed and added node ids, seconds into the job."""
    import re

    import ray
    from ray.util.state import list_actors

    t0 = time.perf_counter()
    regex = re.compile(pattern)
    while proc.poll() is None:
        line = next(
            (ln for ln in Path(log_path).read_text(errors="replace").splitlines() if regex.search(ln)), ""
        )
        if line:
            break
        time.sleep(0.5)
    else:
        return {"fired": False}
    ray.init(address=cluster.address, logging_level="ERROR")
    try:
        alive = list_actors(filters=[("state", "=", "ALIVE")], limit=10_000, raise_on_missing_output=False)
        hosts = {a.node_id for a in alive if "TrainWorker" in a.class_name}
    finally:
        ray.shutdown()
    victim = next(n for n in cluster.worker_nodes if n.node_id in hosts)
    cluster.remove_node(victim, allow_graceful=False)
    fresh = cluster.add_node(
        num_cpus=cpus, resources={"sim_worker": 1}, object_store_memory=OBJECT_STORE_BYTES
    )
    return {
        "fired": True,
        "line": line,
        "removed_node": victim.node_id,
        "added_node": fresh.node_id,
        "at_s": time.perf_counter() - t0,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--report", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--temp-dir", required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cpus", type=int, default=2)
    parser.add_argument("--log", required=True, help="the job's stdout + stderr")
    parser.add_argument(
        "--fault",
        default="",
        help="regex: when a job log line matches, remove the node of a Ray Train worker",
    )
    parser.add_argument("job", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    job = args.job[1:] if args.job[:1] == ["--"] else args.job
    cluster = start_cluster(args.workers, args.cpus, args.temp_dir)
    report: dict[str, Any] = {"head_node": cluster.head_node.node_id}
    report["worker_nodes"] = [n.node_id for n in cluster.worker_nodes]
    try:
        env = {**os.environ, "RAY_ADDRESS": cluster.address}
        t0 = time.perf_counter()
        with open(args.log, "w", encoding="utf-8") as log:
            proc = subprocess.Popen(
                [sys.executable, *job], cwd=args.workdir, env=env, stdout=log, stderr=subprocess.STDOUT
            )
            if args.fault:
                report["fault"] = replace_train_node_when(args.fault, args.log, proc, cluster, args.cpus)
                if report["fault"]["fired"]:
                    report["worker_nodes"].append(report["fault"]["added_node"])
            proc.wait()
        report["seconds"] = time.perf_counter() - t0
        report["returncode"] = proc.returncode
        report["actors"] = actors_by_node(cluster.address)
    finally:
        Path(args.report).write_text(json.dumps(report, indent=2), encoding="utf-8")
        cluster.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
