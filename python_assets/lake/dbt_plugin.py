"""dbt-duckdb source plugin: a dbt source with `meta: {plugin: lake, lake_table: raw/<source>/<table>}` reads
that Delta table under the storage root (`FLYWHEEL_LAKE_ROOT`), with the lake's credentials.

The table is handed to DuckDB as a pyarrow dataset (a view by default), so DuckDB pushes partition filters
down and an incremental model reads only the partitions of its window, not the table's whole history.
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from dbt.adapters.duckdb.utils import SourceConfig

from python_assets.lake import tables


class Plugin(BasePlugin):
    def initialize(self, config: dict[str, Any]) -> None:
        pass

    def load(self, source_config: SourceConfig):
        name = source_config.get("lake_table")
        if not name:
            raise ValueError(f"source {source_config.table_name()} needs meta.lake_table (e.g. raw/windsurf/chat)")
        dt = tables.open_table(name)
        if dt is None:
            raise FileNotFoundError(
                f"Delta table {tables.table_uri(name)} does not exist yet: materialize its Dagster asset first"
            )
        return dt.to_pyarrow_dataset()

    def default_materialization(self) -> str:
        return "view"
