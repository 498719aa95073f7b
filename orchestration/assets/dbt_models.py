"""Every dbt model, seed and test as Dagster assets and asset checks: one dbt invocation per run.

The dbt assets are not partitioned. A dbt model is one relation (a view, or a table the run rebuilds or merges
into), not a set of daily slices: recording a materialization per day per model would cost a backfill tens of
thousands of instance events (most of the demo's time went there) and say nothing true. The partitions live on the
ingestion assets; a run's partition range (one day, or a whole backfill in a single run) becomes dbt's window,
`min_date`/`max_date`, so incremental models reprocess that window plus the lookback. An asset backfill launched from
the UI runs the dbt assets in a run of their own (Dagster groups a backfill's runs by partitioning): that run takes
the range its backfill targets. A run with neither (the logs job, a materialization launched on its own) rebuilds
everything, which the window design makes equal to any sequence of windowed runs (tests/test_dbt_models.py).

The window reaches dbt through the environment (FLYWHEEL_DBT_MIN_DATE / FLYWHEEL_DBT_MAX_DATE), not `--vars`: dbt
re-parses the whole project whenever `--vars` change (12 s against 5 s here), and every run has a new window.
From the dbt CLI, `--vars '{min_date: ..., max_date: ...}'` works the same and wins over the environment.
"""


import json
import os
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    BACKFILL_ID_TAG,
    PARTITION_NAME_TAG,
)
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.dbt_project import dbt_project
from orchestration.resources import WarehouseSettings

WINDOW_ENV = {"min_date": "FLYWHEEL_DBT_MIN_DATE", "max_date": "FLYWHEEL_DBT_MAX_DATE"}


class FlywheelDbtTranslator(DagsterDbtTranslator):
    """Groups follow the dbt folders (staging, intermediate, marts, logs); sources keep the default
    [source, table] keys, which are the keys of the Python assets that write them."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn") or []
        if dbt_resource_props.get("resource_type") == "seed":
            return "seeds"
        return fqn[1] if len(fqn) > 2 else "dbt"


def run_window(tags: Mapping[str, str], instance: dg.DagsterInstance | None = None,
               asset_graph=None) -> dict[str, str]:
    """The run's partition range as dbt window values: from the run's own partition tags, else from the asset
    backfill that launched it; {} when neither says (everything)."""
    if ASSET_PARTITION_RANGE_START_TAG in tags:
        return {"min_date": tags[ASSET_PARTITION_RANGE_START_TAG], "max_date": tags[ASSET_PARTITION_RANGE_END_TAG]}
    if PARTITION_NAME_TAG in tags:
        return {"min_date": tags[PARTITION_NAME_TAG], "max_date": tags[PARTITION_NAME_TAG]}
    backfill = instance.get_backfill(tags[BACKFILL_ID_TAG]) if instance and BACKFILL_ID_TAG in tags else None
    if backfill is None or not backfill.is_asset_backfill or asset_graph is None:
        return {}
    subsets = backfill.get_asset_backfill_data(asset_graph).target_subset.partitions_subsets_by_asset_key
    keys = sorted(key for subset in subsets.values() for key in subset.get_partition_keys())
    return {"min_date": keys[0], "max_date": keys[-1]} if keys else {}


def window_env(window: Mapping[str, str]) -> dict[str, str]:
    """The environment that carries a window to dbt; an absent bound is an empty value (unbounded)."""
    return {env: window.get(name, "") for name, env in WINDOW_ENV.items()}


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=FlywheelDbtTranslator(),
    pool="duckdb",
)
def flywheel_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseSettings):
    tags = context.run.tags
    # only a backfill's run needs the asset graph (an in-process run of an ad hoc job has no repository)
    window = run_window(tags, context.instance, context.repository_def.asset_graph if BACKFILL_ID_TAG in tags else None)
    context.log.info(f"dbt window: {window or 'none (everything)'}")
    # DbtCliResource passes this process's environment to dbt and has no per-call env.
    os.environ.update({**warehouse.dbt_env(), **window_env(window)})
    # One fixed target folder, not dagster-dbt's default of a new one per run (they pile up: ~7 MB each); it also
    # keeps dbt's partial-parse state between runs.
    target = dbt_project.project_dir / "target" / "last_run"
    yield from dbt.cli(["build", "--vars", json.dumps(warehouse.dbt_vars())], context=context,
                       target_path=target).stream()
