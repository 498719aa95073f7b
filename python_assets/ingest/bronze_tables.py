"""The bronze tables: one per endpoint, the payload fields as received (strings) plus lineage columns.

Bronze keeps values exactly as the API sent them (the Windsurf API sends numbers as strings); staging models
cast. Nested values (lists, objects) are stored as JSON text. Each spec names the fields a record must carry to
be loaded at all; anything else wrong with a record is for staging to judge.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

LINEAGE_FIELDS = [
    pa.field("_partition_date", pa.date32()),  # the daily pull this row came from
    pa.field("_pulled_at", pa.timestamp("us", tz="UTC")),
    pa.field("_source", pa.string()),  # e.g. windsurf:Analytics:QUERY_DATA_SOURCE_USER_DATA
    pa.field("_request_id", pa.string()),  # derived from the request itself: the same pull gives the same id
]
# Which run wrote a pull is operational lineage, kept in ingest_batches (one row per table and run window), so
# that a re-run of the same pull leaves bronze byte-for-byte identical.


@dataclass(frozen=True)
class BronzeTable:
    source: str  # dbt source name and first part of the Dagster asset key
    name: str  # dbt source table and second part of the asset key
    columns: tuple[str, ...]  # payload fields, snake_case, all strings
    required: tuple[str, ...]  # fields without which a record is quarantined
    numeric: tuple[str, ...] = ()  # fields that must parse as numbers when present
    dates: tuple[str, ...] = ()  # fields that must parse as YYYY-MM-DD when present
    hours: tuple[str, ...] = ()  # fields that must be an integer hour 0-23
    record_date: str | None = None  # the field that dates a record (None: a snapshot, filed under the pull)

    @property
    def lake_name(self) -> str:
        return f"raw/{self.source}/{self.name}"

    @property
    def asset_key(self) -> list[str]:
        return [self.source, self.name]

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([pa.field(c, pa.string()) for c in self.columns] + LINEAGE_FIELDS)


USER_PAGE_ANALYTICS = BronzeTable(
    "windsurf", "user_page_analytics",
    ("name", "email", "api_key", "last_update_time", "active_days", "disable_codeium",
     "last_autocomplete_usage_time", "last_chat_usage_time", "last_command_usage_time", "team_status"),
    required=("email", "api_key"),
    numeric=("active_days",),
)
AUTOCOMPLETE = BronzeTable(
    "windsurf", "autocomplete",
    ("api_key", "date", "hour", "language", "ide", "version",
     "num_acceptances", "num_lines_accepted", "num_bytes_accepted"),
    required=("api_key", "date", "hour"),
    numeric=("num_acceptances", "num_lines_accepted", "num_bytes_accepted"),
    dates=("date",), hours=("hour",), record_date="date",
)
CHAT = BronzeTable(
    "windsurf", "chat",
    ("api_key", "date", "hour", "model_id", "latest_intent_type", "num_chats_received", "chat_loc_used"),
    required=("api_key", "date", "hour"),
    numeric=("num_chats_received", "chat_loc_used"),
    dates=("date",), hours=("hour",), record_date="date",
)
PCW = BronzeTable(
    "windsurf", "pcw",
    ("api_key", "date", "percent_code_written", "codeium_bytes", "user_bytes", "total_bytes",
     "codeium_bytes_by_autocomplete", "codeium_bytes_by_command"),
    required=("api_key", "date"),
    numeric=("percent_code_written", "codeium_bytes", "user_bytes", "total_bytes",
             "codeium_bytes_by_autocomplete", "codeium_bytes_by_command"),
    dates=("date",), record_date="date",
)
CASCADE_LINES = BronzeTable(
    "windsurf", "cascade_lines",
    ("email", "day", "lines_suggested", "lines_accepted"),
    required=("email", "day"),
    numeric=("lines_suggested", "lines_accepted"),
    dates=("day",), record_date="day",
)
CASCADE_RUNS = BronzeTable(
    "windsurf", "cascade_runs",
    ("email", "day", "cascade_id", "model", "mode", "messages_sent", "prompts_used"),
    required=("email", "day", "cascade_id"),
    numeric=("messages_sent", "prompts_used"),
    dates=("day",), record_date="day",
)
GRAPH_USERS = BronzeTable(
    "graph", "users",
    ("id", "display_name", "mail", "user_principal_name", "other_mails", "proxy_addresses", "job_title",
     "department", "office_location", "employee_id", "account_enabled", "assigned_licenses", "manager_id"),
    required=("id",),
)
# One /users/delta round as pulled: upserts carry the properties Graph sent (JSON), removals their reason.
USER_CHANGES = BronzeTable(
    "graph", "user_changes",
    ("id", "change", "removed_reason", "manager_changed", "manager_id", "properties"),
    required=("id", "change"),
)
GRAPH_AI_GROUP_MEMBERS = BronzeTable(
    "graph", "ai_group_members",
    ("group_id", "id", "odata_type", "display_name", "mail", "user_principal_name"),
    required=("group_id", "id"),
)

# git: one row per (repository, branch, commit) as a sync saw it - "added", or "removed" when a force-push
# took it off the branch - and one per file a commit changed (counts are None for a binary file)
GIT_COMMITS = BronzeTable(
    "git", "commits",
    ("repo", "branch", "sha", "change", "parents", "author_name", "author_email", "authored_at",
     "committer_name", "committer_email", "committed_at", "message"),
    required=("repo", "branch", "sha", "change"),
)
GIT_COMMIT_FILES = BronzeTable(
    "git", "commit_files",
    ("repo", "sha", "path", "old_path", "additions", "deletions", "is_binary"),
    required=("repo", "sha", "path"),
    numeric=("additions", "deletions"),
)

ALL_TABLES = (USER_PAGE_ANALYTICS, AUTOCOMPLETE, CHAT, PCW, CASCADE_LINES, CASCADE_RUNS, GRAPH_USERS,
              USER_CHANGES, GRAPH_AI_GROUP_MEMBERS, GIT_COMMITS, GIT_COMMIT_FILES)

# Quarantine and per-request-batch accounting, shared by every endpoint.
INGEST_ERRORS = "raw/ingest/ingest_errors"
INGEST_BATCHES = "raw/ingest/ingest_batches"
