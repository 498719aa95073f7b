"""Microsoft Graph ingestion assets: the directory (users with licences) and the AI tool's group members."""


import dagster as dg

from orchestration.assets.landing import bronze_asset_spec, landed, nonempty_check, reconcile_check
from orchestration.partitions import run_window
from orchestration.resources import GraphResource
from python_assets.ingest import bronze_tables as bt
from python_assets.ingest import sources

_POLICY = dg.BackfillPolicy.single_run()


@dg.multi_asset(
    specs=[bronze_asset_spec(bt.GRAPH_USERS, "Directory snapshot: users with assignedLicenses and addresses.")],
    check_specs=[reconcile_check(bt.GRAPH_USERS), nonempty_check(bt.GRAPH_USERS)],
    backfill_policy=_POLICY,
    name="graph_users",
)
def users(context: dg.AssetExecutionContext, graph: GraphResource):
    result = sources.pull_graph_users(graph.client(), run_window(context), context.run.run_id)
    return landed(context, bt.GRAPH_USERS, result)


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
