from datetime import UTC, date, datetime

import pyarrow.compute as pc

from python_assets.ingest import bronze_tables as bt
from python_assets.ingest.pulls import ERRORS_SCHEMA, PullWindow, Received, load_pull
from python_assets.ingest.records import check, snake
from python_assets.lake import tables

PULLED = datetime(2026, 1, 10, 6, tzinfo=UTC)


def _item(record, rid="r1"):
    return Received(record, rid, "Analytics:QUERY_DATA_SOURCE_USER_DATA", PULLED)


def _ac(day, hour="9", **over):
    rec = {"api_key": "k1", "date": day, "hour": hour, "language": "python", "ide": "vscode", "version": "1",
           "num_acceptances": "3", "num_lines_accepted": "5", "num_bytes_accepted": "120"}
    rec.update(over)
    return rec


def test_snake_case_of_api_fields():
    assert snake("apiKey") == "api_key"
    assert snake("userPrincipalName") == "user_principal_name"
    assert snake("@odata.type") == "odata_type"
    assert snake("linesSuggested") == "lines_suggested"


def test_check_quarantines_each_kind_of_bad_record():
    assert check(bt.AUTOCOMPLETE, "garbage")[1] == "record is not an object (str)"
    assert "missing required field api_key" == check(bt.AUTOCOMPLETE, _ac("2026-01-01", api_key=None))[1]
    assert "not a number" in check(bt.AUTOCOMPLETE, _ac("2026-01-01", num_acceptances="n/a"))[1]
    assert "not a date" in check(bt.AUTOCOMPLETE, _ac("2026-13-45"))[1]
    assert "not an hour" in check(bt.AUTOCOMPLETE, _ac("2026-01-01", hour="25"))[1]
    row, reason = check(bt.AUTOCOMPLETE, _ac("2026-01-01"))
    assert reason is None and row["num_acceptances"] == "3"


def test_nested_values_become_json_text():
    row, _ = check(bt.GRAPH_USERS, {"id": "u1", "otherMails": ["a@x"], "accountEnabled": False})
    assert row["other_mails"] == '["a@x"]' and row["account_enabled"] == "false"


def test_window_files_each_record_under_the_newest_pull_that_covers_it():
    w = PullWindow(date(2026, 1, 10), date(2026, 1, 20), 3)
    assert w.fetch_start == date(2026, 1, 7)
    assert w.file_under(date(2026, 1, 7)) == date(2026, 1, 10)
    assert w.file_under(date(2026, 1, 12)) == date(2026, 1, 15)
    assert w.file_under(date(2026, 1, 19)) == date(2026, 1, 20)
    assert w.file_under(date(2026, 1, 6)) is None
    one_day = PullWindow(date(2026, 1, 10), date(2026, 1, 10), 3)
    assert {one_day.file_under(date(2026, 1, d)) for d in range(7, 11)} == {date(2026, 1, 10)}


def test_load_pull_reconciles_and_rerun_changes_nothing(lake):
    w = PullWindow(date(2026, 1, 9), date(2026, 1, 10), 3)
    items = [_item(_ac("2026-01-08")), _item(_ac("2026-01-10", hour="10")), _item("bad"),
             _item(_ac("2026-01-09", num_acceptances="n/a")), _item(_ac("2025-12-01"))]
    first = load_pull(bt.AUTOCOMPLETE, items, w, "run-1")
    assert (first.received, first.loaded, first.quarantined) == (5, 2, 3)
    bronze1 = tables.read_table(bt.AUTOCOMPLETE.lake_name).sort_by("hour")
    errors = tables.read_table("raw/ingest/ingest_errors")
    assert errors.schema == ERRORS_SCHEMA
    assert sorted(errors["reason"].to_pylist())[0].startswith("date 2025-12-01 outside the pulled window")
    assert all(len(h) == 64 for h in errors["payload_hash"].to_pylist())
    load_pull(bt.AUTOCOMPLETE, items, w, "run-2")
    assert tables.read_table(bt.AUTOCOMPLETE.lake_name).sort_by("hour").equals(bronze1)
    assert tables.read_table("raw/ingest/ingest_errors").num_rows == 3
    batches = tables.read_table("raw/ingest/ingest_batches")
    assert batches.num_rows == 1 and batches["_run_id"].to_pylist() == ["run-2"]
    assert pc.sum(batches["received"]).as_py() == 5


def test_a_one_day_rerun_inside_an_old_range_replaces_only_that_day(lake):
    wide = PullWindow(date(2026, 1, 9), date(2026, 1, 12), 3)
    load_pull(bt.AUTOCOMPLETE, [_item(_ac(f"2026-01-{d:02d}")) for d in range(6, 13)], wide, "r")
    before = tables.read_table(bt.AUTOCOMPLETE.lake_name)
    one = PullWindow(date(2026, 1, 10), date(2026, 1, 10), 3)
    load_pull(bt.AUTOCOMPLETE, [_item(_ac(f"2026-01-{d:02d}")) for d in range(7, 11)], one, "r")
    after = tables.read_table(bt.AUTOCOMPLETE.lake_name)
    by_part = lambda t: sorted(zip(t["_partition_date"].to_pylist(), t["date"].to_pylist(), strict=True))  # noqa: E731
    untouched = [r for r in by_part(before) if r[0] != date(2026, 1, 10)]
    assert [r for r in by_part(after) if r[0] != date(2026, 1, 10)] == untouched
    assert [r[1] for r in by_part(after) if r[0] == date(2026, 1, 10)] == [f"2026-01-{d:02d}" for d in range(7, 11)]
