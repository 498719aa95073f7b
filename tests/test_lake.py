from datetime import date

import pyarrow as pa
import pytest

from python_assets.lake import tables

SCHEMA = pa.schema([("v", pa.string()), ("k", pa.string()), ("_partition_date", pa.date32())])
D1, D2, D3 = date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)


def _rows(*rows):
    return pa.table({"v": [r[0] for r in rows], "k": [r[1] for r in rows], "_partition_date": [r[2] for r in rows]},
                    schema=SCHEMA)


def test_replace_where_replaces_exactly_the_slice(lake):
    first = _rows(("a", "x", D1), ("b", "x", D2), ("c", "y", D2))
    tables.replace_where("raw/t", first, {}, ("_partition_date", D1, D2), partition_by=["_partition_date"])
    tables.replace_where("raw/t", _rows(("B", "x", D2)), {"k": "x"}, ("_partition_date", D2, D2))
    got = sorted(tables.read_table("raw/t").to_pylist(), key=lambda r: r["v"])
    assert [(r["v"], r["k"]) for r in got] == [("B", "x"), ("a", "x"), ("c", "y")]


def test_empty_write_clears_the_slice_and_rerun_is_idempotent(lake):
    data = _rows(("a", "x", D1), ("b", "x", D3))
    for _ in range(3):
        tables.replace_where("raw/t", data, {}, ("_partition_date", D1, D3), partition_by=["_partition_date"])
    assert tables.read_table("raw/t").num_rows == 2
    tables.replace_where("raw/t", SCHEMA.empty_table(), {}, ("_partition_date", D3, D3))
    assert tables.read_table("raw/t")["v"].to_pylist() == ["a"]


def test_rows_outside_the_slice_are_refused(lake):
    with pytest.raises(ValueError, match="outside the replaced slice"):
        tables.replace_where("raw/t", _rows(("a", "x", D3)), {}, ("_partition_date", D1, D2))
    assert tables.read_table("raw/t") is None


def test_filters_push_down(lake):
    data = _rows(("a", "x", D1), ("b", "x", D2), ("c", "y", D3))
    tables.replace_where("raw/t", data, {}, ("_partition_date", D1, D3), partition_by=["_partition_date"])
    got = tables.read_table("raw/t", filters=[("_partition_date", ">=", D2), ("k", "=", "x")])
    assert got["v"].to_pylist() == ["b"]


def test_storage_root_comes_from_one_setting(lake):
    assert tables.table_uri("raw/windsurf/chat") == f"{lake}/raw/windsurf/chat"
