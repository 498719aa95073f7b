"""Redaction over the machine's cores: a large batch of sessions is split by session (a session's placeholders need
all of it in one process) into one part per worker, each part redacted in its own process, and the results put back
in the input's order, so the output is the same as one process gives.

Workers are started fresh (`spawn`), not forked: the Dagster run process has threads, and a fork copies their
locks. Each worker loads its own spaCy model (~2-4 s), which only pays for itself on a large batch: below
PARALLEL_MIN_EVENTS events one process does it all."""

from __future__ import annotations

import multiprocessing
import os
import zlib
from concurrent.futures import ProcessPoolExecutor

import pyarrow as pa

PARALLEL_MIN_EVENTS = 20_000
MAX_WORKERS = 8


def workers(env: dict[str, str] | None = None) -> int:
    """FLYWHEEL_REDACT_WORKERS, or the cores this process may use (at most MAX_WORKERS)."""
    env = os.environ if env is None else env
    value = env.get("FLYWHEEL_REDACT_WORKERS", "").strip()
    if value:
        if not value.isdigit() or int(value) < 1:
            raise ValueError(f"FLYWHEEL_REDACT_WORKERS must be a whole number >= 1, not {value!r}")
        return int(value)
    return max(1, min(MAX_WORKERS, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                      else os.cpu_count() or 1))


def split_by_session(table: pa.Table, parts: int) -> list[pa.Table]:
    """`table`'s rows in `parts` groups by a stable hash of their session (each group in the input's order); empty
    groups left out."""
    groups: list[list[int]] = [[] for _ in range(parts)]
    for i, session in enumerate(table.column("session_id").to_pylist()):
        groups[zlib.crc32(session.encode("utf-8", "surrogatepass")) % parts].append(i)
    return [table.take(pa.array(rows, pa.int64())) for rows in groups if rows]


def _redact_part(part: pa.Table, detector, replace: str) -> tuple[pa.Table, pa.Table]:
    from python_assets.logs import silver
    from python_assets.privacy import surrogates

    # the link key is read from this worker's environment (inherited): a LinkKey is never pickled
    return silver.redact_events(part, detector, replace=replace, link_key=surrogates.link_key())


def redact_in_parallel(raw_events: pa.Table, detector, replace: str, count: int) -> tuple[pa.Table, pa.Table]:
    """silver.redact_events over `count` processes; the same tables it gives in one (rows in the input's order)."""
    from python_assets.logs.silver import AUDIT_SCHEMA, REDACTED_SCHEMA

    parts = split_by_session(raw_events, count)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=len(parts), mp_context=context) as pool:
        results = list(pool.map(_redact_part, parts, [detector] * len(parts), [replace] * len(parts)))
    position = {event_id: i for i, event_id in enumerate(raw_events.column("event_id").to_pylist())}
    redacted = sorted((row for table, _ in results for row in table.to_pylist()), key=lambda r: position[r["event_id"]])
    # stable: an event's findings keep their order (field by field, left to right)
    audit = sorted((row for _, table in results for row in table.to_pylist()), key=lambda r: position[r["event_id"]])
    return pa.Table.from_pylist(redacted, REDACTED_SCHEMA), pa.Table.from_pylist(audit, AUDIT_SCHEMA)
