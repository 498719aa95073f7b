"""Feedback events (thumbs, ratings, edits) as JSONL, one object per line, in a shape Flywheel defines.

There is no standard, so this is ours:

    {"type": "thumbs_up" | "thumbs_down" | "rating" | "edit",
     "session_id": "abc123",           # the conversation
     "message_id": "m42",              # the record_id of the assistant message the feedback is about
     "value": 4,                       # rating: a number; edit: the user's corrected text; thumbs: optional
     "timestamp": "2026-01-05T09:13:00Z" | 1767604380 | 1767604380000,
     "user_id": "u7",                  # optional
     "comment": "too long",            # optional
     "id": "fb-1"}                     # optional native id, else the record_id is "L{line}"

Also accepted: a `{"feedback": {...}}` wrapper (its fields win over the outer ones); `"kind"` for `"type"`;
`{"type": "thumbs", "score": 1 | -1}` or just `"score": 1 | -1` (also in `value`) for thumbs up/down; `session`,
`conversation_id` for `session_id`; `target`, `target_id`, `record_id` for `message_id`; `ts`, `created_at` for
`timestamp`; `user` for `user_id`. Other keys go to `metadata`.

Each line becomes Event(kind="feedback", role="user", feedback_kind, feedback_value ("1"/"-1", the rating, or the
edited text), feedback_target=message_id, content = the edited text for an edit, else the comment). A line that is
not JSON, not an object, has an unknown type, lacks message_id or session_id, has a rating that is not a finite
number, an edit without text, or an unreadable timestamp becomes Quarantined with the reason; blank lines are not
records.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

from python_assets.logs.events import FEEDBACK_KINDS, Event, Quarantined
from python_assets.logs.formats._common import to_utc

_ALIASES = {
    "type": ("type", "kind", "feedback_type"),
    "session_id": ("session_id", "session", "conversation_id"),
    "message_id": ("message_id", "target", "target_id", "record_id"),
    "timestamp": ("timestamp", "ts", "created_at", "time"),
    "user_id": ("user_id", "user"),
    "id": ("id", "feedback_id"),
}
_KNOWN = frozenset(key for names in _ALIASES.values() for key in names) | {"value", "score", "comment", "feedback"}
_THUMBS = {"thumbs_up": "1", "thumbs_down": "-1"}


def parse(path: Path) -> Iterator[Event | Quarantined]:
    """Read a feedback JSONL file (the shape is in the module docstring)."""
    try:
        handle = open(path, encoding="utf-8", errors="replace")
    except OSError as exc:
        yield Quarantined("file", f"unreadable file: {exc}")
        return
    turns: dict[str, int] = {}
    used_ids: set[str] = set()
    with handle:
        for lineno, line in enumerate(handle, 1):
            if not line.strip():
                continue
            yield _record(line, lineno, turns, used_ids)


def _pick(record: dict, field: str):
    for name in _ALIASES[field]:
        value = record.get(name)
        if value is not None and value != "":
            return value
    return None


def _record(line: str, lineno: int, turns: dict[str, int], used_ids: set[str]) -> Event | Quarantined:
    ref = f"line {lineno}"
    try:
        record = json.loads(line)
    except ValueError as exc:
        return Quarantined(ref, f"invalid JSON: {exc}", line)
    if not isinstance(record, dict):
        return Quarantined(ref, f"not a JSON object ({type(record).__name__})", line)
    inner = record.get("feedback")
    if isinstance(inner, dict):
        record = {**{k: v for k, v in record.items() if k != "feedback"}, **inner}

    kind = _pick(record, "type")
    value = record.get("value")
    score = record.get("score")
    kind = kind.strip().lower() if isinstance(kind, str) else kind
    if kind in (None, "thumbs", "thumb"):
        sign = score if score is not None else (value if kind else None)
        if sign in (1, -1) and not isinstance(sign, bool):
            kind = "thumbs_up" if sign == 1 else "thumbs_down"
        else:
            what = "no type" if kind is None else "a thumbs type"
            return Quarantined(ref, f"{what} and no score of 1 or -1 to tell up from down", line)
    if kind not in FEEDBACK_KINDS:
        return Quarantined(ref, f"unknown feedback type {kind!r} (known: {', '.join(FEEDBACK_KINDS)})", line)

    session = _pick(record, "session_id")
    if session is None:
        return Quarantined(ref, "no session_id", line)
    target = _pick(record, "message_id")
    if target is None:
        return Quarantined(ref, "no message_id: feedback must name the message it is about", line)
    raw_ts = _pick(record, "timestamp")
    ts = to_utc(raw_ts)
    if ts is None and raw_ts is not None:
        return Quarantined(ref, f"bad timestamp: {raw_ts!r}", line)

    comment = record.get("comment")
    comment = None if comment is None else str(comment)
    content = comment
    if kind in _THUMBS:
        feedback_value = _THUMBS[kind]
    elif kind == "rating":
        rating = value if value is not None else score
        feedback_value = _number_text(rating)
        if feedback_value is None:
            return Quarantined(ref, f"rating is not a number: {rating!r}", line)
    else:  # edit
        if not isinstance(value, str) or not value.strip():
            return Quarantined(ref, "edit without the edited text in value", line)
        feedback_value = content = value

    metadata = {k: v for k, v in record.items() if k not in _KNOWN}
    if kind == "edit" and comment is not None:
        metadata["comment"] = comment
    native = _pick(record, "id")
    record_id = f"L{lineno}"
    if native is not None and str(native) not in used_ids:
        record_id = str(native)
        used_ids.add(record_id)
    session = str(session)
    turn = turns.get(session, 0)
    turns[session] = turn + 1
    user = _pick(record, "user_id")
    return Event(
        session_id=session,
        record_id=record_id,
        raw_ref=ref,
        role="user",
        kind="feedback",
        turn_index=turn,
        ts=ts,
        content=content,
        feedback_kind=kind,
        feedback_value=feedback_value,
        feedback_target=str(target),
        user_id=None if user is None else str(user),
        metadata=metadata,
    )


def _number_text(value) -> str | None:
    """A rating as text ("4", "4.5"); None when it is not a finite number (booleans are not ratings)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return str(int(value)) if float(value).is_integer() else repr(float(value))
