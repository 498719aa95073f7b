"""Windsurf (Codeium) analytics API client: UserPageAnalytics, custom Analytics and CascadeAnalytics.

Every call is `POST <base>/api/v1/<Endpoint>` with the service key in the JSON body (never logged). The API has
no paging, so long windows are split into day chunks fetched concurrently over a bounded pool; Cascade data is
per person only when asked per email, so it is fetched one email per request over the same pool.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from python_assets.connectors.http import CallStats, HttpClient, PullFailed, served_at

log = logging.getLogger(__name__)

SUM = "QUERY_AGGREGATION_SUM"

# Selections per data source: dimensions are grouped, counts summed, each aliased to its own field name.
DATA_SOURCES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "QUERY_DATA_SOURCE_USER_DATA": (
        ("api_key", "date", "hour", "language", "ide", "version"),
        ("num_acceptances", "num_lines_accepted", "num_bytes_accepted"),
    ),
    "QUERY_DATA_SOURCE_CHAT_DATA": (
        ("api_key", "date", "hour", "model_id", "latest_intent_type"),
        ("num_chats_received", "chat_loc_used"),
    ),
    "QUERY_DATA_SOURCE_PCW_DATA": (
        ("api_key", "date"),
        ("percent_code_written", "codeium_bytes", "user_bytes", "total_bytes",
         "codeium_bytes_by_autocomplete", "codeium_bytes_by_command"),
    ),
}


@dataclass
class Batch:
    """Records of one request, kept with the request id so every bronze row can name its request."""

    endpoint: str
    request_id: str
    records: list
    pulled_at: datetime
    context: dict | None = None  # e.g. {"email": ...} for per-person Cascade calls


def _rfc3339(d: date) -> str:
    return datetime.combine(d, time(0), tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def day_chunks(start: date, end: date, chunk_days: int) -> list[tuple[date, date]]:
    """Inclusive [start, end] split into inclusive chunks of at most chunk_days days."""
    chunks = []
    cur = start
    while cur <= end:
        last = min(end, cur + timedelta(days=chunk_days - 1))
        chunks.append((cur, last))
        cur = last + timedelta(days=1)
    return chunks


class WindsurfClient:
    def __init__(self, base_url: str, service_key: str, http: HttpClient, group_name: str | None = None,
                 max_workers: int = 4, chunk_days: int = 7) -> None:
        if not service_key:
            raise ValueError("Windsurf service key is empty: set WINDSURF_SERVICE_KEY")
        self.base_url = base_url.rstrip("/")
        self._service_key = service_key
        self.http = http
        self.group_name = group_name
        self.max_workers = max_workers
        self.chunk_days = chunk_days

    def __repr__(self) -> str:  # never show the key
        return f"WindsurfClient({self.base_url!r}, group_name={self.group_name!r})"

    def _post(self, endpoint: str, body: dict, stats: CallStats | None) -> tuple[dict, str, datetime]:
        payload = {"service_key": self._service_key, **body}
        if self.group_name and "emails" not in body:
            payload["group_name"] = self.group_name
        resp, request_id = self.http.request("POST", f"{self.base_url}/api/v1/{endpoint}", stats=stats,
                                             secret_fields=("service_key",), json=payload)
        try:
            return resp.json(), request_id, served_at(resp)
        except ValueError as exc:
            raise PullFailed(f"{endpoint}: response is not JSON") from exc

    def user_page_analytics(self, start: date, end: date, stats: CallStats | None = None) -> Batch:
        body = {"start_timestamp": _rfc3339(start), "end_timestamp": _rfc3339(end + timedelta(days=1))}
        data, request_id, pulled_at = self._post("UserPageAnalytics", body, stats)
        if not isinstance(data.get("userTableStats", []), list):
            raise PullFailed("UserPageAnalytics: userTableStats is not a list")
        return Batch("UserPageAnalytics", request_id, data.get("userTableStats") or [], pulled_at)

    def analytics(self, data_source: str, start: date, end: date, stats: CallStats | None = None) -> list[Batch]:
        """One data source over [start, end] (UTC dates, inclusive), chunked by days, fetched concurrently."""
        dims, measures = DATA_SOURCES[data_source]
        selections = [{"field": f, "name": f} for f in dims]
        selections += [{"field": f, "name": f, "aggregation_function": SUM} for f in measures]

        def fetch(chunk: tuple[date, date]) -> Batch:
            body = {"query_requests": [{
                "data_source": data_source,
                "selections": selections,
                "filters": [
                    {"name": "date", "filter": "QUERY_FILTER_GE", "value": chunk[0].isoformat()},
                    {"name": "date", "filter": "QUERY_FILTER_LE", "value": chunk[1].isoformat()},
                ],
            }]}
            data, request_id, pulled_at = self._post("Analytics", body, stats)
            results = data.get("queryResults")
            if not isinstance(results, list) or not results:
                raise PullFailed(f"Analytics {data_source}: response has no queryResults")
            items = results[0].get("responseItems") or []
            # An item is {"item": {...}}; anything else is passed on as-is so ingestion can quarantine it.
            records = [it["item"] if isinstance(it, dict) and isinstance(it.get("item"), dict) else it
                       for it in items]
            return Batch(f"Analytics:{data_source}", request_id, records, pulled_at)

        return self._map(fetch, day_chunks(start, end, self.chunk_days))

    def cascade(self, emails: Iterable[str], start: date, end: date,
                stats: CallStats | None = None) -> list[Batch]:
        """Cascade lines and runs per person (one email per request: the API sums across listed emails)."""

        def fetch(email: str) -> Batch:
            body = {
                "emails": [email],
                "start_timestamp": _rfc3339(start),
                "end_timestamp": _rfc3339(end + timedelta(days=1)),
                "query_requests": [{"cascade_lines": {}}, {"cascade_runs": {}}],
            }
            data, request_id, pulled_at = self._post("CascadeAnalytics", body, stats)
            lines: list = []
            runs: list = []
            for result in data.get("queryResults") or []:
                if not isinstance(result, dict):
                    continue
                if "cascadeLines" in result:
                    lines += (result["cascadeLines"] or {}).get("cascadeLines") or []
                if "cascadeRuns" in result:
                    runs += (result["cascadeRuns"] or {}).get("cascadeRuns") or []
            records = [("lines", r) for r in lines] + [("runs", r) for r in runs]
            return Batch("CascadeAnalytics", request_id, records, pulled_at, context={"email": email})

        return self._map(fetch, sorted(set(emails)))

    def _map(self, fn, items: list) -> list:
        if not items:
            return []
        with ThreadPoolExecutor(max_workers=min(self.max_workers, len(items))) as pool:
            return list(pool.map(fn, items))
