"""Windsurf ingestion assets: one bronze Delta table per endpoint (and per Analytics data source)."""


import dagster as dg

from orchestration.assets.landing import bronze_asset_spec, landed, nonempty_check, reconcile_check
from orchestration.partitions import run_window
from orchestration.resources import WindsurfResource
from python_assets.ingest import bronze_tables as bt
from python_assets.ingest import sources

_POLICY = dg.BackfillPolicy.single_run()


@dg.multi_asset(
    specs=[bronze_asset_spec(bt.USER_PAGE_ANALYTICS, "Windsurf users (UserPageAnalytics): person <-> api_key.")],
    check_specs=[reconcile_check(bt.USER_PAGE_ANALYTICS), nonempty_check(bt.USER_PAGE_ANALYTICS)],
    backfill_policy=_POLICY,
    name="windsurf_user_page_analytics",
)
def user_page_analytics(context: dg.AssetExecutionContext, windsurf: WindsurfResource):
    result = sources.pull_user_page_analytics(windsurf.client(), run_window(context), context.run.run_id)
    return landed(context, bt.USER_PAGE_ANALYTICS, result)


def _analytics_asset(name: str, description: str):
    spec = sources.ANALYTICS_TABLES[name][0]

    @dg.multi_asset(
        specs=[bronze_asset_spec(spec, description)],
        check_specs=[reconcile_check(spec), nonempty_check(spec)],
        backfill_policy=_POLICY,
        name=f"windsurf_{name}",
    )
    def _asset(context: dg.AssetExecutionContext, windsurf: WindsurfResource):
        result = sources.pull_analytics(windsurf.client(), name, run_window(context), context.run.run_id)
        return landed(context, spec, result)

    return _asset


autocomplete = _analytics_asset("autocomplete", "Autocomplete per user per UTC hour (Analytics, USER data).")
chat = _analytics_asset("chat", "Chat per user per UTC hour (Analytics, CHAT data).")
pcw = _analytics_asset("pcw", "Percent code written per user per UTC day (Analytics, PCW data).")


@dg.multi_asset(
    specs=[
        bronze_asset_spec(bt.CASCADE_LINES, "Cascade lines suggested/accepted per person per day.",
                          deps=(bt.USER_PAGE_ANALYTICS.asset_key,)),
        bronze_asset_spec(bt.CASCADE_RUNS, "Cascade runs per person per day.",
                          deps=(bt.USER_PAGE_ANALYTICS.asset_key,)),
    ],
    check_specs=[reconcile_check(bt.CASCADE_LINES), nonempty_check(bt.CASCADE_LINES),
                 reconcile_check(bt.CASCADE_RUNS), nonempty_check(bt.CASCADE_RUNS)],
    backfill_policy=_POLICY,
    name="windsurf_cascade",
)
def cascade(context: dg.AssetExecutionContext, windsurf: WindsurfResource):
    window = run_window(context)
    emails = sources.windsurf_emails(window.end)
    context.log.info(f"cascade: {len(emails)} people over {window.fetch_start}..{window.end}")
    lines, runs = sources.pull_cascade(windsurf.client(), window, context.run.run_id, emails)
    yield landed(context, bt.CASCADE_LINES, lines)
    yield landed(context, bt.CASCADE_RUNS, runs)
