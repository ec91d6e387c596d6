"""Multiple-choice benchmarks (paper Tables 5-6): MMLU, ZIQI-Eval, MusicTheoryBench, read by path.

Layout: ``<path>/test/<category>.csv`` (+ optional ``<path>/dev/<category>.csv`` for k-shot), either with
a header containing ``question,A,B,C,D,answer`` (ZIQI-Eval: ``id,question,A,B,C,D,answer,subtheme``)
or header-less MMLU files ``<subject>_test.csv`` / ``<subject>_dev.csv`` (question, A-D, answer).

Scoring: the prompt (k dev exemplars + the question with lettered options, ending in "Answer:") goes
through the model once; the prediction is the option letter whose next-token log-likelihood
(" A" ... " D") is highest. Batched with right padding; the exemplars shared by a category's prompts are
computed once and their key/value cache reused. Endpoint models (no log-likelihoods) answer by
generation instead; the letter is extracted from the reply (unreadable replies count as wrong and are
reported as ``unparsed``). Outputs per category and overall accuracy and macro-F1 (over the letters
A-D), as fractions.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from songsage.config import Config
from songsage.config.eval import GeneratorConfig
from songsage.config.paths import run_dir
from songsage.eval.metrics import accuracy, macro_f1
from songsage.markdown import markdown_table
from songsage.models.generator import Generator, model_config_for

LETTERS = ["A", "B", "C", "D"]
CHOICE_HEADER = ["Model", "Benchmark", "Shots", "Category", "n", "Accuracy", "Macro-F1"]
COLUMNS = ["question", *LETTERS, "answer"]


@dataclass
class Split:
    """One category's test rows and dev exemplars (DataFrames with COLUMNS)."""

    category: str
    test: pd.DataFrame
    dev: pd.DataFrame


def read_choice_csv(path: Path) -> pd.DataFrame:
    """A question/A-D/answer CSV (header or MMLU header-less) with string cells, options stripped."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    if not set(COLUMNS) <= set(df.columns):
        df = pd.read_csv(path, dtype=str, keep_default_na=False, header=None)
        df = df.iloc[:, :6]
        df.columns = COLUMNS
    df = df.copy()
    for col in COLUMNS:
        df[col] = df[col].astype(str).str.strip()
    bad = ~df["answer"].isin(LETTERS)
    if bad.any():
        raise ValueError(f"{path}: {int(bad.sum())} rows have an answer outside A-D")
    return df.reset_index(drop=True)


def _category(stem: str) -> str:
    return stem[: -len("_test")] if stem.endswith("_test") else stem


def discover(path: str, categories: list[str] | None = None, max_rows: int = 0) -> list[Split]:
    """Categories of a benchmark directory (test/ + dev/), optionally filtered and capped per category."""
    root = Path(path)
    test_dir = root / "test" if (root / "test").is_dir() else root
    splits = []
    for f in sorted(test_dir.glob("*.csv")):
        cat = _category(f.stem)
        if categories and cat not in categories:
            continue
        test = read_choice_csv(f)
        if max_rows:
            test = test.head(max_rows)
        dev_candidates = [root / "dev" / f"{cat}.csv", root / "dev" / f"{cat}_dev.csv"]
        dev_file = next((d for d in dev_candidates if d.exists()), None)
        dev = read_choice_csv(dev_file) if dev_file else pd.DataFrame(columns=COLUMNS)
        splits.append(Split(cat, test, dev))
    if not splits:
        raise FileNotFoundError(f"no test CSVs under {test_dir}")
    return splits


def format_question(row: dict[str, Any], with_answer: bool) -> str:
    """``question\\nA. ..\\nB. ..\\nC. ..\\nD. ..\\nAnswer:`` (+ `` X`` for exemplars)."""
    opts = "\n".join(f"{letter}. {row[letter]}" for letter in LETTERS)
    text = f"{row['question']}\n{opts}\nAnswer:"
    return f"{text} {row['answer']}\n\n" if with_answer else text


def build_prompt(category: str, row: dict[str, Any], dev: pd.DataFrame, shots: int) -> str:
    """MMLU-style prompt: a subject line, ``shots`` dev exemplars with answers, then the question."""
    head = (
        f"The following are multiple choice questions (with answers) about {category.replace('_', ' ')}.\n\n"
    )
    examples = "".join(format_question(r, True) for r in dev.head(shots).to_dict("records"))
    return head + examples + format_question(row, False)


class LetterScorer:
    """Next-token log-likelihood of " A".." D" after each prompt.

    The prompts of one call (one category's questions after the same subject line and dev exemplars) share a
    token prefix: it goes through the model once and its key/value cache is reused for every question, so a
    k-shot prompt costs about what its question costs (the exemplars were ~3/4 of a 3-shot prompt's tokens).
    The token ids are those of each whole prompt, so the result is the uncached one up to float rounding.
    """

    # A shared prefix shorter than this is not worth a cache (0-shot prompts share only the subject line).
    MIN_SHARED_TOKENS = 64

    def __init__(self, model: Any, tokenizer: Any, max_input_tokens: int) -> None:
        self.model = model.eval()
        self.tok = tokenizer
        self.max_input_tokens = max_input_tokens
        self.letter_ids = [tokenizer(f" {c}", add_special_tokens=False)["input_ids"][0] for c in LETTERS]
        if len(set(self.letter_ids)) != len(LETTERS):
            raise ValueError("option letters do not map to distinct first tokens")
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        # transformers 5 renamed the forward's past_key_values to cache (the old name warns every call);
        # a PEFT wrapper's forward takes **kwargs, so ask the model underneath.
        base = model.get_base_model() if hasattr(model, "get_base_model") else model
        params = inspect.signature(base.forward).parameters
        self.cache_kwarg = "cache" if "cache" in params else "past_key_values"

    def score(self, prompts: list[str], batch_size: int) -> np.ndarray:
        """(n, 4) log-probabilities of the letters (float32) after each prompt (its last
        ``max_input_tokens`` tokens)."""
        import torch

        ids = [self.tok(p, add_special_tokens=False)["input_ids"][-self.max_input_tokens :] for p in prompts]
        shared = shared_prefix_length(ids)
        past = None
        if shared >= self.MIN_SHARED_TOKENS:
            with torch.no_grad():
                prefix = self.model(input_ids=torch.tensor([ids[0][:shared]]), use_cache=True)
                past = prefix["cache"] if "cache" in prefix else prefix["past_key_values"]
        else:
            shared = 0
        out = []
        for start in range(0, len(ids), batch_size):
            batch = [x[shared:] for x in ids[start : start + batch_size]]
            out.append(self._letter_logps(batch, past, shared))
        return np.concatenate(out).astype(np.float32)

    def _letter_logps(self, batch: list[list[int]], past: Any, shared: int) -> np.ndarray:
        """Letter log-probs after each (right-padded) sequence of ``batch``, which follows ``shared`` cached
        prefix tokens (``past``; none when 0)."""
        import copy

        import torch

        width = max(len(x) for x in batch)
        input_ids = torch.full((len(batch), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(batch), shared + width), dtype=torch.long)
        mask[:, :shared] = 1
        for i, x in enumerate(batch):
            input_ids[i, : len(x)] = torch.tensor(x)
            mask[i, shared : shared + len(x)] = 1
        kwargs: dict[str, Any] = {}
        if past is not None:
            cache = copy.deepcopy(past)
            cache.batch_repeat_interleave(len(batch))
            kwargs = {self.cache_kwarg: cache, "use_cache": True}
        with torch.no_grad():
            logits = self.model(input_ids=input_ids, attention_mask=mask, **kwargs).logits
        last = torch.tensor([len(x) - 1 for x in batch])
        logp = torch.log_softmax(logits[torch.arange(len(batch)), last].float(), dim=-1)
        return logp[:, self.letter_ids].numpy()


def shared_prefix_length(ids: list[list[int]]) -> int:
    """Tokens every sequence of ``ids`` starts with, leaving each at least one token of its own."""
    if not ids:
        return 0
    n = min(len(x) for x in ids) - 1
    first = ids[0]
    for x in ids[1:]:
        i = 0
        while i < n and x[i] == first[i]:
            i += 1
        n = i
    return max(n, 0)


class GenerationAnswerer:
    """Generation + answer extraction, for models without log-likelihoods (OpenAI-compatible endpoints): the
    prompt goes as one user turn with an instruction to answer with the letter; the reply's letter (parsed
    like a judge's choice) is the prediction, '' when none could be read (counted as wrong, and reported)."""

    INSTRUCTION = "Answer with the letter of the correct option (A, B, C or D) only."

    def __init__(self, generator: Generator) -> None:
        self.generator = generator

    def answer(self, prompts: list[str]) -> list[str]:
        """One letter (or '') per prompt."""
        from songsage.eval.judge import parse_choice

        replies = self.generator.generate(
            [[{"role": "user", "content": f"{p}\n\n{self.INSTRUCTION}"}] for p in prompts]
        )
        return [parse_choice(r, len(LETTERS)) or "" for r in replies]


def load_scorer(cfg: Config, gen: GeneratorConfig | None = None) -> LetterScorer:
    """An hf generator section (default ``eval.model`` as is) as a letter scorer; random-init models seeded by its ``seed``."""
    import torch

    from songsage.models.registry import load_model, load_model_tokenizer

    gen = gen or cfg.eval.model
    mcfg = model_config_for(gen, cfg.model)
    torch.manual_seed(gen.seed)
    return LetterScorer(load_model(mcfg), load_model_tokenizer(mcfg), cfg.eval.choice.max_input_tokens)


def evaluated_scorers(cfg: Config) -> Iterator[tuple[str, LetterScorer | GenerationAnswerer]]:
    """``(name, scorer)`` per evaluated model, loaded one at a time (only one model in memory): local hf models
    score option log-likelihoods; endpoint models answer by generation + extraction."""
    from songsage.eval.models import evaluated_models
    from songsage.models.generator import build_generator, resolve_cache_dir

    for name, gen in evaluated_models(cfg):
        if gen.backend == "hf":
            yield name, load_scorer(cfg, gen)
        else:
            yield (
                name,
                GenerationAnswerer(build_generator(gen, cfg.model, resolve_cache_dir(gen, run_dir(cfg)))),
            )


def evaluate_split(
    scorer: LetterScorer | GenerationAnswerer, split: Split, shots: int, batch_size: int
) -> pd.DataFrame:
    """Per-question predictions: category, answer, pred, and the four letter log-probs (or ``unparsed`` for
    generation answers)."""
    rows = split.test.to_dict("records")
    prompts = [build_prompt(split.category, r, split.dev, shots) for r in rows]
    if isinstance(scorer, GenerationAnswerer):
        pred = scorer.answer(prompts)
        df = pd.DataFrame({"category": split.category, "answer": split.test["answer"], "pred": pred})
        df["unparsed"] = [p == "" for p in pred]
        return df
    logp = scorer.score(prompts, batch_size)
    pred = [LETTERS[i] for i in logp.argmax(axis=1)]
    df = pd.DataFrame({"category": split.category, "answer": split.test["answer"], "pred": pred})
    for j, letter in enumerate(LETTERS):
        df[f"logp_{letter}"] = logp[:, j]
    return df


def summarize(preds: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, float]]:
    """Per-category table (accuracy, macro-F1, n) and overall (all rows pooled; plus mean over categories)."""
    per = []
    for cat, g in preds.groupby("category", sort=True):
        per.append(
            {
                "category": cat,
                "n": len(g),
                "accuracy": accuracy(list(g["pred"]), list(g["answer"])),
                "macro_f1": macro_f1(list(g["pred"]), list(g["answer"]), LETTERS),
            }
        )
    table = pd.DataFrame(per)
    overall = {
        "accuracy": accuracy(list(preds["pred"]), list(preds["answer"])),
        "macro_f1": macro_f1(list(preds["pred"]), list(preds["answer"]), LETTERS),
        "category_mean_accuracy": float(table["accuracy"].mean()) if len(table) else 0.0,
        "n": float(len(preds)),
    }
    if "unparsed" in preds.columns:
        overall["unparsed"] = float(preds["unparsed"].sum())
    return table, overall


def _md_row(model: str, bench: str, shots: int, category: str, n: int, acc: float, f1: float) -> list[str]:
    """One line of ``choice.md`` (accuracy and macro-F1 in percent)."""
    return [model, bench, str(shots), category, str(n), f"{100 * acc:.2f}", f"{100 * f1:.2f}"]


def run_choice_benchmarks(
    cfg: Config, out_dir: str, scorers: dict[str, LetterScorer | GenerationAnswerer] | None = None
) -> dict[str, Any]:
    """Every model x configured benchmark x shot count; writes predictions, per-category CSVs and a Markdown table.

    ``scorers``: model name -> scorer (default :func:`evaluated_scorers`, loaded one model at a time). Returns
    ``{"overall": {(model, bench, shots): metrics}, "tables": {(model, bench, shots): DataFrame}, "files": [...]}``.
    """
    cc = cfg.eval.choice
    if not cc.benchmarks:
        raise ValueError("eval.choice.benchmarks is empty: add {name, path} entries")
    pairs = scorers.items() if scorers is not None else evaluated_scorers(cfg)
    splits_by_bench = [
        (bench, discover(bench.path, cc.categories or None, cc.max_rows)) for bench in cc.benchmarks
    ]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    overall: dict[tuple[str, str, int], dict[str, float]] = {}
    tables: dict[tuple[str, str, int], pd.DataFrame] = {}
    files: list[str] = []
    md_rows: list[list[str]] = []
    for model, scorer in pairs:
        for bench, splits in splits_by_bench:
            for shots in cc.shots:
                preds = pd.concat(
                    [evaluate_split(scorer, s, shots, cc.batch_size) for s in splits], ignore_index=True
                )
                table, summary = summarize(preds)
                key = (model, bench.name, shots)
                overall[key], tables[key] = summary, table
                stem = f"{model}_{bench.name}_{shots}shot"
                preds.to_csv(out / f"{stem}_predictions.csv", index=False)
                table.to_csv(out / f"{stem}.csv", index=False)
                files.append(str(out / f"{stem}.csv"))
                for r in table.to_dict("records"):
                    md_rows.append(
                        _md_row(model, bench.name, shots, r["category"], r["n"], r["accuracy"], r["macro_f1"])
                    )
                md_rows.append(
                    _md_row(
                        model,
                        bench.name,
                        shots,
                        "**overall**",
                        int(summary["n"]),
                        summary["accuracy"],
                        summary["macro_f1"],
                    )
                )
        del scorer  # free this model before the next one loads
    (out / "choice.md").write_text("\n".join(markdown_table(CHOICE_HEADER, md_rows)) + "\n")
    files.append(str(out / "choice.md"))
    return {"overall": overall, "tables": tables, "files": files}
