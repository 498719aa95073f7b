"""The demo company and its usage history: deterministic, and shaped like the real data's awkward parts."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, timedelta

import pytest

from python_assets.demo import (
    AI_GROUP_ID,
    AI_PILOT_GROUP_ID,
    AI_SKU_ID,
    DEMO_DAYS,
    DEMO_START,
    OFFICE_TIMEZONES,
    USAGE_LISTS,
    generate_company,
    generate_demo,
    generate_usage,
    normalize_email,
    timezone_of,
)
from python_assets.demo.usage import BAD_COUNT, BAD_DATE, BAD_HOUR, NOT_AN_OBJECT


@pytest.fixture(scope="module")
def demo():
    return generate_demo()


def _dump(obj) -> str:
    return json.dumps(obj, default=str, sort_keys=False)


def test_same_seed_gives_identical_output():
    a, b = generate_demo(seed=3, people=300, days=21), generate_demo(seed=3, people=300, days=21)
    assert _dump(a.company.graph_users) == _dump(b.company.graph_users)
    assert _dump(a.company.windsurf_users) == _dump(b.company.windsurf_users)
    assert a.company.managers == b.company.managers and a.company.groups == b.company.groups
    for name in USAGE_LISTS:
        assert _dump(a.usage.records(name)) == _dump(b.usage.records(name)), name
    c = generate_demo(seed=4, people=300, days=21)
    assert _dump(a.usage.autocomplete) != _dump(c.usage.autocomplete)


def test_full_size_company_is_deterministic(demo):
    again = generate_company()
    assert _dump(again.graph_users) == _dump(demo.company.graph_users)


def test_directory_shape(demo):
    users = demo.company.graph_users
    assert len(users) == 2000 and len({u["id"] for u in users}) == 2000
    required = {"id", "displayName", "mail", "userPrincipalName", "otherMails", "proxyAddresses", "jobTitle",
                "department", "officeLocation", "employeeId", "accountEnabled", "assignedLicenses"}
    assert all(required <= set(u) for u in users)
    guid = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
    assert all(guid.match(u["id"]) for u in users)
    for u in users:
        primaries = [p for p in u["proxyAddresses"] if p.startswith("SMTP:")]
        assert primaries == [f"SMTP:{u['mail']}"]
        assert all(p.startswith(("SMTP:", "smtp:")) for p in u["proxyAddresses"])


def test_departments_offices_and_timezones(demo):
    people = demo.company.people
    sizes = Counter(p.department for p in people)
    assert len(sizes) >= 8
    assert sum(1 for n in sizes.values() if n < 5) == 2
    assert max(sizes.values()) > 5 * min(n for n in sizes.values() if n >= 5)
    zones = {timezone_of(u) for u in demo.company.graph_users} - {None}
    assert len(zones) >= 8 and "Asia/Kolkata" in zones
    assert set(zones) <= set(OFFICE_TIMEZONES.values())
    unplaced = [p for p in people if p.office not in OFFICE_TIMEZONES]
    assert 1 <= len(unplaced) <= 25
    assert {p.office for p in unplaced} <= {None, "Remote"}
    assert all(timezone_of(p) is None and p.timezone is None for p in unplaced)


def test_licences_match_transitive_group_membership(demo):
    company = demo.company
    sku = {u["id"] for u in company.graph_users if any(lic["skuId"] == AI_SKU_ID for lic in u["assignedLicenses"])}
    assert all(len(u["assignedLicenses"]) >= 1 for u in company.graph_users)
    assert 0.65 <= len(sku) / len(company.graph_users) <= 0.76
    members = company.transitive_member_ids(AI_GROUP_ID)
    assert AI_PILOT_GROUP_ID in members
    assert set(members) - {AI_PILOT_GROUP_ID} == sku == {p.id for p in company.people if p.licensed}
    assert company.groups[AI_PILOT_GROUP_ID]["members"]  # someone is licensed only through the nested group
    assert AI_PILOT_GROUP_ID in company.groups[AI_GROUP_ID]["members"]


def test_disabled_accounts(demo):
    disabled = [p for p in demo.company.people if not p.enabled]
    assert 0.015 <= len(disabled) / len(demo.company.people) <= 0.05
    assert any(p.licensed for p in disabled)
    flagged = [r for r in demo.company.windsurf_users if "disableCodeium" in r]
    assert flagged and all(r["disableCodeium"] is True for r in flagged)
    disabled_keys = {p.api_key for p in disabled if p.api_key}
    assert {r["apiKey"] for r in flagged} == disabled_keys


def test_email_variety(demo):
    people = demo.company.people
    multi = [p for p in people if len(p.addresses) >= 2]
    assert 0.15 <= len(multi) / len(people) <= 0.25
    assert all(2 <= len(p.addresses) <= 3 for p in multi)
    assert any(p.other_mails for p in people) and any(p.aliases for p in people)
    assert any(p.user_principal_name != p.mail for p in people)
    alias_users = [u for u in demo.company.graph_users if any(a.startswith("smtp:") for a in u["proxyAddresses"])]
    assert alias_users
    # every address belongs to one person, but for the two planted conflicts (a shared alias, a recycled
    # otherMail) that joins must leave out
    claims = Counter(normalize_email(a) for p in people for a in {normalize_email(x) for x in p.addresses})
    assert sorted(claims[a] for a in claims if claims[a] > 1) == [2, 2]


def test_windsurf_users(demo):
    company = demo.company
    rows = company.windsurf_users
    keys = [r["apiKey"] for r in rows]
    assert len(set(keys)) == len(keys) and all(re.fullmatch(r"[0-9a-f]{64}", k) for k in keys)
    required = {"name", "email", "apiKey", "lastUpdateTime", "activeDays", "teamStatus"}
    assert all(required <= set(r) for r in rows)
    directory = {normalize_email(a): p for p in company.people for a in p.addresses}
    mismatched = [r for r in rows if r["email"] not in {p.mail for p in company.people}]
    outside = [r for r in rows if normalize_email(r["email"]) not in directory]
    assert 0.10 <= (len(mismatched) - len(outside)) / len(rows) <= 0.22
    assert 0.005 <= len(outside) / len(rows) <= 0.02
    assert all(r["email"].strip().lower().endswith("partner-dev.example") for r in outside)
    assert any(r["email"] != r["email"].strip() for r in rows)
    licensed = [p for p in company.people if p.licensed]
    never = [p for p in licensed if not p.uses_tool]
    assert 0.05 <= len(never) / len(licensed) <= 0.11
    assert any(p.api_key is None for p in never) and any(p.api_key for p in never)
    no_use = [r for r in rows if r["activeDays"] == 0]
    assert no_use and all("lastAutocompleteUsageTime" not in r for r in no_use)
    stamp = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
    assert all(stamp.match(r["lastUpdateTime"]) for r in rows)


def test_deny_list(demo):
    company = demo.company
    assert len(company.deny_list_emails) == 2
    by_mail = {p.mail: p for p in company.people}
    for email in company.deny_list_emails:
        person = by_mail[email]
        assert person.enabled and person.uses_tool
        assert demo.usage.active_dates[person.api_key]


def test_usage_volume_and_record_shape(demo):
    usage = demo.usage
    assert 150_000 <= len(usage.autocomplete) <= 300_000
    ac = usage.well_formed("autocomplete")[0]
    assert set(ac) == {"api_key", "date", "hour", "language", "ide", "version", "num_acceptances",
                       "num_lines_accepted", "num_bytes_accepted", "arrival_date"}
    chat = usage.well_formed("chat")[0]
    assert {"api_key", "date", "hour", "model_id", "latest_intent_type", "num_chats_received",
            "chat_loc_used"} <= set(chat)
    for rec in usage.well_formed("pcw"):
        assert rec["codeium_bytes"] == rec["codeium_bytes_by_autocomplete"] + rec["codeium_bytes_by_command"]
        assert rec["total_bytes"] == rec["codeium_bytes"] + rec["user_bytes"]
        assert abs(rec["percent_code_written"] - rec["codeium_bytes"] / rec["total_bytes"]) < 1e-3
    for rec in usage.well_formed("cascade_lines"):
        assert 0 <= rec["linesAccepted"] <= rec["linesSuggested"]
    runs = [r["cascadeId"] for r in usage.cascade_runs if isinstance(r, dict)]
    assert len(runs) == len(set(runs))
    days = {r["date"] for r in usage.well_formed("autocomplete")}
    assert min(days) == DEMO_START.isoformat()
    assert max(days) == (DEMO_START + timedelta(days=DEMO_DAYS - 1)).isoformat()


def test_pcw_autocomplete_bytes_match_the_hourly_rows(demo):
    usage = demo.usage
    rec = usage.well_formed("pcw")[100]
    hourly = [r["num_bytes_accepted"] for r in usage.autocomplete
              if isinstance(r, dict) and r.get("api_key") == rec["api_key"] and r.get("date") == rec["date"]]
    if all(isinstance(v, int) for v in hourly):
        assert sum(hourly) == rec["codeium_bytes_by_autocomplete"]


def _utc_hours(demo, office: str, lo: date, hi: date) -> set[int]:
    keys = {p.api_key for p in demo.company.tool_users() if p.office == office}
    return {r["hour"] for r in demo.usage.well_formed("autocomplete")
            if r["api_key"] in keys and lo.isoformat() <= r["date"] <= hi.isoformat()}


def test_local_working_hours_follow_dst(demo):
    # London works 08-18 local: 07-17 UTC in summer time, 08-18 UTC after 2026-10-25.
    assert _utc_hours(demo, "London", date(2026, 9, 1), date(2026, 10, 20)) == set(range(7, 18))
    assert _utc_hours(demo, "London", date(2026, 10, 27), date(2026, 11, 7)) == set(range(8, 19))
    # Sydney: 22-08 UTC (AEST) before 2026-10-04, 21-07 UTC (AEDT) after it.
    assert _utc_hours(demo, "Sydney", date(2026, 8, 12), date(2026, 10, 2)) == {22, 23, *range(0, 9)}
    assert _utc_hours(demo, "Sydney", date(2026, 10, 6), date(2026, 11, 7)) == {21, 22, 23, *range(0, 8)}
    # Bangalore is UTC+05:30 all year.
    assert _utc_hours(demo, "Bangalore", date(2026, 8, 12), date(2026, 11, 7)) == set(range(3, 14))


def test_weekly_rhythm_and_adoption_trend(demo):
    per_day = Counter(r["date"] for r in demo.usage.well_formed("pcw"))
    days = [DEMO_START + timedelta(days=i) for i in range(DEMO_DAYS)]
    weekday = [per_day[d.isoformat()] for d in days if d.weekday() in (1, 2, 3)]
    weekend = [per_day[d.isoformat()] for d in days if d.weekday() == 6]
    assert sum(weekend) / len(weekend) < 0.3 * sum(weekday) / len(weekday)
    first = [per_day[d.isoformat()] for d in days[:21] if d.weekday() in (1, 2, 3)]
    last = [per_day[d.isoformat()] for d in days[-21:] if d.weekday() in (1, 2, 3)]
    assert sum(last) / len(last) > 1.3 * sum(first) / len(first)
    per_user = Counter(r["api_key"] for r in demo.usage.well_formed("autocomplete"))
    counts = sorted(per_user.values())
    assert counts[-1] > 8 * counts[len(counts) // 2] / 2, "a few heavy users"


def test_late_arrivals(demo):
    for name in USAGE_LISTS:
        key = "day" if name.startswith("cascade") else "date"
        recs = demo.usage.well_formed(name)
        lags = Counter((r["arrival_date"] - date.fromisoformat(r[key])).days for r in recs)
        assert set(lags) == {0, 1, 2}, name
        assert 0.03 <= (lags[1] + lags[2]) / len(recs) <= 0.07, name


def test_malformed_records_are_present_and_counted(demo):
    usage = demo.usage
    for name in USAGE_LISTS:
        records = usage.records(name)
        bad = [records[i] for i in usage.malformed_index[name]]
        assert usage.malformed_count[name] == len(bad) >= 4
        assert 0.001 <= len(bad) / len(records) <= 0.004
        assert NOT_AN_OBJECT in bad
        assert sum(1 for r in records if not isinstance(r, dict)) == usage.malformed_kinds[name]["not_object"]
        key_field = "email" if name.startswith("cascade") else "api_key"
        assert any(isinstance(r, dict) and key_field not in r for r in bad)
        assert any(isinstance(r, dict) and BAD_COUNT in r.values() for r in bad)
        assert any(isinstance(r, dict) and BAD_DATE in r.values() for r in bad)
        assert len(usage.well_formed(name)) == len(records) - len(bad)
    assert any(isinstance(r, dict) and r.get("hour") == BAD_HOUR for r in usage.autocomplete)


def test_user_table_agrees_with_history(demo):
    usage = demo.usage
    for row in demo.company.windsurf_users[:200]:
        assert row["activeDays"] == len(usage.active_dates[row["apiKey"]])
    assert usage.user_table is demo.company.windsurf_users


def test_usage_can_be_regenerated_with_another_seed():
    company = generate_company(seed=11, people=200, days=14)
    a, b = generate_usage(company, seed=1), generate_usage(company, seed=2)
    assert _dump(a.autocomplete) != _dump(b.autocomplete)
    assert len(a.for_api_keys("autocomplete", [company.tool_users()[0].api_key])) >= 1
