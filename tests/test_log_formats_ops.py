"""The operational log formats: plain-text app logs, OpenTelemetry GenAI spans, feedback JSONL; hand-written
fixtures for every branch and the public OTel samples (skipped when /work/shared/data/public is absent)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from python_assets.logs.events import Event, Quarantined
from python_assets.logs.formats import app_log, feedback, otel, parser

PUBLIC = Path(__file__).resolve().parents[2] / "shared" / "data" / "public"
SPANS = PUBLIC / "otel-genai-spans" / "openinference"


def split(records):
    records = list(records)
    events = [r for r in records if isinstance(r, Event)]
    quarantined = [r for r in records if isinstance(r, Quarantined)]
    assert len(events) + len(quarantined) == len(records)
    return events, quarantined


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- app_log ---------------------------------------------------------------------------------------------------------

APP_LOG = """\
2026-01-05T09:12:30.000Z INFO  server started on :8080
2026-01-05T09:12:33.120Z INFO  [session=abc123] [role=user] [user=u7] How do I reset my VPN?
2026-01-05T09:12:34.900Z INFO  [session=abc123] [role=assistant] [model=gpt-4o] [latency_ms=812] [msg=m2] You can:
1. open Settings
2. click Reset

2026-01-05T09:12:35.000Z INFO  [session=abc123] [role=tool_call] [tool=search_kb] [call=c1] {"query": "vpn"}
2026-01-05 09:12:35,400 ERROR [session=abc123] [role=tool] [tool=search_kb] [call=c1] Traceback (most recent call last):
  File "kb.py", line 3, in search
TimeoutError: kb down
2026-01-05T11:12:36+02:00 WARNING [session=zz9] [role=user] [region=eu] [latency_ms=fast] hello
2026-01-05T09:12:37Z INFO [role=user] no session here
2026-01-05T09:12:38Z DEBUG [session=abc123] [role=robot] beep
2026-01-05T09:12:39Z TRACE [session=abc123] [role=user] bad level
2026-01-05T09:12:40Z INFO [session=abc123] [role=assistant] [msg=m2] same msg id again
"""


def test_app_log_default_grammar(tmp_path):
    events, quarantined = split(app_log.parse(write(tmp_path, "app.log", APP_LOG)))
    assert [(e.session_id, e.role, e.kind, e.turn_index, e.raw_ref) for e in events] == [
        ("abc123", "user", "message", 0, "line 2"),
        ("abc123", "assistant", "message", 1, "line 3"),
        ("abc123", "assistant", "tool_call", 2, "line 7"),
        ("abc123", "tool", "tool_result", 3, "line 8"),
        ("zz9", "user", "message", 0, "line 11"),
        ("abc123", "assistant", "message", 4, "line 15"),
    ]
    user, answer, call, result, other, again = events
    assert user.record_id == "L2" and user.user_id == "u7" and user.content == "How do I reset my VPN?"
    assert user.ts == datetime(2026, 1, 5, 9, 12, 33, 120000, tzinfo=UTC)
    # continuation lines belong to the message; the trailing blank line does not
    assert answer.content == "You can:\n1. open Settings\n2. click Reset"
    assert (answer.record_id, answer.model, answer.latency_ms, answer.is_error) == ("m2", "gpt-4o", 812.0, False)
    assert (call.tool_name, call.tool_call_id, call.tool_arguments, call.content) == (
        "search_kb", "c1", '{"query": "vpn"}', None)
    assert result.is_error and result.tool_call_id == "c1" and result.metadata["level"] == "ERROR"
    assert result.tool_result == result.content == (
        'Traceback (most recent call last):\n  File "kb.py", line 3, in search\nTimeoutError: kb down')
    assert result.ts == datetime(2026, 1, 5, 9, 12, 35, 400000, tzinfo=UTC)  # no zone: UTC
    assert other.ts == datetime(2026, 1, 5, 9, 12, 36, tzinfo=UTC)  # +02:00 converted
    assert other.latency_ms is None and other.metadata == {"level": "WARNING", "bad_latency_ms": "fast",
                                                           "tags": {"region": "eu"}}
    # a repeated native id falls back to the line number, so record ids stay unique in the file
    assert again.record_id == "L15" and again.metadata["msg"] == "m2"
    assert [(q.raw_ref, q.reason) for q in quarantined] == [
        ("line 1", app_log.NO_ROLE),
        ("line 12", "no session tag"),
        ("line 13", "unknown role 'robot' (known: user, assistant, system, tool_call, tool, tool_result)"),
        ("line 14", "line starts with a timestamp but does not match the log grammar"),
    ]
    assert quarantined[0].payload == "2026-01-05T09:12:30.000Z INFO  server started on :8080"
    # every entry is accounted for: 10 entries (one has a multi-line message) -> 6 events + 4 quarantined
    assert len(events) + len(quarantined) == 10


def test_app_log_orphan_continuation_and_registry(tmp_path):
    text = "  at start without a header\n\n2026-01-05T09:00:00Z INFO [session=s] [role=system] be nice\n"
    path = write(tmp_path, "a.log", text)
    events, quarantined = split(parser("app_log")(path))
    assert [(q.raw_ref, q.reason) for q in quarantined] == [("line 1", "continuation line with no log line before it")]
    assert [(e.role, e.content, e.turn_index) for e in events] == [("system", "be nice", 0)]
    missing = split(app_log.parse(tmp_path / "missing.log"))[1]
    assert missing[0].raw_ref == "file" and missing[0].reason.startswith("unreadable file")


def test_app_log_custom_grammar(tmp_path):
    parse = app_log.make_parser(
        r"(?P<ts>\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}) (?P<level>\w+) sid=(?P<session>\S+) (?P<tags>(?:\w+=\S+ )*)"
        r"-- (?P<message>.*)",
        timestamp_format="%d/%m/%Y %H:%M:%S",
    )
    text = (
        "05/01/2026 09:12:33 INFO sid=s1 role=user -- hi there\n"
        "05/01/2026 09:12:34 ERROR sid=s1 role=assistant model=m1 -- failed\n"
        "   more detail\n"
        "05/01/2026 09:12:35 INFO sid=s1 -- heartbeat\n"
        "99/99/2026 09:12:36 INFO sid=s1 role=user -- bad date\n"
    )
    events, quarantined = split(parse(write(tmp_path, "c.log", text)))
    assert [(e.role, e.content, e.is_error, e.model, e.ts) for e in events] == [
        ("user", "hi there", False, None, datetime(2026, 1, 5, 9, 12, 33, tzinfo=UTC)),
        ("assistant", "failed\n   more detail", True, "m1", datetime(2026, 1, 5, 9, 12, 34, tzinfo=UTC)),
    ]
    assert [(q.raw_ref, q.reason.split(":")[0]) for q in quarantined] == [
        ("line 4", app_log.NO_ROLE.split(":")[0]), ("line 5", "bad timestamp")]
    with pytest.raises(ValueError, match="ts and message"):
        app_log.make_parser(r"(?P<ts>\S+) (?P<msg>.*)")
    with pytest.raises(ValueError, match="bad line_regex"):
        app_log.make_parser(r"(?P<ts>")


# --- feedback --------------------------------------------------------------------------------------------------------

FEEDBACK_LINES = [
    {"type": "thumbs_up", "session_id": "s1", "message_id": "m2", "timestamp": "2026-01-05T09:13:00Z",
     "user_id": "u7", "id": "fb1"},
    {"type": "thumbs_down", "session_id": "s1", "message_id": "m4", "comment": "wrong answer", "ts": 1767604380},
    {"feedback": {"type": "rating", "message_id": "m2", "value": 4.5, "scale": 5}, "session_id": "s2",
     "timestamp": 1767604380000},
    {"type": "edit", "session_id": "s1", "message_id": "m4", "value": "Open Settings > VPN > Reset.",
     "comment": "shorter"},
    {"session_id": "s3", "message_id": "m9", "score": -1},
    {"type": "thumbs", "session_id": "s3", "message_id": "m9", "value": 1, "id": "fb1"},
    {"type": "rating", "session_id": "s3", "message_id": "m9", "value": "5"},
]
FEEDBACK_BAD = [
    ("{not json", "invalid JSON"),
    ("[1, 2]", "not a JSON object (list)"),
    (json.dumps({"type": "love", "session_id": "s", "message_id": "m"}), "unknown feedback type 'love'"),
    (json.dumps({"type": "thumbs_up", "message_id": "m"}), "no session_id"),
    (json.dumps({"type": "thumbs_up", "session_id": "s"}), "no message_id"),
    (json.dumps({"type": "rating", "session_id": "s", "message_id": "m", "value": "great"}), "rating is not a number"),
    (json.dumps({"type": "rating", "session_id": "s", "message_id": "m", "value": True}), "rating is not a number"),
    (json.dumps({"type": "edit", "session_id": "s", "message_id": "m"}), "edit without the edited text"),
    (json.dumps({"session_id": "s", "message_id": "m", "score": 0}), "no type and no score"),
    (json.dumps({"type": "thumbs_up", "session_id": "s", "message_id": "m", "timestamp": "yesterday"}),
     "bad timestamp"),
]


def test_feedback_kinds(tmp_path):
    lines = [json.dumps(r) for r in FEEDBACK_LINES] + [""] + [text for text, _ in FEEDBACK_BAD]
    events, quarantined = split(feedback.parse(write(tmp_path, "fb.jsonl", "\n".join(lines) + "\n")))
    assert [(e.session_id, e.feedback_kind, e.feedback_value, e.feedback_target, e.turn_index) for e in events] == [
        ("s1", "thumbs_up", "1", "m2", 0),
        ("s1", "thumbs_down", "-1", "m4", 1),
        ("s2", "rating", "4.5", "m2", 0),
        ("s1", "edit", "Open Settings > VPN > Reset.", "m4", 2),
        ("s3", "thumbs_down", "-1", "m9", 0),
        ("s3", "thumbs_up", "1", "m9", 1),
        ("s3", "rating", "5", "m9", 2),
    ]
    assert all(e.kind == "feedback" and e.role == "user" for e in events)
    up, down, rating, edit, _, again, _ = events
    assert (up.record_id, up.user_id, up.ts) == ("fb1", "u7", datetime(2026, 1, 5, 9, 13, tzinfo=UTC))
    assert down.content == "wrong answer" and down.ts == datetime.fromtimestamp(1767604380, tz=UTC)
    assert rating.ts == down.ts and rating.metadata == {"scale": 5} and rating.record_id == "L3"
    assert edit.content == "Open Settings > VPN > Reset." and edit.metadata == {"comment": "shorter"}
    assert again.record_id == "L6"  # "fb1" was already used in this file
    pairs = zip(quarantined, FEEDBACK_BAD, strict=True)
    assert [(q.raw_ref, q.reason.startswith(reason)) for q, (_, reason) in pairs] == [
        (f"line {9 + i}", True) for i in range(len(FEEDBACK_BAD))]
    assert len(events) + len(quarantined) == len(FEEDBACK_LINES) + len(FEEDBACK_BAD)


# --- otel: hand-written fixtures -------------------------------------------------------------------------------------

def kv(key, value):
    if isinstance(value, bool):
        return {"key": key, "value": {"boolValue": value}}
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}
    if isinstance(value, list):
        return {"key": key, "value": {"arrayValue": {"values": [{"stringValue": v} for v in value]}}}
    return {"key": key, "value": {"stringValue": value}}


def nanos(seconds: float) -> str:
    return str(round(seconds * 1000) * 10**6)  # whole millis: a float times 1e9 is not exact


def otlp_span(span_id, start_s, end_s, attrs, trace="t1", parent=None, status=0, events=()):
    return {"traceId": trace, "spanId": span_id, "parentSpanId": parent or "", "name": attrs.pop("_name", "chat"),
            "kind": 3, "startTimeUnixNano": nanos(start_s), "endTimeUnixNano": nanos(end_s),
            "attributes": [kv(k, v) for k, v in attrs.items()], "status": {"code": status}, "events": list(events)}


def otlp_doc(spans, resource=None):
    return {"resourceSpans": [{"resource": {"attributes": [kv(k, v) for k, v in (resource or {}).items()]},
                               "scopeSpans": [{"scope": {"name": "x"}, "spans": spans}]}]}


T0 = 1767604353  # 2026-01-05T09:12:33Z
USER = {"role": "user", "parts": [{"type": "text", "content": "Weather in Paris?"}]}
CALL = {"role": "assistant", "parts": [{"type": "tool_call", "id": "call_1", "name": "get_weather",
                                        "arguments": {"location": "Paris"}}]}
RESULT = {"role": "tool", "parts": [{"type": "tool_call_response", "id": "call_1", "response": "rainy, 57°F"}]}
ANSWER = {"role": "assistant", "parts": [{"type": "reasoning", "content": "easy"},
                                         {"type": "text", "content": "It is rainy."}], "finish_reason": "stop"}


def agent_trace():
    """An agent turn: LLM call -> tool call -> LLM call, the second call's input repeating the history."""
    chat1 = otlp_span("a1", T0, T0 + 1.5, {
        "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4", "gen_ai.response.model": "gpt-4-0613",
        "gen_ai.usage.input_tokens": 47, "gen_ai.usage.output_tokens": 17,
        "gen_ai.system_instructions": json.dumps([{"type": "text", "content": "Be brief."}]),
        "gen_ai.input.messages": json.dumps([USER]), "gen_ai.output.messages": json.dumps([CALL])})
    tool = otlp_span("a2", T0 + 2, T0 + 2.25, {
        "_name": "execute_tool get_weather", "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "get_weather",
        "gen_ai.tool.call.id": "call_1", "gen_ai.tool.call.arguments": '{"location": "Paris"}',
        "gen_ai.tool.call.result": "rainy, 57°F"})
    chat2 = otlp_span("a3", T0 + 3, T0 + 4, {
        "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4", "gen_ai.usage.input_tokens": 97,
        "gen_ai.usage.output_tokens": 52,
        "gen_ai.system_instructions": json.dumps([{"type": "text", "content": "Be brief."}]),
        "gen_ai.input.messages": json.dumps([USER, CALL, RESULT]), "gen_ai.output.messages": json.dumps([ANSWER])})
    wrapper = otlp_span("a0", T0 - 1, T0 + 5, {"_name": "invoke_agent", "gen_ai.operation.name": "invoke_agent"})
    # exporters write children before parents: the file order is not the time order
    return otlp_doc([tool, chat2, chat1, wrapper], resource={"service.name": "bot", "session.id": "sess-9"})


def test_otel_current_semconv_agent_trace(tmp_path):
    events, quarantined = split(otel.parse(write(tmp_path, "trace.json", json.dumps(agent_trace()))))
    assert [(e.record_id, e.role, e.kind, e.turn_index, e.part_index) for e in events] == [
        ("span a1/sys", "system", "message", 0, 0),
        ("span a1/in0", "user", "message", 1, 0),
        ("span a1/out0", "assistant", "tool_call", 2, 0),
        # the tool span's call repeats a1's output (same call id): only its result is new
        ("span a2/result", "tool", "tool_result", 3, 0),
        # a3 repeats system, user, call and result: only its answer is new
        ("span a3/out0", "assistant", "message", 4, 0),
    ]
    assert {e.session_id for e in events} == {"sess-9"}
    sys_, user, call, result, answer = events
    assert sys_.content == "Be brief." and user.content == "Weather in Paris?"
    assert user.ts == datetime.fromtimestamp(T0, tz=UTC) and user.model is None
    assert (call.tool_call_id, call.tool_name, call.tool_arguments) == (
        "call_1", "get_weather", '{"location": "Paris"}')
    assert (call.model, call.input_tokens, call.output_tokens, call.latency_ms) == ("gpt-4-0613", 47, 17, 1500.0)
    assert (result.tool_call_id, result.tool_result, result.content, result.is_error) == (
        "call_1", "rainy, 57°F", "rainy, 57°F", False)
    assert result.latency_ms == 250.0 and result.ts == datetime.fromtimestamp(T0 + 2.25, tz=UTC)
    assert (answer.content, answer.model, answer.input_tokens, answer.output_tokens) == (
        "It is rainy.", "gpt-4", 97, 52)
    assert answer.metadata["reasoning"] == ["easy"] and answer.metadata["finish_reason"] == "stop"
    assert answer.metadata["span_id"] == "a3" and answer.metadata["trace_id"] == "t1"
    assert [(q.raw_ref, q.reason) for q in quarantined] == [
        ("span a0", "span has no chat messages: 'invoke_agent', operation invoke_agent")]


def test_otel_jsonl_dedup_errors_and_quarantine(tmp_path):
    # the same trace twice (a re-export), a broken line, a span whose messages all repeat, an errored tool span
    doc = json.dumps(agent_trace())
    err_tool = otlp_doc([otlp_span("b1", T0, T0 + 1, {
        "openinference.span.kind": "TOOL", "tool.name": "lookup", "input.value": '{"id": 7}'},
        trace="t2", status=2) | {"status": {"code": 2, "message": "KeyError: 7"}}])
    repeat = otlp_doc([
        otlp_span("c1", T0, T0 + 1, {"gen_ai.input.messages": json.dumps([USER]),
                                     "gen_ai.output.messages": json.dumps([ANSWER])}, trace="t3"),
        otlp_span("c2", T0 + 2, T0 + 3, {"gen_ai.input.messages": json.dumps([USER]),
                                         "gen_ai.output.messages": json.dumps([ANSWER])}, trace="t3"),
        otlp_span("c3", T0 + 4, T0 + 5, {"gen_ai.input.messages": json.dumps([USER, ANSWER, USER])}, trace="t3"),
        otlp_span("c4", T0 + 6, T0 + 7, {"gen_ai.input.messages": '[{"role": "user", "parts": [{"ty'}, trace="t3"),
        otlp_span("c5", T0 + 8, T0 + 9, {"gen_ai.input.messages": json.dumps([{"role": "narrator", "parts": []}])},
                  trace="t3"),
    ])
    text = "\n".join([doc, "{broken", json.dumps(err_tool), json.dumps(repeat), doc]) + "\n"
    events, quarantined = split(otel.parse(write(tmp_path, "spans.jsonl", text)))
    by_trace = {}
    for e in events:
        by_trace.setdefault(e.metadata["trace_id"], []).append(e)
    assert len(by_trace["t1"]) == 5  # the re-exported copy adds nothing
    err = by_trace["t2"]
    assert [(e.kind, e.tool_name, e.tool_arguments, e.is_error) for e in err] == [
        ("tool_call", "lookup", '{"id": 7}', False), ("tool_result", "lookup", None, True)]
    assert err[1].tool_result == "KeyError: 7" and err[1].metadata["status"] == "ERROR"
    assert err[0].session_id == "t2"  # no session attribute: the trace id
    # c3 repeats "Weather in Paris?" once more than was said: the second time is a new user turn
    assert [(e.record_id, e.content, e.turn_index) for e in by_trace["t3"]] == [
        ("span c1/in0", "Weather in Paris?", 0), ("span c1/out0", "It is rainy.", 1),
        ("span c3/in2", "Weather in Paris?", 2)]
    reasons = [(q.raw_ref, q.reason) for q in quarantined]
    assert reasons[0][0] == "line 2" and reasons[0][1].startswith("invalid JSON")
    assert ("span c2", "all messages already emitted by earlier spans of the trace") in reasons
    assert ("span c4", "gen_ai.input.messages is not valid JSON (truncated?)") in reasons
    assert ("span c5", "unknown role 'narrator' in span c5/in0") in reasons
    assert [r for r in reasons if r[1].startswith("repeated span id")] == [  # in time order
        (f"span {s}", f"repeated span id {s}: already read from this file") for s in ("a0", "a1", "a2", "a3")]
    assert ("span a0", "span has no chat messages: 'invoke_agent', operation invoke_agent") in reasons
    # every span is accounted for: 4 + 1 + 5 + 4 spans, one broken line
    spans_with_events = {e.raw_ref for e in events}
    spans_quarantined = [q.raw_ref for q in quarantined if q.raw_ref.startswith("span ")]
    assert len(spans_with_events) + len(spans_quarantined) == 14 and len(quarantined) == 1 + len(spans_quarantined)


def test_otel_deprecated_indexed_and_events(tmp_path):
    indexed = otlp_span("d1", T0, T0 + 2, {
        "gen_ai.system": "openai", "gen_ai.request.model": "gpt-3.5-turbo",
        "gen_ai.prompt.0.role": "system", "gen_ai.prompt.0.content": "You are terse.",
        "gen_ai.prompt.1.role": "user", "gen_ai.prompt.1.content": "Book a table",
        "gen_ai.completion.0.role": "assistant", "gen_ai.completion.0.finish_reason": "tool_calls",
        "gen_ai.completion.0.tool_calls.0.id": "tc9", "gen_ai.completion.0.tool_calls.0.name": "book",
        "gen_ai.completion.0.tool_calls.0.arguments": '{"seats": 2}',
        "gen_ai.usage.prompt_tokens": 20, "gen_ai.usage.completion_tokens": 8}, trace="t9")
    with_events = otlp_span("d2", T0 + 3, T0 + 4, {"gen_ai.request.model": "gpt-3.5-turbo"}, trace="t9", events=[
        {"timeUnixNano": str((T0 + 3) * 10**9), "name": "gen_ai.user.message",
         "attributes": [kv("content", "Book a table"), kv("gen_ai.system", "openai")]},
        {"name": "gen_ai.tool.message", "attributes": [kv("content", "booked #12"), kv("id", "tc9")]},
        {"name": "gen_ai.choice", "attributes": [kv("index", 0), kv("finish_reason", "stop"),
                                                 kv("message", json.dumps({"content": "Booked for 2."}))]},
    ])
    events, quarantined = split(otel.parse(write(tmp_path, "old.json", json.dumps(otlp_doc([indexed, with_events])))))
    assert quarantined == []
    assert [(e.record_id, e.role, e.kind, e.content, e.tool_call_id, e.tool_name) for e in events] == [
        ("span d1/in0", "system", "message", "You are terse.", None, None),
        ("span d1/in1", "user", "message", "Book a table", None, None),
        ("span d1/out0", "assistant", "tool_call", None, "tc9", "book"),
        ("span d2/in1", "tool", "tool_result", "booked #12", "tc9", None),
        ("span d2/out0", "assistant", "message", "Booked for 2.", None, None),
    ]
    assert events[2].tool_arguments == '{"seats": 2}' and events[2].metadata["finish_reason"] == "tool_calls"
    assert (events[2].input_tokens, events[2].output_tokens, events[2].latency_ms) == (20, 8, 2000.0)
    assert events[4].metadata["finish_reason"] == "stop" and events[4].ts == datetime.fromtimestamp(T0 + 4, tz=UTC)


def test_otel_openinference_flattened(tmp_path):
    attrs = {
        "openinference.span.kind": "LLM", "llm.model_name": "claude-3", "session.id": "conv-1", "user.id": "u1",
        "llm.input_messages.0.message.role": "user",
        "llm.input_messages.0.message.contents.0.message_content.type": "text",
        "llm.input_messages.0.message.contents.0.message_content.text": "What is in this image?",
        "llm.input_messages.0.message.contents.1.message_content.type": "image",
        "llm.input_messages.0.message.contents.1.message_content.image.image.url": "https://x/cat.png",
        "llm.output_messages.0.message.role": "assistant",
        "llm.output_messages.0.message.content": "A cat.",
        "llm.output_messages.0.message.tool_calls.0.tool_call.id": "t1",
        "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "zoom",
        "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"x": 1}',
        "llm.token_count.prompt": 120, "llm.token_count.completion": 9,
        "input.value": "ignored: the flattened messages win",
    }
    span = {"name": "llm", "spanContext": {"traceId": "tr", "spanId": "oi1"}, "attributes": attrs,
            "status": {"code": 0}, "startTime": [T0, 0], "endTime": [T0, 500_000_000], "events": []}
    events, quarantined = split(otel.parse(write(tmp_path, "oi.json", json.dumps([span]))))
    assert quarantined == []
    assert [(e.role, e.kind, e.content, e.part_index, e.tool_name) for e in events] == [
        ("user", "message", "What is in this image?", 0, None),
        ("assistant", "message", "A cat.", 0, None),
        ("assistant", "tool_call", None, 1, "zoom"),
    ]
    assert events[0].metadata["parts"] == [{"type": "image", "url": "https://x/cat.png"}]
    assert {(e.session_id, e.user_id) for e in events} == {("conv-1", "u1")}
    assert (events[1].model, events[1].input_tokens, events[1].latency_ms) == ("claude-3", 120, 500.0)
    assert events[2].input_tokens is None  # usage once per span, so sums hold


def test_otel_unreadable_files(tmp_path):
    assert [(q.raw_ref, q.reason[:12]) for q in otel.parse(write(tmp_path, "x.json", "{oops"))] == [
        ("file", "invalid JSON")]
    assert [(q.raw_ref, q.reason) for q in otel.parse(write(tmp_path, "e.json", "   "))] == [("file", "empty file")]
    assert [(q.raw_ref, q.reason) for q in otel.parse(write(tmp_path, "n.json", '{"results": [{"a": 1}]}'))] == [
        ("file", "no OpenTelemetry spans in the file")]


# --- otel: the public samples ----------------------------------------------------------------------------------------

needs_public = pytest.mark.skipif(not SPANS.exists(), reason="public OTel samples not present")
PARIS = "The weather in Paris is currently rainy with a temperature of 57°F."


@needs_public
@pytest.mark.parametrize("name", [
    "genai__otel_genai_client_span_tool_calls.json",
    "genai__otel_genai_deprecated_client_span_tool_calls.json",
    "genai__openinference_client_span_tool_calls.json",
    "genai__openinference_client_span_input_output_only.json",
])
def test_public_genai_llm_spans(name):
    events, quarantined = split(otel.parse(SPANS / name))
    assert quarantined == []
    assert [(e.record_id, e.role, e.kind, e.turn_index, e.part_index) for e in events] == [
        ("span #0/in0", "user", "message", 0, 0),
        ("span #0/in1", "assistant", "message", 1, 0),
        ("span #0/in1", "assistant", "tool_call", 1, 1),
        ("span #0/in2", "tool", "tool_result", 2, 0),
        ("span #0/out0", "assistant", "message", 3, 0),
    ]
    user, text, call, result, answer = events
    assert user.content == "Weather in Paris?"
    assert text.content == "Absolutely! Let me check the weather for you."
    assert (call.tool_call_id, call.tool_name, json.loads(call.tool_arguments)) == (
        "1234", "get_weather", {"location": "Paris"})
    assert (result.tool_call_id, result.tool_result) == ("1234", "rainy, 57°F")  # paired with the call by id
    assert answer.content == PARIS
    assert (answer.model, answer.input_tokens, answer.output_tokens) == ("gpt-4-0613", 97, 52)
    assert {e.session_id for e in events} == {f"{Path(name).stem}#0"}


@needs_public
def test_public_genai_tool_execution_span():
    events, quarantined = split(otel.parse(SPANS / "genai__otel_genai_tool_execution_span.json"))
    assert quarantined == []
    call, result = events
    assert (call.kind, call.tool_name, call.tool_call_id, call.tool_arguments) == (
        "tool_call", "get_weather", "1234", '{"city": "New York"}')
    assert (result.kind, result.tool_call_id, result.is_error) == ("tool_result", "1234", False)
    assert json.loads(result.tool_result)["report"].startswith("The weather in New York is sunny")


@needs_public
def test_public_vercel_spans():
    events, quarantined = split(otel.parse(SPANS / "vercel-v6__all-spans.json"))
    sessions: dict[str, list[Event]] = {}
    for e in events:
        sessions.setdefault(e.session_id, []).append(e)
    assert len(sessions) == 8  # 8 chat spans, each its own trace in this capture
    multi = sessions["673a889f59126f8b4c90dce5a1f99368"]
    assert [(e.role, e.content) for e in multi] == [
        ("system", "You are a helpful assistant."), ("user", "What is 2 + 2?"), ("assistant", "2 + 2 equals 4."),
        ("user", "And what is 3 + 3?"), ("assistant", "3 + 3 equals 6.")]
    assert (multi[-1].model, multi[-1].input_tokens, multi[-1].output_tokens) == ("gpt-4o-mini", 50, 9)
    assert multi[-1].latency_ms == 3034.733 and multi[-1].ts == datetime(2026, 2, 3, 15, 19, 57, 57733, tzinfo=UTC)
    haiku = sessions["b3e700af9eab81e19f72f964d62a35af"]  # the doGenerate span: ai.prompt.messages
    assert [(e.role, e.content) for e in haiku] == [
        ("user", "Write a haiku about programming."),
        ("assistant", "Lines of code align,  \nLogic dances through the night—  \nDreams in data flow.")]
    assert haiku[-1].model == "gpt-4o-mini-2024-07-18"
    recipe = sessions["f99cc53c9bb8fe40462f7a48999e7088"]
    assert json.loads(recipe[-1].content)["name"] == "Scrambled Eggs"
    assert [(q.raw_ref, q.reason) for q in quarantined] == [
        ("span 53e12604843b0399", "span has no chat messages: 'ai.embed.doEmbed', operation ai.embed.doEmbed"),
        ("span 06a62ec64ae5b0a2", "span has no chat messages: 'ai.embed', operation ai.embed")]
    # the same spans grouped by operation read the same
    grouped = split(otel.parse(SPANS / "vercel-v6__spans-by-operation.json"))
    assert sorted((e.record_id, e.content) for e in grouped[0]) == sorted((e.record_id, e.content) for e in events)


@needs_public
def test_every_public_sample_parses():
    files = sorted(SPANS.glob("*.json"))
    assert len(files) == 16
    for path in files:
        events, quarantined = split(otel.parse(path))
        assert events or quarantined, path.name
        for e in events:
            assert e.role in ("system", "user", "assistant", "tool") and e.session_id and e.record_id
        keys = [(e.record_id, e.part_index) for e in events]
        assert len(keys) == len(set(keys)), path.name
    capture = split(otel.parse(SPANS / "vercel-v6__capture-results.json"))
    assert capture == ([], [Quarantined("file", "no OpenTelemetry spans in the file", capture[1][0].payload)])
