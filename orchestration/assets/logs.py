"""Log assets: canonical events from the configured log files, then redaction, then training units. Unpartitioned:
each run takes every new or changed file (or the micro-batch a sensor names) and redoes only their sessions."""

import json
from collections import Counter

import dagster as dg

from orchestration.resources import LogSettings, LogSourcesResource
from python_assets.ingest import bronze_tables as bt
from python_assets.logs import ingest, silver

RAW_EVENTS = dg.AssetKey(["logs", "raw_events"])
EVENTS_REDACTED = dg.AssetKey(["logs", "events_redacted"])
TRAINING_UNITS = dg.AssetKey(["logs", "training_units"])
# The Dagster groups of the log assets and the logs' dbt models: their own job, schedule and sensor.
LOG_GROUPS = ("logs_raw", "logs_silver", "logs")


class LogBatch(dg.Config):
    """A sensor's micro-batch: "source:relative/path" names. Empty: every new or changed file."""

    files: list[str] = []


def _spec(key: list[str], table: str, description: str, group: str, deps=()) -> dg.AssetSpec:
    return dg.AssetSpec(key=key, description=description, group_name=group, kinds={"python", "delta"},
                        deps=list(deps), metadata={"lake_table": table})


@dg.multi_asset(
    specs=[
        _spec(["logs", "raw_events"], ingest.EVENTS, "Canonical events (docs/EVENTS.md): one row per message, tool "
              "call, tool result or feedback, from every configured log source. Raw zone: holds PII.", "logs_raw"),
        _spec(["logs", "quarantine"], ingest.QUARANTINE, "Records and files that could not be read, with the "
              "reason and a hash of the payload (never the payload).", "logs_raw"),
        _spec(["logs", "files"], ingest.FILES, "The manifest: each file's version (SHA-256) last ingested, with "
              "its counts. A file is read again only when its content changes.", "logs_raw"),
    ],
    check_specs=[dg.AssetCheckSpec("counts_reconcile", asset=RAW_EVENTS,
                                   description="for every file read: records received = loaded + quarantined "
                                               "(no record half loaded)")],
    name="logs_raw_events",
)
def logs_raw_events(context: dg.AssetExecutionContext, config: LogBatch, log_sources: LogSourcesResource):
    sources = log_sources.sources()
    if not sources:
        context.log.info("no log sources configured (FLYWHEEL_LOG_SOURCES): nothing to ingest")
    files = ingest.pending_files(sources, only=config.files or None)
    results = ingest.ingest_files(files, context.run_id)
    reasons: Counter = Counter()
    for r in results:
        reasons.update(r.reasons)
        context.log.info(json.dumps({"event": "log_file", "source": r.file.source.name, "file": r.file.rel,
                                     "events": r.events, "quarantined": r.quarantined}))
    events = sum(r.events for r in results)
    quarantined = sum(r.quarantined for r in results)
    yield dg.MaterializeResult(
        asset_key=RAW_EVENTS,
        metadata={"files": len(results), "events": events, "quarantined": quarantined,
                  "sessions": sum(len(r.sessions) for r in results),
                  "quarantine_reasons": json.dumps(dict(reasons.most_common(20)))},
        check_results=[dg.AssetCheckResult(
            check_name="counts_reconcile", asset_key=RAW_EVENTS,
            passed=all(r.reconciles for r in results),
            metadata={"files_read": len(results), "received": sum(r.received for r in results),
                      "loaded": sum(len(r.loaded_records) for r in results),
                      "quarantined": sum(len(r.quarantined_records) for r in results),
                      "not_reconciled": [f"{r.file.source.name}:{r.file.rel}" for r in results
                                         if not r.reconciles][:20]})],
    )
    yield dg.MaterializeResult(asset_key=["logs", "quarantine"], metadata={"rows": quarantined})
    yield dg.MaterializeResult(asset_key=["logs", "files"], metadata={"files": len(results)})


@dg.multi_asset(
    specs=[
        _spec(["logs", "events_redacted"], silver.EVENTS_REDACTED, "raw_events with personal data and secrets "
              "replaced by placeholders consistent within a session (<EMAIL_ADDRESS_1>; or realistic surrogates, "
              "FLYWHEEL_PII_REPLACE), in text, tool arguments and results (JSON kept valid); raw user ids dropped. "
              "Everything downstream reads this, never raw_events. People's names and email local parts come from "
              "the latest directory sync (graph/users: the org dictionary).",
              "logs_silver", deps=[RAW_EVENTS, bt.GRAPH_USERS.asset_key]),
        _spec(["logs", "pii_audit"], silver.PII_AUDIT, "One row per replaced value: event, field, entity type, "
              "recognizer, score and the placeholder's offsets in the redacted text (never the value).",
              "logs_silver", deps=[RAW_EVENTS]),
    ],
    name="logs_events_redacted",
)
def logs_events_redacted(context: dg.AssetExecutionContext):
    result = silver.update_events_redacted()
    meta = {"new_file_versions": result.files, "sessions_redone": result.sessions, "rows_written": result.rows,
            **result.extra}
    yield dg.MaterializeResult(asset_key=EVENTS_REDACTED, metadata=meta)
    yield dg.MaterializeResult(asset_key=["logs", "pii_audit"], metadata={"findings": result.extra["findings"]})


@dg.multi_asset(
    specs=[
        _spec(["logs", "training_units"], silver.TRAINING_UNITS, "Sessions segmented into qa, thread and "
              "trajectory units (tool calls kept with their results, in order), rendered as chat messages, with "
              "tags: task type, domain, language, turns, tools, hops, recovery, outcome, latency, complexity.",
              "logs_silver", deps=[EVENTS_REDACTED]),
        _spec(["logs", "unit_lineage"], silver.UNIT_LINEAGE, "Each unit's events in order, with the raw record "
              "each came from (source, file, line or offset).", "logs_silver", deps=[EVENTS_REDACTED]),
    ],
    name="logs_training_units",
)
def logs_training_units(context: dg.AssetExecutionContext, log_settings: LogSettings):
    result = silver.update_training_units(log_settings.gap_minutes)
    yield dg.MaterializeResult(asset_key=TRAINING_UNITS, metadata={
        "new_file_versions": result.files, "sessions_redone": result.sessions, "units_written": result.rows,
        **result.extra})
    yield dg.MaterializeResult(asset_key=["logs", "unit_lineage"], metadata={"sessions_redone": result.sessions})

