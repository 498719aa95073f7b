"""Process-wide settings read from the environment: the storage root and the offline switches.

Everything that needs a path under the lake asks here, so one variable (FLYWHEEL_LAKE_ROOT) moves it.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Set before any library that could phone home is imported (dbt, transformers, datasets, TRL).
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
}
for _key, _value in OFFLINE_ENV.items():
    os.environ.setdefault(_key, _value)


def lake_root() -> str:
    """The storage root: a local folder (default `lake/` in the project) or an object-store URI."""
    root = os.environ.get("FLYWHEEL_LAKE_ROOT", "").strip()
    if not root:
        return str(PROJECT_ROOT / "lake")
    if "://" in root:
        return root.rstrip("/")
    return str(Path(root).expanduser().resolve())


def duckdb_path() -> str:
    """The DuckDB warehouse file that dbt builds; it lives under the storage root when that is local."""
    explicit = os.environ.get("FLYWHEEL_DUCKDB_PATH", "").strip()
    if explicit:
        return explicit
    root = lake_root()
    if "://" in root:
        return str(PROJECT_ROOT / "lake" / "warehouse.duckdb")
    return str(Path(root) / "warehouse.duckdb")
