"""Sensors: new or changed log files start the logs job in micro-batches, so the flywheel runs continuously."""

import hashlib
import os

import dagster as dg

from orchestration.resources import LogSourcesResource
from orchestration.schedules import logs_refresh_job
from python_assets.logs import ingest


@dg.sensor(job=logs_refresh_job, minimum_interval_seconds=60,
           default_status=(dg.DefaultSensorStatus.RUNNING if os.environ.get("FLYWHEEL_LOG_SENSOR_ON") == "1"
                           else dg.DefaultSensorStatus.STOPPED))
def log_files_sensor(context: dg.SensorEvaluationContext, log_sources: LogSourcesResource):
    """New or changed log files, in micro-batches of at most FLYWHEEL_LOG_BATCH_FILES files: one run each, keyed by
    the files' content hashes, so a batch already requested is never requested twice."""
    limit = int(os.environ.get("FLYWHEEL_LOG_BATCH_FILES", "50"))
    pending = ingest.pending_files(log_sources.sources())
    if not pending:
        return dg.SkipReason("no new or changed log files")
    requests = []
    for i in range(0, len(pending), limit):
        batch = pending[i:i + limit]
        names = [f"{f.source.name}:{f.rel}" for f in batch]
        key = hashlib.sha256("\n".join(f"{n}@{f.sha256}" for n, f in zip(names, batch, strict=True)).encode())
        requests.append(dg.RunRequest(
            run_key=f"logs-{key.hexdigest()[:24]}",
            run_config={"ops": {"logs_raw_events": {"config": {"files": names}}}},
            tags={"flywheel/log_files": str(len(batch))},
        ))
    return requests
