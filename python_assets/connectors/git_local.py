"""Local git repositories, read with the `git` command line: branch heads as of a date, ancestry, and commits with
per-file line counts from `git log --numstat`.

`-z` gives clean paths (a rename is `added TAB deleted TAB NUL old NUL new NUL`, never `dir/{a => b}`); binary
files show `-` for both counts. Merge commits carry no numstat (their changes are their parents'), so their
lines are never counted twice.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

_FIELDS = ("sha", "parents", "author_name", "author_email", "authored_at", "committer_name", "committer_email",
           "committed_at", "message")
_FORMAT = "%x1e" + "%x1f".join(("%H", "%P", "%an", "%ae", "%aI", "%cn", "%ce", "%cI", "%B"))


class GitError(RuntimeError):
    """A git command failed; the message says which and why (never a traceback from deep inside)."""


@dataclass
class FileChange:
    path: str
    old_path: str | None  # set for a rename or copy
    additions: int | None  # None for a binary file
    deletions: int | None

    @property
    def is_binary(self) -> bool:
        return self.additions is None


@dataclass
class Commit:
    sha: str
    parents: list[str]
    author_name: str
    author_email: str
    authored_at: str  # ISO 8601 with the author's offset
    committer_name: str
    committer_email: str
    committed_at: str
    message: str
    files: list[FileChange] = field(default_factory=list)


def git(repo: Path | str, *args: str, ok_codes: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True)
    if proc.returncode not in ok_codes:
        raise GitError(f"git {' '.join(args[:3])} in {repo} failed ({proc.returncode}): "
                       f"{proc.stderr.decode(errors='replace').strip()[:300]}")
    return proc


def end_of_day(day: date) -> str:
    """The first instant after `day` (UTC), as git's --before takes it."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC).isoformat()


def head_as_of(repo: Path | str, branch: str, day: date | None = None) -> str | None:
    """The branch's tip as it stood at the end of `day` (the newest commit on it dated before then), or its tip
    now; None when the branch has no commit yet by then."""
    args = ["rev-list", "-1"] + ([f"--before={end_of_day(day)}"] if day else []) + [branch, "--"]
    out = git(repo, *args).stdout.decode().strip()
    return out or None


def is_ancestor(repo: Path | str, older: str, newer: str) -> bool | None:
    """Whether `older` is in `newer`'s history; None when `older` is no longer in the repository at all."""
    if git(repo, "cat-file", "-e", f"{older}^{{commit}}", ok_codes=(0, 1, 128)).returncode != 0:
        return None
    return git(repo, "merge-base", "--is-ancestor", older, newer, ok_codes=(0, 1)).returncode == 0


def fork_point(repo: Path | str, a: str, b: str) -> str | None:
    out = git(repo, "merge-base", a, b, ok_codes=(0, 1)).stdout.decode().strip()
    return out or None


def reachable(repo: Path | str, head: str) -> set[str]:
    return set(git(repo, "rev-list", head, "--").stdout.decode().split())


def log(repo: Path | str, head: str, exclude: str | None = None) -> Iterator[Commit]:
    """Commits reachable from `head` and not from `exclude`, newest first, each with its file changes."""
    spec = [head] + ([f"^{exclude}"] if exclude else [])
    out = git(repo, "log", "-z", "--numstat", "-M", f"--format={_FORMAT}", *spec, "--").stdout
    yield from parse_log(out.decode("utf-8", errors="replace"))


def parse_log(text: str) -> Iterator[Commit]:
    for chunk in text.split("\x1e")[1:]:
        header, _, rest = chunk.partition("\0")
        values = header.split("\x1f")
        if len(values) != len(_FIELDS):
            raise GitError(f"unexpected git log record: {header[:120]!r}")
        rec = dict(zip(_FIELDS, values, strict=True))
        commit = Commit(**{**rec, "parents": rec["parents"].split(), "message": rec["message"].rstrip("\n")})
        tokens = iter(rest.split("\0"))
        for token in tokens:
            token = token.lstrip("\n")
            if not token:
                continue
            added, deleted, path = token.split("\t", 2)
            old = None
            if not path:  # a rename or copy: the old and the new path follow as their own fields
                old, path = next(tokens), next(tokens)
            binary = added == "-"
            commit.files.append(FileChange(path, old, None if binary else int(added),
                                           None if binary else int(deleted)))
        yield commit


class LocalRepo:
    """A local clone as the git sync reads any repository (hosted-API readers offer the same five methods)."""

    source = "git:local"

    def __init__(self, path: Path | str):
        self.path = path

    def head_as_of(self, branch: str, day: date | None = None) -> str | None:
        return head_as_of(self.path, branch, day)

    def is_ancestor(self, older: str, newer: str) -> bool | None:
        return is_ancestor(self.path, older, newer)

    def fork_point(self, a: str, b: str) -> str | None:
        return fork_point(self.path, a, b)

    def reachable(self, head: str) -> set[str]:
        return reachable(self.path, head)

    def log(self, head: str, exclude: str | None = None) -> Iterator[Commit]:
        return log(self.path, head, exclude)
