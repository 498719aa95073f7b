"""Redaction over several processes (python_assets/logs/parallel.py) gives exactly what one process gives."""

from __future__ import annotations

import pyarrow as pa
import pytest

from python_assets.demo.logs import write_bench_logs
from python_assets.logs import events as ev
from python_assets.logs import ingest, parallel, silver
from python_assets.privacy import detect, dictionaries


@pytest.fixture(scope="module")
def raw_events(tmp_path_factory) -> pa.Table:
    root = tmp_path_factory.mktemp("bench-logs")
    write_bench_logs(root, 400)
    sources = ingest.sources_from_config([{"name": fmt, "path": str(root / fmt), "glob": "*", "format": fmt}
                                          for fmt in sorted(p.name for p in root.iterdir() if p.is_dir())])
    rows = []
    for file in ingest.pending_files(sources):
        rows += [item for item in ingest.read_file(file, ingest.FileResult(file)) if isinstance(item, dict)]
    table = pa.Table.from_pylist(rows, ev.SCHEMA)
    return table.sort_by([(c, "ascending") for c in silver._TEXT_ORDER])


def test_sessions_are_split_whole_and_in_order(raw_events):
    parts = parallel.split_by_session(raw_events, 3)
    assert sum(p.num_rows for p in parts) == raw_events.num_rows
    sessions = [set(p.column("session_id").to_pylist()) for p in parts]
    assert all(not a & b for i, a in enumerate(sessions) for b in sessions[i + 1:])
    ids = raw_events.column("event_id").to_pylist()
    for part in parts:
        mine = part.column("event_id").to_pylist()
        assert mine == [i for i in ids if i in set(mine)]


def test_two_processes_redact_as_one(raw_events):
    detector = detect.Detector(dictionaries.from_config([], {"FLYWHEEL_PII_CODENAMES": "Globex,Initech"}))
    one = silver.redact_events(raw_events, detector)
    two = parallel.redact_in_parallel(raw_events, detector, "placeholder", 2)
    assert one[0].num_rows == raw_events.num_rows and one[1].num_rows > 500
    assert two[0].equals(one[0]) and two[1].equals(one[1])


def test_worker_count_setting():
    assert parallel.workers({"FLYWHEEL_REDACT_WORKERS": "3"}) == 3
    assert 1 <= parallel.workers({}) <= parallel.MAX_WORKERS
    with pytest.raises(ValueError, match="FLYWHEEL_REDACT_WORKERS"):
        parallel.workers({"FLYWHEEL_REDACT_WORKERS": "0"})
