"""Hosted git APIs (GitHub, GitLab, Bitbucket Cloud) read the way the git sync reads a local clone: branch heads as
of a day, ancestry, and commits with per-file line counts that equal `git log --numstat -M` on a clone.

What an API cannot say exactly, and what these readers do instead:
- Dates: GitHub and Bitbucket serve UTC, so the author's own offset is lost. The dates keep a `Z` (offset unknown)
  and are never given an invented offset; GitLab serves the author's offset and it is kept as served. The instants
  equal git's either way.
- Ancestry without a clone: a listing pages a commit's history newest first. `log(head, exclude)` pages head's
  listing until it has passed `exclude` and a whole page is older than exclude's commit date minus MARGIN
  (7 days); what it listed that is not an ancestor of `exclude` is new. A merge that brings in commits dated
  earlier than that margin misses them until a full re-read. `is_ancestor` looks for the older commit in the
  newer one's listing down to the same cut-off (None when the host does not know the commit: 404/422);
  `fork_point` is the first commit of one listing found in the other; `reachable` pages the whole listing
  (O(history): only after a force-push).
- Merges carry no files, as in `git log --numstat` (a host's detail for a merge is the diff to its first parent),
  so their details are never fetched.
- Binary files: GitHub and Bitbucket give 0 lines (and GitHub no patch); a file so listed that was not renamed is
  taken as binary (an empty text file looks the same). GitLab's diff says `Binary files ... differ`.
- Bitbucket serves no committer: committer fields are None, and its date (the author's) orders the cut-offs.
Tokens travel in headers (or basic auth) through HttpClient, which never logs headers or query strings.
"""

from __future__ import annotations

import logging
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import requests

from python_assets.connectors.git_local import Commit, FileChange, end_of_day
from python_assets.connectors.http import CallStats, HttpClient, PullFailed

log = logging.getLogger(__name__)

MARGIN = timedelta(days=7)  # how far below the known commit's date a listing is read before giving up on it
_UNKNOWN = (404, 422)  # how hosts say a commit does not exist
_RAW_AUTHOR = re.compile(r"^(.*?)\s*<([^<>]*)>\s*$")


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _utc_z(value: datetime | str) -> str:
    """UTC with a `Z`: what GitHub serves, and how a date whose offset is unknown is written here."""
    instant = _instant(value) if isinstance(value, str) else value
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _Listed:
    commit: Commit  # without files until its detail is read
    when: datetime  # the date the host orders its listing by: the committer's (Bitbucket: the author's)


class HostedRepo(ABC):
    """The shared walk over a host's commit listing; subclasses say how to ask and how to read the answers.

    Listing pages are cached per commit (the history behind a sha never changes), so `is_ancestor`, `log` and
    `reachable` in one sync read each page once. One reader serves one repository."""

    source = ""

    def __init__(self, http: HttpClient, *, per_page: int = 100, workers: int = 4,
                 margin: timedelta = MARGIN) -> None:
        self.http = http
        self.per_page = per_page
        self.workers = workers  # commit details read at once (hosts frown on more than a few)
        self.margin = margin
        self.stats = CallStats()  # requests and retries, for the run log
        self._pages: dict[str, list[tuple[list[_Listed], str | None]]] = {}

    # -- what each host says differently ----------------------------------------------------------------------
    def _request_kwargs(self) -> dict:
        return {}

    @abstractmethod
    def _first_page(self, head: str) -> tuple[str, dict]:
        ...

    @abstractmethod
    def _read_page(self, resp: requests.Response) -> tuple[list[_Listed], str | None]:
        ...

    @abstractmethod
    def _files(self, sha: str) -> list[FileChange]:
        ...

    @abstractmethod
    def head_as_of(self, branch: str, day: date | None = None) -> str | None:
        ...

    # -- the walk ---------------------------------------------------------------------------------------------
    def _get(self, url: str, params: dict | None = None) -> requests.Response:
        resp, _ = self.http.request("GET", url, stats=self.stats, params=params, **self._request_kwargs())
        return resp

    def _pages_of(self, head: str) -> Iterator[list[_Listed]]:
        """head's listing, newest first, one page at a time."""
        pages = self._pages.setdefault(head, [])
        if not pages:
            pages.append(self._read_page(self._get(*self._first_page(head))))
        i = 0
        while True:
            entries, next_url = pages[i]
            yield entries
            if next_url is None:
                return
            i += 1
            if i == len(pages):
                pages.append(self._read_page(self._get(next_url)))

    def _lookup(self, sha: str) -> _Listed | None:
        """The commit as its own listing shows it; None when the host does not know it."""
        try:
            first = next(self._pages_of(sha))
        except PullFailed as exc:
            if exc.status in _UNKNOWN:
                self._pages.pop(sha, None)
                return None
            raise
        return first[0] if first else None

    def _down_to(self, head: str, cutoff: datetime, target: str | None = None) -> list[_Listed]:
        """head's listing until `target` was passed (when given) and a whole page is older than `cutoff`."""
        out: list[_Listed] = []
        passed = target is None
        for page in self._pages_of(head):
            out.extend(page)
            passed = passed or any(e.commit.sha == target for e in page)
            if passed and page and all(e.when < cutoff for e in page):
                break
        return out

    def is_ancestor(self, older: str, newer: str) -> bool | None:
        old = self._lookup(older)
        if old is None:
            return None
        if older == newer:
            return True
        cutoff = old.when - self.margin
        for page in self._pages_of(newer):
            if any(e.commit.sha == older for e in page):
                return True
            if page and all(e.when < cutoff for e in page):
                return False
        return False

    def fork_point(self, a: str, b: str) -> str | None:
        """The newest commit of b's listing that a's listing holds too (git's merge base, for the histories
        a force-push leaves); a's listing is read only as far down as the candidate's date minus the margin."""
        try:
            a_pages = self._pages_of(a)
            in_a: set[str] = set()
            oldest: datetime | None = None
            a_done = False
            for page in self._pages_of(b):
                for e in page:
                    while not a_done and (oldest is None or oldest >= e.when - self.margin):
                        more = next(a_pages, None)
                        if not more:
                            a_done = True
                            break
                        in_a.update(x.commit.sha for x in more)
                        low = min(x.when for x in more)
                        oldest = low if oldest is None else min(oldest, low)
                    if e.commit.sha in in_a:
                        return e.commit.sha
        except PullFailed as exc:
            if exc.status in _UNKNOWN:
                return None
            raise
        return None

    def reachable(self, head: str) -> set[str]:
        return {e.commit.sha for page in self._pages_of(head) for e in page}

    def log(self, head: str, exclude: str | None = None) -> list[Commit]:
        """Commits reachable from `head` and not from `exclude` (see the module's note on the cut-off), newest
        first, each with its files."""
        if exclude is None:
            listed = [e for page in self._pages_of(head) for e in page]
        else:
            ex = self._lookup(exclude)
            if ex is None:
                raise PullFailed(f"{self.source}: {self!r} does not know commit {exclude}", status=404)
            cutoff = ex.when - self.margin
            listed = self._down_to(head, cutoff, exclude)
            graph = {e.commit.sha: e.commit.parents for e in listed}
            if exclude not in graph:  # not an ancestor of head: exclude's own history tells what to leave out
                graph.update((e.commit.sha, e.commit.parents) for e in self._down_to(exclude, cutoff))
            old: set[str] = set()
            stack = [exclude]
            while stack:
                sha = stack.pop()
                if sha not in old:
                    old.add(sha)
                    stack.extend(p for p in graph.get(sha, ()) if p in graph)
            listed = [e for e in listed if e.commit.sha not in old]
        with ThreadPoolExecutor(max_workers=max(1, self.workers)) as pool:
            return list(pool.map(self._complete, listed))

    def _complete(self, e: _Listed) -> Commit:
        if len(e.commit.parents) > 1:  # a merge: no files, as git log --numstat
            return e.commit
        return replace(e.commit, files=self._files(e.commit.sha))


class GitHubRepo(HostedRepo):
    """GitHub's REST API: `/repos/{o}/{r}/commits` (Link paging) and `/commits/{sha}` (files, paged past 300).

    `base_url` is the API root: https://api.github.com, or https://<host>/api/v3 for GitHub Enterprise Server."""

    source = "github"

    def __init__(self, base_url: str, owner_repo: str, token: str, http: HttpClient, **kwargs) -> None:
        super().__init__(http, **kwargs)
        self.owner_repo = owner_repo
        self.base = f"{base_url.rstrip('/')}/repos/{owner_repo}"
        self._headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"

    def __repr__(self) -> str:
        return f"GitHubRepo({self.owner_repo!r})"

    def _request_kwargs(self) -> dict:
        return {"headers": self._headers}

    def head_as_of(self, branch: str, day: date | None = None) -> str | None:
        params: dict = {"sha": branch, "per_page": 1}
        if day:
            params["until"] = _utc_z(end_of_day(day))
        try:
            items = self._get(f"{self.base}/commits", params).json()
        except PullFailed as exc:
            if exc.status == 409:  # an empty repository
                return None
            raise
        return items[0]["sha"] if items else None

    def _first_page(self, head: str) -> tuple[str, dict]:
        return f"{self.base}/commits", {"sha": head, "per_page": self.per_page}

    def _read_page(self, resp: requests.Response) -> tuple[list[_Listed], str | None]:
        entries = []
        for item in resp.json():
            info = item["commit"]
            author, committer = info.get("author") or {}, info.get("committer") or {}
            commit = Commit(item["sha"], [p["sha"] for p in item.get("parents") or []], author.get("name"),
                            author.get("email"), author.get("date"), committer.get("name"), committer.get("email"),
                            committer.get("date"), (info.get("message") or "").rstrip("\n"))
            entries.append(_Listed(commit, _instant(committer.get("date") or author["date"])))
        return entries, resp.links.get("next", {}).get("url")

    def _files(self, sha: str) -> list[FileChange]:
        files: list[FileChange] = []
        url: str | None = f"{self.base}/commits/{sha}"
        while url:
            resp = self._get(url)
            files.extend(self._file(f) for f in resp.json().get("files") or [])
            url = resp.links.get("next", {}).get("url")  # past 300 files
        return files

    @staticmethod
    def _file(f: dict) -> FileChange:
        status = f.get("status")
        old = f.get("previous_filename") if status in ("renamed", "copied") else None
        # a binary file: no patch and no lines; a pure rename or a type change shows that too
        binary = status not in ("renamed", "copied", "changed") and not f.get("changes") and "patch" not in f
        if binary:
            return FileChange(f["filename"], old, None, None)
        return FileChange(f["filename"], old, int(f.get("additions") or 0), int(f.get("deletions") or 0))


def _next_page(resp: requests.Response) -> str | None:
    """GitLab's next page: the Link header, else X-Next-Page (empty on the last page) on the same query."""
    link = resp.links.get("next", {}).get("url")
    if link:
        return link
    page = resp.headers.get("X-Next-Page", "").strip()
    if not page:
        return None
    parts = urlsplit(resp.url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query["page"] = page
    return urlunsplit(parts._replace(query=urlencode(query)))


def count_diff_lines(diff: str) -> tuple[int | None, int | None]:
    """Lines added and deleted in one file's unified diff, as numstat counts them; (None, None) for a binary."""
    if diff.startswith("Binary files ") or "\nBinary files " in diff:
        return None, None
    added = deleted = 0
    in_hunk = False
    for line in diff.split("\n"):
        if line.startswith("@@"):
            in_hunk = True
        elif in_hunk and line.startswith("+"):
            added += 1
        elif in_hunk and line.startswith("-"):
            deleted += 1
    return added, deleted


class GitLabRepo(HostedRepo):
    """GitLab's REST API v4: `/projects/:id/repository/commits` (with_stats, Link / X-Next-Page paging) and, for
    per-file lines, `/repository/commits/:sha/diff` (each file's unified diff, counted as numstat counts).

    `base_url` is the API root: https://gitlab.com/api/v4. `project` is the numeric id or the path."""

    source = "gitlab"

    def __init__(self, base_url: str, project: str, token: str, http: HttpClient, **kwargs) -> None:
        super().__init__(http, **kwargs)
        self.project = project
        self.base = f"{base_url.rstrip('/')}/projects/{quote(str(project), safe='')}/repository"
        self._headers = {"PRIVATE-TOKEN": token} if token else {}
        self._stats: dict[str, dict] = {}

    def __repr__(self) -> str:
        return f"GitLabRepo({self.project!r})"

    def _request_kwargs(self) -> dict:
        return {"headers": self._headers}

    def head_as_of(self, branch: str, day: date | None = None) -> str | None:
        params: dict = {"ref_name": branch, "per_page": 1}
        if day:
            params["until"] = _utc_z(end_of_day(day))
        items = self._get(f"{self.base}/commits", params).json()
        return items[0]["id"] if items else None

    def _first_page(self, head: str) -> tuple[str, dict]:
        return f"{self.base}/commits", {"ref_name": head, "with_stats": "true", "per_page": self.per_page}

    def _read_page(self, resp: requests.Response) -> tuple[list[_Listed], str | None]:
        entries = []
        for item in resp.json():
            commit = Commit(item["id"], list(item.get("parent_ids") or []), item.get("author_name"),
                            item.get("author_email"), item.get("authored_date"), item.get("committer_name"),
                            item.get("committer_email"), item.get("committed_date"),
                            (item.get("message") or "").rstrip("\n"))
            if item.get("stats"):
                self._stats[commit.sha] = item["stats"]
            entries.append(_Listed(commit, _instant(item.get("committed_date") or item["authored_date"])))
        return entries, _next_page(resp)

    def _files(self, sha: str) -> list[FileChange]:
        files: list[FileChange] = []
        url: str | None = f"{self.base}/commits/{sha}/diff"
        params: dict | None = {"per_page": 100}
        while url:
            resp = self._get(url, params)
            for d in resp.json():
                added, deleted = count_diff_lines(d.get("diff") or "")
                files.append(FileChange(d["new_path"], d.get("old_path") if d.get("renamed_file") else None,
                                        added, deleted))
            url, params = _next_page(resp), None
        stats = self._stats.get(sha)
        counted = (sum(f.additions or 0 for f in files), sum(f.deletions or 0 for f in files))
        if stats and counted != (stats.get("additions"), stats.get("deletions")):
            # GitLab truncates very large diffs; the commit's totals say so
            log.warning("gitlab %s: commit %s diff counts %s differ from its stats %s", self.project, sha,
                        counted, (stats.get("additions"), stats.get("deletions")))
        return files


class BitbucketRepo(HostedRepo):
    """Bitbucket Cloud's API 2.0: `/repositories/{ws}/{slug}/commits/{revision}` (paging by the body's `next`)
    and `/diffstat/{sha}` for per-file lines. No `until` and no committer: a branch's head as of a day is the
    first commit of its listing dated (by its author) before the day ends.

    `base_url` is the API root: https://api.bitbucket.org/2.0."""

    source = "bitbucket"

    def __init__(self, base_url: str, workspace_slug: str, username: str, app_password: str, http: HttpClient,
                 **kwargs) -> None:
        super().__init__(http, **kwargs)
        self.workspace_slug = workspace_slug
        self.base = f"{base_url.rstrip('/')}/repositories/{workspace_slug}"
        self._auth = (username, app_password) if username else None

    def __repr__(self) -> str:
        return f"BitbucketRepo({self.workspace_slug!r})"

    def _request_kwargs(self) -> dict:
        return {"auth": self._auth} if self._auth else {}

    def head_as_of(self, branch: str, day: date | None = None) -> str | None:
        values = self._get(f"{self.base}/commits/{quote(branch, safe='')}", {"pagelen": 1}).json().get("values")
        if not values:
            return None
        tip = values[0]["hash"]
        if day is None:
            return tip
        end = _instant(end_of_day(day))
        for page in self._pages_of(tip):
            for e in page:
                if e.when <= end:
                    return e.commit.sha
        return None

    def _first_page(self, head: str) -> tuple[str, dict]:
        return f"{self.base}/commits/{head}", {"pagelen": self.per_page}

    def _read_page(self, resp: requests.Response) -> tuple[list[_Listed], str | None]:
        body = resp.json()
        entries = []
        for item in body.get("values") or []:
            raw = (item.get("author") or {}).get("raw") or ""
            match = _RAW_AUTHOR.match(raw)
            name, email = (match.group(1), match.group(2)) if match else (raw, "")
            commit = Commit(item["hash"], [p["hash"] for p in item.get("parents") or []], name, email,
                            _utc_z(item["date"]), None, None, None, (item.get("message") or "").rstrip("\n"))
            entries.append(_Listed(commit, _instant(item["date"])))
        return entries, body.get("next")

    def _files(self, sha: str) -> list[FileChange]:
        files: list[FileChange] = []
        url: str | None = f"{self.base}/diffstat/{sha}"
        while url:
            body = self._get(url).json()
            for d in body.get("values") or []:
                renamed = d.get("status") == "renamed"
                path = (d.get("new") or d.get("old") or {})["path"]
                old = (d.get("old") or {}).get("path") if renamed else None
                added, deleted = d.get("lines_added") or 0, d.get("lines_removed") or 0
                binary = not renamed and added == 0 and deleted == 0
                files.append(FileChange(path, old, None if binary else added, None if binary else deleted))
            url = body.get("next")
        return files


HOSTED_DEFAULTS = {"github": "https://api.github.com", "gitlab": "https://gitlab.com/api/v4",
                   "bitbucket": "https://api.bitbucket.org/2.0"}


def hosted_reader(entry: str, http: HttpClient | None = None, env: Mapping[str, str] | None = None,
                  **kwargs) -> HostedRepo:
    """The reader for `github:owner/repo`, `gitlab:<project id or path>` or `bitbucket:workspace/slug`, with its
    API root and credentials from the environment (GITHUB_API_URL, GITHUB_TOKEN; GITLAB_API_URL, GITLAB_TOKEN;
    BITBUCKET_API_URL, BITBUCKET_USERNAME, BITBUCKET_APP_PASSWORD)."""
    env = os.environ if env is None else env
    host, _, target = entry.partition(":")
    http = http or HttpClient()
    if not target or host not in HOSTED_DEFAULTS:
        raise ValueError(f"hosted repository {entry!r}: expected github:owner/repo, gitlab:<project> or "
                         "bitbucket:workspace/slug")
    url = env.get(f"{host.upper()}_API_URL") or HOSTED_DEFAULTS[host]
    if host == "github":
        return GitHubRepo(url, target, env.get("GITHUB_TOKEN", ""), http, **kwargs)
    if host == "gitlab":
        return GitLabRepo(url, target, env.get("GITLAB_TOKEN", ""), http, **kwargs)
    return BitbucketRepo(url, target, env.get("BITBUCKET_USERNAME", ""), env.get("BITBUCKET_APP_PASSWORD", ""),
                         http, **kwargs)
