"""Segmentation of events into training units, their chat rendering, tags and lineage (python_assets/logs/units.py,
python_assets/logs/tags.py), on hand-built event rows."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from python_assets.logs.events import SCHEMA, event_id
from python_assets.logs.tags import classify_domain, classify_task, complexity, detect_language
from python_assets.logs.units import LINEAGE_SCHEMA, UNIT_SCHEMA, lineage_table, segment, unit_id, units_table

PUBLIC = Path(__file__).resolve().parents[2] / "shared" / "data" / "public"
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


class Session:
    """Builds the raw_events rows of one session, one call per event, with minutes since T0 as the clock."""

    def __init__(self, session_id: str = "s1", source: str = "chat", source_file: str = "logs/a.jsonl"):
        self.session_id, self.source, self.source_file = session_id, source, source_file
        self.rows: list[dict] = []
        self.turn = -1

    def _add(self, role: str, kind: str, minute: float | None, new_turn: bool = True, **fields) -> dict:
        if new_turn:
            self.turn += 1
            part = 0
        else:
            part = sum(1 for r in self.rows if r["turn_index"] == self.turn)
        record_id = fields.pop("record_id", f"m{self.turn}")
        row = {name: None for name in SCHEMA.names}
        row.update(source=self.source, format="openai_chat", source_file=self.source_file, file_sha256="0" * 64,
                   session_id=self.session_id, record_id=record_id, raw_ref=f"line {len(self.rows) + 1}",
                   turn_index=self.turn, part_index=part, role=role, kind=kind, is_error=False, metadata="{}",
                   ts=None if minute is None else T0 + timedelta(minutes=minute))
        meta = fields.pop("meta", None)
        if meta is not None:
            row["metadata"] = json.dumps(meta)
        row.update(fields)
        row["event_id"] = event_id(self.source, self.source_file, f"{self.session_id}/{record_id}", part)
        self.rows.append(row)
        return row

    def system(self, text: str, minute: float | None = None, **kw) -> dict:
        return self._add("system", "message", minute, content=text, **kw)

    def user(self, text: str, minute: float | None = None, **kw) -> dict:
        return self._add("user", "message", minute, content=text, **kw)

    def assistant(self, text: str, minute: float | None = None, **kw) -> dict:
        return self._add("assistant", "message", minute, content=text, **kw)

    def call(self, name: str, args: dict, call_id: str | None, minute: float | None = None, same_turn=False, **kw):
        return self._add("assistant", "tool_call", minute, new_turn=not same_turn, tool_name=name,
                         tool_arguments=json.dumps(args), tool_call_id=call_id, **kw)

    def result(self, call_id: str | None, text: str, minute: float | None = None, error: bool = False, **kw):
        return self._add("tool", "tool_result", minute, tool_call_id=call_id, tool_result=text, is_error=error, **kw)

    def feedback(self, kind: str, value: str, target: str | None, minute: float | None = None, **kw) -> dict:
        return self._add("user", "feedback", minute, feedback_kind=kind, feedback_value=value,
                         feedback_target=target, **kw)


def by_type(units):
    return sorted(u["unit_type"] for u in units)


def messages(unit) -> list[dict]:
    return json.loads(unit["messages_json"])


def assert_lineage_complete(rows, units, lineage):
    ids = [r["event_id"] for r in rows]
    assert {row["event_id"] for row in lineage} == set(ids)
    assert len(lineage) == len(set(ids))  # each event in exactly one unit
    assert sum(u["n_events"] for u in units) == len(lineage)
    for unit in units:
        own = sorted((row for row in lineage if row["unit_id"] == unit["unit_id"]), key=lambda r: r["position"])
        assert [row["event_id"] for row in own] == unit["event_ids"]
        assert [row["position"] for row in own] == list(range(len(own)))


def assert_openai_form(unit):
    msgs = messages(unit)
    issued: set[str] = set()
    for i, msg in enumerate(msgs):
        assert msg["role"] in ("system", "user", "assistant", "tool")
        if msg["role"] == "tool":
            assert msg["tool_call_id"] in issued
            assert isinstance(msg["content"], str)
            # a tool message follows the assistant message that called it, or another tool message
            assert msgs[i - 1]["role"] in ("assistant", "tool")
        for call in msg.get("tool_calls", []):
            assert msg["role"] == "assistant"
            assert call["type"] == "function" and isinstance(call["function"]["arguments"], str)
            json.loads(call["function"]["arguments"])
            issued.add(call["id"])


def test_qa_unit_renders_one_question_and_its_answer():
    s = Session()
    s.system("You are a helpful assistant.", 0)
    s.user("What is the capital of France?", 1)
    s.assistant("The capital of France is Paris.", 1.1, latency_ms=120.0, model="gpt-x", input_tokens=20,
                output_tokens=8)
    units, lineage = segment(s.rows)
    assert len(units) == 1
    unit = units[0]
    assert unit["unit_type"] == "qa"
    assert messages(unit) == [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "What is the capital of France?"},
        {"role": "assistant", "content": "The capital of France is Paris."},
    ]
    assert (unit["turns"], unit["tool_calls"], unit["hops"], unit["latency_ms"]) == (2, 0, 0, 120.0)
    assert (unit["input_tokens"], unit["output_tokens"], unit["model"]) == (20, 8, "gpt-x")
    assert unit["task_type"] == "question_answering" and unit["language"] == "en"
    assert unit["started_at"] == T0 and unit["ended_at"] == T0 + timedelta(minutes=1.1)
    assert unit["complexity_bucket"] == "low"
    assert unit["outcome"] == "unknown" and unit["outcome_source"] == "none"
    assert_lineage_complete(s.rows, units, lineage)


def test_thread_has_several_user_turns():
    s = Session()
    s.user("Can you help me draft a cover letter for a data engineer job?", 0)
    s.assistant("Sure. Here is a draft: Dear hiring manager, ...", 1)
    s.user("Make it shorter and more formal please.", 3)
    s.assistant("Dear Hiring Manager, I am writing to apply ...", 4)
    units, lineage = segment(s.rows)
    assert by_type(units) == ["thread"]
    assert units[0]["turns"] == 4
    assert units[0]["task_type"] == "writing"
    assert [m["role"] for m in messages(units[0])] == ["user", "assistant", "user", "assistant"]
    assert_lineage_complete(s.rows, units, lineage)


def trajectory_session() -> Session:
    s = Session("traj-1", source="agent")
    s.system("You are an airline agent. Use the tools.", 0)
    s.user("I want to change my flight reservation ABC123 to tomorrow.", 1)
    s.assistant("Let me look that up.", 1.5)
    s.call("get_reservation_details", {"reservation_id": "ABC123"}, "c1", 1.5, same_turn=True)
    s.result("c1", '{"flights": ["HAT001"]}', 1.6)
    s.call("search_direct_flight", {"origin": "SFO", "destination": "JFK"}, "c2", 2)
    s.result("c2", "error: date required", 2.1, error=True)
    s.call("search_direct_flight", {"origin": "SFO", "destination": "JFK", "date": "2025-03-02"}, "c3", 2.5)
    s.result("c3", '[{"flight": "HAT002"}]', 2.6)
    s.assistant("I found flight HAT002 tomorrow. Shall I book it?", 3)
    return s


def test_trajectory_renders_calls_and_results_in_openai_form():
    s = trajectory_session()
    units, lineage = segment(s.rows)
    assert len(units) == 1
    unit = units[0]
    assert unit["unit_type"] == "trajectory"
    msgs = messages(unit)
    assert [m["role"] for m in msgs] == ["system", "user", "assistant", "tool", "assistant", "tool", "assistant",
                                         "tool", "assistant"]
    assert msgs[2]["content"] == "Let me look that up."
    assert msgs[2]["tool_calls"] == [{"id": "c1", "type": "function", "function": {
        "name": "get_reservation_details", "arguments": '{"reservation_id": "ABC123"}'}}]
    assert msgs[3] == {"role": "tool", "tool_call_id": "c1", "content": '{"flights": ["HAT001"]}'}
    assert msgs[4]["content"] is None
    assert (unit["tool_calls"], unit["distinct_tools"], unit["hops"], unit["tool_errors"]) == (3, 2, 3, 1)
    assert unit["has_recovery"] is True
    assert unit["domain"] == "travel" and unit["task_type"] == "agent_task"
    assert unit["flags"] == []
    assert_openai_form(unit)
    assert_lineage_complete(s.rows, units, lineage)
    assert {row["source"] for row in lineage} == {"agent"}
    assert [row["raw_ref"] for row in lineage] == [f"line {i}" for i in range(1, len(s.rows) + 1)]


def test_no_recovery_when_the_failed_tool_never_succeeds():
    s = Session()
    s.user("Run the tests", 0)
    s.call("run_tests", {}, "a", 1)
    s.result("a", "boom", 2, error=True)
    s.call("read_file", {"path": "x.py"}, "b", 3)
    s.result("b", "print(1)", 4)
    units, _ = segment(s.rows)
    assert units[0]["has_recovery"] is False and units[0]["tool_errors"] == 1


def test_parallel_calls_in_one_message_are_one_hop():
    s = Session()
    s.user("What's the weather in Paris and in Rome?", 0)
    s.call("get_weather", {"city": "Paris"}, "p1", 1)
    s.call("get_weather", {"city": "Rome"}, "p2", 1, same_turn=True)
    s.result("p1", "sunny", 2)
    s.result("p2", "rain", 2)
    s.call("send_summary", {"to": "me"}, "p3", 3)
    s.result("p3", "sent", 3.5)
    s.assistant("Paris is sunny, Rome is rainy; I sent you a summary.", 4)
    units, _ = segment(s.rows)
    unit = units[0]
    assert (unit["hops"], unit["tool_calls"], unit["distinct_tools"]) == (2, 3, 2)
    msgs = messages(unit)
    assert [c["id"] for c in msgs[1]["tool_calls"]] == ["p1", "p2"]
    assert [m.get("tool_call_id") for m in msgs[2:4]] == ["p1", "p2"]
    assert_openai_form(unit)


def test_parallel_calls_logged_as_separate_messages_merge_into_one_hop():
    s = Session()
    s.user("Look up both users", 0)
    s.call("get_user", {"id": 1}, "u1", 1)
    s.call("get_user", {"id": 2}, "u2", 1)  # its own turn, but issued before any result came back
    s.result("u1", "Ann", 2)
    s.result("u2", "Bob", 2)
    units, _ = segment(s.rows)
    assert units[0]["hops"] == 1
    msgs = messages(units[0])
    assert [m["role"] for m in msgs] == ["user", "assistant", "tool", "tool"]
    assert_openai_form(units[0])


def test_inactivity_gap_splits_a_session():
    s = Session()
    s.user("Hi, how do I reset my VPN password?", 0)
    s.assistant("Go to the self-service portal and choose reset.", 1)
    s.user("Write a haiku about autumn", 45)  # 44 minutes of silence
    s.assistant("Leaves drift on cold wind ...", 46)
    units, lineage = segment(s.rows)
    assert by_type(units) == ["qa", "qa"]
    first, second = sorted(units, key=lambda u: u["segment_index"])
    assert [m["content"] for m in messages(first)][0].startswith("Hi, how do I reset")
    assert first["task_type"] == "it_support" and first["domain"] == "it"
    assert second["task_type"] == "writing"
    assert second["event_ids"] == [s.rows[2]["event_id"], s.rows[3]["event_id"]]
    assert_lineage_complete(s.rows, units, lineage)
    # a wider gap threshold keeps the session whole
    units, _ = segment(s.rows, gap_minutes=60)
    assert by_type(units) == ["thread"]


def test_a_late_reply_does_not_split_from_its_question():
    s = Session()
    s.user("Summarize this report please", 0)
    s.assistant("Here is the summary ...", 90)
    units, _ = segment(s.rows)
    assert by_type(units) == ["qa"]


def test_explicit_boundaries_split_a_session():
    s = Session()
    s.system("Prompt A", 0)
    s.user("first question?", 1)
    s.assistant("first answer", 2)
    s.system("Prompt B", 3)  # a new system message after non-system events
    s.user("second question?", 4)
    s.assistant("second answer", 5)
    s.user("third question?", 6, meta={"boundary": True})
    s.assistant("third answer", 7)
    units, lineage = segment(s.rows)
    units.sort(key=lambda u: u["segment_index"])
    assert [u["segment_index"] for u in units] == [0, 1, 2]
    assert [[m["content"] for m in messages(u)] for u in units] == [
        ["Prompt A", "first question?", "first answer"],
        ["Prompt B", "second question?", "second answer"],
        ["third question?", "third answer"],
    ]
    assert_lineage_complete(s.rows, units, lineage)


def test_consecutive_system_messages_do_not_split():
    s = Session()
    s.system("Rules part 1", 0)
    s.system("Rules part 2", 0)
    s.user("hello?", 1)
    s.assistant("hi", 1)
    assert by_type(segment(s.rows)[0]) == ["qa"]


def test_call_and_result_across_a_gap_stay_together():
    s = Session()
    s.user("Run the nightly data pipeline", 0)
    s.call("run_pipeline", {"name": "nightly"}, "r1", 1)
    s.user("(user comes back) is it done?", 50)  # a gap, while the call is still running
    s.result("r1", "done: 1200 rows", 95)
    s.assistant("The pipeline finished: 1200 rows.", 96)
    s.user("Thanks! Unrelated: what is 2+2?", 200)  # a gap with no open call: splits
    s.assistant("4", 201)
    units, lineage = segment(s.rows)
    units.sort(key=lambda u: u["segment_index"])
    assert [u["unit_type"] for u in units] == ["trajectory", "qa"]
    assert units[0]["event_ids"] == [r["event_id"] for r in s.rows[:5]]
    # chat form: the result follows its call; the message typed meanwhile comes after it, and the unit says so
    assert [m["role"] for m in messages(units[0])] == ["user", "assistant", "tool", "user", "assistant"]
    assert units[0]["flags"] == ["reordered_messages"]
    assert_openai_form(units[0])
    assert_lineage_complete(s.rows, units, lineage)


def test_a_result_without_call_id_pairs_with_its_call():
    s = Session()
    s.user("list files", 0)
    s.call("bash", {"cmd": "ls"}, None, 1)
    s.result(None, "a.py b.py", 2)
    units, _ = segment(s.rows)
    msgs = messages(units[0])
    call_id = msgs[1]["tool_calls"][0]["id"]
    assert call_id.startswith("call_") and msgs[2]["tool_call_id"] == call_id
    assert units[0]["flags"] == []
    assert_openai_form(units[0])


def test_orphan_result_and_unanswered_call_are_flagged_not_dropped():
    s = Session()
    s.user("go", 0)
    s.result("ghost", "output of a call we never saw", 1)
    s.call("search", {"q": "x"}, "never-answered", 2)
    units, lineage = segment(s.rows)
    unit = units[0]
    assert unit["flags"] == ["orphan_tool_result", "unanswered_tool_call"]
    assert [m["role"] for m in messages(unit)] == ["user", "assistant"]
    assert_lineage_complete(s.rows, units, lineage)


def test_outcome_from_reward():
    s = trajectory_session()
    s.rows[-1]["metadata"] = json.dumps({"reward": 1.0, "status": "error"})
    unit = segment(s.rows)[0][0]
    assert (unit["outcome"], unit["outcome_source"]) == ("success", "reward")
    s.rows[-1]["metadata"] = json.dumps({"reward": 0})
    unit = segment(s.rows)[0][0]
    assert (unit["outcome"], unit["outcome_source"]) == ("failure", "reward")


def test_outcome_from_thumbs_feedback_attached_to_its_target():
    s = Session()
    s.user("What is a VPN?", 0, record_id="msg-1")
    s.assistant("A virtual private network ...", 1, record_id="msg-2")
    s.user("How do I install Python?", 60, record_id="msg-3")
    s.assistant("Download it from python.org ...", 61, record_id="msg-4")
    fb = Session("s1", source="feedback", source_file="fb/2025-03-01.jsonl")
    fb.feedback("thumbs_down", "-1", "msg-2", 120, record_id="fb-1")
    fb.feedback("thumbs_up", "1", "msg-4", 121, record_id="fb-2")
    rows = fb.rows + s.rows  # any order
    units, lineage = segment(rows)
    units.sort(key=lambda u: u["segment_index"])
    assert [u["source"] for u in units] == ["chat", "chat"]
    assert units[0]["event_ids"][-1] == fb.rows[0]["event_id"]
    assert units[1]["event_ids"][-1] == fb.rows[1]["event_id"]
    assert [(u["outcome"], u["outcome_source"]) for u in units] == [("failure", "feedback"), ("success", "feedback")]
    # feedback is not a chat message, and does not stretch the unit's time span
    assert len(messages(units[0])) == 2 and units[0]["ended_at"] == T0 + timedelta(minutes=1)
    assert_lineage_complete(rows, units, lineage)
    fb_lineage = [row for row in lineage if row["event_id"] == fb.rows[0]["event_id"]]
    assert fb_lineage[0]["source"] == "feedback" and fb_lineage[0]["source_file"] == "fb/2025-03-01.jsonl"


def test_untargeted_feedback_joins_the_segment_it_falls_in():
    s = Session()
    s.user("question one?", 0)
    s.assistant("answer one", 1)
    s.feedback("rating", "5", None, 2)
    s.user("question two?", 90)
    s.assistant("answer two", 91)
    s.feedback("rating", "1", None, 200)  # after a gap: feedback never splits
    units, lineage = segment(s.rows)
    units.sort(key=lambda u: u["segment_index"])
    assert by_type(units) == ["qa", "qa"]
    assert [u["outcome"] for u in units] == ["success", "failure"]
    assert units[1]["event_ids"][-1] == s.rows[-1]["event_id"]
    assert_lineage_complete(s.rows, units, lineage)


def test_feedback_only_session_joins_the_same_session_in_another_source_or_becomes_a_fragment():
    s = Session("conv-9")
    s.user("hello?", 0)
    s.assistant("hi", 1)
    fb = Session("conv-9", source="feedback")
    fb.feedback("thumbs_up", "1", None, 5)
    lost = Session("nowhere", source="feedback")
    lost.feedback("thumbs_down", "-1", "unknown-msg", 5)
    rows = s.rows + fb.rows + lost.rows
    units, lineage = segment(rows)
    by_session = {u["session_id"]: u for u in units}
    assert by_session["conv-9"]["outcome"] == "success"
    assert by_session["conv-9"]["event_ids"][-1] == fb.rows[0]["event_id"]
    assert by_session["nowhere"]["unit_type"] == "fragment"
    assert messages(by_session["nowhere"]) == []
    assert_lineage_complete(rows, units, lineage)


def test_outcome_from_exit_status_and_rating_scales():
    s = Session()
    s.user("fix the failing test in utils.py", 0)
    s.call("bash", {"cmd": "pytest"}, "x", 1)
    s.result("x", "1 failed", 2, meta={"exit_status": "submitted"})
    unit = segment(s.rows)[0][0]
    assert (unit["outcome"], unit["outcome_source"]) == ("success", "status")
    assert unit["task_type"] == "debugging" and unit["domain"] == "software"
    s.rows[-1]["metadata"] = json.dumps({"exit_status": "exit_cost"})
    assert segment(s.rows)[0][0]["outcome"] == "failure"
    s.rows[-1]["metadata"] = json.dumps({"exit_status": 2})
    assert segment(s.rows)[0][0]["outcome"] == "failure"
    # feedback outranks status; a rating out of 10 is read on its scale
    s.feedback("rating", "9", None, 3, meta={"scale": 10})
    assert segment(s.rows)[0][0]["outcome_source"] == "feedback"
    assert segment(s.rows)[0][0]["outcome"] == "success"


def test_unit_ids_are_deterministic_and_independent_of_input_order():
    s = trajectory_session()
    other = Session("s2")
    other.user("hello?", 0)
    other.assistant("hi", 1)
    rows = s.rows + other.rows
    units_a, lineage_a = segment(rows)
    shuffled = rows[:]
    random.Random(7).shuffle(shuffled)
    units_b, lineage_b = segment(shuffled)
    assert units_a == units_b and lineage_a == lineage_b
    assert units_a[0]["unit_id"] == unit_id("agent", "traj-1", s.rows[0]["event_id"])
    # new events later in a session do not change the ids of the units already there
    s.user("Also, can you add a bag?", 500)
    s.assistant("Done.", 501)
    units_c, _ = segment(s.rows + other.rows)
    assert units_c[0]["unit_id"] == units_a[0]["unit_id"] and len(units_c) == 3


def test_duplicate_event_ids_are_kept_once():
    s = Session()
    s.user("hello?", 0)
    s.assistant("hi", 1)
    units, lineage = segment(s.rows + [dict(s.rows[1])])
    assert units[0]["n_events"] == 2
    assert_lineage_complete(s.rows, units, lineage)


def test_tables_follow_the_schemas_and_arrow_input_works():
    s = trajectory_session()
    table = pa.Table.from_pylist(s.rows, schema=SCHEMA)
    units, lineage = segment(table)
    assert units_table(units).schema == UNIT_SCHEMA
    assert lineage_table(lineage).schema == LINEAGE_SCHEMA
    assert units_table(units).num_rows == 1 and lineage_table(lineage).num_rows == len(s.rows)
    assert units == segment(s.rows)[0]


@pytest.mark.parametrize(("text", "lang"), [
    ("The quick brown fox jumps over the lazy dog and this is what you get.", "en"),
    ("Ich habe eine Frage zu meiner Rechnung, die nicht korrekt ist. Kannst du mir bitte helfen?", "de"),
    ("Je voudrais réserver une chambre pour deux nuits, est-ce que c'est possible avec vous ?", "fr"),
    ("Hola, quiero cambiar la fecha de mi vuelo para el martes, ¿es posible?", "es"),
    ("请帮我把这段代码改成异步的版本，并解释一下为什么。", "zh"),
    ("Помогите мне, пожалуйста, настроить VPN на ноутбуке.", "ru"),
    ("こんにちは、明日の天気を教えてください。", "ja"),
    ("Olá, você pode me ajudar com isso? Não consigo acessar a minha conta.", "pt"),
    ("Ciao, ho un problema con il mio ordine e non so come fare per questo.", "it"),
    ("ok", "und"),
    ("SELECT * FROM t", "und"),
])
def test_language_detection(text, lang):
    assert detect_language(text) == lang


def test_unit_language_comes_from_the_user_text():
    s = Session()
    s.user("Bonjour, je voudrais savoir comment ouvrir un compte pour mon entreprise, merci.", 0)
    s.assistant("Sure, here is how you open an account.", 1)
    assert segment(s.rows)[0][0]["language"] == "fr"


def test_task_and_domain_rules():
    assert classify_task("I get a TypeError traceback when I call my function") == "debugging"
    assert classify_task("Write a SQL query that joins orders and customers") == "data_query"
    assert classify_task("My laptop can't connect to the VPN") == "it_support"
    assert classify_task("Compare these two quarterly reports and summarize the trends") == "analysis"
    assert classify_task("Implement a python function to parse dates") == "coding"
    assert classify_task("Who wrote Hamlet?") == "question_answering"
    assert classify_task("Book it.", ["book_reservation"], has_tools=True) == "agent_task"
    assert classify_task("hmm") == "other"
    assert classify_domain("I need a refund for my order, the delivery was late") == "customer_support"
    assert classify_domain("How many vacation days (PTO) do employees get?") == "hr"
    assert classify_domain("Please send the invoice and the expense budget") == "finance"
    assert classify_domain("Tell me a joke") == "general"


def test_complexity_is_bounded_and_bucketed():
    assert complexity(0, 0, 0, 0, 0, False) == (0.0, "low")
    assert complexity(100, 50, 100, 50, 10**6, True) == (1.0, "high")
    low, _ = complexity(0, 0, 2, 0, 300, False)
    mid, mid_bucket = complexity(3, 2, 8, 0, 4000, False)
    high, high_bucket = complexity(8, 4, 20, 1, 15000, True)
    assert low < mid < high and (mid_bucket, high_bucket) == ("medium", "high")


def test_many_sessions_segment_independently():
    # speed is for `make bench`, not a test: this checks that sessions do not bleed into each other at volume
    rows = []
    for n in range(400):
        s = Session(f"s{n}", source="bulk")
        for k in range(5):
            minute = k * 40
            s.user(f"Question {k} about the database query plan, what is wrong?", minute)
            s.call("run_sql", {"q": "select 1"}, None, minute + 1)
            s.result(None, "1 row", minute + 2, error=k == 2)
            s.assistant("The plan scans the orders table.", minute + 3)
            s.feedback("thumbs_up", "1", None, minute + 4)
        rows.extend(s.rows)
    assert len(rows) == 10_000
    units, lineage = segment(rows)
    assert len(units) == 2_000 and len(lineage) == 10_000
    assert {u["unit_type"] for u in units} == {"trajectory"}
    assert sum(u["has_recovery"] for u in units) == 0 and sum(u["tool_errors"] for u in units) == 400


@pytest.mark.skipif(not PUBLIC.exists(), reason="public data samples are not here")
def test_tau_bench_trajectories_become_valid_units():
    data = json.loads((PUBLIC / "tau-bench" / "gpt-4o-airline.trial0.json").read_text())[:5]
    rows = []
    for record in data:
        s = Session(f"task-{record['task_id']}", source="tau", source_file="gpt-4o-airline.json")
        for msg in record["traj"]:
            role, text = msg["role"], msg.get("content") or ""
            if role == "tool":
                s.result(msg["tool_call_id"], text)
            elif role == "assistant":
                if text:
                    s.assistant(text)
                for i, call in enumerate(msg.get("tool_calls") or []):
                    s.call(call["function"]["name"], json.loads(call["function"]["arguments"]), call["id"],
                           same_turn=bool(text) or i > 0)
            else:
                s._add(role, "message", None, content=text)
        s.rows[-1]["metadata"] = json.dumps({"reward": record["reward"]})
        rows.extend(s.rows)
    units, lineage = segment(rows)
    assert len(units) == 5
    for unit, record in zip(sorted(units, key=lambda u: u["session_id"]),
                            sorted(data, key=lambda r: f"task-{r['task_id']}"), strict=True):
        calls = sum(len(m.get("tool_calls") or []) for m in record["traj"])
        assert unit["tool_calls"] == calls
        assert unit["unit_type"] == ("trajectory" if calls else "thread")
    assert [u["outcome"] for u in sorted(units, key=lambda u: u["session_id"])] == [
        "success" if r["reward"] >= 1 else "failure" for r in sorted(data, key=lambda r: f"task-{r['task_id']}")]
    for unit in units:
        assert_openai_form(unit)
        assert unit["domain"] == "travel" and unit["language"] == "en"
    assert_lineage_complete(rows, units, lineage)
