"""The logs' silver zone, kept up to date session by session: `events_redacted` (+ `pii_audit`) from `raw_events`,
then `training_units` + `unit_lineage` from `events_redacted` only.

Each stage remembers which version (SHA-256) of each file it has processed (`stage_files`); a run redoes the sessions
that appear in files that are new or changed upstream, whole sessions at a time (placeholders are numbered per
session, and a session may span files and sources, e.g. feedback), and replaces exactly those sessions' rows.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from python_assets.lake import tables
from python_assets.logs import events as ev
from python_assets.logs import ingest, parallel
from python_assets.logs.units import LINEAGE_SCHEMA, UNIT_SCHEMA, lineage_table, segment, units_table
from python_assets.privacy import detect, dictionaries, surrogates
from python_assets.privacy.redact import FIELDS, SessionRedactor, collector_paused

EVENTS_REDACTED = "silver/logs/events_redacted"
PII_AUDIT = "silver/logs/pii_audit"
TRAINING_UNITS = "silver/logs/training_units"
UNIT_LINEAGE = "silver/logs/unit_lineage"
STAGE_FILES = "silver/logs/stage_files"

# Raw user ids identify people: they stay in the raw zone.
REDACTED_SCHEMA = pa.schema([f for f in ev.SCHEMA if f.name != "user_id"]
                            + [pa.field("redactions", pa.int32(), nullable=False)])
AUDIT_SCHEMA = pa.schema([
    pa.field("event_id", pa.string(), nullable=False),
    pa.field("session_id", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("field", pa.string(), nullable=False),  # content, tool_arguments, tool_result, ...
    pa.field("entity", pa.string(), nullable=False),
    pa.field("recognizer", pa.string(), nullable=False),
    pa.field("score", pa.float64(), nullable=False),
    pa.field("start", pa.int32(), nullable=False),  # the placeholder's offsets in the redacted text,
    pa.field("end", pa.int32(), nullable=False),  # never the raw value
])
STAGE_SCHEMA = pa.schema([
    pa.field("stage", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("source_file", pa.string(), nullable=False),
    pa.field("file_sha256", pa.string(), nullable=False),
])

_TEXT_ORDER = ("ts", "source", "source_file", "turn_index", "part_index", "event_id")


@dataclass
class StageResult:
    files: int  # file versions new to the stage
    sessions: int  # sessions redone
    rows: int  # rows written for them
    extra: dict


def _file_versions(name: str, filters: list[tuple] | None = None) -> set[tuple]:
    """(source, source_file, file_sha256) of every row of `name` (a manifest or the stage state)."""
    columns = ["source", "source_file", "file_sha256"]
    table = tables.read_table(name, filters=filters, columns=columns)
    return set() if table is None else set(zip(*(table[c].to_pylist() for c in columns), strict=True))


def _stage_state(stage: str) -> set[tuple]:
    return _file_versions(STAGE_FILES, [("stage", "=", stage)])


def _sessions_in(name: str, files: set[tuple[str, str]]) -> set[str]:
    """Session ids that `files` ((source, source_file) pairs) hold in table `name`."""
    by_source: dict[str, list[str]] = defaultdict(list)
    for source, path in files:
        by_source[source].append(path)
    out: set[str] = set()
    for source, paths in by_source.items():
        table = tables.read_table(name, filters=[("source", "=", source), ("source_file", "in", paths)],
                                  columns=["session_id"])
        if table is not None:
            out.update(pc.unique(table["session_id"]).to_pylist())
    return out


@dataclass
class _Plan:
    new: set[tuple]  # file versions new to the stage
    sessions: set[str]  # sessions to redo
    first: bool  # the stage has processed nothing yet: it (re)writes its tables whole

    def where(self) -> dict:
        return {} if self.first else {"session_id": sorted(self.sessions)}


def _plan(stage: str, upstream: set[tuple], upstream_table: str, own_table: str) -> _Plan:
    """The file versions new to `stage`, and the sessions to redo: those the new versions hold upstream plus
    those the stage built from the files' earlier versions (a session that left a file must leave here too)."""
    done = _stage_state(stage)
    new = upstream - done
    files = {(s, f) for s, f, _ in new}
    stale = {(s, f) for s, f, _ in done if (s, f) in files}
    sessions = _sessions_in(upstream_table, files)
    if stale:
        sessions |= _sessions_in(own_table, stale)
    return _Plan(new, sessions, not done)


def _read_sessions(name: str, plan: _Plan) -> pa.Table:
    table = tables.read_table(name, filters=None if plan.first else [("session_id", "in", sorted(plan.sessions))])
    return table.sort_by([(c, "ascending") for c in _TEXT_ORDER])


def _record_stage(stage: str, upstream: set[tuple]) -> None:
    rows = [{"stage": stage, "source": s, "source_file": f, "file_sha256": h} for s, f, h in sorted(upstream)]
    tables.replace_where(STAGE_FILES, pa.Table.from_pylist(rows, STAGE_SCHEMA), {"stage": stage})


NER_BATCH = 2000  # events whose texts go through NER together (nlp.pipe), before they are redacted in order


def redact_events(raw_events: pa.Table, detector: detect.Detector | None = None, *,
                  replace: str = surrogates.PLACEHOLDER_MODE,
                  link_key: surrogates.LinkKey | bytes | str | None = None) -> tuple[pa.Table, pa.Table]:
    """`raw_events` rows (any sessions, sorted as _TEXT_ORDER) -> (events_redacted rows, pii_audit rows).
    One SessionRedactor per session, so a value keeps its placeholder (or surrogate) across the session's events.
    With a detector, names, addresses and the organisation's dictionary too (NER batched over NER_BATCH events).
    `replace` and `link_key`: SessionRedactor's; surrogates are drawn from the session id, so a session redone
    from the same rows comes out the same."""
    link_key = surrogates.link_key_or_none(link_key)  # checked (and keyed) once, not per session
    redactors: dict[str, SessionRedactor] = {}
    out, audit = [], []
    rows = raw_events.to_pylist()
    with collector_paused():
        for at, row in enumerate(rows):
            if detector is not None and at % NER_BATCH == 0:
                detector.prefetch(t for r in rows[at: at + NER_BATCH] for f in FIELDS
                                  for t in detect.texts_of(r.get(f)))
            redactor = redactors.get(row["session_id"])
            if redactor is None:
                redactor = redactors[row["session_id"]] = SessionRedactor(
                    detector=detector, replace=replace, link_key=link_key, session=row["session_id"])
            red, found = redactor.redact_event(row)
            red.pop("user_id", None)
            red["redactions"] = sum(len(f) for f in found.values())
            out.append(red)
            for field, findings in found.items():
                audit.extend({"event_id": row["event_id"], "session_id": row["session_id"], "source": row["source"],
                              "field": field, "entity": f.entity, "recognizer": f.rule, "score": f.score,
                              "start": f.start, "end": f.end} for f in findings)
    return pa.Table.from_pylist(out, REDACTED_SCHEMA), pa.Table.from_pylist(audit, AUDIT_SCHEMA)


def update_events_redacted(dictionary: dictionaries.OrgDictionary | None = None) -> StageResult:
    """Redact the sessions of every raw file version not yet redacted, and replace those sessions' rows. Names come
    from NER and from `dictionary` (default: the latest directory sync in the lake, plus the FLYWHEEL_PII_*
    settings); placeholders or surrogates, and the linkage key, from FLYWHEEL_PII_REPLACE and
    FLYWHEEL_PII_LINK_KEY (read before anything is written: a bad setting stops the run)."""
    tables.ensure_table(EVENTS_REDACTED, REDACTED_SCHEMA, partition_by=["source"])
    tables.ensure_table(PII_AUDIT, AUDIT_SCHEMA)
    upstream = _file_versions(ingest.FILES)
    plan = _plan("events_redacted", upstream, ingest.EVENTS, EVENTS_REDACTED)
    rows = findings = 0
    if plan.sessions:
        replace, link_key, count = surrogates.replace_mode(), surrogates.link_key(), parallel.workers()
        detector = detect.detector_from_env(dictionaries.from_lake() if dictionary is None else dictionary)
        raw = _read_sessions(ingest.EVENTS, plan)
        if count > 1 and raw.num_rows >= parallel.PARALLEL_MIN_EVENTS:
            redacted, audit = parallel.redact_in_parallel(raw, detector, replace, count)
        else:
            redacted, audit = redact_events(raw, detector, replace=replace, link_key=link_key)
        del raw
        # the stage state is written last: a crash before it leaves these sessions pending for the next run
        tables.replace_where(PII_AUDIT, audit, plan.where())
        tables.replace_where(EVENTS_REDACTED, redacted, plan.where(), partition_by=["source"])
        rows, findings = redacted.num_rows, audit.num_rows
    if plan.new:
        _record_stage("events_redacted", upstream)
    return StageResult(len(plan.new), len(plan.sessions), rows, {"findings": findings})


def update_training_units(gap_minutes: int = 30) -> StageResult:
    """Segment and tag the sessions of every redacted file version not yet segmented. Reads `events_redacted`
    only: nothing past redaction ever reads the raw zone."""
    tables.ensure_table(TRAINING_UNITS, UNIT_SCHEMA)
    tables.ensure_table(UNIT_LINEAGE, LINEAGE_SCHEMA)
    upstream = _stage_state("events_redacted")
    plan = _plan("training_units", upstream, EVENTS_REDACTED, UNIT_LINEAGE)
    units_n = 0
    types: dict[str, int] = {}
    if plan.sessions:
        units, lineage = segment(_read_sessions(EVENTS_REDACTED, plan), gap_minutes=gap_minutes)
        tables.replace_where(UNIT_LINEAGE, lineage_table(lineage), plan.where())
        tables.replace_where(TRAINING_UNITS, units_table(units), plan.where())
        units_n = len(units)
        for unit in units:
            types[unit["unit_type"]] = types.get(unit["unit_type"], 0) + 1
    if plan.new:
        _record_stage("training_units", upstream)
    return StageResult(len(plan.new), len(plan.sessions), units_n, {"unit_types": json.dumps(types, sort_keys=True)})

