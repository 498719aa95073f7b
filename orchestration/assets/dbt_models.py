"""Every dbt model, seed and test as Dagster assets and asset checks, in one daily-partitioned group.

The run's partition range becomes dbt's `min_date`/`max_date` vars, so a backfill over any range is a single
`dbt build` (incremental models reprocess that window plus the lookback), and tests surface as asset checks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.dbt_project import dbt_project
from orchestration.partitions import daily_partitions


class FlywheelDbtTranslator(DagsterDbtTranslator):
    """Groups follow the dbt folders (staging, intermediate, marts); sources keep the default
    [source, table] keys, which are the keys of the Python assets that write them."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn") or []
        if dbt_resource_props.get("resource_type") == "seed":
            return "seeds"
        return fqn[1] if len(fqn) > 2 else "dbt"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    dagster_dbt_translator=FlywheelDbtTranslator(),
    pool="duckdb",
)
def flywheel_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    window = context.partition_key_range
    dbt_vars = {"min_date": window.start, "max_date": window.end}
    yield from dbt.cli(["build", "--vars", json.dumps(dbt_vars)], context=context).stream()
