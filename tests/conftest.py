"""Test isolation: every test gets its own storage root and DuckDB file; nothing reaches the network."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("FLYWHEEL_ENV", "demo")
for key, value in {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
                   "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}.items():
    os.environ[key] = value


@pytest.fixture
def lake(tmp_path, monkeypatch):
    """A fresh, empty storage root for one test."""
    root = tmp_path / "lake"
    monkeypatch.setenv("FLYWHEEL_LAKE_ROOT", str(root))
    monkeypatch.setenv("FLYWHEEL_DUCKDB_PATH", str(root / "warehouse.duckdb"))
    monkeypatch.setenv("FLYWHEEL_BACKUP_DIR", str(root / "backups"))
    return root
