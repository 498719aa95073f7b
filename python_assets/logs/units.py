"""Segmentation of redacted events into training units (qa, thread, trajectory) with their chat rendering, tags and
the lineage from each unit back to its raw records. Pure Python over rows of `raw_events`; no I/O.

Rules (tests/test_log_units.py holds one test per rule):
- Events are grouped by (source, session_id) and ordered by (turn_index, part_index, ts, event_id).
- A session splits into conversations before an event that is
    * a system message once the segment holds a non-system event,
    * marked {"boundary": true} in its metadata (the first event of the new conversation), or
    * a user or system message more than `gap_minutes` after the latest timestamped event before it.
  A gap before an assistant reply, a tool call or a tool result never splits (a late answer still answers).
- No split while a tool call is open: a call whose result comes later in the session keeps everything up to
  that result in its segment, across gaps and boundaries alike.
- Tool results pair with their call by tool_call_id; a result without one pairs with the earliest unanswered call
  before it (of the same tool when it names one).
- Feedback never splits. It joins the unit holding the event its feedback_target names (a record_id, or an
  event_id; same source and session first, then any source with the session, then a record_id unique in the
  whole input); else the segment it falls in; a feedback-only session joins the unit of the same session_id in
  another source that started last before it; else it forms a `fragment` unit.
- A unit is a `trajectory` when it holds a tool call or result, a `qa` with exactly one user message, a `thread`
  with more; a segment with no user message and no tool activity (a lone system prompt, assistant text with no
  prompt, unplaceable feedback) is a `fragment`, kept so that lineage stays complete; curation should skip it.
- Every input event is in exactly one unit (lineage event_ids == input event_ids); a repeated event_id is kept
  once. Feedback events and orphan tool results (no call in the unit) are in the lineage but not in the messages;
  the latter are named in `flags`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

import pyarrow as pa

from python_assets.logs.tags import metadata, unit_tags

UNIT_TYPES = ("qa", "thread", "trajectory", "fragment")

UNIT_SCHEMA = pa.schema([
    pa.field("unit_id", pa.string(), nullable=False),  # sha256(source, session_id, first event_id)[:32]
    pa.field("unit_type", pa.string(), nullable=False),  # UNIT_TYPES
    pa.field("source", pa.string(), nullable=False),
    pa.field("session_id", pa.string(), nullable=False),
    pa.field("segment_index", pa.int32(), nullable=False),  # the unit's position in its session (0-based)
    pa.field("event_ids", pa.list_(pa.string()), nullable=False),  # unit order; attached feedback last
    pa.field("n_events", pa.int32(), nullable=False),
    pa.field("messages_json", pa.string(), nullable=False),  # OpenAI chat messages, JSON array text
    pa.field("started_at", pa.timestamp("us", tz="UTC")),
    pa.field("ended_at", pa.timestamp("us", tz="UTC")),
    pa.field("task_type", pa.string(), nullable=False),  # tags.TASK_TYPES
    pa.field("domain", pa.string(), nullable=False),  # tags.DOMAINS
    pa.field("language", pa.string(), nullable=False),  # ISO 639-1, or 'und'
    pa.field("turns", pa.int32(), nullable=False),  # user + assistant messages
    pa.field("tool_calls", pa.int32(), nullable=False),
    pa.field("distinct_tools", pa.int32(), nullable=False),
    pa.field("hops", pa.int32(), nullable=False),
    pa.field("tool_errors", pa.int32(), nullable=False),
    pa.field("has_recovery", pa.bool_(), nullable=False),
    pa.field("outcome", pa.string(), nullable=False),  # success / failure / unknown
    pa.field("outcome_source", pa.string(), nullable=False),  # reward / feedback / status / none
    pa.field("latency_ms", pa.float64()),  # sum of known latencies; null when none is known
    pa.field("input_tokens", pa.int64()),
    pa.field("output_tokens", pa.int64()),
    pa.field("model", pa.string()),  # the most frequent model
    pa.field("text_chars", pa.int64(), nullable=False),
    pa.field("complexity_score", pa.float64(), nullable=False),  # [0, 1], tags.complexity
    pa.field("complexity_bucket", pa.string(), nullable=False),  # low / medium / high
    pa.field("flags", pa.list_(pa.string()), nullable=False),  # data-quality notes, e.g. orphan_tool_result
])

LINEAGE_SCHEMA = pa.schema([
    pa.field("unit_id", pa.string(), nullable=False),
    pa.field("session_id", pa.string(), nullable=False),  # the unit's session: the slice a re-segmentation replaces
    pa.field("event_id", pa.string(), nullable=False),
    pa.field("position", pa.int32(), nullable=False),  # index in the unit's event_ids
    pa.field("source", pa.string(), nullable=False),  # the event's own source (feedback may come from another)
    pa.field("source_file", pa.string(), nullable=False),
    pa.field("raw_ref", pa.string(), nullable=False),
])


class _Ev:
    """One input row with what segmentation reads from it, computed once."""

    __slots__ = ("row", "key", "ts", "kind", "role", "group", "call_id", "paired")

    def __init__(self, row: Mapping, group: tuple[str, str]):
        self.row = row
        self.group = group
        self.ts = _epoch(row.get("ts"))
        self.kind = row.get("kind") or "message"
        self.role = row.get("role") or ""
        if self.role == "tool" and self.kind == "message":
            self.kind = "tool_result"
        self.key = (_int(row.get("turn_index")), _int(row.get("part_index")), self.ts is None, self.ts or 0.0,
                    row["event_id"])
        self.call_id: str | None = None  # the id the chat rendering uses for a call, or for a result's call
        self.paired: _Ev | None = None  # a call's result / a result's call

    @property
    def is_conversational(self) -> bool:
        return self.kind in ("tool_call", "tool_result") or self.role in ("user", "assistant")


def _int(value) -> int:
    return value if isinstance(value, int) else 0


def _epoch(value) -> float | None:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    if isinstance(value, str) and value:
        try:
            return _epoch(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return None
    return None


def unit_id(source: str, session_id: str, first_event_id: str) -> str:
    """Stable while a session grows: new events never change which event a conversation starts with."""
    return hashlib.sha256(f"{source}\x1f{session_id}\x1f{first_event_id}".encode()).hexdigest()[:32]


def _pair_tool_results(evs: list[_Ev]) -> None:
    waiting: dict[int, _Ev] = {}  # unanswered calls in session order, keyed by position
    by_id: dict[str, list[int]] = {}  # ids can repeat in a session (some formats number calls per turn)
    for pos, ev in enumerate(evs):
        if ev.kind == "tool_call":
            ev.call_id = ev.row.get("tool_call_id") or f"call_{ev.row['event_id'][:16]}"
            waiting[pos] = ev
            by_id.setdefault(ev.call_id, []).append(pos)
        elif ev.kind == "tool_result":
            wanted = ev.row.get("tool_call_id")
            if wanted:
                if not by_id.get(wanted):
                    continue
                pos_call = by_id[wanted][0]
            else:
                name = ev.row.get("tool_name")
                pos_call = next((p for p, c in waiting.items() if name and c.row.get("tool_name") == name),
                                next(iter(waiting), None))
                if pos_call is None:
                    continue
            call = waiting.pop(pos_call)
            by_id[call.call_id].remove(pos_call)
            call.paired, ev.paired, ev.call_id = ev, call, call.call_id


def _split_session(evs: list[_Ev], gap_s: float) -> tuple[list[list[_Ev]], list[tuple[_Ev, int]]]:
    """Segments of one session's non-feedback events, and each feedback event with the segment it falls in."""
    segments: list[list[_Ev]] = []
    feedback: list[tuple[_Ev, int]] = []
    position = {id(ev): i for i, ev in enumerate(evs)}
    cur: list[_Ev] = []
    has_content = False
    latest: float | None = None
    open_until = -1  # the position of the last result still owed by a call in the current segment
    for i, ev in enumerate(evs):
        if ev.kind == "feedback":
            feedback.append((ev, len(segments)))
            continue
        if has_content and i > open_until:
            is_system = ev.role == "system" and ev.kind == "message"
            gap = (ev.role in ("user", "system") and ev.ts is not None and latest is not None
                   and ev.ts - latest > gap_s)
            if is_system or gap or metadata(ev.row, "boundary").get("boundary") is True:
                segments.append(cur)
                cur, has_content = [], False
        cur.append(ev)
        has_content = has_content or ev.role != "system"
        if ev.ts is not None:
            latest = ev.ts if latest is None else max(latest, ev.ts)
        if ev.kind == "tool_call" and ev.paired is not None:
            open_until = max(open_until, position[id(ev.paired)])
    if cur:
        segments.append(cur)
    return segments, feedback


class _Unit:
    __slots__ = ("group", "index", "own", "foreign", "first")

    def __init__(self, group: tuple[str, str], index: int, own: list[_Ev]):
        self.group, self.index, self.own, self.foreign = group, index, own, []
        self.first = own[0].row["event_id"]

    def events(self) -> list[_Ev]:
        own = sorted(self.own, key=lambda ev: ev.key)
        return own + self.foreign


def segment(events: Iterable[Mapping] | pa.Table, gap_minutes: int = 30) -> tuple[list[dict], list[dict]]:
    """(units, lineage) for events of any number of sessions in any order; rows as in UNIT_SCHEMA/LINEAGE_SCHEMA."""
    if isinstance(events, pa.Table):
        events = events.to_pylist()
    groups: dict[tuple[str, str], list[_Ev]] = {}
    seen: set[str] = set()
    for row in events:
        eid = row.get("event_id")
        if not eid:
            raise ValueError(f"event without an event_id (raw_events requires one): {row.get('raw_ref')!r}")
        if eid in seen:
            continue
        seen.add(eid)
        group = (row.get("source") or "", row.get("session_id") or "")
        groups.setdefault(group, []).append(_Ev(row, group))

    units: list[_Unit] = []
    placed: list[tuple[_Ev, int | None]] = []  # feedback and the unit of the segment it fell in
    for group in sorted(groups):
        evs = groups[group]
        evs.sort(key=lambda ev: ev.key)
        _pair_tool_results(evs)
        segments, feedback = _split_session(evs, gap_minutes * 60)
        base = len(units)
        units.extend(_Unit(group, i, seg) for i, seg in enumerate(segments))
        placed.extend((ev, base + min(seg, len(segments) - 1) if segments else None) for ev, seg in feedback)
    _attach_feedback(units, placed)

    out_units, lineage = [], []
    for unit in units:
        evs = unit.events()
        row = _unit_row(unit, evs)
        out_units.append(row)
        lineage.extend({"unit_id": row["unit_id"], "session_id": row["session_id"], "event_id": ev.row["event_id"],
                        "position": pos,
                        "source": ev.group[0], "source_file": ev.row.get("source_file") or "",
                        "raw_ref": ev.row.get("raw_ref") or ""}
                       for pos, ev in enumerate(evs))
    return out_units, lineage


def _attach_feedback(units: list[_Unit], placed: list[tuple[_Ev, int | None]]) -> None:
    targets = {ev.row.get("feedback_target") for ev, _ in placed} - {None, ""}
    by_ref: dict[tuple[str, str, str], int] = {}
    by_session_ref: dict[tuple[str, str], set[int]] = {}
    by_record: dict[str, set[int]] = {}
    for n, unit in enumerate(units if targets else ()):
        source, session = unit.group
        for ev in unit.own:
            for ref in (ev.row.get("record_id"), ev.row["event_id"]):
                if ref in targets:
                    by_ref.setdefault((source, session, ref), n)
                    by_session_ref.setdefault((session, ref), set()).add(n)
                    by_record.setdefault(ref, set()).add(n)
    by_session: dict[str, list[int]] = {}
    if any(fell_in is None for _, fell_in in placed):
        for n, unit in enumerate(units):
            if any(ev.is_conversational for ev in unit.own):
                by_session.setdefault(unit.group[1], []).append(n)

    orphans: dict[tuple[str, str], list[_Ev]] = {}
    for ev, fell_in in placed:
        source, session = ev.group
        target = ev.row.get("feedback_target")
        home = None
        if target:
            home = by_ref.get((source, session, target))
            if home is None:
                home = _only(by_session_ref.get((session, target)))
            if home is None:
                home = _only(by_record.get(target))
        if home is None and fell_in is None:
            home = _latest_before(units, by_session.get(session, []), ev.ts)
        if home is None and fell_in is not None:
            units[fell_in].own.append(ev)
        elif home is None:
            orphans.setdefault(ev.group, []).append(ev)
        elif units[home].group == ev.group:
            units[home].own.append(ev)
        else:
            units[home].foreign.append(ev)
    for group, evs in orphans.items():
        units.append(_Unit(group, 0, evs))


def _only(candidates: set[int] | None) -> int | None:
    return next(iter(candidates)) if candidates and len(candidates) == 1 else None


def _latest_before(units: list[_Unit], candidates: list[int], ts: float | None) -> int | None:
    if not candidates:
        return None
    starts = [(min((ev.ts for ev in units[n].own if ev.ts is not None), default=None), n) for n in candidates]
    if ts is not None:
        before = [(start, n) for start, n in starts if start is not None and start <= ts]
        if before:
            return max(before)[1]
    return candidates[-1]


def render_messages(evs: list[_Ev]) -> tuple[list[dict], list[str]]:
    """OpenAI chat messages of a unit's events, and flags for what could not be rendered faithfully.

    Chat form wants a call's results right after the assistant message that made it, so messages logged while
    calls were running (a user typing meanwhile) wait until the last of those results (flag reordered_messages).
    """
    messages: list[dict] = []
    waiting: list[dict] = []  # messages logged while calls were running
    pending: set[str] = set()  # call ids of `calling` whose results are still to come in this unit
    calling: dict | None = None  # the assistant message whose calls are running
    flags: set[str] = set()
    current: dict | None = None  # the assistant message events of the same turn still join
    current_turn = None
    present = {id(ev) for ev in evs}
    for ev in evs:
        row = ev.row
        if ev.kind == "feedback":
            continue
        if ev.kind == "tool_result":
            current = None
            if ev.paired is None or id(ev.paired) not in present:
                flags.add("orphan_tool_result")
                continue
            content = row.get("tool_result")
            messages.append({"role": "tool", "tool_call_id": ev.call_id,
                             "content": content if content is not None else row.get("content") or ""})
            pending.discard(ev.call_id)
            if not pending:
                calling = None
                messages.extend(waiting)
                waiting.clear()
            continue
        turn = row.get("turn_index")
        if ev.kind == "tool_call":
            if calling is not None:
                current = calling  # parallel calls, even when logged as separate messages
            elif current is None or (turn != current_turn and not current.get("tool_calls")):
                current = {"role": "assistant", "content": None}
                messages.append(current)
            current.setdefault("tool_calls", []).append({
                "id": ev.call_id, "type": "function",
                "function": {"name": row.get("tool_name") or "unknown", "arguments": row.get("tool_arguments") or "{}"},
            })
            if ev.paired is None or id(ev.paired) not in present:
                flags.add("unanswered_tool_call")
            else:
                pending.add(ev.call_id)
                calling = current
        else:
            target = waiting if pending else messages
            if pending:
                flags.add("reordered_messages")
            if ev.role == "assistant" and current is not None and turn == current_turn:
                current["content"] = "\n\n".join(filter(None, [current["content"], row.get("content")])) or None
            elif ev.role == "assistant":
                current = {"role": "assistant", "content": row.get("content") or None}
                target.append(current)
            else:
                current = None
                if ev.role not in ("system", "user"):
                    flags.add("unknown_role")
                target.append({"role": ev.role or "user", "content": row.get("content") or ""})
        current_turn = turn
    messages.extend(waiting)
    return messages, sorted(flags)


def _unit_type(evs: list[_Ev]) -> str:
    if any(ev.kind in ("tool_call", "tool_result") for ev in evs):
        return "trajectory"
    users = sum(1 for ev in evs if ev.role == "user" and ev.kind == "message")
    return "fragment" if users == 0 else "qa" if users == 1 else "thread"


def _unit_row(unit: _Unit, evs: list[_Ev]) -> dict:
    messages, flags = render_messages(evs)
    rows = [ev.row for ev in evs]
    tool_of = {ev.row["event_id"]: ev.paired.row.get("tool_name") for ev in evs
               if ev.kind == "tool_result" and ev.paired is not None and ev.paired.row.get("tool_name")}
    tags = unit_tags(rows, messages, tool_of)
    unit_type = _unit_type(evs)
    if unit_type == "qa" and not any(msg["role"] == "assistant" for msg in messages):
        flags.append("no_assistant_message")
    times = [ev.ts for ev in evs if ev.ts is not None and ev.kind != "feedback"]
    times = times or [ev.ts for ev in evs if ev.ts is not None]
    source, session = unit.group
    return {
        "unit_id": unit_id(source, session, unit.first),
        "unit_type": unit_type,
        "source": source,
        "session_id": session,
        "segment_index": unit.index,
        "event_ids": [row["event_id"] for row in rows],
        "n_events": len(rows),
        "messages_json": json.dumps(messages, ensure_ascii=False),
        "started_at": datetime.fromtimestamp(min(times), UTC) if times else None,
        "ended_at": datetime.fromtimestamp(max(times), UTC) if times else None,
        **tags,
        "flags": flags,
    }


def units_table(units: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(units, schema=UNIT_SCHEMA)


def lineage_table(lineage: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(lineage, schema=LINEAGE_SCHEMA)
