"""The main job: every stage in ``pipeline.stages`` in order, chained through ``run.dir``.

python jobs/pipeline.py --config configs/local.yaml        # what `make demo` runs
"""

import _bootstrap  # noqa: F401  (puts platform/ on sys.path)
from songsage.cli import run_pipeline

if __name__ == "__main__":
    raise SystemExit(run_pipeline())
