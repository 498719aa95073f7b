"""The roster CSV the original org pipeline produced, written per run from the privacy-filtered marts: one row
per (address, person), so every address a person is known by maps to them, with their chain levels."""

from __future__ import annotations

import csv
import io
from datetime import date

import duckdb

from python_assets.lake import storage

LEVELS = 10
COLUMNS = ["email", "address_type", "person_id", "display_name", "department", "depth",
           *[f"level_{i}_{part}" for i in range(1, LEVELS + 1) for part in ("id", "name")],
           "in_cycle", "below_cycle", "is_orphan", "exceeds_levels"]


def roster_rows(duckdb_file: str) -> list[tuple]:
    """Rows in a stable order (person, then address), so a re-run writes the same bytes."""
    levels = ", ".join(f"chain.level_{i}_id, chain.level_{i}_name" for i in range(1, LEVELS + 1))
    con = duckdb.connect(duckdb_file, read_only=True)
    try:
        return con.sql(f"""
            select emails.email_normalized, emails.address_type, chain.person_id, chain.display_name,
                   chain.department, chain.depth, {levels},
                   chain.in_cycle, chain.below_cycle, chain.is_orphan, chain.exceeds_levels
            from dim_manager_chain as chain
            left join dim_person_emails as emails on chain.person_id = emails.person_id
            order by chain.person_id, emails.is_primary desc nulls last, emails.email_normalized nulls last
        """).fetchall()
    finally:
        con.close()


def roster_csv(rows: list[tuple]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(["" if v is None else str(v).lower() if isinstance(v, bool) else v for v in row]
                     for row in rows)
    return buf.getvalue().encode()


def write_roster(duckdb_file: str, day: date, folder: str = "exports/roster") -> tuple[str, int]:
    """`<root>/<folder>/<day>/roster.csv` under the storage root (a folder or a bucket), written whole, so a
    reader never sees half a file. Returns its location and row count."""
    rows = roster_rows(duckdb_file)
    location = storage.write_file(f"{folder}/{day.isoformat()}/roster.csv", roster_csv(rows))
    return location, len(rows)
