"""Delta table I/O under the storage root: paths, atomic partition replacement, reads.

One module for every Delta read and write; where the root is (a folder or `s3://bucket/prefix`) and its
credentials are decided once, in `storage`.
"""

from __future__ import annotations

import logging
import time
from datetime import date

import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)
from deltalake import DeltaTable, write_deltalake
from deltalake.exceptions import CommitFailedError, TableNotFoundError

from python_assets.lake import storage
from python_assets.lake.storage import storage_options

log = logging.getLogger(__name__)

_COMMIT_RETRIES = 8


def table_uri(name: str) -> str:
    """`name` is a slash path inside the lake, e.g. `raw/windsurf/autocomplete`."""
    return storage.uri(name)


def open_table(name: str) -> DeltaTable | None:
    """The table's current version, or None when it does not exist yet (a missing bucket is an error)."""
    uri = table_uri(name)
    with storage.explained(uri, "open"):
        try:
            return DeltaTable(uri, storage_options=storage_options())
        except TableNotFoundError:
            return None


def table_exists(name: str) -> bool:
    return open_table(name) is not None


def row_count(name: str) -> int:
    """Rows in the table's current version, from the Delta log's file statistics (no data read); 0 if absent."""
    table = open_table(name)
    if table is None:
        return 0
    with storage.explained(table_uri(name), "read"):
        counts = pa.table(table.get_add_actions(flatten=True))["num_records"]
    return int(pa.compute.sum(counts).as_py() or 0)


def read_table(
    name: str,
    filters: list[tuple] | None = None,
    columns: list[str] | None = None,
) -> pa.Table | None:
    """Read a table (or None when it does not exist yet). `filters` are pyarrow DNF filters."""
    dt = open_table(name)
    if dt is None:
        return None
    expr = None
    for col, op, value in filters or []:
        term = _filter_expr(col, op, value)
        expr = term if expr is None else expr & term
    with storage.explained(table_uri(name), "read"):
        return dt.to_pyarrow_dataset().to_table(columns=columns, filter=expr)


def _filter_expr(col: str, op: str, value):
    import pyarrow.dataset as ds

    field = ds.field(col)
    ops = {
        "=": field == value,
        "==": field == value,
        "!=": field != value,
        ">": field > value,
        ">=": field >= value,
        "<": field < value,
        "<=": field <= value,
    }
    if op == "in":
        return field.isin(list(value))
    if op not in ops:
        raise ValueError(f"unsupported filter operator {op!r}")
    return ops[op]


def _sql_literal(value) -> str:
    if isinstance(value, date):
        return f"'{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


def replace_where(
    name: str,
    data: pa.Table,
    where: dict[str, object],
    date_range: tuple[str, date, date] | None = None,
    partition_by: list[str] | None = None,
) -> int:
    """Atomically replace the rows matching `where` (column = value, or column in a list) and `date_range`
    with `data`.

    One Delta commit: readers see either the old slice or the new one. An empty `data` clears the slice, so a
    re-run of a pull that returned nothing leaves nothing behind. Returns the table version written.
    """
    terms = [_where_term(col, val) for col, val in where.items()]
    if date_range is not None:
        col, start, end = date_range
        terms.append(f"{col} >= {_sql_literal(start)} AND {col} <= {_sql_literal(end)}")
    predicate = " AND ".join(terms) if terms else None
    _check_rows_match(data, where, date_range)
    uri = table_uri(name)
    for attempt in range(_COMMIT_RETRIES):
        try:
            with storage.explained(uri, "write"):
                if open_table(name) is None:
                    write_deltalake(
                        uri, data, mode="append", partition_by=partition_by, storage_options=storage_options()
                    )
                else:
                    write_deltalake(
                        uri,
                        data,
                        mode="overwrite",
                        predicate=predicate,
                        schema_mode="merge",
                        storage_options=storage_options(),
                    )
            break
        except CommitFailedError:
            # Optimistic concurrency: another writer committed first (on S3 its conditional put refused ours);
            # our slice is disjoint, so retry on the new version.
            if attempt == _COMMIT_RETRIES - 1:
                raise
            log.info("commit conflict on %s, retrying (attempt %d)", name, attempt + 1)
            time.sleep(0.05 * 2**attempt)
    with storage.explained(uri, "open"):
        table = DeltaTable(uri, storage_options=storage_options())
    _compact_if_fragmented(name, table)
    return table.version()


# A table is compacted once it holds more than COMPACT_FILES files and more than COMPACT_PER_PARTITION per
# partition: small per-run writes (sync state, run logs, unpartitioned slices) would otherwise pile up one file per
# run, and every later read and predicate write opens them all - work that grows with history.
COMPACT_FILES = 64
COMPACT_PER_PARTITION = 4


def _compact_if_fragmented(name: str, table: DeltaTable) -> None:
    actions = pa.table(table.get_add_actions(flatten=True))
    files = actions.num_rows
    if files <= COMPACT_FILES:
        return
    keys = [actions[c].to_pylist() for c in actions.column_names if c.startswith("partition.")]
    partitions = len(set(zip(*keys, strict=True))) if keys else 1
    if files <= COMPACT_PER_PARTITION * partitions:
        return
    try:
        with storage.explained(table_uri(name), "write"):
            metrics = table.optimize.compact()
        log.info("compacted %s: %s files -> %s", name, metrics.get("numFilesRemoved"), metrics.get("numFilesAdded"))
    except CommitFailedError:
        log.info("compaction of %s lost a race with a writer; the next write retries it", name)


def ensure_table(name: str, schema: pa.Schema, partition_by: list[str] | None = None) -> None:
    """Create the table empty when it does not exist yet, so readers (dbt sources) find it before any data."""
    if open_table(name) is None:
        replace_where(name, schema.empty_table(), {}, partition_by=partition_by)


def _where_term(col: str, value) -> str:
    if isinstance(value, list | tuple | set | frozenset):
        if not value:
            raise ValueError(f"empty list for {col}: the slice to replace would match nothing")
        return f"{col} IN ({', '.join(_sql_literal(v) for v in sorted(value))})"
    return f"{col} = {_sql_literal(value)}"


def _check_rows_match(data: pa.Table, where: dict[str, object], date_range) -> None:
    """Refuse to write rows outside the slice being replaced: they would survive a later re-run twice."""
    import pyarrow.compute as pc

    if data.num_rows == 0:
        return
    for col, val in where.items():
        if isinstance(val, list | tuple | set | frozenset):
            inside = pc.is_in(data[col], value_set=pa.array(sorted(val), type=data.schema.field(col).type))
            if not pc.all(inside).as_py():
                raise ValueError(f"rows outside the replaced slice: {col} not in the {len(val)} values replaced")
            continue
        if not pc.all(pc.equal(data[col], pa.scalar(val, type=data.schema.field(col).type))).as_py():
            raise ValueError(f"rows outside the replaced slice: {col} != {val!r}")
    if date_range is not None:
        col, start, end = date_range
        lo, hi = pc.min(data[col]).as_py(), pc.max(data[col]).as_py()
        if lo < start or hi > end:
            raise ValueError(f"rows outside the replaced slice: {col} in [{lo}, {hi}] not within [{start}, {end}]")
