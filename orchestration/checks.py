"""Freshness checks on the raw zone: every day of the partitioned range has records, and no source is stale."""


from datetime import date

import dagster as dg

from orchestration.partitions import START_DATE
from orchestration.resources import FreshnessSettings
from python_assets.freshness import check_freshness
from python_assets.ingest import bronze_tables as bt

DATED = (bt.AUTOCOMPLETE, bt.CHAT, bt.PCW, bt.CASCADE_LINES)
SNAPSHOTS = (bt.USER_PAGE_ANALYTICS, bt.GRAPH_USERS, bt.GRAPH_AI_GROUP_MEMBERS)


def _freshness_check(spec: bt.BronzeTable) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=dg.AssetKey(spec.asset_key), name="fresh_and_complete", blocking=False,
                    description="No missing days since the first partition (dated sources) and a pull within "
                                "FLYWHEEL_MAX_AGE_HOURS (default 36 h).")
    def _check(freshness: FreshnessSettings) -> dg.AssetCheckResult:
        start = date.fromisoformat(START_DATE)
        result = check_freshness(spec, start, max_age_hours=freshness.max_age_hours, now=freshness.clock())
        missing = result.missing_days
        return dg.AssetCheckResult(
            passed=not missing and not result.stale,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "missing_days": len(missing),
                "first_missing": [d.isoformat() for d in missing[:10]],
                "last_day": str(result.last_day),
                "last_pulled_at": str(result.last_pulled_at),
                "stale": result.stale,
            },
        )

    return _check


freshness_checks = [_freshness_check(spec) for spec in DATED + SNAPSHOTS]
