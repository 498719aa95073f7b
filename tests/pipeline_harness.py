"""Run the real asset graph (connectors, Delta, dbt, backup) in-process against the fake APIs."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from orchestration.assets import backup, dbt_models, git, graph, roster, windsurf
from orchestration.assets.dbt_models import flywheel_dbt_models
from orchestration.assets.logs import LOG_GROUPS
from orchestration.resources import (
    BackupResource,
    GitResource,
    GraphResource,
    HttpSettings,
    WarehouseSettings,
    WindsurfResource,
    dbt_resource,
)
from python_assets.demo.company import AI_GROUP_ID
from python_assets.settings import duckdb_path

MARTS = ("dim_users", "fct_ai_usage_daily", "fct_ai_usage_daily_utc", "mart_adoption_daily",
         "mart_adoption_by_manager", "dim_manager_chain", "roster_cycles", "dim_person_emails",
         "person_email_conflicts", "fct_commits", "fct_commit_files", "mart_contributions_daily",
         "mart_ai_vs_contribution", "git_unmatched_authors", "git_identity_match_rate")
ASSETS = dg.load_assets_from_modules([windsurf, graph, git, dbt_models, backup, roster])
FAST_HTTP = HttpSettings(timeout_s=0.5, max_attempts=10, base_delay_s=0.01)


_REPOS: dict[int, list[str]] = {}


def demo_repos(company) -> list[str]:
    """The company's generated git repositories, built once per test session (real git, a second or two)."""
    if id(company) not in _REPOS:
        from python_assets.demo.git_repos import build_demo_repos

        root = Path(tempfile.mkdtemp(prefix="flywheel-git-"))
        atexit.register(shutil.rmtree, root, True)
        _REPOS[id(company)] = [str(r.path) for r in build_demo_repos(company, root)]
    return _REPOS[id(company)]


def resources(server, backup_target: str = "local", backup_dir: str = "", drive_id: str = "",
              deny_emails: list[str] | None = None, small_group_k: int = 5) -> dict:
    deny_emails = server.company.deny_list_emails if deny_emails is None else deny_emails
    return {
        "windsurf": WindsurfResource(base_url=server.url, service_key="demo-service-key", http=FAST_HTTP,
                                     chunk_days=5),
        "graph": GraphResource(graph_url=server.url, login_url=server.url, tenant_id="t", client_id="c",
                               client_secret="demo-secret", ai_group_id=AI_GROUP_ID, http=FAST_HTTP, page_size=100),
        "backup_target": BackupResource(target=backup_target, local_dir=backup_dir, drive_id=drive_id),
        "dbt": dbt_resource(),
        "git": GitResource(repos=demo_repos(server.company)),
        "warehouse": WarehouseSettings(deny_emails=deny_emails, small_group_k=small_group_k),
    }


def materialize(res: dict, start: date, end: date, *, dbt_tests: bool = True,
                marts_only: bool = False) -> dg.ExecuteInProcessResult:
    """One run of the graph over [start, end]. dbt_tests=False leaves out dbt's tests (the asset checks on dbt
    models) for runs that only compare tables; marts_only builds just the dbt models under MARTS (the Python
    assets, and so every Delta table, always run)."""
    # the logs' marts read the log assets' tables, which this graph (adoption, org, git) does not build
    selection = dg.AssetSelection.all() - dg.AssetSelection.groups(*LOG_GROUPS)
    if marts_only:
        selection = (selection - dg.AssetSelection.assets(flywheel_dbt_models)) | dg.AssetSelection.assets(
            *MARTS).upstream()
    if not dbt_tests:
        selection = selection - dg.AssetSelection.checks_for_assets(flywheel_dbt_models)
    return dg.materialize(
        ASSETS, resources=res, instance=dg.DagsterInstance.ephemeral(), raise_on_error=False, selection=selection,
        tags={ASSET_PARTITION_RANGE_START_TAG: start.isoformat(), ASSET_PARTITION_RANGE_END_TAG: end.isoformat()},
    )


def mart_fingerprints() -> dict[str, tuple[int, str]]:
    """Row count and a content checksum (order-independent) of every mart."""
    con = duckdb.connect(duckdb_path(), read_only=True)
    try:
        out = {}
        for name in MARTS:
            count, digest = con.sql(
                f"select count(*), md5(coalesce(string_agg(t::varchar, '|' order by t::varchar), '')) from {name} t"
            ).fetchall()[0]
            out[name] = (count, digest)
        return out
    finally:
        con.close()


def query(sql: str) -> list[tuple]:
    con = duckdb.connect(duckdb_path(), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def failure_messages(result: dg.ExecuteInProcessResult) -> list[str]:
    """Each failed step's error with its causes (Dagster wraps the exception the asset raised)."""
    out = []
    for event in result.all_events:
        if event.event_type_value != "STEP_FAILURE" or not event.event_specific_data.error:
            continue
        error, chain = event.event_specific_data.error, []
        while error is not None:
            chain.append(f"{error.cls_name}: {error.message.strip()}")
            error = error.cause
        out.append(" <- ".join(chain))
    return out
