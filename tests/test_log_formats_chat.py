"""The chat and trajectory log parsers: openai_chat (with ShareGPT), anthropic, tau-bench and SWE-agent."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from python_assets.logs.events import KINDS, ROLES, Event, Quarantined
from python_assets.logs.formats import parser
from python_assets.logs.formats._common import looks_like_error, to_utc

PUBLIC = Path(__file__).resolve().parents[2] / "shared" / "data" / "public"


def _parse(fmt: str, path: Path) -> tuple[list[Event], list[Quarantined]]:
    out = list(parser(fmt)(path))
    events = [e for e in out if isinstance(e, Event)]
    bad = [q for q in out if isinstance(q, Quarantined)]
    assert len(events) + len(bad) == len(out)
    for e in events:
        assert e.role in ROLES and e.kind in KINDS, e
    return events, bad


def _jsonl(path: Path, lines: list) -> Path:
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    return path


def _sessions(events: list[Event]) -> dict[str, list[Event]]:
    out: dict[str, list[Event]] = {}
    for e in events:
        out.setdefault(e.session_id, []).append(e)
    return out


def _assert_calls_answered_in_order(events: list[Event]) -> None:
    """Each call gets exactly one result, after it, with its id; events come in (turn, part) order."""
    for session in _sessions(events).values():
        keys = [(e.turn_index, e.part_index) for e in session]
        assert keys == sorted(keys) and len(set(keys)) == len(keys)
        open_calls: list[str] = []
        for e in session:
            if e.kind == "tool_call":
                open_calls.append(e.tool_call_id)
            elif e.kind == "tool_result":
                assert e.tool_call_id in open_calls, e
                open_calls.remove(e.tool_call_id)


# --- helpers ------------------------------------------------------------------------------------------------------


def test_timestamps_become_utc():
    assert to_utc(1700000000) == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert to_utc(1700000000123) == datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=UTC)
    assert to_utc(" 1700000000 ") == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert to_utc("2024-05-01T12:00:00+02:00") == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert to_utc("2024-05-01T10:00:00Z") == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert to_utc("2024-05-01 10:00:00") == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert to_utc("yesterday") is None and to_utc(True) is None and to_utc(None) is None


def test_error_heuristic_is_small_and_exact():
    assert looks_like_error("Error: payment amount does not add up")
    assert looks_like_error("error: no such file") and looks_like_error("ERROR 42")
    assert looks_like_error('{"error": "not found", "code": 404}')
    assert not looks_like_error('{"error": null, "result": 3}')
    assert not looks_like_error('{"result": "no error here"}')
    assert not looks_like_error("The error was fixed") and not looks_like_error("") and not looks_like_error(None)


# --- openai_chat --------------------------------------------------------------------------------------------------

FULL = {
    "session_id": "s-1", "user": "u-9", "created": 1700000000, "model": "gpt-4o",
    "usage": {"prompt_tokens": 120, "completion_tokens": 15}, "temperature": 0.2,
    "messages": [
        {"role": "developer", "content": "Be brief."},
        {"role": "user", "content": [
            {"type": "text", "text": "What is in this picture"},
            {"type": "image_url", "image_url": {"url": "https://x/y.png"}},
            {"type": "input_text", "text": "and the weather in Paris?"},
        ]},
        {"role": "assistant", "content": "Let me look.", "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}},
            {"id": "c2", "type": "function", "function": {"name": "lookup", "arguments": {"q": "x"}}},
        ]},
        {"role": "tool", "tool_call_id": "c1", "content": "Error: upstream timeout"},
        {"role": "tool", "tool_call_id": "c2", "content": [{"type": "text", "text": "{\"error\": \"quota\"}"}]},
        {"role": "assistant", "content": [{"type": "output_text", "text": "It is sunny."}], "id": "msg-7",
         "timestamp": "2024-05-01T10:00:05+02:00", "name": "helper", "refusal": None},
    ],
}


def test_openai_conversation_maps_every_branch(tmp_path):
    events, bad = _parse("openai_chat", _jsonl(tmp_path / "chats.jsonl", [FULL]))
    assert bad == []
    got = [(e.turn_index, e.part_index, e.role, e.kind) for e in events]
    assert got == [
        (0, 0, "system", "message"), (1, 0, "user", "message"), (2, 0, "assistant", "message"),
        (2, 1, "assistant", "tool_call"), (2, 2, "assistant", "tool_call"), (3, 0, "tool", "tool_result"),
        (4, 0, "tool", "tool_result"), (5, 0, "assistant", "message"),
    ]
    system, user, text, call1, call2, res1, res2, final = events
    assert {e.session_id for e in events} == {"s-1"} and {e.user_id for e in events} == {"u-9"}
    assert {e.model for e in events} == {"gpt-4o"}
    assert system.metadata == {"source_role": "developer", "session": {"temperature": 0.2}}
    assert system.ts == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert user.content == "What is in this picture\n\nand the weather in Paris?"
    assert user.metadata == {"non_text_parts": ["image_url"]}
    assert (call1.tool_call_id, call1.tool_name, call1.tool_arguments) == ("c1", "get_weather", '{"city": "Paris"}')
    assert (call2.tool_name, call2.tool_arguments) == ("lookup", '{"q": "x"}')
    assert (res1.tool_call_id, res1.tool_name, res1.tool_result, res1.is_error) == (
        "c1", "get_weather", "Error: upstream timeout", True)
    assert res1.content == res1.tool_result
    assert (res2.tool_name, res2.is_error) == ("lookup", True)
    assert final.record_id == "msg-7" and final.content == "It is sunny."
    assert final.ts == datetime(2024, 5, 1, 8, 0, 5, tzinfo=UTC)
    assert final.metadata == {"name": "helper", "refusal": None}
    assert (final.input_tokens, final.output_tokens) == (120, 15)  # the conversation's usage: its last completion
    assert text.input_tokens is None
    assert [e.record_id for e in events[:5]] == ["L1/m0", "L1/m1", "L1/m2", "L1/m2", "L1/m2"]
    assert res1.raw_ref == "line 1 /messages/3"


def test_openai_malformed_records_are_quarantined_once_each(tmp_path):
    good_legacy = {"messages": [
        {"role": "user", "content": "add 2 and 3"},
        {"role": "assistant", "content": None, "function_call": {"name": "add", "arguments": "{\"a\":2,\"b\":3}"}},
        {"role": "function", "name": "add", "content": "5"},
        {"role": "assistant", "content": None},
    ]}
    lines = [
        FULL,
        "",
        "{not json",
        {"messages": [{"role": "user", "content": "hi"}, "just text"]},
        {"messages": [{"content": "who am i"}]},
        {"messages": [{"role": "robot", "content": "beep"}]},
        {"messages": [{"role": "assistant", "content": "x", "tool_calls": {"id": "c"}}]},
        good_legacy,
        [1, 2],
        {"messages": [{"role": "user", "content": 42}]},
        {"prompt": "no messages here"},
        {"messages": [{"role": "assistant", "content": None, "tool_calls": [{"id": "c", "function": {}}]}]},
    ]
    events, bad = _parse("openai_chat", _jsonl(tmp_path / "mixed.jsonl", lines))
    reasons = {q.raw_ref: q.reason for q in bad}
    assert list(reasons) == ["line 3", "line 4", "line 5", "line 6", "line 7", "line 9", "line 10", "line 11",
                             "line 12"]
    assert reasons["line 3"].startswith("invalid JSON")
    assert reasons["line 4"] == "line 4 /messages/1: message is str, not an object"
    assert reasons["line 5"] == "line 5 /messages/0: message has no role"
    assert reasons["line 6"] == "line 6 /messages/0: unknown role 'robot'"
    assert reasons["line 7"] == "line 7 /messages/0: tool_calls is dict, not a list"
    assert reasons["line 9"] == "record is list, not an object"
    assert "content is int" in reasons["line 10"]
    assert reasons["line 11"].startswith("no `messages`")
    assert reasons["line 12"] == "line 12 /messages/0/tool_calls/0: tool call without a function name"
    assert next(q for q in bad if q.raw_ref == "line 4").payload == json.dumps(lines[3])
    sessions = _sessions(events)
    received = sum(1 for x in lines if x != "")
    assert received == len(sessions) + len(bad) == 11  # a bad message costs its conversation, counted once
    legacy = sessions["mixed.jsonl:L8"]  # no session id: derived from the file name and line
    assert [(e.role, e.kind, e.part_index) for e in legacy] == [
        ("user", "message", 0), ("assistant", "tool_call", 0), ("tool", "tool_result", 0),
        ("assistant", "message", 0)]
    call, result = legacy[1], legacy[2]
    assert call.tool_call_id == result.tool_call_id == "L8/m1/function_call"
    assert (result.tool_name, result.tool_result, result.is_error) == ("add", "5", False)
    assert result.metadata == {"source_role": "function"}
    assert legacy[3].content is None  # an empty assistant message is kept, not dropped


def test_openai_json_list_single_object_and_broken_files(tmp_path):
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps([{"id": "a", "messages": [{"role": "user", "content": "one"}]},
                                  {"messages": [{"role": "user", "content": "two"}, {"role": "assistant",
                                                                                     "content": "ok"}]}], indent=2))
    events, bad = _parse("openai_chat", listed)
    assert bad == []
    assert [(e.session_id, e.record_id, e.raw_ref) for e in events] == [
        ("a", "R0/m0", "item 0 /messages/0"), ("list.json:R1", "R1/m0", "item 1 /messages/0"),
        ("list.json:R1", "R1/m1", "item 1 /messages/1")]

    single = tmp_path / "one.json"
    single.write_text(json.dumps({"conversation_id": "c9", "messages": [{"role": "user", "content": "hey"}]},
                                 indent=2))
    events, bad = _parse("openai_chat", single)
    assert [(e.session_id, e.raw_ref, e.content) for e in events] == [("c9", "/messages/0", "hey")] and bad == []

    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "messages": [\n    {"role": "user"\n')
    events, bad = _parse("openai_chat", broken)
    assert events == [] and len(bad) == 1 and bad[0].raw_ref == "file" and bad[0].reason.startswith("invalid JSON")

    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    events, bad = _parse("openai_chat", binary)
    assert events == [] and [q.raw_ref for q in bad] == ["file"] and "unreadable" in bad[0].reason

    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    assert _parse("openai_chat", empty) == ([], [])


def test_openai_duplicate_native_ids_fall_back_to_positions(tmp_path):
    convo = {"messages": [{"role": "user", "content": "a", "id": "m1"}, {"role": "assistant", "content": "b",
                                                                          "id": "m1"}]}
    events, _ = _parse("openai_chat", _jsonl(tmp_path / "dup.jsonl", [convo, convo]))
    assert [e.record_id for e in events] == ["m1", "L1/m1", "L2/m0", "L2/m1"]


def test_file_shape_detection_and_unreadable_times(tmp_path):
    jsonl = tmp_path / "first_bad.jsonl"
    jsonl.write_text('{"messages": [\n' + json.dumps({"messages": [{"role": "user", "content": "ok",
                                                                     "timestamp": "not a time"}]}) + "\n")
    events, bad = _parse("openai_chat", jsonl)  # a broken first line is that line's problem, not the file's
    assert [q.raw_ref for q in bad] == ["line 1"] and [e.raw_ref for e in events] == ["line 2 /messages/0"]
    assert events[0].ts is None and events[0].metadata == {"ts_raw": "not a time"}

    pretty = tmp_path / "pretty.json"  # pretty-printed with the first key on the opening line
    pretty.write_text('{"id": "p1",\n "messages": [{"role": "user", "content": "hi"}]\n}\n')
    events, bad = _parse("openai_chat", pretty)
    assert bad == [] and [(e.session_id, e.raw_ref) for e in events] == [("p1", "/messages/0")]


def test_sharegpt_conversation_in_the_openai_parser(tmp_path):
    line = {"id": "sg1", "conversations": [
        {"from": "system", "value": "You are kind."}, {"from": "human", "value": "Hi", "language": "en"},
        {"from": "gpt", "value": "Hello!"}]}
    events, bad = _parse("openai_chat", _jsonl(tmp_path / "sg.jsonl", [line, {"id": "sg2", "conversations": [
        {"from": "narrator", "value": "?"}]}]))
    assert [(e.session_id, e.role, e.content, e.raw_ref) for e in events] == [
        ("sg1", "system", "You are kind.", "line 1 /conversations/0"),
        ("sg1", "user", "Hi", "line 1 /conversations/1"),
        ("sg1", "assistant", "Hello!", "line 1 /conversations/2")]
    assert events[1].metadata == {"language": "en"}
    assert [(q.raw_ref, q.reason) for q in bad] == [("line 2", "line 2 /conversations/0: unknown role 'narrator'")]


# --- anthropic ----------------------------------------------------------------------------------------------------

ANTHROPIC = {
    "id": "conv-1", "model": "claude-sonnet", "metadata": {"user_id": "u-3"}, "created_at": "2024-06-01T09:00:00Z",
    "usage": {"input_tokens": 900, "output_tokens": 40},
    "system": [{"type": "text", "text": "You are terse."}, {"type": "text", "text": "Use tools."}],
    "messages": [
        {"role": "user", "content": "Weather in Oslo and Rome?"},
        {"role": "assistant", "content": [
            {"type": "thinking", "thinking": "two cities", "signature": "x"},
            {"type": "text", "text": "Checking."},
            {"type": "tool_use", "id": "tu1", "name": "weather", "input": {"city": "Oslo"}},
            {"type": "tool_use", "id": "tu2", "name": "weather", "input": {"city": "Rome"}},
        ]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "tu1", "content": "4C and rain"},
            {"type": "tool_result", "tool_use_id": "tu2", "is_error": True,
             "content": [{"type": "text", "text": "service down"}, {"type": "image", "source": {}}]},
            {"type": "text", "text": "Also, is Rome warm?"},
        ]},
        {"role": "assistant", "content": "Oslo: 4C and rain. Rome: unknown.",
         "usage": {"input_tokens": 1000, "output_tokens": 12}},
        {"role": "user", "content": [{"type": "image", "source": {"type": "base64", "data": "..."}}]},
    ],
}


def test_anthropic_blocks_map_in_order(tmp_path):
    events, bad = _parse("anthropic", _jsonl(tmp_path / "claude.jsonl", [ANTHROPIC]))
    assert bad == []
    assert [(e.turn_index, e.part_index, e.role, e.kind) for e in events] == [
        (0, 0, "system", "message"), (1, 0, "user", "message"), (2, 0, "assistant", "message"),
        (2, 1, "assistant", "tool_call"), (2, 2, "assistant", "tool_call"), (3, 0, "tool", "tool_result"),
        (3, 1, "tool", "tool_result"), (3, 2, "user", "message"), (4, 0, "assistant", "message"),
        (5, 0, "user", "message")]
    system, _, text, oslo, rome, r1, r2, follow_up, answer, image = events
    assert {e.session_id for e in events} == {"conv-1"} and {e.user_id for e in events} == {"u-3"}
    assert system.content == "You are terse.\n\nUse tools." and system.record_id == "L1/system"
    assert system.ts == datetime(2024, 6, 1, 9, tzinfo=UTC) and system.model == "claude-sonnet"
    assert text.content == "Checking." and text.metadata == {"non_text_blocks": ["thinking"]}
    assert (oslo.tool_call_id, oslo.tool_name, oslo.tool_arguments) == ("tu1", "weather", '{"city": "Oslo"}')
    assert (r1.tool_call_id, r1.tool_name, r1.tool_result, r1.is_error) == ("tu1", "weather", "4C and rain", False)
    assert (r2.tool_name, r2.tool_result, r2.is_error) == ("weather", "service down", True)
    assert r2.metadata == {"non_text_parts": ["image"]}
    assert follow_up.content == "Also, is Rome warm?" and follow_up.record_id == r1.record_id == "L1/m2"
    assert (answer.input_tokens, answer.output_tokens) == (1000, 12)  # its own usage wins over the record's
    assert image.content is None and image.metadata == {"non_text_blocks": ["image"]}
    assert rome.raw_ref == "line 1 /messages/1"


def test_anthropic_response_object_and_malformed_records(tmp_path):
    response = {"id": "msg_01", "type": "message", "role": "assistant", "model": "claude-haiku",
                "content": [{"type": "text", "text": "Hi"}, {"type": "tool_use", "id": "t", "name": "f", "input": {}}],
                "stop_reason": "tool_use", "usage": {"input_tokens": 5, "output_tokens": 7}}
    lines = [
        response,
        {"messages": [{"role": "assistant", "content": [{"type": "tool_use", "id": "x", "input": {}}]}]},
        {"messages": [{"role": "bot", "content": "?"}]},
        {"messages": [{"role": "user", "content": [7]}]},
        {"messages": "hello"},
        {"messages": [{"role": "user", "content": [{"type": "tool_result", "content": "orphan"}]}]},
        {"messages": [{"role": "user", "content": [{"type": "text"}]}]},
    ]
    events, bad = _parse("anthropic", _jsonl(tmp_path / "mixed.jsonl", lines))
    assert [(e.session_id, e.record_id, e.raw_ref, e.kind, e.part_index) for e in events] == [
        ("mixed.jsonl:L1", "msg_01", "line 1", "message", 0), ("mixed.jsonl:L1", "msg_01", "line 1", "tool_call", 1)]
    assert events[0].model == "claude-haiku" and (events[0].input_tokens, events[0].output_tokens) == (5, 7)
    assert events[0].metadata == {"stop_reason": "tool_use"}
    assert [(q.raw_ref, q.reason) for q in bad] == [
        ("line 2", "line 2 /messages/0/content: tool_use without a name"),
        ("line 3", "line 3 /messages/0: unknown role 'bot'"),
        ("line 4", "line 4 /messages/0/content/0: block is int, not an object"),
        ("line 5", "`messages` is not a list"),
        ("line 6", "line 6 /messages/0/content: tool_result without a tool_use_id"),
        ("line 7", "line 7 /messages/0/content/0: a text block without text"),
    ]
    assert len(lines) == len(_sessions(events)) + len(bad)


# --- tau-bench ----------------------------------------------------------------------------------------------------


def test_tau_bench_records_are_sessions(tmp_path):
    traj = [
        {"role": "system", "content": "policy"},
        {"role": "user", "content": "cancel my trip"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "k1", "type": "function", "function": {"name": "get_reservation", "arguments": "{\"id\":\"R1\"}"}}]},
        {"role": "tool", "tool_call_id": "k1", "name": "get_reservation", "content": "Error: no such reservation"},
        {"role": "assistant", "content": "I could not find it."},
    ]
    records = [
        {"task_id": 7, "reward": 1.0, "trial": 2, "traj": traj,
         "info": {"task": {"user_id": "ann_1", "instruction": "You are Ann."}}},
        {"task_id": 8, "reward": 0.0, "trial": 2, "traj": [{"role": "user", "content": "x"}, {"content": "no role"}]},
        {"task_id": 9, "trial": 0},
    ]
    path = tmp_path / "air.json"
    path.write_text(json.dumps(records, indent=1))
    events, bad = _parse("tau_bench", path)
    assert {e.session_id for e in events} == {"air/task7/trial2"}
    assert [(e.role, e.kind) for e in events] == [("system", "message"), ("user", "message"),
                                                  ("assistant", "tool_call"), ("tool", "tool_result"),
                                                  ("assistant", "message")]
    assert events[0].metadata["session"] == {"task_id": 7, "reward": 1.0, "trial": 2,
                                             "info": {"task": {"user_id": "ann_1", "instruction": "You are Ann."}}}
    assert all("session" not in e.metadata for e in events[1:])
    assert {e.user_id for e in events} == {"ann_1"}
    assert (events[3].tool_call_id, events[3].tool_name, events[3].is_error) == ("k1", "get_reservation", True)
    assert [(q.raw_ref, q.reason) for q in bad] == [("item 1", "item 1 /traj/1: message has no role"),
                                                    ("item 2", "no `traj` in the record")]


# --- SWE-agent ----------------------------------------------------------------------------------------------------


def _traj(tmp_path: Path, name: str, doc: object) -> Path:
    path = tmp_path / f"{name}.traj"
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    return path


def test_swe_agent_history_with_shell_actions(tmp_path):
    doc = {
        "environment": "swe_main",
        "history": [
            {"role": "system", "content": "You are a programmer.", "agent": "primary"},
            {"role": "user", "content": "Demonstration: ...", "agent": "primary", "is_demo": True},
            {"role": "user", "content": "Fix the bug in foo.py", "agent": "primary"},
            {"role": "assistant", "content": "Find it first.\n```\nfind_file foo.py\n```", "thought": "Find it first.",
             "action": "find_file foo.py\n", "agent": "primary"},
            {"role": "user", "content": "Found 1 matches", "agent": "primary"},
            {"role": "assistant", "content": "", "thought": "Run it.", "action": "python foo.py", "agent": "primary"},
            {"role": "user", "content": "Error: division by zero", "agent": "primary"},
            {"role": "assistant", "content": "Done.", "thought": "Submitting now", "action": "submit"},
        ],
        "trajectory": [
            {"action": "find_file foo.py", "observation": "Found 1 matches", "execution_time": 0.25},
            {"action": "python bar.py", "observation": "x", "execution_time": 3.0},
        ],
        "info": {"exit_status": "submitted", "submission": "diff --git a", "model_stats": {"api_calls": 3},
                 "edited_files30": "..."},
    }
    events, bad = _parse("swe_agent", _traj(tmp_path, "run1", doc))
    assert bad == []
    assert [(e.turn_index, e.part_index, e.role, e.kind) for e in events] == [
        (0, 0, "system", "message"), (1, 0, "user", "message"), (2, 0, "user", "message"),
        (3, 0, "assistant", "message"), (3, 1, "assistant", "tool_call"), (4, 0, "tool", "tool_result"),
        (5, 0, "assistant", "message"), (5, 1, "assistant", "tool_call"), (6, 0, "tool", "tool_result"),
        (7, 0, "assistant", "message"), (7, 1, "assistant", "tool_call")]
    assert {e.session_id for e in events} == {"run1"}
    assert events[0].metadata == {"agent": "primary", "session": {
        "exit_status": "submitted", "submission": "diff --git a", "model_stats": {"api_calls": 3},
        "environment": "swe_main"}}
    assert events[1].metadata == {"agent": "primary", "is_demo": True}
    find, found = events[4], events[5]
    assert (find.tool_call_id, find.tool_name, find.tool_arguments) == (
        "run1/call0", "find_file", '{"command": "find_file foo.py\\n"}')
    assert (found.tool_call_id, found.tool_name, found.tool_result, found.latency_ms, found.is_error) == (
        "run1/call0", "find_file", "Found 1 matches", 250.0, False)
    assert found.metadata == {"agent": "primary", "source_role": "user"}
    assert events[6].content == "Run it."  # empty content: the thought is the text
    run = events[8]
    assert (run.tool_call_id, run.tool_name, run.is_error, run.latency_ms) == ("run1/call1", "python", True, None)
    assert events[9].metadata == {"thought": "Submitting now"}
    assert events[10].tool_name == "submit"  # its observation never came: the call stays open


def test_swe_agent_function_calling_history_and_trajectory_only(tmp_path):
    history = [
        {"role": "system", "content": "setting", "message_type": "system_prompt"},
        {"role": "user", "content": [{"type": "text", "text": "issue text"}], "message_type": "observation"},
        {"role": "assistant", "content": "look", "action": "ls -F", "message_type": "action", "tool_calls": [
            {"id": "call_A", "type": "function",
             "function": {"name": "bash", "arguments": "{\"command\":\"ls -F\"}"}}]},
        {"role": "tool", "content": "setup.py", "tool_call_ids": ["call_A"], "message_type": "observation"},
    ]
    events, bad = _parse("swe_agent", _traj(tmp_path, "fc", {"history": history}))
    assert bad == []
    assert [(e.role, e.kind, e.content) for e in events] == [
        ("system", "message", "setting"), ("user", "message", "issue text"), ("assistant", "message", "look"),
        ("assistant", "tool_call", None), ("tool", "tool_result", "setup.py")]
    assert (events[3].tool_call_id, events[3].tool_name, events[3].tool_arguments) == (
        "call_A", "bash", '{"command":"ls -F"}')
    assert (events[4].tool_call_id, events[4].tool_name) == ("call_A", "bash")

    steps = [{"action": "open foo.py", "observation": "[File: foo.py]", "response": "Open it.", "thought": "t",
              "execution_time": 0.5, "state": {"open_file": "foo.py"}},
             {"action": "submit", "observation": "ERROR: nothing to submit", "thought": "Submit."}]
    events, bad = _parse("swe_agent", _traj(tmp_path, "old", {"trajectory": steps, "info": {"exit_status": "early"}}))
    assert bad == []
    assert [(e.turn_index, e.part_index, e.kind, e.record_id, e.raw_ref) for e in events] == [
        (0, 0, "message", "t0", "/trajectory/0"), (0, 1, "tool_call", "t0", "/trajectory/0"),
        (1, 0, "tool_result", "t0/observation", "/trajectory/0/observation"),
        (2, 0, "message", "t1", "/trajectory/1"), (2, 1, "tool_call", "t1", "/trajectory/1"),
        (3, 0, "tool_result", "t1/observation", "/trajectory/1/observation")]
    assert events[0].content == "Open it." and events[3].content == "Submit."
    assert (events[2].tool_call_id, events[2].tool_name, events[2].latency_ms) == ("old/call0", "open", 500.0)
    assert events[2].metadata == {"state": {"open_file": "foo.py"}}
    assert events[5].is_error and events[0].metadata == {"session": {"exit_status": "early"}}


def test_swe_agent_bad_files_are_quarantined_whole(tmp_path):
    cases = {
        "bad_item": {"history": [{"role": "system", "content": "s"}, 5]},
        "bad_role": {"history": [{"role": "critic", "content": "s"}]},
        "nothing": {"info": {}},
        "not_json": "{oops",
        "a_list": [],
    }
    reasons = {}
    for name, doc in cases.items():
        events, bad = _parse("swe_agent", _traj(tmp_path, name, doc))
        assert events == [] and [q.raw_ref for q in bad] == ["file"]
        reasons[name] = bad[0].reason
    assert reasons["bad_item"] == "/history/1: item is int, not an object"
    assert reasons["bad_role"] == "/history/0: unknown role 'critic'"
    assert reasons["nothing"] == "neither `history` nor `trajectory` in the file"
    assert reasons["not_json"].startswith("invalid JSON")
    assert reasons["a_list"] == "the file holds a list, not a trajectory object"


# --- public samples -----------------------------------------------------------------------------------------------

needs_public = pytest.mark.skipif(not PUBLIC.exists(), reason="public data samples are not here")


@needs_public
def test_tau_bench_sample_loads_whole_and_in_order():
    path = PUBLIC / "tau-bench" / "gpt-4o-airline.trial0.json"
    raw = json.loads(path.read_text())
    events, bad = _parse("tau_bench", path)
    assert bad == []
    sessions = _sessions(events)
    assert len(sessions) == len(raw) == 50
    _assert_calls_answered_in_order(events)
    calls = [e for e in events if e.kind == "tool_call"]
    results = [e for e in events if e.kind == "tool_result"]
    assert len(calls) == len(results) == sum(len(m.get("tool_calls") or []) for r in raw for m in r["traj"])
    task0 = next(r for r in raw if r["task_id"] == 0)
    ev0 = sessions["gpt-4o-airline.trial0/task0/trial0"]
    assert sum(e.kind == "tool_call" for e in ev0) == sum(len(m.get("tool_calls") or []) for m in task0["traj"]) == 8
    assert [e.tool_name for e in ev0 if e.kind == "tool_call"] == [
        c["function"]["name"] for m in task0["traj"] for c in m.get("tool_calls") or []]
    assert ev0[0].metadata["session"]["reward"] == task0["reward"]
    assert ev0[0].metadata["session"]["info"]["task"]["instruction"].startswith("You are mia_li_3668.")
    assert {e.user_id for e in ev0} == {"mia_li_3668"}
    assert [e.is_error for e in ev0 if e.kind == "tool_result"].count(True) == 1  # "Error: payment amount ..."


@needs_public
def test_swe_agent_samples_load_without_quarantine():
    files = sorted((PUBLIC / "swe-agent-trajectories").glob("*.traj"))
    assert len(files) == 22
    for path in files:
        doc = json.loads(path.read_text())
        events, bad = _parse("swe_agent", path)
        assert bad == [], (path.name, bad)
        assert {e.session_id for e in events} == {path.stem}
        history = doc["history"]
        assert len({e.turn_index for e in events}) == len(history)  # every history item kept
        actions = sum(len(m.get("tool_calls") or []) or 1 for m in history
                      if m["role"] == "assistant" and m.get("action") is not None)
        assert sum(e.kind == "tool_call" for e in events) == actions, path.name
        _assert_calls_answered_in_order(events)
        if "info" in doc:
            assert events[0].metadata["session"]["exit_status"] == doc["info"]["exit_status"] == "submitted"
    simple = _parse("swe_agent", PUBLIC / "swe-agent-trajectories" / "demo__function_calling_simple.traj")[0]
    assert [e.tool_name for e in simple if e.kind == "tool_call"] == ["find_file", "open", "edit", "bash", "submit"]
    assert [e.tool_call_id for e in simple if e.kind == "tool_result"] == [
        e.tool_call_id for e in simple if e.kind == "tool_call"]


@needs_public
def test_sharegpt_sample_loads_every_message():
    path = PUBLIC / "sharegpt-92k-sample" / "sharegpt_200.jsonl"
    raw = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    events, bad = _parse("openai_chat", path)
    assert bad == []
    assert len(events) == sum(len(r["conversations"]) for r in raw)
    assert len(_sessions(events)) == len(raw)
    first = raw[0]["conversations"]
    assert [(e.role, e.content) for e in events[: len(first)]] == [
        ({"human": "user", "gpt": "assistant"}[m["from"]], m["value"]) for m in first]
