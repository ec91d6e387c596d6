"""The nine LyricBank-SFT tasks as pure functions: one curated song or playlist -> candidate samples.

A candidate is a flat dict (one Parquet/Ray Data row, all strings except ``score``):
``sample_id`` (``<task>:<song or playlist id>``), ``task``, ``language`` (source language),
``template_lang`` (zh/en), ``song_id``, ``playlist_id``, ``prompt`` (user turn), ``response`` (assistant
turn; '' while a teacher must write it), ``teacher_kind`` (story/query/rewrite/description or ''),
``teacher_messages`` (JSON chat for the teacher or ''), ``context`` (JSON the second teacher round needs)
and ``score`` (uniform in [0, 1), deterministic in seed and id: the lowest scores are selected).

Targets from the data: tags (2), descriptions (3, when present), second halves (5), lyrics (6), artists (7),
titles (8), emotions (9). Teacher-written: user queries and their rewrites (1), missing descriptions (3),
stories (4).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from songsage.data.sft.emotions import label_choices, label_name
from songsage.data.sft.keywords import KeywordExtractor
from songsage.data.sft.templates import (
    EN,
    TEACHER_TEMPLATES,
    ZH,
    join_list,
    pick,
    playlist_block,
    stable_hash,
)
from songsage.storage import as_list

SONG_TASKS = (
    "lyrics_story",
    "lyrics_continuation",
    "keywords_to_lyrics",
    "lyrics_artist",
    "lyrics_title",
    "lyrics_emotion",
)
PLAYLIST_TASKS = ("query_rewrite", "playlist_tags", "playlist_description")
SCORE_SCALE = float(2**64)
COLUMNS = [
    "sample_id",
    "task",
    "language",
    "template_lang",
    "song_id",
    "playlist_id",
    "prompt",
    "response",
    "teacher_kind",
    "teacher_messages",
    "context",
    "score",
]


@dataclass
class TaskSettings:
    """What the task functions need from ``sft_data`` (picklable for Ray workers)."""

    seed: int
    tasks: list[str]
    zh_languages: list[str]
    max_lyrics_chars: int
    min_lines: int
    songs_per_playlist: int
    keywords: KeywordExtractor | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def template_lang(language: str, zh_languages: list[str]) -> str:
    """``zh`` for the configured Chinese languages, else ``en``."""
    return ZH if language in zh_languages else EN


def lyric_lines(text: str) -> list[str]:
    """Non-blank, stripped lines."""
    return [ln.strip() for ln in (text or "").splitlines() if ln.strip()]


def cut_lines(lines: list[str], max_chars: int) -> str:
    """Whole lines joined with newlines, stopping before ``max_chars`` characters (at least one line)."""
    out: list[str] = []
    total = 0
    for ln in lines:
        if out and total + len(ln) + 1 > max_chars:
            break
        out.append(ln)
        total += len(ln) + 1
    return "\n".join(out)


def halves(lines: list[str], min_lines: int, max_chars: int) -> tuple[str, str] | None:
    """(first half, second half) of the lines, each cut to ``max_chars``; None below ``min_lines`` lines."""
    if len(lines) < min_lines:
        return None
    mid = len(lines) // 2
    return cut_lines(lines[:mid], max_chars), cut_lines(lines[mid:], max_chars)


def teacher_chat(kind: str, lang: str, **fields: str) -> str:
    """JSON chat (one user turn) asking the teacher for a ``kind`` text in ``lang``."""
    return json.dumps(
        [{"role": "user", "content": TEACHER_TEMPLATES[kind][lang].format(**fields)}], ensure_ascii=False
    )


def score(seed: int, sample_id: str) -> float:
    """Selection score in [0, 1), deterministic in ``seed`` and ``sample_id``."""
    return stable_hash(seed, "select", sample_id) / SCORE_SCALE


def _sample(
    s: TaskSettings, task: str, source_id: str, language: str, lang: str, **kw: str
) -> dict[str, Any]:
    sid = f"{task}:{source_id}"
    row = {
        "sample_id": sid,
        "task": task,
        "language": language,
        "template_lang": lang,
        "song_id": "",
        "playlist_id": "",
        "prompt": "",
        "response": "",
        "teacher_kind": "",
        "teacher_messages": "",
        "context": "",
        "score": score(s.seed, sid),
    }
    row.update(kw)
    return row


def song_samples(song: dict[str, Any], emotion: str, s: TaskSettings) -> list[dict[str, Any]]:
    """Candidates of the song tasks for one curated song (``song_id``, ``name``, ``artist``, ``tags``,
    ``lyrics_norm`` or ``lyrics``, ``language``); ``emotion`` is its label ('' = none)."""
    sid = str(song["song_id"])
    language = str(song.get("language") or "")
    lang = template_lang(language, s.zh_languages)
    text = str(song.get("lyrics_norm") or song.get("lyrics") or "")
    lines = lyric_lines(text)
    if not lines:
        return []
    lyrics = cut_lines(lines, s.max_lyrics_chars)
    name, artist = str(song.get("name") or "").strip(), str(song.get("artist") or "").strip()
    tags = as_list(song.get("tags"))
    out: list[dict[str, Any]] = []

    if "lyrics_story" in s.tasks:
        row = _sample(
            s,
            "lyrics_story",
            sid,
            language,
            lang,
            song_id=sid,
            teacher_kind="story",
            teacher_messages=teacher_chat(
                "story", lang, title=name or "?", artist=artist or "?", lyrics=lyrics
            ),
        )
        row["prompt"] = pick("lyrics_story", lang, s.seed, row["sample_id"]).format(lyrics=lyrics)
        out.append(row)
    split = halves(lines, s.min_lines, s.max_lyrics_chars)
    if split and "lyrics_continuation" in s.tasks:
        row = _sample(s, "lyrics_continuation", sid, language, lang, song_id=sid, response=split[1])
        row["prompt"] = pick("lyrics_continuation", lang, s.seed, row["sample_id"]).format(
            first_half=split[0]
        )
        out.append(row)
    if "keywords_to_lyrics" in s.tasks and s.keywords is not None:
        words = s.keywords.extract(text, language, tags)
        if words:
            row = _sample(s, "keywords_to_lyrics", sid, language, lang, song_id=sid, response=lyrics)
            row["prompt"] = pick("keywords_to_lyrics", lang, s.seed, row["sample_id"]).format(
                keywords=join_list(words, lang)
            )
            out.append(row)
    for task, target in (("lyrics_artist", artist), ("lyrics_title", name)):
        if target and task in s.tasks:
            row = _sample(s, task, sid, language, lang, song_id=sid, response=target)
            row["prompt"] = pick(task, lang, s.seed, row["sample_id"]).format(lyrics=lyrics)
            out.append(row)
    if emotion and "lyrics_emotion" in s.tasks:
        row = _sample(
            s, "lyrics_emotion", sid, language, lang, song_id=sid, response=label_name(emotion, lang)
        )
        row["prompt"] = pick("lyrics_emotion", lang, s.seed, row["sample_id"]).format(
            labels=label_choices(lang), lyrics=lyrics
        )
        out.append(row)
    return out


def playlist_lang(songs_languages: list[str], text: str, zh_languages: list[str]) -> str:
    """Template language of a playlist: the majority language of its songs, else the script of its text
    (Han characters without kana/hangul -> zh)."""
    langs = [lang for lang in songs_languages if lang]
    if langs:
        top = max(sorted(set(langs)), key=langs.count)
        return template_lang(top, zh_languages)
    has_han = any("\u4e00" <= ch <= "\u9fff" for ch in text)
    has_other = any("\u3040" <= ch <= "\u30ff" or "\uac00" <= ch <= "\ud7af" for ch in text)
    return ZH if has_han and not has_other else EN


def playlist_samples(
    pl: dict[str, Any], songs: list[tuple[str, str, str]], s: TaskSettings
) -> list[dict[str, Any]]:
    """Candidates of the playlist tasks for one playlist (``playlist_id``, ``title``, ``tags``, ``description``);
    ``songs``: (name, artist, language) of its kept songs in playlist order."""
    pid = str(pl["playlist_id"])
    title = str(pl.get("title") or "").strip()
    tags = as_list(pl.get("tags"))
    desc = pl.get("description")
    desc = desc.strip() if isinstance(desc, str) else ""
    if not title or not songs:
        return []
    song_langs = [x[2] for x in songs if x[2]]
    lang = playlist_lang(song_langs, title + desc, s.zh_languages)
    language = max(sorted(set(song_langs)), key=song_langs.count) if song_langs else lang
    listed = [(n, a) for n, a, _ in songs[: s.songs_per_playlist]]
    out: list[dict[str, Any]] = []
    if "playlist_tags" in s.tasks and tags:
        block = playlist_block(lang, title, None, desc or None, listed)
        row = _sample(
            s, "playlist_tags", pid, language, lang, playlist_id=pid, response=join_list(tags, lang)
        )
        row["prompt"] = pick("playlist_tags", lang, s.seed, row["sample_id"]).format(playlist=block)
        out.append(row)
    if "playlist_description" in s.tasks:
        block = playlist_block(lang, title, tags, None, listed)
        row = _sample(s, "playlist_description", pid, language, lang, playlist_id=pid, response=desc)
        if not desc:
            row.update(
                teacher_kind="description", teacher_messages=teacher_chat("description", lang, playlist=block)
            )
        row["prompt"] = pick("playlist_description", lang, s.seed, row["sample_id"]).format(playlist=block)
        out.append(row)
    if "query_rewrite" in s.tasks:
        block = playlist_block(lang, title, tags, desc or None, listed)
        out.append(
            _sample(
                s,
                "query_rewrite",
                pid,
                language,
                lang,
                playlist_id=pid,
                teacher_kind="query",
                teacher_messages=teacher_chat("query", lang, playlist=block),
                context=json.dumps({"playlist": block}, ensure_ascii=False),
            )
        )
    return out


def after_query(row: dict[str, Any], query: str, seed: int) -> dict[str, Any]:
    """Second teacher round of task 1: the written ``query`` becomes the prompt and the teacher is asked to
    rewrite it into a playlist description (the response)."""
    lang = row["template_lang"]
    block = json.loads(row["context"])["playlist"]
    return {
        **row,
        "prompt": pick("query_rewrite", lang, seed, row["sample_id"]).format(query=query),
        "teacher_kind": "rewrite",
        "teacher_messages": teacher_chat("rewrite", lang, query=query, playlist=block),
    }


def chat(prompt: str, response: str) -> list[dict[str, str]]:
    """The chat-format record of one sample."""
    return [{"role": "user", "content": prompt}, {"role": "assistant", "content": response}]
