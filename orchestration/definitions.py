"""The Dagster code location: assets, checks, the schedule and the resource set for FLYWHEEL_ENV."""

from __future__ import annotations

import dagster as dg

from orchestration.assets import backup, dbt_models, git, graph, logs, roster, windsurf
from orchestration.checks import freshness_checks
from orchestration.resources import resources_for
from orchestration.schedules import daily_refresh_job, daily_refresh_schedule, logs_daily_schedule, logs_refresh_job
from orchestration.sensors import log_files_sensor

defs = dg.Definitions(
    assets=dg.load_assets_from_modules([windsurf, graph, git, logs, dbt_models, backup, roster]),
    asset_checks=freshness_checks,
    jobs=[daily_refresh_job, logs_refresh_job],
    schedules=[daily_refresh_schedule, logs_daily_schedule],
    sensors=[log_files_sensor],
    resources=resources_for(),
)
