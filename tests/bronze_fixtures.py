"""Small hand-made bronze Delta tables for the dbt model tests: a dozen people, a week of overlapping daily pulls.

Each dated record is re-sent by every daily pull whose window [P - 3, P] covers it, as the real pulls do, so the
dbt models see the same natural key up to four times; some records change between pulls (latest pull wins) and
one arrives late. What each person is there to exercise is said next to them; tests import the constants.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pyarrow as pa

from python_assets.ingest import bronze_tables as bt
from python_assets.lake import tables

OVERLAP_DAYS = 3
FIRST_PULL = date(2026, 10, 20)
LAST_PULL = date(2026, 10, 27)
DAILY_PULLS = [FIRST_PULL + timedelta(days=i) for i in range((LAST_PULL - FIRST_PULL).days + 1)]
OLD_PULL = date(2026, 10, 1)  # a lone early pull: Ken's only use, so he is inactive by the end
PULLS = [OLD_PULL, *DAILY_PULLS]
GRAPH_PULLS = [FIRST_PULL, LAST_PULL]  # directory snapshots; the latest one must win

AI_SKU = "6f1e3c2a-9d4b-4c1e-8a7f-2b5d9e0c4a11"
AI_GROUP = "0b7c8d9e-1f2a-4b3c-9d8e-7f6a5b4c3d2e"
OTHER_SKU = "11111111-2222-3333-4444-555555555555"

# The address the test puts on the deny list: one of Judy's proxy addresses, not her mail or Windsurf email,
# so the deny must travel through the person's full address set.
DENIED_ADDRESS = "j.jones@corp.example"
DENIED_PERSON = "p10"
DENIED_API_KEY = "k-judy"


def _person(pid, name, mail, dept, office, *, licensed=True, enabled="true", other=(), proxies=(), upn=None,
            manager=None):
    skus = [{"skuId": AI_SKU, "disabledPlans": []}] if licensed else []
    skus.append({"skuId": OTHER_SKU, "disabledPlans": []})
    return {
        "id": pid, "display_name": name, "mail": mail, "user_principal_name": upn or mail,
        "other_mails": _json(list(other)), "proxy_addresses": _json(list(proxies)), "job_title": "Engineer",
        "department": dept, "office_location": office, "employee_id": pid.upper(), "account_enabled": enabled,
        "assigned_licenses": _json(skus), "manager_id": manager,
    }


def _json(value) -> str:
    return json.dumps(value)


# Directory (latest snapshot). Population of the adoption mart = licensed people + Windsurf users:
# Data 6, Engineering 5 (Judy denied), Legal 1, Unknown 3 -> small groups (4) < k=5, so the smallest remaining
# department (Engineering) is merged into 'Other (small groups)' too.
# The org: p01 at the top; p12 reports to the deny-listed p10 (withheld in chains); p08 <-> p11 is a manager
# cycle with p14 below it; p13 manages themselves (a cycle of one); p09's manager left the directory (orphan).
PEOPLE = [
    _person("p01", "Alice Anders", "alice@corp.example", "Engineering", "San Francisco",
            proxies=["SMTP:alice@corp.example", "smtp:a.anders@corp.example", "X500:/o=corp/cn=alice"]),
    # p02: licensed via the AI group
    _person("p02", "Bob Berger", "bob@corp.example", "Engineering", "Berlin", licensed=False, manager="p03"),
    _person("p03", "Chen Wei", "chen@corp.example", "Engineering", "Shanghai", manager="p01"),
    _person("p04", "Divya Rao", "divya@corp.example", "Engineering", "Bangalore", manager="p01"),
    _person("p05", "Eve Evans", "eve@corp.example", "Data", "London", other=["Shared@corp.example"],
            manager="p06"),
    # p06: licensed, never uses
    _person("p06", "Frank Fox", "frank@corp.example", "Data", "New York", manager="p01"),
    _person("p07", "Grace Goto", "grace@corp.example", "Data", "Tokyo", other=["shared@corp.example"],
            manager="p05"),
    # p08: Windsurf disableCodeium
    _person("p08", "Heidi Hall", "heidi@corp.example", "Data", "Sydney", manager="p11"),
    # p09: a department of one
    _person("p09", "Ivan Ivanov", "ivan@corp.example", "Legal", "Sao Paulo", manager="p99-left"),
    # p10: deny-listed by the test
    _person("p10", "Judy Jones", "judy@corp.example", "Engineering", "Berlin",
            proxies=["SMTP:judy@corp.example", "smtp:J.Jones@corp.example"], manager="p01"),
    # p11: unknown office -> Etc/UTC
    _person("p11", "Ken Kato", "ken@corp.example", "Data", "Moon Base", manager="p08"),
    # p12: unlicensed user
    _person("p12", "Liam Lee", "liam@corp.example", "Engineering", None, licensed=False, manager="p10"),
    # p13: not in any mart
    _person("p13", "Mallory Moss", "mallory@corp.example", "HR", "London", licensed=False, manager="p13"),
    # p14: account disabled
    _person("p14", "Nina Novak", "nina@corp.example", "Data", "Tokyo", enabled="false", manager="p08"),
]
# The first snapshot differs: Liam sat in Sales and Frank did not exist yet.
PEOPLE_FIRST = [dict(p, department="Sales") if p["id"] == "p12" else p for p in PEOPLE if p["id"] != "p06"]

GROUP_MEMBERS = [
    {"group_id": AI_GROUP, "id": "p02", "odata_type": "#microsoft.graph.user", "display_name": "Bob Berger",
     "mail": "bob@corp.example", "user_principal_name": "bob@corp.example"},
    {"group_id": AI_GROUP, "id": "g-nested", "odata_type": "#microsoft.graph.group", "display_name": "Nested",
     "mail": None, "user_principal_name": None},
]


def _ws_user(key, name, email, disabled=None):
    return {"name": name, "email": email, "api_key": key, "last_update_time": "2026-10-27T06:00:00Z",
            "active_days": "3", "disable_codeium": disabled, "last_autocomplete_usage_time": None,
            "last_chat_usage_time": None, "last_command_usage_time": None, "team_status": "USER_TEAM_STATUS_APPROVED"}


WINDSURF_USERS = [
    _ws_user("k-alice", "Alice", "  Alice@Corp.Example "),  # normalized before matching
    _ws_user("k-alice2", "Alice (laptop)", "a.anders@corp.example"),  # a proxy address: same person, 2nd key
    _ws_user("k-bob", "Bob", "bob@corp.example"),
    _ws_user("k-chen", "Chen", "chen@corp.example"),
    _ws_user("k-divya", "Divya", "divya@corp.example"),
    _ws_user("k-eve", "Eve", "eve@corp.example"),
    _ws_user("k-grace", "Grace", "grace@corp.example"),
    _ws_user("k-heidi", "Heidi", "heidi@corp.example", disabled="true"),
    _ws_user("k-ivan", "Ivan", "ivan@corp.example"),
    _ws_user("k-judy", "Judy", "judy@corp.example"),
    _ws_user("k-ken", "Ken", "ken@corp.example"),
    _ws_user("k-liam", "Liam", "liam@corp.example"),
    _ws_user("k-ext", "Contractor", "contractor@vendor.example"),  # not in the directory
    _ws_user("k-shared", "Shared", "shared@corp.example"),  # claimed by two people -> no match
]


def _ac(key, day, hour, acc, *, language="python", first_pull=None, versions=None):
    rec = {"api_key": key, "date": day, "hour": str(hour), "language": language, "ide": "vscode",
           "version": "1.2.0", "num_acceptances": str(acc), "num_lines_accepted": str(acc * 2),
           "num_bytes_accepted": str(acc * 40)}
    return _dated(rec, day, first_pull, versions)


def _dated(rec, day, first_pull=None, versions=None):
    return {"record": rec, "day": date.fromisoformat(day), "first_pull": first_pull, "versions": versions or {}}


AUTOCOMPLETE = [
    _ac("k-alice", "2026-10-21", 15, 5),
    _ac("k-alice", "2026-10-22", 16, 7, first_pull=date(2026, 10, 24)),  # late: first seen two pulls later
    _ac("k-alice", "2026-10-24", 17, 3),
    _ac("k-alice", "2026-10-27", 18, 2),
    _ac("k-alice2", "2026-10-23", 10, 1),
    _ac("k-bob", "2026-10-24", 22, 4),  # Berlin, CEST: local 2026-10-25 00:00
    _ac("k-bob", "2026-10-25", 22, 6),  # DST ended 01:00Z: CET, local 2026-10-25 23:00
    _ac("k-bob", "2026-10-25", 23, 1),  # local 2026-10-26 00:00
    _ac("k-chen", "2026-10-23", 15, 2),  # Shanghai local 2026-10-23 23:00
    _ac("k-chen", "2026-10-23", 20, 8),  # Shanghai local 2026-10-24 04:00
    _ac("k-divya", "2026-10-23", 18, 3),  # Kolkata local 2026-10-23 23:30
    _ac("k-divya", "2026-10-23", 19, 9),  # Kolkata local 2026-10-24 00:30
    _ac("k-grace", "2026-10-26", 2, 1, language=None),
    _ac("k-heidi", "2026-10-22", 1, 1),
    _ac("k-ivan", "2026-10-26", 12, 2),
    _ac("k-judy", "2026-10-24", 10, 5),
    _ac("k-ken", "2026-10-01", 9, 1),
    _ac("k-liam", "2026-10-27", 23, 1),
    _ac("k-ext", "2026-10-25", 8, 2),
]
CHAT = [
    # Re-sent by four pulls with a growing count: the latest pull (10-26) must win.
    _dated({"api_key": "k-eve", "date": "2026-10-23", "hour": "9", "model_id": "MODEL_A",
            "latest_intent_type": "CHAT_INTENT_GENERIC", "num_chats_received": "2", "chat_loc_used": "10"},
           "2026-10-23", versions={date(2026, 10, 24): {"num_chats_received": "3"},
                                   date(2026, 10, 25): {"num_chats_received": "4"},
                                   date(2026, 10, 26): {"num_chats_received": "5", "chat_loc_used": "12"}}),
    _dated({"api_key": "k-alice", "date": "2026-10-24", "hour": "17", "model_id": "MODEL_A",
            "latest_intent_type": None, "num_chats_received": "1", "chat_loc_used": "7"}, "2026-10-24"),
    _dated({"api_key": "k-judy", "date": "2026-10-24", "hour": "11", "model_id": "MODEL_B",
            "latest_intent_type": "CHAT_INTENT_GENERIC", "num_chats_received": "2", "chat_loc_used": "3"},
           "2026-10-24"),
]
PCW = [
    _dated({"api_key": "k-alice", "date": "2026-10-24", "percent_code_written": "25.0", "codeium_bytes": "100",
            "user_bytes": "300", "total_bytes": "400", "codeium_bytes_by_autocomplete": "80",
            "codeium_bytes_by_command": "20"}, "2026-10-24"),
    _dated({"api_key": "k-bob", "date": "2026-10-25", "percent_code_written": "25.0", "codeium_bytes": "50",
            "user_bytes": "150", "total_bytes": "200", "codeium_bytes_by_autocomplete": "50",
            "codeium_bytes_by_command": "0"}, "2026-10-25"),
]
CASCADE_LINES = [
    _dated({"email": "alice@corp.example", "day": "2026-10-24", "lines_suggested": "10", "lines_accepted": "4"},
           "2026-10-24"),
    _dated({"email": "BOB@corp.example", "day": "2026-10-25", "lines_suggested": "5", "lines_accepted": "0"},
           "2026-10-25"),
    _dated({"email": "judy@corp.example", "day": "2026-10-24", "lines_suggested": "3", "lines_accepted": "3"},
           "2026-10-24"),
    _dated({"email": "contractor@vendor.example", "day": "2026-10-25", "lines_suggested": "2",
            "lines_accepted": "1"}, "2026-10-25"),
]
CASCADE_RUNS = [
    _dated({"email": "alice@corp.example", "day": "2026-10-24", "cascade_id": "c-1", "model": "MODEL_A",
            "mode": "CODE", "messages_sent": "3", "prompts_used": "3"}, "2026-10-24"),
    _dated({"email": "ivan@corp.example", "day": "2026-10-26", "cascade_id": "c-2", "model": "MODEL_A",
            "mode": "CHAT", "messages_sent": "2", "prompts_used": "2"}, "2026-10-26"),
    _dated({"email": "judy@corp.example", "day": "2026-10-24", "cascade_id": "c-3", "model": "MODEL_B",
            "mode": "CODE", "messages_sent": "1", "prompts_used": "1"}, "2026-10-24"),
    # An email known to neither the directory nor Windsurf's user list: its own identity.
    _dated({"email": "visitor@elsewhere.example", "day": "2026-10-26", "cascade_id": "c-4", "model": "MODEL_A",
            "mode": "CODE", "messages_sent": "1", "prompts_used": "1"}, "2026-10-26"),
]


# Git: one repository, synced on 10-25 (initial) and 10-27 (a force-push rewrote g5 as g6). What each commit is
# there to exercise is said next to it.
GIT_SYNCS = [date(2026, 10, 25), date(2026, 10, 27)]


def _commit(sha, author, email, when, message, parents=("g0",), files=(), *, sync=0, change="added"):
    return {"commit": {"repo": "app", "branch": "main", "sha": sha, "change": change,
                       "parents": _json(list(parents)), "author_name": author, "author_email": email,
                       "authored_at": when, "committer_name": author, "committer_email": email,
                       "committed_at": when, "message": message},
            "files": [{"repo": "app", "sha": sha, "path": path, "old_path": old, "additions": add,
                       "deletions": dele, "is_binary": "true" if add is None else "false"}
                      for path, old, add, dele in files],
            "sync": sync}


GIT_COMMITS = [
    _commit("g0", "Alice Anders", "alice@corp.example", "2026-10-20T09:00:00+02:00", "Initial commit", (),
            [("src/app.py", None, "40", "0"), ("poetry.lock", None, "300", "0")]),
    # an alias, upper case; lines in a vendored file and a binary do not count
    _commit("g1", "Alice", "A.ANDERS@corp.example", "2026-10-21T23:30:00+02:00", "Add login\n\nMade-with: Cursor",
            files=[("src/login.py", None, "30", "5"), ("vendor/lib.js", None, "500", "0"),
                   ("assets/logo.png", None, None, None)]),
    # Kolkata (+05:30): 19:00Z is 00:30 local the next day; a rename keeps both paths
    _commit("g2", "Divya Rao", "divya@corp.example", "2026-10-23T19:00:00+00:00",
            "Move parser\n\nCo-authored-by: Claude <noreply@anthropic.com>",
            files=[("src/core/parser.py", "src/parser.py", "2", "1")]),
    _commit("g3", "dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com",
            "2026-10-22T06:00:00+00:00", "Bump requests", files=[("poetry.lock", None, "4", "4")]),
    _commit("g4", "Copilot", "198982749+Copilot@users.noreply.github.com", "2026-10-22T07:00:00+00:00",
            "Fix flaky test", files=[("tests/test_app.py", None, "6", "2")]),
    # an address nobody in the directory has, and the shared address two people hold
    _commit("g7", "Sam Contractor", "sam@vendor.example", "2026-10-24T10:00:00+00:00", "Tweak CSS",
            files=[("web/site.css", None, "3", "3")]),
    _commit("g8", "Shared", "shared@corp.example", "2026-10-24T11:00:00+00:00", "Update docs",
            files=[("README.md", None, "1", "0")]),
    # a mass reformat: counted lines over var git_mass_change_lines (1000)
    _commit("g9", "Bob Berger", "bob@corp.example", "2026-10-24T12:00:00+02:00", "Reformat",
            files=[("src/app.py", None, "700", "700")]),
    # a merge: no files of its own
    _commit("gm", "Alice Anders", "alice@corp.example", "2026-10-24T13:00:00+02:00", "Merge branch 'login'",
            ("g9", "g1")),
    # synced on 10-25, then rewritten by a force-push: removed on 10-27, g6 in its place
    _commit("g5", "Chen Wei", "chen@corp.example", "2026-10-24T20:00:00+08:00", "WIP",
            files=[("src/app.py", None, "10", "0")]),
    _commit("g5", "Chen Wei", "chen@corp.example", "2026-10-24T20:00:00+08:00", "WIP", sync=1, change="removed"),
    _commit("g6", "Chen Wei", "chen@corp.example", "2026-10-24T20:00:00+08:00", "Add caching", sync=1,
            files=[("src/app.py", None, "10", "0")]),
    # Judy is deny-listed by the test: her commit must not reach a mart
    _commit("gj", "Judy Jones", "judy@corp.example", "2026-10-24T09:00:00+02:00", "Secret work",
            files=[("src/secret.py", None, "5", "0")]),
]


def git_rows() -> dict[bt.BronzeTable, list[dict]]:
    commits, files = [], []
    for item in GIT_COMMITS:
        lineage = _lineage(bt.GIT_COMMITS, GIT_SYNCS[item["sync"]])
        commits.append({**item["commit"], **lineage})
        files += [{**f, **lineage} for f in item["files"]]
    return {bt.GIT_COMMITS: commits, bt.GIT_COMMIT_FILES: files}


def _pulled_at(partition: date) -> datetime:
    return datetime.combine(partition + timedelta(days=1), time(2, 0), tzinfo=UTC)


def _lineage(spec: bt.BronzeTable, partition: date) -> dict:
    return {"_partition_date": partition, "_pulled_at": _pulled_at(partition),
            "_source": f"{spec.source}:fixture", "_request_id": f"req-{spec.name}-{partition.isoformat()}"}


def dated_rows(spec: bt.BronzeTable, records: list[dict]) -> list[dict]:
    """Every (pull, record) pair the daily pulls would have landed, with the record as that pull saw it."""
    rows = []
    for pull in PULLS:
        for item in records:
            day = item["day"]
            if not (day <= pull <= day + timedelta(days=OVERLAP_DAYS)):
                continue
            if item["first_pull"] and pull < item["first_pull"]:
                continue
            rec = dict(item["record"])
            for since in sorted(item["versions"]):
                if since <= pull:
                    rec.update(item["versions"][since])
            rows.append({**{c: rec.get(c) for c in spec.columns}, **_lineage(spec, pull)})
    return rows


def snapshot_rows(spec: bt.BronzeTable, records: list[dict], pulls: list[date], first=None) -> list[dict]:
    rows = []
    for i, pull in enumerate(pulls):
        recs = first if (first is not None and i == 0) else records
        rows += [{**{c: r.get(c) for c in spec.columns}, **_lineage(spec, pull)} for r in recs]
    return rows


def all_rows() -> dict[bt.BronzeTable, list[dict]]:
    return {
        bt.AUTOCOMPLETE: dated_rows(bt.AUTOCOMPLETE, AUTOCOMPLETE),
        bt.CHAT: dated_rows(bt.CHAT, CHAT),
        bt.PCW: dated_rows(bt.PCW, PCW),
        bt.CASCADE_LINES: dated_rows(bt.CASCADE_LINES, CASCADE_LINES),
        bt.CASCADE_RUNS: dated_rows(bt.CASCADE_RUNS, CASCADE_RUNS),
        bt.USER_PAGE_ANALYTICS: snapshot_rows(bt.USER_PAGE_ANALYTICS, WINDSURF_USERS, DAILY_PULLS),
        bt.GRAPH_USERS: snapshot_rows(bt.GRAPH_USERS, PEOPLE, GRAPH_PULLS, first=PEOPLE_FIRST),
        bt.GRAPH_AI_GROUP_MEMBERS: snapshot_rows(bt.GRAPH_AI_GROUP_MEMBERS, GROUP_MEMBERS, GRAPH_PULLS),
        **git_rows(),
    }


def write_bronze_fixtures() -> dict[str, int]:
    """Write every bronze table under the current storage root (FLYWHEEL_LAKE_ROOT); returns rows per table."""
    counts = {}
    for spec, rows in all_rows().items():
        data = pa.Table.from_pylist(rows, schema=spec.schema)
        parts = sorted({r["_partition_date"] for r in rows})
        tables.replace_where(spec.lake_name, data, {}, ("_partition_date", parts[0], parts[-1]),
                             partition_by=["_partition_date"])
        counts[spec.lake_name] = data.num_rows
    return counts
