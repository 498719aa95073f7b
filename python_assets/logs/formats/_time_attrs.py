"""OpenTelemetry span times (unix nanos, JS `[seconds, nanos]` HrTime, ISO text) and OTLP attribute values as plain
Python, for the otel parser. Plain ISO / unix-second times are `_common.to_utc`'s job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from python_assets.logs.formats._common import to_utc

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def span_time(value) -> datetime | None:
    """A span or span-event time as an aware UTC datetime; None when absent. Raises ValueError when unreadable."""
    if value is None:
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)  # OTLP/JSON writes 64-bit nanos as a string
    if isinstance(value, int) and not isinstance(value, bool):
        if value >= 10**17:
            return _EPOCH + timedelta(microseconds=value // 1000)  # integer nanos: exact to the microsecond
        if value >= 10**14:
            return _EPOCH + timedelta(microseconds=value)
    if isinstance(value, list | tuple) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return _EPOCH + timedelta(seconds=value[0], microseconds=value[1] // 1000)  # OTel JS HrTime
    parsed = to_utc(value)  # ISO text (OTel Python's to_json), unix seconds or millis
    if parsed is None:
        raise ValueError(f"not a timestamp: {value!r}")
    return parsed


def attr_value(value):
    """One OTLP JSON AnyValue ({"stringValue": ...}, {"arrayValue": {"values": [...]}}, ...) as a Python value;
    anything else (an SDK's plain attribute value) as it is."""
    if not isinstance(value, dict) or len(value) != 1:
        return value
    ((kind, inner),) = value.items()
    if kind in ("stringValue", "boolValue", "doubleValue", "bytesValue"):
        return inner
    if kind == "intValue":
        return int(inner)  # int64 is a JSON string in OTLP/JSON
    if kind == "arrayValue":
        return [attr_value(v) for v in (inner or {}).get("values", [])]
    if kind == "kvlistValue":
        return attributes((inner or {}).get("values", []))
    return value


def attributes(attrs) -> dict:
    """OTLP `[{"key": k, "value": AnyValue}]` (or an SDK's plain `{k: v}` map) as a dict."""
    if not attrs:
        return {}
    if isinstance(attrs, dict):
        return attrs
    out = {}
    for item in attrs:
        if isinstance(item, dict) and "key" in item:
            out[item["key"]] = attr_value(item.get("value"))
    return out
