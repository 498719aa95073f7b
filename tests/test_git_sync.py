"""Local git repositories into bronze: real `git` on the demo's generated repositories.

Acceptance points of the git issue covered here: lines added and deleted per commit equal an independent
`git log --numstat` recount; a second incremental run adds nothing; a force-push rewrites the affected commits
only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest

from python_assets.connectors.git_local import GitError, head_as_of
from python_assets.demo import generate_demo
from python_assets.demo.git_repos import BRANCH, build_demo_repos, rewrite_last_commits
from python_assets.ingest import git_sync
from python_assets.lake import tables

START = date(2026, 10, 1)
DAYS = 10


def _git(repo: Path, *args: str, env: dict | None = None) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}).stdout


def _bronze(name: str, repo: str) -> list[dict]:
    rows = tables.read_table(name, filters=[("repo", "=", repo)])
    return [] if rows is None else rows.to_pylist()


@pytest.fixture(scope="module")
def repos(tmp_path_factory):
    demo = generate_demo(seed=5, people=150, start=START, days=DAYS)
    return build_demo_repos(demo.company, tmp_path_factory.mktemp("git"))


@pytest.fixture
def lake(tmp_path, monkeypatch):
    monkeypatch.setenv("FLYWHEEL_LAKE_ROOT", str(tmp_path / "lake"))
    return tmp_path


def _sync_days(repo: git_sync.RepoConfig, first: date, last: date) -> list[list[git_sync.BranchSync]]:
    return [git_sync.sync_repository(repo, first + timedelta(days=i)) for i in range((last - first).days + 1)]


def test_demo_repositories_hold_the_history_a_real_one_does(repos):
    for repo in repos:
        log = _git(repo.path, "log", "--format=%H %P%x09%ae%x09%B%x00")
        assert len(_git(repo.path, "rev-list", BRANCH).split()) == repo.commits
        assert any(len(entry.split("\t")[0].split()) > 2 for entry in log.split("\0"))  # merge commits
        assert "[bot]" in log and "Co-authored-by: " in log and "@vendor.example" in log
        numstat = _git(repo.path, "log", "--numstat", "--format=")
        assert "-\t-\t" in numstat  # a binary file
        assert _git(repo.path, "log", "-M", "--diff-filter=R", "--format=%H")  # a rename


def test_line_counts_equal_an_independent_numstat_recount(repos, lake):
    repo = repos[0]
    config = git_sync.RepoConfig(repo.name, str(repo.path))
    _sync_days(config, START, START + timedelta(days=DAYS - 1))
    commits = _bronze(git_sync.GIT_COMMITS.lake_name, repo.name)
    files = _bronze(git_sync.GIT_COMMIT_FILES.lake_name, repo.name)
    # every commit of the branch exactly once (the initial sync, then one fast-forward a day)
    assert sorted(c["sha"] for c in commits) == sorted(_git(repo.path, "rev-list", BRANCH).split())
    ours: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for f in files:
        if f["is_binary"] == "true":
            ours[f["sha"]][2] += 1
        else:
            ours[f["sha"]][0] += int(f["additions"])
            ours[f["sha"]][1] += int(f["deletions"])
    # the recount: line-oriented numstat (no -z), with git's own rename syntax left in the path
    theirs: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    sha = None
    for line in _git(repo.path, "log", "--numstat", "-M", "--format=commit %H").splitlines():
        if line.startswith("commit "):
            sha = line.split()[1]
        elif line.strip():
            added, deleted, _ = line.split("\t", 2)
            if added == "-":
                theirs[sha][2] += 1
            else:
                theirs[sha][0] += int(added)
                theirs[sha][1] += int(deleted)
    assert {k: v for k, v in ours.items()} == {k: v for k, v in theirs.items()}
    assert sum(v[0] for v in ours.values()) > 1000
    # renames keep both paths, clean (no "{a => b}")
    renamed = [f for f in files if f["old_path"]]
    assert renamed and all("=>" not in f["path"] and "{" not in f["path"] for f in renamed)


def test_a_second_run_adds_nothing_and_a_rerun_writes_the_same_rows(repos, lake):
    repo = repos[1]
    config = git_sync.RepoConfig(repo.name, str(repo.path))
    last = START + timedelta(days=DAYS - 1)
    syncs = _sync_days(config, START - timedelta(days=1), last)
    assert syncs[0][0].mode == "initial" and {s[0].mode for s in syncs[1:]} <= {"fast_forward", "unchanged"}
    before = {n: sorted(map(str, _bronze(n, repo.name))) for n in (git_sync.GIT_COMMITS.lake_name,
                                                                    git_sync.GIT_COMMIT_FILES.lake_name)}
    # the next day: no new commits, nothing written
    (nothing,) = git_sync.sync_repository(config, last + timedelta(days=1))
    assert nothing.mode == "unchanged" and not nothing.added and not nothing.removed
    # a partition in the middle, again: identical rows, and no history written twice
    git_sync.sync_repository(config, START + timedelta(days=4))
    after = {n: sorted(map(str, _bronze(n, repo.name))) for n in before}
    assert after == before


def test_a_force_push_rewrites_the_affected_commits_only(repos, lake, tmp_path):
    source = repos[2]
    clone = tmp_path / source.name
    shutil.copytree(source.path, clone)
    config = git_sync.RepoConfig(source.name, str(clone))
    last = START + timedelta(days=DAYS - 1)
    _sync_days(config, last - timedelta(days=2), last)
    seen = {c["sha"] for c in _bronze(git_sync.GIT_COMMITS.lake_name, source.name)}
    base, dropped = rewrite_last_commits(clone, last + timedelta(days=1), n=2)
    new_head = head_as_of(clone, BRANCH)
    (sync,) = git_sync.sync_repository(config, last + timedelta(days=1))
    assert sync.mode == "force_push" and sync.fork_sha == base
    assert sorted(sync.removed) == sorted(dropped)  # the rewritten commits (and anything after them) only
    assert len(sync.added) == 2 and all(c.sha not in seen for c in sync.added)
    # staging's view: every commit's newest record; the live ones are exactly the branch as it is now
    latest: dict[str, tuple] = {}
    for c in sorted(_bronze(git_sync.GIT_COMMITS.lake_name, source.name), key=lambda c: c["_partition_date"]):
        latest[c["sha"]] = c["change"]
    live = {sha for sha, change in latest.items() if change == "added"}
    assert live == set(_git(clone, "rev-list", BRANCH).split())
    assert new_head in live and sync.previous_head_sha in dropped


def test_a_missing_repository_fails_clearly(lake, tmp_path):
    with pytest.raises(GitError, match="not a git repository|cannot change to"):
        git_sync.sync_repository(git_sync.RepoConfig("ghost", str(tmp_path / "nowhere")), START)


GIT_STAGING = ("stg_git__commit_syncs", "stg_git__commit_file_syncs", "stg_git__commits", "stg_git__commit_files")


def _dbt_git_staging(work: Path, window: tuple[date, date] | None, full_refresh: bool = False) -> dict:
    """Build the git staging models (windowed like a daily run, or from scratch) and return their contents."""
    import duckdb
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner

    project = Path(__file__).resolve().parent.parent / "dbt_project"
    cli = ["run", "--select", *GIT_STAGING, "--project-dir", str(project), "--profiles-dir", str(project),
           "--target-path", str(work / "target"), "--log-path", str(work / "logs"), "--quiet"]
    if window:
        cli += ["--vars", json.dumps({"min_date": window[0].isoformat(), "max_date": window[1].isoformat()})]
    if full_refresh:
        cli.append("--full-refresh")
    result = dbtRunner().invoke(cli)
    DuckDBConnectionManager.close_all_connections()
    assert result.success, result.exception
    con = duckdb.connect(os.environ["FLYWHEEL_DUCKDB_PATH"], read_only=True)
    try:
        out = {t: sorted(map(str, con.sql(f"select * from {t}").fetchall()))
               if t in ("stg_git__commits", "stg_git__commit_files") else con.sql(f"select count(*) from {t}")
               .fetchall()[0][0] for t in GIT_STAGING}
        out["shas"] = {r[0] for r in con.sql("select sha from stg_git__commits").fetchall()}
        return out
    finally:
        con.close()


def test_daily_git_staging_equals_a_full_read_after_a_force_push(repos, lake, tmp_path, monkeypatch):
    """The staging models read only each run's bronze partitions; after daily runs, a force-push and a re-run of
    an older window they hold what a build from all of bronze holds."""
    monkeypatch.setenv("FLYWHEEL_DUCKDB_PATH", str(tmp_path / "warehouse.duckdb"))
    source = repos[2]
    clone = tmp_path / source.name
    shutil.copytree(source.path, clone)
    config = git_sync.RepoConfig(source.name, str(clone))
    last = START + timedelta(days=DAYS - 1)
    git_sync.sync_repository(config, last - 1 * timedelta(days=1), START)  # the history in one run
    _dbt_git_staging(tmp_path, (START, last - timedelta(days=1)))
    git_sync.sync_repository(config, last)  # a daily run
    _dbt_git_staging(tmp_path, (last, last))
    _, dropped = rewrite_last_commits(clone, last + timedelta(days=1), n=2)
    git_sync.sync_repository(config, last + timedelta(days=1))  # the force-push's day
    daily = _dbt_git_staging(tmp_path, (last + timedelta(days=1), last + timedelta(days=1)))
    live = set(_git(clone, "rev-list", BRANCH).split())
    assert daily["shas"] == live and not live & set(dropped)
    full = _dbt_git_staging(tmp_path, None, full_refresh=True)
    assert daily == full
