"""Tokenized documents -> fixed-length training sequences.

Documents are concatenated in a seeded order with an EOS token after each, then cut into
``seq_len`` chunks; a document longer than ``seq_len`` continues in the next sequence. The last
partial chunk of a shard is padded with ``pad_id`` and its ``length`` says how many tokens are real
(trainers mask the rest). Output rows: ``input_ids`` (int32, len seq_len) and ``length``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def pack_documents(
    docs: Iterable[list[int] | np.ndarray], seq_len: int, eos_id: int, pad_id: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pack token lists into an (n, seq_len) int32 array and an (n,) array of real lengths."""
    parts: list[np.ndarray] = []
    for doc in docs:
        parts.append(np.asarray(doc, dtype=np.int32))
        parts.append(np.array([eos_id], dtype=np.int32))
    if not parts:
        return np.zeros((0, seq_len), dtype=np.int32), np.zeros(0, dtype=np.int32)
    stream = np.concatenate(parts)
    n = -(-len(stream) // seq_len)
    out = np.full(n * seq_len, pad_id, dtype=np.int32)
    out[: len(stream)] = stream
    lengths = np.full(n, seq_len, dtype=np.int32)
    lengths[-1] = len(stream) - (n - 1) * seq_len
    return out.reshape(n, seq_len), lengths


def render_chat(messages: list[dict[str, str]]) -> str:
    """A chat conversation as ChatML text (Qwen's format, without an injected system prompt)."""
    return "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
