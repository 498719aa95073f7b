"""The canonical event: one row of `raw_events` per message, tool call, tool result or feedback, whatever the log
format it came from. Parsers yield `Event`s (or `Quarantined` records); ingestion adds the file lineage and ids.

The schema is documented in docs/EVENTS.md; keep the two in step.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from datetime import datetime

import pyarrow as pa

ROLES = ("system", "user", "assistant", "tool")
KINDS = ("message", "tool_call", "tool_result", "feedback")
FEEDBACK_KINDS = ("thumbs_up", "thumbs_down", "edit", "rating")


@dataclass(slots=True)
class Event:
    """What a parser knows about one event. Lineage (source, file, ids) is added by ingestion."""

    session_id: str
    record_id: str  # unique within the file and stable across re-reads: a native id, else its position
    raw_ref: str  # where the raw record is: "line 12", "offset 3400", "line 3 /messages/2", "span 9f2c..."
    role: str  # ROLES
    kind: str  # KINDS
    turn_index: int  # the message's position in its session as the source orders it (0-based)
    part_index: int = 0  # order of the events one message produced (text, then each tool call)
    ts: datetime | None = None  # timezone-aware; parsers convert to UTC
    content: str | None = None  # message text (parts joined with blank lines); a tool result's text too
    tool_call_id: str | None = None
    tool_name: str | None = None
    tool_arguments: str | None = None  # JSON text of the call's arguments (as sent when it was already text)
    tool_result: str | None = None
    is_error: bool = False  # a failed tool result, an error status, an ERROR line
    model: str | None = None
    latency_ms: float | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    feedback_kind: str | None = None  # FEEDBACK_KINDS
    feedback_value: str | None = None  # "1"/"-1", a rating, or the user's edited text
    feedback_target: str | None = None  # the record_id (native message id) the feedback is about
    user_id: str | None = None
    metadata: dict = field(default_factory=dict)  # everything else worth keeping (reward, task, status, ...)


@dataclass(slots=True)
class Quarantined:
    """A record (or a whole file) that could not be read, and why. Counted: received = loaded + quarantined."""

    raw_ref: str
    reason: str
    payload: str = ""  # the raw text, hashed by ingestion, never stored (it may hold PII)


PARSED_FIELDS = [f.name for f in fields(Event)]

SCHEMA = pa.schema([
    pa.field("event_id", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),  # the configured log source's name
    pa.field("format", pa.string(), nullable=False),
    pa.field("source_file", pa.string(), nullable=False),  # path relative to the source's root
    pa.field("file_sha256", pa.string(), nullable=False),
    pa.field("session_id", pa.string(), nullable=False),
    pa.field("record_id", pa.string(), nullable=False),
    pa.field("raw_ref", pa.string(), nullable=False),
    pa.field("turn_index", pa.int32(), nullable=False),
    pa.field("part_index", pa.int32(), nullable=False),
    pa.field("ts", pa.timestamp("us", tz="UTC")),
    pa.field("role", pa.string(), nullable=False),
    pa.field("kind", pa.string(), nullable=False),
    pa.field("content", pa.string()),
    pa.field("tool_call_id", pa.string()),
    pa.field("tool_name", pa.string()),
    pa.field("tool_arguments", pa.string()),
    pa.field("tool_result", pa.string()),
    pa.field("is_error", pa.bool_(), nullable=False),
    pa.field("model", pa.string()),
    pa.field("latency_ms", pa.float64()),
    pa.field("input_tokens", pa.int64()),
    pa.field("output_tokens", pa.int64()),
    pa.field("feedback_kind", pa.string()),
    pa.field("feedback_value", pa.string()),
    pa.field("feedback_target", pa.string()),
    pa.field("user_id", pa.string()),
    pa.field("metadata", pa.string()),  # JSON object text
])


def event_id(source: str, source_file: str, record_id: str, part_index: int) -> str:
    """Stable across re-ingestion of the same file: derived from where the event is, not when it was read."""
    key = f"{source}\x1f{source_file}\x1f{record_id}\x1f{part_index}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def json_text(value) -> str | None:
    """Tool arguments as JSON text: text is kept as sent (it may not be valid JSON; that is data too)."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
