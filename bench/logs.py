"""`make bench`: normalization plus rule redaction of 1,000,000 generated log events on one core.

The corpus (mixed formats: OpenAI chat, app logs, Anthropic, tau-bench, feedback; ~300-character texts full of
personal data and secrets) is written first, untimed. Then, each in a child process pinned to one core, the same
files go through (a) parsing and normalization into canonical event rows only, and (b) normalization plus
redaction into Arrow record batches of the `events_redacted` schema, streamed in batches (nothing holds the whole
input). Figures: events per second of each, and the peak memory (max RSS) of (b). Target: (b) at least 20,000
events/s with a peak under 2 GiB. Then (c), on a smaller corpus (BENCH_LOG_NER_EVENTS, 50,000): the redaction silver
runs, with NER and the name, address and dictionary finders (models loaded before the clock starts). Not a test: it
prints, it does not assert.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

EVENTS = int(os.environ.get("BENCH_LOG_EVENTS", "1000000"))
NER_EVENTS = int(os.environ.get("BENCH_LOG_NER_EVENTS", "50000"))  # NER costs ~50x the rules: a smaller corpus
BATCH = 50_000


def _log_files(root: Path) -> list:
    from python_assets.logs import ingest

    sources = ingest.sources_from_config([{"name": fmt, "path": str(root / fmt), "glob": "*", "format": fmt}
                                          for fmt in sorted(p.name for p in root.iterdir() if p.is_dir())])
    return ingest.pending_files(sources)  # hashes every file: part of what ingestion costs


def _pipeline(root: str, redact: bool, out, ner: bool = False) -> None:
    """One core, one pass over the corpus: events -> rows (-> redacted rows -> Arrow batches); with `ner`, the
    redaction silver runs (names, addresses, the org dictionary's finders; NER batched), models loaded untimed."""
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    import pyarrow as pa

    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    from python_assets.logs import ingest
    from python_assets.logs.silver import REDACTED_SCHEMA
    from python_assets.privacy import detect, names
    from python_assets.privacy.redact import SessionRedactor, collector_paused

    detector = None
    if ner:
        from python_assets.logs.silver import FIELDS, NER_BATCH

        detector = detect.detector_from_env(None)
        names.load_nlp(), names.gazetteer(), names.stop_words(), names.zipf("warm")
    t0 = time.perf_counter()
    events = quarantined = findings = 0
    with collector_paused() if redact else contextlib.nullcontext():  # as silver.redact_events, around a batch
        for file in _log_files(Path(root)):
            result = ingest.FileResult(file)
            redactors: dict[str, SessionRedactor] = {}  # a session's placeholders; the corpus keeps sessions in a file
            items = ingest.read_file(file, result)
            # parsed a batch at a time, then redacted, as silver redacts a batch it reads from raw_events (parsing
            # and redacting each event in turn measured ~15% slower here)
            while batch := list(itertools.islice(items, BATCH)):
                rows = [item for item in batch if isinstance(item, dict)]
                quarantined += len(batch) - len(rows)
                events += len(rows)
                del batch  # each raw row goes as its redacted copy replaces it
                if not redact:
                    continue
                for i, item in enumerate(rows):
                    if detector is not None and i % NER_BATCH == 0:
                        detector.prefetch(t for r in rows[i: i + NER_BATCH] for f in FIELDS
                                          for t in detect.texts_of(r.get(f)))
                    redactor = redactors.get(item["session_id"])
                    if redactor is None:
                        redactor = redactors[item["session_id"]] = SessionRedactor(detector=detector)
                    red, found = redactor.redact_event(item)
                    red.pop("user_id", None)
                    red["redactions"] = n = sum(len(f) for f in found.values())
                    findings += n
                    rows[i] = red
                pa.RecordBatch.from_pylist(rows, REDACTED_SCHEMA)
    seconds = time.perf_counter() - t0
    out.send({"events": events, "quarantined": quarantined, "findings": findings, "seconds": seconds,
              "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def _in_child(root: Path, redact: bool, ner: bool = False) -> dict:
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_pipeline, args=(str(root), redact, send, ner))
    child.start()
    figures = receive.recv()
    child.join()
    return figures


def main() -> int:
    from python_assets.demo.logs import write_bench_logs

    work = Path(tempfile.mkdtemp(prefix="flywheel-logbench-"))
    try:
        print(f"Writing a corpus of {EVENTS:,} log events ...", flush=True)
        t0 = time.monotonic()
        written = write_bench_logs(work, EVENTS)
        size = sum(p.stat().st_size for p in work.rglob("*") if p.is_file())
        print(f"  {written:,} events, {size / 2**20:,.0f} MiB in {time.monotonic() - t0:.1f}s", flush=True)
        print("Parse + normalize only (one core) ...", flush=True)
        parse = _in_child(work, redact=False)
        print("Parse + normalize + rule redaction -> Arrow batches (one core) ...", flush=True)
        full = _in_child(work, redact=True)
        shutil.rmtree(work, ignore_errors=True)
        print(f"Parse + normalize + silver's whole redaction (rules, NER, names, addresses) of {NER_EVENTS:,} "
              "events (one core) ...", flush=True)
        write_bench_logs(work, NER_EVENTS)
        with_ner = _in_child(work, redact=True, ner=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rate = full["events"] / full["seconds"]
    parse_rate = parse["events"] / parse["seconds"]
    print("\nFlywheel logs benchmark (one core)")
    print(f"  events: {full['events']:,} loaded, {full['quarantined']:,} quarantined; "
          f"{full['findings']:,} values redacted")
    print(f"  normalize only            {parse['seconds']:7.1f} s  {parse_rate:10,.0f} events/s")
    print(f"  normalize + redact        {full['seconds']:7.1f} s  {rate:10,.0f} events/s   (target >= 20,000)")
    print(f"  redaction's share of the time: {1 - parse['seconds'] / full['seconds']:.0%}")
    print(f"  peak memory (max RSS, normalize + redact): {full['max_rss_mib']:,.0f} MiB   (target < 2,048)")
    ner_rate = with_ner["events"] / with_ner["seconds"]
    print(f"  + NER and the name, address and dictionary finders (silver's redaction), {with_ner['events']:,} events:"
          f" {with_ner['seconds']:.1f} s  {ner_rate:,.0f} events/s, {with_ner['findings']:,} values redacted,"
          f" peak {with_ner['max_rss_mib']:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
