"""`make demo`: every asset for every partition of the demo range in ONE run, then a summary of the lake.

Runs on the demo resource set (the generated company behind a local fake of the Windsurf and Graph APIs),
through the same job the daily schedule launches, recorded in the Dagster instance so the UI shows it.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from datetime import timedelta

os.environ.setdefault("FLYWHEEL_ENV", "demo")

from python_assets.demo.logs import CUSTOMERS  # noqa: E402

# the demo company's confidential customer names (its logs mention them): redaction's codename dictionary
os.environ.setdefault("FLYWHEEL_PII_CODENAMES", ",".join(CUSTOMERS))

import dagster as dg  # noqa: E402
import duckdb  # noqa: E402
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG  # noqa: E402

from python_assets.ingest.bronze_tables import ALL_TABLES, INGEST_BATCHES, INGEST_ERRORS  # noqa: E402
from python_assets.lake import tables  # noqa: E402
from python_assets.logs import ingest as log_ingest  # noqa: E402
from python_assets.logs import silver as log_silver  # noqa: E402
from python_assets.settings import duckdb_path, lake_root  # noqa: E402

LOG_RAW = (log_ingest.EVENTS, log_ingest.QUARANTINE, log_ingest.FILES)
LOG_SILVER = (log_silver.EVENTS_REDACTED, log_silver.PII_AUDIT, log_silver.TRAINING_UNITS, log_silver.UNIT_LINEAGE)


class _Progress(logging.Handler):
    """Print the run's milestones (steps starting and finishing, pulls landed) as one line each."""

    def __init__(self, started: float) -> None:
        super().__init__(logging.DEBUG)  # Dagster logs step events at DEBUG
        self.started = started

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "dagster_meta", {}) or {}
        kind = event.get("dagster_event") and event["dagster_event"].event_type_value
        msg = record.getMessage()
        step = event.get("step_key") or ""
        if kind in ("STEP_START", "STEP_SUCCESS", "STEP_FAILURE") or '"event": "landed"' in msg:
            label = kind or "landed"
            detail = msg.split(" - ")[-1] if label == "landed" else step
            print(f"  [{time.monotonic() - self.started:6.1f}s] {label:<12} {detail}", flush=True)


@dg.logger(description="One line per step start/finish and per landed pull, with elapsed seconds.")
def progress_logger(_init_context) -> logging.Logger:
    logger = logging.Logger("flywheel.progress", logging.DEBUG)
    logger.addHandler(_Progress(time.monotonic()))
    return logger


DEMO_TAGS = {"flywheel/demo": "true"}


def forget_previous_demo_runs(instance: dg.DagsterInstance) -> int:
    """The demo keeps only its latest run in the instance. A demo run records ~11,000 events (a planned and a
    done materialization per asset per day), and an instance that keeps every past run plans each new one more
    slowly (the second `make demo` took 24 s longer than the first). Other runs are left alone."""
    runs = instance.get_runs(filters=dg.RunsFilter(tags=DEMO_TAGS))
    for run in runs:
        instance.delete_run(run.run_id)
    return len(runs)


def run_demo(start: str, end: str, job: str = "daily_refresh") -> dg.ExecuteInProcessResult:
    """One run of `job` (the daily refresh over [start, end], or `logs_refresh`, which is unpartitioned)."""
    from orchestration.definitions import defs

    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
    # The same jobs the schedules run, with a progress line per step instead of the full console log.
    demo_defs = dg.Definitions.merge(
        defs, dg.Definitions(loggers={"progress": progress_logger, "console": dg.colored_console_logger}))
    partitioned = job == "daily_refresh"
    window = {ASSET_PARTITION_RANGE_START_TAG: start, ASSET_PARTITION_RANGE_END_TAG: end} if partitioned else {}
    return demo_defs.resolve_job_def(job).execute_in_process(
        instance=instance,
        tags={**window, **DEMO_TAGS},
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}, "progress": {}}},
        raise_on_error=False,
    )


def summary() -> str:
    lines = [f"\nStorage root: {lake_root()}", "", "Raw zone (Delta):"]
    for name in [t.lake_name for t in ALL_TABLES] + [INGEST_ERRORS, INGEST_BATCHES, *LOG_RAW]:
        rows = tables.row_count(name)
        lines.append(f"  {name:<40} {rows:>10,} rows")
    lines += ["", "Silver zone, logs (Delta):"]
    for name in LOG_SILVER:
        lines.append(f"  {name:<40} {tables.row_count(name):>10,} rows")
    lines += ["", f"Warehouse (DuckDB): {duckdb_path()}"]
    con = duckdb.connect(duckdb_path(), read_only=True)
    try:
        rels = con.sql("select table_schema, table_name from information_schema.tables "
                       "where table_type = 'BASE TABLE' order by 1, 2").fetchall()
        for schema, name in rels:
            count = con.sql(f'select count(*) from "{schema}"."{name}"').fetchall()[0][0]
            lines.append(f"  {schema}.{name:<40} {count:>10,} rows")
    finally:
        con.close()
    lines += [
        "",
        "Query the marts in SQL, e.g.:",
        f"  .venv/bin/python -c \"import duckdb; print(duckdb.connect('{duckdb_path()}', read_only=True).sql("
        "'select local_date, department_group, licensed_seats, dau, wau, mau, adoption_rate "
        "from mart_adoption_daily order by local_date desc, licensed_seats desc limit 10'))\"",
        "  ... or contribution next to AI use: 'select * from mart_ai_vs_contribution order by week_start, team'",
        "  ... or what the logs give as training data: 'select * from mart_log_coverage order by units desc'",
        "Browse the assets and runs: make dev, then http://127.0.0.1:3000",
    ]
    return "\n".join(lines)


def main() -> int:
    from python_assets.demo.company import DEMO_DAYS, DEMO_START

    start = DEMO_START.isoformat()
    end = (DEMO_START + timedelta(days=DEMO_DAYS - 1)).isoformat()
    print(f"Flywheel demo: every asset for {start} .. {end} in one run, then the logs job", flush=True)
    t0 = time.monotonic()
    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else None
    if instance is not None:
        forget_previous_demo_runs(instance)
    results = [run_demo(start, end), run_demo(start, end, job="logs_refresh")]
    took = time.monotonic() - t0
    failed_checks = [e for result in results for e in result.all_events
                     if e.event_type_value == "ASSET_CHECK_EVALUATION" and not e.event_specific_data.passed]
    if not all(result.success for result in results):
        print(f"\nDemo run FAILED after {took:.0f}s: see `make dev` (Runs) for the step logs.", file=sys.stderr)
        return 1
    warnings = [e for e in failed_checks if e.event_specific_data.severity == dg.AssetCheckSeverity.WARN]
    errors = [e for e in failed_checks if e not in warnings]

    def names(events: list) -> str:
        return ", ".join(sorted({f"{e.event_specific_data.check_name}@"
                                 f"{e.event_specific_data.asset_key.to_user_string()}" for e in events}))

    print(f"\nRuns succeeded in {took:.0f}s; {len(errors)} check(s) failed" + (f": {names(errors)}" if errors else "")
          + (f"; {len(warnings)} warning(s) (the demo directory plants bad org data on purpose): {names(warnings)}"
             if warnings else "."))
    print(summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
