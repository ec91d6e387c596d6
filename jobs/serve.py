"""Serve the SongSage app (OpenAI-compatible model, embeddings, playlist recommender) until Ctrl-C.

python jobs/serve.py --config configs/local.yaml [--set serve.port=8001 ...]
serve run configs/serve.yaml                    # same app through the Serve CLI
serve deploy configs/serve-cluster.yaml         # on a running cluster (GPU profile)
"""

import signal
import sys
import time

import _bootstrap  # noqa: F401  (puts platform/ on sys.path)
from songsage.cli import parse_args, print_config
from songsage.config import ConfigError, load_config
from songsage.raysession import init_ray
from songsage.serve.app import base_url, start, stop, wait_ready


def main() -> int:
    """Load the profile, start Serve, block until SIGINT/SIGTERM, shut down."""
    args = parse_args("serve")
    try:
        cfg = load_config(args.config, args.overrides)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    print_config(cfg)
    init_ray(cfg.ray)
    start(cfg)
    info = wait_ready(cfg)
    print(f"SongSage serving at {base_url(cfg)}/v1 (backend {cfg.serve.backend}): {info}")
    stopping = {"now": False}

    def _stop(signum: int, frame: object) -> None:
        stopping["now"] = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    while not stopping["now"]:
        time.sleep(1)
    stop(cfg)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
