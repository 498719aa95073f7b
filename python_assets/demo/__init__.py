"""The demo company: a seeded directory + Windsurf usage history, and a local fake of the APIs that serve them.

Only tests and the demo resource set import this package; production code never does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from python_assets.demo.company import (
    AI_GROUP_ID,
    AI_PILOT_GROUP_ID,
    AI_SKU_ID,
    DEMO_DAYS,
    DEMO_START,
    OFFICE_SKU_ID,
    OFFICE_TIMEZONES,
    Company,
    Person,
    generate_company,
    normalize_email,
    timezone_of,
)
from python_assets.demo.usage import USAGE_LISTS, Usage, generate_usage


@dataclass
class DemoData:
    """A company and its usage history, generated together from one seed."""

    company: Company
    usage: Usage


def generate_demo(seed: int = 7, people: int = 2000, start: date = DEMO_START, days: int = DEMO_DAYS) -> DemoData:
    """The whole demo in one call: same arguments, byte-identical data."""
    company = generate_company(seed=seed, people=people, start=start, days=days)
    return DemoData(company=company, usage=generate_usage(company, seed=seed))


__all__ = [
    "AI_GROUP_ID",
    "AI_PILOT_GROUP_ID",
    "AI_SKU_ID",
    "DEMO_DAYS",
    "DEMO_START",
    "OFFICE_SKU_ID",
    "OFFICE_TIMEZONES",
    "USAGE_LISTS",
    "Company",
    "DemoData",
    "Person",
    "Usage",
    "generate_company",
    "generate_demo",
    "generate_usage",
    "normalize_email",
    "timezone_of",
]
