"""Schema validation of raw JSONL lines: each line -> a clean record or a quarantine reason.

Input: one physical line (bytes) plus where it came from. Output: ``(record, None)`` or
``(None, reason)`` where reason is a short code (``invalid_utf8``, ``broken_json``,
``not_object``, ``missing:<field>``, ``wrong_type:<field>``, ...) followed by detail.
Blank lines are not records and are skipped before validation.
"""

from __future__ import annotations

import json
from typing import Any

# field -> (accepted python types, required, may be null)
SONG_SCHEMA: dict[str, tuple[tuple[type, ...], bool, bool]] = {
    "song_id": ((str, int), True, False),
    "name": ((str,), True, False),
    "artist": ((str,), True, True),
    "album": ((str,), False, True),
    "lyrics": ((str,), True, True),
    "tags": ((list,), False, True),
    "language": ((str,), False, True),
}
PLAYLIST_SCHEMA: dict[str, tuple[tuple[type, ...], bool, bool]] = {
    "playlist_id": ((str, int), True, False),
    "title": ((str,), True, False),
    "tags": ((list,), False, True),
    "description": ((str,), False, True),
    "song_ids": ((list,), True, False),
}
GENERAL_SCHEMA: dict[str, tuple[tuple[type, ...], bool, bool]] = {
    "id": ((str, int), True, False),
    "source": ((str,), True, False),
    "text": ((str,), False, True),
    "messages": ((list,), False, True),
}


def decode_line(raw: bytes) -> tuple[Any, str | None]:
    """Decode + parse one JSONL line. Returns (object, None) or (None, reason)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"invalid_utf8: byte {exc.start}: {raw[exc.start : exc.start + 4]!r}"
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, f"broken_json: {exc.msg} at column {exc.colno}"


def _check_fields(obj: dict[str, Any], schema: dict[str, tuple[tuple[type, ...], bool, bool]]) -> str | None:
    for name, (types, required, nullable) in schema.items():
        if name not in obj:
            if required:
                return f"missing:{name}"
            continue
        value = obj[name]
        if value is None:
            if not nullable:
                return f"missing:{name}: null"
            continue
        if isinstance(value, bool) or not isinstance(value, types):
            return f"wrong_type:{name}: expected {'/'.join(t.__name__ for t in types)}, got {type(value).__name__}"
    return None


def _clean_id(value: Any) -> str:
    return str(value).strip()


def _string_list(value: Any, field: str) -> tuple[list[str] | None, str | None]:
    if value is None:
        return [], None
    if not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
        return None, f"wrong_type:{field}: list items must be strings"
    return [str(v).strip() for v in value if str(v).strip()], None


def validate_song(obj: Any) -> tuple[dict[str, Any] | None, str | None]:
    """Validate a parsed song object -> (song dict with the canonical columns, None) or (None, reason)."""
    if not isinstance(obj, dict):
        return None, f"not_object: got {type(obj).__name__}"
    reason = _check_fields(obj, SONG_SCHEMA)
    if reason:
        return None, reason
    song_id = _clean_id(obj["song_id"])
    if not song_id:
        return None, "missing:song_id: empty"
    tags, reason = _string_list(obj.get("tags"), "tags")
    if reason:
        return None, reason
    return {
        "song_id": song_id,
        "name": obj["name"].strip(),
        "artist": (obj.get("artist") or "").strip(),
        "album": (obj.get("album") or "").strip(),
        "lyrics": obj.get("lyrics") or "",
        "tags": tags,
        "language_hint": (obj.get("language") or "").strip().lower(),
    }, None


def validate_playlist(obj: Any) -> tuple[dict[str, Any] | None, str | None]:
    """Validate a parsed playlist object -> (playlist dict, None) or (None, reason)."""
    if not isinstance(obj, dict):
        return None, f"not_object: got {type(obj).__name__}"
    reason = _check_fields(obj, PLAYLIST_SCHEMA)
    if reason:
        return None, reason
    pid = _clean_id(obj["playlist_id"])
    if not pid:
        return None, "missing:playlist_id: empty"
    tags, reason = _string_list(obj.get("tags"), "tags")
    if reason:
        return None, reason
    song_ids, reason = _string_list(obj["song_ids"], "song_ids")
    if reason:
        return None, reason
    return {
        "playlist_id": pid,
        "title": obj["title"].strip(),
        "tags": tags,
        "description": (obj.get("description") or "").strip(),
        "song_ids": song_ids,
    }, None


def validate_general(obj: Any) -> tuple[dict[str, Any] | None, str | None]:
    """Validate a general-text record: a document (``text``) or a chat (``messages``)."""
    if not isinstance(obj, dict):
        return None, f"not_object: got {type(obj).__name__}"
    reason = _check_fields(obj, GENERAL_SCHEMA)
    if reason:
        return None, reason
    text = obj.get("text")
    messages = obj.get("messages")
    if not (text and text.strip()) and not messages:
        return None, "missing:text: neither text nor messages"
    clean_msgs: list[dict[str, str]] = []
    for i, m in enumerate(messages or []):
        if (
            not isinstance(m, dict)
            or not isinstance(m.get("role"), str)
            or not isinstance(m.get("content"), str)
        ):
            return None, f"wrong_type:messages[{i}]: needs string role and content"
        if m["role"] not in ("system", "user", "assistant"):
            return None, f"wrong_type:messages[{i}].role: {m['role']!r}"
        clean_msgs.append({"role": m["role"], "content": m["content"]})
    return {
        "doc_id": _clean_id(obj["id"]),
        "source": obj["source"].strip(),
        "text": text or "",
        "messages": clean_msgs,
    }, None


VALIDATORS = {"songs": validate_song, "playlists": validate_playlist, "general": validate_general}


def reason_code(reason: str) -> str:
    """The short code of a reason (``wrong_type:tags: ...`` -> ``wrong_type:tags``)."""
    return reason.split(": ", 1)[0]
