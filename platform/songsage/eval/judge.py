"""LLM-as-judge (paper Table 3 and Figure 3) with the paper's two prompts (Figures 12 and 13).

- Lyric scoring: a judge scores each continuation on Creativity, Fluency, Relevance and Emotional
  Expression (``min_score``..``max_score``); Table 3 = mean score per model and dimension + average.
- Best description: for each playlist the judge picks the best of up to eight model descriptions
  (letters A-H); the presentation order is shuffled per playlist (seeded) and recorded; Figure 3 =
  number of times each model was chosen.

Judge output is parsed defensively: unparseable, ranged ("7-8") or out-of-range answers count as ``malformed``,
are excluded from the aggregates, never raised.
"""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from songsage.config import Config
from songsage.config.paths import run_dir
from songsage.markdown import markdown_table
from songsage.models.generator import Generator, build_generator, resolve_cache_dir
from songsage.prompts.judge import JUDGE_BEST_DESCRIPTION, JUDGE_LYRICS
from songsage.storage import read_table

DIMENSIONS = ["Creativity", "Fluency", "Relevance", "Emotional Expression"]
# Chinese names a judge may answer with.
DIMENSION_ALIASES = {
    "Creativity": ["创意", "创造力"],
    "Fluency": ["流畅"],
    "Relevance": ["相关"],
    "Emotional Expression": ["情感表达", "情感"],
}
MAX_CHOICES = 8
AUTO = "auto"
NUMBER_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}


# A scale marker is a bracketed group naming the scale ("(1-10)", "[out of 10]", "（1-10分）"), a
# "scale of 1 to 10" phrase, or a bare range used as a label ("1-10:"); none of them is a score.
_RANGE = r"\d+(?:\.\d+)?\s*(?:-|–|—|~|～|to)\s*\d+(?:\.\d+)?"
_SCALE_MARKERS = [
    rf"[(\[（【][^)\]）】\n]*(?:{_RANGE}|out\s+of|scale|满分)[^)\]）】\n]*[)\]）】]",
    rf"(?:on\s+)?(?:a\s+)?scale\s+(?:of\s+|from\s+)?{_RANGE}",
    rf"{_RANGE}\s*(?:分)?\s*[:：]",
    r"(?:/|out\s+of|满分)\s*\d+(?:\.\d+)?",  # the denominator of "8/10", "8 out of 10"
]
_SCORE = re.compile(
    rf"(?P<range>{_RANGE})|(?P<num>\d+(?:\.\d+)?)"
    rf"|\b(?P<word>{'|'.join(NUMBER_WORDS)})\b(?=\s*(?:$|[.,;:!)/*]|out\s+of))",
    flags=re.IGNORECASE,
)


def _segment_score(segment: str) -> tuple[bool, float | None]:
    """(whether a score is stated, the score or None) in the text after one dimension name.

    Scale markers are removed first. Digits win over number words (a word counts only when it stands
    alone, so "one of the best, 9" is 9). A range ("7-8", "7 to 8") is not a score: the judge did
    not commit to one value, so the answer is unparsed rather than given a midpoint.
    """
    for marker in _SCALE_MARKERS:
        segment = re.sub(marker, " ", segment, flags=re.IGNORECASE)
    digits = [m for m in _SCORE.finditer(segment) if not m.group("word")]
    if digits:
        first = digits[0]
        return True, None if first.group("range") else float(first.group("num"))
    words = [m for m in _SCORE.finditer(segment) if m.group("word")]
    if words:
        return True, float(NUMBER_WORDS[words[0].group("word").lower()])
    return False, None


def parse_lyric_scores(text: str, min_score: float, max_score: float) -> dict[str, float] | None:
    """``{dimension: score}`` for all four dimensions, or None when any is missing, a range, or out of range.

    Each dimension's score is the first one stated between its name (English or Chinese) and the next
    dimension name; when a mention states none (a preamble listing the dimensions), the next mention is
    read. Accepts "Creativity: 8", "**Fluency** - 7/10", "Relevance = 9.5", "Emotional Expression:
    eight", "Creativity (1-10): 8", "Fluency: 8 out of 10", "| Relevance | 9 |".
    """
    if not isinstance(text, str):
        return None
    all_names = sorted((n for d in DIMENSIONS for n in [d, *DIMENSION_ALIASES[d]]), key=len, reverse=True)
    any_name = re.compile("|".join(re.escape(n) for n in all_names), flags=re.IGNORECASE)
    mentions = list(any_name.finditer(text))
    out: dict[str, float] = {}
    for dim in DIMENSIONS:
        names = {n.lower() for n in [dim, *DIMENSION_ALIASES[dim]]}
        value = None
        for i, m in enumerate(mentions):
            if m.group(0).lower() not in names:
                continue
            stop = mentions[i + 1].start() if i + 1 < len(mentions) else len(text)
            stated, value = _segment_score(text[m.end() : stop])
            if stated:
                break
        if value is None or not min_score <= value <= max_score:
            return None
        out[dim] = value
    return out


def parse_choice(text: str, n_choices: int) -> str | None:
    """The chosen letter among the first ``n_choices`` letters, or None if absent/ambiguous."""
    if not isinstance(text, str) or not text.strip():
        return None
    letters = string.ascii_uppercase[:n_choices]
    cls = f"[{letters}]"
    stripped = text.strip().strip("*`'\"。.()（）[]【】:： ")
    if re.fullmatch(cls, stripped):
        return stripped
    cue = rf"(?:answer|choice|option|best[\w ]{{0,20}}is|选择|选|答案)[^A-Za-z\n]{{0,12}}({cls})(?![A-Za-z])"
    m = re.search(cue, text, flags=re.IGNORECASE)
    if m:
        return m.group(1)
    found = set(re.findall(rf"(?<![A-Za-z]){cls}(?![A-Za-z])", text))
    return found.pop() if len(found) == 1 else None


def lyric_messages(row: dict[str, Any], min_score: int, max_score: int) -> list[dict[str, str]]:
    """Figure 13 prompt for one continuation."""
    content = JUDGE_LYRICS.format(
        keywords=row.get("keywords", ""),
        first_half=row.get("first_half", ""),
        continuation=row["continuation"],
        min_score=min_score,
        max_score=max_score,
    )
    return [{"role": "user", "content": content}]


def best_description_messages(info: dict[str, Any], options: list[str]) -> list[dict[str, str]]:
    """Figure 12 prompt for one playlist with lettered options (in the given order)."""
    letters = string.ascii_uppercase[: len(options)]
    choices = "; ".join(f"{c}: {o}" for c, o in zip(letters, options, strict=True))
    n_words = NUMBER_WORDS_BY_VALUE.get(len(options), str(len(options)))
    content = JUDGE_BEST_DESCRIPTION.format(
        n_words=n_words,
        playlist_name=info.get("title", ""),
        playlist_description=info.get("playlist_description", ""),
        playlist_tag=info.get("tags", ""),
        songlists=info.get("songs", ""),
        choices=choices,
    )
    return [{"role": "user", "content": content}]


NUMBER_WORDS_BY_VALUE = {v: k for k, v in NUMBER_WORDS.items()}


def judge_lyrics(
    gen: Generator, rows: pd.DataFrame, min_score: int, max_score: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score every row; returns (per-row frame with raw judge text and scores, Table-3 frame per task and model).

    ``rows``: model, keywords, first_half, continuation (+ optional ``task``: one Table-3 block per task).
    """
    raw = gen.generate([lyric_messages(r, min_score, max_score) for r in rows.to_dict("records")])
    parsed = [parse_lyric_scores(t, min_score, max_score) for t in raw]
    per = rows[["model"]].copy()
    per.insert(0, "task", rows["task"].astype(str) if "task" in rows.columns else "lyrics")
    per["judge_output"] = raw
    per["malformed"] = [p is None for p in parsed]
    for dim in DIMENSIONS:
        per[dim] = [p[dim] if p else np.nan for p in parsed]
    table = []
    for (task, model), g in per.groupby(["task", "model"], sort=True):
        ok = g[~g["malformed"]]
        rec: dict[str, Any] = {
            "task": task,
            "model": model,
            "n": len(g),
            "malformed": int(g["malformed"].sum()),
        }
        for dim in DIMENSIONS:
            rec[dim] = float(ok[dim].mean()) if len(ok) else np.nan
        rec["Avg."] = float(np.mean([rec[d] for d in DIMENSIONS])) if len(ok) else np.nan
        table.append(rec)
    return per, pd.DataFrame(table)


def judge_descriptions(gen: Generator, rows: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Best-of-N per playlist; returns (per-playlist frame with order/raw/choice, wins per model)."""
    rng = np.random.default_rng(seed)
    questions, records = [], []
    for pid, g in rows.groupby("playlist_id", sort=True):
        g = g.drop_duplicates("model").head(MAX_CHOICES)
        order = list(rng.permutation(len(g)))
        models = [str(g["model"].iloc[i]) for i in order]
        options = [str(g["description"].iloc[i]) for i in order]
        info = g.iloc[0].to_dict()
        questions.append(best_description_messages(info, options))
        records.append({"playlist_id": pid, "order": "|".join(models)})
    raw = gen.generate(questions)
    per = pd.DataFrame(records)
    per["judge_output"] = raw
    choice_models = []
    for rec, text in zip(records, raw, strict=True):
        models = rec["order"].split("|")
        letter = parse_choice(text, len(models))
        choice_models.append(models[string.ascii_uppercase.index(letter)] if letter else None)
    per["chosen"] = choice_models
    per["malformed"] = per["chosen"].isna()
    all_models = sorted(rows["model"].astype(str).unique())
    wins = per["chosen"].value_counts()
    table = pd.DataFrame({"model": all_models, "selected": [int(wins.get(m, 0)) for m in all_models]})
    return per, table


def _md(df: pd.DataFrame) -> str:
    # NaN: every judge answer for that row was malformed.
    body = [
        [
            "-" if isinstance(v, float) and v != v else f"{v:.2f}" if isinstance(v, float) else str(v)
            for v in r.values()
        ]
        for r in df.to_dict("records")
    ]
    return "\n".join(markdown_table([str(c) for c in df.columns], body)) + "\n"


def table3_markdown(table: pd.DataFrame) -> str:
    """Table 3 layout: one block per task, rows per model, the four dimensions (short names) and Avg."""
    short = {"Creativity": "Creat", "Fluency": "Fluen", "Relevance": "Rele", "Emotional Expression": "Emo"}
    parts = []
    for task, g in table.groupby("task", sort=True):
        block = g.drop(columns="task").rename(columns=short)
        parts.append(f"**{str(task).replace('_', ' ').title()}**\n\n" + _md(block))
    return "\n".join(parts)


def auto_input(kind: str, value: str, out_dir: str) -> str:
    """``value``, or for ``auto`` the file the same evaluation wrote earlier (raises if it has not)."""
    from songsage.eval.playlistsense import DESCRIPTIONS_FILE
    from songsage.eval.task_metrics import JUDGE_LYRICS_FILE

    if value != AUTO:
        return value
    sources = {
        "lyrics": ("task_metrics", JUDGE_LYRICS_FILE),
        "descriptions": ("playlistsense", DESCRIPTIONS_FILE),
    }
    task, name = sources[kind]
    path = Path(out_dir).parent / task / name
    if not path.exists():
        raise FileNotFoundError(
            f"eval.judge.{kind}=auto needs {path}: list {task!r} before 'judge' in eval.tasks"
        )
    return str(path)


def _write(
    out: Path, per: pd.DataFrame, per_name: str, table: pd.DataFrame, table_name: str, md: str
) -> list[str]:
    """Per-item CSV + table CSV + Markdown; returns the table paths."""
    per.to_csv(out / per_name, index=False)
    table.to_csv(out / f"{table_name}.csv", index=False)
    (out / f"{table_name}.md").write_text(md)
    return [str(out / f"{table_name}.csv"), str(out / f"{table_name}.md")]


def run_judge(cfg: Config, out_dir: str, judge: Generator | None = None) -> dict[str, Any]:
    """Run the configured judge tasks; write per-item CSVs + Markdown tables; return metrics and files."""
    jc = cfg.eval.judge
    if not jc.lyrics and not jc.descriptions:
        raise ValueError(
            "eval.judge: set eval.judge.lyrics and/or eval.judge.descriptions (a file or 'auto')"
        )
    lyrics, descriptions = (
        auto_input("lyrics", jc.lyrics, out_dir),
        auto_input("descriptions", jc.descriptions, out_dir),
    )
    gen = judge or build_generator(jc.generator, cfg.model, resolve_cache_dir(jc.generator, run_dir(cfg)))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files: list[str] = []
    metrics: dict[str, float] = {}
    if lyrics:
        per, table = judge_lyrics(gen, read_table(lyrics), jc.min_score, jc.max_score)
        files += _write(out, per, "lyric_scores.csv", table, "table3", table3_markdown(table))
        metrics["lyrics_malformed"] = float(per["malformed"].sum())
        metrics["lyrics_judged"] = float(len(per))
        for r in table.to_dict("records"):
            metrics[f"lyrics/{r['task']}/{r['model']}/avg"] = r["Avg."]
    if descriptions:
        per, table = judge_descriptions(gen, read_table(descriptions), jc.seed)
        files += _write(out, per, "best_description.csv", table, "figure3", _md(table))
        metrics["descriptions_malformed"] = float(per["malformed"].sum())
        metrics["descriptions_judged"] = float(len(per))
        for r in table.to_dict("records"):
            metrics[f"descriptions/{r['model']}/selected"] = float(r["selected"])
    return {"metrics": metrics, "files": files}
