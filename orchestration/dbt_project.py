"""The dbt project handle: where it lives, and its manifest prepared when missing (a fresh clone has none)."""

from __future__ import annotations

import os

from dagster_dbt import DbtProject

from python_assets.settings import PROJECT_ROOT, duckdb_path

DBT_DIR = PROJECT_ROOT / "dbt_project"

os.environ.setdefault("FLYWHEEL_DUCKDB_PATH", duckdb_path())

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)


def prepare_manifest() -> None:
    """`dbt parse` when the manifest is absent, so loading the definitions works on a fresh clone."""
    if dbt_project.manifest_path.exists():
        return
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke(["parse", "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR), "--quiet"])
    if not result.success:
        raise RuntimeError(f"dbt parse failed: {result.exception}")


prepare_manifest()
