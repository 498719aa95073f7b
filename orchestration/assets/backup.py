"""After the marts build: a dated snapshot of them to the backup target (the original's daily SharePoint copy)."""


from datetime import date
from pathlib import Path

import dagster as dg

from orchestration.partitions import daily_partitions
from orchestration.resources import BackupResource, GraphResource
from python_assets import backup
from python_assets.settings import duckdb_path

MARTS = ("dim_users", "fct_ai_usage_daily", "mart_adoption_daily")


@dg.asset(
    key=["backup", "marts_snapshot"],
    deps=[dg.AssetKey([m]) for m in MARTS],
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="operations",
    kinds={"parquet", "json"},
    pool="duckdb",
    description="Dated Parquet + JSON snapshot of the marts, to a folder (default <root>/backups, a bucket when "
                "the root is one) or a SharePoint drive.",
)
def marts_snapshot(context: dg.AssetExecutionContext, backup_target: BackupResource, graph: GraphResource):
    day = date.fromisoformat(context.partition_key_range.end)
    files = backup.snapshot_files(duckdb_path(), list(MARTS), day)
    if backup_target.target == "sharepoint":
        written = backup.upload_drive(graph.client(), backup_target.drive_id, backup_target.folder, files)
    elif backup_target.target == "local":
        written = (backup.write_local(Path(backup_target.local_dir), files) if backup_target.local_dir
                   else backup.write_to_lake(files))
    else:
        raise dg.Failure(f"unknown backup target {backup_target.target!r}: use local or sharepoint")
    return dg.MaterializeResult(metadata={"files": len(written), "bytes": sum(len(b) for b in files.values()),
                                          "target": backup_target.target, "snapshot_date": day.isoformat()})
