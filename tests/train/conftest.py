"""Fixtures for the training tests: small packed shards written directly in the curation format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PUBLIC_DOMAIN

SHARD_SEQ_LEN = 64
SHARD_SONGS = 600
SHARD_FILES = 2


def write_shards(out_dir: Path, tokenizer: Any, seq_len: int, n_songs: int, n_files: int) -> Path:
    """Tokenize ``n_songs`` public-domain lyrics, pack them (EOS-separated, padded tail, ``length``) and write
    ``out_dir/curate/shards/shard-0000i.parquet`` + ``out_dir/curate/manifest.json``. Returns the shards dir."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from songsage.data.pack import pack_documents

    songs_file = PUBLIC_DOMAIN / "songs.jsonl"
    texts = []
    with songs_file.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            texts.append(f"{rec['name']}\n{rec['artist']}\n\n{rec['lyrics']}")
            if len(texts) >= n_songs:
                break
    eos = tokenizer.convert_tokens_to_ids("<|endoftext|>")
    docs = tokenizer(texts, add_special_tokens=False)["input_ids"]
    shards = out_dir / "curate" / "shards"
    shards.mkdir(parents=True, exist_ok=True)
    per_file = -(-len(docs) // n_files)
    total = 0
    for i in range(n_files):
        ids, lengths = pack_documents(docs[i * per_file : (i + 1) * per_file], seq_len, eos, eos)
        table = pa.table(
            {
                "input_ids": pa.array(list(ids), type=pa.list_(pa.int32())),
                "length": pa.array(lengths, type=pa.int32()),
            }
        )
        pq.write_table(table, shards / f"shard-{i:05d}.parquet")
        total += len(ids)
    manifest = {
        "seq_len": seq_len,
        "sequences": total,
        "content_hash": "test",
        "tokenizer": {
            "name_or_path": "qwen2.5-offline",
            "eos_id": eos,
            "pad_id": eos,
            "vocab": len(tokenizer),
        },
    }
    (out_dir / "curate" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return shards


@pytest.fixture(scope="session")
def shards_dir(tmp_path_factory: pytest.TempPathFactory, qwen_tokenizer: Any) -> Path:
    """Packed 64-token shards of 600 lyrics (~1,100 rows), shared by the training tests."""
    return write_shards(
        tmp_path_factory.mktemp("pt-data"), qwen_tokenizer, SHARD_SEQ_LEN, SHARD_SONGS, SHARD_FILES
    )
