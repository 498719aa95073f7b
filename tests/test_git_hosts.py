"""Hosted git APIs (GitHub, GitLab, Bitbucket) into bronze, against the local fake hosts serving the demo's real
repositories: the same facts as local git, incremental runs, force-pushes, throttling and failures.

Hosted dates are compared as instants: GitHub and Bitbucket serve UTC (`Z`), so the author's offset is not known
there; GitLab keeps it. Bitbucket serves no committer.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from python_assets.connectors.git_hosts import BitbucketRepo, GitHubRepo, GitLabRepo, HostedRepo, hosted_reader
from python_assets.connectors.git_local import LocalRepo, head_as_of
from python_assets.connectors.http import HttpClient, PullFailed, RetryPolicy
from python_assets.demo import generate_demo
from python_assets.demo.fake_git_hosts import FakeGitHosts
from python_assets.demo.git_repos import BRANCH, build_demo_repos, rewrite_last_commits
from python_assets.ingest import git_sync
from python_assets.lake import tables

START = date(2026, 10, 1)
DAYS = 10
LAST = START + timedelta(days=DAYS - 1)
HOSTS = ("github", "gitlab", "bitbucket")
NAME = "acme/payments"  # how the fake hosts know the repository
FAST = RetryPolicy(max_attempts=10, base_delay_s=0.01, max_delay_s=0.05, timeout_s=0.3)
LINEAGE = {"_source", "_request_id", "_pulled_at"}
DATES = ("authored_at", "committed_at")
COMMITTER = ("committer_name", "committer_email", "committed_at")
# an initial backfill of five days, then one run a day
SCHEDULE = [(START - timedelta(days=1), START + timedelta(days=3))] + [
    (START + timedelta(days=d), START + timedelta(days=d)) for d in range(4, DAYS)]


def _git(repo: Path, *args: str, env: dict | None = None) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}).stdout


def _reader(host: str, srv: FakeGitHosts, policy: RetryPolicy = FAST, token: str | None = None,
            **kwargs) -> HostedRepo:
    http = HttpClient(policy)
    if host == "github":
        return GitHubRepo(srv.github_url, NAME, token or srv.github_token, http, **kwargs)
    if host == "gitlab":
        return GitLabRepo(srv.gitlab_url, NAME, token or srv.gitlab_token, http, **kwargs)
    return BitbucketRepo(srv.bitbucket_url, NAME, "demo-user", token or "demo-app-password", http, **kwargs)


def _sync(config: git_sync.RepoConfig, windows=SCHEDULE) -> list[str]:
    return [s.mode for first, last in windows for s in git_sync.sync_repository(config, last, first)]


def _bronze(repo: str) -> dict[str, list[dict]]:
    out = {}
    for name in (git_sync.GIT_COMMITS.lake_name, git_sync.GIT_COMMIT_FILES.lake_name):
        rows = tables.read_table(name, filters=[("repo", "=", repo)])
        out[name] = [] if rows is None else rows.to_pylist()
    return out


def _facts(rows: list[dict], host: str | None = None) -> list[tuple]:
    """Rows minus lineage, dates as instants (and no committer where the host serves none), sorted."""
    out = []
    for row in rows:
        row = {k: v for k, v in row.items() if k not in LINEAGE}
        for k in DATES:
            if row.get(k):
                row[k] = datetime.fromisoformat(row[k].replace("Z", "+00:00")).timestamp()
        if host == "bitbucket":
            row = {k: v for k, v in row.items() if k not in COMMITTER}
        out.append(tuple(sorted(row.items(), key=lambda kv: kv[0])))
    return sorted(out, key=repr)


@pytest.fixture(scope="module")
def repos(tmp_path_factory):
    demo = generate_demo(seed=5, people=150, start=START, days=DAYS)
    return build_demo_repos(demo.company, tmp_path_factory.mktemp("git"))


@pytest.fixture(scope="module")
def local_lake(repos, tmp_path_factory):
    """repos[0] synced through local git on SCHEDULE: the modes and the bronze rows."""
    repo = repos[0]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FLYWHEEL_LAKE_ROOT", str(tmp_path_factory.mktemp("local") / "lake"))
        modes = _sync(git_sync.RepoConfig(repo.name, str(repo.path)))
        return modes, _bronze(repo.name)


@pytest.fixture
def lake(tmp_path, monkeypatch):
    monkeypatch.setenv("FLYWHEEL_LAKE_ROOT", str(tmp_path / "lake"))
    return tmp_path


@pytest.mark.parametrize("host", HOSTS)
def test_a_hosted_sync_holds_the_same_facts_as_local_git(host, repos, local_lake, lake):
    """Acceptance: with throttling and faults on, the API and the clone give the same commits and files, and a
    run the next day adds nothing."""
    repo = repos[0]
    local_modes, local_rows = local_lake
    with FakeGitHosts({NAME: repo.path}, throttle_rate=0.1, fault_rate=0.1, timeout_sleep_s=0.6,
                      seed=HOSTS.index(host)) as srv:
        reader = _reader(host, srv, per_page=20)
        config = git_sync.RepoConfig(repo.name, "", reader=reader)
        modes = _sync(config)
        rows = _bronze(repo.name)
        (after,) = git_sync.sync_repository(config, LAST + timedelta(days=1))
        faults = srv.stats.snapshot()["faults"]
    assert modes == local_modes and modes[0] == "initial" and set(modes[1:]) <= {"fast_forward", "unchanged"}
    for table, expected in local_rows.items():
        assert len(rows[table]) == len(expected) > 0
        assert _facts(rows[table], host) == _facts(expected, host), table
    assert {r["_source"] for r in rows[git_sync.GIT_COMMITS.lake_name]} == {host}
    if host == "bitbucket":  # no committer in Bitbucket's API: left empty, not guessed
        assert all(r[k] is None for r in rows[git_sync.GIT_COMMITS.lake_name] for k in COMMITTER)
    local_dates = {r["sha"]: r["authored_at"] for r in local_rows[git_sync.GIT_COMMITS.lake_name]}
    for r in rows[git_sync.GIT_COMMITS.lake_name]:
        if host == "gitlab":  # GitLab serves the author's own offset
            assert datetime.fromisoformat(r["authored_at"]).utcoffset() == \
                datetime.fromisoformat(local_dates[r["sha"]]).utcoffset()
        else:  # UTC, and no offset made up
            assert r["authored_at"].endswith("Z")
    # the next day: nothing new, nothing written
    assert after.mode == "unchanged" and not after.added and not after.removed
    # throttling and faults happened, and every one was retried
    assert sum(faults.values()) > 5 and faults.get("429", 0) + faults.get("403_rate_limit", 0) > 0, faults
    assert reader.stats.retries >= sum(faults.values())


@pytest.mark.parametrize("host", HOSTS)
def test_a_force_push_is_seen_through_the_api(host, repos, lake, tmp_path):
    source = repos[2]
    clone = tmp_path / source.name
    shutil.copytree(source.path, clone)
    with FakeGitHosts({NAME: clone}, throttle_rate=0.05, fault_rate=0.05, timeout_sleep_s=0.6, seed=7) as srv:
        config = git_sync.RepoConfig(source.name, "", reader=_reader(host, srv, per_page=15))
        _sync(config, [(LAST - timedelta(days=2), LAST - timedelta(days=2)), (LAST - timedelta(days=1), LAST)])
        seen = {c["sha"] for c in _bronze(source.name)[git_sync.GIT_COMMITS.lake_name]}
        base, dropped = rewrite_last_commits(clone, LAST + timedelta(days=1), n=2)
        new_head = head_as_of(clone, BRANCH)
        (sync,) = git_sync.sync_repository(config, LAST + timedelta(days=1))
    assert sync.mode == "force_push" and sync.fork_sha == base and sync.head_sha == new_head
    assert sorted(sync.removed) == sorted(dropped)
    assert len(sync.added) == 2 and all(c.sha not in seen for c in sync.added)
    local = {c.sha: c for c in LocalRepo(clone).log(new_head, base)}
    assert {c.sha: [(f.path, f.old_path, f.additions, f.deletions) for f in c.files] for c in sync.added} == \
        {sha: [(f.path, f.old_path, f.additions, f.deletions) for f in c.files] for sha, c in local.items()}
    latest: dict[str, str] = {}
    for c in sorted(_bronze(source.name)[git_sync.GIT_COMMITS.lake_name], key=lambda c: c["_partition_date"]):
        latest[c["sha"]] = c["change"]
    assert {sha for sha, change in latest.items() if change == "added"} == set(_git(clone, "rev-list", BRANCH).split())


@pytest.mark.parametrize("host", HOSTS)
def test_paging_limits_and_the_reader_methods_agree_with_git(host, repos):
    """Listings capped at 7 a page and files at 2 a page still give git's history; heads as of each day,
    ancestry and fork points agree with the clone's."""
    repo = repos[1]
    local = LocalRepo(repo.path)
    head = local.head_as_of(BRANCH)
    with FakeGitHosts({NAME: repo.path}, max_per_page=7, files_per_page=2, gitlab_link_header=False) as srv:
        reader = _reader(host, srv, per_page=100)
        got = reader.log(reader.head_as_of(BRANCH))
        requests = srv.stats.snapshot()["requests"]
        heads = [reader.head_as_of(BRANCH, START + timedelta(days=d)) for d in range(-2, DAYS + 1)]
        middle = heads[len(heads) // 2]
        checks = (reader.is_ancestor(middle, head), reader.is_ancestor(head, middle),
                  reader.is_ancestor("0" * 40, head), reader.fork_point(head, middle), sorted(reader.reachable(middle)))
        since_middle = [c.sha for c in reader.log(head, exclude=middle)]
    expected = list(local.log(head))
    committer = host != "bitbucket"

    def facts(c):
        return (c.sha, c.parents, c.author_name, c.author_email, datetime.fromisoformat(c.authored_at).timestamp(),
                (c.committer_name, c.committer_email, datetime.fromisoformat(c.committed_at).timestamp())
                if committer else None, c.message, [(f.path, f.old_path, f.additions, f.deletions) for f in c.files])

    assert [facts(c) for c in got] == [facts(c) for c in expected]
    assert any(f.is_binary for c in got for f in c.files) and any(f.old_path for c in got for f in c.files)
    assert not any(c.files for c in got if len(c.parents) > 1)  # merges carry no files, as in git log --numstat
    listing = {"github": "github:commits", "gitlab": "gitlab:commits", "bitbucket": "bitbucket:commits"}[host]
    assert requests[listing] >= -(-len(expected) // 7)  # per_page=100 asked, 7 served
    assert heads == [local.head_as_of(BRANCH, START + timedelta(days=d)) for d in range(-2, DAYS + 1)]
    assert heads[0] is None and heads[-1] == head
    assert checks == (True, False, None, middle, sorted(local.reachable(middle)))
    assert since_middle == [c.sha for c in local.log(head, exclude=middle)]


@pytest.mark.parametrize("host", HOSTS)
def test_failures_are_clear_and_never_show_a_credential(host, repos, caplog):
    caplog.set_level(logging.DEBUG)
    secret = f"s3cret-{host}-credential"
    repo = repos[0]
    fail = {"github": "/commits/", "gitlab": "/diff", "bitbucket": "/diffstat/"}[host]
    with FakeGitHosts({NAME: repo.path}, github_token=secret, gitlab_token=secret,
                      bitbucket_auth=("demo-user", secret), fail_paths=(fail,)) as srv:
        reader = _reader(host, srv, token=secret)
        head = reader.head_as_of(BRANCH)
        with pytest.raises(PullFailed, match=r"GET http://127\.0\.0\.1:\d+/\S+ failed after 10 attempt\(s\): "
                                             r"HTTP 500") as failed:
            reader.log(head)
        with pytest.raises(PullFailed, match="HTTP 401") as refused:
            _reader(host, srv, token="wrong-" + secret).head_as_of(BRANCH)
    with FakeGitHosts({NAME: repo.path}, throttle_rate=1.0) as srv:
        with pytest.raises(PullFailed, match=r"failed after 3 attempt\(s\): HTTP (429|403) \(rate limited\)") as slow:
            _reader(host, srv, RetryPolicy(max_attempts=3, base_delay_s=0.01, max_delay_s=0.05)).head_as_of(BRANCH)
        assert sum(srv.stats.snapshot()["faults"].values()) == 3
    text = "\n".join(r.getMessage() for r in caplog.records) + str(failed.value) + str(refused.value) + \
        str(slow.value) + repr(reader)
    assert "retry" in text and secret not in text


def test_hosted_entries_become_readers_with_env_credentials():
    """What GitResource.hosted builds (orchestration is not imported here: loading it parses the dbt project)."""
    env = {"GITHUB_TOKEN": "gh-secret", "GITLAB_API_URL": "https://gitlab.corp.example/api/v4",
           "GITLAB_TOKEN": "gl-secret", "BITBUCKET_USERNAME": "bot", "BITBUCKET_APP_PASSWORD": "bb-secret"}
    github, gitlab, bitbucket = (hosted_reader(e, env=env) for e in ("github:acme/api", "gitlab:platform/api",
                                                                      "bitbucket:acme/web"))
    assert github.base == "https://api.github.com/repos/acme/api" and github.source == "github"
    assert gitlab.base == "https://gitlab.corp.example/api/v4/projects/platform%2Fapi/repository"
    assert bitbucket.base == "https://api.bitbucket.org/2.0/repositories/acme/web"
    assert all(s not in repr(r) for r in (github, gitlab, bitbucket) for s in ("gh-secret", "gl-secret", "bb-secret"))
    with pytest.raises(ValueError, match="expected github:owner/repo"):
        hosted_reader("svn:acme/api", env=env)
