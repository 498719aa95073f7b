"""The directory sync: Graph users with their managers, full (parallel shards) or incremental (/users/delta).

- `graph/users` holds the whole directory as of each sync, filed under the sync's partition: a full sync's pull,
  or the previous sync's state with a delta round applied. Any day's roster is one partition, whichever way it
  was taken, so a delta sync and a full sync of the same directory give the same rows (their lineage columns
  say which request brought each user's current version).
- `graph/user_changes` keeps every delta round as pulled: upserts (the properties Graph sent, as JSON) and
  removals (`@removed` reason `changed` = soft-deleted, `deleted`).
- `graph/directory_sync` is the sync log and the state that survives runs: the deltaLink each sync started
  from and ended on. A re-run of a partition starts from the sync before it, so it asks Graph the same question.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import urlsplit, urlunsplit

import pyarrow as pa
import pyarrow.compute as pc

from python_assets.connectors.graph import GraphClient
from python_assets.connectors.http import CallStats, PullFailed
from python_assets.connectors.windsurf import Batch
from python_assets.ingest import bronze_tables as bt
from python_assets.ingest.pulls import LoadResult, PullWindow, Received, load_pull
from python_assets.ingest.records import as_text, check, snake
from python_assets.lake import tables

log = logging.getLogger(__name__)

SYNC_LOG = "raw/graph/directory_sync"
SYNC_SCHEMA = pa.schema([
    ("_partition_date", pa.date32()),
    ("mode", pa.string()),  # full | delta
    ("reason", pa.string()),  # why this mode (first sync, asked for, expired link, ...)
    ("started_from", pa.date32()),  # the sync whose state a delta round was applied to
    ("delta_link_in", pa.string()),
    ("delta_link_out", pa.string()),
    ("users", pa.int64()),
    ("changes", pa.int64()),
    ("removed", pa.int64()),
    ("_pulled_at", pa.timestamp("us", tz="UTC")),
    ("_run_id", pa.string()),
])
_DELTA_ONLY = ("manager@delta", "@removed", "@odata.type")


@dataclass
class DirectorySync:
    mode: str
    reason: str
    users: LoadResult
    changes: LoadResult | None
    delta_link: str

    def as_log(self) -> dict:
        return {"mode": self.mode, "reason": self.reason, "users": self.users.as_log(),
                "changes": self.changes.as_log() if self.changes else None}


def _relative(link: str) -> str:
    """A deltaLink without scheme and host: the state stays valid when the Graph base URL is written differently
    (a proxy, the fake's port) and a re-run stores the same bytes."""
    parts = urlsplit(link)
    return urlunsplit(("", "", parts.path, parts.query, ""))


def _absolute(client: GraphClient, link: str) -> str:
    return link if urlsplit(link).scheme else f"{client.graph_url}{link}"


def _previous_sync(before: date) -> dict | None:
    log_rows = tables.read_table(SYNC_LOG, filters=[("_partition_date", "<", before)])
    if log_rows is None or log_rows.num_rows == 0:
        return None
    latest = pc.max(log_rows["_partition_date"]).as_py()
    return log_rows.filter(pc.equal(log_rows["_partition_date"], latest)).to_pylist()[0]


def _state_rows(partition: date) -> list[dict]:
    users = tables.read_table(bt.GRAPH_USERS.lake_name, filters=[("_partition_date", "=", partition)])
    return [] if users is None else users.to_pylist()


def _flatten_manager(record: object) -> object:
    """A /users item with `manager: {id}` expanded -> the same item with `managerId`."""
    if not isinstance(record, dict):
        return record
    out = {k: v for k, v in record.items() if k != "manager"}
    manager = record.get("manager")
    out["managerId"] = manager.get("id") if isinstance(manager, dict) else None
    return out


def _change_record(item: object) -> object:
    """A /users/delta item -> a user_changes record (malformed items pass through for quarantine)."""
    if not isinstance(item, dict) or not item.get("id"):
        return item
    removed = item.get("@removed")
    record = {"id": item["id"], "change": "removed" if removed else "upsert",
              "removedReason": removed.get("reason") if isinstance(removed, dict) else None,
              "managerChanged": "manager@delta" in item, "managerId": None,
              "properties": {k: v for k, v in item.items() if k not in ("id", *_DELTA_ONLY)}}
    refs = item.get("manager@delta")
    if isinstance(refs, list):
        current = [r for r in refs if isinstance(r, dict) and r.get("id") and "@removed" not in r]
        record["managerId"] = current[-1]["id"] if current else None
    return record


def _apply(state: dict[str, Received], change: dict, item: Received) -> None:
    """Apply one loaded change row to the state (user id -> the user's current bronze row)."""
    user_id = change["id"]
    if change["change"] == "removed":
        state.pop(user_id, None)
        return
    previous = state.get(user_id)
    current = dict(previous.record) if previous else {"id": user_id}
    current.update({snake(k): as_text(v) for k, v in json.loads(change["properties"] or "{}").items()})
    if change["manager_changed"] == "true":
        current["manager_id"] = change["manager_id"]
    state[user_id] = Received(current, item.request_id, item.endpoint, item.pulled_at)


def sync_directory(client: GraphClient, window: PullWindow, run_id: str, *, full: bool = False,
                   workers: int = 4) -> DirectorySync:
    """Sync the directory for the run's window and land it under the window's last partition."""
    stats = CallStats()
    previous = None if full else _previous_sync(window.start)
    reason = "asked for a full sync" if full else "no earlier sync"
    prior_state = _state_rows(previous["_partition_date"]) if previous else []
    if previous and not previous.get("delta_link_out"):
        reason, previous = "the earlier sync kept no deltaLink", None
    elif previous and not prior_state:
        reason, previous = f"no directory rows for the sync of {previous['_partition_date']}", None
    if previous:
        try:
            batches, link = client.users_delta(_absolute(client, previous["delta_link_out"]), stats)
            return _land_delta(window, run_id, stats, previous, prior_state, batches, link)
        except PullFailed as exc:
            if exc.status != 410:
                raise
            reason = "the deltaLink expired (410)"
            log.warning("directory delta link expired; running a full sync instead")
    link = client.latest_delta_link(stats)  # first: what changes during the full read is replayed next time
    batches = client.directory(workers=workers, stats=stats)
    received = [Received(_flatten_manager(r), b.request_id, b.endpoint, b.pulled_at) for b in batches
                for r in b.records]
    users = load_pull(bt.GRAPH_USERS, received, window, run_id, stats)
    tables.replace_where(bt.USER_CHANGES.lake_name, bt.USER_CHANGES.schema.empty_table(), {},
                         ("_partition_date", window.start, window.end))
    _log_sync(window, run_id, "full", reason, None, None, link, users.loaded, 0, 0, batches)
    return DirectorySync("full", reason, users, None, link)


def _land_delta(window: PullWindow, run_id: str, stats: CallStats, previous: dict, prior_state: list[dict],
                batches: list[Batch], link: str) -> DirectorySync:
    received = [Received(_change_record(r), b.request_id, b.endpoint, b.pulled_at) for b in batches
                for r in b.records]
    changes = load_pull(bt.USER_CHANGES, received, window, run_id, stats)
    state = {row["id"]: Received({k: v for k, v in row.items() if not k.startswith("_")}, row["_request_id"],
                                 row["_source"].split(":", 1)[-1], row["_pulled_at"]) for row in prior_state}
    removed = 0
    for item in received:  # in the order Graph sent them; quarantined items change nothing
        change, _ = check(bt.USER_CHANGES, item.record)
        if change is not None:
            removed += change["change"] == "removed"
            _apply(state, change, item)
    users = load_pull(bt.GRAPH_USERS, list(state.values()), window, run_id, stats)
    reason = "a deltaLink from the sync before"
    _log_sync(window, run_id, "delta", reason, previous["_partition_date"], previous["delta_link_out"], link,
              users.loaded, changes.loaded, removed, batches)
    return DirectorySync("delta", reason, users, changes, link)


def _log_sync(window: PullWindow, run_id: str, mode: str, reason: str, started_from: date | None,
              link_in: str | None, link_out: str, users: int, changes: int, removed: int,
              batches: list[Batch]) -> None:
    pulled = max((b.pulled_at for b in batches), default=None) or datetime.now(UTC)
    row = {"_partition_date": [window.end], "mode": [mode], "reason": [reason], "started_from": [started_from],
           "delta_link_in": [link_in and _relative(link_in)], "delta_link_out": [_relative(link_out)],
           "users": [users], "changes": [changes], "removed": [removed], "_pulled_at": [pulled],
           "_run_id": [run_id]}
    tables.replace_where(SYNC_LOG, pa.table(row, schema=SYNC_SCHEMA), {}, ("_partition_date", window.start,
                                                                           window.end))
    log.info("directory sync %s", json.dumps({"mode": mode, "reason": reason, "users": users, "changes": changes,
                                              "removed": removed}))
