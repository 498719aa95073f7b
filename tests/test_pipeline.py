"""The whole asset graph end to end, in-process: production connectors against the fake APIs, bronze Delta
tables, dbt build, backup. A small generated company over three weeks keeps each run to seconds.

Acceptance points of the foundation issue covered here: re-materializing a partition leaves every mart identical;
20% injected faults give the same marts as a clean run; a permanent failure fails clearly and changes nothing;
quarantined records reconcile; privacy, small groups and natural keys hold on real generated data; the backup
lands locally and on the SharePoint fake; no secret reaches a table or a log.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import pytest
from pipeline_harness import (
    ASSETS,
    demo_repos,
    failure_messages,
    mart_fingerprints,
    materialize,
    query,
    resources,
)

from python_assets.demo import generate_demo
from python_assets.demo.fake_api import FakeApiServer
from python_assets.demo.org import subtree
from python_assets.ingest.bronze_tables import ALL_TABLES, INGEST_BATCHES, INGEST_ERRORS
from python_assets.lake import tables

START = date(2026, 10, 1)
DAYS = 21
END = START + timedelta(days=DAYS - 1)
SECRETS = ("demo-service-key", "demo-secret")


@contextlib.contextmanager
def lake_at(root: Path):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FLYWHEEL_LAKE_ROOT", str(root))
        mp.setenv("FLYWHEEL_DUCKDB_PATH", str(root / "warehouse.duckdb"))
        yield


def copy_lake(root: Path, tmp_path: Path) -> Path:
    """A private copy of a built lake, so a test that writes to it leaves the module's clean run alone."""
    target = tmp_path / "lake"
    shutil.copytree(root, target, ignore=shutil.ignore_patterns("backups"))
    return target


def bronze_fingerprints(where: str = "true") -> dict[str, tuple]:
    """Rows and content of every raw table. Not ingest_batches: it logs runs (durations, retries, run ids)."""
    import duckdb

    con = duckdb.connect()
    out = {}
    for name in [t.lake_name for t in ALL_TABLES] + [INGEST_ERRORS]:
        con.register("data", tables.read_table(name))
        out[name] = con.sql("select count(*), md5(coalesce(string_agg(t::varchar, '|' order by t::varchar), '')) "
                            f"from data t where {where}").fetchall()[0]
    return out


def partition_fingerprints(exclude: date) -> dict[str, tuple]:
    """Like bronze_fingerprints, over every partition but one."""
    return bronze_fingerprints(f"_partition_date <> DATE '{exclude.isoformat()}'")


@dataclass
class Run:
    root: Path
    server: FakeApiServer
    result: dg.ExecuteInProcessResult
    marts: dict
    bronze: dict


@pytest.fixture(scope="module")
def demo():
    return generate_demo(seed=11, people=80, start=START, days=DAYS)


@pytest.fixture(scope="module")
def clean(demo, tmp_path_factory):
    """The whole range in one run against a fault-free API; the module's other runs compare with it."""
    root = tmp_path_factory.mktemp("clean")
    with lake_at(root), FakeApiServer(demo.company, demo.usage) as server:
        result = materialize(resources(server, backup_dir=str(root / "backups")), START, END)
        assert result.success, failure_messages(result)
        yield Run(root, server, result, mart_fingerprints(), bronze_fingerprints())


def test_definitions_load_as_one_graph():
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    # every dbt source is the key of the Python asset that writes it: no dangling source nodes
    python_written = {"/".join(t.asset_key) for t in ALL_TABLES}
    assert python_written <= keys
    staging = graph.get(dg.AssetKey("stg_windsurf__autocomplete"))
    assert {k.to_user_string() for k in staging.parent_keys} == {"windsurf/autocomplete"}
    for key in python_written:
        assert not graph.get(dg.AssetKey.from_user_string(key)).is_external, key
    assert {"dim_users", "fct_ai_usage_daily", "fct_ai_usage_daily_utc", "mart_adoption_daily",
            "dim_manager_chain", "roster_cycles", "dim_person_emails", "person_email_conflicts",
            "backup/marts_snapshot", "exports/roster_csv"} <= keys
    # dbt tests are asset checks, singular ones included
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    assert ("dim_users", "assert_denied_people_in_no_mart") in checks
    assert ("mart_adoption_daily", "assert_adoption_groups_at_least_k") in checks
    assert ("windsurf/autocomplete", "fresh_and_complete") in checks
    assert ("roster_cycles", "warn_manager_cycles") in checks
    assert defs.resolve_schedule_def("daily_refresh_schedule").job_name == "daily_refresh"
    # the logs: raw events -> redaction -> units -> the logs' marts, and nothing downstream reads raw_events
    assert {k.to_user_string() for k in graph.get(dg.AssetKey("mart_log_coverage")).parent_keys} == {
        "logs/training_units"}
    assert {k.to_user_string() for k in graph.get(dg.AssetKey(["logs", "raw_events"])).child_keys} == {
        "logs/events_redacted", "logs/pii_audit"}
    assert {k.to_user_string() for k in graph.get(dg.AssetKey("mart_pii_review_sample")).parent_keys} == {
        "logs/events_redacted", "logs/pii_audit"}
    # the org dictionary of redaction comes from the directory
    redacted = graph.get(dg.AssetKey(["logs", "events_redacted"]))
    assert "graph/users" in {k.to_user_string() for k in redacted.parent_keys}
    assert defs.resolve_sensor_def("log_files_sensor").job_name == "logs_refresh"
    assert defs.resolve_schedule_def("logs_daily_schedule").job_name == "logs_refresh"
    daily = {k.to_user_string() for k in defs.resolve_job_def("daily_refresh").asset_layer.executable_asset_keys}
    assert "dim_users" in daily and not any(k.startswith("logs/") or "log_" in k for k in daily), daily


def test_clean_run_builds_every_mart_and_passes_every_check(clean):
    assert all(count > 0 for count, _ in clean.marts.values()), clean.marts
    evaluations = [e.event_specific_data for e in clean.result.all_events
                   if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    assert len(evaluations) > 50  # dbt tests surface as asset checks
    failed = [f"{c.asset_key.to_user_string()}:{c.check_name}" for c in evaluations
              if not c.passed and c.severity != dg.AssetCheckSeverity.WARN]
    assert failed == []
    # the only warnings are about the bad org data the generator plants
    warned = {c.check_name for c in evaluations if not c.passed}
    assert warned <= {"warn_manager_cycles", "warn_orphans_and_deep_chains"}


def test_rematerializing_a_partition_leaves_every_mart_identical(clean, tmp_path):
    root = copy_lake(clean.root, tmp_path)
    with lake_at(root):
        res = resources(clean.server, backup_dir=str(root / "backups"))
        for day, runs in ((END, 2), (START + timedelta(days=10), 1)):
            # the day's partition becomes that day's own pull (the API's 3-day overlap included): the marts
            # never move, the other partitions keep their rows, and a repeat changes nothing at all
            others = partition_fingerprints(exclude=day)
            after = []
            for _ in range(runs):
                result = materialize(res, day, day, dbt_tests=False)
                assert result.success, failure_messages(result)
                assert mart_fingerprints() == clean.marts, f"after re-running {day}"
                after.append(bronze_fingerprints())
            assert all(a == after[0] for a in after)
            assert partition_fingerprints(exclude=day) == others


def test_faults_give_the_same_marts_as_a_clean_run(demo, clean, tmp_path):
    # 20% of requests answer 429 (with Retry-After), 500, 503 or time out
    with lake_at(tmp_path / "lake"), FakeApiServer(demo.company, demo.usage, fault_rate=0.2, seed=3,
                                                   timeout_sleep_s=0.8) as server:
        result = materialize(resources(server, backup_dir=str(tmp_path / "backups")), START, END, dbt_tests=False)
        assert result.success, failure_messages(result)
        faults, requests = sum(server.stats.faults.values()), sum(server.stats.requests.values())
        assert faults >= 10 and faults / requests > 0.1, (faults, requests)
        assert mart_fingerprints() == clean.marts
        assert bronze_fingerprints() == clean.bronze


def test_a_permanent_failure_fails_clearly_and_changes_nothing(demo, clean, tmp_path):
    root = copy_lake(clean.root, tmp_path)
    with lake_at(root):
        # the day's good run first: the pulls that still succeed below then rewrite exactly what is there
        assert materialize(resources(clean.server, backup_dir=str(root / "backups")), END, END,
                           dbt_tests=False).success
        before = mart_fingerprints(), bronze_fingerprints()
        with FakeApiServer(demo.company, demo.usage, fail_paths=("/api/v1/Analytics",),
                           fault_kinds=("500",)) as broken:
            result = materialize(resources(broken, backup_dir=str(root / "backups")), END, END, dbt_tests=False)
        assert not result.success
        messages = " ".join(failure_messages(result))
        assert "Analytics" in messages and "500" in messages, messages
        assert not any(secret in messages for secret in SECRETS)
        assert (mart_fingerprints(), bronze_fingerprints()) == before
        assert before[0] == clean.marts


def test_malformed_records_are_quarantined_and_counts_reconcile(clean):
    landed = {e.asset_key.to_user_string(): e.step_materialization_data.materialization.metadata
              for e in clean.result.get_asset_materialization_events()
              if "received" in e.step_materialization_data.materialization.metadata}
    with lake_at(clean.root):
        errors = tables.read_table(INGEST_ERRORS).to_pylist()
        batches = tables.read_table(INGEST_BATCHES).to_pylist()
    assert errors, "the generator plants malformed records"
    assert all(e["reason"] and e["payload_hash"] and e["endpoint"] and e["payload"] for e in errors)
    for table in ALL_TABLES:
        meta = {k: v.value for k, v in landed["/".join(table.asset_key)].items()}
        assert meta["received"] == meta["loaded"] + meta["quarantined"], table.name
        assert meta["quarantined"] == sum(1 for e in errors if (e["source"], e["table_name"]) == tuple(
            table.asset_key)), table.name
    for batch in batches:
        assert batch["received"] == batch["loaded"] + batch["quarantined"], batch


def test_marts_keep_privacy_small_groups_and_unique_keys(demo, clean):
    denied = [addr.lower() for addr in demo.company.deny_list_emails]
    denied_ids = [p.id for p in demo.company.people if p.mail.lower() in denied]
    assert len(denied_ids) == len(denied) == 2
    with lake_at(clean.root):
        for mart in ("dim_users", "fct_ai_usage_daily", "fct_ai_usage_daily_utc", "fct_commits",
                     "mart_contributions_daily"):
            ids = ", ".join(f"'{i}'" for i in denied_ids)
            assert query(f"select count(*) from {mart} where person_id in ({ids})") == [(0,)], mart
        assert query("select count(*) from mart_adoption_daily where group_size < 5") == [(0,)]
        assert query("select count(*) from mart_ai_vs_contribution where people < 5") == [(0,)]
        keys = {"dim_users": "person_id", "fct_ai_usage_daily": "person_id, local_date, tool",
                "fct_ai_usage_daily_utc": "person_id, utc_date, tool",
                "mart_adoption_daily": "local_date, department_group"}
        for mart, key in keys.items():
            assert query(f"select count(*) from (select {key} from {mart} group by all having count(*) > 1)") == [
                (0,)], mart
        # licensed seats in the adoption mart = licensed visible people in dim_users
        assert query("select max(s) from (select sum(licensed_seats) s from mart_adoption_daily group by local_date)"
                     ) == query("select count(*) from dim_users where is_licensed")


def test_backups_land_locally_and_on_the_sharepoint_drive(demo, clean, tmp_path):
    snapshot = clean.root / "backups" / END.isoformat()
    names = sorted(p.name for p in snapshot.iterdir())
    assert names == sorted(f"{m}.{ext}" for m in ("dim_users", "fct_ai_usage_daily", "mart_adoption_daily")
                           for ext in ("parquet", "json"))
    rows = json.loads((snapshot / "dim_users.json").read_text())
    with lake_at(clean.root):
        assert len(rows) == query("select count(*) from dim_users")[0][0]

        res = resources(clean.server, backup_target="sharepoint", drive_id="drive-1")
        result = dg.materialize(
            [a for a in ASSETS if dg.AssetKey(["backup", "marts_snapshot"]) in a.keys],
            resources=res, partition_key=END.isoformat(), instance=dg.DagsterInstance.ephemeral())
        assert result.success
    uploaded = {path.rsplit("/", 1)[-1] for path in clean.server.uploads}
    assert {"dim_users.parquet", "mart_adoption_daily.json"} <= uploaded


def test_no_secret_reaches_a_table_or_a_log(clean):
    with lake_at(clean.root):
        for name in [t.lake_name for t in ALL_TABLES] + [INGEST_ERRORS, INGEST_BATCHES]:
            text = str(tables.read_table(name).to_pylist())
            assert not any(secret in text for secret in SECRETS), name
    logs = " ".join(repr(e) for e in clean.result.all_events)  # messages, metadata and errors
    assert "landed" in logs or "received" in logs
    assert not any(secret in logs for secret in SECRETS)



def test_every_commit_of_the_demo_repositories_reaches_the_facts(demo, clean):
    # the whole range in one run: one sync per repository; every commit on main is in fct_commits once, except
    # those of people the privacy lists hide, and its author is a person exactly when an address of theirs
    denied = {a.lower() for a in demo.company.deny_list_emails}
    hidden = {a.lower() for p in demo.company.people if p.mail.lower() in denied for a in p.addresses}
    expected, total = {}, 0
    for path in demo_repos(demo.company):
        log = subprocess.run(["git", "-C", path, "log", "--format=%H %ae", "main"], check=True,
                             capture_output=True, text=True).stdout.split("\n")
        commits = [x.split(" ", 1) for x in log if x]
        total += len(commits)
        expected.update({(Path(path).name, sha): email.lower() for sha, email in commits
                         if email.lower() not in hidden})
    with lake_at(clean.root):
        facts = {(r, s): p for r, s, p in query("select repo, sha, person_id from fct_commits")}
        rate = query("select sum(commits), sum(matched_commits) from git_identity_match_rate")[0]
    assert set(facts) == set(expected)
    known = {a.lower() for p in demo.company.people for a in p.addresses}
    matched = {k for k, person in facts.items() if person is not None}
    assert matched and all(expected[k] in known for k in matched)
    # the match rate counts the hidden people's commits too (an aggregate names nobody); bots never match
    assert total > len(expected) and rate[1] == len(matched) + (total - len(expected))


def test_org_marts_report_the_planted_bad_data_and_the_roster_csv_lands(demo, clean):
    org = demo.company.org
    with lake_at(clean.root):
        in_cycles = {r[0] for r in query("select person_id from roster_cycles")}
        flagged = dict(query("select person_id, is_orphan from dim_manager_chain where is_orphan"))
        conflicts = [r[0] for r in query("select email_normalized from person_email_conflicts")]
        depth = query("select max(depth) from dim_manager_chain")[0][0]
        emails = query("select count(*) from dim_person_emails")[0][0]
    visible = {p.id for p in demo.company.people} - {
        p.id for p in demo.company.people if p.mail in demo.company.deny_list_emails}
    assert in_cycles == {p for ring in org.cycles for p in ring} & visible
    assert set(flagged) == set(org.orphans) & visible
    assert len(conflicts) == 2
    assert depth == 12
    # the checks that warn about them ran and did not pass
    warned = {e.event_specific_data.check_name for e in clean.result.all_events
              if e.event_type_value == "ASSET_CHECK_EVALUATION" and not e.event_specific_data.passed}
    assert {"warn_manager_cycles", "warn_orphans_and_deep_chains"} <= warned
    roster = (clean.root / "exports" / "roster" / END.isoformat() / "roster.csv").read_text().splitlines()
    assert roster[0].startswith("email,address_type,person_id")
    assert len(roster) - 1 >= emails


def _under(managers: dict[str, str], boss: str, people: set[str]) -> int:
    """How many of `people` sit anywhere under `boss` in a user -> manager map."""
    return len((subtree(managers, boss) - {boss}) & people)


def _managers_above(managers: dict[str, str], person: str) -> list[str]:
    chain, boss = [], managers.get(person)
    while boss in managers and boss not in chain:
        chain.append(boss)
        boss = managers[boss]
    return chain


def test_moves_leavers_and_joiners_count_under_the_org_of_each_day(demo, tmp_path):
    """A person who moved teams on day D counts under the old manager before D and the new one from D; a leaver
    counts under their managers until the day they left, a joiner from the day they joined. Daily runs (each
    day's directory sync sees that day's org), then every affected manager's group size on every day is checked
    against the generator's own directory of that day."""
    company = demo.company
    events = [e for e in company.org_events if START + timedelta(days=1) <= e.day <= END]
    # the closest move and leave: one short stretch of daily runs covers both (and any join between)
    move, leave = min(((m, lv) for m in events if m.kind == "move" for lv in events if lv.kind == "leave"),
                      key=lambda pair: (abs((pair[0].day - pair[1].day).days), pair[0].day))
    first = min(move.day, leave.day) - timedelta(days=1)
    days = [first + timedelta(days=i) for i in range((max(move.day, leave.day) - first).days + 1)]
    assert len(days) <= 4, "the demo's org events are spread out; pick a closer pair"
    bosses: set[str] = set()
    for d in days:
        managers = company.directory_on(d)[1]
        for e in events:
            if e.day in days and e.person_id in managers:
                bosses.update(_managers_above(managers, e.person_id))
    denied = {p.id for p in company.people if p.mail in company.deny_list_emails}
    with lake_at(tmp_path / "lake"), FakeApiServer(company, demo.usage) as server:
        res = resources(server, backup_dir=str(tmp_path / "backups"), small_group_k=1)
        for d in days:
            server.as_of = d
            result = materialize(res, d, d, dbt_tests=False)
            assert result.success, failure_messages(result)
        listed = ", ".join(f"'{b}'" for b in sorted(bosses))
        rows = {(d, m): n for d, m, n in query(
            "select local_date, manager_id, group_size from mart_adoption_by_manager "
            f"where manager_id in ({listed}) and local_date between DATE '{days[0]}' and DATE '{days[-1]}'")}
    for d in days:
        users, managers = company.directory_on(d)
        people = {u["id"] for u in users} - denied
        for boss in bosses:
            assert rows.get((d, boss), 0) == _under(managers, boss, people), (d, boss)
    # and those org changes did move people: the mover under each boss in turn, the leaver gone on the day
    before, after = (company.directory_on(move.day - timedelta(days=1))[1], company.directory_on(move.day)[1])
    old_boss, new_boss = before[move.person_id], move.manager_id
    assert _under(before, old_boss, {move.person_id}) == 1 and _under(after, new_boss, {move.person_id}) == 1
    assert rows[(move.day - timedelta(days=1), old_boss)] != rows.get((move.day, old_boss), 0) or \
        rows.get((move.day - timedelta(days=1), new_boss), 0) != rows[(move.day, new_boss)]
    above = _managers_above(company.directory_on(leave.day - timedelta(days=1))[1], leave.person_id)
    assert above and leave.person_id not in company.directory_on(leave.day)[1]
    assert all((leave.day - timedelta(days=1), b) in rows for b in above)


def test_the_dbt_window_is_the_runs_range_or_its_backfills():
    import time

    from dagster._core.execution.backfill import PartitionBackfill
    from dagster._core.storage.tags import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
        BACKFILL_ID_TAG,
        PARTITION_NAME_TAG,
    )

    from orchestration.assets.dbt_models import run_window
    from orchestration.definitions import defs

    assert run_window({ASSET_PARTITION_RANGE_START_TAG: "2026-08-10", ASSET_PARTITION_RANGE_END_TAG: "2026-08-12"}) \
        == {"min_date": "2026-08-10", "max_date": "2026-08-12"}
    assert run_window({PARTITION_NAME_TAG: "2026-08-11"}) == {"min_date": "2026-08-11", "max_date": "2026-08-11"}
    assert run_window({}) == {}
    # an asset backfill from the UI runs the (unpartitioned) dbt assets on their own: they take its range
    instance, graph = dg.DagsterInstance.ephemeral(), defs.resolve_asset_graph()
    backfill = PartitionBackfill.from_asset_partitions(
        backfill_id="b1", asset_graph=graph, partition_names=["2026-08-12", "2026-08-13", "2026-08-14"],
        asset_selection=[dg.AssetKey(["windsurf", "chat"]), dg.AssetKey("stg_windsurf__chat")],
        backfill_timestamp=time.time(), tags={}, dynamic_partitions_store=instance, all_partitions=False,
        title=None, description=None, run_config=None)
    instance.add_backfill(backfill)
    assert run_window({BACKFILL_ID_TAG: "b1"}, instance, graph) == {"min_date": "2026-08-12", "max_date": "2026-08-14"}
    assert run_window({BACKFILL_ID_TAG: "nope"}, instance, graph) == {}
