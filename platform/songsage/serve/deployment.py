"""Ray Serve deployment options from a ``serve.<deployment>`` config section (shared by the HF app and vLLM)."""

from __future__ import annotations

from typing import Any

from songsage.config.serve import DeploymentConfig


def deployment_options(d: DeploymentConfig) -> dict[str, Any]:
    """Ray Serve ``.options()`` of one deployment: replicas or autoscaling, admission limits, actor resources."""
    opts: dict[str, Any] = {
        "max_ongoing_requests": d.max_ongoing_requests,
        "max_queued_requests": d.max_queued_requests,
        "ray_actor_options": {
            "num_cpus": d.ray_actor_options.num_cpus,
            "num_gpus": d.ray_actor_options.num_gpus,
        },
    }
    if d.autoscaling.enabled:
        opts["autoscaling_config"] = {
            "min_replicas": d.autoscaling.min_replicas,
            "max_replicas": d.autoscaling.max_replicas,
            "target_ongoing_requests": d.autoscaling.target_ongoing_requests,
        }
    else:
        opts["num_replicas"] = d.num_replicas
    return opts
