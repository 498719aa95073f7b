"""A local fake of the hosted git APIs (GitHub, GitLab, Bitbucket Cloud) over real local repositories: every answer
is computed with `git` from the repository on disk and shaped as the host shapes it (UTC dates where the host
serves UTC, a merge's files against its first parent, binaries without a patch), with paging, per-page limits,
files paged past 300, throttling and faults on demand. Standard library and git only; one ThreadingHTTPServer on
127.0.0.1 in a daemon thread.
"""

from __future__ import annotations

import base64
import random
import threading
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from python_assets.connectors.git_local import git
from python_assets.demo.fake_api import ApiError, ServerStats
from python_assets.demo.local_server import LocalServer, QuietHandler

GITHUB_FILES_PER_PAGE = 300  # GitHub pages a commit's files past 300
_LOG_FIELDS = ("sha", "parents", "tree", "author_name", "author_email", "authored_at", "author_ts", "committer_name",
               "committer_email", "committed_at", "committer_ts", "message")
_LOG_FORMAT = "%x1e" + "%x1f".join(("%H", "%P", "%T", "%an", "%ae", "%aI", "%at", "%cn", "%ce", "%cI", "%ct", "%B"))
_GITHUB_STATUS = {"A": "added", "D": "removed", "M": "modified", "R": "renamed", "C": "copied", "T": "changed"}
_EMPTY_BLOB = "0" * 40

# What git says about a commit never changes for its sha: computed once per process.
_CACHE: dict[tuple[str, str], object] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_MAX = 20_000


def _cached(key: tuple[str, str], compute):
    with _CACHE_LOCK:
        if key in _CACHE:
            return _CACHE[key]
    value = compute()
    with _CACHE_LOCK:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        _CACHE[key] = value
    return value


class _Repo:
    """One local repository as a host sees it."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def resolve(self, ref: str) -> str | None:
        out = git(self.path, "rev-parse", "--verify", "-q", f"{ref}^{{commit}}", ok_codes=(0, 1, 128))
        return out.stdout.decode().strip() or None if out.returncode == 0 else None

    def history(self, sha: str) -> list[dict]:
        """Every commit reachable from `sha` in git log's order, with both dates as git prints them."""
        def compute() -> list[dict]:
            text = git(self.path, "log", f"--format={_LOG_FORMAT}", sha, "--").stdout.decode("utf-8", "replace")
            out = []
            for chunk in text.split("\x1e")[1:]:
                rec = dict(zip(_LOG_FIELDS, chunk.split("\x1f"), strict=True))
                rec["parents"] = rec["parents"].split()
                rec["message"] = rec["message"].rstrip("\n")
                rec["author_ts"], rec["committer_ts"] = int(rec["author_ts"]), int(rec["committer_ts"])
                out.append(rec)
            return out
        return _cached(("history", sha), compute)

    def changes(self, sha: str, parents: list[str]) -> list[dict]:
        """The commit's files against its first parent (a root commit: against nothing), as a host shows a
        commit: status, paths, blobs, numstat counts (None for a binary), hunks (None without text hunks) and the
        `Binary files ... differ` line."""
        def compute() -> list[dict]:
            spec = [parents[0], sha] if parents else ["--root", sha]
            out = git(self.path, "diff-tree", "-r", "-M", "-z", "--raw", "--numstat", "--no-commit-id", *spec)
            tokens = iter(out.stdout.decode("utf-8", "replace").split("\0"))
            files: list[dict] = []
            counts: list[tuple[int | None, int | None]] = []
            for token in tokens:
                if token.startswith(":"):
                    old_mode, new_mode, old_blob, new_blob, status = token[1:].split(" ")
                    letter = status[0]
                    old_path = next(tokens) if letter in "RC" else None
                    files.append({"status": letter, "old_path": old_path, "path": next(tokens),
                                  "old_mode": old_mode, "new_mode": new_mode, "old_blob": old_blob,
                                  "new_blob": new_blob})
                elif token:
                    added, deleted, path = token.split("\t", 2)
                    if not path:
                        next(tokens), next(tokens)
                    counts.append((None, None) if added == "-" else (int(added), int(deleted)))
            patch = git(self.path, "diff-tree", "-r", "-M", "-p", "--no-color", "--no-commit-id", *spec)
            chunks = ("\n" + patch.stdout.decode("utf-8", "replace")).split("\ndiff --git ")[1:]
            if not (len(files) == len(counts) == len(chunks)):
                raise RuntimeError(f"git diff-tree disagrees with itself on {sha}")
            for f, (added, deleted), chunk in zip(files, counts, chunks, strict=True):
                lines = chunk.split("\n")
                hunk_at = next((i for i, line in enumerate(lines) if line.startswith("@@")), None)
                f["additions"], f["deletions"] = added, deleted
                f["hunks"] = "\n".join(lines[hunk_at:]).rstrip("\n") if hunk_at is not None else None
                f["binary_line"] = next((line for line in lines if line.startswith("Binary files ")), None)
            return files
        return _cached(("changes", sha), compute)


def _utc(ts: int, fmt: str = "%Y-%m-%dT%H:%M:%SZ") -> str:
    return datetime.fromtimestamp(ts, UTC).strftime(fmt)


def _int(query: dict, name: str, default: int) -> int:
    try:
        return int(query.get(name, [default])[0])
    except (TypeError, ValueError):
        return default


def _date_param(query: dict, name: str) -> float | None:
    value = query.get(name, [""])[0]
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError as exc:
        raise ApiError(400, {"message": f"{name} is not an ISO 8601 date"}) from exc


class _Handler(QuietHandler):
    def do_GET(self) -> None:
        self.server.app.handle(self)


class FakeGitHosts(LocalServer):
    """GitHub (at `github_url`), GitLab (`gitlab_url`, /api/v4) and Bitbucket Cloud (`bitbucket_url`, /2.0) on
    127.0.0.1:<random port>, serving `repos` ({"owner/name": local path}; on GitLab also by 1-based position as the
    numeric project id).

    `with FakeGitHosts({"acme/api": path}, throttle_rate=0.1, fault_rate=0.1, seed=1) as srv: ...`.
    Paging: `max_per_page` caps per_page/pagelen (100, as the hosts do); a commit's files come `files_per_page`
    at a time (GitHub 300, GitLab's diff per_page, Bitbucket 500 by default). Throttling: a `throttle_rate` share
    of requests answers GitHub's 429 with Retry-After or 403 with x-ratelimit-remaining 0 and a reset a second
    ahead, GitLab's 429 with Retry-After only sometimes, Bitbucket's 429 without one. Faults: a `fault_rate` share
    answers 500/502/503 or answers late (`timeout_sleep_s`); paths containing a `fail_paths` entry always fail.
    Both drawn from a seeded RNG and counted in `stats` (requests per host and endpoint, faults per kind).
    """

    handler = _Handler
    thread_name = "fake-git-hosts"

    def __init__(
        self,
        repos: Mapping[str, Path | str],
        *,
        github_token: str = "demo-github-token",
        gitlab_token: str = "demo-gitlab-token",
        bitbucket_auth: tuple[str, str] = ("demo-user", "demo-app-password"),
        max_per_page: int = 100,
        files_per_page: int | None = None,
        gitlab_link_header: bool = True,
        throttle_rate: float = 0.0,
        retry_after: str = "0",
        fault_rate: float = 0.0,
        fault_kinds: Iterable[str] = ("500", "502", "503", "timeout"),
        timeout_sleep_s: float = 1.0,
        fail_paths: Iterable[str] = (),
        seed: int = 0,
    ) -> None:
        self.repos = {name: _Repo(path) for name, path in repos.items()}
        self.project_ids = {str(i + 1): name for i, name in enumerate(self.repos)}
        self.github_token, self.gitlab_token = github_token, gitlab_token
        self.bitbucket_auth = "Basic " + base64.b64encode(":".join(bitbucket_auth).encode()).decode()
        self.max_per_page, self.files_per_page = max_per_page, files_per_page
        self.gitlab_link_header = gitlab_link_header
        self.throttle_rate, self.retry_after = throttle_rate, retry_after
        self.fault_rate, self.fault_kinds = fault_rate, tuple(fault_kinds)
        self.timeout_sleep_s, self.fail_paths = timeout_sleep_s, tuple(fail_paths)
        self.stats = ServerStats()
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._used = 0
        self._window_reset = int(time.time()) + 3600
        super().__init__()

    @property
    def github_url(self) -> str:
        return self.url

    @property
    def gitlab_url(self) -> str:
        return f"{self.url}/api/v4"

    @property
    def bitbucket_url(self) -> str:
        return f"{self.url}/2.0"

    # -- dispatch ----------------------------------------------------------------------------------------------
    def handle(self, h: _Handler) -> None:
        parts = urlsplit(h.path)
        path, query = parts.path, parse_qs(parts.query, keep_blank_values=True)
        host = "gitlab" if path.startswith("/api/v4/") else "bitbucket" if path.startswith("/2.0/") else "github"
        segments = [unquote(s) for s in path.strip("/").split("/")]
        headers: dict[str, str] = {}
        try:
            self.stats.count_request(f"{host}:{self._endpoint(host, segments)}")
            self._check_auth(host, h)
            self._inject(host, path)
            if host == "github":
                status, payload, headers = self._github(segments, query)
            elif host == "gitlab":
                status, payload, headers = self._gitlab(segments, query)
            else:
                status, payload, headers = self._bitbucket(segments, query)
        except ApiError as err:
            status, payload, headers = err.status, err.body, err.headers
        except Exception as exc:  # a bug in the fake must still answer, or the client hangs
            status, payload, headers = 500, {"message": f"fake server error: {type(exc).__name__}: {exc}"}, {}
        if host == "github":
            headers = {**self._github_rate_headers(headers.get("x-ratelimit-remaining")), **headers}
        h.send_json(status, payload, headers)

    @staticmethod
    def _endpoint(host: str, s: list[str]) -> str:
        if host == "github":
            return "commit" if len(s) == 5 else "commits"
        if host == "gitlab":
            return "diff" if s[-1] == "diff" else "commits" if s[-1] == "commits" else "commit"
        return s[4] if len(s) > 4 else "?"

    def _check_auth(self, host: str, h: _Handler) -> None:
        if host == "github":
            given = h.headers.get("Authorization", "")
            if self.github_token and given not in (f"Bearer {self.github_token}", f"token {self.github_token}"):
                raise ApiError(401, {"message": "Bad credentials",
                                     "documentation_url": "https://docs.github.com/rest"})
        elif host == "gitlab":
            given = h.headers.get("PRIVATE-TOKEN") or h.headers.get("Authorization", "").removeprefix("Bearer ")
            if self.gitlab_token and given != self.gitlab_token:
                raise ApiError(401, {"message": "401 Unauthorized"})
        elif h.headers.get("Authorization", "") != self.bitbucket_auth:
            raise ApiError(401, {"type": "error", "error": {"message": "Unauthorized"}})

    def _inject(self, host: str, path: str) -> None:
        """Throttling and faults, drawn from the seeded RNG."""
        if any(s in path for s in self.fail_paths):
            self.stats.count_fault("fail_path")
            raise ApiError(500, {"message": "Server Error"})
        with self._lock:
            roll = self._rng.random()
            throttle = roll < self.throttle_rate
            fault = None
            if not throttle and roll < self.throttle_rate + self.fault_rate and self.fault_kinds:
                fault = self._rng.choice(self.fault_kinds)
            flip = self._rng.random() < 0.5
        if throttle:
            if host == "github" and flip:
                self.stats.count_fault("403_rate_limit")
                raise ApiError(403, {"message": "API rate limit exceeded for user ID 1.",
                                     "documentation_url": "https://docs.github.com/rest/rate-limit"},
                               {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(time.time()) + 1)})
            self.stats.count_fault("429")
            headers = {"Retry-After": self.retry_after} if host == "github" or (host == "gitlab" and flip) else {}
            body = ({"type": "error", "error": {"message": "Rate limit for this resource has been exceeded"}}
                    if host == "bitbucket" else {"message": "Too Many Requests"})
            raise ApiError(429, body, headers)
        if fault is None:
            return
        self.stats.count_fault(fault)
        if fault == "timeout":
            time.sleep(self.timeout_sleep_s)  # then answer normally: the client has usually given up
            return
        raise ApiError(int(fault), {"message": "Server Error"})

    def _github_rate_headers(self, remaining: str | None) -> dict[str, str]:
        with self._lock:
            self._used += 1
            used = self._used
        return {"x-ratelimit-limit": "5000", "x-ratelimit-remaining": remaining or str(max(0, 5000 - used)),
                "x-ratelimit-used": str(used), "x-ratelimit-reset": str(self._window_reset),
                "x-ratelimit-resource": "core"}

    # -- shared helpers ----------------------------------------------------------------------------------------
    def _repo(self, name: str, not_found: ApiError) -> _Repo:
        repo = self.repos.get(name)
        if repo is None:
            raise not_found
        return repo

    def _listing(self, repo: _Repo, ref: str, query: dict, not_found: ApiError) -> list[dict]:
        sha = repo.resolve(ref)
        if sha is None:
            raise not_found
        rows = repo.history(sha)
        until, since = _date_param(query, "until"), _date_param(query, "since")
        # git's --until / --since: by the committer's date, inclusive
        return [r for r in rows if (until is None or r["committer_ts"] <= until)
                and (since is None or r["committer_ts"] >= since)]

    def _window(self, query: dict, total: int, per_page_name: str, default: int,
                cap: int | None = None) -> tuple[int, int, int]:
        per_page = max(1, min(_int(query, per_page_name, default), cap or self.max_per_page))
        page = max(1, _int(query, "page", 1))
        return page, per_page, max(1, -(-total // per_page))

    def _page_url(self, path: str, query: dict, page: int) -> str:
        return f"{self.url}{path}?{urlencode({**{k: v[0] for k, v in query.items()}, 'page': str(page)})}"

    def _links(self, path: str, query: dict, page: int, last: int) -> str:
        rels = []
        if page < last:
            rels += [f'<{self._page_url(path, query, page + 1)}>; rel="next"',
                     f'<{self._page_url(path, query, last)}>; rel="last"']
        if page > 1:
            rels += [f'<{self._page_url(path, query, 1)}>; rel="first"',
                     f'<{self._page_url(path, query, page - 1)}>; rel="prev"']
        return ", ".join(rels)

    # -- GitHub ------------------------------------------------------------------------------------------------
    def _github(self, s: list[str], query: dict) -> tuple[int, object, dict[str, str]]:
        not_found = ApiError(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
        if len(s) not in (4, 5) or s[0] != "repos" or s[3] != "commits":
            raise not_found
        name = f"{s[1]}/{s[2]}"
        repo = self._repo(name, not_found)
        path = "/" + "/".join(s)
        if len(s) == 4:
            ref = query.get("sha", ["HEAD"])[0] or "HEAD"
            rows = self._listing(repo, ref, query, not_found)
            page, per_page, last = self._window(query, len(rows), "per_page", 30)
            items = [self._github_commit(name, r) for r in rows[(page - 1) * per_page: page * per_page]]
            links = self._links(path, query, page, last)
            return 200, items, {"Link": links} if links else {}
        sha = repo.resolve(s[4])
        if sha is None:
            raise ApiError(422, {"message": f"No commit found for SHA: {s[4]}",
                                 "documentation_url": "https://docs.github.com/rest/commits/commits#get-a-commit"})
        row = repo.history(sha)[0]
        files = repo.changes(sha, row["parents"])
        per_page = self.files_per_page or GITHUB_FILES_PER_PAGE
        page, _, last = self._window({"page": query.get("page", ["1"])}, len(files), "per_page", per_page, per_page)
        shown = files[(page - 1) * per_page: page * per_page]
        added, deleted = (sum(f[k] or 0 for f in files) for k in ("additions", "deletions"))
        body = {**self._github_commit(name, row),
                "stats": {"additions": added, "deletions": deleted, "total": added + deleted},
                "files": [self._github_file(name, sha, f) for f in shown]}
        links = self._links(path, {k: v for k, v in query.items() if k == "page"}, page, last)
        return 200, body, {"Link": links} if links else {}

    def _github_commit(self, name: str, r: dict) -> dict:
        api = f"{self.url}/repos/{name}"
        html = f"https://github.example/{name}"
        return {
            "sha": r["sha"], "node_id": f"C_{r['sha'][:20]}",
            "commit": {
                # GitHub serves commit dates in UTC: the author's offset is not in the API
                "author": {"name": r["author_name"], "email": r["author_email"], "date": _utc(r["author_ts"])},
                "committer": {"name": r["committer_name"], "email": r["committer_email"],
                              "date": _utc(r["committer_ts"])},
                "message": r["message"], "tree": {"sha": r["tree"], "url": f"{api}/git/trees/{r['tree']}"},
                "url": f"{api}/git/commits/{r['sha']}", "comment_count": 0,
                "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None},
            },
            "url": f"{api}/commits/{r['sha']}", "html_url": f"{html}/commit/{r['sha']}",
            "comments_url": f"{api}/commits/{r['sha']}/comments",
            "author": None, "committer": None,  # no GitHub accounts behind the demo's addresses
            "parents": [{"sha": p, "url": f"{api}/commits/{p}", "html_url": f"{html}/commit/{p}"}
                        for p in r["parents"]],
        }

    def _github_file(self, name: str, sha: str, f: dict) -> dict:
        binary = f["additions"] is None
        added, deleted = (0, 0) if binary else (f["additions"], f["deletions"])
        blob = f["old_blob"] if f["status"] == "D" else f["new_blob"]
        out = {"sha": None if blob == _EMPTY_BLOB else blob, "filename": f["path"],
               "status": _GITHUB_STATUS.get(f["status"], "modified"), "additions": added, "deletions": deleted,
               "changes": added + deleted, "blob_url": f"https://github.example/{name}/blob/{sha}/{f['path']}",
               "raw_url": f"https://github.example/{name}/raw/{sha}/{f['path']}",
               "contents_url": f"{self.url}/repos/{name}/contents/{f['path']}?ref={sha}"}
        if f["hunks"] is not None:
            out["patch"] = f["hunks"]
        if f["old_path"] is not None:
            out["previous_filename"] = f["old_path"]
        return out

    # -- GitLab ------------------------------------------------------------------------------------------------
    def _gitlab(self, s: list[str], query: dict) -> tuple[int, object, dict[str, str]]:
        # /api/v4/projects/:id/repository/commits[/:sha[/diff]]
        if len(s) < 6 or s[2] != "projects" or s[4:6] != ["repository", "commits"]:
            raise ApiError(404, {"error": "404 Not Found"})
        name = self.project_ids.get(s[3], s[3])
        repo = self._repo(name, ApiError(404, {"message": "404 Project Not Found"}))
        commit_missing = ApiError(404, {"message": "404 Commit Not Found"})
        path = "/" + "/".join(quote_segment(x) for x in s)
        if len(s) == 6:
            rows = self._listing(repo, query.get("ref_name", ["HEAD"])[0] or "HEAD", query, commit_missing)
            page, per_page, last = self._window(query, len(rows), "per_page", 20)
            stats = query.get("with_stats", ["false"])[0] == "true"
            items = [self._gitlab_commit(name, repo, r, stats)
                     for r in rows[(page - 1) * per_page: page * per_page]]
            return 200, items, self._gitlab_paging(path, query, page, per_page, last, len(rows))
        sha = repo.resolve(s[6])
        if sha is None:
            raise commit_missing
        row = repo.history(sha)[0]
        if len(s) == 7:
            return 200, self._gitlab_commit(name, repo, row, True), {}
        if len(s) != 8 or s[7] != "diff":
            raise ApiError(404, {"error": "404 Not Found"})
        files = repo.changes(sha, row["parents"])
        page, per_page, last = self._window(query, len(files), "per_page", 20, self.files_per_page)
        diffs = [self._gitlab_diff(f) for f in files[(page - 1) * per_page: page * per_page]]
        return 200, diffs, self._gitlab_paging(path, query, page, per_page, last, len(files))

    def _gitlab_commit(self, name: str, repo: _Repo, r: dict, with_stats: bool) -> dict:
        # GitLab keeps the author's offset (and shows milliseconds)
        def gl_date(iso: str) -> str:
            return iso[:19] + ".000" + iso[19:]
        out = {"id": r["sha"], "short_id": r["sha"][:8], "created_at": gl_date(r["committed_at"]),
               "parent_ids": r["parents"], "title": r["message"].split("\n", 1)[0], "message": r["message"],
               "author_name": r["author_name"], "author_email": r["author_email"],
               "authored_date": gl_date(r["authored_at"]), "committer_name": r["committer_name"],
               "committer_email": r["committer_email"], "committed_date": gl_date(r["committed_at"]),
               "trailers": {}, "extended_trailers": {},
               "web_url": f"https://gitlab.example/{name}/-/commit/{r['sha']}"}
        if with_stats:
            files = repo.changes(r["sha"], r["parents"])
            added, deleted = (sum(f[k] or 0 for f in files) for k in ("additions", "deletions"))
            out["stats"] = {"additions": added, "deletions": deleted, "total": added + deleted}
        return out

    @staticmethod
    def _gitlab_diff(f: dict) -> dict:
        text = f["hunks"] + "\n" if f["hunks"] is not None else (f["binary_line"] + "\n" if f["binary_line"] else "")
        return {"diff": text, "new_path": f["path"], "old_path": f["old_path"] or f["path"],
                "a_mode": "0" if f["status"] == "A" else f["old_mode"],
                "b_mode": "0" if f["status"] == "D" else f["new_mode"],
                "new_file": f["status"] == "A", "renamed_file": f["status"] == "R",
                "deleted_file": f["status"] == "D", "generated_file": False}

    def _gitlab_paging(self, path: str, query: dict, page: int, per_page: int, last: int,
                       total: int) -> dict[str, str]:
        headers = {"X-Page": str(page), "X-Per-Page": str(per_page), "X-Total": str(total),
                   "X-Total-Pages": str(last), "X-Next-Page": str(page + 1) if page < last else "",
                   "X-Prev-Page": str(page - 1) if page > 1 else ""}
        links = self._links(path, query, page, last)
        if links and self.gitlab_link_header:
            headers["Link"] = links
        return headers

    # -- Bitbucket ---------------------------------------------------------------------------------------------
    def _bitbucket(self, s: list[str], query: dict) -> tuple[int, object, dict[str, str]]:
        # /2.0/repositories/{ws}/{slug}/(commits[/{revision}] | commit/{sha} | diffstat/{sha})
        error = ApiError(404, {"type": "error", "error": {"message": "Resource not found"}})
        if len(s) < 5 or s[1] != "repositories":
            raise error
        name = f"{s[2]}/{s[3]}"
        repo = self._repo(name, ApiError(404, {"type": "error", "error": {
            "message": f"Repository {name} not found"}}))
        missing = ApiError(404, {"type": "error", "error": {"message": "Commit not found"}})
        path = "/" + "/".join(quote_segment(x) for x in s)
        kind = s[4]
        if kind == "commits" and len(s) in (5, 6):
            rows = self._listing(repo, s[5] if len(s) == 6 else "HEAD", {}, missing)
            page, per_page, last = self._window(query, len(rows), "pagelen", 30)
            body: dict = {"pagelen": per_page,
                          "values": [self._bitbucket_commit(name, r) for r in rows[(page - 1) * per_page:
                                                                                  page * per_page]]}
            if page < last:
                body["next"] = self._page_url(path, query, page + 1)
            return 200, body, {}
        if kind in ("commit", "diffstat") and len(s) == 6:
            sha = repo.resolve(s[5])
            if sha is None:
                raise missing
            row = repo.history(sha)[0]
            if kind == "commit":
                return 200, self._bitbucket_commit(name, row), {}
            files = repo.changes(sha, row["parents"])
            page, per_page, last = self._window(query, len(files), "pagelen", 500, self.files_per_page or 500)
            body = {"pagelen": per_page, "size": len(files), "page": page,
                    "values": [self._bitbucket_diffstat(f) for f in files[(page - 1) * per_page: page * per_page]]}
            if page < last:
                body["next"] = self._page_url(path, query, page + 1)
            return 200, body, {}
        raise error

    def _bitbucket_commit(self, name: str, r: dict) -> dict:
        api = f"{self.url}/2.0/repositories/{name}"
        return {"type": "commit", "hash": r["sha"],
                # the author's date, in UTC: Bitbucket serves no committer
                "date": _utc(r["author_ts"], "%Y-%m-%dT%H:%M:%S+00:00"),
                "author": {"type": "author", "raw": f"{r['author_name']} <{r['author_email']}>"},
                "message": r["message"] + "\n",
                "summary": {"type": "rendered", "raw": r["message"] + "\n", "markup": "markdown", "html": ""},
                "parents": [{"hash": p, "type": "commit", "links": {"self": {"href": f"{api}/commit/{p}"}}}
                            for p in r["parents"]],
                "links": {"self": {"href": f"{api}/commit/{r['sha']}"},
                          "diffstat": {"href": f"{api}/diffstat/{r['sha']}"}},
                "repository": {"type": "repository", "full_name": name}}

    @staticmethod
    def _bitbucket_diffstat(f: dict) -> dict:
        status = {"A": "added", "D": "removed", "R": "renamed"}.get(f["status"], "modified")
        old = None if f["status"] == "A" else {"path": f["old_path"] or f["path"], "type": "commit_file"}
        new = None if f["status"] == "D" else {"path": f["path"], "type": "commit_file"}
        return {"type": "diffstat", "status": status, "lines_added": f["additions"] or 0,
                "lines_removed": f["deletions"] or 0, "old": old, "new": new}


def quote_segment(segment: str) -> str:
    """A path segment as a client writes it (GitLab's project path keeps its slash encoded)."""
    return quote(segment, safe="")
