"""Land one pull of one endpoint: file records under their partitions, quarantine bad ones, write atomically.

A run covers partitions [start, end] with ONE fetch of record dates [start - overlap, end] (the API re-sends
the last `overlap` days on every daily pull). Each dated record is filed under the newest partition of the run
whose daily pull would have covered it (min(end, day + overlap)); snapshots (users, directory) are filed under
`end`. So a one-day run files exactly that day's pull, and a range run files each record once. Re-running any
window replaces exactly its partitions, in one Delta commit per table.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pyarrow as pa

from python_assets.connectors.http import CallStats
from python_assets.ingest.bronze_tables import INGEST_BATCHES, INGEST_ERRORS, BronzeTable
from python_assets.ingest.records import check, parse_date, payload_hash, snake
from python_assets.lake import tables

log = logging.getLogger(__name__)

ERRORS_SCHEMA = pa.schema([
    ("_partition_date", pa.date32()),
    ("source", pa.string()),
    ("table_name", pa.string()),
    ("endpoint", pa.string()),
    ("reason", pa.string()),
    ("payload_hash", pa.string()),
    ("payload", pa.string()),
    ("_request_id", pa.string()),
    ("_pulled_at", pa.timestamp("us", tz="UTC")),
])

BATCHES_SCHEMA = pa.schema([
    ("_partition_date", pa.date32()),
    ("source", pa.string()),
    ("table_name", pa.string()),
    ("window_start", pa.date32()),
    ("window_end", pa.date32()),
    ("requests", pa.int64()),
    ("retries", pa.int64()),
    ("seconds", pa.float64()),
    ("received", pa.int64()),
    ("loaded", pa.int64()),
    ("quarantined", pa.int64()),
    ("_pulled_at", pa.timestamp("us", tz="UTC")),
    ("_run_id", pa.string()),
])


@dataclass(frozen=True)
class PullWindow:
    start: date  # first partition of the run
    end: date  # last partition of the run
    overlap_days: int = 3

    @property
    def fetch_start(self) -> date:
        return self.start - timedelta(days=self.overlap_days)

    def file_under(self, day: date | None) -> date | None:
        """The partition a record dated `day` belongs to; None when the day lies outside the fetch."""
        if day is None:
            return self.end
        if day < self.fetch_start or day > self.end:
            return None
        return min(self.end, day + timedelta(days=self.overlap_days))


@dataclass
class Received:
    """One record as it came back, with the request that brought it and fields the request implied."""

    record: object
    request_id: str
    endpoint: str
    pulled_at: datetime
    extra: dict = field(default_factory=dict)


@dataclass
class LoadResult:
    table: str
    received: int
    loaded: int
    quarantined: int
    reasons: Counter
    version: int | None = None

    def as_log(self) -> dict:
        return {"table": self.table, "received": self.received, "loaded": self.loaded,
                "quarantined": self.quarantined, "reasons": dict(self.reasons)}


def _raw_date(spec: BronzeTable, record: object) -> date | None:
    if not spec.record_date or not isinstance(record, dict):
        return None
    value = {snake(k): v for k, v in record.items()}.get(spec.record_date)
    return parse_date(value) if isinstance(value, str) else None


def load_pull(spec: BronzeTable, received: Iterable[Received], window: PullWindow, run_id: str,
              stats: CallStats | None = None) -> LoadResult:
    """Validate, file and write one endpoint's pull; return the reconciled counts."""
    latest_pull: datetime | None = None
    columns: dict[str, list] = {c: [] for c in spec.schema.names}
    errors: dict[str, list] = {c: [] for c in ERRORS_SCHEMA.names}
    reasons: Counter = Counter()
    total = 0
    for item in received:
        total += 1
        latest_pull = max(latest_pull or item.pulled_at, item.pulled_at)
        record = item.record
        if isinstance(record, dict) and item.extra:
            record = {**item.extra, **record}
        row, reason = check(spec, record)
        partition = window.end
        if row is not None and spec.record_date:
            partition = window.file_under(parse_date(row[spec.record_date]))
            if partition is None:
                row, reason = None, f"{spec.record_date} {row[spec.record_date]} outside the pulled window"
                partition = window.end
        elif row is None:
            # a bad record still files under its own day when it has a readable one, so re-running one
            # partition replaces only the quarantine rows that partition's pull would bring back
            partition = window.file_under(_raw_date(spec, record)) or window.end
        if row is None:
            reasons[reason.split(":")[0]] += 1
            for key, value in (("_partition_date", partition), ("source", spec.source), ("table_name", spec.name),
                               ("endpoint", item.endpoint), ("reason", reason),
                               ("payload_hash", payload_hash(record)),
                               ("payload", json.dumps(record, sort_keys=True, default=str)),
                               ("_request_id", item.request_id), ("_pulled_at", item.pulled_at)):
                errors[key].append(value)
            continue
        for col in spec.columns:
            columns[col].append(row[col])
        columns["_partition_date"].append(partition)
        columns["_pulled_at"].append(item.pulled_at)
        columns["_source"].append(f"{spec.source}:{item.endpoint}")
        columns["_request_id"].append(item.request_id)

    bronze = pa.table(columns, schema=spec.schema)
    quarantine = pa.table(errors, schema=ERRORS_SCHEMA)
    result = LoadResult(spec.lake_name, total, bronze.num_rows, quarantine.num_rows, reasons)
    if result.received != result.loaded + result.quarantined:  # a guard on this function's own bookkeeping
        raise AssertionError(f"{spec.lake_name}: counts do not reconcile: {result.as_log()}")

    span = ("_partition_date", window.start, window.end)
    tables.replace_where(INGEST_ERRORS, quarantine, {"table_name": spec.name, "source": spec.source}, span,
                         partition_by=["source"])
    batch_row = {
        "_partition_date": [window.end], "source": [spec.source], "table_name": [spec.name],
        "window_start": [window.start],
        "window_end": [window.end], "requests": [stats.requests if stats else 0],
        "retries": [stats.retries if stats else 0], "seconds": [round(stats.seconds, 3) if stats else 0.0],
        "received": [result.received], "loaded": [result.loaded], "quarantined": [result.quarantined],
        "_pulled_at": [latest_pull or datetime.now(UTC)], "_run_id": [run_id],
    }
    tables.replace_where(INGEST_BATCHES, pa.table(batch_row, schema=BATCHES_SCHEMA),
                         {"source": spec.source, "table_name": spec.name}, span)
    result.version = tables.replace_where(spec.lake_name, bronze, {}, span, partition_by=["_partition_date"])
    log.info("landed %s", json.dumps(result.as_log()))
    return result
