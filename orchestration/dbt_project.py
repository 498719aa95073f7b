"""The dbt project handle: where it lives, and its manifest prepared when missing (a fresh clone has none)."""

from __future__ import annotations

import os

from dagster_dbt import DbtProject

from python_assets.settings import PROJECT_ROOT, duckdb_path

DBT_DIR = PROJECT_ROOT / "dbt_project"

os.environ.setdefault("FLYWHEEL_DUCKDB_PATH", duckdb_path())

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)


def _manifest_is_current() -> bool:
    manifest = dbt_project.manifest_path
    if not manifest.exists():
        return False
    built = manifest.stat().st_mtime
    sources = (p for folder in ("models", "macros", "seeds", "tests") for p in (DBT_DIR / folder).rglob("*"))
    return all(p.stat().st_mtime <= built for p in (*sources, DBT_DIR / "dbt_project.yml") if p.is_file())


def prepare_manifest() -> None:
    """`dbt parse` when the manifest is absent (a fresh clone) or older than the project's files, so the asset
    graph Dagster loads always matches the models."""
    if _manifest_is_current():
        return
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke(["parse", "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR), "--quiet"])
    if not result.success:
        raise RuntimeError(f"dbt parse failed: {result.exception}")


prepare_manifest()
