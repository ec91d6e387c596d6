"""Emotion labels for task 9, mapped from playlist (and song) tags.

A song's emotion is the majority label over the tags of every playlist that contains it plus its own
tags; ties go to the label listed first in :data:`EMOTION_LABELS`; songs with no mapped tag get no
emotion sample. The table below is the default of ``sft_data.emotion_map`` (tag, lower-cased ->
label); a profile may replace it. Only tags that name a mood are mapped: activity or genre tags
("Workout" aside, which names an energy level) stay unmapped rather than guessed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from songsage.data.sft.templates import EN, ZH

# Labels in tie-break order, with their display names per template language.
EMOTION_LABELS: dict[str, dict[str, str]] = {
    "sad": {ZH: "伤感", EN: "sad"},
    "happy": {ZH: "快乐", EN: "happy"},
    "calm": {ZH: "平静", EN: "calm"},
    "energetic": {ZH: "激昂", EN: "energetic"},
    "romantic": {ZH: "浪漫", EN: "romantic"},
    "nostalgic": {ZH: "怀旧", EN: "nostalgic"},
}

_TABLE: dict[str, list[str]] = {
    "sad": [
        "伤感",
        "失恋",
        "悲伤",
        "难过",
        "伤心",
        "孤独",
        "心碎",
        "sad",
        "breakup",
        "heartbreak",
        "melancholy",
        "lonely",
        "이별",
        "슬픔",
        "눈물",
        "切ない",
        "悲しい",
        "失恋ソング",
    ],
    "happy": [
        "快乐",
        "开心",
        "欢快",
        "幸福",
        "happy",
        "party",
        "feel good",
        "cheerful",
        "신나는",
        "행복",
        "明るい",
        "ハッピー",
        "派对",
    ],
    "calm": [
        "chill",
        "安静",
        "慵懒",
        "治愈",
        "放松",
        "轻松",
        "温暖",
        "relax",
        "relaxing",
        "calm",
        "peaceful",
        "癒し",
        "穏やか",
        "잔잔한",
        "힐링",
        "평온",
    ],
    "energetic": [
        "workout",
        "energy",
        "燃",
        "激昂",
        "热血",
        "运动",
        "운동",
        "댄스",
        "dance",
        "hype",
        "アップテンポ",
    ],
    "romantic": [
        "恋爱",
        "浪漫",
        "甜蜜",
        "情歌",
        "love",
        "romantic",
        "romance",
        "사랑",
        "설렘",
        "恋",
        "ラブソング",
    ],
    "nostalgic": [
        "怀旧",
        "回忆",
        "青春",
        "nostalgia",
        "nostalgic",
        "90s",
        "80s",
        "oldies",
        "추억",
        "懐かしい",
        "卒業",
    ],
}

DEFAULT_EMOTION_MAP: dict[str, str] = {tag.lower(): label for label, tags in _TABLE.items() for tag in tags}


def emotion_map(configured: dict[str, str]) -> dict[str, str]:
    """The active tag -> label table (``sft_data.emotion_map`` or the default), keys lower-cased.

    Raises ValueError on a label outside :data:`EMOTION_LABELS`."""
    table = {k.strip().lower(): v for k, v in (configured or DEFAULT_EMOTION_MAP).items()}
    bad = sorted({v for v in table.values() if v not in EMOTION_LABELS})
    if bad:
        raise ValueError(f"sft_data.emotion_map: unknown labels {bad}; known: {list(EMOTION_LABELS)}")
    return table


def tag_labels(tags: Iterable[str], table: dict[str, str]) -> list[str]:
    """Emotion labels of ``tags`` (one per mapped tag, order kept)."""
    return [table[t.strip().lower()] for t in tags if t and t.strip().lower() in table]


def majority(labels: Iterable[str]) -> str:
    """The most frequent label (ties: first in :data:`EMOTION_LABELS`); '' when none."""
    counts = Counter(labels)
    if not counts:
        return ""
    order = list(EMOTION_LABELS)
    return min(counts, key=lambda lab: (-counts[lab], order.index(lab)))


def song_emotions(
    playlists: Iterable[tuple[list[str], list[str]]], table: dict[str, str]
) -> dict[str, list[str]]:
    """song_id -> emotion votes from ``(tags, song_ids)`` playlist pairs."""
    votes: dict[str, list[str]] = {}
    for tags, song_ids in playlists:
        labels = tag_labels(tags, table)
        if not labels:
            continue
        for sid in song_ids:
            votes.setdefault(sid, []).extend(labels)
    return votes


def label_name(label: str, lang: str) -> str:
    """Display name of ``label`` in template language ``lang``."""
    return EMOTION_LABELS[label][lang]


def label_choices(lang: str) -> str:
    """Every label's display name, joined for a prompt."""
    sep = "、" if lang == ZH else ", "
    return sep.join(names[lang] for names in EMOTION_LABELS.values())
