"""The proof: a real small model through CPT -> SFT -> DPO against its own base, on a held-out split.

python jobs/proof.py --config configs/proof.yaml                # make proof (2 CPU cores, < 90 min)
python jobs/proof.py --config configs/proof.yaml --set proof.metrics=[perplexity]
Writes <run.dir>/proof/results.md and results.csv (also in the proof's MLflow run).
"""

import _bootstrap  # noqa: F401  (puts platform/ on sys.path)
from songsage.cli import run_job
from songsage.proof.run import proof_stage

if __name__ == "__main__":
    raise SystemExit(run_job("proof", proof_stage))
