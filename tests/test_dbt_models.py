"""End to end over dbt_project/ on hand-made bronze tables: a build from scratch, the facts it must get right
(latest pull wins, local dates across DST and half-hour zones, identity, privacy, small groups), and window
re-runs that must leave every mart identical - the same window twice, then an old window after newer ones.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pytest
from bronze_fixtures import DENIED_ADDRESS, DENIED_PERSON, write_bronze_fixtures

from python_assets.demo.org import reporting_chains

PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
MARTS = ["dim_users", "fct_ai_usage_daily", "fct_ai_usage_daily_utc", "mart_adoption_daily"]
INCREMENTAL = ["stg_windsurf__autocomplete", "stg_windsurf__chat", "stg_windsurf__pcw",
               "stg_windsurf__cascade_lines", "stg_windsurf__cascade_runs"]
LATEST_WINDOW = {"min_date": "2026-10-27", "max_date": "2026-10-27"}
OLD_WINDOW = {"min_date": "2026-10-23", "max_date": "2026-10-23"}


def _release_duckdb() -> None:
    """dbt-duckdb keeps its DuckDB instance open in the process after a run (keep_open defaults to true, which
    spares a reopen per node); drop it so this process can open the file read-only."""
    import gc

    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    DuckDBConnectionManager.close_all_connections()
    gc.collect()


@dataclass
class Warehouse:
    project: Path
    db: str
    work: Path
    full_build: dict = field(default_factory=dict)  # checksums right after the build from scratch

    def dbt(self, *args: str, dbt_vars: dict | None = None, window: dict | None = None) -> None:
        """dbt in-process; `window` goes the way Dagster passes it (environment), `dbt_vars` as --vars."""
        from dbt.cli.main import dbtRunner

        from orchestration.assets.dbt_models import window_env

        cli = [*args, "--project-dir", str(self.project), "--profiles-dir", str(self.project),
               "--target-path", str(self.work / "target"), "--log-path", str(self.work / "logs"),
               "--quiet", "--log-level-file", "info"]
        if dbt_vars:
            cli += ["--vars", json.dumps(dbt_vars)]
        with pytest.MonkeyPatch.context() as mp:
            for name, value in window_env(window or {}).items():
                mp.setenv(name, value)
            result = dbtRunner().invoke(cli)
        _release_duckdb()
        failures = []
        for node in getattr(result.result, "results", None) or []:
            if str(node.status) not in ("success", "pass"):
                failures.append(f"{node.node.unique_id}: {node.status} {node.message}")
        assert result.success, f"dbt {' '.join(args)} failed: {result.exception or failures}"

    def query(self, sql: str) -> list[tuple]:
        con = duckdb.connect(self.db, read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def checksums(self) -> dict[str, tuple]:
        sql = " union all ".join(
            f"select '{t}', count(*), md5(coalesce(string_agg(t::varchar, '|' order by t::varchar), '')) from {t} t"
            for t in MARTS + INCREMENTAL
        )
        return {row[0]: row[1:] for row in self.query(sql)}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Warehouse:
    work = tmp_path_factory.mktemp("dbt")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FLYWHEEL_LAKE_ROOT", str(work / "lake"))
        mp.setenv("FLYWHEEL_DUCKDB_PATH", str(work / "warehouse.duckdb"))
        mp.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        write_bronze_fixtures()
        # A copy of the project, so the test can put someone on the deny list (the real seed's rows are the
        # operator's); upper case and padding check that the list is normalized like every address.
        project = work / "dbt_project"
        shutil.copytree(PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
        (project / "seeds" / "privacy_deny_list.csv").write_text(f"email\n  {DENIED_ADDRESS.upper()} \n")
        wh = Warehouse(project=project, db=str(work / "warehouse.duckdb"), work=work)
        wh.dbt("build")
        wh.full_build = wh.checksums()
        yield wh


def test_latest_pull_wins_and_late_records_land(warehouse):
    # Eve's chat hour was re-sent by four pulls with 2, 3, 4, 5 chats: the latest pull's 5 wins.
    assert warehouse.query(
        "select num_chats_received, pulled_partition_date from stg_windsurf__chat where api_key = 'k-eve'"
    ) == [(5, date(2026, 10, 26))]
    # One row per natural key although each record came in up to four pulls.
    assert warehouse.query("select count(*) from stg_windsurf__autocomplete") == [(19,)]
    # Alice's 10-22 hour first arrived in the 10-24 pull; its last pull is 10-25 (10-22 + 3).
    assert warehouse.query(
        "select num_acceptances, pulled_partition_date from stg_windsurf__autocomplete "
        "where api_key = 'k-alice' and usage_date = '2026-10-22'"
    ) == [(7, date(2026, 10, 25))]


def test_local_dates_follow_each_persons_timezone(warehouse):
    def local(person):
        return dict(warehouse.query(
            f"select local_date, acceptances from fct_ai_usage_daily where person_id = '{person}'"))

    # Shanghai: 15:00Z stays on 10-23, 20:00Z is 04:00 on 10-24.
    assert local("p03") == {date(2026, 10, 23): 2, date(2026, 10, 24): 8}
    # Kolkata (+5:30): 18:00Z is 23:30, 19:00Z is 00:30 the next day.
    assert local("p04") == {date(2026, 10, 23): 3, date(2026, 10, 24): 9}
    # Berlin, DST ends 10-25 01:00Z: 10-24 22:00Z (CEST) and 10-25 22:00Z (CET) both fall on local 10-25.
    assert local("p02") == {date(2026, 10, 25): 10, date(2026, 10, 26): 1}
    # The UTC mart keeps UTC days.
    assert dict(warehouse.query(
        "select utc_date, acceptances from fct_ai_usage_daily_utc where person_id = 'p03'"
    )) == {date(2026, 10, 23): 10}
    # Unknown office -> Etc/UTC, marked as a default.
    assert warehouse.query("select timezone, timezone_source from dim_users where person_id = 'p11'") == [
        ("Etc/UTC", "default")]


def test_identity_and_status(warehouse):
    rows = {r[0]: r[1:] for r in warehouse.query(
        "select person_id, status, is_licensed, is_directory_match, api_key_count from dim_users")}
    assert rows["p01"] == ("active", True, True, 2)  # two api keys, one via a proxy address
    assert rows["p02"][:2] == ("active", True)  # licensed through the AI group only
    assert rows["p06"][0] == "licensed_never_used"
    assert rows["p08"][0] == "disabled"  # Windsurf disableCodeium
    assert rows["p14"][0] == "disabled"  # directory account disabled
    assert rows["p11"][0] == "inactive"  # last use 10-01, more than 14 days before 10-27
    assert rows["p12"][:3] == ("active", False, True)  # an unlicensed Windsurf user is still listed
    assert rows["windsurf:k-ext"][2] is False  # not in the directory
    assert rows["windsurf:k-shared"][2] is False  # an address shared by two people identifies nobody
    assert "p13" not in rows  # neither licensed nor a Windsurf user
    assert any(p.startswith("windsurf-email:") for p in rows)  # a Cascade-only email


def test_deny_listed_person_is_in_no_mart(warehouse):
    denied = DENIED_PERSON
    for mart in ["dim_users", "fct_ai_usage_daily", "fct_ai_usage_daily_utc"]:
        assert warehouse.query(f"select count(*) from {mart} where person_id = '{denied}'") == [(0,)], mart
    assert warehouse.query("select count(*) from dim_users where primary_email like 'judy%'") == [(0,)]
    # Judy was licensed and active on 10-24: the adoption mart counts 11 seats, not 12, and not her activity.
    assert warehouse.query(
        "select distinct sum(licensed_seats) over (partition by local_date) from mart_adoption_daily") == [(11,)]
    assert warehouse.query(
        "select sum(cascade_lines_suggested) from mart_adoption_daily where local_date = '2026-10-24'") == [(10,)]


def test_small_groups_are_merged(warehouse):
    groups = warehouse.query(
        "select distinct department_group, group_size, is_rollup, departments_in_group "
        "from mart_adoption_daily order by 1")
    # Legal (1) + Unknown (3) < 5, so the smallest remaining department (Engineering, 5) joins them.
    assert groups == [("Data", 6, False, "Data"),
                      ("Other (small groups)", 9, True, "Engineering, Legal, Unknown")]


def test_active_user_counts_come_from_person_days(warehouse):
    day = "2026-10-27"
    expected = warehouse.query(
        f"select count(distinct person_id) filter (where local_date = '{day}'), "
        f"count(distinct person_id) filter (where local_date > date '{day}' - 7), "
        f"count(distinct person_id) filter (where local_date > date '{day}' - 30) "
        f"from fct_ai_usage_daily where is_active and local_date <= '{day}'")
    assert warehouse.query(
        f"select sum(dau), sum(wau), sum(mau) from mart_adoption_daily where local_date = '{day}'") == expected


def test_window_reruns_leave_marts_identical(warehouse):
    full = warehouse.full_build
    # A row inside the window that no pull supports must go: the window is recomputed, not patched. (Rows
    # outside it must stay: the window reads bronze from 10-24 on, so Ken's 10-01 row survives only if kept.)
    con = duckdb.connect(warehouse.db)
    con.execute("insert into stg_windsurf__pcw (api_key, usage_date, pulled_partition_date) "
                "values ('k-stale', '2026-10-26', '2026-10-26')")
    con.close()
    warehouse.dbt("build", dbt_vars=LATEST_WINDOW)
    assert warehouse.query("select count(*) from stg_windsurf__pcw where api_key = 'k-stale'") == [(0,)]
    assert warehouse.checksums() == full

    warehouse.dbt("run", window=LATEST_WINDOW)  # as Dagster passes it
    assert warehouse.checksums() == full

    # An old window after newer ones: it reads every pull that holds its dates (through 10-26), so Eve's chat
    # keeps the 10-26 pull's value instead of the 10-23 pull's.
    warehouse.dbt("run", window=OLD_WINDOW)
    assert warehouse.checksums() == full
    assert warehouse.query("select num_chats_received from stg_windsurf__chat where api_key = 'k-eve'") == [(5,)]


def test_the_window_reaches_dbt_through_the_environment(warehouse):
    """Dagster passes the window as environment (dbt re-parses everything when --vars change): a row outside the
    window stays, a stale one inside it goes - the run was windowed, not a rebuild."""
    con = duckdb.connect(warehouse.db)
    con.execute("insert into stg_windsurf__pcw (api_key, usage_date, pulled_partition_date) values "
                "('k-outside', '2026-10-01', '2026-10-01'), ('k-stale', '2026-10-26', '2026-10-26')")
    con.close()
    warehouse.dbt("run", "--select", "stg_windsurf__pcw", window=LATEST_WINDOW)
    assert warehouse.query("select api_key from stg_windsurf__pcw where api_key in ('k-outside', 'k-stale')") == [
        ("k-outside",)]
    con = duckdb.connect(warehouse.db)
    con.execute("delete from stg_windsurf__pcw where api_key = 'k-outside'")
    con.close()
    assert warehouse.checksums() == warehouse.full_build


def test_allow_list_admits_only_its_people(warehouse):
    allow = warehouse.project / "seeds" / "privacy_allow_list.csv"
    allow.write_text("email\nalice@corp.example\ncontractor@vendor.example\n")
    warehouse.dbt("build", "--select", "privacy_allow_list+")
    assert warehouse.query("select person_id from dim_users order by 1") == [("p01",), ("windsurf:k-ext",)]
    assert warehouse.query("select distinct person_id from fct_ai_usage_daily order by 1") == [
        ("p01",), ("windsurf:k-ext",)]
    # Two people are fewer than small_group_k: the adoption mart shows nothing at all.
    assert warehouse.query("select count(*) from mart_adoption_daily") == [(0,)]

    # Emptied again, everyone (but the denied) comes back: the run without a window recomputes in place.
    allow.write_text("email\n")
    warehouse.dbt("build", "--select", "privacy_allow_list+")
    assert warehouse.checksums() == warehouse.full_build


def test_manager_chains_cycles_orphans_and_email_conflicts(warehouse):
    chains = {r[0]: r[1:] for r in warehouse.query(
        "select person_id, depth, chain_ids, level_1_id, level_2_id, is_orphan, under_orphan, in_cycle, "
        "below_cycle, has_withheld_managers from dim_manager_chain")}
    assert DENIED_PERSON not in chains
    assert chains["p07"][:4] == (4, ["p01", "p06", "p05", "p07"], "p01", "p06")
    # p12 reports to the deny-listed p10: the chain keeps the level, without naming her
    assert chains["p12"][1] == ["p01", None, "p12"] and chains["p12"][8] is True
    assert chains["p09"][4:6] == (True, True)  # orphan: the manager left the directory
    assert {p for p, c in chains.items() if c[6]} == {"p08", "p11", "p13"}  # in a cycle (p13 manages self)
    assert {p for p, c in chains.items() if c[7]} == {"p14"}  # below one
    assert chains["p14"][1] == ["p11", "p08", "p14"]
    cycles = dict(warehouse.query("select person_id, cycle_path from roster_cycles"))
    assert cycles == {"p08": "Heidi Hall -> Ken Kato -> Heidi Hall", "p11": "Ken Kato -> Heidi Hall -> Ken Kato",
                      "p13": "Mallory Moss -> Mallory Moss"}
    # an address two people hold maps to nobody: reported, and out of the identity map
    assert warehouse.query("select email_normalized, person_ids from person_email_conflicts") == [
        ("shared@corp.example", ["p05", "p07"])]
    assert warehouse.query(
        "select count(*) from dim_person_emails where email_normalized = 'shared@corp.example'") == [(0,)]
    assert warehouse.query(
        "select person_id from dim_person_emails where email_normalized = 'a.anders@corp.example'") == [("p01",)]


def test_sql_chains_agree_with_the_python_reference(warehouse):
    # int_manager_chains (recursive CTE) against a plain BFS over the same edges: every chain and every cycle
    managers = dict(warehouse.query("select person_id, manager_id from stg_graph__users"))
    chains, cycles = reporting_chains(managers)
    assert dict(warehouse.query("select person_id, chain_ids from int_manager_chains")) == chains
    assert dict(warehouse.query(
        "select person_id, cycle_ids from int_manager_chains where in_cycle")) == cycles


def test_commits_people_rules_and_ai_evidence(warehouse):
    commits = {r[0]: r[1:] for r in warehouse.query(
        "select sha, person_id, author_kind, local_date, is_counted, lines_added, lines_deleted, is_ai_assisted, "
        "ai_confidence, ai_evidence, is_mass_change, is_merge, unmatched_author_email from fct_commits")}
    # the force-push: g5 retired, g6 in its place; the deny-listed person's commit in no mart
    assert "g5" not in commits and "g6" in commits and "gj" not in commits
    assert commits["g6"][0] == "p03"
    # an alias in upper case is still Alice; vendored and binary files do not count, the trailer is evidence
    assert commits["g1"][:8] == ("p01", "person", date(2026, 10, 21), True, 30, 5, True, "high")
    assert commits["g1"][8] == ["made_with_trailer"]
    # Kolkata: 19:00Z is the next local day; a co-author trailer naming an assistant
    assert commits["g2"][2] == date(2026, 10, 24) and commits["g2"][6:9] == (True, "high", ["co_author_trailer"])
    assert commits["g3"][1:5] == ("bot", date(2026, 10, 22), False, 0)  # lock file only, and a bot
    assert commits["g4"][1] == "ai_agent" and commits["g4"][6:9] == (True, "high", ["agent_author"])
    assert commits["g9"][9] is True and commits["g9"][3] is False  # a mass reformat is flagged, not counted
    assert commits["gm"][10] is True and commits["gm"][3] is False
    # unmatched authors are reported, the shared address among them
    assert commits["g7"][0] is None and commits["g7"][11] == "sam@vendor.example"
    assert dict(warehouse.query("select author_email, is_shared_address from git_unmatched_authors")) == {
        "sam@vendor.example": False, "shared@corp.example": True}
    (rate,) = warehouse.query("select commits, matched_commits, match_rate from git_identity_match_rate")
    # people's live commits (bots, the agent and the rewritten g5 apart; Judy's hidden commit counts in the rate)
    assert rate == (9, 7, 0.7778)
    files = dict(warehouse.query("select path, excluded_as from fct_commit_files where sha = 'g1'"))
    assert files == {"src/login.py": None, "vendor/lib.js": "vendored", "assets/logo.png": "binary"}
    assert warehouse.query("select old_path from fct_commit_files where sha = 'g2'") == [("src/parser.py",)]


def test_contributions_per_person_day_and_small_groups(warehouse):
    rows = {(r[0], r[1]): r[2:] for r in warehouse.query(
        "select person_id, local_date, commits, lines_added, lines_deleted, files_touched, ai_assisted_commits "
        "from mart_contributions_daily")}
    # Alice: g0 (initial, lock file excluded) and g1 (alias); the merge and Bob's reformat do not count
    assert rows[("p01", date(2026, 10, 20))] == (1, 40, 0, 1, 0)
    assert rows[("p01", date(2026, 10, 21))] == (1, 30, 5, 1, 1)
    assert ("p02", date(2026, 10, 24)) not in rows and not any(p == DENIED_PERSON for p, _ in rows)
    # a handful of committers: every week's groups are under k = 5, so none is shown
    assert warehouse.query("select count(*) from mart_ai_vs_contribution") == [(0,)]
