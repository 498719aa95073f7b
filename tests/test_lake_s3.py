"""The lake on S3 (`FLYWHEEL_LAKE_ROOT=s3://bucket/prefix`), against a real S3 API: moto's server, started here on
127.0.0.1 with a free port and stopped after.

Covered: the asset graph run on S3 gives every Delta table, every mart and the exported files identical to the
same run on a folder; concurrent writers to one table lose no commit (S3 conditional writes); a missing bucket or
missing credentials fail with a clear LakeStorageError.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
import uuid
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pytest

pytest.importorskip("moto.server", reason="moto[server] is not installed (dev extra: pip install -e '.[dev]')")
boto3 = pytest.importorskip("boto3")

from deltalake import CommitProperties, DeltaTable, write_deltalake  # noqa: E402
from deltalake.exceptions import CommitFailedError  # noqa: E402
from pipeline_harness import failure_messages, mart_fingerprints, materialize, resources  # noqa: E402

from python_assets import settings  # noqa: E402
from python_assets.demo import generate_demo  # noqa: E402
from python_assets.demo.fake_api import FakeApiServer  # noqa: E402
from python_assets.lake import storage, tables  # noqa: E402
from python_assets.lake.storage import LakeStorageError  # noqa: E402

START = date(2026, 10, 1)
DAYS = 3
END = START + timedelta(days=DAYS - 1)
PREFIX = "flywheel/lake"
KEYS = {"AWS_ACCESS_KEY_ID": "testing-key", "AWS_SECRET_ACCESS_KEY": "testing-secret"}
# Columns that log the run rather than the data (ingest_batches: durations, request counts, the run id).
RUN_COLUMNS = {"_run_id", "seconds", "retries", "requests"}
SCHEMA = pa.schema([("table_name", pa.string()), ("v", pa.int64()), ("_partition_date", pa.date32())])


# moto's ThreadedMotoServer, in a child process: deltalake holds the GIL through some calls that wait on S3
# (DeltaTable.history), which would deadlock a server thread in this process. The child prints its port and
# stops when its stdin closes (so it also goes when pytest dies).
_SERVE = """
import logging, sys
from moto.server import ThreadedMotoServer
logging.getLogger("werkzeug").setLevel(logging.ERROR)
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
print(server.get_host_and_port()[1], flush=True)
sys.stdin.read()
server.stop()
"""


@pytest.fixture(scope="module")
def s3_server():
    """moto's S3 API on 127.0.0.1, on a port the OS picks; yields the endpoint URL."""
    proc = subprocess.Popen([sys.executable, "-c", _SERVE], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        port = int(proc.stdout.readline() or 0)
        assert port, "moto server did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _client(endpoint: str):
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **{
        "aws_access_key_id": KEYS["AWS_ACCESS_KEY_ID"], "aws_secret_access_key": KEYS["AWS_SECRET_ACCESS_KEY"]})


@pytest.fixture
def s3_lake(s3_server, tmp_path, monkeypatch):
    """A fresh bucket, and the env that points the lake at `s3://<bucket>/flywheel/lake` (DuckDB stays local).
    Yields the bucket name."""
    bucket = f"flywheel-{uuid.uuid4().hex[:12]}"
    _client(s3_server).create_bucket(Bucket=bucket)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL_S3",
                 "AWS_CONDITIONAL_PUT", "AWS_S3_ALLOW_UNSAFE_RENAME",
                 "AWS_SKIP_SIGNATURE", "AWS_EC2_METADATA_DISABLED", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
                 "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {**KEYS, "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": s3_server, "AWS_ALLOW_HTTP": "true",
                        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
                        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
                        "FLYWHEEL_LAKE_ROOT": f"s3://{bucket}/{PREFIX}",
                        "FLYWHEEL_DUCKDB_PATH": str(tmp_path / "warehouse.duckdb")}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("FLYWHEEL_BACKUP_DIR", raising=False)
    yield bucket


@contextlib.contextmanager
def local_lake(root: Path):
    """The lake in a folder instead; the DuckDB file stays where it was (one profile for both runs keeps dbt's
    partial parse valid, so the second build skips a full re-parse)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FLYWHEEL_LAKE_ROOT", str(root))
        yield


def _materialize(res: dict) -> dg.ExecuteInProcessResult:
    """Every Python asset (so every Delta table) and the dbt models under the harness's marts, without dbt's tests
    (test_pipeline's business): this file builds the warehouse twice, and that keeps each build to what the
    comparison reads."""
    return materialize(res, START, END, dbt_tests=False, marts_only=True)


def _s3_objects(endpoint: str, bucket: str) -> dict[str, bytes]:
    client = _client(endpoint)
    keys = [o["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=PREFIX)
            for o in page.get("Contents", [])]
    return {key[len(PREFIX) + 1:]: client.get_object(Bucket=bucket, Key=key)["Body"].read() for key in keys}


def _delta_tables(paths) -> set[str]:
    """Tables in a listing of relative paths: the folders that hold a `_delta_log`."""
    return {p.split("/_delta_log/")[0] for p in paths if "/_delta_log/" in p}


def _table_fingerprints(names: set[str]) -> dict[str, tuple]:
    """Rows and an order-independent checksum of each table (read through `tables`, so from the current root),
    run-logging columns left out."""
    import duckdb

    con = duckdb.connect()
    out = {}
    for name in sorted(names):
        data = tables.read_table(name)
        data = data.select([c for c in data.column_names if c not in RUN_COLUMNS])
        con.register("data", data)
        out[name] = con.sql("select count(*), md5(coalesce(string_agg(t::varchar, '|' order by t::varchar), '')) "
                            "from data t").fetchall()[0]
        con.unregister("data")
    return out


def test_the_asset_graph_on_s3_matches_the_same_run_on_a_folder(s3_lake, s3_server, tmp_path):
    demo = generate_demo(seed=11, people=60, start=START, days=DAYS)
    local = tmp_path / "local"
    with FakeApiServer(demo.company, demo.usage) as server:
        with local_lake(local):
            result = _materialize(resources(server))  # backups default to <root>/backups
            assert result.success, failure_messages(result)
            local_tables = _delta_tables(str(p.relative_to(local)) for p in local.rglob("*") if p.is_file())
            expected = _table_fingerprints(local_tables), mart_fingerprints()
        Path(settings.duckdb_path()).unlink()  # the S3 run builds its warehouse from scratch too
        result = _materialize(resources(server))  # the env of s3_lake: the bucket
        assert result.success, failure_messages(result)

    objects = _s3_objects(s3_server, s3_lake)
    assert _delta_tables(objects) == local_tables
    assert {"raw/windsurf/chat", "raw/graph/users", "raw/ingest/ingest_errors",
            "raw/ingest/ingest_batches", "raw/graph/directory_sync"} <= local_tables
    assert (_table_fingerprints(local_tables), mart_fingerprints()) == expected
    assert all(count > 0 for count, _ in expected[1].values()), expected[1]
    # the exports land in the bucket, byte for byte what the folder got; nothing under the root is left local
    exported = {rel for rel in objects if rel.startswith(("exports/", "backups/"))}
    assert f"exports/roster/{END.isoformat()}/roster.csv" in exported
    assert f"backups/{END.isoformat()}/dim_users.json" in exported
    for rel in exported:
        assert objects[rel] == (local / rel).read_bytes(), rel
    assert not Path(tables.table_uri("exports")).exists()  # no `s3:/bucket/...` folder made by a Path


def _write(value: int, day: date, name: str = "raw/ingest/concurrent") -> int:
    data = pa.table({"table_name": [f"writer-{value % 100}"], "v": [value], "_partition_date": [day]}, schema=SCHEMA)
    return tables.replace_where(name, data, {"table_name": f"writer-{value % 100}"}, ("_partition_date", day, day),
                                partition_by=["_partition_date"])


def test_concurrent_writers_on_s3_lose_no_commit(s3_lake):
    """Several threads replace their own slice of one table at once, as Dagster steps do with ingest_errors and
    ingest_batches, from the table's creation on (a first run): every commit lands, one version each, and every
    writer's last slice is there."""
    writers, rounds = 4, 3
    errors: list[BaseException] = []
    start = threading.Barrier(writers)

    def writer(w: int) -> None:
        try:
            start.wait()
            for r in range(rounds):
                _write(100 * r + w + 1, START + timedelta(days=r % 2))
        except BaseException as err:  # noqa: B036 - reported by the main thread
            errors.append(err)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    dt = tables.open_table("raw/ingest/concurrent")
    assert dt.version() == writers * rounds - 1  # one commit per replace_where, from version 0: none overwritten
    assert len(dt.history()) == writers * rounds
    rows = {(r["table_name"], r["_partition_date"], r["v"]) for r in tables.read_table("raw/ingest/concurrent")
            .to_pylist()}
    # each writer's last slice per day: round 2 replaced round 0's (same writer, same day)
    assert rows == {(f"writer-{w + 1}", START + timedelta(days=r % 2), 100 * r + w + 1)
                    for w in range(writers) for r in (1, 2)}


def test_a_commit_that_lost_the_race_is_refused_and_replace_where_retries_it(s3_lake, monkeypatch):
    """The S3 API itself refuses the second writer of a version (conditional put), and replace_where's retry loop
    turns that conflict into a commit on the next version."""
    name = "raw/ingest/raced"
    _write(1, START, name)
    uri = tables.table_uri(name)
    stale = DeltaTable(uri, storage_options=tables.storage_options())
    _write(2, START, name)  # another writer takes the next version
    with pytest.raises(CommitFailedError):
        write_deltalake(stale, pa.table({"table_name": ["x"], "v": [9], "_partition_date": [START]}, schema=SCHEMA),
                        mode="append", commit_properties=CommitProperties(max_commit_retries=0))
    assert tables.open_table(name).version() == 1

    real_write, calls = tables.write_deltalake, []

    def lose_the_first_race(target, data, **kwargs):
        calls.append(kwargs.get("mode"))
        if len(calls) == 1:  # a writer commits between our snapshot and our commit
            snapshot = DeltaTable(target, storage_options=kwargs["storage_options"])
            real_write(target, pa.table({"table_name": ["other"], "v": [7], "_partition_date": [START]},
                                        schema=SCHEMA), mode="append", storage_options=kwargs["storage_options"])
            return real_write(snapshot, data, mode=kwargs["mode"], predicate=kwargs.get("predicate"),
                              schema_mode=kwargs.get("schema_mode"),
                              commit_properties=CommitProperties(max_commit_retries=0))
        return real_write(target, data, **kwargs)

    monkeypatch.setattr(tables, "write_deltalake", lose_the_first_race)
    version = _write(3, START, name)
    assert len(calls) == 2 and version == 3
    rows = sorted((r["table_name"], r["v"]) for r in tables.read_table(name).to_pylist())
    assert rows == [("other", 7), ("writer-1", 1), ("writer-2", 2), ("writer-3", 3)]


def test_a_missing_bucket_fails_clearly(s3_lake, monkeypatch):
    monkeypatch.setenv("FLYWHEEL_LAKE_ROOT", "s3://no-such-flywheel-bucket/lake")
    with pytest.raises(LakeStorageError, match="bucket 'no-such-flywheel-bucket' does not exist"):
        tables.read_table("raw/windsurf/chat")
    with pytest.raises(LakeStorageError, match="does not exist"):
        _write(1, START)
    with pytest.raises(LakeStorageError, match="does not exist"):
        storage.write_file("exports/roster/x.csv", b"a,b\n")


def test_missing_credentials_fail_clearly(s3_lake, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    for call in (lambda: tables.read_table("raw/windsurf/chat"), lambda: _write(1, START),
                 lambda: storage.write_file("exports/x.csv", b"")):
        with pytest.raises(LakeStorageError, match="no AWS credentials .* set AWS_ACCESS_KEY_ID"):
            call()


def test_object_store_failures_are_said_in_one_line(s3_lake):
    """What deltalake and pyarrow raise (the HTTP exchange, ANSI colours and all) becomes one line that names the
    setting to fix; an unreachable endpoint is not started here (the S3 client's retries take seconds)."""
    refused = OSError("Generic S3 error\n \x1b[31m↳\x1b[0m Error performing GET http://127.0.0.1:1/x in 3s, after 10 "
                      "retries\n \x1b[31m↳\x1b[0m error sending request\n \x1b[31m↳\x1b[0m client error (Connect)")
    denied = OSError("Server returned non-2xx status code\n 403 Forbidden\n <Code>InvalidAccessKeyId</Code>")
    for err, message in ((refused, "does not answer .* AWS_ENDPOINT_URL"), (denied, "access denied")):
        with pytest.raises(LakeStorageError, match=message):
            with storage.explained(tables.table_uri("raw/windsurf/chat"), "read"):
                raise err
