"""The roster CSV, per run, after the org marts (the original's cleaned roster file)."""


from datetime import date

import dagster as dg

from orchestration.partitions import daily_partitions
from python_assets.roster_csv import write_roster
from python_assets.settings import duckdb_path


@dg.asset(
    key=["exports", "roster_csv"],
    deps=[dg.AssetKey(["dim_manager_chain"]), dg.AssetKey(["dim_person_emails"])],
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="exports",
    kinds={"csv"},
    pool="duckdb",
    description="<root>/exports/roster/<date>/roster.csv: one row per (address, person) with the manager "
                "chain levels, from the privacy-filtered marts.",
)
def roster_csv(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    day = date.fromisoformat(context.partition_key_range.end)
    location, rows = write_roster(duckdb_path(), day)
    return dg.MaterializeResult(metadata={"path": location, "rows": rows, "roster_date": day.isoformat()})
