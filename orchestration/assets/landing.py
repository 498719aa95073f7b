"""What every ingestion asset shares: its spec (key, partitions, checks) and its result metadata."""


import json

import dagster as dg

from orchestration.partitions import daily_partitions
from python_assets.ingest.bronze_tables import BronzeTable
from python_assets.ingest.pulls import LoadResult
from python_assets.lake import tables


def reconcile_check(spec: BronzeTable) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec("counts_reconcile", asset=spec.asset_key,
                             description="records received = loaded + quarantined, for this pull")


def nonempty_check(spec: BronzeTable) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec("pull_not_empty", asset=spec.asset_key,
                             description="the pull loaded at least one record (warns otherwise)")


def bronze_asset_spec(spec: BronzeTable, description: str, deps: tuple = ()) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=spec.asset_key,
        description=description,
        group_name=f"{spec.source}_raw",
        kinds={"python", "delta"},
        partitions_def=daily_partitions,
        deps=list(deps),
        metadata={"lake_table": spec.lake_name, "columns": ", ".join(spec.columns)},
    )


def landed(context: dg.AssetExecutionContext, spec: BronzeTable, result: LoadResult,
           extra: dict | None = None, expect_rows: bool = True) -> dg.MaterializeResult:
    """Structured log line, materialization metadata and the two checks for one landed pull."""
    context.log.info(json.dumps({"event": "landed", **result.as_log()}))
    return dg.MaterializeResult(
        asset_key=spec.asset_key,
        metadata={
            "received": result.received,
            "loaded": result.loaded,
            "quarantined": result.quarantined,
            "quarantine_reasons": json.dumps(dict(result.reasons)),
            "delta_version": result.version,
            "path": tables.table_uri(spec.lake_name),
            **(extra or {}),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name="counts_reconcile", asset_key=spec.asset_key,
                passed=result.received == result.loaded + result.quarantined,
                metadata={"received": result.received, "loaded": result.loaded, "quarantined": result.quarantined},
            ),
            dg.AssetCheckResult(
                check_name="pull_not_empty", asset_key=spec.asset_key, passed=result.loaded > 0 or not expect_rows,
                severity=dg.AssetCheckSeverity.WARN, metadata={"loaded": result.loaded},
            ),
        ],
    )
