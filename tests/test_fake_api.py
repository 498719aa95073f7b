"""The fake Windsurf + Graph server speaks the real shapes and fails the real ways, on demand."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date, timedelta

import pytest
import requests

from python_assets.demo import AI_GROUP_ID, AI_PILOT_GROUP_ID, AI_SKU_ID, generate_demo, normalize_email
from python_assets.demo.fake_api import FakeApiServer
from python_assets.demo.usage import BAD_COUNT, BAD_DATE, NOT_AN_OBJECT

KEY = "demo-service-key"
AC_FIELDS = ("api_key", "date", "hour", "language", "ide", "version")
AC_COUNTS = ("num_acceptances", "num_lines_accepted", "num_bytes_accepted")


@pytest.fixture(scope="module")
def demo():
    return generate_demo()


@pytest.fixture(scope="module")
def srv(demo):
    with FakeApiServer(demo.company, demo.usage) as server:
        yield server


def _token(srv: FakeApiServer, secret: str = "demo-secret", tenant: str = "contoso") -> requests.Response:
    return requests.post(f"{srv.url}/{tenant}/oauth2/v2.0/token", data={
        "client_id": "flywheel", "client_secret": secret, "scope": "https://graph.microsoft.com/.default",
        "grant_type": "client_credentials"}, timeout=5)


@pytest.fixture(scope="module")
def graph(srv):
    session = requests.Session()
    resp = _token(srv)
    assert resp.status_code == 200
    body = resp.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    session.headers["Authorization"] = f"Bearer {body['access_token']}"
    return session


def _follow(session: requests.Session, url: str) -> tuple[list[dict], int]:
    items, pages = [], 0
    while url:
        resp = session.get(url, timeout=10)
        assert resp.status_code == 200, resp.text
        page = resp.json()
        items.extend(page["value"])
        pages += 1
        url = page.get("@odata.nextLink")
    return items, pages


def _analytics(srv: FakeApiServer, *queries: dict, **extra) -> requests.Response:
    return requests.post(f"{srv.url}/api/v1/Analytics", json={"service_key": KEY, "query_requests": list(queries),
                                                               **extra}, timeout=30)


def _user_data(selections: list[dict], filters: list[dict] | None = None, source: str = "USER_DATA") -> dict:
    q = {"data_source": f"QUERY_DATA_SOURCE_{source}", "selections": selections}
    if filters:
        q["filters"] = filters
    return q


def _day_filters(lo: str, hi: str, upper: str = "QUERY_FILTER_LE") -> list[dict]:
    return [{"name": "date", "filter": "QUERY_FILTER_GE", "value": lo},
            {"name": "date", "filter": upper, "value": hi}]


def _all_fields_summed() -> list[dict]:
    return [{"field": f} for f in AC_FIELDS] + [
        {"field": f, "aggregation_function": "QUERY_AGGREGATION_SUM"} for f in AC_COUNTS]


# -- Graph ----------------------------------------------------------------------------------------------------


def test_users_paging_follows_next_link_to_the_end(srv, graph, demo):
    users, pages = _follow(graph, f"{srv.url}/v1.0/users?$select=id,mail,department,assignedLicenses&$top=150")
    assert pages == 14
    ids = [u["id"] for u in users]
    assert len(ids) == len(set(ids)) == len(demo.company.directory_on(demo.company.end)[0])
    assert all(set(u) == {"id", "mail", "department", "assignedLicenses"} for u in users)


def test_users_default_page_and_property_set(srv, graph):
    page = graph.get(f"{srv.url}/v1.0/users", timeout=5).json()
    assert len(page["value"]) == 100 and page["@odata.nextLink"].startswith(srv.url)
    # Without $select, Graph leaves out department, licences and the rest: connectors must ask for them.
    assert "department" not in page["value"][0] and "mail" in page["value"][0]


def test_users_paging_rejects_skip_and_oversized_top(srv, graph):
    assert graph.get(f"{srv.url}/v1.0/users?$skip=100", timeout=5).status_code == 400
    assert graph.get(f"{srv.url}/v1.0/users?$top=1000", timeout=5).status_code == 400
    assert graph.get(f"{srv.url}/v1.0/users?$select=nonsense", timeout=5).status_code == 400


def test_graph_auth_failures(srv, demo):
    assert _token(srv, secret="wrong").status_code == 401
    assert requests.get(f"{srv.url}/v1.0/users", timeout=5).status_code == 401
    bad = requests.get(f"{srv.url}/v1.0/users", headers={"Authorization": "Bearer nope"}, timeout=5)
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "InvalidAuthenticationToken"
    other = FakeApiServer(demo.company, demo.usage)
    with other:
        token = _token(other).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        assert requests.get(f"{other.url}/v1.0/users?$top=1", headers=headers, timeout=5).status_code == 200
        other.revoke_tokens()
        assert requests.get(f"{other.url}/v1.0/users?$top=1", headers=headers, timeout=5).status_code == 401


def test_transitive_members_include_the_nested_group(srv, graph, demo):
    items, _ = _follow(graph, f"{srv.url}/v1.0/groups/{AI_GROUP_ID}/transitiveMembers?$select=id,mail&$top=500")
    types = Counter(i["@odata.type"] for i in items)
    assert types["#microsoft.graph.group"] == 1
    licensed = {p.id for p in demo.company.people if p.licensed}
    users = [i["id"] for i in items if i["@odata.type"] == "#microsoft.graph.user"]
    assert len(users) == len(set(users)) and set(users) == licensed
    cast, _ = _follow(graph, f"{srv.url}/v1.0/groups/{AI_GROUP_ID}/transitiveMembers/microsoft.graph.user?$top=999")
    assert {i["@odata.type"] for i in cast} == {"#microsoft.graph.user"} and len(cast) == len(licensed)
    direct, _ = _follow(graph, f"{srv.url}/v1.0/groups/{AI_GROUP_ID}/members?$top=999")
    assert AI_PILOT_GROUP_ID in {i["id"] for i in direct} and len(direct) < len(items)
    assert graph.get(f"{srv.url}/v1.0/groups/00000000-0000-0000-0000-000000000000/transitiveMembers",
                     timeout=5).status_code == 404


def test_licence_filter_needs_eventual_consistency(srv, graph, demo):
    url = f"{srv.url}/v1.0/users?$filter=assignedLicenses/any(x:x/skuId eq {AI_SKU_ID})&$count=true&$top=999"
    assert graph.get(url, timeout=5).status_code == 400
    resp = graph.get(url, headers={"ConsistencyLevel": "eventual"}, timeout=5)
    assert resp.status_code == 200
    assert resp.json()["@odata.count"] == sum(p.licensed for p in demo.company.people)


def test_managers_and_delta(srv, graph, demo):
    users_now, managers_now = demo.company.directory_on(demo.company.end)
    ceo = next(p for p in demo.company.people if p.job_title == "Chief Executive Officer")
    report = next(uid for uid, boss in demo.company.managers.items() if boss == ceo.id)
    boss = graph.get(f"{srv.url}/v1.0/users/{report}/manager?$select=id,displayName", timeout=5).json()
    assert boss["id"] == ceo.id
    assert graph.get(f"{srv.url}/v1.0/users/{ceo.id}/manager", timeout=5).status_code == 404
    expanded, _ = _follow(graph, f"{srv.url}/v1.0/users?$select=id&$expand=manager($select=id)&$top=999")
    assert {u["id"]: u["manager"]["id"] for u in expanded if "manager" in u} == managers_now
    url, delta_link, seen = f"{srv.url}/v1.0/users/delta?$select=id,mail,manager&$top=999", None, 0
    while url:
        page = graph.get(url, timeout=10).json()
        seen += len(page["value"])
        url, delta_link = page.get("@odata.nextLink"), page.get("@odata.deltaLink")
    assert seen == len(users_now) and delta_link
    again = graph.get(delta_link, timeout=5).json()
    assert again["value"] == [] and again["@odata.deltaLink"]


def _delta_round(graph, url: str) -> tuple[list[dict], str]:
    items, delta_link = [], None
    while url:
        page = graph.get(url, timeout=10).json()
        items += page["value"]
        url, delta_link = page.get("@odata.nextLink"), page.get("@odata.deltaLink")
    return items, delta_link


def test_delta_rounds_carry_moves_joins_and_removals(srv, demo, graph):
    company = demo.company
    events = company.org_events
    assert {e.kind for e in events} == {"move", "join", "leave"}
    day = events[len(events) // 2].day
    next_day = day + timedelta(days=7)  # a delta token lives 7 days
    try:
        srv.as_of = day  # the server's clock: the first round sees the directory of `day`
        first, link = _delta_round(graph, f"{srv.url}/v1.0/users/delta?$select=id,department,manager&$top=500")
        state = {u["id"]: u for u in first}
        srv.as_of = next_day  # ... the next round that of a week later
        changes, link2 = _delta_round(graph, link)
        assert link2 and link2 != link
        srv.as_of = next_day + timedelta(days=8)
        assert graph.get(link2, timeout=5).status_code == 410  # expired: the client must start over
    finally:
        srv.as_of = None
    later = [e for e in events if day < e.day <= next_day]
    assert later
    removed = {c["id"]: c["@removed"]["reason"] for c in changes if "@removed" in c}
    assert removed == {e.person_id: e.removal for e in later if e.kind == "leave"}
    assert set(removed.values()) <= {"deleted", "changed"}
    moved = {c["id"]: c["manager@delta"][0]["id"] for c in changes if c.get("manager@delta")}
    assert {e.person_id for e in later if e.kind in ("move", "join")} <= set(moved)
    # applying the round to the first state gives the directory of the new day
    for change in changes:
        if "@removed" in change:
            state.pop(change["id"])
        else:
            state[change["id"]] = {**state.get(change["id"], {}), **change}
    users_now, managers_now = company.directory_on(next_day)
    assert {i: u["department"] for i, u in state.items()} == {u["id"]: u["department"] for u in users_now}
    assert {i: u["manager@delta"][0]["id"] for i, u in state.items() if u.get("manager@delta")} == managers_now


# -- Windsurf -------------------------------------------------------------------------------------------------


def test_windsurf_rejects_a_wrong_service_key(srv):
    for endpoint in ("UserPageAnalytics", "Analytics", "CascadeAnalytics"):
        resp = requests.post(f"{srv.url}/api/v1/{endpoint}", json={"service_key": "wrong"}, timeout=5)
        assert resp.status_code == 401, endpoint
    assert requests.post(f"{srv.url}/api/v1/Analytics", json={}, timeout=5).status_code == 401


def test_user_page_analytics(srv, demo):
    rows = requests.post(f"{srv.url}/api/v1/UserPageAnalytics", json={"service_key": KEY},
                         timeout=10).json()["userTableStats"]
    assert len(rows) == len(demo.company.windsurf_users)
    assert all(isinstance(r["activeDays"], int) for r in rows)
    assert all(r["disableCodeium"] is True for r in rows if "disableCodeium" in r)
    week = requests.post(f"{srv.url}/api/v1/UserPageAnalytics", json={
        "service_key": KEY, "start_timestamp": "2026-09-07T00:00:00Z", "end_timestamp": "2026-09-14T00:00:00Z"},
        timeout=10).json()["userTableStats"]
    assert max(r["activeDays"] for r in week) <= 7 < max(r["activeDays"] for r in rows)


def test_analytics_sums_with_default_and_custom_aliases(srv, demo):
    day = "2026-09-15"
    truth = Counter()
    for r in demo.usage.well_formed("autocomplete"):
        if r["date"] == day and r["arrival_date"].isoformat() <= day:
            truth[r["language"]] += r["num_acceptances"]
    resp = _analytics(srv, _user_data(
        [{"field": "language"},
         {"field": "num_acceptances", "aggregation_function": "QUERY_AGGREGATION_SUM"},
         {"field": "num_lines_accepted", "name": "lines", "aggregation_function": "QUERY_AGGREGATION_MAX"},
         {"field": "api_key", "aggregation_function": "QUERY_AGGREGATION_COUNT"}],
        _day_filters(day, day)))
    assert resp.status_code == 200
    items = [i["item"] for i in resp.json()["queryResults"][0]["responseItems"] if isinstance(i, dict)]
    assert all(isinstance(v, str) for item in items for v in item.values())
    assert set(items[0]) == {"language", "sum_num_acceptances", "lines", "count_api_key"}
    got = {i["language"]: int(i["sum_num_acceptances"]) for i in items}
    # Malformed rows of that day may add a little on top of the clean sum.
    for lang, total in truth.items():
        assert got[lang] >= total and got[lang] - total < 200


def test_analytics_filters(srv, demo):
    key = demo.company.tool_users()[5].api_key
    base = [{"field": "api_key"}, {"field": "date"}, {"field": "hour"}, {"field": "language"}]
    window = _day_filters("2026-09-01", "2026-09-30")

    def run(filters):
        body = _analytics(srv, _user_data(base, window + filters)).json()
        return [i["item"] for i in body["queryResults"][0]["responseItems"] if isinstance(i, dict)]

    mine = run([{"name": "api_key", "filter": "QUERY_FILTER_EQUAL", "value": key}])
    assert mine and {i["api_key"] for i in mine} == {key}
    not_python = run([{"name": "language", "filter": "QUERY_FILTER_NOT_EQUAL", "value": "PYTHON"}])
    assert not_python and all(i.get("language") != "PYTHON" for i in not_python)
    late = run([{"name": "hour", "filter": "QUERY_FILTER_GREATER_THAN", "value": "20"}])
    assert late and all(int(i["hour"]) > 20 for i in late if i["hour"].isdigit())
    both = run([{"name": "hour", "filter": "QUERY_FILTER_GREATER_EQUAL", "value": "3"},
                {"name": "hour", "filter": "QUERY_FILTER_LESS_THAN", "value": "5"}])
    assert {i["hour"] for i in both} == {"3", "4"}
    lt = run([{"name": "date", "filter": "QUERY_FILTER_LESS_THAN", "value": "2026-09-03"}])
    assert {i["date"] for i in lt if "date" in i} - {BAD_DATE} == {"2026-09-01", "2026-09-02"}


def test_analytics_several_queries_and_sources(srv):
    window = _day_filters("2026-10-01", "2026-10-02")
    resp = _analytics(
        srv,
        _user_data([{"field": "date"}, {"field": "num_acceptances", "aggregation_function":
                                        "QUERY_AGGREGATION_SUM"}], window),
        _user_data([{"field": "model_id"}, {"field": "num_chats_received", "aggregation_function":
                                            "QUERY_AGGREGATION_SUM"}], window, source="CHAT_DATA"),
        _user_data([{"field": "api_key"}, {"field": "date"}, {"field": "percent_code_written", "name": "pcw"},
                    {"field": "codeium_bytes"}], window, source="PCW_DATA"),
        _user_data([{"field": "lines_added", "aggregation_function": "QUERY_AGGREGATION_SUM"}], window,
                   source="COMMAND_DATA"),
    )
    assert resp.status_code == 200
    results = resp.json()["queryResults"]
    assert len(results) == 4
    assert {i["item"]["date"] for i in results[0]["responseItems"] if isinstance(i, dict)} >= {"2026-10-01",
                                                                                               "2026-10-02"}
    assert all("model_id" in i["item"] for i in results[1]["responseItems"] if isinstance(i, dict))
    pcw = [i["item"] for i in results[2]["responseItems"] if isinstance(i, dict)]
    assert pcw and all(0 < float(i["pcw"]) < 1 for i in pcw if i.get("pcw", "").replace(".", "").isdigit())
    assert results[3]["responseItems"] == []
    bad = _analytics(srv, _user_data([{"field": "nope"}]))
    assert bad.status_code == 400
    assert _analytics(srv, {"data_source": "QUERY_DATA_SOURCE_NOPE", "selections": [{"field": "date"}]}
                      ).status_code == 400


def _stored_days(records: list) -> list[str]:
    """The day each stored record is filed under: its date, its arrival day if the date is broken, and a
    non-object's neighbour's day (the fake's documented rule)."""
    days, previous = [], ""
    for r in records:
        if isinstance(r, dict):
            previous = r["date"] if r["date"] != BAD_DATE else r["arrival_date"].isoformat()
        days.append(previous)
    return days


def test_pass_through_returns_malformed_rows_as_stored(srv, demo):
    lo, hi = "2026-09-01", "2026-09-30"
    resp = _analytics(srv, _user_data(_all_fields_summed(), _day_filters(lo, hi)))
    items = resp.json()["queryResults"][0]["responseItems"]
    expected = [r for r, day in zip(demo.usage.autocomplete, _stored_days(demo.usage.autocomplete), strict=True)
                if lo <= day <= hi]  # the clock stands after the history: everything has arrived
    assert len(items) == len(expected)
    assert sum(1 for i in items if i == NOT_AN_OBJECT) == sum(1 for r in expected if r == NOT_AN_OBJECT) > 0
    assert any(isinstance(i, dict) and i["item"].get("sum_num_acceptances") == BAD_COUNT for i in items)
    assert any(isinstance(i, dict) and i["item"].get("date") == BAD_DATE for i in items)
    assert any(isinstance(i, dict) and "api_key" not in i["item"] for i in items)


def test_as_of_hides_late_arrivals(srv, demo):
    late = next(r for r in demo.usage.well_formed("autocomplete")
                if (r["arrival_date"].isoformat() > r["date"]) and r["date"] >= "2026-09-01")
    day = late["date"]
    arrival = late["arrival_date"].isoformat()
    filters = [{"name": "api_key", "filter": "QUERY_FILTER_EQUAL", "value": late["api_key"]}]

    def hours(today: str) -> set[str]:
        srv.as_of = date.fromisoformat(today)
        try:
            body = _analytics(srv, _user_data(_all_fields_summed(), _day_filters(day, day) + filters)).json()
        finally:
            srv.as_of = None
        return {i["item"]["hour"] for i in body["queryResults"][0]["responseItems"]
                if isinstance(i, dict) and i["item"].get("date") == day}

    assert str(late["hour"]) not in hours(day)
    assert str(late["hour"]) in hours(arrival)


def test_late_arrivals_can_be_switched_off(demo):
    late = next(r for r in demo.usage.well_formed("pcw") if r["arrival_date"].isoformat() > r["date"])
    query = _user_data([{"field": "api_key"}, {"field": "date"}, {"field": "codeium_bytes"}],
                       _day_filters(late["date"], late["date"]) + [
                           {"name": "api_key", "filter": "QUERY_FILTER_EQUAL", "value": late["api_key"]}],
                       source="PCW_DATA")
    with FakeApiServer(demo.company, demo.usage, late_arrivals=False, as_of=date.fromisoformat(late["date"])) as server:
        items = _analytics(server, query).json()["queryResults"][0]["responseItems"]
    assert [i["item"]["codeium_bytes"] for i in items] == [str(late["codeium_bytes"])]


def test_analytics_for_four_days_is_fast(srv):
    start = time.perf_counter()
    resp = _analytics(srv, _user_data(_all_fields_summed(), _day_filters("2026-10-05", "2026-10-08")))
    elapsed = time.perf_counter() - start
    assert resp.status_code == 200 and len(resp.json()["queryResults"][0]["responseItems"]) > 5000
    assert elapsed < 1.0


def _cascade(srv: FakeApiServer, **body) -> requests.Response:
    payload = {"service_key": KEY, "start_timestamp": "2026-08-10T00:00:00Z",
               "end_timestamp": "2026-11-08T00:00:00Z",
               "query_requests": [{"cascade_lines": {}}, {"cascade_runs": {}}, {"cascade_tool_usage": {}}]}
    payload.update(body)
    return requests.post(f"{srv.url}/api/v1/CascadeAnalytics", json=payload, timeout=10)


def test_cascade_for_one_and_several_emails(srv, demo):
    lines = demo.usage.well_formed("cascade_lines")
    by_email = Counter(normalize_email(r["email"]) for r in lines)
    a, b = [e for e, _ in by_email.most_common(2)]
    resp = _cascade(srv, emails=[a.upper()])
    assert resp.status_code == 200
    lines_out, runs_out, tools_out = resp.json()["queryResults"]
    mine = lines_out["cascadeLines"]["cascadeLines"]
    assert len(mine) == by_email[a]
    assert all(i["day"].endswith("T00:00:00Z") and isinstance(i["linesSuggested"], str) for i in mine)
    runs = runs_out["cascadeRuns"]["cascadeRuns"]
    assert runs and {"day", "model", "mode", "messagesSent", "cascadeId"} <= set(runs[0])
    assert tools_out["cascadeToolUsage"]["cascadeToolUsage"][0]["tool"] == "CODE_ACTION"
    both = _cascade(srv, emails=[a, b]).json()["queryResults"][0]["cascadeLines"]["cascadeLines"]
    truth = Counter()
    for r in lines:
        if normalize_email(r["email"]) in (a, b):
            truth[r["day"]] += r["linesSuggested"]
    assert {i["day"][:10]: int(i["linesSuggested"]) for i in both} == dict(truth)


def test_cascade_window_and_validation(srv, demo):
    assert _cascade(srv, emails=["x@acme.example"], group_name="Engineering").status_code == 400
    assert _cascade(srv, emails=["x@acme.example"], start_timestamp=None).status_code == 400
    late = next(r for r in demo.usage.well_formed("cascade_lines") if r["arrival_date"].isoformat() > r["day"])
    day = date.fromisoformat(late["day"])
    end_before = f"{day + timedelta(days=1)}T00:00:00Z"
    end_after = f"{late['arrival_date']}T00:00:00Z"

    def days(end: str) -> set[str]:
        body = _cascade(srv, emails=[late["email"]], start_timestamp=f"{day}T00:00:00Z", end_timestamp=end,
                        query_requests=[{"cascade_lines": {}}]).json()
        return {i["day"][:10] for i in body["queryResults"][0]["cascadeLines"]["cascadeLines"]}

    if late["arrival_date"] > day + timedelta(days=1):
        assert late["day"] not in days(end_before)
    assert late["day"] in days(end_after)


# -- faults and uploads ---------------------------------------------------------------------------------------


def test_fault_injection_rates_and_kinds(demo, capfd):
    cheap = {"service_key": KEY, "query_requests": [{"data_source": "QUERY_DATA_SOURCE_COMMAND_DATA",
                                                     "selections": [{"field": "date"}]}]}
    outcomes: Counter[str] = Counter()
    with FakeApiServer(demo.company, demo.usage, fault_rate=0.3, retry_after="2", timeout_sleep_s=0.3,
                       seed=42) as server:
        session = requests.Session()
        for _ in range(200):
            try:
                resp = session.post(f"{server.url}/api/v1/Analytics", json=cheap, timeout=0.15)
            except requests.Timeout:
                outcomes["timeout"] += 1
                continue
            outcomes[str(resp.status_code)] += 1
            if resp.status_code == 429:
                assert resp.headers["Retry-After"] == "2"
            elif resp.status_code >= 500:
                assert "error" in resp.json()
        token = _token(server)  # the token endpoint is never faulted
        assert token.status_code == 200
        faults = server.stats.snapshot()["faults"]
    faulted = 200 - outcomes["200"]
    assert 40 <= faulted <= 80
    for kind in ("429", "500", "503", "timeout"):
        assert outcomes[kind] >= 5, outcomes
        assert faults[kind] == outcomes[kind]
    assert capfd.readouterr().err == ""


def test_fail_paths_always_answer_500(demo):
    with FakeApiServer(demo.company, demo.usage, fail_paths=("CascadeAnalytics",)) as server:
        for _ in range(5):
            assert _cascade(server, emails=["x@acme.example"]).status_code == 500
        ok = requests.post(f"{server.url}/api/v1/UserPageAnalytics", json={"service_key": KEY}, timeout=10)
        assert ok.status_code == 200
        assert server.stats.faults["fail_path"] == 5


def test_simple_upload_and_upload_session(srv, graph):
    drive = f"{srv.url}/v1.0/drives/b!demo"
    put = graph.put(f"{drive}/root:/backups/2026-09-01/stats.json:/content", data=b'{"ok": true}', timeout=5)
    assert put.status_code == 201 and put.json()["name"] == "stats.json" and put.json()["size"] == 12
    again = graph.put(f"{drive}/root:/backups/2026-09-01/stats.json:/content", data=b"{}", timeout=5)
    assert again.status_code == 200 and srv.uploads["backups/2026-09-01/stats.json"] == b"{}"

    payload = bytes(range(256)) * 40  # 10240 bytes
    session = graph.post(f"{drive}/root:/backups/big.parquet:/createUploadSession", json={}, timeout=5).json()
    upload_url = session["uploadUrl"]
    assert upload_url.startswith(srv.url) and session["expirationDateTime"]
    bad = requests.put(upload_url, data=payload[5000:6000], headers={"Content-Range": "bytes 5000-5999/10240"},
                       timeout=5)
    assert bad.status_code == 416
    status = []
    for first in range(0, len(payload), 4096):
        chunk = payload[first:first + 4096]
        resp = requests.put(upload_url, data=chunk, timeout=5, headers={
            "Content-Range": f"bytes {first}-{first + len(chunk) - 1}/{len(payload)}"})
        status.append(resp.status_code)
        if resp.status_code == 202:
            assert resp.json()["nextExpectedRanges"] == [f"{first + len(chunk)}-"]
    assert status == [202, 202, 201]
    assert srv.uploads["backups/big.parquet"] == payload
    assert "backups/big.parquet" in srv.stats.snapshot()["upload_paths"]
