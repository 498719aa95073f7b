"""The demo chat/agent logs: deterministic, in every format's real shape, planted values where the manifest says, and
event counts that an independent reader of the files agrees with."""

from __future__ import annotations

import base64
import json
import re
import tracemalloc
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from python_assets.demo.company import generate_company
from python_assets.demo.logs import (
    CUSTOMERS,
    LOG_FORMATS,
    PLANTED_KINDS,
    PLANTED_WHERE,
    generate_logs,
    write_bench_logs,
)
from python_assets.logs.events import FEEDBACK_KINDS, ROLES

HEADER = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) (INFO|WARN|ERROR) +(.*)$")
ROLE_TAGS = re.compile(r"^\[session=([^\]]+)\] \[role=(user|assistant|tool_call|tool)\]")


@pytest.fixture(scope="module")
def company():
    return generate_company(seed=5, people=200)


@pytest.fixture(scope="module")
def logs(company, tmp_path_factory):
    root = tmp_path_factory.mktemp("logs")
    return root, generate_logs(company, root, sessions=240, seed=11)


# --- independent readers: count events from the files as the canonical model does --------------------------------


def _json_lines(path: Path):
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            yield json.loads(line)
        except json.JSONDecodeError:
            continue


def _chat_messages(messages) -> int:
    if not isinstance(messages, list):
        return 0
    n = 0
    for m in messages:
        role = m.get("role")
        if role not in ROLES:
            continue
        n += 1 if role == "tool" else bool(m.get("content")) + len(m.get("tool_calls") or ())
    return n


def _anthropic(record) -> int:
    if not isinstance(record.get("messages"), list):
        return 0
    n = int(bool(record.get("system")))
    for m in record["messages"]:
        if m.get("role") not in ("user", "assistant"):
            continue
        content = m["content"]
        if isinstance(content, str):
            n += bool(content)
            continue
        n += any(b["type"] == "text" for b in content) + sum(b["type"] in ("tool_use", "tool_result") for b in content)
    return n


def _app_log(path: Path) -> int:
    n = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        head = HEADER.match(line)
        if not head:
            continue
        try:
            datetime.strptime(head.group(1), "%Y-%m-%dT%H:%M:%S.%fZ")
        except ValueError:
            continue
        n += bool(ROLE_TAGS.match(head.group(3)))
    return n


def _feedback(path: Path) -> int:
    return sum(1 for r in _json_lines(path)
               if r.get("type") in FEEDBACK_KINDS and r.get("message_id") and r.get("session_id"))


def _otel_value(v: dict):
    if "arrayValue" in v:
        return [_otel_value(x) for x in v["arrayValue"].get("values", [])]
    (kind, value), = v.items()
    return int(value) if kind == "intValue" else value


def _spans(path: Path):
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return
    for rs in doc["resourceSpans"]:
        for ss in rs["scopeSpans"]:
            for span in ss["spans"]:
                if isinstance(span.get("attributes"), list):
                    yield span, {a["key"]: _otel_value(a["value"]) for a in span["attributes"]}


def _otel_parts(messages) -> int:
    n = 0
    for m in messages:
        types = [p["type"] for p in m["parts"]]
        n += ("text" in types) + types.count("tool_call") + types.count("tool_call_response")
    return n


def _indexed(attrs: dict, prefix: str) -> int:
    if attrs.get(f"{prefix}.role") == "tool":
        return 1
    calls = sum(1 for k in attrs if k.startswith(f"{prefix}.tool_calls.") and k.endswith(".name"))
    return bool(attrs.get(f"{prefix}.content")) + calls


def _otel(paths: list[Path]) -> int:
    last: dict[str, tuple[int, dict]] = {}  # conversation -> (end, attributes) of its last chat span
    for path in paths:
        for span, attrs in _spans(path):
            if attrs.get("gen_ai.operation.name") != "chat" and attrs.get("llm.request.type") != "chat":
                continue
            key = attrs.get("gen_ai.conversation.id") or span["traceId"]
            end = int(span["endTimeUnixNano"])
            if key not in last or end > last[key][0]:
                last[key] = (end, attrs)
    n = 0
    for _, attrs in last.values():
        if "gen_ai.prompt.0.role" in attrs:
            i = 0
            while f"gen_ai.prompt.{i}.role" in attrs:
                n += _indexed(attrs, f"gen_ai.prompt.{i}")
                i += 1
            n += _indexed(attrs, "gen_ai.completion.0")
            continue
        try:
            messages = json.loads(attrs["gen_ai.input.messages"]) + json.loads(attrs.get("gen_ai.output.messages",
                                                                                         "[]"))
        except json.JSONDecodeError:
            continue
        n += _otel_parts(messages)
    return n


def _swe(path: Path) -> int:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return 0
    return sum(2 if h.get("message_type") == "action" else 1 for h in record["history"] if h.get("role"))


def count_events(root: Path) -> dict[str, int]:
    files = {fmt: sorted((root / fmt).glob("*")) if (root / fmt).exists() else [] for fmt in LOG_FORMATS}
    tau = 0
    for path in files["tau_bench"]:
        try:
            tau += sum(_chat_messages(r["traj"]) for r in json.loads(path.read_text(encoding="utf-8")))
        except json.JSONDecodeError:
            continue
    return {
        "openai_chat": sum(_chat_messages(r.get("messages")) for p in files["openai_chat"] for r in _json_lines(p)),
        "anthropic": sum(_anthropic(r) for p in files["anthropic"] for r in _json_lines(p)),
        "tau_bench": tau,
        "swe_agent": sum(_swe(p) for p in files["swe_agent"]),
        "app_log": sum(_app_log(p) for p in files["app_log"]),
        "otel": _otel(files["otel"]),
        "feedback": sum(_feedback(p) for p in files["feedback"]),
    }


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _luhn(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(reversed(digits)))
    return total % 10 == 0


# --- the demo logs --------------------------------------------------------------------------------------------------


def test_same_seed_writes_byte_identical_files(company, tmp_path):
    generate_logs(company, tmp_path / "a", sessions=120, seed=3)
    generate_logs(company, tmp_path / "b", sessions=120, seed=3)
    generate_logs(company, tmp_path / "c", sessions=120, seed=4)
    a, b, c = _tree(tmp_path / "a"), _tree(tmp_path / "b"), _tree(tmp_path / "c")
    assert a == b
    assert len(a) > 20 and "planted.json" in a
    assert a["planted.json"] != c["planted.json"]


def test_regenerating_replaces_the_format_folders(company, tmp_path):
    generate_logs(company, tmp_path, sessions=240, seed=3)
    manifest = generate_logs(company, tmp_path, sessions=60, seed=3)
    on_disk = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert on_disk == sorted(["planted.json", *[f for files in manifest.files.values() for f in files]])


def test_every_format_has_files_sessions_and_events(logs):
    root, manifest = logs
    for fmt in LOG_FORMATS:
        listed = sorted(str(p.relative_to(root)) for p in (root / fmt).iterdir())
        assert listed == manifest.files[fmt], fmt
        assert manifest.events[fmt] > 0, fmt
    assert sum(manifest.sessions.values()) == 240
    assert manifest.sessions["openai_chat"] > manifest.sessions["anthropic"] > manifest.sessions["swe_agent"] > 0
    assert sum(manifest.events.values()) > 240 * 10


def test_event_counts_agree_with_an_independent_reader(logs):
    root, manifest = logs
    assert count_events(root) == manifest.events


def test_planted_json_is_the_manifest(logs):
    root, manifest = logs
    planted = json.loads((root / "planted.json").read_text(encoding="utf-8"))
    assert planted["planted"] == manifest.planted
    assert planted["malformed"] == manifest.malformed
    assert planted["events"] == manifest.events and planted["seed"] == 11


def test_every_planted_value_occurs_in_its_file(logs):
    root, manifest = logs
    texts = {}
    for p in manifest.planted:
        assert set(p) == {"kind", "value", "file", "session_id", "where"}
        text = texts.setdefault(p["file"], (root / p["file"]).read_text(encoding="utf-8"))
        assert p["value"] in text, p
        assert p["session_id"] in text or p["file"].startswith(("tau_bench/", "swe_agent/")), p
    kinds = Counter(p["kind"] for p in manifest.planted)
    assert set(kinds) == set(PLANTED_KINDS)
    assert set(PLANTED_WHERE) == {p["where"] for p in manifest.planted}
    by_format = {fmt: {p["where"] for p in manifest.planted if p["file"].startswith(fmt + "/")} for fmt in LOG_FORMATS}
    for fmt in ("openai_chat", "anthropic", "tau_bench", "app_log", "otel", "swe_agent"):
        assert {"text", "tool_arguments", "tool_result", "stack_trace"} <= by_format[fmt], fmt
    assert by_format["feedback"] == {"feedback"}


def test_planted_values_are_well_formed(logs, company):
    _, manifest = logs
    names = {p.display_name for p in company.people}
    for p in manifest.planted:
        kind, value = p["kind"], p["value"]
        if kind == "PERSON":
            assert value in names
        elif kind == "CUSTOMER":
            assert value in CUSTOMERS
        elif kind == "CREDIT_CARD":
            assert 15 <= sum(c.isdigit() for c in value) <= 16 and _luhn(value), value
        elif kind == "AWS_ACCESS_KEY":
            assert re.fullmatch(r"AKIA[A-Z2-7]{16}", value)
        elif kind == "GITHUB_TOKEN":
            assert re.fullmatch(r"ghp_[A-Za-z0-9]{36}", value)
        elif kind == "SLACK_TOKEN":
            assert re.fullmatch(r"xoxb-\d{12}-\d{13}-[A-Za-z0-9]{24}", value)
        elif kind == "JWT":
            header = value.split(".")[0]
            assert value.count(".") == 2
            assert json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))) == {"alg": "HS256",
                                                                                             "typ": "JWT"}
        elif kind == "EMAIL_ADDRESS":
            assert re.fullmatch(r"[^@\s]+@[a-z0-9.-]+\.[a-z]{2,}", value, re.I)
        elif kind == "IP_ADDRESS":
            assert re.fullmatch(r"(\d{1,3}\.){3}\d{1,3}|2001:db8:[0-9a-f:]+", value)
        elif kind == "PHONE_NUMBER":
            assert 10 <= sum(c.isdigit() for c in value) <= 13, value
    # US and international numbers, and the company's own people's addresses as well as outsiders'
    phones = [p["value"] for p in manifest.planted if p["kind"] == "PHONE_NUMBER"]
    assert any(v.startswith("+44") for v in phones) and any(v.startswith("(") for v in phones)
    emails = {p["value"] for p in manifest.planted if p["kind"] == "EMAIL_ADDRESS"}
    assert any(e.endswith("@acme.example") for e in emails) and any(e.endswith("@gmail.com") for e in emails)
    # URL secrets are query parameter values
    assert all(len(p["value"]) == 32 for p in manifest.planted if p["kind"] == "URL_SECRET")


def test_some_sessions_repeat_a_value(logs):
    _, manifest = logs
    repeats = Counter((p["session_id"], p["value"]) for p in manifest.planted if p["kind"] == "EMAIL_ADDRESS")
    twice = [k for k, n in repeats.items() if n >= 2]
    assert len(twice) >= 10
    wheres = {(p["session_id"], p["value"]): set() for p in manifest.planted}
    for p in manifest.planted:
        wheres[(p["session_id"], p["value"])].add(p["where"])
    assert any(len(wheres[k]) >= 2 for k in twice)  # the same address in the text and in a tool's arguments


def test_malformed_records_are_listed_for_every_format_and_are_malformed(logs):
    root, manifest = logs
    assert {m["file"].split("/")[0] for m in manifest.malformed} == set(LOG_FORMATS)
    for m in manifest.malformed:
        text = (root / m["file"]).read_text(encoding="utf-8")
        ref = m["ref"]
        if ref == "file":
            with pytest.raises(json.JSONDecodeError):
                json.loads(text)
        elif ref.startswith("line "):
            number, _, pointer = ref[5:].partition(" ")
            line = text.splitlines()[int(number) - 1]
            if m["file"].startswith("app_log/"):  # no header, no known role tags, or an hour past 23
                head = HEADER.match(line)
                assert not head or not ROLE_TAGS.match(head.group(3)) or head.group(1)[11:13] > "23", line
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                assert "invalid JSON" in m["why"]
                continue
            if pointer:
                *path, last = pointer.strip("/").split("/")
                node = record
                for key in path:
                    node = node[int(key)] if isinstance(node, list) else node[key]
                assert "role" not in node[int(last)]
            elif m["file"].startswith("feedback/"):
                assert record.get("type") not in FEEDBACK_KINDS or "message_id" not in record
            else:
                assert not isinstance(record["messages"], list)
        elif ref.startswith("span "):
            span = next(s for s in (x for rs in json.loads(text)["resourceSpans"] for ss in rs["scopeSpans"]
                                    for x in ss["spans"]) if s["spanId"] == ref[5:])
            attrs = span["attributes"]
            if isinstance(attrs, list):
                raw = next(a["value"]["stringValue"] for a in attrs if a["key"] == "gen_ai.input.messages")
                with pytest.raises(json.JSONDecodeError):
                    json.loads(raw)
        else:
            # "item N /traj/0" (a record of a JSON list) or "file /history/0" (the file is the record)
            record_ref, _, pointer = ref.partition(" /")
            node = json.loads(text)
            if record_ref.startswith("item "):
                node = node[int(record_ref[5:])]
            for key in pointer.split("/"):
                node = node[int(key)] if isinstance(node, list) else node[key]
            assert "role" not in node


def test_feedback_points_at_assistant_messages(logs, company):
    root, _ = logs
    answers, ids = {}, []
    for path in sorted((root / "openai_chat").glob("*.jsonl")) + sorted((root / "anthropic").glob("*.jsonl")):
        for record in _json_lines(path):
            if isinstance(record.get("messages"), list):
                for m in record["messages"]:
                    if m.get("role") == "assistant":
                        answers[(record["session_id"], m["id"])] = m["content"]
                        ids.append(m["id"])
    assert len(set(ids)) == len(ids) > 100  # native message ids, unique
    feedback = [r for p in sorted((root / "feedback").glob("*.jsonl")) for r in _json_lines(p)
                if r.get("type") in FEEDBACK_KINDS and r.get("message_id")]
    assert Counter(r["type"] for r in feedback).keys() == set(FEEDBACK_KINDS)
    people = {p.id for p in company.people}
    for r in feedback:
        assert answers[(r["session_id"], r["message_id"])], r  # the target has text
        assert r["user_id"] in people
        if r["type"] == "rating":
            assert 1 <= r["value"] <= 5
        elif r["type"] == "edit":
            assert isinstance(r["value"], str) and r["value"]
        else:
            assert r["value"] == (1 if r["type"] == "thumbs_up" else -1)


def test_records_belong_to_demo_people_inside_the_demo_range(logs, company):
    root, _ = logs
    people = {p.id for p in company.people}
    lo = datetime.combine(company.start, datetime.min.time(), tzinfo=UTC)
    hi = lo + timedelta(days=company.days)
    for path in sorted((root / "openai_chat").glob("*.jsonl")):
        for r in _json_lines(path):
            if r.get("user_id"):
                assert r["user_id"] in people
                assert lo <= datetime.fromtimestamp(r["created"], UTC) < hi
    for path in sorted((root / "anthropic").glob("*.jsonl")):
        for r in _json_lines(path):
            if r["metadata"]["user_id"]:
                assert r["metadata"]["user_id"] in people
                assert lo <= datetime.fromisoformat(r["created_at"]) < hi
    stamps = [HEADER.match(line).group(1) for p in sorted((root / "app_log").glob("*.log"))
              for line in p.read_text(encoding="utf-8").splitlines() if HEADER.match(line)]
    valid = [datetime.fromisoformat(s) for s in stamps if s[11:13] <= "23"]
    assert len(valid) == len(stamps) - 1 and all(lo <= s < hi for s in valid)
    for path in sorted((root / "otel").glob("traces-0*.json")):
        for span, _ in _spans(path):
            assert lo <= datetime.fromtimestamp(int(span["startTimeUnixNano"]) / 1e9, UTC) < hi


def test_app_log_errors_carry_tracebacks_with_credentials(logs):
    root, manifest = logs
    secrets = {p["value"] for p in manifest.planted if p["where"] == "stack_trace"
               and p["kind"] in ("AWS_ACCESS_KEY", "GITHUB_TOKEN", "SLACK_TOKEN", "JWT", "BEARER_TOKEN", "SECRET",
                                 "URL_SECRET")}
    errors = 0
    for path in sorted((root / "app_log").glob("*.log")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            head = HEADER.match(line)
            if head and head.group(2) == "ERROR":
                errors += 1
                assert head.group(3).endswith("Traceback (most recent call last):")
                block = []
                for follow in lines[i + 1:]:
                    if HEADER.match(follow):
                        break
                    block.append(follow)
                assert block[0].startswith("  File ") and not block[-1].startswith(" ")
                assert any(s in "\n".join(block) for s in secrets), block
    assert errors >= 5
    plain = [line for p in sorted((root / "app_log").glob("*.log")) for line in p.read_text().splitlines()
             if (h := HEADER.match(line)) and not h.group(3).startswith("[")]
    assert any("server started" in line for line in plain)


def test_agent_sessions_recover_from_tool_errors(logs):
    root, _ = logs
    recovered = 0
    for path in sorted((root / "anthropic").glob("*.jsonl")):
        for r in _json_lines(path):
            if not isinstance(r.get("messages"), list):
                continue
            calls, failed = {}, []
            for m in r["messages"]:
                for b in m["content"] if isinstance(m.get("content"), list) else ():
                    if b["type"] == "tool_use":
                        calls[b["id"]] = b["name"]
                        assert isinstance(b["input"], dict)
                    elif b["type"] == "tool_result":
                        name = calls[b["tool_use_id"]]
                        if b["is_error"]:
                            failed.append(name)
                        elif name in failed:
                            recovered += 1
                            failed.remove(name)
    assert recovered >= 5


def test_openai_chat_shape(logs):
    root, _ = logs
    shapes = Counter()
    for path in sorted((root / "openai_chat").glob("*.jsonl")):
        for r in _json_lines(path):
            if not isinstance(r.get("messages"), list) or not r["user_id"]:
                continue
            assert set(r) == {"session_id", "user_id", "created", "model", "messages", "usage"}
            assert r["usage"]["total_tokens"] == r["usage"]["prompt_tokens"] + r["usage"]["completion_tokens"]
            ids = set()
            for m in r["messages"]:
                shapes[(m["role"], type(m["content"]).__name__)] += 1
                for call in m.get("tool_calls", ()):
                    assert call["type"] == "function" and isinstance(json.loads(call["function"]["arguments"]), dict)
                    ids.add(call["id"])
                if m["role"] == "tool":
                    assert m["tool_call_id"] in ids
    assert shapes[("user", "list")] and shapes[("user", "str")] and shapes[("assistant", "NoneType")]


def test_otel_spans_follow_the_genai_conventions(logs):
    root, _ = logs
    chat = tools = deprecated = errors = 0
    for path in sorted((root / "otel").glob("traces-0*.json")):
        for span, attrs in _spans(path):
            op = attrs.get("gen_ai.operation.name")
            if op == "chat" and "gen_ai.output.messages" in attrs:
                chat += 1
                for message in json.loads(attrs["gen_ai.input.messages"]) + json.loads(attrs["gen_ai.output.messages"]):
                    assert message["role"] in ROLES
                    for part in message["parts"]:
                        assert part["type"] in ("text", "tool_call", "tool_call_response")
                        assert ("content" in part) if part["type"] == "text" else ("id" in part)
                        if part["type"] == "tool_call":
                            assert isinstance(part["arguments"], dict)
                assert attrs["gen_ai.usage.input_tokens"] > 0 and attrs["gen_ai.conversation.id"].startswith("conv_")
                assert span["kind"] == 3 and "parentSpanId" in span
            elif op == "execute_tool":
                tools += 1
                assert {"gen_ai.tool.name", "gen_ai.tool.call.id", "gen_ai.tool.call.arguments",
                        "gen_ai.tool.call.result"} <= set(attrs)
                if span["status"].get("code") == 2:
                    errors += 1
                    assert attrs["error.type"] and "Traceback" in attrs["gen_ai.tool.call.result"]
            elif "gen_ai.prompt.0.role" in attrs:
                deprecated += 1
                assert attrs["gen_ai.prompt.0.role"] == "system" and "gen_ai.completion.0.role" in attrs
    assert chat >= 20 and tools >= 20 and deprecated >= 3 and errors >= 2


def test_tau_bench_and_swe_agent_shapes(logs):
    root, _ = logs
    records = json.loads((root / "tau_bench" / "acme-helpdesk.trial0.json").read_text(encoding="utf-8"))
    valid = [r for r in records if all("role" in m for m in r["traj"])]
    assert len(valid) == len(records) - 1
    for r in valid:
        assert set(r) == {"task_id", "reward", "info", "traj", "trial"} and r["trial"] == 0
        assert r["info"]["task"]["instruction"].startswith("You are " + r["info"]["task"]["user_id"])
        assert r["traj"][0]["role"] == "system" and r["reward"] in (0.0, 1.0)
        names = {c["id"]: c["function"]["name"] for m in r["traj"] for c in m.get("tool_calls", ())}
        assert all(names[m["tool_call_id"]] == m["name"] for m in r["traj"] if m["role"] == "tool")
    assert [r["task_id"] for r in records] == list(range(len(records)))
    trajs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((root / "swe_agent").glob("acme__*-1*.traj"))]
    assert trajs
    for t in trajs:
        assert t["environment"] == "swe_main" and t["info"]["exit_status"] == "submitted"
        assert t["info"]["submission"].startswith("\ndiff --git")
        assert all(set(s) == {"action", "observation", "response", "thought", "state", "execution_time"}
                   for s in t["trajectory"])
        types = [h["message_type"] for h in t["history"]]
        assert types[:2] == ["system_prompt", "observation"] and types[-1] == "action"
        assert types.count("action") == len(t["trajectory"]) == types.count("observation")
        assert t["trajectory"][-1]["action"] == "submit\n"


# --- the bench corpus -----------------------------------------------------------------------------------------------


def test_bench_streams_the_requested_events(tmp_path):
    n = write_bench_logs(tmp_path, 20_000, seed=3)
    assert 20_000 <= n < 20_000 + 16  # stops after the session that reaches the count
    counted = count_events(tmp_path)
    assert sum(counted.values()) == n
    assert counted["openai_chat"] + counted["app_log"] > 0.7 * n
    assert all(counted[f] > 0 for f in ("anthropic", "tau_bench", "feedback"))
    users = [m["content"] for p in (tmp_path / "openai_chat").glob("*.jsonl") for r in _json_lines(p)
             for m in r["messages"] if m["role"] == "user"]
    lengths = sorted(len(u) for u in users)
    assert 200 <= lengths[len(lengths) // 2] <= 400
    joined = "\n".join(users[:500])
    for pattern in (r"[\w.]+@[\w.-]+\.\w+", r"AKIA[A-Z2-7]{16}", r"xoxb-", r"eyJ", r"token=[0-9a-f]{32}&page=2"):
        assert re.search(pattern, joined), pattern
    assert write_bench_logs(tmp_path / "again", 2_000, seed=3) == write_bench_logs(tmp_path / "twice", 2_000, seed=3)
    assert _tree(tmp_path / "again") == _tree(tmp_path / "twice")


def test_bench_memory_does_not_grow_with_the_corpus(tmp_path):
    peaks = []
    for events in (2_000, 12_000):
        tracemalloc.start()
        write_bench_logs(tmp_path / str(events), events, seed=3)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    written = sum(p.stat().st_size for p in (tmp_path / "12000").rglob("*") if p.is_file())
    assert written > 4_000_000
    assert peaks[1] - peaks[0] < written / 8, (peaks, written)  # written as it is made, not held
