"""The logs path end to end (issue 5's acceptance): every format loads and reconciles, trajectories keep their tool
calls in order, no planted value survives redaction anywhere downstream, and re-ingestion changes nothing."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pyarrow as pa
import pytest

from python_assets.demo.company import generate_company
from python_assets.demo.logs import CUSTOMERS, PLANTED_KINDS, generate_logs
from python_assets.lake import tables
from python_assets.logs import ingest, silver
from python_assets.logs.formats import FORMATS
from python_assets.privacy import dictionaries

PUBLIC = Path(__file__).resolve().parents[2] / "shared" / "data" / "public"
DOWNSTREAM = (silver.EVENTS_REDACTED, silver.PII_AUDIT, silver.TRAINING_UNITS, silver.UNIT_LINEAGE)
PLANTED = set(PLANTED_KINDS)  # rules, names (NER + the directory) and customer codenames


def _demo_sources(root: Path) -> list[ingest.LogSource]:
    return ingest.sources_from_config([{"name": f"demo_{f}", "path": str(root / f), "glob": "*", "format": f}
                                       for f in FORMATS])


def _run_all(sources, run_id: str = "run-1", directory=None) -> list[ingest.FileResult]:
    results = ingest.ingest_files(ingest.pending_files(sources), run_id)
    silver.update_events_redacted(directory)
    silver.update_training_units()
    return results


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo company's logs (200 sessions, every format) through ingestion, redaction and segmentation."""
    base = tmp_path_factory.mktemp("logs")
    mp = pytest.MonkeyPatch()
    mp.setenv("FLYWHEEL_LAKE_ROOT", str(base / "lake"))
    mp.setenv("FLYWHEEL_PII_CODENAMES", ",".join(CUSTOMERS))
    company = generate_company(seed=7, people=300)
    manifest = generate_logs(company, base / "demo_logs", sessions=200)
    sources = _demo_sources(base / "demo_logs")
    # the directory as Graph would give it (the demo's daily job lands it in raw/graph/users first)
    directory = dictionaries.from_config([{"display_name": p.display_name, "mail": p.mail,
                                          "employee_id": p.employee_id} for p in company.people])
    results = _run_all(sources, directory=directory)
    yield {"root": base / "demo_logs", "manifest": manifest, "sources": sources, "results": results,
           "directory": directory,
           "planted": json.loads((base / "demo_logs" / "planted.json").read_text())}
    mp.undo()


def _strings(table: pa.Table) -> list[str]:
    out = []
    for name in table.column_names:
        typ = table.schema.field(name).type
        values = table[name].to_pylist()
        if pa.types.is_string(typ):
            out.extend(v for v in values if v)
        elif pa.types.is_list(typ) and pa.types.is_string(typ.value_type):
            out.extend(x for v in values if v for x in v if x)
    return out


def test_every_demo_format_loads_and_counts_reconcile(demo):
    files = tables.read_table(ingest.FILES).to_pylist()
    by_format = Counter()
    for row in files:
        assert row["records"] == row["records_loaded"] + row["records_quarantined"], row["source_file"]
        by_format[row["format"]] += row["events"]
    assert set(by_format) == set(FORMATS) and all(by_format[f] > 0 for f in FORMATS), by_format
    # independent recount: every non-empty line of a JSONL file is one record
    for row in files:
        if row["format"] in ("openai_chat", "anthropic", "feedback"):
            lines = [x for x in (demo["root"] / row["source"].removeprefix("demo_") / row["source_file"])
                     .read_text().splitlines() if x.strip()]
            assert row["records"] == len(lines), row["source_file"]
    # each malformed record the generator planted is quarantined, with a reason
    quarantine = tables.read_table(ingest.QUARANTINE).to_pylist()
    held = {(q["source"].removeprefix("demo_") + "/" + q["source_file"], ingest.record_of(q["raw_ref"])): q["reason"]
            for q in quarantine}
    assert demo["planted"]["malformed"]
    for bad in demo["planted"]["malformed"]:
        key = (bad["file"], ingest.record_of(bad["ref"]))
        assert key in held, bad
        assert held[key].strip()
    # the events loaded are exactly the generator's count for each format
    assert dict(by_format) == {f: n for f, n in demo["manifest"].events.items() if n}


@pytest.mark.skipif(not PUBLIC.exists(), reason="public data samples are not here")
def test_public_samples_load_in_every_format_with_a_sample(lake):
    sources = ingest.sources_from_config([
        {"name": "tau", "path": str(PUBLIC / "tau-bench"), "glob": "*.json", "format": "tau_bench"},
        {"name": "swe", "path": str(PUBLIC / "swe-agent-trajectories"), "glob": "*.traj", "format": "swe_agent"},
        {"name": "otel", "path": str(PUBLIC / "otel-genai-spans" / "openinference"), "glob": "*.json",
         "format": "otel"},
        {"name": "sharegpt", "path": str(PUBLIC / "sharegpt-92k-sample"), "glob": "*.jsonl", "format": "openai_chat"},
    ])
    results = _run_all(sources)
    assert all(r.reconciles for r in results)
    events = Counter()
    for r in results:
        events[r.file.source.name] += r.events
    assert events["tau"] > 1000 and events["swe"] > 500 and events["otel"] > 20 and events["sharegpt"] == 1517
    # what the OTel samples could not give (embedding spans, a file with no spans) is quarantined, with a reason
    reasons = {q["reason"] for q in tables.read_table(ingest.QUARANTINE).to_pylist()}
    assert any("no chat messages" in r for r in reasons) and any("no OpenTelemetry spans" in r for r in reasons)
    _check_trajectories_kept(sources)


def _check_trajectories_kept(sources) -> None:
    """Every tool call of each tau-bench and SWE-agent trajectory reaches its unit, with its result, in order."""
    units = tables.read_table(silver.TRAINING_UNITS).to_pylist()
    by_session = defaultdict(list)
    for u in units:
        by_session[(u["source"], u["session_id"])].append(u)
    raw = tables.read_table(ingest.EVENTS).to_pylist()
    for source in ("tau", "swe"):
        calls = defaultdict(list)
        for e in sorted((e for e in raw if e["source"] == source), key=lambda e: (e["turn_index"], e["part_index"])):
            if e["kind"] == "tool_call":
                calls[e["session_id"]].append(e["tool_name"])
        assert calls, source
        for session, names in calls.items():
            messages = [m for u in sorted(by_session[(source, session)], key=lambda u: u["segment_index"])
                        for m in json.loads(u["messages_json"])]
            rendered, open_calls = [], set()
            for m in messages:
                for c in m.get("tool_calls") or []:
                    rendered.append(c["function"]["name"])
                    open_calls.add(c["id"])
                if m["role"] == "tool":
                    assert m["tool_call_id"] in open_calls, (session, m["tool_call_id"])  # result after its call
            assert rendered == names, session
    tau_raw = json.loads((PUBLIC / "tau-bench" / "gpt-4o-airline.trial0.json").read_text())
    in_file = sum(len(m.get("tool_calls") or []) for rec in tau_raw for m in rec["traj"])
    tau_calls = sum(u["tool_calls"] for u in units if u["source"] == "tau")
    assert tau_calls == in_file


def test_no_planted_value_survives_redaction(demo):
    planted = [p for p in demo["planted"]["planted"] if p["kind"] in PLANTED]
    assert {p["kind"] for p in planted} == PLANTED
    for name in DOWNSTREAM:
        blob = "\n".join(_strings(tables.read_table(name)))
        leaked = sorted({(p["kind"], p["value"]) for p in planted if p["value"] in blob})
        assert not leaked, (name, leaked[:5])
    # the raw zone did hold them (the scan is not vacuous)
    raw = "\n".join(_strings(tables.read_table(ingest.EVENTS)))
    assert sum(p["value"] in raw for p in planted) > 0.95 * len(planted)


def test_placeholders_are_consistent_within_a_session_and_json_stays_valid(demo):
    raw = {e["event_id"]: e for e in tables.read_table(ingest.EVENTS).to_pylist()}
    red = tables.read_table(silver.EVENTS_REDACTED).to_pylist()
    fields = ("content", "tool_arguments", "tool_result")
    repeated = Counter((p["session_id"], p["value"]) for p in demo["planted"]["planted"]
                       if p["kind"] == "EMAIL_ADDRESS")
    checked = 0
    for (session, value), n in repeated.items():
        if n < 2:
            continue
        # every event of the session that held the address holds one placeholder they all share
        holders = [set(re.findall(r"<EMAIL_ADDRESS_\d+>", " ".join(r[f] or "" for f in fields)))
                   for r in red if r["session_id"] == session
                   and any(value.lower() in (raw[r["event_id"]][f] or "").lower() for f in fields)]
        if len(holders) >= 2:
            assert set.intersection(*holders), (session, holders)
            checked += 1
    assert checked > 0
    for r in red:
        before = raw[r["event_id"]]["tool_arguments"]
        if before is None:
            continue
        try:
            json.loads(before)
        except ValueError:
            continue
        json.loads(r["tool_arguments"])  # valid JSON before redaction stays valid JSON after


def test_same_value_same_placeholder_across_a_sessions_events(lake, tmp_path):
    (tmp_path / "chat").mkdir()
    convo = {"session_id": "s1", "messages": [
        {"role": "user", "content": "Mail ana.lopez@example.com and Bob@Example.com, then ana.lopez@example.com"},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function", "function": {
            "name": "send_mail", "arguments": json.dumps({"to": "ANA.LOPEZ@example.com", "cc": ["bob@example.com"],
                                                           "body": json.dumps({"note": "call +44 20 7946 0958"})})}}]},
        {"role": "tool", "tool_call_id": "c1", "content": json.dumps({"sent_to": "ana.lopez@example.com"})},
    ]}
    (tmp_path / "chat" / "a.jsonl").write_text(json.dumps(convo) + "\n")
    _run_all(ingest.sources_from_config([{"name": "app", "path": str(tmp_path / "chat"), "format": "openai_chat"}]))
    rows = {r["kind"]: r for r in tables.read_table(silver.EVENTS_REDACTED).to_pylist()}
    assert rows["message"]["content"] == "Mail <EMAIL_ADDRESS_1> and <EMAIL_ADDRESS_2>, then <EMAIL_ADDRESS_1>"
    args = json.loads(rows["tool_call"]["tool_arguments"])
    assert args["to"] == "<EMAIL_ADDRESS_1>" and args["cc"] == ["<EMAIL_ADDRESS_2>"]
    assert json.loads(args["body"]) == {"note": "call <PHONE_NUMBER_1>"}
    assert json.loads(rows["tool_result"]["tool_result"]) == {"sent_to": "<EMAIL_ADDRESS_1>"}
    audit = tables.read_table(silver.PII_AUDIT).to_pylist()
    # the result text is in both content and tool_result: 3 + 2 + 2 addresses
    assert Counter(a["entity"] for a in audit) == {"EMAIL_ADDRESS": 7, "PHONE_NUMBER": 1}
    for a in audit:  # offsets point at the placeholder, never the value
        text = rows[next(k for k, r in rows.items() if r["event_id"] == a["event_id"])][a["field"]]
        assert text[a["start"]:a["end"]].startswith("<")


def _fingerprint() -> dict:
    out = {}
    for name in (ingest.EVENTS, ingest.QUARANTINE, *DOWNSTREAM):
        table = tables.read_table(name)
        out[name] = sorted(json.dumps(r, sort_keys=True, default=str) for r in table.to_pylist())
    return out


def test_reingesting_the_same_files_changes_nothing(demo):
    before = _fingerprint()
    sources = demo["sources"]
    assert ingest.pending_files(sources) == []  # unchanged files are not read again
    # forced: every file read and written again, every session redone
    files = [ingest.LogFile(s, p, p.relative_to(s.root).as_posix(), p.stat().st_size, p.stat().st_mtime_ns,
                            ingest._sha256(p)) for s in sources for p in s.files()]
    ingest.ingest_files(files, "run-2")
    tables.replace_where(silver.STAGE_FILES, pa.Table.from_pylist([], silver.STAGE_SCHEMA), {})
    silver.update_events_redacted(demo["directory"])  # the same directory as the first run
    silver.update_training_units()
    assert _fingerprint() == before


def test_a_changed_file_replaces_only_its_sessions(lake, tmp_path):
    folder = tmp_path / "chat"
    folder.mkdir()
    convo = lambda sid, text: json.dumps({"session_id": sid, "messages": [  # noqa: E731
        {"role": "user", "content": text}, {"role": "assistant", "content": "ok"}]})
    (folder / "a.jsonl").write_text(convo("s1", "first") + "\n" + convo("s2", "second") + "\n")
    (folder / "b.jsonl").write_text(convo("s3", "third") + "\n")
    sources = ingest.sources_from_config([{"name": "app", "path": str(folder), "format": "openai_chat"}])
    _run_all(sources)
    (folder / "a.jsonl").write_text(convo("s1", "first, edited") + "\n")  # s2 gone, s1 changed
    pending = ingest.pending_files(sources)
    assert [f.rel for f in pending] == ["a.jsonl"]
    _run_all(sources, "run-2")
    units = {u["session_id"]: u for u in tables.read_table(silver.TRAINING_UNITS).to_pylist()}
    assert set(units) == {"s1", "s3"}
    assert json.loads(units["s1"]["messages_json"])[0]["content"] == "first, edited"
    events = tables.read_table(silver.EVENTS_REDACTED).to_pylist()
    assert sorted(e["session_id"] for e in events) == ["s1", "s1", "s3", "s3"]


def test_bad_source_config_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="unknown format 'csv'"):
        ingest.sources_from_config([{"name": "x", "path": str(tmp_path), "format": "csv"}])
    with pytest.raises(ValueError, match="missing path"):
        ingest.sources_from_config([{"name": "x", "format": "otel"}])
    with pytest.raises(ValueError, match="configured twice"):
        ingest.sources_from_config([{"name": "x", "path": ".", "format": "otel"}] * 2)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        ingest.sources_from_config([{"name": "x", "path": str(tmp_path / "nope"), "format": "otel"}])[0].files()


def test_the_logs_job_builds_the_marts_and_an_empty_config_builds_empty_ones(lake, tmp_path):
    import dagster as dg
    import duckdb

    from orchestration.assets import logs as log_assets
    from orchestration.assets.dbt_models import flywheel_dbt_models
    from orchestration.resources import LogSettings, LogSourcesResource, WarehouseSettings, dbt_resource
    from python_assets.settings import duckdb_path

    folder = tmp_path / "chat"
    folder.mkdir()
    (folder / "a.jsonl").write_text("\n".join(json.dumps({"session_id": f"s{i}", "messages": [
        {"role": "user", "content": f"What is the VPN address for office {i}? Mail me at user{i}@corp.example"},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function", "function": {
            "name": "search_kb", "arguments": json.dumps({"query": "vpn"})}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "vpn.corp.example"},
        {"role": "assistant", "content": "Use vpn.corp.example. See the Release Notes."}]}) for i in range(3))
        + "\n{broken\n")
    assets = [*dg.load_assets_from_modules([log_assets]), flywheel_dbt_models]

    def run(config: str):
        return dg.materialize(
            assets, instance=dg.DagsterInstance.ephemeral(), raise_on_error=False,
            selection=dg.AssetSelection.groups(*log_assets.LOG_GROUPS),
            resources={"log_sources": LogSourcesResource(config=config), "log_settings": LogSettings(),
                       "dbt": dbt_resource(), "warehouse": WarehouseSettings()})

    empty = run("")
    assert empty.success
    config = json.dumps([{"name": "app", "path": str(folder), "glob": "*.jsonl", "format": "openai_chat"}])
    result = run(config)
    assert result.success
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks["counts_reconcile"] and all(checks.values()), checks
    con = duckdb.connect(duckdb_path(), read_only=True)
    try:
        rows = con.sql("select unit_type, tool_mix, source, units, tool_calls from mart_log_coverage").fetchall()
        audit = con.sql("select entity_type, sum(findings) from mart_pii_audit group by 1").fetchall()
        review = con.sql("select field, sample_reason, findings, entity_types, redacted_text, signal "
                         "from mart_pii_review_sample order by event_id, field").fetchall()
    finally:
        con.close()
    assert rows == [("trajectory", "one_tool", "app", 3, 3)]
    assert audit == [("EMAIL_ADDRESS", 3)]
    # every text of this small source is in the review sample (5 per session: the question, the call's arguments,
    # the tool's result as event content and as tool_result, the answer), with its findings; no address left
    assert len(review) == 15
    assert sorted((r[4], r[5]) for r in review if r[1] == "signal") == [
        ("Use vpn.corp.example. See the Release Notes.", "capitalized_pair")] * 3  # a residual-risk signal
    asked = [r for r in review if r[0] == "content" and r[2]]
    assert len(asked) == 3 and all(r[3] == "EMAIL_ADDRESS" and "<EMAIL_ADDRESS_1>" in r[4] for r in asked)
    assert not any("@corp.example" in r[4] for r in review)
    quarantined = tables.read_table(ingest.QUARANTINE).to_pylist()
    assert [(q["raw_ref"], q["reason"][:12]) for q in quarantined] == [("line 4", "invalid JSON")]


def test_only_redaction_reads_the_raw_events():
    """Privacy by construction: the raw zone's events are read by the redaction stage and nothing else."""
    project = Path(__file__).resolve().parents[1]
    readers = set()
    for path in [*project.glob("python_assets/**/*.py"), *project.glob("orchestration/**/*.py"),
                 *project.glob("training/**/*.py"), *project.glob("dbt_project/models/**/*")]:
        if path.is_file() and ("raw/logs/events" in (text := path.read_text()) or "ingest.EVENTS" in text):
            readers.add(path.relative_to(project).as_posix())
    # the writer, the asset that declares it (its spec names the table), the redaction stage, and the demo's
    # summary (a row count from the Delta log's file statistics: no row is read)
    assert readers == {"python_assets/logs/ingest.py", "orchestration/assets/logs.py", "python_assets/logs/silver.py",
                       "orchestration/demo.py"}
    silver_src = (project / "python_assets/logs/silver.py").read_text()
    # in silver.py, only the redaction stage names it
    body = silver_src.split("def update_training_units", 1)[1]
    assert "ingest.EVENTS" not in body


def test_the_sensor_asks_for_micro_batches_of_new_files_once(lake, tmp_path, monkeypatch):
    import dagster as dg

    from orchestration.resources import LogSourcesResource
    from orchestration.sensors import log_files_sensor

    folder = tmp_path / "chat"
    folder.mkdir()
    for i in range(5):
        (folder / f"{i}.jsonl").write_text(json.dumps({"session_id": f"s{i}", "messages": [
            {"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}) + "\n")
    monkeypatch.setenv("FLYWHEEL_LOG_BATCH_FILES", "2")
    config = json.dumps([{"name": "app", "path": str(folder), "format": "openai_chat"}])
    resources = {"log_sources": LogSourcesResource(config=config)}

    def evaluate():
        with dg.build_sensor_context(resources=resources) as context:
            return log_files_sensor(context)

    requests = evaluate()
    batches = [r.run_config["ops"]["logs_raw_events"]["config"]["files"] for r in requests]
    assert batches == [["app:0.jsonl", "app:1.jsonl"], ["app:2.jsonl", "app:3.jsonl"], ["app:4.jsonl"]]
    assert [r.run_key for r in evaluate()] == [r.run_key for r in requests]  # the same files: the same run keys
    # the first batch lands (as its run would); the sensor then asks only for the rest
    sources = LogSourcesResource(config=config).sources()
    ingest.ingest_files(ingest.pending_files(sources, only=batches[0]), "run-1")
    rest = [r.run_config["ops"]["logs_raw_events"]["config"]["files"] for r in evaluate()]
    assert rest == [["app:2.jsonl", "app:3.jsonl"], ["app:4.jsonl"]]
    (folder / "0.jsonl").write_text(json.dumps({"session_id": "s0", "messages": [
        {"role": "user", "content": "changed"}]}) + "\n")
    assert evaluate()[0].run_config["ops"]["logs_raw_events"]["config"]["files"][0] == "app:0.jsonl"
    ingest.ingest_files(ingest.pending_files(sources), "run-2")
    assert isinstance(evaluate(), dg.SkipReason)
