"""PlaylistSense (paper section 3, Table 1) and query rewrite (Table 2).

Build: for every playlist and perspective, a generator writes one user query from a few-shot prompt
and the playlist context (title, tags, first ``songs_per_playlist`` songs' lyrics, truncated to the
generator's window) -> ``queries.parquet`` (playlist_id, perspective, query).

Evaluate: the evaluated model writes one zero-shot description per playlist from the same context
(Ray Data actor pool); queries and descriptions are embedded with the configured encoder and each
query retrieves the top-k descriptions by exact cosine (faiss). HR@k per perspective and averaged,
for the model plus an ``oracle`` row (description = the playlist context itself) and a ``random`` row
(uniform random scores; expected HR@k = k/N). Query rewrite: the model turns each query into a
description, retrieved against the golden descriptions -> R@k and mean Emb-Sim to the golden one.
All HR/R values are fractions in [0, 1]; tables print them as percent like the paper.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from songsage.config import Config
from songsage.config.eval import MUSIC_PERSPECTIVES, GeneratorConfig
from songsage.config.paths import join, run_dir
from songsage.data.playlists import Playlist, input_paths, load_playlists
from songsage.eval.metrics import emb_sim, hit_rate_at_k
from songsage.markdown import markdown_table
from songsage.models.encoder import Encoder, load_encoder
from songsage.models.generator import generate_dataset, model_config_for, resolve_cache_dir
from songsage.models.index import FlatIndex
from songsage.prompts.playlistsense import describe_messages, query_messages, rewrite_messages
from songsage.storage import read_table

QUERIES_FILE = "queries.parquet"
DESCRIPTIONS_FILE = "descriptions.parquet"
ORACLE, RANDOM = "oracle", "random"


def context_text(pl: Playlist) -> str:
    """Title, tags and lyrics (in order) as one text block."""
    songs = "\n\n".join(f"[{i + 1}]\n{t}" for i, t in enumerate(pl.lyrics))
    return f"Title: {pl.title}\nTags: {', '.join(pl.tags)}\nSongs:\n{songs}"


def truncate_to_window(
    context: str, make_messages: Any, tokenizer: Any, max_tokens: int
) -> list[dict[str, str]]:
    """Messages whose chat-templated prompt fits ``max_tokens``: the context is cut (at its end) to fit."""

    def n_tokens(msgs: list[dict[str, str]]) -> int:
        text = tokenizer.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True)
        return len(tokenizer(text, add_special_tokens=False)["input_ids"])

    overhead = n_tokens(make_messages(""))
    budget = max(0, max_tokens - overhead)
    ids = tokenizer(context, add_special_tokens=False)["input_ids"]
    if len(ids) > budget:
        context = tokenizer.decode(ids[:budget])
    return make_messages(context)


def window_tokenizer(cfg: Config, gen: GeneratorConfig) -> Any:
    """The tokenizer that measures the generator's window: the model's own (hf) or the configured one."""
    if gen.backend == "hf":
        from songsage.models.registry import load_model_tokenizer

        return load_model_tokenizer(model_config_for(gen, cfg.model))
    from songsage.models.tokenizer import load_tokenizer

    return load_tokenizer(cfg.tokenizer)


def run_generation(cfg: Config, gen: GeneratorConfig, rows: list[dict[str, Any]]) -> list[str]:
    """Generate for rows with a ``messages`` list via Ray Data (actor pool); outputs in row order."""
    import ray

    if not rows:
        return []
    items = [
        {"row": i, "messages": json.dumps(r["messages"], ensure_ascii=False)} for i, r in enumerate(rows)
    ]
    blocks = max(1, min(cfg.ray.target_blocks, len(items)))
    ds = ray.data.from_items(items, override_num_blocks=blocks)
    out = generate_dataset(ds, gen, cfg.model, cache_dir=resolve_cache_dir(gen, run_dir(cfg))).take_all()
    by_row = {int(r["row"]): str(r["text"]) for r in out}
    return [by_row[i] for i in range(len(items))]


def build_queries(cfg: Config, out_dir: str) -> pd.DataFrame:
    """Generate one query per (playlist, perspective) with ``cfg.generator``; write ``queries.parquet``."""
    ps = cfg.eval.playlistsense
    playlists = load_playlists(*input_paths(cfg), ps.songs_per_playlist, ps.max_playlists)
    tok = window_tokenizer(cfg, cfg.generator)
    rows = []
    for pl in playlists:
        ctx = context_text(pl)
        for persp in ps.perspectives:
            msgs = truncate_to_window(
                ctx, query_messages(persp, ps.shots), tok, cfg.generator.max_input_tokens
            )
            rows.append({"playlist_id": pl.playlist_id, "perspective": persp, "messages": msgs})
    texts = run_generation(cfg, cfg.generator, rows)
    df = pd.DataFrame(
        {
            "playlist_id": [r["playlist_id"] for r in rows],
            "perspective": [r["perspective"] for r in rows],
            "query": [t.strip() for t in texts],
        }
    )
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    df.to_parquet(Path(out_dir) / QUERIES_FILE, index=False)
    return df


def retrieve(encoder_q: np.ndarray, pool: np.ndarray, ids: list[str], k: int) -> list[list[str]]:
    """Top-``k`` pool ids per query embedding (exact inner product over unit vectors = cosine)."""
    index = FlatIndex(pool.shape[1])
    index.add(pool, ids=ids)
    return index.search_ids(encoder_q, k)


def hit_rates(
    ranked: list[list[str]], gold: list[str], perspectives: list[str], order: list[str], ks: list[int]
) -> dict[str, float]:
    """``{"<perspective>/HR@k": v, ..., "avg/HR@k": v}``; avg = mean over perspectives (Table 1)."""
    out: dict[str, float] = {}
    for persp in order:
        idx = [i for i, p in enumerate(perspectives) if p == persp]
        for k in ks:
            out[f"{persp}/HR@{k}"] = hit_rate_at_k([ranked[i] for i in idx], [gold[i] for i in idx], k)
    for k in ks:
        out[f"avg/HR@{k}"] = float(np.mean([out[f"{p}/HR@{k}"] for p in order]))
    return out


def random_ranking(n_queries: int, ids: list[str], k: int, seed: int) -> list[list[str]]:
    """Top-``k`` ids under i.i.d. uniform random scores (the chance baseline)."""
    rng = np.random.default_rng(seed)
    scores = rng.random((n_queries, len(ids)))
    top = np.argsort(-scores, axis=1)[:, :k]
    return [[ids[j] for j in row] for row in top]


def _load_queries(cfg: Config, playlists: list[Playlist]) -> pd.DataFrame:
    path = cfg.eval.playlistsense.queries or join(run_dir(cfg), "build_playlistsense", QUERIES_FILE)
    q = read_table(path)
    keep = {p.playlist_id for p in playlists}
    q = q[
        q["playlist_id"].astype(str).isin(keep) & q["perspective"].isin(cfg.eval.playlistsense.perspectives)
    ]
    if q.empty:
        raise ValueError(f"{path}: no queries for the evaluated playlists/perspectives")
    return q.reset_index(drop=True)


def evaluate_playlistsense(
    cfg: Config, out_dir: str, models: list[tuple[str, GeneratorConfig]] | None = None
) -> dict[str, Any]:
    """Run the benchmark for ``models`` (default :func:`~songsage.eval.models.evaluated_models`); write
    descriptions/rankings/tables under ``out_dir``; return the results.

    Output dict: ``rows`` (model name -> metric dict, then ``oracle`` and ``random``), ``rewrite`` (model
    name -> R@k and Emb-Sim; empty when disabled), ``n_playlists``, ``n_queries``, ``files``, ``models``.
    """
    from songsage.eval.models import evaluated_models

    ps = cfg.eval.playlistsense
    models = models or evaluated_models(cfg)
    playlists = load_playlists(*input_paths(cfg), ps.songs_per_playlist, ps.max_playlists)
    queries = _load_queries(cfg, playlists)
    contexts = {p.playlist_id: context_text(p) for p in playlists}
    ids = [p.playlist_id for p in playlists]
    oracle_texts = [contexts[i] for i in ids]

    encoder = load_encoder(cfg.encoder)
    q_text = queries["query"].astype(str).tolist()
    q_emb = encoder.encode(q_text, role="query")
    gold = queries["playlist_id"].astype(str).tolist()
    persp = queries["perspective"].tolist()
    order = [p for p in ps.perspectives if p in set(persp)]
    kmax = max(ps.k)
    oracle_emb = encoder.encode(oracle_texts, role="passage")
    gold_emb = golden_embeddings(cfg, encoder, ids, oracle_emb) if ps.rewrite else oracle_emb
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows: dict[str, dict[str, float]] = {}
    rewrite: dict[str, dict[str, float]] = {}
    desc_frames, rank_frames, rewrite_frames = [], [], []
    for name, gen in models:
        tok = window_tokenizer(cfg, gen)
        desc_rows = [
            {
                "messages": truncate_to_window(
                    contexts[p.playlist_id], describe_messages, tok, gen.max_input_tokens
                )
            }
            for p in playlists
        ]
        descriptions = run_generation(cfg, gen, desc_rows)
        ranked = retrieve(q_emb, encoder.encode(descriptions, role="passage"), ids, kmax)
        rows[name] = hit_rates(ranked, gold, persp, order, ps.k)
        desc_frames.append(
            pd.DataFrame(
                {
                    "playlist_id": ids,
                    "model": name,
                    "description": descriptions,
                    "title": [p.title for p in playlists],
                    "tags": [", ".join(p.tags) for p in playlists],
                    "playlist_description": [p.description for p in playlists],
                    "songs": ["; ".join(n for n in p.names if n) for p in playlists],
                }
            )
        )
        rank_frames.append(
            pd.DataFrame(
                {
                    "model": name,
                    "playlist_id": gold,
                    "perspective": persp,
                    "query": q_text,
                    "top_ids": [json.dumps(r, ensure_ascii=False) for r in ranked],
                }
            )
        )
        if ps.rewrite:
            rewrite[name], frame = evaluate_rewrite(cfg, gen, name, encoder, queries, ids, gold_emb)
            rewrite_frames.append(frame)
    rows[ORACLE] = hit_rates(retrieve(q_emb, oracle_emb, ids, kmax), gold, persp, order, ps.k)
    rows[RANDOM] = hit_rates(random_ranking(len(q_text), ids, kmax, ps.seed), gold, persp, order, ps.k)
    pd.concat(desc_frames, ignore_index=True).to_parquet(out / DESCRIPTIONS_FILE, index=False)
    pd.concat(rank_frames, ignore_index=True).to_parquet(out / "rankings.parquet", index=False)
    files = write_table1(rows, order, ps.k, out)
    if rewrite:
        pd.concat(rewrite_frames, ignore_index=True).to_parquet(out / "rewrites.parquet", index=False)
        files += write_rewrite_table(rewrite, ps.k, out)
    return {
        "rows": rows,
        "rewrite": rewrite,
        "n_playlists": len(ids),
        "n_queries": len(q_text),
        "files": files,
        "models": [n for n, _ in models],
        "order": order,
    }


def golden_embeddings(cfg: Config, encoder: Encoder, ids: list[str], oracle_emb: np.ndarray) -> np.ndarray:
    """Embeddings of the golden descriptions (``playlistsense.golden``), else the oracle playlist texts."""
    golden_path = cfg.eval.playlistsense.golden
    if not golden_path:
        return oracle_emb
    g = read_table(golden_path)
    golden = dict(zip(g["playlist_id"].astype(str), g["description"].astype(str), strict=True))
    missing = [i for i in ids if i not in golden]
    if missing:
        raise ValueError(
            f"eval.playlistsense.golden={golden_path}: no description for playlist_id {missing[0]!r} "
            f"(and {len(missing) - 1} more)"
        )
    return encoder.encode([golden[i] for i in ids], role="passage")


def evaluate_rewrite(
    cfg: Config,
    gen: GeneratorConfig,
    name: str,
    encoder: Encoder,
    queries: pd.DataFrame,
    ids: list[str],
    gold_emb: np.ndarray,
) -> tuple[dict[str, float], pd.DataFrame]:
    """``gen`` rewrites each query into a description; R@k against the golden descriptions + mean Emb-Sim.
    Returns (metrics, frame of model/playlist_id/query/rewrite)."""
    ps = cfg.eval.playlistsense
    rewrites = run_generation(cfg, gen, [{"messages": rewrite_messages(q)} for q in queries["query"]])
    r_emb = encoder.encode(rewrites, role="passage")
    gold = queries["playlist_id"].astype(str).tolist()
    ranked = retrieve(r_emb, gold_emb, ids, max(ps.k))
    row = {f"R@{k}": hit_rate_at_k(ranked, gold, k) for k in ps.k}
    pos = {pid: i for i, pid in enumerate(ids)}
    row["Emb-Sim"] = emb_sim(r_emb, gold_emb[[pos[g] for g in gold]])
    frame = pd.DataFrame({"model": name, "playlist_id": gold, "query": queries["query"], "rewrite": rewrites})
    return row, frame


def _pct(v: float) -> str:
    return f"{100 * v:.2f}"


def table1_frame(rows: dict[str, dict[str, float]], order: list[str], ks: list[int]) -> pd.DataFrame:
    """Wide Table-1 frame: one row per model, columns ``<perspective> HR@k`` then ``avg HR@k`` (percent)."""
    cols = [f"{p}/HR@{k}" for p in [*order, "avg"] for k in ks]
    data = [
        {"model": m, **{c.replace("/", " "): round(100 * r[c], 2) for c in cols}} for m, r in rows.items()
    ]
    return pd.DataFrame(data)


def table1_markdown(rows: dict[str, dict[str, float]], order: list[str], ks: list[int]) -> str:
    """Table 1 as Markdown: Music-Based and User-Based blocks plus an average block (percent)."""
    blocks = [
        ("Music-Based Perspective", [p for p in order if p in MUSIC_PERSPECTIVES]),
        ("User-Based Perspective", [p for p in order if p not in MUSIC_PERSPECTIVES]),
        ("Average over perspectives", ["avg"]),
    ]
    parts = []
    for title, persps in blocks:
        if not persps:
            continue
        header = ["Model"] + [f"{p.split('_', 1)[-1]} HR@{k}" for p in persps for k in ks]
        body = [[model] + [_pct(r[f"{p}/HR@{k}"]) for p in persps for k in ks] for model, r in rows.items()]
        parts.append("\n".join([f"**{title}**", "", *markdown_table(header, body)]))
    return "\n\n".join(parts) + "\n"


def write_table1(rows: dict[str, dict[str, float]], order: list[str], ks: list[int], out: Path) -> list[str]:
    """Write ``table1.md`` and ``table1.csv``; returns their paths."""
    md, csv = out / "table1.md", out / "table1.csv"
    md.write_text(table1_markdown(rows, order, ks))
    table1_frame(rows, order, ks).to_csv(csv, index=False)
    return [str(md), str(csv)]


def rewrite_markdown(rows: dict[str, dict[str, float]], ks: list[int]) -> str:
    """Query-rewrite block of Table 2 as Markdown (percent)."""
    header = ["Model", *[f"R@{k}" for k in ks], "Emb-Sim"]
    body = [[m, *[_pct(r[f"R@{k}"]) for k in ks], _pct(r["Emb-Sim"])] for m, r in rows.items()]
    return "\n".join(markdown_table(header, body)) + "\n"


def write_rewrite_table(rows: dict[str, dict[str, float]], ks: list[int], out: Path) -> list[str]:
    """Write ``rewrite.md`` and ``rewrite.csv``."""
    md, csv = out / "rewrite.md", out / "rewrite.csv"
    md.write_text(rewrite_markdown(rows, ks))
    pd.DataFrame(
        [{"model": m, **{k: round(100 * v, 2) for k, v in r.items()}} for m, r in rows.items()]
    ).to_csv(csv, index=False)
    return [str(md), str(csv)]
