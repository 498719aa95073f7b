"""Incremental sync of git repositories into bronze: commits and per-file changes, per repository and daily
partition, with each branch's head as the watermark.

A sync for a run window [S, D] (one day, or a backfill in one run) reads each branch as it stood at the end of D
and compares its head with the head the previous sync (the newest partition before S) stored:
- same head: nothing new (a second run adds nothing);
- the old head is an ancestor: a fast-forward, the commits `old..new` are new;
- otherwise history was rewritten (a force-push): the commits since the fork point that were not seen before
  are added, and every commit seen before that the branch no longer reaches is recorded as `removed`, so staging
  drops it instead of counting both the old and the rewritten commit. If the old head is gone from the
  repository altogether, the whole branch is compared with what was seen.
The rows are filed under D; the window's partitions are replaced atomically per repository, and the previous
state is read from partitions before S only, so re-running a window writes the same rows.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

import pyarrow as pa

from python_assets.connectors import git_local
from python_assets.ingest.bronze_tables import GIT_COMMIT_FILES, GIT_COMMITS
from python_assets.lake import tables

log = logging.getLogger(__name__)

BRANCH_SYNCS = "raw/git/branch_syncs"  # the watermark: one row per repository, branch and sync
BRANCH_SYNC_SCHEMA = pa.schema([
    ("_partition_date", pa.date32()), ("repo", pa.string()), ("branch", pa.string()), ("source", pa.string()),
    ("head_sha", pa.string()), ("previous_head_sha", pa.string()), ("mode", pa.string()),
    ("fork_sha", pa.string()), ("commits_added", pa.int64()), ("commits_removed", pa.int64()),
    ("_pulled_at", pa.timestamp("us", tz="UTC")),
])


class RepoReader(Protocol):
    """What the sync needs of a repository: a local clone (git_local.LocalRepo) or a host's API."""

    source: str  # lineage: git:local, github, gitlab, bitbucket

    def head_as_of(self, branch: str, day: date | None = None) -> str | None: ...
    def is_ancestor(self, older: str, newer: str) -> bool | None: ...
    def fork_point(self, a: str, b: str) -> str | None: ...
    def reachable(self, head: str) -> set[str]: ...
    def log(self, head: str, exclude: str | None = None) -> Iterable[git_local.Commit]: ...


@dataclass(frozen=True)
class RepoConfig:
    name: str  # how the repository is known in every table, e.g. "payments-api" or "github:acme/payments-api"
    path: str  # a local clone
    branches: tuple[str, ...] = ("main",)
    reader: RepoReader | None = field(default=None, compare=False)  # default: the local clone at `path`

    def open(self) -> RepoReader:
        return self.reader or git_local.LocalRepo(self.path)


@dataclass
class BranchSync:
    branch: str
    mode: str  # empty | initial | unchanged | fast_forward | force_push
    head_sha: str | None
    previous_head_sha: str | None
    fork_sha: str | None = None
    added: list[git_local.Commit] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def _previous_heads(repo: str, before: date) -> dict[str, str]:
    rows = tables.read_table(BRANCH_SYNCS, filters=[("repo", "=", repo), ("_partition_date", "<", before)])
    if rows is None or rows.num_rows == 0:
        return {}
    heads: dict[str, tuple[date, str]] = {}
    for r in rows.to_pylist():
        if r["head_sha"] and (r["branch"] not in heads or r["_partition_date"] > heads[r["branch"]][0]):
            heads[r["branch"]] = (r["_partition_date"], r["head_sha"])
    return {b: sha for b, (_, sha) in heads.items()}


def _seen(repo: str, branch: str, before: date) -> set[str]:
    """Commits earlier syncs recorded on the branch and did not record as removed since."""
    rows = tables.read_table(GIT_COMMITS.lake_name, columns=["sha", "change", "_partition_date"],
                             filters=[("repo", "=", repo), ("branch", "=", branch), ("_partition_date", "<", before)])
    if rows is None:
        return set()
    last: dict[str, tuple[date, str]] = {}
    for r in rows.sort_by("_partition_date").to_pylist():
        last[r["sha"]] = (r["_partition_date"], r["change"])
    return {sha for sha, (_, change) in last.items() if change == "added"}


def sync_branch(reader: RepoReader, name: str, branch: str, day: date, previous: str | None,
                first: date) -> BranchSync:
    head = reader.head_as_of(branch, day)
    if head is None:
        return BranchSync(branch, "empty", None, previous)
    if previous is None:
        return BranchSync(branch, "initial", head, None, added=list(reader.log(head)))
    if previous == head:
        return BranchSync(branch, "unchanged", head, previous)
    if reader.is_ancestor(previous, head):
        return BranchSync(branch, "fast_forward", head, previous, added=list(reader.log(head, exclude=previous)))
    # rewritten history: compare with what was seen, not just with the old head
    known = reader.is_ancestor(previous, previous) is not None
    fork = reader.fork_point(previous, head) if known else None
    seen = _seen(name, branch, first)
    return BranchSync(branch, "force_push", head, previous, fork,
                      added=[c for c in reader.log(head, exclude=fork) if c.sha not in seen],
                      removed=sorted(seen - reader.reachable(head)))


def _lineage(day: date, pulled: datetime, source: str, request_id: str) -> dict:
    return {"_partition_date": day, "_pulled_at": pulled, "_source": source, "_request_id": request_id}


def sync_repository(repo: RepoConfig, day: date, first: date | None = None) -> list[BranchSync]:
    """Sync every configured branch of one repository for the window [first, day] (default: `day` alone), as the
    branches stood at the end of `day`; replaces the window's rows for this repository."""
    first = first or day
    pulled = datetime.combine(day + timedelta(days=1), time(6, 0), tzinfo=UTC)  # a re-run writes the same rows
    previous = _previous_heads(repo.name, first)
    reader = repo.open()
    source = reader.source
    syncs = [sync_branch(reader, repo.name, b, day, previous.get(b), first) for b in repo.branches]
    commits, files = [], []
    files_done: set[str] = set()
    for s in syncs:
        lineage = _lineage(day, pulled, source, f"{repo.name}:{s.branch}:{s.previous_head_sha}..{s.head_sha}")
        for c in s.added:
            commits.append({"repo": repo.name, "branch": s.branch, "sha": c.sha, "change": "added",
                            "parents": json.dumps(c.parents), "author_name": c.author_name,
                            "author_email": c.author_email, "authored_at": c.authored_at,
                            "committer_name": c.committer_name, "committer_email": c.committer_email,
                            "committed_at": c.committed_at, "message": c.message, **lineage})
            if c.sha in files_done:  # a commit on two branches: its files once
                continue
            files_done.add(c.sha)
            for f in c.files:
                files.append({"repo": repo.name, "sha": c.sha, "path": f.path, "old_path": f.old_path,
                              "additions": None if f.is_binary else str(f.additions),
                              "deletions": None if f.is_binary else str(f.deletions),
                              "is_binary": "true" if f.is_binary else "false", **lineage})
        for sha in s.removed:
            commits.append({**{c: None for c in GIT_COMMITS.columns}, "repo": repo.name, "branch": s.branch,
                            "sha": sha, "change": "removed", **lineage})
    span = ("_partition_date", first, day)
    where = {"repo": repo.name}
    # files before commits before the watermark: a crash leaves the old watermark, and a re-run redoes it all
    for spec, rows in ((GIT_COMMIT_FILES, files), (GIT_COMMITS, commits)):
        tables.replace_where(spec.lake_name, pa.Table.from_pylist(rows, schema=spec.schema), where, span,
                             partition_by=["_partition_date"])
    state = [{"_partition_date": day, "repo": repo.name, "branch": s.branch, "source": source,
              "head_sha": s.head_sha, "previous_head_sha": s.previous_head_sha, "mode": s.mode,
              "fork_sha": s.fork_sha, "commits_added": len(s.added), "commits_removed": len(s.removed),
              "_pulled_at": pulled} for s in syncs]
    tables.replace_where(BRANCH_SYNCS, pa.Table.from_pylist(state, schema=BRANCH_SYNC_SCHEMA), where, span)
    for s in syncs:
        log.info("git sync %s", json.dumps({"repo": repo.name, "branch": s.branch, "mode": s.mode,
                                            "added": len(s.added), "removed": len(s.removed)}))
    return syncs
