"""The daily partitions every ingestion asset shares (a run's range is also the dbt window), and their run windows."""

from __future__ import annotations

import os
from datetime import date

import dagster as dg

from python_assets.ingest.pulls import PullWindow

# The first day the lake holds; the demo's range starts here. Production sets its own.
START_DATE = os.environ.get("FLYWHEEL_START_DATE", "2026-08-10")
PULL_OVERLAP_DAYS = int(os.environ.get("FLYWHEEL_PULL_OVERLAP_DAYS", "3"))
LOOKBACK_DAYS = int(os.environ.get("FLYWHEEL_LOOKBACK_DAYS", "3"))

daily_partitions = dg.DailyPartitionsDefinition(start_date=START_DATE)


def run_window(context: dg.AssetExecutionContext) -> PullWindow:
    """The run's partition range (one day, or a whole backfill in a single run)."""
    keys = context.partition_key_range
    return PullWindow(date.fromisoformat(keys.start), date.fromisoformat(keys.end), PULL_OVERLAP_DAYS)
