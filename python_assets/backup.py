"""Dated snapshots of the marts (Parquet, and JSON as the original consumers read it) to a backup target:
a folder, `<root>/backups` under the storage root (a folder or a bucket), or a SharePoint/OneDrive drive through
the Graph upload API."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from python_assets.connectors.graph import GraphClient
from python_assets.lake import storage


def read_marts(duckdb_file: str, marts: list[str]) -> dict[str, pa.Table]:
    """Each mart in a stable row order, so a re-run writes identical files."""
    con = duckdb.connect(duckdb_file, read_only=True)
    try:
        out = {}
        for name in marts:
            table = con.sql(f"select * from {name}").to_arrow_table()
            order = [(c, "ascending") for c in table.column_names]
            out[name] = table.sort_by(order) if table.num_rows else table
        return out
    finally:
        con.close()


def _json_default(value):
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def snapshot_files(marts: dict[str, pa.Table], day: date) -> dict[str, bytes]:
    """`{YYYY-MM-DD}/{mart}.parquet` and `.json` (an array of records) for every mart."""
    files: dict[str, bytes] = {}
    for name, table in marts.items():
        buf = io.BytesIO()
        pq.write_table(table, buf)
        files[f"{day.isoformat()}/{name}.parquet"] = buf.getvalue()
        files[f"{day.isoformat()}/{name}.json"] = json.dumps(
            table.to_pylist(), default=_json_default, separators=(",", ":")).encode()
    return files


def write_local(root: Path, files: dict[str, bytes]) -> list[str]:
    written = []
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(content)
        tmp.replace(path)  # atomic per file: a reader never sees half a snapshot file
        written.append(str(path))
    return written


def write_to_lake(files: dict[str, bytes], folder: str = "backups") -> list[str]:
    """Under `<root>/<folder>/` of the storage root, whether that is a folder or a bucket."""
    return [storage.write_file(f"{folder}/{rel}", content) for rel, content in files.items()]


def upload_drive(client: GraphClient, drive_id: str, folder: str, files: dict[str, bytes]) -> list[str]:
    if not drive_id:
        raise ValueError("backup target is sharepoint but FLYWHEEL_BACKUP_DRIVE_ID is not set")
    uploaded = []
    for rel, content in files.items():
        path = f"{folder.strip('/')}/{rel}"
        client.upload(drive_id, path, content)
        uploaded.append(path)
    return uploaded
