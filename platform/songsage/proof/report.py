"""The proof's results table: rows = metrics, columns = the base and each stage's model, every non-base cell
with its delta vs base, the paired-bootstrap interval of that delta and a verdict.

``results_frame(metrics, models, pc) -> DataFrame`` (one row per metric x model, long form: the CSV);
``results_markdown(frame, models) -> str`` (the wide table); ``tally(frame)`` counts verdicts per model.
"""

from __future__ import annotations

import pandas as pd

from songsage.config.proof import ProofConfig
from songsage.eval.bootstrap import BETTER, NO_DIFFERENCE, WORSE, mean, paired_bootstrap, perplexity
from songsage.markdown import markdown_table
from songsage.proof.items import ItemMetric

STATISTICS = {"mean": mean, "perplexity": perplexity}
SHORT = {BETTER: "better", WORSE: "worse", NO_DIFFERENCE: "n.s."}


def results_frame(metrics: list[ItemMetric], models: list[str], pc: ProofConfig) -> pd.DataFrame:
    """Bootstrap every metric of every model against ``models[0]`` (the base); one row per (metric, model)."""
    base = models[0]
    rows = []
    for i, metric in enumerate(metrics):
        stat = STATISTICS[metric.statistic]
        rows.append(
            {
                "metric": metric.name,
                "model": base,
                "n_items": metric.n_items,
                "higher_is_better": metric.higher_is_better,
                "value": stat(metric.per_model[base]),
                "delta": 0.0,
                "ci_low": 0.0,
                "ci_high": 0.0,
                "verdict": "",
            }
        )
        for model in models[1:]:
            d = paired_bootstrap(
                metric.per_model[base],
                metric.per_model[model],
                stat,
                metric.higher_is_better,
                pc.bootstrap_resamples,
                pc.confidence,
                pc.bootstrap_seed + i,
            )
            rows.append(
                {
                    "metric": metric.name,
                    "model": model,
                    "n_items": metric.n_items,
                    "higher_is_better": metric.higher_is_better,
                    "value": d.other,
                    "delta": d.delta,
                    "ci_low": d.low,
                    "ci_high": d.high,
                    "verdict": d.verdict,
                }
            )
    return pd.DataFrame(rows)


def _num(v: float) -> str:
    return f"{v:.3f}" if abs(v) < 100 else f"{v:.1f}"


def results_markdown(frame: pd.DataFrame, models: list[str], confidence: float) -> str:
    """The wide table: metric | n | base | each model as ``value (delta [low, high]) verdict``."""
    header = ["metric", "n", f"{models[0]} (base)", *models[1:]]
    lines = []
    for metric, g in frame.groupby("metric", sort=False):
        by = {r["model"]: r for r in g.to_dict("records")}
        arrow = "↑" if by[models[0]]["higher_is_better"] else "↓"
        cells = [f"{metric} {arrow}", str(by[models[0]]["n_items"]), _num(by[models[0]]["value"])]
        for m in models[1:]:
            r = by[m]
            cells.append(
                f"{_num(r['value'])} ({r['delta']:+.3f} [{r['ci_low']:+.3f}, {r['ci_high']:+.3f}]) "
                f"{SHORT[r['verdict']]}"
            )
        lines.append(cells)
    note = (
        f"Cells: value (delta vs base [{int(round(confidence * 100))}% paired-bootstrap interval]) verdict; "
        "↑ higher is better, ↓ lower is better; n.s. = the interval contains zero."
    )
    return "\n".join(markdown_table(header, lines)) + "\n\n" + note + "\n"


def tally(frame: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Per non-base model: how many metrics are better / worse / not significantly different."""
    out: dict[str, dict[str, int]] = {}
    for model, g in frame[frame["verdict"] != ""].groupby("model", sort=False):
        counts = g["verdict"].value_counts().to_dict()
        out[str(model)] = {SHORT[v]: int(counts.get(v, 0)) for v in (BETTER, WORSE, NO_DIFFERENCE)}
    return out
