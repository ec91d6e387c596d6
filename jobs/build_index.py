"""Build the recommender's playlist index: embed title + tags + description, write faiss index + metadata.

python jobs/build_index.py --config configs/local.yaml [--set serve.playlists=/path/playlists.jsonl]
ray job submit --working-dir . -- python jobs/build_index.py --config configs/cluster.yaml
"""

import _bootstrap  # noqa: F401  (puts platform/ on sys.path)
from songsage.cli import run_job
from songsage.serve.index_build import BUILD_INDEX_JOB, build_index_stage

if __name__ == "__main__":
    raise SystemExit(run_job(BUILD_INDEX_JOB, build_index_stage))
