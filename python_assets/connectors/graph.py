"""Microsoft Graph v1.0 client: app-only token, users with licences, transitive group members, drive uploads.

Paging follows `@odata.nextLink` exactly as given until it is absent (Graph has no `$skip` on users). The
client secret and the access token are never logged; URLs are logged without their query string.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

from python_assets.connectors.http import CallStats, HttpClient, PullFailed, served_at
from python_assets.connectors.windsurf import Batch

log = logging.getLogger(__name__)

USER_FIELDS = ("id", "displayName", "mail", "userPrincipalName", "otherMails", "proxyAddresses", "jobTitle",
               "department", "officeLocation", "employeeId", "accountEnabled", "assignedLicenses")
MEMBER_FIELDS = ("id", "displayName", "mail", "userPrincipalName")
# The directory is fetched in shards by the first character of userPrincipalName (a default Graph query,
# case-insensitive); /users/$count proves the shards covered everyone.
SHARD_PREFIXES = tuple("abcdefghijklmnopqrstuvwxyz0123456789")
UPLOAD_SESSION_THRESHOLD = 4 * 1024 * 1024  # Graph's simple PUT is for files up to 4 MiB
UPLOAD_CHUNK = 5 * 320 * 1024  # upload-session chunks must be multiples of 320 KiB


class GraphClient:
    def __init__(self, graph_url: str, login_url: str, tenant_id: str, client_id: str, client_secret: str,
                 http: HttpClient, page_size: int = 999) -> None:
        if not (tenant_id and client_id and client_secret):
            raise ValueError("Graph credentials missing: set GRAPH_TENANT_ID, GRAPH_CLIENT_ID, GRAPH_CLIENT_SECRET")
        self.graph_url = graph_url.rstrip("/")
        self.login_url = login_url.rstrip("/")
        self.tenant_id = tenant_id
        self.client_id = client_id
        self._client_secret = client_secret
        self.http = http
        self.page_size = page_size
        self._token: str | None = None
        self._token_expiry = 0.0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"GraphClient({self.graph_url!r}, tenant={self.tenant_id!r})"

    def _auth_header(self, stats: CallStats | None) -> dict[str, str]:
        with self._lock:
            if self._token is None or time.time() > self._token_expiry - 60:
                resp, _ = self.http.request(
                    "POST", f"{self.login_url}/{quote(self.tenant_id)}/oauth2/v2.0/token", stats=stats,
                    data={"client_id": self.client_id, "client_secret": self._client_secret,
                          "scope": "https://graph.microsoft.com/.default", "grant_type": "client_credentials"})
                body = resp.json()
                if "access_token" not in body:
                    raise PullFailed("Graph token endpoint returned no access_token")
                self._token = body["access_token"]
                self._token_expiry = time.time() + float(body.get("expires_in", 3600))
            return {"Authorization": f"Bearer {self._token}"}

    def _pages(self, url: str, endpoint: str, stats: CallStats | None) -> list[Batch]:
        return self._walk(url, endpoint, stats)[0]

    def _walk(self, url: str, endpoint: str, stats: CallStats | None) -> tuple[list[Batch], dict]:
        """Follow nextLink to the last page; return the pages and the last page's body."""
        batches = []
        next_url: str | None = url
        body: dict = {}
        while next_url:
            resp, request_id = self.http.request("GET", next_url, stats=stats, headers=self._auth_header(stats))
            try:
                body = resp.json()
            except ValueError as exc:
                raise PullFailed(f"{endpoint}: page is not JSON") from exc
            values = body.get("value") if isinstance(body, dict) else None
            if not isinstance(values, list):
                raise PullFailed(f"{endpoint}: page has no value list")
            batches.append(Batch(endpoint, request_id, values, served_at(resp)))
            next_url = body.get("@odata.nextLink")
        return batches, body

    def users(self, stats: CallStats | None = None) -> list[Batch]:
        url = f"{self.graph_url}/v1.0/users?$select={','.join(USER_FIELDS)}&$top={self.page_size}"
        return self._pages(url, "users", stats)

    def user_count(self, stats: CallStats | None = None) -> int:
        resp, _ = self.http.request("GET", f"{self.graph_url}/v1.0/users/$count", stats=stats,
                                    headers={**self._auth_header(stats), "ConsistencyLevel": "eventual"})
        try:
            return int(resp.text.strip())
        except ValueError as exc:
            raise PullFailed("users/$count: the answer is not a number") from exc

    def directory(self, prefixes: tuple[str, ...] = SHARD_PREFIXES, workers: int = 4,
                  stats: CallStats | None = None) -> list[Batch]:
        """Every user with their direct manager's id (`manager: {id}`), fetched in parallel shards over a
        bounded pool. When the shards do not add up to /users/$count (a principal name starting with another
        character, or a directory changing underneath), the whole list is fetched again in one pass."""
        select = f"$select={','.join(USER_FIELDS)}&$expand=manager($select=id)&$top={self.page_size}"

        def shard(prefix: str) -> list[Batch]:
            flt = quote(f"startswith(userPrincipalName,'{prefix}')")
            return self._pages(f"{self.graph_url}/v1.0/users?{select}&$filter={flt}", f"users[{prefix}]", stats)

        with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="graph-shard") as pool:
            batches = [b for shard_batches in pool.map(shard, prefixes) for b in shard_batches]
        seen = {r["id"] for b in batches for r in b.records if isinstance(r, dict) and "id" in r}
        expected = self.user_count(stats)
        if len(seen) != expected:
            log.warning("directory shards returned %d of %d users; fetching the whole list in one pass",
                        len(seen), expected)
            batches = self._pages(f"{self.graph_url}/v1.0/users?{select}", "users", stats)
        return batches

    def _delta_start(self) -> str:
        return f"{self.graph_url}/v1.0/users/delta?$select={','.join(USER_FIELDS)},manager&$top={self.page_size}"

    def latest_delta_link(self, stats: CallStats | None = None) -> str:
        """A deltaLink that tracks changes from now on, without reading the directory (`$deltatoken=latest`):
        taken just before a full sync, so the next delta round replays whatever changed while it ran."""
        return self.users_delta(f"{self._delta_start()}&$deltatoken=latest", stats)[1]

    def users_delta(self, delta_link: str | None = None,
                    stats: CallStats | None = None) -> tuple[list[Batch], str]:
        """One round of /users/delta: from the start when `delta_link` is None (every user, with
        `manager@delta`), else the changes since that link. Returns the pages and the next round's deltaLink.
        An expired link fails with PullFailed(status=410); the caller then starts over with a full sync."""
        url = delta_link or self._delta_start()
        batches, last = self._walk(url, "users/delta", stats)
        link = last.get("@odata.deltaLink")
        if not link:
            raise PullFailed("users/delta: the last page carried no @odata.deltaLink")
        return batches, link

    def group_user_members(self, group_id: str, stats: CallStats | None = None) -> list[Batch]:
        """Users in the group, nested groups resolved (the cast keeps users only)."""
        url = (f"{self.graph_url}/v1.0/groups/{quote(group_id)}/transitiveMembers/microsoft.graph.user"
               f"?$select={','.join(MEMBER_FIELDS)}&$top={self.page_size}")
        return self._pages(url, "groups/transitiveMembers", stats)

    def upload(self, drive_id: str, path: str, content: bytes, stats: CallStats | None = None) -> dict:
        """Put a file on a drive: simple PUT when small, an upload session in chunks when large."""
        item = f"{self.graph_url}/v1.0/drives/{quote(drive_id)}/root:/{quote(path.strip('/'))}:"
        if len(content) <= UPLOAD_SESSION_THRESHOLD:
            resp, _ = self.http.request("PUT", f"{item}/content", stats=stats, data=content,
                                        headers=self._auth_header(stats))
            return resp.json()
        resp, _ = self.http.request("POST", f"{item}/createUploadSession", stats=stats,
                                    json={"item": {"@microsoft.graph.conflictBehavior": "replace"}},
                                    headers=self._auth_header(stats))
        upload_url = resp.json()["uploadUrl"]
        total = len(content)
        result: dict = {}
        for start in range(0, total, UPLOAD_CHUNK):
            chunk = content[start:start + UPLOAD_CHUNK]
            # The upload URL is pre-authorised: Graph rejects an Authorization header on it.
            resp, _ = self.http.request("PUT", upload_url, stats=stats, data=chunk, headers={
                "Content-Range": f"bytes {start}-{start + len(chunk) - 1}/{total}",
                "Content-Length": str(len(chunk))})
            result = resp.json() if resp.content else {}
        return result
