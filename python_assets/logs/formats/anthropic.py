"""Anthropic Messages logs (JSON or JSONL of `{messages, system?, model?, ...}` records, or single API response
objects `{"type": "message", "role": "assistant", "content": [...]}`) to events.

Mapping, per record:
- a top-level `system` (text or text blocks) is turn 0, role system; the messages follow as turns 1.. (else 0..).
- a message's blocks yield events in block order, all with the message's turn_index and rising part_index: each run
  of consecutive `text` blocks is one `message` event (texts joined with blank lines); `tool_use` is a `tool_call`
  (tool_arguments = the `input` as JSON text); `tool_result` is role tool, kind `tool_result`, even though Anthropic
  puts it in a user message, named after the `tool_use` it answers; is_error is its `is_error` flag when given,
  else `looks_like_error` (see _common). A user message with text and tool_result blocks thus yields both.
- `thinking`, `redacted_thinking`, `image`, `document` and other blocks are noted by type in the message's first
  event's metadata `non_text_blocks` (their content is not kept); a message with nothing else still yields one
  `message` event with content None.
- `metadata.user_id` (or `user_id` / `user`) is the user; `usage{input_tokens, output_tokens}` of the record goes on
  the last assistant message, a message's own `usage` on that message; other top-level keys go in the first event's
  metadata under "session".

A malformed record or message (not an object, unknown role, a block that is not an object, a tool_use without a
name, a tool_result without a tool_use_id) quarantines that whole record, counted once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from python_assets.logs.events import Event, Quarantined, json_text
from python_assets.logs.formats._common import (
    BadRecord,
    RecordContext,
    annotate,
    extras,
    finish,
    flatten,
    looks_like_error,
    records,
    session_fields,
    timestamp,
)

ROLES = frozenset({"user", "assistant", "system"})
RECORD_KEYS = frozenset(
    {"messages", "system", "session_id", "conversation_id", "id", "user", "user_id", "timestamp", "created",
     "created_at", "model", "usage"}
)
MESSAGE_KEYS = frozenset({"role", "content", "id", "timestamp", "created", "created_at", "model", "usage", "type"})
USAGE_KEYS = ("input_tokens", "output_tokens")


def parse(path: Path) -> Iterator[Event | Quarantined]:
    return records(path, _record)


def _record(record: dict, ctx: RecordContext) -> list[Event]:
    if "messages" not in record and record.get("type") == "message" and "role" in record:
        # One API response: the message is the record; its `id` names the message, not a session.
        meta: dict = {}
        session_id, user_id, ts, model = session_fields(record, ctx, meta, ("session_id", "conversation_id"))
        return _events([record], ctx, "", session_id, user_id, ts, model, None, None, None)
    messages = record.get("messages")
    if not isinstance(messages, list):
        raise BadRecord("no `messages` list in the record" if messages is None else "`messages` is not a list")
    session_meta = extras(record, RECORD_KEYS)
    session_id, user_id, ts, model = session_fields(record, ctx, session_meta)
    return _events(messages, ctx, "messages", session_id, user_id, ts, model, record.get("system"),
                   record.get("usage"), session_meta)


def _events(
    messages: list,
    ctx: RecordContext,
    field: str,
    session_id: str,
    user_id: str | None,
    ts: datetime | None,
    model: str | None,
    system: object,
    usage: object,
    session_meta: dict | None,
) -> list[Event]:
    events: list[Event] = []
    if system is not None:
        where = f"{ctx.ref} /system" if ctx.ref else "/system"
        text, other = flatten(system, where)
        events.append(Event(session_id, ctx.record_id(None, "system"), where, "system", "message", 0, 0, ts, text,
                            model=model, user_id=user_id,
                            metadata={"non_text_blocks": other} if other else {}))
    offset = len(events)
    prefix = ctx.sub_ref(field) if field else ""
    call_names: dict[str, str] = {}
    last_assistant = -1
    for j, m in enumerate(messages):
        where = f"{prefix}{j}" if field else (ctx.ref or "/")  # a response object is the record itself
        if not isinstance(m, dict):
            raise BadRecord(f"{where}: message is {type(m).__name__}, not an object")
        role = m.get("role")
        if role not in ROLES:
            raise BadRecord(f"{where}: message has no role" if role is None else f"{where}: unknown role {role!r}")
        meta = extras(m, MESSAGE_KEYS)
        rid = ctx.record_id(m.get("id"), f"m{j}")
        turn = j + offset
        m_ts = timestamp(m, meta) or ts
        m_model = m.get("model") if isinstance(m.get("model"), str) else model
        first = len(events)
        content = m.get("content")
        if isinstance(content, str) or content is None:
            events.append(Event(session_id, rid, where, role, "message", turn, 0, m_ts, content,
                                model=m_model, user_id=user_id))
        elif not isinstance(content, list):
            raise BadRecord(f"{where}: content is {type(content).__name__}, not a string or a list of blocks")
        else:
            notes: list[str] = []
            for b, unit in enumerate(_runs(content, where)):
                part = len(events) - first
                if isinstance(unit, list):
                    events.append(Event(session_id, rid, where, role, "message", turn, part, m_ts, "\n\n".join(unit),
                                        model=m_model, user_id=user_id))
                    continue
                kind = unit.get("type")
                if kind == "tool_use":
                    name = unit.get("name")
                    if not isinstance(name, str):
                        raise BadRecord(f"{where}/content: tool_use without a name")
                    call_id = str(unit.get("id") or f"{rid}/call{b}")
                    call_names[call_id] = name
                    events.append(Event(
                        session_id, rid, where, role, "tool_call", turn, part, m_ts,
                        tool_call_id=call_id, tool_name=name, tool_arguments=json_text(unit.get("input")),
                        model=m_model, user_id=user_id,
                    ))
                elif kind == "tool_result":
                    call_id = unit.get("tool_use_id")
                    if call_id is None or call_id == "":
                        raise BadRecord(f"{where}/content: tool_result without a tool_use_id")
                    call_id = str(call_id)
                    result, other = flatten(unit.get("content"), f"{where}/content")
                    flag = unit.get("is_error")
                    events.append(Event(
                        session_id, rid, where, "tool", "tool_result", turn, part, m_ts, result,
                        tool_call_id=call_id, tool_name=call_names.get(call_id), tool_result=result,
                        is_error=flag if isinstance(flag, bool) else looks_like_error(result),
                        model=m_model, user_id=user_id, metadata={"non_text_parts": other} if other else {},
                    ))
                else:
                    notes.append(str(kind))
            if len(events) == first:
                events.append(Event(session_id, rid, where, role, "message", turn, 0, m_ts,
                                    model=m_model, user_id=user_id))
            if notes:
                meta["non_text_blocks"] = notes
        if role == "assistant":
            last_assistant = first
        annotate(events[first], meta, m.get("usage"), *USAGE_KEYS)
    return finish(events, last_assistant, usage, *USAGE_KEYS, session_meta)


def _runs(blocks: list, where: str) -> list[list[str] | dict]:
    """The blocks with each run of consecutive text blocks merged into one list of texts."""
    out: list[list[str] | dict] = []
    for b, block in enumerate(blocks):
        if isinstance(block, dict) and block.get("type") != "text":
            out.append(block)
            continue
        if isinstance(block, dict):
            block = block.get("text")
            if not isinstance(block, str):
                raise BadRecord(f"{where}/content/{b}: a text block without text")
        elif not isinstance(block, str):
            raise BadRecord(f"{where}/content/{b}: block is {type(block).__name__}, not an object")
        if out and isinstance(out[-1], list):
            out[-1].append(block)
        else:
            out.append([block])
    return out
