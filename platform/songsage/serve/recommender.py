"""Playlist recommendation over the shared faiss index: query -> (optional rewrite) -> embed -> top-k.

The rewrite prompt is the evaluation's (:func:`songsage.prompts.playlistsense.rewrite_messages`), and a
rewritten description is embedded as a *passage* (description vs description), a raw query as a
*query* -- the same convention as the PlaylistSense rewrite evaluation.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from songsage.models.encoder import Role
from songsage.models.index import FlatIndex
from songsage.prompts.playlistsense import rewrite_messages


def rewrite_prompt(query: str) -> list[dict[str, str]]:
    """Chat messages asking the generator to turn ``query`` into a playlist description."""
    return rewrite_messages(query)


def embed_role(rewritten: bool) -> Role:
    """Encoder role of the retrieval text: passage for a rewritten description, query otherwise."""
    return "passage" if rewritten else "query"


def rank(index: FlatIndex, vector: np.ndarray, k: int) -> list[dict[str, Any]]:
    """Top-``k`` playlists for one L2-normalised ``vector`` (dim,): ``[{playlist_id, title, tags, score}]``,
    best first; ``score`` is the cosine similarity (inner product of unit vectors)."""
    scores, rows = index.search(np.asarray(vector, np.float32).reshape(1, -1), k)
    info = index.metadata.get("playlists", {})
    out = []
    for score, row in zip(scores[0], rows[0], strict=True):
        if row < 0:
            continue
        pid = index.ids[int(row)]
        meta = info.get(pid, {})
        out.append(
            {
                "playlist_id": pid,
                "title": meta.get("title", ""),
                "tags": list(meta.get("tags", [])),
                "score": round(float(score), 6),
            }
        )
    return out
