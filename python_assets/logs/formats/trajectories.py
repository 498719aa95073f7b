"""Agent trajectories to events: tau-bench historical trajectories (`parse_tau_bench`) and SWE-agent `.traj` files
(`parse_swe_agent`).

tau-bench: a JSON list of `{task_id, reward, info, traj, trial}`; each record is one session
("{file stem}/task{task_id}/trial{trial}": task ids repeat across the airline and retail files). `traj` goes through
the OpenAI message mapper of openai_chat, so tool calls and results keep their native ids, order and names. The
session's facts (task_id, trial, reward, info: the task instruction, expected actions, reward_info) are kept once, in
the first event's metadata under "session"; the simulated user's `info.task.user_id` is every event's user_id.

SWE-agent: one file is one session (id: the file stem). `history` is what the model saw, so it is the source when
present, one turn per item:
- an assistant item is a `message` event (its content, else its thought; a thought the content does not contain is
  kept in metadata) followed by its `tool_calls` (native ids and names), or, without them, one `tool_call` for its
  `action`: tool_name = the command's first word (`edit`, `find_file`, `python`), tool_arguments =
  {"command": action}, id "{session}/call{n}" (n counts calls in the session).
- a `tool` item, or a `user` item (message_type absent or "observation") that follows an unanswered call, is the
  `tool_result` of that call (its `tool_call_ids` when given, else the open call); other user items are messages.
- `is_demo` items are kept, flagged `is_demo` in metadata; `agent` and `message_type` are kept in metadata too.
- a call's `execution_time` comes from the `trajectory` step with the same position and the same action, as the
  result's latency_ms.
Without `history`, each `trajectory` step is an assistant message (its response, else its thought; turn 2n), a
`tool_call` of its action, and a `tool_result` of its observation (turn 2n+1, latency from execution_time, `state` in
metadata). `info.exit_status`, `info.submission`, `info.model_stats` and `environment` go in the first event's
metadata under "session"; the model is `replay_config.agent.model.name` when the file has it.
is_error on a tool result: `looks_like_error` (text starting with "Error"/"error"/"ERROR", or a JSON object with an
"error" value; see _common).

A malformed item (not an object, unknown role, bad content) quarantines the whole session: for SWE-agent that is
the file (raw_ref "file", the reason names the item), for tau-bench the record.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from python_assets.logs.events import Event, Quarantined, json_text
from python_assets.logs.formats._common import (
    BadRecord,
    RecordContext,
    as_text_id,
    flatten,
    looks_like_error,
    read_file,
    records,
)
from python_assets.logs.formats.openai_chat import message_events, tool_call_fields

SWE_ROLES = frozenset({"system", "user", "assistant", "tool"})


def parse_tau_bench(path: Path) -> Iterator[Event | Quarantined]:
    return records(path, _tau_record)


def _tau_record(record: dict, ctx: RecordContext) -> list[Event]:
    traj = record.get("traj")
    if traj is None:
        raise BadRecord("no `traj` in the record")
    task_id, trial = record.get("task_id"), record.get("trial")
    session_id = ctx.default_session if task_id is None else f"{ctx.path.stem}/task{task_id}/trial{trial}"
    info = record.get("info")
    task = info.get("task") if isinstance(info, dict) else None
    user_id = as_text_id(task.get("user_id")) if isinstance(task, dict) else None
    session_meta = {k: v for k, v in record.items() if k != "traj"}
    return message_events(traj, ctx, "traj", session_id, user_id=user_id, session_meta=session_meta)


def parse_swe_agent(path: Path) -> Iterator[Event | Quarantined]:
    text = read_file(path)
    if isinstance(text, Quarantined):
        yield text
        return
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Quarantined("file", f"invalid JSON: {exc}", text)
        return
    try:
        if not isinstance(doc, dict):
            raise BadRecord(f"the file holds a {type(doc).__name__}, not a trajectory object")
        events = _swe_events(doc, path.stem)
    except BadRecord as exc:
        yield Quarantined("file", str(exc), text)
        return
    yield from events


def _swe_events(doc: dict, session_id: str) -> list[Event]:
    history, steps = doc.get("history"), doc.get("trajectory")
    if history is not None and not isinstance(history, list):
        raise BadRecord("/history: not a list")
    if steps is not None and not isinstance(steps, list):
        raise BadRecord("/trajectory: not a list")
    if history is None and steps is None:
        raise BadRecord("neither `history` nor `trajectory` in the file")
    model = _model(doc.get("replay_config"))
    if history is not None:
        events = _history(history, steps or [], session_id, model)
    else:
        events = _trajectory(steps, session_id, model)
    info = doc.get("info") if isinstance(doc.get("info"), dict) else {}
    session_meta = {k: info[k] for k in ("exit_status", "submission", "model_stats") if k in info}
    if doc.get("environment") is not None:
        session_meta["environment"] = doc["environment"]
    if session_meta and events:
        events[0].metadata["session"] = session_meta
    return events


def _history(history: list, steps: list, session_id: str, model: str | None) -> list[Event]:
    events: list[Event] = []
    call_names: dict[str, str] = {}
    open_calls: list[str] = []
    latency: dict[str, float] = {}
    n_calls = n_actions = 0
    for i, m in enumerate(history):
        where = f"/history/{i}"
        if not isinstance(m, dict):
            raise BadRecord(f"{where}: item is {type(m).__name__}, not an object")
        role = m.get("role")
        if role not in SWE_ROLES:
            raise BadRecord(f"{where}: item has no role" if role is None else f"{where}: unknown role {role!r}")
        text, other = flatten(m.get("content"), where)
        meta = {k: m[k] for k in ("agent", "message_type") if m.get(k) is not None}
        if m.get("is_demo"):
            meta["is_demo"] = True
        if other:
            meta["non_text_parts"] = other
        rid = f"h{i}"
        if role == "assistant":
            thought = m.get("thought")
            if isinstance(thought, str) and thought:
                if not text:
                    text = thought
                elif thought not in text:
                    meta["thought"] = thought
            calls, action = m.get("tool_calls"), m.get("action")
            if calls is not None and not isinstance(calls, list):
                raise BadRecord(f"{where}: tool_calls is {type(calls).__name__}, not a list")
            events.append(Event(session_id, rid, where, role, "message", i, 0, content=text, model=model,
                                metadata=meta))
            open_calls = []
            if calls:
                for k, call in enumerate(calls):
                    call_id, name, args, call_meta = tool_call_fields(
                        call, f"{where}/tool_calls/{k}", f"{session_id}/call{n_calls}"
                    )
                    events.append(Event(session_id, rid, where, role, "tool_call", i, k + 1, tool_call_id=call_id,
                                        tool_name=name, tool_arguments=args, model=model, metadata=call_meta))
                    call_names[call_id] = name
                    open_calls.append(call_id)
                    n_calls += 1
            elif isinstance(action, str):
                call_id, name = f"{session_id}/call{n_calls}", _command(action)
                events.append(Event(session_id, rid, where, role, "tool_call", i, 1, tool_call_id=call_id,
                                    tool_name=name, tool_arguments=json_text({"command": action}), model=model))
                if name:
                    call_names[call_id] = name
                open_calls.append(call_id)
                n_calls += 1
            if isinstance(action, str):
                seconds = _execution_time(steps, n_actions, action)
                if seconds is not None and open_calls:
                    latency[open_calls[0]] = seconds * 1000
                n_actions += 1
        elif role == "tool" or (role == "user" and open_calls and m.get("message_type") in (None, "observation")):
            ids = m.get("tool_call_ids")
            if isinstance(ids, list) and ids:
                call_id = str(ids[0])
                if len(ids) > 1:
                    meta["tool_call_ids"] = ids  # one observation answering several calls: linked to the first
                if call_id in open_calls:
                    open_calls.remove(call_id)
            else:
                call_id = open_calls.pop(0) if open_calls else None
            if role == "user":
                meta["source_role"] = "user"
            events.append(Event(
                session_id, rid, where, "tool", "tool_result", i, 0, content=text,
                tool_call_id=call_id, tool_name=call_names.get(call_id) if call_id else None, tool_result=text,
                is_error=looks_like_error(text), latency_ms=latency.pop(call_id, None) if call_id else None,
                model=model, metadata=meta,
            ))
        else:
            events.append(Event(session_id, rid, where, role, "message", i, 0, content=text, model=model,
                                metadata=meta))
    return events


def _trajectory(steps: list, session_id: str, model: str | None) -> list[Event]:
    events: list[Event] = []
    for n, step in enumerate(steps):
        where = f"/trajectory/{n}"
        if not isinstance(step, dict):
            raise BadRecord(f"{where}: step is {type(step).__name__}, not an object")
        rid = f"t{n}"
        response, thought, action = step.get("response"), step.get("thought"), step.get("action")
        text = response if isinstance(response, str) and response else thought if isinstance(thought, str) else None
        events.append(Event(session_id, rid, where, "assistant", "message", 2 * n, 0, content=text, model=model))
        call_id = None
        if isinstance(action, str):
            call_id = f"{session_id}/call{n}"
            events.append(Event(session_id, rid, where, "assistant", "tool_call", 2 * n, 1, tool_call_id=call_id,
                                tool_name=_command(action), tool_arguments=json_text({"command": action}),
                                model=model))
        if "observation" in step:
            observation, _ = flatten(step["observation"], f"{where}/observation")
            seconds = step.get("execution_time")
            state = step.get("state")
            events.append(Event(
                session_id, f"{rid}/observation", f"{where}/observation", "tool", "tool_result", 2 * n + 1, 0,
                content=observation, tool_call_id=call_id, tool_name=_command(action) if call_id else None,
                tool_result=observation, is_error=looks_like_error(observation),
                latency_ms=seconds * 1000 if isinstance(seconds, int | float) else None, model=model,
                metadata={"state": state} if state else {},
            ))
    return events


def _command(action: str) -> str | None:
    """A shell-style action's tool: its first word ("edit 4:4 ..." -> "edit")."""
    words = action.split(None, 1)
    return words[0] if words else None


def _execution_time(steps: list, n: int, action: str) -> float | None:
    """The n-th trajectory step's execution_time, when that step ran this same action (versions differ in whether
    history and trajectory line up, so a mismatch gives no latency rather than a wrong one)."""
    if n >= len(steps) or not isinstance(steps[n], dict):
        return None
    step = steps[n]
    seconds = step.get("execution_time")
    if not isinstance(seconds, int | float) or str(step.get("action")).strip() != action.strip():
        return None
    return float(seconds)


def _model(replay_config: object) -> str | None:
    if isinstance(replay_config, str):
        try:
            replay_config = json.loads(replay_config)
        except json.JSONDecodeError:
            return None
    try:
        name = replay_config["agent"]["model"]["name"]
    except (KeyError, TypeError):
        return None
    return name if isinstance(name, str) else None
