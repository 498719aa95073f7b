"""Microsoft Graph ingestion assets: the directory (users with licences) and the AI tool's group members."""


from collections import Counter

import dagster as dg

from orchestration.assets.landing import bronze_asset_spec, landed, nonempty_check, reconcile_check
from orchestration.partitions import run_window
from orchestration.resources import GraphResource
from python_assets.ingest import bronze_tables as bt
from python_assets.ingest import sources
from python_assets.ingest.directory import sync_directory
from python_assets.ingest.pulls import LoadResult

_POLICY = dg.BackfillPolicy.single_run()


class DirectorySyncConfig(dg.Config):
    full_resync: bool = False  # ignore the stored deltaLink and read the whole directory again


@dg.multi_asset(
    specs=[
        bronze_asset_spec(bt.GRAPH_USERS, "The directory as of each sync: users with licences, addresses and "
                                          "their manager (full sync in parallel shards, or the previous state "
                                          "with a /users/delta round applied)."),
        bronze_asset_spec(bt.USER_CHANGES, "Each /users/delta round as pulled: upserts and removals."),
    ],
    check_specs=[reconcile_check(bt.GRAPH_USERS), nonempty_check(bt.GRAPH_USERS),
                 reconcile_check(bt.USER_CHANGES), nonempty_check(bt.USER_CHANGES)],
    backfill_policy=_POLICY,
    name="graph_users",
)
def users(context: dg.AssetExecutionContext, config: DirectorySyncConfig, graph: GraphResource):
    sync = sync_directory(graph.client(), run_window(context), context.run.run_id, full=config.full_resync,
                          workers=graph.shard_workers)
    context.log.info(f"directory sync: {sync.mode} ({sync.reason})")
    extra = {"sync_mode": sync.mode, "sync_reason": sync.reason}
    changes = sync.changes or LoadResult(bt.USER_CHANGES.lake_name, 0, 0, 0, Counter())
    yield landed(context, bt.GRAPH_USERS, sync.users, extra)
    yield landed(context, bt.USER_CHANGES, changes, extra, expect_rows=False)


@dg.multi_asset(
    specs=[bronze_asset_spec(bt.GRAPH_AI_GROUP_MEMBERS, "Transitive user members of the AI tool's group.")],
    check_specs=[reconcile_check(bt.GRAPH_AI_GROUP_MEMBERS), nonempty_check(bt.GRAPH_AI_GROUP_MEMBERS)],
    backfill_policy=_POLICY,
    name="graph_ai_group_members",
)
def ai_group_members(context: dg.AssetExecutionContext, graph: GraphResource):
    if not graph.ai_group_id:
        raise dg.Failure("GRAPH_AI_GROUP_ID is not set: the AI tool's group is needed to find licensed users")
    result = sources.pull_ai_group_members(graph.client(), graph.ai_group_id, run_window(context),
                                           context.run.run_id)
    return landed(context, bt.GRAPH_AI_GROUP_MEMBERS, result)
