"""One function per bronze table: fetch a window from its API and land it (callable without Dagster)."""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow.compute as pc

from python_assets.connectors.graph import GraphClient
from python_assets.connectors.http import CallStats
from python_assets.connectors.windsurf import Batch, WindsurfClient
from python_assets.ingest import bronze_tables as bt
from python_assets.ingest.pulls import LoadResult, PullWindow, Received, load_pull
from python_assets.lake import tables

ACTIVE_DAYS_WINDOW = 30  # UserPageAnalytics activeDays: days with use in the 30 days up to the snapshot

ANALYTICS_TABLES = {
    "autocomplete": (bt.AUTOCOMPLETE, "QUERY_DATA_SOURCE_USER_DATA"),
    "chat": (bt.CHAT, "QUERY_DATA_SOURCE_CHAT_DATA"),
    "pcw": (bt.PCW, "QUERY_DATA_SOURCE_PCW_DATA"),
}


def _received(batches: list[Batch], extra: dict | None = None) -> list[Received]:
    return [Received(r, b.request_id, b.endpoint, b.pulled_at, extra or {}) for b in batches for r in b.records]


def pull_user_page_analytics(client: WindsurfClient, window: PullWindow, run_id: str) -> LoadResult:
    stats = CallStats()
    # the window only sets activeDays; a fixed one ending at the partition makes a day's snapshot the same
    # whether a backfill or that day's own run took it
    batch = client.user_page_analytics(window.end - timedelta(days=ACTIVE_DAYS_WINDOW - 1), window.end, stats)
    return load_pull(bt.USER_PAGE_ANALYTICS, _received([batch]), window, run_id, stats)


def pull_analytics(client: WindsurfClient, name: str, window: PullWindow, run_id: str) -> LoadResult:
    spec, data_source = ANALYTICS_TABLES[name]
    stats = CallStats()
    batches = client.analytics(data_source, window.fetch_start, window.end, stats)
    return load_pull(spec, _received(batches), window, run_id, stats)


def windsurf_emails(as_of: date) -> list[str]:
    """Emails of the Windsurf users in the newest UserPageAnalytics pull on or before `as_of`."""
    upa = tables.read_table(bt.USER_PAGE_ANALYTICS.lake_name, filters=[("_partition_date", "<=", as_of)],
                            columns=["email", "_partition_date"])
    if upa is None or upa.num_rows == 0:
        return []
    latest = pc.max(upa["_partition_date"])
    emails = upa.filter(pc.equal(upa["_partition_date"], latest))["email"].to_pylist()
    return sorted({e for e in emails if e})


def pull_cascade(client: WindsurfClient, window: PullWindow, run_id: str,
                 emails: list[str]) -> tuple[LoadResult, LoadResult]:
    stats = CallStats()
    batches = client.cascade(emails, window.fetch_start, window.end, stats)
    lines: list[Received] = []
    runs: list[Received] = []
    for batch in batches:
        for kind, record in batch.records:
            target = lines if kind == "lines" else runs
            target.append(Received(record, batch.request_id, batch.endpoint, batch.pulled_at, batch.context or {}))
    return (load_pull(bt.CASCADE_LINES, lines, window, run_id, stats),
            load_pull(bt.CASCADE_RUNS, runs, window, run_id, stats))


def pull_ai_group_members(client: GraphClient, group_id: str, window: PullWindow, run_id: str) -> LoadResult:
    stats = CallStats()
    batches = client.group_user_members(group_id, stats)
    return load_pull(bt.GRAPH_AI_GROUP_MEMBERS, _received(batches, {"group_id": group_id}), window, run_id, stats)
