"""Dated snapshots of the marts (Parquet, and JSON as the original consumers read it) to a backup target:
a folder, `<root>/backups` under the storage root (a folder or a bucket), or a SharePoint/OneDrive drive through
the Graph upload API."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import duckdb

from python_assets.connectors.graph import GraphClient
from python_assets.lake import storage


def snapshot_files(duckdb_file: str, marts: list[str], day: date) -> dict[str, bytes]:
    """`{YYYY-MM-DD}/{mart}.parquet` and `.json` (an array of records) for every mart, rows in a stable order so a
    re-run writes identical files. DuckDB writes both (COPY): the fact mart holds every day of history, and
    serializing it row by row in Python was the costliest step of a daily run."""
    files: dict[str, bytes] = {}
    con = duckdb.connect(duckdb_file, read_only=True)
    try:
        with tempfile.TemporaryDirectory(prefix="flywheel-backup-") as tmp:
            for name in marts:
                order = ", ".join(f'"{c}"' for c in con.table(name).columns)
                query = f"select * from {name} order by {order}"
                for ext, options in (("parquet", "format parquet"), ("json", "format json, array true")):
                    path = Path(tmp) / f"{name}.{ext}"
                    con.sql(f"copy ({query}) to '{path}' ({options})")
                    files[f"{day.isoformat()}/{name}.{ext}"] = path.read_bytes()
    finally:
        con.close()
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
