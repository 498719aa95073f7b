"""The production connectors against the local fake APIs: paging, throttling, failures, secrets."""

from __future__ import annotations

import logging
from datetime import date

import pytest
import requests

from python_assets.connectors.graph import GraphClient
from python_assets.connectors.http import CallStats, HttpClient, PullFailed, RetryPolicy
from python_assets.connectors.windsurf import WindsurfClient, day_chunks
from python_assets.demo import AI_GROUP_ID, generate_demo
from python_assets.demo.fake_api import FakeApiServer

START = date(2026, 8, 10)
FAST = RetryPolicy(max_attempts=10, base_delay_s=0.01, max_delay_s=0.05, timeout_s=0.5)


@pytest.fixture(scope="module")
def demo():
    return generate_demo(seed=11, people=250, start=START, days=10)


def _windsurf(srv, key="demo-service-key", policy=FAST, chunk_days=3):
    return WindsurfClient(srv.url, key, HttpClient(policy), max_workers=4, chunk_days=chunk_days)


def _graph(srv, secret="demo-secret", policy=FAST):
    return GraphClient(srv.url, srv.url, "tenant", "client", secret, HttpClient(policy), page_size=37)


def _items(batches):
    return [r for b in batches for r in b.records]


def test_day_chunks_cover_the_window_exactly():
    chunks = day_chunks(date(2026, 1, 1), date(2026, 1, 10), 4)
    assert chunks == [(date(2026, 1, 1), date(2026, 1, 4)), (date(2026, 1, 5), date(2026, 1, 8)),
                      (date(2026, 1, 9), date(2026, 1, 10))]


def test_graph_paging_follows_next_link_to_the_end(demo):
    with FakeApiServer(demo.company, demo.usage) as srv:
        batches = _graph(srv).users()
        ids = [u["id"] for u in _items(batches)]
        users = demo.company.directory_on(demo.company.end)[0]
        assert len(batches) == -(-len(users) // 37)
        assert sorted(ids) == sorted(u["id"] for u in users)
        members = _items(_graph(srv).group_user_members(AI_GROUP_ID))
        assert members and all(m["@odata.type"] == "#microsoft.graph.user" for m in members)


def test_windsurf_chunks_equal_one_request(demo):
    with FakeApiServer(demo.company, demo.usage) as srv:
        one = _items(_windsurf(srv, chunk_days=30).analytics("QUERY_DATA_SOURCE_USER_DATA", START, date(2026, 8, 19)))
        chunked = _items(_windsurf(srv, chunk_days=3).analytics("QUERY_DATA_SOURCE_USER_DATA", START,
                                                                 date(2026, 8, 19)))
    key = repr
    assert sorted(map(key, one)) == sorted(map(key, chunked)) and len(one) > 100


def test_twenty_percent_faults_give_the_same_data(demo):
    with FakeApiServer(demo.company, demo.usage) as clean:
        expected = _items(_windsurf(clean).analytics("QUERY_DATA_SOURCE_CHAT_DATA", START, date(2026, 8, 19)))
        users = sorted(u["id"] for u in _items(_graph(clean).users()))
    with FakeApiServer(demo.company, demo.usage, fault_rate=0.2, timeout_sleep_s=0.8, seed=3) as srv:
        got = _items(_windsurf(srv).analytics("QUERY_DATA_SOURCE_CHAT_DATA", START, date(2026, 8, 19)))
        got_users = sorted(u["id"] for u in _items(_graph(srv).users()))
        faults = srv.stats.snapshot()
    assert sorted(map(repr, got)) == sorted(map(repr, expected))
    assert got_users == users
    assert sum(faults["faults"].values()) > 0, faults


def test_429_honours_retry_after(demo, monkeypatch):
    waits = []
    monkeypatch.setattr("python_assets.connectors.http.time.sleep", lambda s: waits.append(s))
    with FakeApiServer(demo.company, demo.usage, fault_rate=1.0, fault_kinds=("429",), retry_after="7") as srv:
        with pytest.raises(PullFailed, match="HTTP 429"):
            _windsurf(srv, policy=RetryPolicy(max_attempts=3, base_delay_s=0.01, max_delay_s=30, timeout_s=1)) \
                .user_page_analytics(START, START)
    assert waits == [7.0, 7.0]


def test_permanent_failure_is_a_clear_error(demo):
    with FakeApiServer(demo.company, demo.usage, fail_paths=("Analytics",)) as srv:
        with pytest.raises(PullFailed, match=r"POST http://127\.0\.0\.1:\d+/api/v1/Analytics failed after 10"):
            _windsurf(srv).analytics("QUERY_DATA_SOURCE_PCW_DATA", START, START)


def test_bad_credentials_fail_without_retrying_forever(demo):
    with FakeApiServer(demo.company, demo.usage) as srv:
        with pytest.raises(PullFailed, match="HTTP 401"):
            _windsurf(srv, key="wrong").user_page_analytics(START, START)
        with pytest.raises(PullFailed, match="HTTP 401"):
            _graph(srv, secret="wrong").users()
        assert srv.stats.snapshot()["requests"].get("/api/v1/UserPageAnalytics") == 1


def test_secrets_never_reach_the_logs(demo, caplog):
    caplog.set_level(logging.DEBUG)
    with FakeApiServer(demo.company, demo.usage, fault_rate=0.3, seed=5, timeout_sleep_s=0.8) as srv:
        ws = _windsurf(srv)
        ws.analytics("QUERY_DATA_SOURCE_USER_DATA", START, date(2026, 8, 12))
        g = _graph(srv)
        g.users()
        token = g._token
    text = "\n".join(r.getMessage() for r in caplog.records) + repr(ws) + repr(g)
    assert "retry" in text  # the faults were logged ...
    for secret in ("demo-service-key", "demo-secret", token):
        assert secret not in text  # ... but never a secret


def test_cascade_is_fetched_per_person(demo):
    emails = [u["email"] for u in demo.company.windsurf_users[:20]]
    with FakeApiServer(demo.company, demo.usage) as srv:
        batches = _windsurf(srv).cascade(emails, START, date(2026, 8, 19))
        assert srv.stats.snapshot()["requests"]["/api/v1/CascadeAnalytics"] == len(set(emails))
    assert {b.context["email"] for b in batches} == set(emails)
    assert any(kind == "lines" for b in batches for kind, _ in b.records)


def test_drive_upload_small_and_in_a_session(demo):
    with FakeApiServer(demo.company, demo.usage, fault_rate=0.2, seed=9, timeout_sleep_s=0.8) as srv:
        g = _graph(srv)
        g.upload("drive-1", "backups/small.json", b"[1,2,3]")
        big = bytes(range(256)) * 40_000  # ~10 MB: an upload session in chunks
        g.upload("drive-1", "backups/big.parquet", big)
        uploads = {k.split("backups/")[-1]: v for k, v in srv.uploads.items()}
    assert uploads["small.json"] == b"[1,2,3]"
    assert uploads["big.parquet"] == big


def _answer(status: int, headers: dict[str, str], body: bytes = b"{}") -> requests.Response:
    resp = requests.Response()
    resp.status_code, resp._content = status, body
    resp.headers.update(headers)
    return resp


def test_a_rate_limit_403_waits_for_retry_after_or_the_reset(monkeypatch):
    """GitHub's primary limit answers 403 with x-ratelimit-remaining 0: wait for Retry-After when it is given,
    else until x-ratelimit-reset (capped by the policy); a plain 403 (no permission) fails at once."""
    waits: list[float] = []
    monkeypatch.setattr("python_assets.connectors.http.time.sleep", lambda s: waits.append(s))
    now = 1_800_000_000.0
    monkeypatch.setattr("python_assets.connectors.http.time.time", lambda: now)
    answers = [
        _answer(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(now) + 12)}),
        _answer(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(now) + 600)}),  # capped
        _answer(403, {"x-ratelimit-remaining": "0", "retry-after": "3", "x-ratelimit-reset": str(int(now) + 60)}),
        _answer(429, {"x-ratelimit-reset": str(int(now) + 5)}),
        _answer(200, {}, b"[]"),
    ]
    client = HttpClient(RetryPolicy(max_attempts=6, base_delay_s=0.01, max_delay_s=30, timeout_s=1))
    monkeypatch.setattr(client.session, "request", lambda *a, **k: answers.pop(0))
    stats = CallStats()
    resp, _ = client.request("GET", "https://api.example/repos/o/r/commits?access_token=secret", stats=stats)
    assert resp.status_code == 200 and waits == [12.0, 30.0, 3.0, 5.0] and stats.retries == 4

    forbidden = [_answer(403, {"x-ratelimit-remaining": "4999"}, b'{"message": "Resource not accessible"}')]
    monkeypatch.setattr(client.session, "request", lambda *a, **k: forbidden.pop(0))
    with pytest.raises(PullFailed, match="HTTP 403 .*Resource not accessible") as err:
        client.request("GET", "https://api.example/repos/o/r/commits?access_token=secret")
    assert "secret" not in str(err.value) and err.value.status == 403
    throttled = [_answer(403, {"x-ratelimit-remaining": "0"})] * 2
    monkeypatch.setattr(client.session, "request", lambda *a, **k: throttled.pop(0))
    client.policy = RetryPolicy(max_attempts=2, base_delay_s=0.01, max_delay_s=0.01, timeout_s=1)
    with pytest.raises(PullFailed, match=r"failed after 2 attempt\(s\): HTTP 403 \(rate limited\)"):
        client.request("GET", "https://api.example/repos/o/r/commits")
