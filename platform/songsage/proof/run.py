"""The proof (``jobs/proof.py``, ``make proof``): a real base model through CPT -> SFT -> DPO, compared with
itself on held-out songs.

1. **Split first** (:mod:`songsage.data.heldout`): ``<out>/split/{train,heldout}/`` from ``data.*``.
2. **Held-out side** (``<out>/heldout``, a run dir of its own): curation without balancing or mixing, then
   LyricBank-SFT of the Table 2 tasks (``proof.table2_per_task`` validation samples per task) and the
   PlaylistSense queries of the held-out playlists. Only evaluation reads it.
3. **Training side** (``<out>/train``): ``proof.train_stages`` (curate -> pretrain -> build_sft -> sft ->
   build_preferences -> dpo) on the training split, with the held-out ids in the SFT decontamination list;
   then the leak check (:mod:`songsage.proof.leaks`) over everything they wrote.
4. **Side by side** on the held-out side only: the base (``model.name_or_path``) and each stage's model
   (``+CPT`` = pretrain/model, ``+SFT`` = sft/adapter on it, ``+DPO`` = dpo/adapter): lyric perplexity per
   language and general-text perplexity, Table 2, PlaylistSense HR@k, multiple choice (``eval.choice``).
5. **Results** (:mod:`songsage.proof.report`): ``<out>/results.{md,csv}``, with paired-bootstrap intervals
   of every delta vs base; logged to the proof's MLflow run, whose tags name every stage run and the
   manifest hashes of their data (``lineage.<side>.<stage>.*``).

Every stage runs as a nested MLflow run of the proof's run, through the same stage bodies as the pipeline.
"""

from __future__ import annotations

import copy
import dataclasses
import time
from typing import Any

import numpy as np
import pandas as pd

from songsage.config import Config
from songsage.config.eval import GeneratorConfig
from songsage.config.paths import join, run_dir
from songsage.data.heldout import IDS_FILE, SPLIT_FILE, make_split, seeded_draw, side_paths
from songsage.eval.task_metrics import SCORED_TASKS
from songsage.proof.items import ItemMetric, choice_items, perplexity_item, playlistsense_items, table2_items
from songsage.proof.leaks import check_no_leaks
from songsage.proof.report import results_frame, results_markdown, tally
from songsage.storage import exists, file_digest, read_jsonl_records, read_table, staged_dir, write_text
from songsage.tracking import Tracker, tracking_uri

# Model columns: name -> (training stage that makes it, its output under the training run dir).
STAGE_MODELS = {
    "+CPT": ("pretrain", "pretrain/model"),
    "+SFT": ("sft", "sft/adapter"),
    "+DPO": ("dpo", "dpo/adapter"),
}
BASE = "base"
# What marks a finished stage for proof.reuse: manifest.json, or the stage's own output where it writes none.
DONE_MARKERS = {"build_playlistsense": "queries.parquet"}


def _side(cfg: Config, out_dir: str, side: str, split_dir: str) -> Config:
    """A copy of ``cfg`` whose run dir is ``<out_dir>/<side>``, reading that side of the split, tracked in
    the proof's own MLflow store."""
    sub = copy.deepcopy(cfg)
    sub.run.dir = join(out_dir, side)
    sub.output.dir = ""
    sub.tracking.uri = tracking_uri(cfg)
    paths = side_paths(split_dir, side)
    sub.data.songs, sub.data.playlists, sub.data.general = (
        paths["songs"],
        paths["playlists"],
        paths["general"],
    )
    sub.data.shards = ""
    return sub


def heldout_config(cfg: Config, out_dir: str, split_dir: str) -> Config:
    """The held-out side: no balancing (every held-out song counts), no general mixing, the Table 2 tasks of
    ``sft_data.tasks`` only."""
    pc = cfg.proof
    sub = _side(cfg, out_dir, "heldout", split_dir)
    sub.data.general = ""
    sub.curate.balance.enabled = False
    sd = sub.sft_data
    sd.tasks = [t for t in SCORED_TASKS if t in sd.tasks]  # the Table 2 tasks the profile builds
    sd.total_samples = pc.heldout_sft_samples
    sd.validation_min_per_task = pc.table2_per_task
    sd.general_ratio = 0.0
    sd.decontam = dataclasses.replace(sd.decontam, ids_files=[], playlistsense=False)
    sub.eval.task_metrics.max_per_task = pc.table2_per_task
    sub.eval.task_metrics.generation_tasks = []
    return sub


def train_config(cfg: Config, out_dir: str, split_dir: str) -> Config:
    """The training side: the held-out ids (and the held-out PlaylistSense pool) decontaminate LyricBank-SFT."""
    sub = _side(cfg, out_dir, "train", split_dir)
    held = join(out_dir, "heldout", "curate")
    sub.eval.playlistsense.playlists = join(held, "playlists")
    sub.eval.playlistsense.songs = join(held, "songs")
    dc = sub.sft_data.decontam
    sub.sft_data.decontam = dataclasses.replace(dc, ids_files=[*dc.ids_files, join(split_dir, IDS_FILE)])
    return sub


def run_stages(sub: Config, stages: list[str], tracker: Tracker, side: str) -> dict[str, float]:
    """Run ``stages`` of one side as nested MLflow runs; return their seconds. Tags the proof's run with each
    stage's run id and manifest hash (lineage)."""
    from songsage.cli import run_stage, stage_line
    from songsage.stages import get_stage
    from songsage.tracking import latest_run_id

    seconds = {}
    for name in stages:
        manifest = join(run_dir(sub), name, "manifest.json")
        done = join(run_dir(sub), name, DONE_MARKERS.get(name, "manifest.json"))
        if sub.proof.reuse and exists(done):
            print(f"[{side}/{name}] reused (proof.reuse): {done}", flush=True)
        else:
            print(f">>> proof {side}: {name}", flush=True)
            t0 = time.perf_counter()
            rows = run_stage(
                sub, name, join(run_dir(sub), name), get_stage(name), summary=False, nested=tracker.active
            )
            seconds[name] = time.perf_counter() - t0
            print(stage_line(f"{side}/{name}", rows, seconds[name]), flush=True)
            tracker.log_metrics({f"seconds.{side}.{name}": seconds[name]})
        tracker.set_tags(
            {
                f"lineage.{side}.{name}.run_id": latest_run_id(sub, name) or "none",
                f"lineage.{side}.{name}.manifest_sha256": file_digest(manifest)
                if exists(manifest)
                else "none",
            }
        )
    return seconds


def compared_models(cfg: Config, train_dir: str) -> list[tuple[str, GeneratorConfig]]:
    """``(column, hf generator)``: the base, then each trained stage's model (``eval.model``'s settings)."""
    gen = dataclasses.replace(cfg.eval.model, backend="hf")
    out = [(BASE, dataclasses.replace(gen, model=cfg.model.name_or_path))]
    for name, (stage, rel) in STAGE_MODELS.items():
        if stage in cfg.proof.train_stages:
            out.append((name, dataclasses.replace(gen, model=join(train_dir, rel))))
    return out


def _sample(ids: list[str], n: int, seed: int) -> list[int]:
    """Indices of ``n`` of ``ids``, a seeded choice stable under reordering."""
    return sorted(range(len(ids)), key=lambda j: seeded_draw(seed, f"sample:{ids[j]}"))[:n]


def perplexity_texts(heldout: Config, split_dir: str) -> dict[str, list[str]]:
    """Row name -> texts: the curated held-out lyrics per language, and the held-out general documents."""
    pc = heldout.proof
    songs = read_table(join(run_dir(heldout), "curate", "songs"))
    out: dict[str, list[str]] = {}
    for lang, g in songs.groupby("language", sort=True):
        rows = g.reset_index(drop=True)
        pick = _sample(rows["song_id"].astype(str).tolist(), pc.ppl_songs_per_language, pc.seed)
        out[f"lyrics perplexity ({lang})"] = [str(rows.loc[j, "lyrics_norm"]) for j in pick]
    docs = [
        r
        for r in read_jsonl_records(side_paths(split_dir, "heldout")["general"])
        if isinstance(r.get("text"), str) and r["text"].strip()
    ]
    if docs:
        pick = _sample([str(d.get("id")) for d in docs], pc.ppl_general_docs, pc.seed)
        out["general-text perplexity"] = [docs[j]["text"] for j in pick]
    return out


def perplexity_metrics(
    cfg: Config, models: list[tuple[str, GeneratorConfig]], texts: dict[str, list[str]]
) -> list[ItemMetric]:
    """Per-item (nll, tokens) of every text under every model, one model in memory at a time."""
    import torch

    from songsage.eval.perplexity import item_nll
    from songsage.models.generator import model_config_for
    from songsage.models.registry import load_model, load_model_tokenizer

    pc = cfg.proof
    per_row: dict[str, dict[str, np.ndarray]] = {row: {} for row in texts}
    for name, gen in models:
        mcfg = model_config_for(gen, cfg.model)
        torch.manual_seed(gen.seed)
        model, tok = load_model(mcfg), load_model_tokenizer(mcfg)
        for row, items in texts.items():
            per_row[row][name] = item_nll(model, tok, items, pc.ppl_max_tokens, pc.ppl_batch_size)
        del model
    return [perplexity_item(row, per) for row, per in per_row.items()]


def evaluate_side_by_side(
    heldout: Config, models: list[tuple[str, GeneratorConfig]], split_dir: str, local: str
) -> list[ItemMetric]:
    """Every metric group of ``proof.metrics`` for every model, per item, on the held-out side."""
    pc = heldout.proof
    names = [n for n, _ in models]
    metrics: list[ItemMetric] = []
    if "perplexity" in pc.metrics:
        metrics += perplexity_metrics(heldout, models, perplexity_texts(heldout, split_dir))
    if "table2" in pc.metrics:
        from songsage.eval.task_metrics import PREDICTIONS_FILE, evaluate_task_metrics
        from songsage.models.encoder import load_encoder

        evaluate_task_metrics(heldout, join(local, "table2"), models)
        preds = pd.read_parquet(join(local, "table2", PREDICTIONS_FILE))
        encoder = load_encoder(heldout.encoder) if (preds["task"] == "playlist_description").any() else None
        metrics += table2_items(preds, names, encoder)
    if "playlistsense" in pc.metrics:
        from songsage.eval.playlistsense import evaluate_playlistsense

        evaluate_playlistsense(heldout, join(local, "playlistsense"), models)
        rankings = pd.read_parquet(join(local, "playlistsense", "rankings.parquet"))
        metrics += playlistsense_items(rankings, names, heldout.eval.playlistsense.k)
    if "choice" in pc.metrics:
        from songsage.eval.choice import load_scorer, run_choice_benchmarks

        frames: dict[tuple[str, int], dict[str, pd.DataFrame]] = {}
        for name, gen in models:
            sub = join(local, "choice", name.strip("+").lower())
            run_choice_benchmarks(heldout, sub, {name: load_scorer(heldout, gen)})
            for bench in heldout.eval.choice.benchmarks:
                for shots in heldout.eval.choice.shots:
                    frame = pd.read_csv(join(sub, f"{name}_{bench.name}_{shots}shot_predictions.csv"))
                    frames.setdefault((bench.name, shots), {})[name] = frame
        metrics += [choice_items(per, bench, shots) for (bench, shots), per in frames.items()]
    return metrics


def proof_stage(cfg: Config, out_dir: str, tracker: Tracker) -> list[tuple[str, str]]:
    """The whole proof (module docstring) under ``out_dir``; returns the job's summary rows."""
    pc = cfg.proof
    t_start = time.perf_counter()
    split_dir = join(out_dir, "split")
    split_file = join(split_dir, SPLIT_FILE)
    before = file_digest(split_file) if pc.reuse and exists(split_file) else ""
    split = make_split(cfg, split_dir)
    if before and file_digest(split_file) != before:
        raise ValueError(
            f"proof.reuse: the split under {split_dir} changed (data or proof.* split keys differ from the "
            "run being reused); run without proof.reuse into a new run.dir"
        )
    tracker.set_tags({"proof.split_sha256": file_digest(join(split_dir, SPLIT_FILE))})
    tracker.log_metrics(
        {f"split.{side}.{k}": v for side in ("train", "heldout") for k, v in split.counts[side].items()}
    )
    print(f"[proof] split: train {split.counts['train']}, held out {split.counts['heldout']}", flush=True)

    heldout = heldout_config(cfg, out_dir, split_dir)
    held_stages = ["curate"]
    held_stages += ["build_sft"] if "table2" in pc.metrics else []
    held_stages += ["build_playlistsense"] if "playlistsense" in pc.metrics else []
    seconds = run_stages(heldout, held_stages, tracker, "heldout")
    train = train_config(cfg, out_dir, split_dir)
    seconds |= run_stages(train, list(pc.train_stages), tracker, "train")
    leaks = check_no_leaks(split_dir, run_dir(train))
    print(f"[proof] leak check: none in {leaks.scanned}", flush=True)

    models = compared_models(cfg, run_dir(train))
    t0 = time.perf_counter()
    with staged_dir(join(out_dir, "eval")) as local:
        metrics = evaluate_side_by_side(heldout, models, split_dir, local)
    seconds["evaluate"] = time.perf_counter() - t0
    names = [n for n, _ in models]
    frame = results_frame(metrics, names, pc)
    table = results_markdown(frame, names, pc.confidence)
    header = _header(cfg, split.counts, leaks.scanned, models, seconds, time.perf_counter() - t_start)
    write_text(header + "\n" + table, join(out_dir, "results.md"))
    write_text(frame.to_csv(index=False), join(out_dir, "results.csv"))
    tracker.log_text(header + "\n" + table, "proof/results.md")
    tracker.log_text(frame.to_csv(index=False), "proof/results.csv")
    for r in frame[frame["verdict"] != ""].to_dict("records"):
        tracker.log_metrics({_metric_key(r["metric"], r["model"]): float(r["delta"])})
    print("\n" + table, flush=True)
    counts = tally(frame)
    return [
        (
            "split (train / held out songs)",
            f"{split.counts['train']['songs']} / {split.counts['heldout']['songs']}",
        ),
        ("leak check", f"no held-out item in {sum(leaks.scanned.values())} training rows"),
        *[(f"{m} vs base", ", ".join(f"{k} {v}" for k, v in c.items())) for m, c in counts.items()],
        ("results", join(out_dir, "results.md")),
        ("seconds", f"{time.perf_counter() - t_start:.0f}"),
    ]


def _metric_key(metric: str, model: str) -> str:
    from songsage.eval.run import metric_name

    return metric_name("proof", "delta", model.strip("+"), metric.replace("(", "").replace(")", ""))


def _header(
    cfg: Config,
    counts: dict[str, Any],
    scanned: dict[str, int],
    models: list[tuple[str, GeneratorConfig]],
    seconds: dict[str, float],
    total: float,
) -> str:
    """What the table was measured on: split, leak check, models, stage seconds."""
    pc = cfg.proof
    lines = [
        f"# Proof: {cfg.model.name_or_path} through {' -> '.join(pc.train_stages)}, on held-out data",
        "",
        f"- split (seed {pc.seed}): train {counts['train']}, held out {counts['heldout']}, "
        f"playlists dropped (fewer than {pc.min_playlist_songs} songs left) {counts['dropped_playlists']}",
        f"- leak check: no held-out song id, lyric hash, lyric line or playlist in {scanned}",
        f"- bootstrap: {pc.bootstrap_resamples} paired resamples over held-out items, seed {pc.bootstrap_seed}",
        "- models: " + "; ".join(f"{n} = {g.model}" for n, g in models),
        "- seconds: " + ", ".join(f"{k} {v:.0f}" for k, v in seconds.items()) + f"; total {total:.0f}",
        "",
    ]
    return "\n".join(lines)
