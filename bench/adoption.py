"""`make bench`: the adoption pipeline on a generated year (365 days x 5,000 people).

Figures: the full build (every asset, every partition, one run), and one incremental day (the daily refresh:
yesterday plus the lookback window) at day 30 and at day 365 of history. The day-365 run should cost at most
1.5x the day-30 run: incremental work must not grow with history. Not a test: it prints, it does not assert.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta

PEOPLE = int(os.environ.get("BENCH_PEOPLE", "5000"))
DAYS = int(os.environ.get("BENCH_DAYS", "365"))
START = date(2025, 11, 1)

os.environ.update({
    "FLYWHEEL_ENV": "demo",
    "FLYWHEEL_START_DATE": START.isoformat(),
    "FLYWHEEL_DEMO_START": START.isoformat(),
    "FLYWHEEL_DEMO_DAYS": str(DAYS),
    "FLYWHEEL_DEMO_PEOPLE": str(PEOPLE),
    "FLYWHEEL_BACKUP_TARGET": "local",
})


def _use_lake(root: str) -> None:
    os.environ["FLYWHEEL_LAKE_ROOT"] = root
    os.environ["FLYWHEEL_DUCKDB_PATH"] = os.path.join(root, "warehouse.duckdb")
    os.environ["FLYWHEEL_BACKUP_DIR"] = os.path.join(root, "backups")
    # bench runs go to their own Dagster instance, not the project's
    os.environ["FLYWHEEL_DAGSTER_STORAGE"] = os.path.join(root, ".dagster")


def _run(first: date, last: date) -> float:
    from orchestration.demo import run_demo

    t0 = time.monotonic()
    result = run_demo(first.isoformat(), last.isoformat())
    took = time.monotonic() - t0
    if not result.success:
        raise SystemExit(f"bench run {first}..{last} failed")
    return took


def main() -> int:
    from orchestration.partitions import LOOKBACK_DAYS
    from orchestration.resources import demo_server
    from python_assets.lake import tables

    day = lambda n: START + timedelta(days=n - 1)  # noqa: E731 - day 1 is START
    print(f"Generating the demo company: {PEOPLE:,} people x {DAYS} days ...", flush=True)
    t0 = time.monotonic()
    demo_server(PEOPLE, 7)
    print(f"  generated and served in {time.monotonic() - t0:.1f}s", flush=True)

    work = tempfile.mkdtemp(prefix="flywheel-bench-")
    figures = {}
    try:
        # Each incremental figure is the daily refresh of day N (window N - lookback .. N) on the history before
        # that window. The history ends the day before the window, as a daily run's would: a run re-syncs git from
        # the sync filed before its window, so a history run filed inside the window (one sync for the whole
        # history) would make the timed run re-sync all of it, which no daily run does.
        _use_lake(os.path.join(work, "month"))
        print(f"History of {29 - LOOKBACK_DAYS} days (untimed) ...", flush=True)
        _run(day(1), day(29 - LOOKBACK_DAYS))
        print(f"Incremental day 30 (window {day(30 - LOOKBACK_DAYS)}..{day(30)}) ...", flush=True)
        figures["incremental day 30"] = _run(day(30 - LOOKBACK_DAYS), day(30))

        _use_lake(os.path.join(work, "year"))
        built = DAYS - 1 - LOOKBACK_DAYS
        print(f"Full build: days 1..{built} in one run ...", flush=True)
        figures[f"full build ({built} days)"] = _run(day(1), day(built))
        print(f"Incremental day {DAYS} (window {day(DAYS - LOOKBACK_DAYS)}..{day(DAYS)}) ...", flush=True)
        figures[f"incremental day {DAYS}"] = _run(day(DAYS - LOOKBACK_DAYS), day(DAYS))
        autocomplete_rows = tables.row_count("raw/windsurf/autocomplete")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    ratio = figures[f"incremental day {DAYS}"] / figures["incremental day 30"]
    print("\nFlywheel adoption benchmark")
    print(f"  data: {PEOPLE:,} people x {DAYS} days; bronze autocomplete rows: {autocomplete_rows:,}")
    for name, seconds in figures.items():
        print(f"  {name:<24} {seconds:8.1f} s")
    print(f"  day-{DAYS} / day-30 incremental ratio: {ratio:.2f}x (target <= 1.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
