"""OpenAI chat logs (JSON or JSONL of conversations with `messages`; ShareGPT `conversations` too) to events, and the
OpenAI message mapper that tau-bench trajectories reuse.

Mapping, per conversation record:
- each message is one turn (`turn_index` = its position); its text is a `message` event (part 0) and each of its
  `tool_calls` (or a legacy `function_call`) a `tool_call` event after it; a `tool` / legacy `function` message is a
  `tool_result` (role tool) named after the call it answers. A message with no text but tool calls has no message
  event; a message with neither still yields one (content None), so no message disappears.
- roles: system, user, assistant, tool; `developer` reads as system and `function` as tool (the source role is kept
  in metadata `source_role`). ShareGPT `from`: human -> user, gpt -> assistant, system -> system.
- non-text content parts (image_url, input_audio, file, ...) are noted by type in metadata `non_text_parts`.
- conversation-level `model` and time apply to every event unless the message has its own; conversation-level
  `usage` goes on the first event of the last assistant message (the completion it measured); other top-level keys
  go in the first event's metadata under "session"; unknown message keys go in that message's metadata.
- is_error on a tool result: an explicit boolean `is_error` on the message, else `looks_like_error` (see _common).

A malformed record (invalid JSON, not an object, no `messages`) or a malformed message in it (not an object, missing
or unknown role, bad content, `tool_calls` not a list, a call without a function name) quarantines that whole
conversation record, counted once.
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

ROLES = {
    "system": "system",
    "developer": "system",
    "user": "user",
    "assistant": "assistant",
    "tool": "tool",
    "function": "tool",
}
SHAREGPT_ROLES = {"human": "user", "gpt": "assistant", "system": "system"}
CONVERSATION_KEYS = frozenset(
    {"messages", "conversations", "session_id", "conversation_id", "id", "user", "user_id", "timestamp", "created",
     "created_at", "model", "usage"}
)
MESSAGE_KEYS = frozenset(
    {"role", "content", "tool_calls", "tool_call_id", "function_call", "name", "id", "timestamp", "created",
     "created_at", "model", "usage", "is_error"}
)


def parse(path: Path) -> Iterator[Event | Quarantined]:
    return records(path, _conversation)


def _conversation(record: dict, ctx: RecordContext) -> list[Event]:
    messages = record.get("messages")
    field = "messages"
    if messages is None and "conversations" in record:
        messages, field = _from_sharegpt(record["conversations"]), "conversations"
    if messages is None:
        raise BadRecord("no `messages` (or ShareGPT `conversations`) in the record")
    session_meta = extras(record, CONVERSATION_KEYS)
    session_id, user_id, ts, model = session_fields(record, ctx, session_meta)
    return message_events(
        messages, ctx, field, session_id,
        user_id=user_id, ts=ts, model=model, usage=record.get("usage"), session_meta=session_meta,
    )


def _from_sharegpt(turns: object) -> object:
    if not isinstance(turns, list):
        return turns  # message_events rejects it with the reason
    out: list[object] = []
    for turn in turns:
        if isinstance(turn, dict):
            message = {k: v for k, v in turn.items() if k != "from" and k != "value"}
            speaker = turn.get("from")
            message["role"] = SHAREGPT_ROLES.get(speaker, speaker)
            message["content"] = turn.get("value")
            turn = message
        out.append(turn)
    return out


def message_events(
    messages: object,
    ctx: RecordContext,
    field: str,
    session_id: str,
    *,
    user_id: str | None = None,
    ts: datetime | None = None,
    model: str | None = None,
    usage: object = None,
    session_meta: dict | None = None,
) -> list[Event]:
    """The events of one conversation's OpenAI-style messages (`ctx.sub_ref(field)` + index is each raw_ref).

    Raises BadRecord on the first malformed message: the caller quarantines the whole conversation.
    """
    prefix = ctx.sub_ref(field)
    if not isinstance(messages, list):
        raise BadRecord(f"{prefix.rstrip('/')}: not a list")
    events: list[Event] = []
    call_names: dict[str, str] = {}
    legacy_call: str | None = None  # the open legacy `function_call`, answered by the next `function` message
    last_assistant = -1  # index in `events` of the last assistant message's first event
    for j, m in enumerate(messages):
        where = f"{prefix}{j}"
        if not isinstance(m, dict):
            raise BadRecord(f"{where}: message is {type(m).__name__}, not an object")
        source_role = m.get("role")
        if source_role is None:
            raise BadRecord(f"{where}: message has no role")
        role = ROLES.get(source_role) if isinstance(source_role, str) else None
        if role is None:
            raise BadRecord(f"{where}: unknown role {source_role!r}")
        text, other = flatten(m.get("content"), where)
        meta = extras(m, MESSAGE_KEYS)
        if other:
            meta["non_text_parts"] = other
        if role != source_role:
            meta["source_role"] = source_role
        rid = ctx.record_id(m.get("id"), f"m{j}")
        m_ts = timestamp(m, meta) or ts
        m_model = m.get("model") if isinstance(m.get("model"), str) else model
        name = m.get("name")
        first = len(events)

        if role == "tool":
            call_id = m.get("tool_call_id")
            if call_id is None and legacy_call is not None:
                call_id, legacy_call = legacy_call, None
            call_id = None if call_id is None else str(call_id)
            flag = m.get("is_error")
            own_name = name if isinstance(name, str) else None  # tau-bench and legacy `function` messages name it
            events.append(Event(
                session_id, rid, where, "tool", "tool_result", j, 0, m_ts, text,
                tool_call_id=call_id,
                tool_name=call_names.get(call_id, own_name) if call_id else own_name,
                tool_result=text,
                is_error=flag if isinstance(flag, bool) else looks_like_error(text),
                model=m_model, user_id=user_id,
            ))
        else:
            if name is not None:
                meta["name"] = name
            calls = m.get("tool_calls")
            if calls is not None and not isinstance(calls, list):
                raise BadRecord(f"{where}: tool_calls is {type(calls).__name__}, not a list")
            legacy = m.get("function_call")
            if legacy is not None and not isinstance(legacy, dict):
                raise BadRecord(f"{where}: function_call is {type(legacy).__name__}, not an object")
            if text is not None or other or not (calls or legacy):
                events.append(Event(session_id, rid, where, role, "message", j, 0, m_ts, text,
                                    model=m_model, user_id=user_id))
            for k, call in enumerate(calls or ()):
                call_id, tool, args, call_meta = tool_call_fields(call, f"{where}/tool_calls/{k}", f"{rid}/call{k}")
                call_names[call_id] = tool
                events.append(Event(
                    session_id, rid, where, role, "tool_call", j, len(events) - first, m_ts,
                    tool_call_id=call_id, tool_name=tool, tool_arguments=args, model=m_model, user_id=user_id,
                    metadata=call_meta,
                ))
            if legacy:
                call_id, tool, args, call_meta = tool_call_fields(
                    {"function": legacy}, f"{where}/function_call", f"{rid}/function_call"
                )
                call_names[call_id] = tool
                legacy_call = call_id
                events.append(Event(
                    session_id, rid, where, role, "tool_call", j, len(events) - first, m_ts,
                    tool_call_id=call_id, tool_name=tool, tool_arguments=args, model=m_model, user_id=user_id,
                ))
            if role == "assistant":
                last_assistant = first

        annotate(events[first], meta, m.get("usage"), "prompt_tokens", "completion_tokens")
    return finish(events, last_assistant, usage, "prompt_tokens", "completion_tokens", session_meta)


def tool_call_fields(call: object, where: str, fallback_id: str) -> tuple[str, str, str | None, dict]:
    """(id, name, arguments as JSON text, metadata) of one OpenAI tool call; a call without an id gets
    `fallback_id` so its result can still point at it."""
    if not isinstance(call, dict):
        raise BadRecord(f"{where}: tool call is {type(call).__name__}, not an object")
    function = call.get("function")
    if not isinstance(function, dict) or not isinstance(function.get("name"), str):
        raise BadRecord(f"{where}: tool call without a function name")
    call_id = call.get("id")
    kind = call.get("type")
    return (
        fallback_id if call_id is None or call_id == "" else str(call_id),
        function["name"],
        json_text(function.get("arguments")),
        {"call_type": kind} if kind is not None and kind != "function" else {},
    )
