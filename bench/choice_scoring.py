"""Multiple-choice scoring with and without the shared-exemplar cache, in one process.

    python bench/choice_scoring.py [--model smollm2-135m-instruct] [--shots 3] [--rows 8] [--repeats 2]

Scores the first ``--rows`` ZIQI-Eval questions of each of three categories with ``--shots`` dev exemplars
(``eval/choice.LetterScorer``): once through the cached exemplar prefix (the default), once with the cache
off (every prompt whole, the same right-padded batches). Prints seconds per pass (best of ``--repeats``),
tokens through the model per pass, the speed-up, and the largest difference of any letter log-probability
between the two (float rounding only). ``--model tiny-qwen2`` runs without the SmolLM2 asset.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "platform"))

ZIQI = REPO / "data" / "benchmarks" / "ziqi-eval"
CATEGORIES = ["popular_music", "composition_theory", "chinese_music_history"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="smollm2-135m-instruct")
    ap.add_argument("--shots", type=int, default=3)
    ap.add_argument("--rows", type=int, default=8)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()

    from songsage.config import load_config
    from songsage.eval.choice import build_prompt, discover, load_scorer, shared_prefix_length
    from songsage.markdown import markdown_table

    cfg = load_config(str(REPO / "configs" / "local.yaml"), [f"eval.model.model={args.model}"])
    scorer = load_scorer(cfg)
    splits = discover(str(ZIQI), CATEGORIES, max_rows=args.rows)
    groups = [
        [build_prompt(s.category, r, s.dev, args.shots) for r in s.test.to_dict("records")] for s in splits
    ]

    def tokens(cached: bool) -> int:
        total = 0
        for prompts in groups:
            ids = [scorer.tok(p, add_special_tokens=False)["input_ids"] for p in prompts]
            shared = shared_prefix_length(ids) if cached else 0
            shared = shared if shared >= scorer.MIN_SHARED_TOKENS else 0
            total += shared + sum(len(x) - shared for x in ids)
        return total

    def run(min_shared: int) -> tuple[float, np.ndarray]:
        scorer.MIN_SHARED_TOKENS = min_shared
        best, out = float("inf"), np.empty(0)
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            out = np.concatenate([scorer.score(p, args.batch_size) for p in groups])
            best = min(best, time.perf_counter() - t0)
        return best, out

    default_min = type(scorer).MIN_SHARED_TOKENS
    plain_s, plain = run(10**9)
    cached_s, cached = run(default_min)
    n = sum(len(g) for g in groups)
    rows = [
        ["whole prompts (baseline)", str(n), f"{tokens(False):,}", f"{plain_s:.2f}", "1.00"],
        ["cached exemplars", str(n), f"{tokens(True):,}", f"{cached_s:.2f}", f"{plain_s / cached_s:.2f}"],
    ]
    print(f"model {args.model}, {args.shots}-shot, {len(groups)} categories, batch {args.batch_size}")
    print("\n".join(markdown_table(["Scoring", "Questions", "Tokens", "Seconds", "Speed-up"], rows, "lrrrr")))
    print(f"largest |log-prob difference|: {float(np.abs(plain - cached).max()):.2e}")


if __name__ == "__main__":
    main()
