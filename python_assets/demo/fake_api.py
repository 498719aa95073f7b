"""A local fake of the Windsurf analytics API and the Microsoft Graph endpoints Flywheel calls, serving a demo company.

It speaks the real shapes (string-typed numbers, Graph paging by nextLink, OAuth client credentials, upload sessions)
and injects the real failure modes on demand: throttling with Retry-After, 5xx, slow answers, permanent failures.
Standard library only; one `ThreadingHTTPServer` on 127.0.0.1 in a daemon thread.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from python_assets.demo.company import Company, normalize_email
from python_assets.demo.local_server import LocalServer, QuietHandler
from python_assets.demo.usage import Usage

WINDSURF_PREFIX = "/api/v1/"
GRAPH_PREFIX = "/v1.0"
UPLOAD_PREFIX = "/upload/sessions/"
_TOKEN_PATH = re.compile(r"^(?:/[^/]+)?/oauth2/v2\.0/token$")
_DRIVE_PATH = re.compile(r"^/v1\.0/drives/([^/]+)/root:/(.+):/(content|createUploadSession)$")
_DRIVE_ITEM_PATH = re.compile(r"^/v1\.0/drives/([^/]+)/root:/(.+?):?$")
_GROUP_PATH = re.compile(r"^/v1\.0/groups/([^/]+)(?:/(members|transitiveMembers)(/microsoft\.graph\.user)?)?$")
_USER_PATH = re.compile(r"^/v1\.0/users/([^/]+)(/manager)?$")
_LICENCE_FILTER = re.compile(r"^assignedLicenses/any\((\w+):\1/skuId eq ([0-9a-fA-F-]{36})\)$")
_ENABLED_FILTER = re.compile(r"^accountEnabled eq (true|false)$")
DELTA_TOKEN_DAYS = 7  # directory delta tokens expire; an old one answers 410 Gone
# startswith on a string property (a default query in Graph, case-insensitive): how the directory is sharded
_STARTSWITH_FILTER = re.compile(r"^startswith\((userPrincipalName|mail|displayName|employeeId),'([^']*)'\)$",
                                re.IGNORECASE)
_DATE_UTC = re.compile(r"^date UTC([+-]\d{1,2})$")
_MAX_TOP = 999

# Graph's default property set for users when no $select is given: the useful fields must be asked for.
_GRAPH_DEFAULT_USER_FIELDS = ("businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
                              "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id")

_AGGREGATIONS = {"UNSPECIFIED", "COUNT", "SUM", "AVG", "MAX", "MIN"}
_FILTERS = {
    "QUERY_FILTER_EQUAL": "eq", "QUERY_FILTER_NOT_EQUAL": "ne", "QUERY_FILTER_GREATER_THAN": "gt",
    "QUERY_FILTER_LESS_THAN": "lt", "QUERY_FILTER_GE": "ge", "QUERY_FILTER_LE": "le",
    "QUERY_FILTER_GREATER_EQUAL": "ge", "QUERY_FILTER_LESS_EQUAL": "le",
}
_COMPARE: dict[str, Callable[[object, object], bool]] = {
    "eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "gt": lambda a, b: a > b, "lt": lambda a, b: a < b,
    "ge": lambda a, b: a >= b, "le": lambda a, b: a <= b,
}
# data_source -> (usage list, the fields that identify one stored record, every selectable field)
_SOURCES: dict[str, tuple[str | None, tuple[str, ...], frozenset[str]]] = {
    "QUERY_DATA_SOURCE_USER_DATA": ("autocomplete", ("api_key", "date", "hour"), frozenset({
        "api_key", "date", "hour", "language", "ide", "version", "num_acceptances", "num_lines_accepted",
        "num_bytes_accepted"})),
    "QUERY_DATA_SOURCE_CHAT_DATA": ("chat", ("api_key", "date", "hour"), frozenset({
        "api_key", "date", "hour", "model_id", "latest_intent_type", "ide", "version", "num_chats_received",
        "chat_loc_used", "chat_accepted", "chat_inserted_at_cursor", "chat_applied"})),
    "QUERY_DATA_SOURCE_PCW_DATA": ("pcw", ("api_key", "date"), frozenset({
        "api_key", "date", "percent_code_written", "codeium_bytes", "user_bytes", "total_bytes",
        "codeium_bytes_by_autocomplete", "codeium_bytes_by_command", "language", "ide", "version"})),
    "QUERY_DATA_SOURCE_COMMAND_DATA": (None, (), frozenset({
        "api_key", "date", "timestamp", "language", "ide", "version", "command_source", "provider_source",
        "lines_added", "lines_removed", "bytes_added", "bytes_removed", "selection_lines", "selection_bytes",
        "accepted"})),
}
_TOOL_WEIGHTS = (("CODE_ACTION", 0.35), ("VIEW_FILE", 0.25), ("GREP_SEARCH", 0.10), ("RUN_COMMAND", 0.10),
                 ("LIST_DIRECTORY", 0.08), ("FIND", 0.05), ("SEARCH_WEB", 0.04), ("MCP_TOOL", 0.03))


class ApiError(Exception):
    """An error answer: HTTP status plus the JSON body the real service would send."""

    def __init__(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


def _graph_error(status: int, code: str, message: str) -> ApiError:
    return ApiError(status, {"error": {"code": code, "message": message}})


def _windsurf_error(status: int, message: str) -> ApiError:
    return ApiError(status, {"error": message})


class ServerStats:
    """Thread-safe counters: requests per path, faults injected per kind, and the paths uploaded."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self.upload_paths: list[str] = []

    def count_request(self, path: str) -> None:
        with self._lock:
            self.requests[path] += 1

    def count_fault(self, kind: str) -> None:
        with self._lock:
            self.faults[kind] += 1

    def add_upload(self, path: str) -> None:
        with self._lock:
            self.upload_paths.append(path)

    @property
    def total_requests(self) -> int:
        with self._lock:
            return sum(self.requests.values())

    def snapshot(self) -> dict:
        """A consistent copy, for logs and assertions."""
        with self._lock:
            return {"requests": dict(self.requests), "faults": dict(self.faults),
                    "upload_paths": list(self.upload_paths)}


# ---------------------------------------------------------------------------------------------------------------
# Usage storage: records bucketed by their UTC day, so a pull for a few days touches only those days.


def _valid_day(value: object) -> str | None:
    if isinstance(value, str) and len(value) == 10:
        try:
            date.fromisoformat(value)
            return value
        except ValueError:
            return None
    return None


class _DayIndex:
    """One record list bucketed by day. A malformed date goes to its arrival day; a non-object to its neighbour's."""

    def __init__(self, records: list, date_key: str) -> None:
        self.buckets: dict[str, list] = {}
        previous: str | None = None
        orphans: list = []
        for rec in records:
            if isinstance(rec, dict):
                day = _valid_day(rec.get(date_key)) or rec["arrival_date"].isoformat()
                bucket = self.buckets.setdefault(day, [])
                if orphans:
                    bucket.extend(orphans)
                    orphans = []
                bucket.append(rec)
                previous = day
            elif previous is None:
                orphans.append(rec)
            else:
                self.buckets[previous].append(rec)
        if orphans and previous is None:
            self.buckets.setdefault("", []).extend(orphans)
        self.days = sorted(self.buckets)
        self._by_email: dict[str, list[tuple[str, int, dict]]] | None = None

    def for_emails(self, emails: set[str], lo: str | None, hi: str | None) -> list[dict]:
        """The object records of these (normalized) emails with lo <= day <= hi, in scan order: a per-email
        index, so a per-person pull costs that person's records, not the whole history."""
        if self._by_email is None:
            index: dict[str, list[tuple[str, int, dict]]] = {}
            for day in self.days:
                for pos, rec in enumerate(self.buckets[day]):
                    if isinstance(rec, dict):
                        index.setdefault(normalize_email(str(rec.get("email", ""))), []).append((day, pos, rec))
            self._by_email = index
        hits = [hit for email in emails for hit in self._by_email.get(email, ())
                if (lo is None or hit[0] >= lo) and (hi is None or hit[0] <= hi)]
        hits.sort(key=lambda hit: (hit[0], hit[1]))
        return [rec for _, _, rec in hits]

    def scan(self, lo: str | None, hi: str | None, skip_days: set[str]) -> Iterator[tuple[str, object]]:
        """(day, record) for every bucket with lo <= day <= hi, in day order then stored order."""
        for day in self.days:
            if (lo is not None and day < lo) or (hi is not None and day > hi) or day in skip_days:
                continue
            for rec in self.buckets[day]:
                yield day, rec


# ---------------------------------------------------------------------------------------------------------------
# Value helpers shared by the Windsurf endpoints.


def _as_number(value: object) -> int | float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return None
    return None


def _wire(value: object) -> str | None:
    """Every Windsurf value travels as a string; None means the field is absent (protobuf drops unset fields)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(round(value, 6))
    return str(value)


def _aggregate(agg: str, values: list) -> object:
    present = [v for v in values if v is not None]
    if agg == "COUNT":
        return len(present)
    if len(values) == 1 and present and _as_number(present[0]) is None:
        return present[0]  # a lone malformed value passes through as stored
    nums = [n for n in (_as_number(v) for v in present) if n is not None]
    if not nums:
        return None
    if agg == "SUM":
        return sum(nums)
    if agg == "AVG":
        return sum(nums) / len(nums)
    return max(nums) if agg == "MAX" else min(nums)


def _field_value(rec: dict, field: str) -> object:
    m = _DATE_UTC.match(field)
    if not m:
        return rec.get(field)
    day, hour = _valid_day(rec.get("date")), _as_number(rec.get("hour"))
    if day is None or not isinstance(hour, int) or not 0 <= hour <= 23:
        return None
    shifted = datetime.fromisoformat(day) + timedelta(hours=hour + int(m.group(1)))
    return shifted.date().isoformat()


def _parse_timestamp(value: object, name: str) -> datetime:
    if not isinstance(value, str):
        raise _windsurf_error(400, f"{name} must be an RFC 3339 timestamp")
    try:
        ts = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise _windsurf_error(400, f"invalid {name}: {value!r}") from exc
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def _days_covered(start: datetime | None, end: datetime | None) -> tuple[str | None, str | None]:
    """The UTC days whose midnight lies in [start, end), as inclusive YYYY-MM-DD bounds."""
    lo = hi = None
    if start is not None:
        s = start.astimezone(UTC)
        lo_day = s.date() if s.time() == datetime.min.time() else s.date() + timedelta(days=1)
        lo = lo_day.isoformat()
    if end is not None:
        hi = (end.astimezone(UTC) - timedelta(microseconds=1)).date().isoformat()
    return lo, hi


def _shift_day(value: str, days: int) -> str:
    try:
        return (date.fromisoformat(value[:10]) + timedelta(days=days)).isoformat()
    except ValueError as exc:
        raise _windsurf_error(400, f"invalid date filter value {value!r}") from exc


class _Query:
    """One parsed Analytics query_request."""

    def __init__(self, q: object) -> None:
        if not isinstance(q, dict):
            raise _windsurf_error(400, "each query_request must be an object")
        source = q.get("data_source")
        if source not in _SOURCES:
            raise _windsurf_error(400, f"unknown data_source {source!r}")
        self.list_name, identity, allowed = _SOURCES[source]
        self.group: list[tuple[str, str]] = []  # (field, alias)
        self.aggs: list[tuple[str, str, str]] = []  # (field, alias, function)
        selections = q.get("selections")
        if not isinstance(selections, list) or not selections:
            raise _windsurf_error(400, "selections must be a non-empty list")

        def check(field: object) -> str:
            shifted_date = isinstance(field, str) and bool(_DATE_UTC.match(field)) and "hour" in allowed
            if not isinstance(field, str) or not (field in allowed or shifted_date):
                raise _windsurf_error(400, f"invalid field {field!r} for {source}")
            return field

        for sel in selections:
            if not isinstance(sel, dict):
                raise _windsurf_error(400, "each selection must be an object")
            field = check(sel.get("field"))
            agg = str(sel.get("aggregation_function") or "QUERY_AGGREGATION_UNSPECIFIED")
            agg = agg.removeprefix("QUERY_AGGREGATION_")
            if agg not in _AGGREGATIONS:
                raise _windsurf_error(400, f"invalid aggregation_function {sel.get('aggregation_function')!r}")
            if agg == "UNSPECIFIED":
                self.group.append((field, sel.get("name") or field))
            else:
                self.aggs.append((field, sel.get("name") or f"{agg.lower()}_{field}", agg))
        for agg_by in q.get("aggregations") or []:
            if not isinstance(agg_by, dict):
                raise _windsurf_error(400, "each aggregation must be an object")
            field = check(agg_by.get("field"))
            self.group.append((field, agg_by.get("name") or field))
        aliases = [a for _, a in self.group] + [a for _, a, _ in self.aggs]
        if len(set(aliases)) != len(aliases):
            raise _windsurf_error(400, "field aliases must be unique across selections and aggregations")

        # Dates select buckets; an upper bound also sets the "as of" day that hides later arrivals.
        self.lo: str | None = None
        self.hi: str | None = None
        self.as_of: str | None = None
        self.skip_days: set[str] = set()
        self.predicates: list[Callable[[dict], bool]] = []
        for flt in q.get("filters") or []:
            if not isinstance(flt, dict) or flt.get("filter") not in _FILTERS:
                raise _windsurf_error(400, f"invalid filter {flt!r}")
            name, op, value = flt.get("name"), _FILTERS[flt["filter"]], str(flt.get("value", ""))
            check(name)
            if name == "date":
                self._date_filter(op, value)
            else:
                self.predicates.append(_predicate(name, op, value))
        # Stored rows are unique per identity: grouping by all of it, or neither aggregating nor grouping, leaves
        # every record its own item, served as stored (a lone malformed value included).
        group_fields = {f for f, _ in self.group}
        plain = not self.aggs and not q.get("aggregations")
        self.pass_through = plain or (bool(identity) and set(identity) <= group_fields)

    def _date_filter(self, op: str, value: str) -> None:
        day = value[:10]
        if op in ("ge", "gt", "eq"):
            bound = _shift_day(day, 1) if op == "gt" else _shift_day(day, 0)
            self.lo = bound if self.lo is None else max(self.lo, bound)
        if op in ("le", "lt", "eq"):
            bound = _shift_day(day, -1) if op == "lt" else _shift_day(day, 0)
            self.hi = bound if self.hi is None else min(self.hi, bound)
            self.as_of = day if self.as_of is None else min(self.as_of, day)
        if op == "ne":
            self.skip_days.add(day)

    def narrow(self, lo: str | None, hi: str | None, as_of: str | None) -> None:
        """Apply the request body's start/end window (the documented way to bound PCW queries)."""
        if lo is not None:
            self.lo = lo if self.lo is None else max(self.lo, lo)
        if hi is not None:
            self.hi = hi if self.hi is None else min(self.hi, hi)
        if as_of is not None:
            self.as_of = as_of if self.as_of is None else min(self.as_of, as_of)


def _predicate(name: str, op: str, value: str) -> Callable[[dict], bool]:
    compare = _COMPARE[op]
    want_num = _as_number(value)

    def test(rec: dict) -> bool:
        have = _field_value(rec, name)
        if have is None:
            return op == "ne"
        have_num = _as_number(have)
        if want_num is not None and have_num is not None:
            return compare(have_num, want_num)
        return compare(_wire(have), value)

    return test


# ---------------------------------------------------------------------------------------------------------------


class _Handler(QuietHandler):
    def date_time_string(self, timestamp: float | None = None) -> str:
        return self.server.app.clock_header()

    def do_GET(self) -> None:
        self.server.app.handle(self, "GET")

    def do_POST(self) -> None:
        self.server.app.handle(self, "POST")

    def do_PUT(self) -> None:
        self.server.app.handle(self, "PUT")

    def do_DELETE(self) -> None:
        self.server.app.handle(self, "DELETE")


class FakeApiServer(LocalServer):
    """Windsurf + Microsoft Graph on 127.0.0.1:<random port>, serving `company` and `usage`.

    `with FakeApiServer(company, usage) as srv: requests.post(f"{srv.url}/api/v1/Analytics", json=...)`.
    The server has a simulated clock, `as_of` (a date: "today" for the API). A Windsurf request sees only records
    whose arrival_date <= as_of, so a pull made on day D misses what arrives later (late arrivals); with
    `as_of=None` (the default) the clock stands after the whole history and everything has arrived.
    `late_arrivals=False` ignores arrival dates altogether. Every response's `Date` header is the clock's
    time (06:00 UTC the day after `as_of`), so a re-run of the same pull carries the same pull time.
    Faults (`fault_rate`, `fail_paths`) hit every path except the OAuth token endpoint, unless it is in fail_paths.
    """

    handler = _Handler
    thread_name = "fake-api"

    def __init__(
        self,
        company: Company,
        usage: Usage,
        *,
        service_key: str = "demo-service-key",
        client_secret: str = "demo-secret",
        fault_rate: float = 0.0,
        fault_kinds: Iterable[str] = ("429", "500", "503", "timeout"),
        retry_after: str = "0",
        timeout_sleep_s: float = 1.5,
        fail_paths: Iterable[str] = (),
        seed: int = 0,
        page_size: int = 100,
        late_arrivals: bool = True,
        as_of: date | None = None,
    ) -> None:
        self.company, self.usage = company, usage
        self.service_key, self.client_secret = service_key, client_secret
        self.fault_rate, self.fault_kinds = fault_rate, tuple(fault_kinds)
        self.retry_after, self.timeout_sleep_s = retry_after, timeout_sleep_s
        self.fail_paths, self.page_size = tuple(fail_paths), page_size
        # False: every record is visible as soon as its day is asked for (chunked and whole-range pulls agree).
        self.late_arrivals = late_arrivals
        self.as_of = as_of
        self.stats = ServerStats()
        self.uploads: dict[str, bytes] = {}
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._tokens: set[str] = set()
        self._sessions: dict[str, dict] = {}
        self._counter = 0
        self._index = {
            name: _DayIndex(usage.records(name), "day" if name.startswith("cascade") else "date")
            for name in ("autocomplete", "chat", "pcw", "cascade_lines", "cascade_runs")
        }
        self._users_by_id = {u["id"]: u for u in company.graph_users}
        self._email_of_key = {row["apiKey"]: row["email"] for row in company.windsurf_users}
        super().__init__()

    def clock_header(self) -> str:
        """The simulated 'now' for the Date header: 06:00 UTC the day after as_of (or after the history)."""
        today = self.as_of or self.company.end
        now = datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=UTC) + timedelta(hours=6)
        return now.strftime("%a, %d %b %Y %H:%M:%S GMT")

    def revoke_tokens(self) -> None:
        """Expire every Graph token issued so far, so a client must fetch a new one."""
        with self._lock:
            self._tokens.clear()

    # -- dispatch ----------------------------------------------------------------------------------------------
    def handle(self, h: _Handler, method: str) -> None:
        parts = urlsplit(h.path)
        path, query = parts.path, parse_qs(parts.query, keep_blank_values=True)
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        self.stats.count_request(path)
        try:
            fault = self._pick_fault(path)
            if fault == "timeout":
                time.sleep(self.timeout_sleep_s)  # then answer normally: the client has usually given up
            elif fault is not None:
                raise self._fault_error(path, fault)
            status, payload, headers = self._route(method, path, query, body, h)
        except ApiError as err:
            status, payload, headers = err.status, err.body, err.headers
        except Exception as exc:  # a bug in the fake must still answer, or the client hangs
            status, payload, headers = 500, {"error": f"fake server error: {type(exc).__name__}: {exc}"}, {}
        h.send_json(status, payload, headers)

    def _pick_fault(self, path: str) -> str | None:
        if any(s in path for s in self.fail_paths):
            self.stats.count_fault("fail_path")
            return "fail_path"
        if _TOKEN_PATH.match(path) or self.fault_rate <= 0 or not self.fault_kinds:
            return None
        with self._lock:
            if self._rng.random() >= self.fault_rate:
                return None
            kind = self._rng.choice(self.fault_kinds)
        self.stats.count_fault(kind)
        return kind

    def _fault_error(self, path: str, kind: str) -> ApiError:
        graph = path.startswith(GRAPH_PREFIX) or path.startswith(UPLOAD_PREFIX)
        if kind == "429":
            body = ({"error": {"code": "TooManyRequests", "message": "Too many requests"}} if graph
                    else {"error": "rate limit exceeded"})
            return ApiError(429, body, {"Retry-After": self.retry_after})
        status = 503 if kind == "503" else 500
        code = "serviceNotAvailable" if status == 503 else "generalException"
        if kind == "fail_path":
            code = "permanentFailure"
        return (_graph_error(status, code, "The service hit an error") if graph
                else _windsurf_error(status, f"internal error ({code})"))

    def _route(self, method: str, path: str, query: dict, body: bytes,
               h: _Handler) -> tuple[int, object, dict[str, str]]:
        if path.startswith(WINDSURF_PREFIX):
            if method != "POST":
                raise _windsurf_error(405, "method not allowed")
            return 200, self._windsurf(path.removeprefix(WINDSURF_PREFIX), body), {}
        if _TOKEN_PATH.match(path):
            if method != "POST":
                raise ApiError(405, {"error": "invalid_request"})
            return 200, self._token(body), {}
        if path.startswith(UPLOAD_PREFIX):
            return self._upload_chunk(method, path.removeprefix(UPLOAD_PREFIX), body, h)
        if path.startswith(GRAPH_PREFIX + "/"):
            self._check_bearer(h)
            return self._graph(method, path, query, body, h)
        raise ApiError(404, {"error": f"no route for {path}"})

    # -- Windsurf ----------------------------------------------------------------------------------------------
    def _windsurf(self, endpoint: str, raw: bytes) -> dict:
        try:
            body = json.loads(raw or b"{}")
        except ValueError as exc:
            raise _windsurf_error(400, "body is not JSON") from exc
        if not isinstance(body, dict):
            raise _windsurf_error(400, "body must be a JSON object")
        if body.get("service_key") != self.service_key:
            raise _windsurf_error(401, "invalid service key")
        keys: set[str] | None = None
        if body.get("group_name") is not None:
            group = self.company.windsurf_groups.get(str(body["group_name"]))
            if group is None:
                raise _windsurf_error(404, f"group not found: {body['group_name']}")
            keys = set(group)
        if endpoint == "UserPageAnalytics":
            return self._user_page(body, keys)
        if endpoint == "Analytics":
            return self._analytics(body, keys)
        if endpoint == "CascadeAnalytics":
            return self._cascade(body, keys)
        raise _windsurf_error(404, f"unknown endpoint {endpoint}")

    def _user_page(self, body: dict, keys: set[str] | None) -> dict:
        start = _parse_timestamp(body["start_timestamp"], "start_timestamp") if body.get("start_timestamp") else None
        end = _parse_timestamp(body["end_timestamp"], "end_timestamp") if body.get("end_timestamp") else None
        lo, hi = _days_covered(start, end)
        rows = []
        for row in self.company.windsurf_users:
            if keys is not None and row["apiKey"] not in keys:
                continue
            out = dict(row)
            if start is not None or end is not None:
                # The window only changes activeDays (as documented).
                dates = self.usage.active_dates.get(row["apiKey"], [])
                out["activeDays"] = sum(1 for d in dates if (lo is None or d >= lo) and (hi is None or d <= hi))
            rows.append(out)
        return {"userTableStats": rows}

    def _analytics(self, body: dict, keys: set[str] | None) -> dict:
        requests_ = body.get("query_requests")
        if not isinstance(requests_, list) or not requests_:
            raise _windsurf_error(400, "query_requests must be a non-empty list")
        start = _parse_timestamp(body["start_timestamp"], "start_timestamp") if body.get("start_timestamp") else None
        end = _parse_timestamp(body["end_timestamp"], "end_timestamp") if body.get("end_timestamp") else None
        lo, hi = _days_covered(start, end)
        queries = [_Query(q) for q in requests_]
        for q in queries:
            q.narrow(lo, hi, None)
            q.as_of = self.as_of.isoformat() if (self.late_arrivals and self.as_of) else None
        return {"queryResults": [{"responseItems": self._run(q, keys)} for q in queries]}

    def _run(self, q: _Query, keys: set[str] | None) -> list:
        if q.list_name is None:
            return []  # no command data in the demo
        as_of = date.fromisoformat(q.as_of) if q.as_of else None
        items: list = []
        groups: dict[tuple, tuple[dict, list[list]]] = {}
        for day, rec in self._index[q.list_name].scan(q.lo, q.hi, q.skip_days):
            if not isinstance(rec, dict):
                # A broken row: it cannot match a field filter, but an unfiltered pull gets it as stored.
                if not q.predicates and keys is None and (q.as_of is None or day <= q.as_of):
                    items.append(rec)
                continue
            if as_of is not None and rec["arrival_date"] > as_of:
                continue
            if keys is not None and rec.get("api_key") not in keys:
                continue
            if not all(p(rec) for p in q.predicates):
                continue
            if q.pass_through:
                item = {alias: _wire(_field_value(rec, f)) for f, alias in q.group}
                for f, alias, agg in q.aggs:
                    item[alias] = _wire(_aggregate(agg, [rec.get(f)]))
                items.append({"item": {k: v for k, v in item.items() if v is not None}})
                continue
            key = tuple(_wire(_field_value(rec, f)) for f, _ in q.group)
            slot = groups.get(key)
            if slot is None:
                slot = groups[key] = ({alias: v for (_, alias), v in zip(q.group, key, strict=True)},
                                      [[] for _ in q.aggs])
                items.append(slot)
            for values, (f, _, _) in zip(slot[1], q.aggs, strict=True):
                values.append(rec.get(f))
        if q.pass_through:
            return items
        out: list = []
        for entry in items:
            if not isinstance(entry, tuple):
                out.append(entry)
                continue
            head, values = entry
            item = {k: v for k, v in head.items() if v is not None}
            for vals, (_, alias, agg) in zip(values, q.aggs, strict=True):
                v = _wire(_aggregate(agg, vals))
                if v is not None:
                    item[alias] = v
            out.append({"item": item})
        return out

    def _cascade(self, body: dict, keys: set[str] | None) -> dict:
        emails = body.get("emails")
        if emails and body.get("group_name"):
            raise _windsurf_error(400, "emails and group_name cannot be used together")
        if emails is not None and not (isinstance(emails, list) and all(isinstance(e, str) for e in emails)):
            raise _windsurf_error(400, "emails must be a list of strings")
        for name in ("start_timestamp", "end_timestamp"):
            if not body.get(name):
                raise _windsurf_error(400, f"{name} is required")
        start = _parse_timestamp(body["start_timestamp"], "start_timestamp")
        end = _parse_timestamp(body["end_timestamp"], "end_timestamp")
        requests_ = body.get("query_requests")
        if not isinstance(requests_, list) or not requests_:
            raise _windsurf_error(400, "query_requests must be a non-empty list")
        wanted: set[str] | None = None
        if emails:
            wanted = {normalize_email(e) for e in emails}
        elif keys is not None:
            wanted = {normalize_email(self._email_of_key[k]) for k in keys if k in self._email_of_key}
        lo, hi = _days_covered(start, end)
        as_of = self.as_of if (self.late_arrivals and self.as_of) else date.max
        results = []
        for qr in requests_:
            if not isinstance(qr, dict) or len(qr) != 1:
                raise _windsurf_error(400, "each query_request holds exactly one data source")
            (kind,) = qr
            if kind == "cascade_lines":
                results.append({"cascadeLines": {"cascadeLines": self._cascade_lines(lo, hi, as_of, wanted)}})
            elif kind == "cascade_runs":
                runs = [self._run_item(r) if isinstance(r, dict) else r
                        for r in self._cascade_scan("cascade_runs", lo, hi, as_of, wanted)]
                results.append({"cascadeRuns": {"cascadeRuns": runs}})
            elif kind == "cascade_tool_usage":
                results.append({"cascadeToolUsage": {"cascadeToolUsage": self._tool_usage(lo, hi, as_of, wanted)}})
            else:
                raise _windsurf_error(400, f"unknown cascade data source {kind!r}")
        return {"queryResults": results}

    def _cascade_scan(self, name: str, lo: str | None, hi: str | None, as_of: date,
                      wanted: set[str] | None) -> Iterator[object]:
        if wanted is not None:  # non-object rows carry no email: only a whole-group pull returns them
            for rec in self._index[name].for_emails(wanted, lo, hi):
                if rec["arrival_date"] <= as_of:
                    yield rec
            return
        for day, rec in self._index[name].scan(lo, hi, set()):
            if not isinstance(rec, dict):
                if wanted is None and day <= as_of.isoformat():
                    yield rec
                continue
            if rec["arrival_date"] > as_of:
                continue
            if wanted is not None and normalize_email(str(rec.get("email", ""))) not in wanted:
                continue
            yield rec

    @staticmethod
    def _day_out(value: object) -> str:
        day = _valid_day(value)
        return f"{day}T00:00:00Z" if day else str(value)

    def _cascade_lines(self, lo: str | None, hi: str | None, as_of: date, wanted: set[str] | None) -> list:
        # The API reports one row per day for the whole selection: several emails are summed.
        by_day: dict[str, tuple[list, list]] = {}
        order: list[tuple[str, object]] = []  # ("day", day) or ("raw", a broken row), in scan order
        for rec in self._cascade_scan("cascade_lines", lo, hi, as_of, wanted):
            if not isinstance(rec, dict):
                order.append(("raw", rec))
                continue
            day = self._day_out(rec.get("day"))
            if day not in by_day:
                by_day[day] = ([], [])
                order.append(("day", day))
            by_day[day][0].append(rec.get("linesSuggested"))
            by_day[day][1].append(rec.get("linesAccepted"))
        items: list = []
        for kind, entry in order:
            if kind == "raw":
                items.append(entry)
                continue
            suggested, accepted = by_day[entry]
            item = {"day": entry}
            for name, vals in (("linesSuggested", suggested), ("linesAccepted", accepted)):
                v = _aggregate("SUM", vals)
                if v not in (None, 0):  # protobuf leaves zero counts out
                    item[name] = _wire(v)
            items.append(item)
        return items

    def _run_item(self, rec: dict) -> dict:
        item = {"day": self._day_out(rec.get("day"))}
        for name in ("model", "mode", "messagesSent", "cascadeId", "promptsUsed"):
            v = rec.get(name)
            if v not in (None, 0):
                item[name] = _wire(v)
        return item

    def _tool_usage(self, lo: str | None, hi: str | None, as_of: date, wanted: set[str] | None) -> list:
        messages = 0
        for rec in self._cascade_scan("cascade_runs", lo, hi, as_of, wanted):
            if isinstance(rec, dict):
                n = _as_number(rec.get("messagesSent"))
                messages += int(n) if n is not None else 0
        counts = [(tool, round(messages * 2 * w)) for tool, w in _TOOL_WEIGHTS]
        return [{"tool": tool, "count": str(c)} for tool, c in counts if c > 0]

    # -- OAuth + Graph -----------------------------------------------------------------------------------------
    def _token(self, raw: bytes) -> dict:
        form = {k: v[0] for k, v in parse_qs(raw.decode(errors="replace")).items()}
        if form.get("grant_type") != "client_credentials":
            raise ApiError(400, {"error": "unsupported_grant_type",
                                 "error_description": "only client_credentials is supported"})
        if not form.get("client_id") or form.get("client_secret") != self.client_secret:
            raise ApiError(401, {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client "
                                 "secret provided."})
        with self._lock:
            self._counter += 1
            token = "demo-" + hashlib.sha256(f"{self.url}:{self._counter}".encode()).hexdigest()
            self._tokens.add(token)
        return {"token_type": "Bearer", "expires_in": 3600, "ext_expires_in": 3600, "access_token": token}

    def _check_bearer(self, h: _Handler) -> None:
        auth = h.headers.get("Authorization") or ""
        token = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
        with self._lock:
            ok = token in self._tokens
        if not ok:
            raise _graph_error(401, "InvalidAuthenticationToken", "Access token is empty or invalid.")

    def _graph(self, method: str, path: str, query: dict, body: bytes,
               h: _Handler) -> tuple[int, object, dict[str, str]]:
        m = _DRIVE_PATH.match(path)
        if m:
            drive_path = unquote(m.group(2))
            if m.group(3) == "content" and method == "PUT":
                return self._store_upload(drive_path, body)
            if m.group(3) == "createUploadSession" and method == "POST":
                return 200, self._create_session(drive_path), {}
            raise _graph_error(405, "BadRequest", "method not allowed")
        if method == "GET":
            m = _DRIVE_ITEM_PATH.match(path)
            if m:
                drive_path = unquote(m.group(2))
                with self._lock:
                    data = self.uploads.get(drive_path)
                if data is None:
                    raise _graph_error(404, "itemNotFound", "The resource could not be found.")
                return 200, self._drive_item(drive_path, len(data)), {}
        if method != "GET":
            raise _graph_error(405, "BadRequest", "method not allowed")
        if path == "/v1.0/users":
            return 200, self._users_page(query, h, delta=False), {}
        if path == "/v1.0/users/delta":
            return 200, self._users_page(query, h, delta=True), {}
        if path == "/v1.0/users/$count":
            if (h.headers.get("ConsistencyLevel") or "").lower() != "eventual":
                raise _graph_error(400, "Request_BadRequest", "$count needs the ConsistencyLevel: eventual header.")
            return 200, len(self._filtered_users(query, h)), {}
        m = _USER_PATH.match(path)
        if m:
            users, managers = self._directory()
            by_id = {u["id"]: u for u in users}
            user = by_id.get(m.group(1))
            if user is None:
                raise _graph_error(404, "Request_ResourceNotFound", f"Resource '{m.group(1)}' does not exist.")
            if m.group(2):
                manager = by_id.get(managers.get(user["id"], ""))
                if manager is None:
                    raise _graph_error(404, "Request_ResourceNotFound", "Resource 'manager' does not exist.")
                user = manager
            fields = self._select(query)
            item = {"@odata.type": "#microsoft.graph.user", **self._project(user, fields)}
            return 200, {"@odata.context": f"{self.url}/v1.0/$metadata#users/$entity", **item}, {}
        m = _GROUP_PATH.match(path)
        if m:
            group = self.company.groups.get(m.group(1))
            if group is None:
                raise _graph_error(404, "Request_ResourceNotFound", f"Resource '{m.group(1)}' does not exist.")
            if not m.group(2):
                return 200, {"id": group["id"], "displayName": group["displayName"]}, {}
            ids = (self.company.transitive_member_ids(group["id"]) if m.group(2) == "transitiveMembers"
                   else list(group["members"]))
            if m.group(3):
                ids = [i for i in ids if i in self._users_by_id]
            return 200, self._members_page(ids, query, path, h), {}
        raise _graph_error(404, "Request_ResourceNotFound", f"Unsupported path {path}")

    # Graph paging: $top (default page_size, max 999), $skiptoken in an absolute nextLink, no $skip.
    def _select(self, query: dict) -> tuple[str, ...] | None:
        raw = (query.get("$select") or [""])[0]
        if not raw:
            return None
        fields = tuple(f.strip() for f in raw.split(",") if f.strip())
        known = set(self.company.graph_users[0]) if self.company.graph_users else set()
        for f in fields:
            if f not in known and f != "manager":
                raise _graph_error(400, "Request_BadRequest", f"Could not find a property named '{f}' on type "
                                   "'microsoft.graph.user'.")
        return fields

    @staticmethod
    def _project(obj: dict, fields: tuple[str, ...] | None) -> dict:
        names = _GRAPH_DEFAULT_USER_FIELDS if fields is None else fields
        out = {"id": obj["id"]}
        out.update({f: obj[f] for f in names if f in obj and f != "id"})
        return out

    def _page_window(self, query: dict, total: int) -> tuple[int, int]:
        if "$skip" in query:
            raise _graph_error(400, "Request_BadRequest", "'$skip' is not supported by the service.")
        top_raw = (query.get("$top") or [str(self.page_size)])[0]
        try:
            top = int(top_raw)
        except ValueError as exc:
            raise _graph_error(400, "Request_BadRequest", f"Invalid $top value '{top_raw}'.") from exc
        if not 1 <= top <= _MAX_TOP:
            raise _graph_error(400, "Request_BadRequest", f"Invalid page size specified: '{top}'. Must be "
                               f"between 1 and {_MAX_TOP} inclusive.")
        offset = 0
        if "$skiptoken" in query:
            try:
                offset = int(json.loads(base64.urlsafe_b64decode(query["$skiptoken"][0] + "==="))["o"])
            except (ValueError, KeyError, TypeError) as exc:
                raise _graph_error(400, "Request_BadRequest", "Invalid $skiptoken.") from exc
        return offset, min(total, offset + top)

    def _next_link(self, path: str, query: dict, offset: int) -> str:
        token = base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")
        params = [(k, v[0]) for k, v in query.items() if k not in ("$skiptoken", "$deltatoken")]
        params.append(("$skiptoken", token))
        return f"{self.url}{path}?{urlencode(params, safe='$,()/:')}"

    def _today(self) -> date:
        return self.as_of or self.company.end

    def _directory(self, day: date | None = None) -> tuple[list[dict], dict[str, str]]:
        """The directory as of `day` (default: the server's today): users, and user id -> manager id."""
        return self.company.directory_on(day or self._today())

    def _filtered_users(self, query: dict, h: _Handler) -> list[dict]:
        users = self._directory()[0]
        flt = (query.get("$filter") or [""])[0].strip()
        advanced = (bool(flt) and "any(" in flt) or (query.get("$count") or [""])[0].lower() == "true"
        if advanced and (h.headers.get("ConsistencyLevel") or "").lower() != "eventual":
            raise _graph_error(400, "Request_UnsupportedQuery", "This query needs the ConsistencyLevel: eventual "
                               "header and $count=true.")
        if not flt:
            return users
        m = _LICENCE_FILTER.match(flt)
        if m:
            sku = m.group(2).lower()
            return [u for u in users if any(lic["skuId"].lower() == sku for lic in u["assignedLicenses"])]
        m = _ENABLED_FILTER.match(flt)
        if m:
            return [u for u in users if u["accountEnabled"] == (m.group(1) == "true")]
        m = _STARTSWITH_FILTER.match(flt)
        if m:
            field = next(f for f in ("userPrincipalName", "mail", "displayName", "employeeId")
                         if f.lower() == m.group(1).lower())
            prefix = m.group(2).replace("''", "'").lower()
            return [u for u in users if (u.get(field) or "").lower().startswith(prefix)]
        raise _graph_error(400, "Request_UnsupportedQuery", f"Unsupported filter: {flt}")

    def _users_page(self, query: dict, h: _Handler, *, delta: bool) -> dict:
        fields = self._select(query)
        if fields is not None and "manager" in fields and not delta:
            raise _graph_error(400, "Request_BadRequest", "Use $expand=manager to read managers.")
        expand = (query.get("$expand") or [""])[0].replace(" ", "")
        if expand and not expand.startswith("manager"):
            raise _graph_error(400, "Request_BadRequest", f"Unsupported $expand: {expand}")
        since = None
        if delta and (query.get("$deltatoken") or [""])[0].lower() == "latest":
            # Graph's shortcut: no data, just a link that starts tracking from now
            state = {"d": self._today().isoformat(), "s": list(fields) if fields else None}
            token = base64.urlsafe_b64encode(json.dumps(state).encode()).decode().rstrip("=")
            return {"@odata.context": f"{self.url}/v1.0/$metadata#users", "value": [],
                    "@odata.deltaLink": f"{self.url}/v1.0/users/delta?$deltatoken={token}"}
        if delta and "$deltatoken" in query:
            since, fields = self._read_delta_token(query["$deltatoken"][0])
            if (self._today() - since).days > DELTA_TOKEN_DAYS:
                raise _graph_error(410, "SyncStateNotFound", "The delta token has expired: start a new sync.")
        users, managers = self._directory()
        if since is None:
            users = self._filtered_users(query, h)
            items = [self._user_item(u, managers, fields, expand=bool(expand), delta=delta) for u in users]
        else:
            items = self._delta_items(since, fields)
        offset, stop = self._page_window(query, len(items))
        page: dict = {"@odata.context": f"{self.url}/v1.0/$metadata#users"}
        if (query.get("$count") or [""])[0].lower() == "true":
            page["@odata.count"] = len(items)
        path = "/v1.0/users/delta" if delta else "/v1.0/users"
        if stop < len(items):
            page["@odata.nextLink"] = self._next_link(path, query, stop)
        elif delta:
            # the token remembers the state this round ended on (and the $select of the first call, which
            # Graph keeps for every later round)
            state = {"d": self._today().isoformat(), "s": list(fields) if fields else None}
            token = base64.urlsafe_b64encode(json.dumps(state).encode()).decode().rstrip("=")
            page["@odata.deltaLink"] = f"{self.url}/v1.0/users/delta?$deltatoken={token}"
        page["value"] = items[offset:stop]
        return page

    @staticmethod
    def _read_delta_token(token: str) -> tuple[date, tuple[str, ...] | None]:
        try:
            state = json.loads(base64.urlsafe_b64decode(token + "==="))
            return date.fromisoformat(state["d"]), tuple(state["s"]) if state.get("s") else None
        except (ValueError, KeyError, TypeError) as exc:
            raise _graph_error(400, "Request_BadRequest", "Invalid $deltatoken.") from exc

    def _user_item(self, user: dict, managers: dict[str, str], fields: tuple[str, ...] | None, *, expand: bool,
                   delta: bool) -> dict:
        item = self._project(user, tuple(f for f in fields if f != "manager") if fields else None)
        manager_id = managers.get(user["id"])
        if manager_id and expand:
            item["manager"] = {"@odata.type": "#microsoft.graph.user", "id": manager_id}
        if manager_id and delta and fields and "manager" in fields:
            item["manager@delta"] = [{"@odata.type": "#microsoft.graph.user", "id": manager_id}]
        return item

    def _delta_items(self, since: date, fields: tuple[str, ...] | None) -> list[dict]:
        """What changed between the directory of `since` and today's: changed and new users (their selected
        properties, manager@delta when the manager changed), then removals."""
        old_users, old_managers = self._directory(since)
        users, managers = self._directory()
        before = {u["id"]: u for u in old_users}
        items = []
        for u in users:
            prev = before.get(u["id"])
            moved = managers.get(u["id"]) != old_managers.get(u["id"])
            if prev is not None and prev == u and not moved:
                continue
            item = self._project(u, tuple(f for f in fields if f != "manager") if fields else None)
            if moved and fields and "manager" in fields:
                boss = managers.get(u["id"])
                item["manager@delta"] = ([{"@odata.type": "#microsoft.graph.user", "id": boss}] if boss else [])
            items.append(item)
        current = {u["id"] for u in users}
        for user_id in before:
            if user_id not in current:
                reason = self.company.removal_reason(user_id) or "deleted"
                items.append({"id": user_id, "@removed": {"reason": reason}})
        return items

    def _members_page(self, ids: list[str], query: dict, path: str, h: _Handler) -> dict:
        fields = self._select(query)
        offset, stop = self._page_window(query, len(ids))
        value = []
        for member_id in ids[offset:stop]:
            user = self._users_by_id.get(member_id)
            if user is not None:
                value.append({"@odata.type": "#microsoft.graph.user", **self._project(user, fields)})
            else:
                group = self.company.groups[member_id]
                item = {"@odata.type": "#microsoft.graph.group", "id": group["id"]}
                if fields is None or "displayName" in fields:
                    item["displayName"] = group["displayName"]
                value.append(item)
        page: dict = {"@odata.context": f"{self.url}/v1.0/$metadata#directoryObjects"}
        if stop < len(ids):
            page["@odata.nextLink"] = self._next_link(path, query, stop)
        page["value"] = value
        return page

    # -- drive uploads (the backup target) ---------------------------------------------------------------------
    @staticmethod
    def _drive_item(path: str, size: int) -> dict:
        item_id = "01" + hashlib.sha256(path.encode()).hexdigest()[:32].upper()
        return {"id": item_id, "name": path.rsplit("/", 1)[-1], "size": size, "file": {}}

    def _store_upload(self, path: str, data: bytes) -> tuple[int, dict, dict[str, str]]:
        with self._lock:
            existed = path in self.uploads
            self.uploads[path] = bytes(data)
        self.stats.add_upload(path)
        return (200 if existed else 201), self._drive_item(path, len(data)), {}

    def _create_session(self, path: str) -> dict:
        with self._lock:
            self._counter += 1
            sid = hashlib.sha256(f"session:{self.url}:{self._counter}".encode()).hexdigest()[:32]
            self._sessions[sid] = {"path": path, "total": None, "data": bytearray()}
        expires = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        return {"uploadUrl": f"{self.url}{UPLOAD_PREFIX}{sid}", "expirationDateTime": expires,
                "nextExpectedRanges": ["0-"]}

    def _upload_chunk(self, method: str, sid: str, body: bytes,
                      h: _Handler) -> tuple[int, object, dict[str, str]]:
        with self._lock:
            session = self._sessions.get(sid)
        if session is None:
            raise _graph_error(404, "itemNotFound", "The upload session was not found or has expired.")
        if method == "DELETE":
            with self._lock:
                self._sessions.pop(sid, None)
            return 204, None, {}
        if method != "PUT":
            raise _graph_error(405, "BadRequest", "method not allowed")
        m = re.match(r"^bytes (\d+)-(\d+)/(\d+)$", (h.headers.get("Content-Range") or "").strip())
        if not m:
            raise _graph_error(400, "invalidRange", "Content-Range must look like 'bytes a-b/total'.")
        first, last, total = (int(g) for g in m.groups())
        if last < first or last >= total or len(body) != last - first + 1:
            raise _graph_error(400, "invalidRange", "Content-Range does not match the body.")
        with self._lock:
            if session["total"] not in (None, total):
                raise _graph_error(400, "invalidRange", "The total size changed within the session.")
            session["total"] = total
            data: bytearray = session["data"]
            if first > len(data):
                raise _graph_error(416, "invalidRange", f"Expected a range starting at {len(data)}.")
            # A retried chunk (the first try's answer was lost) overwrites what it already sent.
            del data[first:]
            data.extend(body)
            done = len(data) == total
            if done:
                self._sessions.pop(sid, None)
                path = session["path"]
                existed = path in self.uploads
                self.uploads[path] = bytes(data)
            received = len(data)
        if done:
            self.stats.add_upload(path)
            return (200 if existed else 201), self._drive_item(path, total), {}
        expires = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        return 202, {"expirationDateTime": expires, "nextExpectedRanges": [f"{received}-"]}, {}
