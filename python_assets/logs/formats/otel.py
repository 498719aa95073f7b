"""OpenTelemetry GenAI spans (OTLP JSON and the span shapes SDKs and instrumentations export) as conversation events.

Files: one JSON document, or JSONL with one document per line (`.jsonl`/`.ndjson`, or a file whose first document
is followed by more). A document may be an OTLP export `{"resourceSpans": [{"resource", "scopeSpans": [{"spans"}]}]}`,
a span (OTLP `{traceId, spanId, attributes: [{key, value}]}`, OTel JS ReadableSpan `{spanContext, attributes: {}}`,
OTel Python `{context: {trace_id, span_id}, attributes: {}}`), a bare span-attribute map (`{"gen_ai.*": ...}`, as
the OpenInference test fixtures are), or any list / object holding those (e.g. spans grouped by operation).

What a span says, first source that has it wins:
- system: `gen_ai.system_instructions`; the `system` of a Vercel `ai.prompt`;
- input: `gen_ai.input.messages`; OpenInference `llm.input_messages.{i}.message.*`; deprecated indexed
  `gen_ai.prompt.{i}.*`; deprecated `gen_ai.prompt` (JSON text); deprecated span events `gen_ai.{system,user,
  assistant,tool}.message` / `gen_ai.content.prompt`; Vercel `ai.prompt.messages` / `ai.prompt`; OpenInference
  `input.value` (LLM spans);
- output: `gen_ai.output.messages`; `llm.output_messages.{i}.*`; `gen_ai.completion.{i}.*`; `gen_ai.completion`;
  events `gen_ai.choice` / `gen_ai.content.completion`; Vercel `ai.response.text|object|toolCalls`; `output.value`;
- a tool execution span (`gen_ai.operation.name = execute_tool`, OpenInference kind TOOL, Vercel `ai.toolCall`)
  gives a tool_call (name, id, arguments) and a tool_result (`gen_ai.tool.call.result`, `output.value`, ...);
  an ERROR status makes the result `is_error`.
Message parts: text, tool_call, tool_call_response, server_tool_call(_response), reasoning (kept in metadata), and
blob/uri/file (described in metadata, blob bytes not kept); OpenAI-, Anthropic- and Vercel-style contents too.

Session: `session.id` / `gen_ai.conversation.id` (span or resource; one span of a trace having it names the whole
trace), else the traceId, else "<file stem>#<span position>". Model: `gen_ai.response.model`, request model,
`llm.model_name`, Vercel `ai.response.model`/`ai.model.id`, on output events. Tokens (`gen_ai.usage.*`,
`llm.token_count.*`, `ai.usage.*`) and latency (end - start) go on the span's first output event only, so sums
hold. `ts`: the span start for inputs and tool calls, its end for outputs and tool results.

Duplicates: each LLM call's input repeats the conversation so far. Spans are read per trace in start-time order and
an event is emitted only if it was not already emitted in the trace: tool calls and results compare by call id, text
by (role, text), counting repeats (a user who says "yes" twice keeps both). `metadata.span_id` says which span
each event came from. `turn_index` counts emitted messages per session in that order.

Counts reconcile per span: every span yields events or exactly one Quarantined: spans without chat messages
(embeddings, HTTP or agent wrapper spans) "span has no chat messages ...", spans whose messages all repeat
earlier spans "all messages already emitted by earlier spans of the trace", a repeated span id, and messages with
an unknown role; a document that is not JSON (`line N`) or a file with no spans (`file`) too.
record_id: "span {spanId}/sys", "span {spanId}/in{i}", "span {spanId}/out{i}", "span {spanId}/call",
"span {spanId}/result" (spanId, or "#N", its position, where a span has none); raw_ref "span {spanId}".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from python_assets.logs.events import Event, Quarantined, json_text
from python_assets.logs.formats._time_attrs import attributes, span_time

SESSION_KEYS = ("session.id", "gen_ai.conversation.id", "ai.telemetry.metadata.sessionId",
                "ai.telemetry.metadata.session_id", "langfuse.session.id")
USER_KEYS = ("user.id", "enduser.id", "ai.telemetry.metadata.userId")
_ATTR_PREFIXES = ("gen_ai.", "llm.", "openinference.", "ai.", "input.", "output.", "tool.")
_ROLE_ALIASES = {"developer": "system", "human": "user", "model": "assistant", "ai": "assistant",
                 "bot": "assistant", "function": "tool", "ipython": "tool"}
_ROLES = frozenset({"system", "user", "assistant", "tool"})
_EVENT_ROLES = {"gen_ai.system.message": "system", "gen_ai.user.message": "user",
                "gen_ai.assistant.message": "assistant", "gen_ai.tool.message": "tool"}
_INDEXED = ("llm.input_messages.", "llm.output_messages.", "gen_ai.prompt.", "gen_ai.completion.")
_ERROR_CODES = frozenset({2, "2", "ERROR", "STATUS_CODE_ERROR", "StatusCode.ERROR"})


@dataclass(slots=True)
class _Span:
    order: int
    key: str  # spanId, or "#N"
    trace: str | None
    name: str
    attrs: dict
    resource: dict
    start: datetime | None
    end: datetime | None
    error: bool
    status_message: str | None
    events: list  # (name, attrs)
    ts_error: str | None = None


@dataclass(slots=True)
class _Msg:
    role: str
    texts: list = field(default_factory=list)
    calls: list = field(default_factory=list)  # (id, name, arguments text, server-side?)
    results: list = field(default_factory=list)  # (id, text, is_error, name)
    meta: dict = field(default_factory=dict)


def parse(path: Path) -> Iterator[Event | Quarantined]:
    """Read spans from an OTLP JSON / JSONL file (the shapes are in the module docstring)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        yield Quarantined("file", f"unreadable file: {exc}")
        return
    spans: list[_Span] = []
    problems: list[Quarantined] = []
    for ref, doc in _documents(text, path.suffix.lower() in (".jsonl", ".ndjson"), problems):
        _walk(doc, {}, spans, ref)
    yield from problems
    if not spans:
        if not problems:
            yield Quarantined("file", "no OpenTelemetry spans in the file", text[:2000])
        return
    yield from _emit(spans, path.stem)


def _documents(text: str, lines: bool, problems: list[Quarantined]) -> Iterator[tuple[str, object]]:
    if not lines:
        try:
            yield "file", json.loads(text)
            return
        except ValueError as exc:
            # "Extra data": a first document followed by more, i.e. JSONL
            if not (isinstance(exc, json.JSONDecodeError) and exc.msg == "Extra data"):
                if text.strip():
                    problems.append(Quarantined("file", f"invalid JSON: {exc}", text[:2000]))
                else:
                    problems.append(Quarantined("file", "empty file"))
                return
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield f"line {lineno}", json.loads(line)
        except ValueError as exc:
            problems.append(Quarantined(f"line {lineno}", f"invalid JSON: {exc}", line))


def _walk(node, resource: dict, spans: list[_Span], ref: str) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, resource, spans, ref)
        return
    if not isinstance(node, dict):
        return
    if "resourceSpans" in node or "scopeSpans" in node or "instrumentationLibrarySpans" in node:
        for rs in node.get("resourceSpans") or [node]:
            if not isinstance(rs, dict):
                continue
            res = attributes((rs.get("resource") or {}).get("attributes"))
            for ss in rs.get("scopeSpans") or rs.get("instrumentationLibrarySpans") or []:
                if isinstance(ss, dict):
                    for span in ss.get("spans") or []:
                        _walk(span, res, spans, ref)
        return
    if "attributes" in node and ("spanId" in node or "spanContext" in node or "traceId" in node
                                 or "context" in node or "name" in node):
        spans.append(_span(node, resource, len(spans)))
        return
    if any(k.startswith(_ATTR_PREFIXES) and not isinstance(v, list | dict) for k, v in node.items()):
        spans.append(_Span(len(spans), f"#{len(spans)}", None, "", node, resource, None, None, False, None, []))
        return
    for value in node.values():
        if isinstance(value, list | dict):
            _walk(value, resource, spans, ref)


def _span(node: dict, resource: dict, order: int) -> _Span:
    context = node.get("spanContext") or node.get("context") or {}
    span_id = node.get("spanId") or context.get("spanId") or context.get("span_id")
    trace_id = node.get("traceId") or context.get("traceId") or context.get("trace_id")
    status = node.get("status") or {}
    code = status.get("code", status.get("status_code")) if isinstance(status, dict) else None
    ts_error = None
    try:
        start = span_time(_first(node, "startTimeUnixNano", "startTime", "start_time"))
        end = span_time(_first(node, "endTimeUnixNano", "endTime", "end_time"))
    except ValueError as exc:
        start = end = None
        ts_error = str(exc)
    events = []
    for event in node.get("events") or []:
        if isinstance(event, dict):
            events.append((event.get("name") or "", attributes(event.get("attributes"))))
    res = resource
    if isinstance(node.get("resource"), dict):  # OTel Python's to_json() puts the resource on the span
        res = {**resource, **attributes(node["resource"].get("attributes"))}
    return _Span(
        order=order,
        key=str(span_id) if span_id else f"#{order}",
        trace=str(trace_id) if trace_id else None,
        name=str(node.get("name") or ""),
        attrs=attributes(node.get("attributes")),
        resource=res,
        start=start,
        end=end,
        error=code in _ERROR_CODES,
        status_message=(status.get("message") or status.get("description")) if isinstance(status, dict) else None,
        events=events,
        ts_error=ts_error,
    )


def _first(d: dict, *keys):
    for key in keys:
        value = d.get(key)
        if value is not None:
            return value
    return None


# --- emitting, per trace ---------------------------------------------------------------------------------------------

def _emit(spans: list[_Span], stem: str) -> Iterator[Event | Quarantined]:
    traces: dict[str, list[_Span]] = {}
    for span in spans:
        traces.setdefault(span.trace or f"{stem}{span.key}", []).append(span)
    turns: dict[str, int] = {}
    seen_keys: set[str] = set()
    for trace_id, trace_spans in traces.items():
        session = None
        for span in trace_spans:
            session = _first(span.attrs, *SESSION_KEYS) or _first(span.resource, *SESSION_KEYS)
            if session:
                break
        session = str(session or trace_id)
        trace_spans.sort(key=lambda s: (s.start is None, s.start or datetime.min, s.order))
        emitted: dict[tuple, int] = {}
        for span in trace_spans:
            ref = f"span {span.key}"
            if span.key in seen_keys:
                yield Quarantined(ref, f"repeated span id {span.key}: already read from this file", "")
                continue
            seen_keys.add(span.key)
            yield from _span_events(span, session, turns, emitted, ref)


def _span_events(span: _Span, session: str, turns: dict[str, int], emitted: dict[tuple, int],
                 ref: str) -> Iterator[Event | Quarantined]:
    attrs = span.attrs
    for _name, event_attrs in span.events:  # content captured on an event rather than on the span
        for key in ("gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions"):
            if key in event_attrs and key not in attrs:
                attrs = {**attrs, key: event_attrs[key]}
    base_meta = {"span_id": span.key, "trace_id": span.trace}
    if span.name:
        base_meta["span_name"] = span.name
    if span.error:
        base_meta["status"] = "ERROR"
        if span.status_message:
            base_meta["status_message"] = span.status_message
    if span.ts_error:
        base_meta["bad_timestamp"] = span.ts_error
    user = _first(attrs, *USER_KEYS) or _first(span.resource, *USER_KEYS)
    user = None if user is None else str(user)
    local: dict[tuple, int] = {}
    produced = 0
    bad: list[Quarantined] = []

    if _is_tool_span(attrs, span.name):
        messages = _tool_span_messages(attrs, span)
        if messages is None:
            yield Quarantined(ref, "tool span without a tool name", "")
            return
    else:
        messages = []
        try:
            system = _system(attrs)
            inputs = _inputs(attrs, span)
            outputs = _outputs(attrs, span)
        except _Bad as exc:
            yield Quarantined(ref, str(exc), json.dumps(attrs, ensure_ascii=False, default=str)[:4000])
            return
        if system is not None:
            messages.append(("sys", "input", system))
        messages += [(f"in{i}", "input", m) for i, m in enumerate(inputs)]
        messages += [(f"out{i}", "output", m) for i, m in enumerate(outputs)]

    if not messages:
        op = attrs.get("gen_ai.operation.name") or attrs.get("openinference.span.kind") or attrs.get("ai.operationId")
        what = f"{span.name!r}" if span.name else "(no name)"
        yield Quarantined(ref, f"span has no chat messages: {what}" + (f", operation {op}" if op else ""), "")
        return

    model = _first(attrs, "gen_ai.response.model", "gen_ai.request.model", "llm.model_name", "ai.response.model",
                   "ai.model.id")
    usage_done = False
    for suffix, side, msg in messages:
        role = _ROLE_ALIASES.get(msg.role, msg.role)
        record_id = f"span {span.key}/{suffix}"
        if role not in _ROLES:
            bad.append(Quarantined(ref, f"unknown role {msg.role!r} in {record_id}", json.dumps(msg.texts)[:4000]))
            continue
        output = side == "output"
        ts = (span.end or span.start) if output else span.start
        call_id = msg.meta.pop("tool_call_id", None)  # a tool message's own id, only meaningful on its result
        meta = {**base_meta, "from": suffix if suffix in ("sys", "call", "result") else side, **msg.meta}
        drafts: list[Event] = []
        if msg.texts or not (msg.calls or msg.results):
            content = "\n\n".join(msg.texts) if msg.texts else None
            if role == "tool" and not msg.results:
                # a tool message that is only text (OpenInference, OpenAI style) is the tool's result
                drafts.append(Event(session, record_id, ref, "tool", "tool_result", 0, content=content,
                                    tool_call_id=call_id, tool_result=content, tool_name=msg.meta.get("name")))
            else:
                drafts.append(Event(session, record_id, ref, role, "message", 0, content=content))
        for call_id, name, arguments, server in msg.calls:
            event = Event(session, record_id, ref, "assistant", "tool_call", 0, tool_call_id=call_id,
                          tool_name=name, tool_arguments=arguments)
            if server:
                event.metadata["server_tool"] = True
            drafts.append(event)
        for call_id, text, is_error, name in msg.results:
            drafts.append(Event(session, record_id, ref, "tool", "tool_result", 0, content=text, tool_call_id=call_id,
                                tool_result=text, tool_name=name, is_error=is_error))
        if suffix == "result":
            ts = span.end or span.start
        kept = []
        for part, event in enumerate(drafts):
            key = _dedupe_key(event)
            local[key] = local.get(key, 0) + 1
            if emitted.get(key, 0) >= local[key]:
                continue
            emitted[key] = emitted.get(key, 0) + 1
            event.part_index = part
            kept.append(event)
        if not kept:
            continue
        turn = turns.get(session, 0)
        turns[session] = turn + 1
        for event in kept:
            event.turn_index = turn
            event.ts = ts
            event.user_id = user
            event.metadata = {**meta, **event.metadata}
            if output or suffix == "result":
                event.model = model if output else None
                if span.error:
                    event.is_error = True
                if not usage_done:
                    usage_done = True
                    event.latency_ms = _latency(span)
                    if output:
                        event.input_tokens, event.output_tokens = _usage(attrs)
            produced += 1
            yield event
    yield from bad
    if not produced and not bad:
        yield Quarantined(ref, "all messages already emitted by earlier spans of the trace", "")


def _dedupe_key(event: Event) -> tuple:
    if event.kind == "tool_call":
        return ("c", event.tool_call_id) if event.tool_call_id else ("c", event.tool_name, event.tool_arguments)
    if event.kind == "tool_result":
        return ("r", event.tool_call_id) if event.tool_call_id else ("r", event.content)
    return ("m", event.role, event.content)


def _latency(span: _Span) -> float | None:
    if span.start is None or span.end is None:
        return None
    return round((span.end - span.start).total_seconds() * 1000.0, 3)


def _usage(attrs: dict) -> tuple[int | None, int | None]:
    tokens_in = _first(attrs, "gen_ai.usage.input_tokens", "llm.token_count.prompt", "gen_ai.usage.prompt_tokens",
                       "ai.usage.inputTokens", "ai.usage.promptTokens")
    tokens_out = _first(attrs, "gen_ai.usage.output_tokens", "llm.token_count.completion",
                        "gen_ai.usage.completion_tokens", "ai.usage.outputTokens", "ai.usage.completionTokens")
    return _int(tokens_in), _int(tokens_out)


def _int(value) -> int | None:
    try:
        return None if value is None or isinstance(value, bool) else int(value)
    except (TypeError, ValueError):
        return None


# --- tool execution spans --------------------------------------------------------------------------------------------

def _is_tool_span(attrs: dict, name: str) -> bool:
    return (attrs.get("gen_ai.operation.name") == "execute_tool"
            or attrs.get("openinference.span.kind") == "TOOL"
            or name == "ai.toolCall" or attrs.get("ai.operationId") == "ai.toolCall")


def _tool_span_messages(attrs: dict, span: _Span) -> list | None:
    name = _first(attrs, "gen_ai.tool.name", "tool.name", "ai.toolCall.name")
    if not name:
        return None
    call_id = _first(attrs, "gen_ai.tool.call.id", "tool_call.id", "tool.call.id", "ai.toolCall.id")
    call_id = None if call_id is None else str(call_id)
    arguments = _first(attrs, "gen_ai.tool.call.arguments", "input.value", "input", "ai.toolCall.args",
                       "ai.toolCall.input")
    result = _first(attrs, "gen_ai.tool.call.result", "output.value", "output", "ai.toolCall.result",
                    "ai.toolCall.output")
    messages = [("call", "input", _Msg("assistant", calls=[(call_id, str(name), json_text(arguments), False)]))]
    if result is not None or span.error:
        text = json_text(result) if result is not None else span.status_message
        messages.append(("result", "result", _Msg("tool", results=[(call_id, text, span.error, str(name))])))
    return messages


# --- LLM spans: where the messages are -------------------------------------------------------------------------------

class _Bad(ValueError):
    """A span attribute that claims to hold messages but cannot be read."""


def _system(attrs: dict) -> _Msg | None:
    value = attrs.get("gen_ai.system_instructions")
    if value is None:
        return None
    value = _json(value, "gen_ai.system_instructions")
    msg = _Msg("system")
    if isinstance(value, str):
        msg.texts.append(value)
    elif isinstance(value, list):
        _add_parts(msg, value)
    elif isinstance(value, dict):
        _add_parts(msg, [value])
    return msg if msg.texts or msg.meta else None


def _inputs(attrs: dict, span: _Span) -> list[_Msg]:
    if "gen_ai.input.messages" in attrs:
        return _messages(attrs["gen_ai.input.messages"], "user", "gen_ai.input.messages")
    indexed = _indexed(attrs, "llm.input_messages.", "gen_ai.prompt.")
    if indexed:
        return indexed
    if "gen_ai.prompt" in attrs:
        return _messages(attrs["gen_ai.prompt"], "user", "gen_ai.prompt")
    from_events = _event_messages(span, output=False)
    if from_events:
        return from_events
    if "ai.prompt.messages" in attrs:
        return _messages(attrs["ai.prompt.messages"], "user", "ai.prompt.messages")
    if "ai.prompt" in attrs:
        return _messages(attrs["ai.prompt"], "user", "ai.prompt")
    if "input.value" in attrs and _is_llm(attrs):
        return _messages(attrs["input.value"], "user", "input.value")
    return []


def _outputs(attrs: dict, span: _Span) -> list[_Msg]:
    if "gen_ai.output.messages" in attrs:
        return _messages(attrs["gen_ai.output.messages"], "assistant", "gen_ai.output.messages")
    indexed = _indexed(attrs, "llm.output_messages.", "gen_ai.completion.")
    if indexed:
        return indexed
    if "gen_ai.completion" in attrs:
        return _messages(attrs["gen_ai.completion"], "assistant", "gen_ai.completion")
    from_events = _event_messages(span, output=True)
    if from_events:
        return from_events
    if "ai.response.text" in attrs or "ai.response.object" in attrs or "ai.response.toolCalls" in attrs:
        msg = _Msg("assistant")
        text = _first(attrs, "ai.response.text", "ai.response.object")
        if text is not None:
            msg.texts.append(text if isinstance(text, str) else json_text(text))
        calls = _json(attrs.get("ai.response.toolCalls"), "ai.response.toolCalls")
        for call in calls if isinstance(calls, list) else []:
            if isinstance(call, dict):
                msg.calls.append((_str(call.get("toolCallId")), _str(call.get("toolName")),
                                  json_text(_first(call, "args", "input")), False))
        if attrs.get("ai.response.finishReason"):
            msg.meta["finish_reason"] = attrs["ai.response.finishReason"]
        return [msg] if msg.texts or msg.calls else []
    if "output.value" in attrs and _is_llm(attrs):
        return _messages(attrs["output.value"], "assistant", "output.value")
    return []


def _is_llm(attrs: dict) -> bool:
    return attrs.get("openinference.span.kind") == "LLM" or "llm.model_name" in attrs


def _json(value, what: str):
    """JSON text decoded (one json.loads); other values as they are. Invalid JSON in a `gen_ai.*` attribute (which
    the conventions define as JSON, so it was likely truncated) is an error; elsewhere it is plain text."""
    if isinstance(value, str):
        head = value.lstrip()[:1]
        if head in ("[", "{", '"'):
            try:
                return json.loads(value)
            except ValueError:
                if what.startswith("gen_ai."):
                    raise _Bad(f"{what} is not valid JSON (truncated?)") from None
    return value


def _messages(value, default_role: str, what: str) -> list[_Msg]:
    value = _json(value, what)
    if isinstance(value, str):
        return [_Msg(default_role, texts=[value])] if value else []
    if isinstance(value, dict):
        # a request body: Vercel `ai.prompt` {system?, prompt | messages}, an OpenAI-style {model, messages}
        system = [_Msg("system", texts=[value["system"]])] if isinstance(value.get("system"), str) else []
        if isinstance(value.get("messages"), list):
            return system + _messages(value["messages"], default_role, what)
        if isinstance(value.get("prompt"), str):
            return system + [_Msg("user", texts=[value["prompt"]])]
        if isinstance(value.get("choices"), list):
            return [_message(c.get("message") or c, default_role) for c in value["choices"] if isinstance(c, dict)]
        if "role" in value or "parts" in value or "content" in value:
            return [_message(value, default_role)]
        if isinstance(value.get("text"), str):
            msg = _Msg(default_role, texts=[value["text"]])
            if value.get("finish_reason"):
                msg.meta["finish_reason"] = value["finish_reason"]
            return [msg]
        raise _Bad(f"{what} holds no messages I can read (keys: {', '.join(sorted(map(str, value))[:8])})")
    if isinstance(value, list):
        if value and all(isinstance(m, dict) and "role" not in m and "type" in m for m in value):
            msg = _Msg(default_role)  # a bare list of parts
            _add_parts(msg, value)
            return [msg]
        out = []
        for item in value:
            if isinstance(item, dict):
                out.append(_message(item, default_role))
            elif isinstance(item, str):
                out.append(_Msg(default_role, texts=[item]))
        return out
    if value is None:
        return []
    raise _Bad(f"{what} is a {type(value).__name__}, not messages")


def _message(m: dict, default_role: str) -> _Msg:
    role = m.get("role")
    msg = _Msg(str(role).lower() if role else default_role)
    if isinstance(m.get("parts"), list):
        _add_parts(msg, m["parts"])
    content = m.get("content")
    if isinstance(content, str):
        if content:
            msg.texts.append(content)
    elif isinstance(content, list):
        _add_parts(msg, content)
    elif isinstance(content, dict):
        _add_parts(msg, [content])
    for call in m.get("tool_calls") or []:
        if isinstance(call, dict):
            function = call.get("function") if isinstance(call.get("function"), dict) else call
            msg.calls.append((_str(call.get("id")), _str(function.get("name")),
                              json_text(function.get("arguments")), False))
    if m.get("tool_call_id") is not None:
        msg.meta["tool_call_id"] = str(m["tool_call_id"])
    if m.get("name"):
        msg.meta["name"] = m["name"]
    if m.get("finish_reason"):
        msg.meta["finish_reason"] = m["finish_reason"]
    return msg


def _add_parts(msg: _Msg, parts: list) -> None:
    """Semconv parts, and OpenAI / Anthropic / Vercel content blocks, into a message's texts, calls and results."""
    for part in parts:
        if isinstance(part, str):
            msg.texts.append(part)
            continue
        if not isinstance(part, dict):
            continue
        kind = part.get("type")
        if kind == "text" or kind == "input_text" or kind == "output_text" or (kind is None and "text" in part):
            text = part.get("content") if "content" in part else part.get("text")
            if text:
                msg.texts.append(text if isinstance(text, str) else json_text(text))
        elif kind == "tool_call" or kind == "tool-call" or kind == "tool_use" or kind == "function_call":
            msg.calls.append((_str(_first(part, "id", "toolCallId", "call_id")), _str(_first(part, "name", "toolName")),
                              json_text(_first(part, "arguments", "input", "args")), False))
        elif kind == "tool_call_response" or kind == "tool-result" or kind == "tool_result":
            result = _first(part, "response", "output", "result", "content")
            msg.results.append((_str(_first(part, "id", "toolCallId", "tool_use_id")), _result_text(result),
                                bool(part.get("is_error") or part.get("isError")), _str(part.get("toolName"))))
        elif kind == "server_tool_call":
            msg.calls.append((_str(part.get("id")), _str(part.get("name")), json_text(part.get("server_tool_call")),
                              True))
        elif kind == "server_tool_call_response":
            msg.results.append((_str(part.get("id")), json_text(part.get("server_tool_call_response")), False, None))
        elif kind == "reasoning" or kind == "thinking":
            text = _first(part, "content", "thinking", "text")
            if text:
                msg.meta.setdefault("reasoning", []).append(text)
        else:  # blob, uri, file, image_url, ...: described, not copied (a blob is bytes)
            desc = {k: v for k, v in part.items() if k in _PART_FIELDS and not _is_inline_data(v)}
            msg.meta.setdefault("parts", []).append(desc or {"type": str(kind)})


_PART_FIELDS = frozenset({"type", "modality", "mime_type", "uri", "file_id", "image_url", "url"})


def _is_inline_data(value) -> bool:
    if isinstance(value, dict):
        value = value.get("url")
    return isinstance(value, str) and value.startswith("data:")


def _result_text(result) -> str | None:
    if isinstance(result, list):  # Anthropic tool_result content blocks
        texts = [b.get("text") for b in result if isinstance(b, dict) and isinstance(b.get("text"), str)]
        if texts and len(texts) == len(result):
            return "\n\n".join(texts)
    if isinstance(result, dict) and set(result) == {"type", "value"}:  # Vercel v5+ {type: "text"|"json", value}
        return json_text(result["value"])
    return json_text(result)


def _str(value) -> str | None:
    return None if value is None else str(value)


def _indexed(attrs: dict, openinference: str, deprecated: str) -> list[_Msg]:
    """`llm.input_messages.0.message.role` / `gen_ai.prompt.0.role` style flattened messages."""
    trees: dict[str, dict] = {}
    for key, value in attrs.items():
        for prefix in (openinference, deprecated):
            if key.startswith(prefix) and key[len(prefix):len(prefix) + 1].isdigit():
                node = trees.setdefault(prefix, {})
                parts = key[len(prefix):].split(".")
                for part in parts[:-1]:
                    node = node.setdefault(part, {}) if isinstance(node.get(part, {}), dict) else {}
                node[parts[-1]] = value
    if openinference in trees:
        tree = trees[openinference]
        return [_message(_oi_message(tree[i].get("message", {})), "user") for i in _sorted_indexes(tree)]
    if deprecated in trees:
        tree = trees[deprecated]
        return [_message(_traceloop_message(tree[i]), "user") for i in _sorted_indexes(tree)]
    return []


def _sorted_indexes(tree: dict) -> list[str]:
    return sorted((k for k in tree if k.isdigit()), key=int)


def _oi_message(m: dict) -> dict:
    out: dict = {"role": m.get("role")}
    if m.get("content") is not None:
        out["content"] = m["content"]
    contents = m.get("contents")
    if isinstance(contents, dict):
        parts = []
        for i in _sorted_indexes(contents):
            c = contents[i].get("message_content", {})
            if c.get("type", "text") == "text":
                parts.append({"type": "text", "text": c.get("text")})
            else:
                parts.append({"type": c.get("type"), "url": ((c.get("image") or {}).get("image") or {}).get("url")})
        out["content"] = ([{"type": "text", "text": out["content"]}] if isinstance(out.get("content"), str) else []) \
            + parts
    calls = m.get("tool_calls")
    if isinstance(calls, dict):
        tool_calls = [calls[j].get("tool_call", {}) for j in _sorted_indexes(calls)]
        out["tool_calls"] = [{"id": c.get("id"), "function": c.get("function", {})} for c in tool_calls]
    for key in ("tool_call_id", "name"):
        if m.get(key) is not None:
            out[key] = m[key]
    return out


def _traceloop_message(m: dict) -> dict:
    out = {k: m[k] for k in ("role", "content", "tool_call_id", "name", "finish_reason") if m.get(k) is not None}
    if isinstance(out.get("content"), str) and out["content"].lstrip()[:1] == "[":
        try:  # content parts serialized as JSON text
            parts = json.loads(out["content"])
            if isinstance(parts, list) and all(isinstance(p, dict) for p in parts):
                out["content"] = parts
        except ValueError:
            pass
    calls = m.get("tool_calls")
    if isinstance(calls, dict):
        out["tool_calls"] = [{"id": calls[j].get("id"), "function": calls[j]} for j in _sorted_indexes(calls)]
    elif isinstance(m.get("function_call"), dict):
        out["tool_calls"] = [{"id": None, "function": m["function_call"]}]
    return out


def _event_messages(span: _Span, output: bool) -> list[_Msg]:
    """Deprecated semconv: content on span events (gen_ai.user.message, gen_ai.choice, gen_ai.content.prompt)."""
    out: list[_Msg] = []
    for name, attrs in span.events:
        body = attrs.get("body", attrs.get("gen_ai.event.content", attrs))
        body = _json(body, name) if isinstance(body, str) else body
        if not isinstance(body, dict):
            body = {"content": body}
        if not output and name in _EVENT_ROLES:
            message = {**body, "role": body.get("role") or _EVENT_ROLES[name]}
            if name == "gen_ai.tool.message" and body.get("id") is not None:
                message["tool_call_id"] = body["id"]
            out.append(_message(_decode_fields(message), _EVENT_ROLES[name]))
        elif output and name == "gen_ai.choice":
            message = body.get("message", body)
            message = _json(message, name) if isinstance(message, str) else message
            if isinstance(message, dict):
                msg = _message(_decode_fields({**message, "role": message.get("role") or "assistant"}), "assistant")
                if body.get("finish_reason"):
                    msg.meta["finish_reason"] = body["finish_reason"]
                out.append(msg)
        elif name == ("gen_ai.content.completion" if output else "gen_ai.content.prompt"):
            key = "gen_ai.completion" if output else "gen_ai.prompt"
            if key in attrs:
                out += _messages(attrs[key], "assistant" if output else "user", key)
    return out


def _decode_fields(message: dict) -> dict:
    """Event attributes carry structured fields as JSON text (tool_calls, content parts)."""
    for key in ("tool_calls", "content"):
        value = message.get(key)
        if isinstance(value, str) and value.lstrip()[:1] in ("[", "{"):
            try:
                message[key] = json.loads(value)
            except ValueError:
                pass
    return message
