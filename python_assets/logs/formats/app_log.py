"""Plain-text application logs: one conversation event per log line, read with a configurable line grammar.

Default grammar (`DEFAULT_LINE_REGEX`), one entry per line:

    2026-01-05T09:12:33.120Z INFO  [session=abc123] [role=user] How do I reset my VPN?
    2026-01-05T09:12:34.900Z INFO  [session=abc123] [role=assistant] [model=gpt-4o] [latency_ms=812] You can ...
    2026-01-05T09:12:35.000Z INFO  [session=abc123] [role=tool_call] [tool=search_kb] [call=c1] {"query": "vpn"}
    2026-01-05 09:12:35,400 ERROR [session=abc123] [role=tool] [tool=search_kb] [call=c1] Traceback ...

- timestamp: ISO 8601 with `Z` or an offset, or `YYYY-MM-DD HH:MM:SS[,.]mmm` (no zone: taken as UTC);
- level: DEBUG, INFO, WARN, WARNING, ERROR, CRITICAL or FATAL; ERROR/CRITICAL/FATAL set `is_error`;
- `[key=value]` tags: session, role, tool, call, model, latency_ms, user, msg (the message's native id),
  input_tokens, output_tokens (aliases in `TAG_ALIASES`); any other tag goes to `metadata`;
- the rest of the line is the message. Lines that do not start a new entry (a stack trace, a multi-line answer)
  belong to the previous entry's message.

Roles: user, assistant, system -> messages; `tool_call` -> kind tool_call (role assistant; the message is the
arguments); `tool` / `tool_result` -> kind tool_result (role tool; the message is the result).

Nothing is dropped silently, every entry is an Event or a Quarantined:
- an entry without a role tag (`INFO server started`) is an operational line, not a conversation event: it is
  Quarantined with reason "no role tag: not a conversation event", so `entries = events + quarantined`;
- a role without a session tag, an unknown role, an unreadable timestamp, a line that starts with a timestamp but
  does not match the grammar, and continuation lines before the first entry are Quarantined with the reason.

`record_id` is the `msg` tag (a native id, so feedback can point at it) unless missing or already used in the file,
else `L{line}`; `raw_ref` is "line N" (the entry's first line); `turn_index` counts each session's entries in line
order.

Other grammars: `make_parser(line_regex, timestamp_format=None)` returns a parse function. The regex is matched
against each line (`re.match`, so it is anchored at the start) and must have the named groups `ts` and `message`;
`level` and `tags` are optional. `tags` is read as `[key=value]` or bare `key=value` tokens. Named groups called like
a tag (`session`, `role`, `tool`, `call`, `model`, `latency_ms`, `user`, `msg`, ...) are tags too. With
`timestamp_format` the `ts` group is read with `datetime.strptime` (a naive result is UTC); without, as ISO 8601.
A line the regex does not match is a continuation line, unless it starts with an ISO date (then it is Quarantined
as malformed).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from python_assets.logs.events import Event, Quarantined

DEFAULT_LINE_REGEX = (
    r"(?P<ts>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)\s+"
    r"(?P<level>DEBUG|INFO|WARN|WARNING|ERROR|CRITICAL|FATAL)\s+"
    r"(?P<tags>(?:\[[A-Za-z_][\w.-]*=[^\]]*\]\s*)*)"
    r"(?P<message>.*)"
)

TAG_ALIASES = {
    "session": "session", "session_id": "session", "conversation": "session", "conversation_id": "session",
    "role": "role",
    "tool": "tool", "tool_name": "tool",
    "call": "call", "call_id": "call", "tool_call_id": "call",
    "model": "model",
    "latency_ms": "latency_ms", "latency": "latency_ms",
    "user": "user", "user_id": "user",
    "msg": "msg", "msg_id": "msg", "message_id": "msg", "id": "msg",
    "input_tokens": "input_tokens", "output_tokens": "output_tokens",
}

ROLE_KINDS = {  # role tag -> (Event.role, Event.kind)
    "user": ("user", "message"),
    "assistant": ("assistant", "message"),
    "system": ("system", "message"),
    "tool_call": ("assistant", "tool_call"),
    "tool": ("tool", "tool_result"),
    "tool_result": ("tool", "tool_result"),
}

ERROR_LEVELS = frozenset({"ERROR", "CRITICAL", "FATAL"})
NO_ROLE = "no role tag: not a conversation event"

_TAG = re.compile(r"\[([A-Za-z_][\w.-]*)=([^\]]*)\]|([A-Za-z_][\w.-]*)=(\S+)")
_ISO_START = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


Parser = Callable[[Path], Iterator[Event | Quarantined]]


def make_parser(line_regex: str, timestamp_format: str | None = None) -> Parser:
    """A parse function for another line grammar (the contract is in the module docstring)."""
    try:
        line_re = re.compile(line_regex)
    except re.error as exc:
        raise ValueError(f"bad line_regex: {exc}") from None
    missing = {"ts", "message"} - set(line_re.groupindex)
    if missing:
        raise ValueError(f"line_regex needs the named groups ts and message (missing: {', '.join(sorted(missing))})")
    tag_groups = tuple(g for g in line_re.groupindex if g in TAG_ALIASES)
    has_level = "level" in line_re.groupindex
    has_tags = "tags" in line_re.groupindex

    if timestamp_format is None:
        def read_ts(text: str) -> datetime:
            parsed = datetime.fromisoformat(text)  # `_common.to_utc`'s rule, minus its checks: this is the hot path
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    else:
        def read_ts(text: str) -> datetime:
            parsed = datetime.strptime(text, timestamp_format)
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)

    def parse_log(path: Path) -> Iterator[Event | Quarantined]:
        try:
            handle = open(path, encoding="utf-8", errors="replace", newline=None)
        except OSError as exc:
            yield Quarantined("file", f"unreadable file: {exc}")
            return
        turns: dict[str, int] = {}
        used_ids: set[str] = set()
        entry: tuple[int, re.Match] | None = None
        extra: list[str] = []
        with handle:
            for lineno, line in enumerate(handle, 1):
                line = line.rstrip("\r\n")
                match = line_re.match(line)
                if match is None:
                    if entry is not None and not _ISO_START.match(line):
                        extra.append(line)
                        continue
                    if not line.strip():
                        continue  # blank lines before the first entry are not records
                if entry is not None:
                    yield _entry(entry[0], entry[1], extra, turns, used_ids, read_ts, tag_groups, has_level, has_tags)
                    entry, extra = None, []
                if match is None:
                    if _ISO_START.match(line):
                        reason = "line starts with a timestamp but does not match the log grammar"
                    else:
                        reason = "continuation line with no log line before it"
                    yield Quarantined(f"line {lineno}", reason, line)
                    continue
                entry = (lineno, match)
            if entry is not None:
                yield _entry(entry[0], entry[1], extra, turns, used_ids, read_ts, tag_groups, has_level, has_tags)

    return parse_log


def _entry(lineno, match, extra, turns, used_ids, read_ts, tag_groups, has_level, has_tags) -> Event | Quarantined:
    tags: dict[str, str] = {}
    other: dict[str, str] = {}
    if has_tags:
        for bracket_key, bracket_value, bare_key, bare_value in _TAG.findall(match.group("tags") or ""):
            key, value = (bracket_key, bracket_value) if bracket_key else (bare_key, bare_value)
            name = TAG_ALIASES.get(key) or TAG_ALIASES.get(key.lower())
            if name is None:
                other[key] = value.strip()
            else:
                tags[name] = value.strip()
    for group in tag_groups:
        value = match.group(group)
        if value:
            tags[TAG_ALIASES[group]] = value.strip()

    role_tag = tags.get("role")
    session = tags.get("session")
    role_kind = ROLE_KINDS.get(role_tag) or ROLE_KINDS.get(role_tag.lower()) if role_tag else None
    reason = None
    if not role_tag:
        reason = NO_ROLE
    elif role_kind is None:
        reason = f"unknown role {role_tag!r} (known: {', '.join(ROLE_KINDS)})"
    elif not session:
        reason = "no session tag"
    else:
        try:
            ts = read_ts(match.group("ts"))
        except ValueError as exc:
            reason = f"bad timestamp: {exc}"
    if reason is not None:
        return Quarantined(f"line {lineno}", reason, "\n".join([match.group(0), *extra]))

    message = match.group("message")
    if extra:
        message = "\n".join([message, *extra]).rstrip()
    level = (match.group("level") or "").upper() if has_level else ""
    metadata: dict = {"level": level} if level else {}
    latency = tokens_in = tokens_out = None
    if "latency_ms" in tags or "input_tokens" in tags or "output_tokens" in tags:
        latency = _number(tags, "latency_ms", float, metadata)
        tokens_in = _number(tags, "input_tokens", int, metadata)
        tokens_out = _number(tags, "output_tokens", int, metadata)
    if other:
        metadata["tags"] = other

    msg_id = tags.get("msg")
    if msg_id and msg_id not in used_ids:
        used_ids.add(msg_id)
        record_id = msg_id
    else:
        record_id = f"L{lineno}"
        if msg_id:
            metadata["msg"] = msg_id
    turn = turns.get(session, 0)
    turns[session] = turn + 1

    role, kind = role_kind
    return Event(
        session_id=session,
        record_id=record_id,
        raw_ref=f"line {lineno}",
        role=role,
        kind=kind,
        turn_index=turn,
        ts=ts,
        content=message if kind != "tool_call" else None,
        tool_call_id=tags.get("call"),
        tool_name=tags.get("tool"),
        tool_arguments=message if kind == "tool_call" else None,
        tool_result=message if kind == "tool_result" else None,
        is_error=level in ERROR_LEVELS,
        model=tags.get("model"),
        latency_ms=latency,
        input_tokens=tokens_in,
        output_tokens=tokens_out,
        user_id=tags.get("user"),
        metadata=metadata,
    )


def _number(tags: dict, name: str, kind: type, metadata: dict):
    text = tags.get(name)
    if text is None:
        return None
    try:
        return kind(text)
    except ValueError:
        metadata[f"bad_{name}"] = text  # a bad number should not cost the message
        return None


parse = make_parser(DEFAULT_LINE_REGEX)
parse.__doc__ = "Read a log in the default grammar (`DEFAULT_LINE_REGEX`, see the module docstring)."
