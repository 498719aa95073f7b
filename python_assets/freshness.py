"""Freshness of the raw zone: days with no records (gaps in a source) and sources not pulled recently."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pyarrow.compute as pc

from python_assets.ingest.bronze_tables import BronzeTable
from python_assets.ingest.records import parse_date
from python_assets.lake import tables


@dataclass
class Freshness:
    table: str
    first_day: date | None
    last_day: date | None
    missing_days: list[date]
    last_pulled_at: datetime | None
    stale: bool

    @property
    def ok(self) -> bool:
        return not self.missing_days and not self.stale


def check_freshness(spec: BronzeTable, start: date, end: date | None = None, max_age_hours: float = 36.0,
                    now: datetime | None = None) -> Freshness:
    """Record days missing from [start, end] (end defaults to the newest day present) and the newest pull's age.
    Snapshot tables (no record date) are judged on their pull partitions."""
    now = now or datetime.now(UTC)
    column = spec.record_date or "_partition_date"
    data = tables.read_table(spec.lake_name, columns=[column, "_pulled_at"])
    if data is None or data.num_rows == 0:
        return Freshness(spec.lake_name, None, None, _days(start, end or start), None, True)
    days = {v if isinstance(v, date) else parse_date(v) for v in pc.unique(data[column]).to_pylist()}
    days.discard(None)
    end = end or max(days, default=start)
    missing = [d for d in _days(start, end) if d not in days] if spec.record_date else []
    last_pulled = pc.max(data["_pulled_at"]).as_py()
    stale = last_pulled is None or now - last_pulled > timedelta(hours=max_age_hours)
    return Freshness(spec.lake_name, min(days, default=None), max(days, default=None), missing, last_pulled, stale)


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]
