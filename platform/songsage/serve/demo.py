"""Stage body of the serve demo (main job, ``make demo``): index -> Serve -> one question -> one recommendation.

Builds the playlist index if it is missing, starts the Serve app from the profile, asks one question
through the official ``openai`` client, recommends playlists for one query over HTTP, prints both,
and shuts Serve down (also on failure).
"""

from __future__ import annotations

import time
from typing import Any

from songsage import storage
from songsage.config import Config
from songsage.config.paths import join
from songsage.models.index import META_FILE

DEMO_QUESTION = "Suggest a title for a playlist of calm piano songs for studying."
DEMO_QUERY = "quiet songs to focus on homework"


def serve_demo_stage(cfg: Config, out_dir: str, tracker: Any) -> list[tuple[str, str]]:
    """Run the demo; returns summary rows (index rows, ready seconds, answer, top playlists).

    Inputs: ``cfg.serve`` (+ model/encoder sections); ``out_dir`` receives ``demo.json``. Times in seconds.
    """
    import os

    import httpx
    import openai

    from songsage.serve.app import base_url, start, stop, wait_ready
    from songsage.serve.index_build import build_index, index_dir

    rows: list[tuple[str, str]] = []
    target = index_dir(cfg)
    if not storage.exists(join(target, META_FILE)):
        manifest = build_index(cfg, target)
        rows.append(("index built", f"{manifest['rows']} playlists -> {target}"))
    else:
        rows.append(("index", target))
    token = os.environ.get(cfg.serve.auth_token_env, "") if cfg.serve.auth_token_env else ""
    t0 = time.perf_counter()
    start(cfg)
    try:
        wait_ready(cfg)
        ready_s = time.perf_counter() - t0
        client = openai.OpenAI(base_url=base_url(cfg) + "/v1", api_key=token or "unused", max_retries=0)
        t1 = time.perf_counter()
        chat = client.chat.completions.create(
            model=cfg.serve.model_id,
            max_tokens=cfg.serve.default_max_tokens,
            messages=[{"role": "user", "content": DEMO_QUESTION}],
        )
        chat_s = time.perf_counter() - t1
        answer = chat.choices[0].message.content or ""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        rec = httpx.post(
            base_url(cfg) + "/v1/playlists/recommend",
            headers=headers,
            json={"query": DEMO_QUERY, "top_k": cfg.serve.top_k},
            timeout=cfg.serve.request_timeout_s,
        ).json()
    finally:
        stop(cfg)
    top = rec.get("playlists", [])
    print(f"\nQ: {DEMO_QUESTION}\nA: {answer!r}")
    print(
        f"\nrecommend: {DEMO_QUERY!r}"
        + (f" (rewritten: {rec['rewritten_query']!r})" if rec.get("rewritten_query") else "")
    )
    for p in top:
        print(f"  {p['score']:.3f}  {p['playlist_id']}  {p['title']}  {', '.join(p['tags'])}")
    storage.make_dirs(out_dir)
    storage.write_json(
        {
            "question": DEMO_QUESTION,
            "answer": answer,
            "finish_reason": chat.choices[0].finish_reason,
            "usage": chat.usage.model_dump() if chat.usage else None,
            "query": DEMO_QUERY,
            "recommend": rec,
        },
        join(out_dir, "demo.json"),
    )
    tracker.log_metrics({"serve_ready_s": ready_s, "chat_latency_s": chat_s, "recommended": float(len(top))})
    return [
        *rows,
        ("serve ready", f"{ready_s:.1f} s at {base_url(cfg)}"),
        ("question", DEMO_QUESTION),
        ("answer", repr(answer)),
        ("chat latency", f"{chat_s * 1000:.0f} ms"),
        ("query", DEMO_QUERY),
        (
            "top playlists",
            "; ".join(f"{p['title']} ({p['score']:.3f})" for p in top)
            or rec.get("error", {}).get("message", "none"),
        ),
    ]
