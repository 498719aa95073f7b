"""Validate API records against a bronze spec and shape them into bronze rows (strings) or quarantine rows.

A record is loaded as received (values as strings) when it has the spec's required fields and its numbers,
dates and hours parse; otherwise it becomes a quarantine row with the reason and a hash of its payload.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import date

from python_assets.ingest.bronze_tables import BronzeTable

_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


def snake(key: str) -> str:
    """apiKey -> api_key, userPrincipalName -> user_principal_name, @odata.type -> odata_type."""
    key = key.lstrip("@").replace(".", "_")
    return _CAMEL.sub(r"_\1", key).lower()


def as_text(value) -> str | None:
    """Bronze keeps every value as text: strings as-is, other scalars and nested values as JSON."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def payload_hash(record) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest()


def parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if len(value) >= 10 else None
    except ValueError:
        return None


def check(spec: BronzeTable, record) -> tuple[dict | None, str | None]:
    """Return (row, None) for a loadable record, or (None, reason) for one to quarantine."""
    if not isinstance(record, dict):
        return None, f"record is not an object ({type(record).__name__})"
    row = {snake(k): as_text(v) for k, v in record.items()}
    for field in spec.required:
        if row.get(field) in (None, ""):
            return None, f"missing required field {field}"
    for field in spec.numeric:
        value = row.get(field)
        if value in (None, ""):
            continue
        try:
            number = float(value)
        except ValueError:
            return None, f"field {field} is not a number: {value[:40]!r}"
        if not math.isfinite(number):
            return None, f"field {field} is not finite: {value[:40]!r}"
    for field in spec.dates:
        value = row.get(field)
        if value not in (None, "") and parse_date(value) is None:
            return None, f"field {field} is not a date: {value[:40]!r}"
    for field in spec.hours:
        value = row.get(field)
        if value in (None, ""):
            continue
        if not value.isdigit() or not 0 <= int(value) <= 23:
            return None, f"field {field} is not an hour 0-23: {value[:40]!r}"
    return {c: row.get(c) for c in spec.columns}, None
