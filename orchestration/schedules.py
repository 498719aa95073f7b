"""The daily refresh (replacing the original cron + bash job): yesterday plus the lookback window, one run; and the
logs' own job (unpartitioned: every new or changed log file), run daily and by the log-file sensor."""


import os
from datetime import timedelta

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from orchestration.assets.logs import LOG_GROUPS
from orchestration.partitions import LOOKBACK_DAYS, daily_partitions

_SCHEDULES_ON = os.environ.get("FLYWHEEL_SCHEDULE_ON") == "1"

daily_refresh_job = dg.define_asset_job(
    "daily_refresh",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups(*LOG_GROUPS),
    partitions_def=daily_partitions,
    description="Pull every source for the window, rebuild the dbt models for it, back up the marts.",
)


@dg.schedule(
    job=daily_refresh_job,
    cron_schedule=os.environ.get("FLYWHEEL_DAILY_CRON", "0 6 * * *"),
    execution_timezone="UTC",
    # The original job had an on/off flag; here it is the schedule's status, set in the UI or by env.
    default_status=dg.DefaultScheduleStatus.RUNNING if _SCHEDULES_ON else dg.DefaultScheduleStatus.STOPPED,
)
def daily_refresh_schedule(context: dg.ScheduleEvaluationContext):
    end = (context.scheduled_execution_time - timedelta(days=1)).date()
    first = daily_partitions.start.date() if hasattr(daily_partitions.start, "date") else daily_partitions.start
    start = max(first, end - timedelta(days=LOOKBACK_DAYS))
    return dg.RunRequest(
        run_key=f"daily-{end.isoformat()}",
        tags={ASSET_PARTITION_RANGE_START_TAG: start.isoformat(), ASSET_PARTITION_RANGE_END_TAG: end.isoformat()},
    )


logs_refresh_job = dg.define_asset_job(
    "logs_refresh",
    selection=dg.AssetSelection.groups(*LOG_GROUPS),
    description="Ingest new or changed log files, redact their sessions, re-segment them, rebuild the log marts.",
)

logs_daily_schedule = dg.ScheduleDefinition(
    name="logs_daily_schedule",
    job=logs_refresh_job,
    cron_schedule=os.environ.get("FLYWHEEL_LOGS_CRON", "30 6 * * *"),
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING if _SCHEDULES_ON else dg.DefaultScheduleStatus.STOPPED,
)
