"""Log files -> the raw zone: find each configured source's new or changed files, parse them into canonical
events, and write events, quarantined records and the file manifest per batch of files, idempotently.

A file is identified by (source, path under the source's root) and versioned by its SHA-256: an unchanged file is
never read again, a changed one replaces every row it wrote before (one Delta commit per table and batch), and
re-ingesting the same bytes writes the same rows (ids come from where an event is, not when it was read).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from python_assets.lake import tables
from python_assets.logs import events as ev
from python_assets.logs.formats import FORMATS, parser

log = logging.getLogger(__name__)

EVENTS = "raw/logs/events"
QUARANTINE = "raw/logs/quarantine"
FILES = "raw/logs/files"

QUARANTINE_SCHEMA = pa.schema([
    pa.field("source", pa.string(), nullable=False),
    pa.field("source_file", pa.string(), nullable=False),
    pa.field("file_sha256", pa.string(), nullable=False),
    pa.field("raw_ref", pa.string(), nullable=False),
    pa.field("reason", pa.string(), nullable=False),
    pa.field("payload_sha256", pa.string(), nullable=False),  # the payload itself may hold PII: never stored
])
FILES_SCHEMA = pa.schema([
    pa.field("source", pa.string(), nullable=False),
    pa.field("source_file", pa.string(), nullable=False),
    pa.field("format", pa.string(), nullable=False),
    pa.field("file_sha256", pa.string(), nullable=False),
    pa.field("size_bytes", pa.int64(), nullable=False),
    pa.field("mtime_ns", pa.int64(), nullable=False),
    pa.field("records", pa.int64(), nullable=False),  # records read = loaded + quarantined
    pa.field("records_loaded", pa.int64(), nullable=False),
    pa.field("records_quarantined", pa.int64(), nullable=False),
    pa.field("events", pa.int64(), nullable=False),
    pa.field("sessions", pa.int64(), nullable=False),
    pa.field("ingested_at", pa.timestamp("us", tz="UTC"), nullable=False),
    pa.field("run_id", pa.string(), nullable=False),
])


@dataclass(frozen=True)
class LogSource:
    """A configured source: every file under `root` matching `glob` is in `format`."""

    name: str
    root: Path
    glob: str
    format: str

    def files(self) -> list[Path]:
        if not self.root.is_dir():
            raise FileNotFoundError(f"log source {self.name!r}: folder {self.root} does not exist")
        return sorted(p for p in self.root.glob(self.glob) if p.is_file())


def sources_from_config(config: str | list, base: Path | None = None) -> list[LogSource]:
    """Sources from JSON (text or parsed): `[{"name", "path", "glob", "format"}, ...]`; relative paths are under
    `base`. A bad entry is an error that names it: a misconfigured source must not be skipped quietly."""
    entries = json.loads(config) if isinstance(config, str) else config
    if not isinstance(entries, list):
        raise ValueError("log sources: expected a JSON list of {name, path, glob, format}")
    out, seen = [], set()
    for i, entry in enumerate(entries):
        missing = [k for k in ("name", "path", "format") if not (isinstance(entry, dict) and entry.get(k))]
        if missing:
            raise ValueError(f"log source #{i}: missing {', '.join(missing)}")
        if entry["format"] not in FORMATS:
            raise ValueError(f"log source {entry['name']!r}: unknown format {entry['format']!r}; "
                             f"known: {', '.join(sorted(FORMATS))}")
        if entry["name"] in seen:
            raise ValueError(f"log source {entry['name']!r} is configured twice")
        seen.add(entry["name"])
        root = Path(entry["path"]).expanduser()
        if not root.is_absolute() and base is not None:
            root = base / root
        out.append(LogSource(entry["name"], root, entry.get("glob") or "**/*", entry["format"]))
    return out


@dataclass(frozen=True)
class LogFile:
    source: LogSource
    path: Path
    rel: str  # posix path under the source's root: the file's identity
    size: int
    mtime_ns: int
    sha256: str


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest() -> dict[tuple[str, str], dict]:
    """(source, source_file) -> the manifest row of the file's version last ingested."""
    table = tables.read_table(FILES)
    if table is None:
        return {}
    return {(r["source"], r["source_file"]): r for r in table.to_pylist()}


def pending_files(sources: Iterable[LogSource], only: Iterable[str] | None = None) -> list[LogFile]:
    """Files that are new or whose content changed since they were last ingested. Size and mtime decide
    cheaply; a file that looks changed is hashed, and only a different hash makes it pending. `only`: limit to
    these "source:relative/path" names (a sensor's micro-batch)."""
    known = manifest()
    wanted = set(only) if only is not None else None
    out = []
    for source in sources:
        for path in source.files():
            rel = path.relative_to(source.root).as_posix()
            if wanted is not None and f"{source.name}:{rel}" not in wanted:
                continue
            stat = path.stat()
            row = known.get((source.name, rel))
            if row and row["size_bytes"] == stat.st_size and row["mtime_ns"] == stat.st_mtime_ns:
                continue
            sha = _sha256(path)
            if row and row["file_sha256"] == sha:
                continue  # touched, not changed
            out.append(LogFile(source, path, rel, stat.st_size, stat.st_mtime_ns, sha))
    return out


def record_of(raw_ref: str) -> str:
    """The raw record a raw_ref points into: "line 12 /messages/3" -> "line 12" (a line, an item, a span, or
    "file" when the file is the record)."""
    return raw_ref.split(" /", 1)[0]


@dataclass
class FileResult:
    file: LogFile
    events: int = 0
    sessions: set = field(default_factory=set)
    quarantined: int = 0
    reasons: dict = field(default_factory=dict)
    loaded_records: set = field(default_factory=set)
    quarantined_records: set = field(default_factory=set)

    @property
    def received(self) -> int:
        """Records read: each is loaded (all its events) or quarantined, never both."""
        return len(self.loaded_records | self.quarantined_records)

    @property
    def reconciles(self) -> bool:
        return self.received == len(self.loaded_records) + len(self.quarantined_records)


def _utc(ts: datetime | None) -> datetime | None:
    if ts is None:
        return None
    if ts.tzinfo is None:
        raise ValueError("timestamp without a timezone")
    return ts.astimezone(UTC)


def _row(file: LogFile, event: ev.Event) -> dict:
    if event.role not in ev.ROLES:
        raise ValueError(f"unknown role {event.role!r}")
    if event.kind not in ev.KINDS:
        raise ValueError(f"unknown kind {event.kind!r}")
    if not event.session_id:
        raise ValueError("no session id")
    return {
        "event_id": ev.event_id(file.source.name, file.rel, event.record_id, event.part_index),
        "source": file.source.name,
        "format": file.source.format,
        "source_file": file.rel,
        "file_sha256": file.sha256,
        "session_id": event.session_id,
        "record_id": event.record_id,
        "raw_ref": event.raw_ref,
        "turn_index": event.turn_index,
        "part_index": event.part_index,
        "ts": _utc(event.ts),
        "role": event.role,
        "kind": event.kind,
        "content": event.content,
        "tool_call_id": event.tool_call_id,
        "tool_name": event.tool_name,
        "tool_arguments": event.tool_arguments,
        "tool_result": event.tool_result,
        "is_error": bool(event.is_error),
        "model": event.model,
        "latency_ms": event.latency_ms,
        "input_tokens": event.input_tokens,
        "output_tokens": event.output_tokens,
        "feedback_kind": event.feedback_kind,
        "feedback_value": event.feedback_value,
        "feedback_target": event.feedback_target,
        "user_id": event.user_id,
        "metadata": json.dumps(event.metadata, ensure_ascii=False, sort_keys=True, default=str)
        if event.metadata else None,
    }


def _quarantine_row(file: LogFile, raw_ref: str, reason: str, payload: str) -> dict:
    return {"source": file.source.name, "source_file": file.rel, "file_sha256": file.sha256, "raw_ref": raw_ref,
            "reason": reason, "payload_sha256": hashlib.sha256(payload.encode("utf-8", "replace")).hexdigest()}


def read_file(file: LogFile, result: FileResult) -> Iterator[dict | tuple[str, str, str]]:
    """Parse one file: event rows (dicts), or (raw_ref, reason, payload) for what is quarantined. A parser that
    raises quarantines the rest of the file with the error rather than failing the batch."""
    seen: set[tuple[str, int]] = set()
    try:
        for item in parser(file.source.format)(file.path):
            if isinstance(item, ev.Quarantined):
                yield item.raw_ref, item.reason, item.payload
                continue
            key = (item.record_id, item.part_index)
            if key in seen:
                yield item.raw_ref, f"duplicate record id {item.record_id!r} part {item.part_index}", ""
                continue
            seen.add(key)
            try:
                row = _row(file, item)
            except (ValueError, TypeError) as exc:
                yield item.raw_ref, f"invalid event: {exc}", ""
                continue
            result.sessions.add(row["session_id"])
            result.loaded_records.add(record_of(item.raw_ref))
            yield row
    except Exception as exc:  # noqa: BLE001 - a parser bug on one file must not lose the batch
        log.warning("parser %s failed on %s:%s: %s", file.source.format, file.source.name, file.rel, exc)
        yield "file", f"parser failed: {type(exc).__name__}: {exc}", ""


def ingest_files(files: list[LogFile], run_id: str, now: datetime | None = None) -> list[FileResult]:
    """Parse and write `files`: per source, one replace of its slice in each table (events, quarantine,
    manifest, in that order: the manifest row is written last, so a crash leaves the file pending)."""
    now = now or datetime.now(UTC)
    results = []
    by_source: dict[str, list[LogFile]] = {}
    for f in files:
        by_source.setdefault(f.source.name, []).append(f)
    for name, batch in sorted(by_source.items()):
        rows, bad, done = [], [], []
        for file in batch:
            result = FileResult(file)
            for item in read_file(file, result):
                if isinstance(item, dict):
                    rows.append(item)
                    result.events += 1
                else:
                    bad.append(_quarantine_row(file, *item))
                    result.quarantined += 1
                    result.quarantined_records.add(record_of(item[0]))
                    result.reasons[item[1]] = result.reasons.get(item[1], 0) + 1
            done.append(result)
        where = {"source": name, "source_file": [f.rel for f in batch]}
        tables.replace_where(QUARANTINE, pa.Table.from_pylist(bad, QUARANTINE_SCHEMA), where)
        tables.replace_where(EVENTS, pa.Table.from_pylist(rows, ev.SCHEMA), where, partition_by=["source"])
        tables.replace_where(FILES, pa.Table.from_pylist([{
            "source": name, "source_file": r.file.rel, "format": r.file.source.format,
            "file_sha256": r.file.sha256, "size_bytes": r.file.size, "mtime_ns": r.file.mtime_ns,
            "records": r.received, "records_loaded": len(r.loaded_records),
            "records_quarantined": len(r.quarantined_records), "events": r.events, "sessions": len(r.sessions),
            "ingested_at": now, "run_id": run_id} for r in done], FILES_SCHEMA), where)
        results.extend(done)
    return results
