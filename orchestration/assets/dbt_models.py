"""Every dbt model, seed and test as Dagster assets and asset checks, in two groups: the adoption, org and git
models, daily-partitioned, and the logs' marts (models/logs), unpartitioned like the log assets they read.

The run's partition range becomes dbt's `min_date`/`max_date` vars, so a backfill over any range is a single
`dbt build` (incremental models reprocess that window plus the lookback), and tests surface as asset checks.
"""


import json
import os
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.dbt_project import dbt_project
from orchestration.partitions import daily_partitions
from orchestration.resources import WarehouseSettings


class FlywheelDbtTranslator(DagsterDbtTranslator):
    """Groups follow the dbt folders (staging, intermediate, marts); sources keep the default
    [source, table] keys, which are the keys of the Python assets that write them."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn") or []
        if dbt_resource_props.get("resource_type") == "seed":
            return "seeds"
        return fqn[1] if len(fqn) > 2 else "dbt"


LOGS_MODELS = "path:models/logs"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    exclude=LOGS_MODELS,
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    dagster_dbt_translator=FlywheelDbtTranslator(),
    pool="duckdb",
)
def flywheel_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseSettings):
    window = context.partition_key_range
    dbt_vars = {**warehouse.dbt_vars(), "min_date": window.start, "max_date": window.end}
    # DbtCliResource passes this process's environment to dbt and has no per-call env.
    os.environ.update(warehouse.dbt_env())
    # One fixed target folder, not dagster-dbt's default of a new one per run (they pile up: ~7 MB each).
    target = dbt_project.project_dir / "target" / "last_run"
    yield from dbt.cli(["build", "--vars", json.dumps(dbt_vars)], context=context, target_path=target).stream()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    select=LOGS_MODELS,
    dagster_dbt_translator=FlywheelDbtTranslator(),
    pool="duckdb",
    name="flywheel_dbt_logs",
)
def flywheel_dbt_logs(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    target = dbt_project.project_dir / "target" / "last_logs_run"
    yield from dbt.cli(["build"], context=context, target_path=target).stream()
