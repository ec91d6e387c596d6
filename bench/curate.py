"""Curation throughput: the Ray Data pipeline vs a single-process baseline doing the same work.

    .venv/bin/python bench/curate.py [--songs 200000] [--skip-baseline]

Generates N synthetic songs (with the sample's defect kinds), then in one process times:
1. the Ray Data curation job (validate, normalize, filters, exact + near dedup, language ID,
   balance, tokenize, pack, deterministic writes), songs/s and MB/s of input;
2. the single-process reference (``songsage.data.reference``) on the same input;
3. tokenization alone: the Ray Data tokenize stage vs the raw tokenizer's batch encode.
Prints a table and the ratios against the baselines, seconds per curation stage, and the peak
resident memory of the driver and of the Ray worker processes (sampled every 0.5 s with psutil).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "platform"))
sys.path.insert(0, str(REPO))  # tools/synthetic.py: driver-side only, Ray workers never import it

from songsage.config import load_config  # noqa: E402
from songsage.config.schema import RayConfig  # noqa: E402
from songsage.markdown import markdown_table  # noqa: E402
from tools.synthetic import make_synthetic_songs  # noqa: E402


class PeakMemory:
    """Peak RSS (MB) of this process and of Ray's worker processes (their sum and the largest one),
    sampled every ``interval`` seconds while running (``with PeakMemory() as m: ...``)."""

    def __init__(self, interval: float = 0.5) -> None:
        import psutil

        self.psutil = psutil
        self.interval = interval
        self.driver = self.workers = self.largest_worker = 0.0
        self._stop = threading.Event()

    def _sample(self) -> None:
        me = self.psutil.Process()
        while not self._stop.is_set():
            self.driver = max(self.driver, me.memory_info().rss / 1e6)
            sizes = []
            for proc in self.psutil.process_iter(["name", "cmdline", "memory_info"]):
                cmd = " ".join(proc.info["cmdline"] or [])
                if proc.info["memory_info"] and ("ray::" in cmd or "default_worker.py" in cmd):
                    sizes.append(proc.info["memory_info"].rss / 1e6)
            self.workers = max(self.workers, sum(sizes))
            self.largest_worker = max(self.largest_worker, max(sizes, default=0.0))
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--songs", type=int, default=200_000, help="synthetic songs to generate")
    parser.add_argument("--skip-baseline", action="store_true", help="only time the Ray pipeline")
    parser.add_argument(
        "--skip-tokenize", action="store_true", help="skip the tokenization comparison (e.g. at 1M songs)"
    )
    parser.add_argument("--blocks", type=int, default=4, help="Ray Data blocks (ray.target_blocks)")
    args = parser.parse_args()

    import ray

    from songsage.data.curate import run_curation
    from songsage.data.reference import curate_songs_single_process
    from songsage.data.transforms import lyric_document, tokenize_texts
    from songsage.models.tokenizer import load_tokenizer
    from songsage.raysession import init_ray

    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="songsage-bench-"))
    songs = work / "songs.jsonl"
    t = time.perf_counter()
    make_synthetic_songs(args.songs, songs, seed=0)
    mb = os.path.getsize(songs) / 1e6
    print(f"generated {args.songs:,} songs ({mb:.1f} MB) in {time.perf_counter() - t:.1f}s -> {songs}")

    repo = Path(__file__).resolve().parents[1]
    cfg = load_config(
        str(repo / "configs/local.yaml"),
        [
            f"data.songs={songs}",
            "data.general=",
            f"data.playlists={repo / 'data/sample/playlists.jsonl'}",
            f"run.dir={work / 'run'}",
            f"ray.target_blocks={args.blocks}",
            "ray.progress_bars=false",
            "curate.pack.num_shards=4",
            "curate.song_files=4",
        ],
    )
    init_ray(RayConfig(num_cpus=os.cpu_count(), target_blocks=args.blocks, progress_bars=False))
    t = time.perf_counter()
    with PeakMemory() as ray_mem:
        manifest = run_curation(cfg, str(work / "run/curate"))
    ray_s = time.perf_counter() - t
    rows = [("ray data pipeline", ray_s, args.songs / ray_s, mb / ray_s, manifest["kept"], ray_mem)]

    tok = load_tokenizer(cfg.tokenizer)
    if not args.skip_baseline:
        t = time.perf_counter()
        with PeakMemory() as base_mem:
            ref = curate_songs_single_process(cfg, tok)
        base_s = time.perf_counter() - t
        rows.append(
            ("single process (same work)", base_s, args.songs / base_s, mb / base_s, ref["kept"], base_mem)
        )

    runs = [
        [name, f"{s:.1f}", f"{sps:,.0f}", f"{mbs:.2f}", f"{k:,}", f"{m.driver:,.0f}", f"{m.workers:,.0f}"]
        + [f"{m.largest_worker:,.0f}"]
        for name, s, sps, mbs, k, m in rows
    ]
    header = [
        "run",
        "seconds",
        "songs/s",
        "MB/s",
        "kept",
        "driver peak MB",
        "workers peak MB",
        "largest worker MB",
    ]
    print("\n" + "\n".join(markdown_table(header, runs, align="lrrrrrrr")))
    stages = [
        [r["stage"], f"{r['rows_in']:,}", f"{r['rows_out']:,}", f"{r['seconds']:.1f}"]
        for r in manifest["funnel"]
    ]
    stages.append(
        ["writes + manifest", "", "", f"{ray_s - sum(r['seconds'] for r in manifest['funnel']):.1f}"]
    )
    print(
        "\n"
        + "\n".join(
            markdown_table(["ray pipeline stage", "rows in", "rows out", "seconds"], stages, align="lrrr")
        )
    )
    print(f"\nload average before/after: {load_before} / {os.getloadavg()}; cores: {os.cpu_count()}")
    if len(rows) > 1:
        print(
            f"\nspeed-up of the Ray pipeline over the single process: {rows[1][1] / rows[0][1]:.2f}x"
            f" (kept counts {'match' if rows[0][4] == rows[1][4] else 'DIFFER'})"
        )

    if args.skip_tokenize:
        print(f"work dir: {work}")
        return
    # tokenization alone: raw batch encode vs the pipeline's Ray Data tokenize stage
    import pyarrow.parquet as pq

    kept = pq.read_table(work / "run/curate/songs").to_pylist()
    docs = [lyric_document(r, cfg.curate.pack.lyric_template) for r in kept]
    doc_mb = sum(len(d.encode()) for d in docs) / 1e6
    t = time.perf_counter()
    n_tokens = sum(len(x) for x in tokenize_texts(tok, docs))
    raw_tok_s = time.perf_counter() - t
    from songsage.data.curate import _tokens  # the pipeline's own tokenize stage

    ds = ray.data.from_items(kept, override_num_blocks=args.blocks).materialize()
    t = time.perf_counter()
    ray_tokens = int(_tokens(ds, cfg, "lyrics", str(tok.name_or_path)).sum("n_tokens"))
    ray_tok_s = time.perf_counter() - t

    tok_rows = [
        [name, f"{len(docs):,}", f"{n:,}", f"{sec:.2f}", f"{n / sec:,.0f}", f"{doc_mb / sec:.2f}"]
        for name, n, sec in (
            ("raw tokenizer batch encode", n_tokens, raw_tok_s),
            ("Ray Data tokenize stage", ray_tokens, ray_tok_s),
        )
    ]
    header = ["tokenization", "docs", "tokens", "seconds", "tokens/s", "MB/s"]
    print("\n" + "\n".join(markdown_table(header, tok_rows, align="lrrrrr")))
    print(f"\nRay tokenize stage / raw batch encode throughput: {raw_tok_s / ray_tok_s:.2f}x")
    print(f"work dir: {work}")


if __name__ == "__main__":
    main()
