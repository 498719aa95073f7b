"""What the chat and trajectory parsers share: reading JSON / JSONL records, timestamps to UTC, content flattening,
session-level fields and the tool-result error check.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from python_assets.logs.events import Event, Quarantined

TEXT_PART_TYPES = frozenset({"text", "input_text", "output_text"})
SESSION_KEYS = ("session_id", "conversation_id", "id")
USER_KEYS = ("user_id", "user")
TS_KEYS = ("timestamp", "created", "created_at")
_ERROR_PREFIXES = ("Error", "error", "ERROR")
_MS_THRESHOLD = 10**11  # unix seconds reach 1e11 in the year 5138: bigger numbers are milliseconds


class BadRecord(ValueError):
    """A record that cannot be mapped; its message is the quarantine reason."""


def read_file(path: Path) -> str | Quarantined:
    """The file's text, or one Quarantined for the whole file."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return Quarantined("file", f"unreadable file: {exc}")


def json_records(path: Path) -> Iterator[tuple[str, str, object, str] | Quarantined]:
    """Yields (raw_ref prefix, record key, record, raw text) per record, or a Quarantined per unreadable record.

    The file is JSONL (one record a line: ref "line 12", key "L12"), a JSON list (ref "item 3", key "R3") or one JSON
    object (ref "", key "R0"). It is JSONL when its first line parses on its own, or when neither that line nor the
    whole text parses and the text does not open like a pretty-printed document ("[" or a lone "{" line): then each
    bad line is quarantined on its own; a broken document is quarantined whole (raw_ref "file").
    """
    text = read_file(path)
    if isinstance(text, Quarantined):
        yield text
        return
    body = text.lstrip()
    if not body:
        return
    end = body.find("\n")
    first = (body if end < 0 else body[:end]).strip()
    if body[0] != "[":
        try:
            json.loads(first)
        except json.JSONDecodeError:
            pass
        else:
            yield from _jsonl_records(text)
            return
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        if body[0] == "[" or first == "{":
            yield Quarantined("file", f"invalid JSON: {exc}", text)
        else:
            yield from _jsonl_records(text)
        return
    if isinstance(doc, list):
        for i, record in enumerate(doc):
            yield f"item {i}", f"R{i}", record, ""
    else:
        yield "", "R0", doc, ""


def _jsonl_records(text: str) -> Iterator[tuple[str, str, object, str] | Quarantined]:
    for n, line in enumerate(text.split("\n"), 1):
        if not line or line.isspace():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Quarantined(f"line {n}", f"invalid JSON: {exc}", line)
            continue
        yield f"line {n}", f"L{n}", record, line


def payload_of(raw: str, record: object) -> str:
    """The raw text a Quarantined keeps: the line as read, else the record re-serialised."""
    if raw:
        return raw
    try:
        return json.dumps(record, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(record)


def to_utc(value: object) -> datetime | None:
    """Unix seconds (or milliseconds, as numbers or digit strings) or ISO 8601 text as an aware UTC datetime; None
    when absent or unreadable.

    Naive ISO times are taken as UTC (logs that omit the zone are written by servers that log in UTC).
    """
    if value is None or isinstance(value, bool):
        return None
    try:
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value / 1000 if value > _MS_THRESHOLD else value, tz=UTC)
        if isinstance(value, str):
            value = value.strip()
            if value.isdigit():
                return to_utc(int(value))
            ts = datetime.fromisoformat(value)
            return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return None


def first_of(obj: dict, keys: tuple[str, ...]) -> object:
    for key in keys:
        value = obj.get(key)
        if value is not None and value != "":
            return value
    return None


def timestamp(obj: dict, meta: dict) -> datetime | None:
    """The record's time; a present but unreadable value is kept in `meta["ts_raw"]` rather than lost."""
    raw = first_of(obj, TS_KEYS)
    if raw is None:
        return None
    ts = to_utc(raw)
    if ts is None:
        meta["ts_raw"] = str(raw)
    return ts


def as_text_id(value: object) -> str | None:
    return None if value is None else str(value)


def flatten(content: object, where: str) -> tuple[str | None, list[str]]:
    """Message content as (text, types of the non-text parts). Text parts are joined with blank lines.

    Content is a string, null, or a list of parts: strings, or objects whose `type` is text / input_text /
    output_text (their `text` is kept) or anything else (image_url, image, file, ...: only the type is noted).
    """
    if content is None or isinstance(content, str):
        return content, []
    if not isinstance(content, list):
        raise BadRecord(f"{where}: content is {type(content).__name__}, not a string, null or a list of parts")
    texts: list[str] = []
    other: list[str] = []
    for part in content:
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, dict):
            kind = part.get("type")
            if kind in TEXT_PART_TYPES:
                text = part.get("text")
                if not isinstance(text, str):
                    raise BadRecord(f"{where}: a {kind} part without text")
                texts.append(text)
            else:
                other.append(str(kind))
        else:
            raise BadRecord(f"{where}: a content part is {type(part).__name__}, not an object")
    return ("\n\n".join(texts) if texts else None), other


def looks_like_error(text: str | None) -> bool:
    """Whether a tool result reads as a failure: it starts with "Error"/"error"/"ERROR" (which also covers
    "Error:", "error: ..." and "ERROR ..."), or it is a JSON object with a non-empty "error" value.

    Kept to two cheap checks on purpose (no regex): it runs on every tool result. The JSON is parsed only when the
    text starts with "{" and holds the substring '"error"'.
    """
    if not text:
        return False
    text = text.lstrip()
    if text.startswith(_ERROR_PREFIXES):
        return True
    if text[:1] == "{" and '"error"' in text:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError:
            return False
        return isinstance(doc, dict) and bool(doc.get("error"))
    return False


def tokens(usage: object, input_key: str, output_key: str) -> tuple[int | None, int | None]:
    if not isinstance(usage, dict):
        return None, None
    inp, out = usage.get(input_key), usage.get(output_key)
    return (inp if isinstance(inp, int) else None), (out if isinstance(out, int) else None)


def extras(obj: dict, known: frozenset[str]) -> dict:
    """The keys a mapper does not read, kept as metadata so nothing is dropped silently."""
    if obj.keys() <= known:  # the usual case, checked in C
        return {}
    return {k: v for k, v in obj.items() if k not in known}


@dataclass(slots=True)
class RecordContext:
    """Where one top-level record sits in its file, and the native ids the file has used so far."""

    path: Path
    ref: str  # raw_ref prefix: "line 12", "item 3" or "" (the whole file is the record)
    key: str  # positional id prefix: "L12", "R3"
    seen_ids: set[str]

    @property
    def default_session(self) -> str:
        """A session id for a record without one: stable as long as the file keeps its name and order."""
        return f"{self.path.name}:{self.key}"

    def sub_ref(self, field: str) -> str:
        """The raw_ref prefix of the items of a list field: "line 12 /messages/"."""
        return f"{self.ref} /{field}/" if self.ref else f"/{field}/"

    def record_id(self, native: object, position: str) -> str:
        """The native id when it has one not used before in the file (event ids must not collide), else
        "{key}/{position}"."""
        if native is not None and native != "":
            rid = str(native)
            if rid not in self.seen_ids:
                self.seen_ids.add(rid)
                return rid
        return f"{self.key}/{position}"


def session_fields(
    record: dict, ctx: RecordContext, meta: dict, session_keys: tuple[str, ...] = SESSION_KEYS
) -> tuple[str, str | None, datetime | None, str | None]:
    """(session_id, user_id, ts, model) of a conversation-level record; a missing session id is derived."""
    session = first_of(record, session_keys)
    user = first_of(record, USER_KEYS)
    if user is None and isinstance(record.get("metadata"), dict):
        user = record["metadata"].get("user_id")
    model = record.get("model")
    return (
        str(session) if session is not None else ctx.default_session,
        as_text_id(user),
        timestamp(record, meta),
        model if isinstance(model, str) else None,
    )


def records(path: Path, to_events: Callable[[dict, RecordContext], list[Event]]) -> Iterator[Event | Quarantined]:
    """Maps every record of a JSON / JSONL file with `to_events`. A record that is not an object, or that
    `to_events` rejects (BadRecord), becomes one Quarantined at the record's raw_ref: a bad message costs its whole
    conversation, counted once, so a session is never half loaded."""
    seen: set[str] = set()
    for item in json_records(path):
        if isinstance(item, Quarantined):
            yield item
            continue
        ref, key, record, raw = item
        if not isinstance(record, dict):
            reason = f"record is {type(record).__name__}, not an object"
            yield Quarantined(ref or "file", reason, payload_of(raw, record))
            continue
        try:
            events = to_events(record, RecordContext(path, ref, key, seen))
        except BadRecord as exc:
            yield Quarantined(ref or "file", str(exc), payload_of(raw, record))
            continue
        yield from events


def annotate(head: Event, meta: dict, usage: object, input_key: str, output_key: str) -> None:
    """Puts a message's metadata and token counts on its first event."""
    if meta:
        head.metadata.update(meta)
    if usage is not None:
        head.input_tokens, head.output_tokens = tokens(usage, input_key, output_key)


def finish(
    events: list[Event], last_assistant: int, usage: object, input_key: str, output_key: str, session_meta: dict | None
) -> list[Event]:
    """Conversation-level usage goes on the last assistant message's first event (the completion it measured),
    unless that message had its own; session-level metadata goes on the first event under "session"."""
    if usage is not None and last_assistant >= 0:
        head = events[last_assistant]
        if head.input_tokens is None and head.output_tokens is None:
            head.input_tokens, head.output_tokens = tokens(usage, input_key, output_key)
    if session_meta and events:
        events[0].metadata["session"] = session_meta
    return events
