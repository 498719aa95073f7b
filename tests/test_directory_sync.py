"""The directory sync against the fake Graph: parallel shards, delta rounds carrying moves, joins and removals,
the deltaLink as state between runs, and falling back to a full sync when the link has expired."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from python_assets.connectors.graph import GraphClient
from python_assets.connectors.http import HttpClient, RetryPolicy
from python_assets.demo import generate_demo
from python_assets.demo.fake_api import FakeApiServer
from python_assets.ingest import bronze_tables as bt
from python_assets.ingest.directory import SYNC_LOG, sync_directory
from python_assets.ingest.pulls import PullWindow
from python_assets.lake import tables

START = date(2026, 10, 1)
DAYS = 30
PAYLOAD = ("id", "department", "manager_id", "mail", "account_enabled")


@pytest.fixture(scope="module")
def demo():
    return generate_demo(seed=11, people=80, start=START, days=DAYS)


def _client(server: FakeApiServer) -> GraphClient:
    return GraphClient(server.url, server.url, "t", "c", "demo-secret", HttpClient(RetryPolicy(3, 0.01)),
                       page_size=25)


def _sync(server: FakeApiServer, day: date, **kwargs):
    server.as_of = day
    return sync_directory(_client(server), PullWindow(day, day), f"run-{day}", **kwargs)


def _roster(day: date) -> dict[str, tuple]:
    rows = tables.read_table(bt.GRAPH_USERS.lake_name, filters=[("_partition_date", "=", day)]).to_pylist()
    return {r["id"]: tuple(r[c] for c in PAYLOAD) for r in rows}


def _truth(demo, day: date) -> dict[str, tuple]:
    users, managers = demo.company.directory_on(day)
    return {u["id"]: (u["id"], u["department"], managers.get(u["id"]), u["mail"],
                      "true" if u["accountEnabled"] else "false") for u in users}


def _sync_log(day: date) -> dict:
    return tables.read_table(SYNC_LOG, filters=[("_partition_date", "=", day)]).to_pylist()[0]


def test_daily_delta_syncs_track_every_change(demo, lake):
    events = demo.company.org_events
    assert {e.kind for e in events} == {"move", "join", "leave"}
    with FakeApiServer(demo.company, demo.usage) as server:
        first = _sync(server, START)
        assert first.mode == "full" and first.reason == "no earlier sync"
        assert _roster(START) == _truth(demo, START)
        removed = 0
        for offset in range(1, DAYS):
            day = START + timedelta(days=offset)
            sync = _sync(server, day)
            assert sync.mode == "delta", (day, sync.reason)
            assert _roster(day) == _truth(demo, day), day
            removed += _sync_log(day)["removed"]
    assert removed == sum(1 for e in events if e.kind == "leave")
    changes = tables.read_table(bt.USER_CHANGES.lake_name).to_pylist()
    assert {c["removed_reason"] for c in changes if c["change"] == "removed"} <= {"deleted", "changed"}
    moved = {c["id"] for c in changes if c["manager_changed"] == "true"}
    assert {e.person_id for e in events if e.kind in ("move", "join")} <= moved


def test_a_delta_sync_equals_a_full_sync_of_the_new_state(demo, tmp_path, monkeypatch):
    day_a, day_b = START + timedelta(days=6), START + timedelta(days=13)
    with FakeApiServer(demo.company, demo.usage) as server:
        monkeypatch.setenv("FLYWHEEL_LAKE_ROOT", str(tmp_path / "delta"))
        _sync(server, day_a)
        assert _sync(server, day_b).mode == "delta"
        by_delta = _roster(day_b)
        monkeypatch.setenv("FLYWHEEL_LAKE_ROOT", str(tmp_path / "full"))
        assert _sync(server, day_b).mode == "full"
        assert _roster(day_b) == by_delta
    assert by_delta != _truth(demo, day_a), "the window should hold some change"


def test_rerunning_a_sync_changes_nothing(demo, lake):
    day_a, day_b = START + timedelta(days=8), START + timedelta(days=12)
    with FakeApiServer(demo.company, demo.usage) as server:
        _sync(server, day_a)
        _sync(server, day_b)
        before = {name: tables.read_table(name).sort_by("id").to_pylist()
                  for name in (bt.GRAPH_USERS.lake_name, bt.USER_CHANGES.lake_name)}
        log_before = _sync_log(day_b)
        # the stored state is relative to the Graph base URL: the same bytes whatever host or port served it
        assert log_before["delta_link_out"].startswith("/v1.0/users/delta?")
        again = _sync(server, day_b)  # starts from day_a's link again: the same question, the same answer
        assert again.mode == "delta"
        after = {name: tables.read_table(name).sort_by("id").to_pylist() for name in before}
    assert after == before
    assert {k: v for k, v in _sync_log(day_b).items() if k != "_run_id"} == {
        k: v for k, v in log_before.items() if k != "_run_id"}


def test_an_expired_link_or_a_request_falls_back_to_a_full_sync(demo, lake):
    with FakeApiServer(demo.company, demo.usage) as server:
        _sync(server, START)
        late = START + timedelta(days=20)  # the fake expires delta tokens after 7 days, as Graph does
        sync = _sync(server, late)
        assert (sync.mode, sync.reason) == ("full", "the deltaLink expired (410)")
        assert _roster(late) == _truth(demo, late)
        forced = _sync(server, late + timedelta(days=1), full=True)
        assert (forced.mode, forced.reason) == ("full", "asked for a full sync")


def test_shards_that_miss_people_trigger_one_whole_pass(demo):
    with FakeApiServer(demo.company, demo.usage) as server:
        client = _client(server)
        everyone = {r["id"] for b in client.directory() for r in b.records}
        assert len(everyone) == client.user_count() == len(demo.company.directory_on(demo.company.end)[0])
        assert all("manager" in r or r["id"] == demo.company.org.root
                   for b in client.directory() for r in b.records)
        partial = {r["id"] for b in client.directory(prefixes=("a", "b")) for r in b.records}
        assert partial == everyone
        sharded = [p for p in server.stats.requests if "users" in p]
        assert sharded
