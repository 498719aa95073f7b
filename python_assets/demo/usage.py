"""The demo company's Windsurf usage history: autocomplete, chat, PCW and Cascade records, late and malformed ones
included, drawn with numpy from one seed.

People work their local office hours (converted to UTC through zoneinfo, so DST moves the UTC hours), less at
weekends, more as adoption grows; ~5% of records arrive 1-2 days late and ~0.2% are malformed on purpose.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from python_assets.demo.company import Company, Person

USAGE_LISTS = ("autocomplete", "chat", "pcw", "cascade_lines", "cascade_runs")

# The bad values the malformed records carry, so tests and connectors can look for them.
BAD_COUNT = "n/a"
BAD_DATE = "2026-13-45"
BAD_HOUR = "25"
NOT_AN_OBJECT = "<<row lost in export>>"

_WORK_HOURS = np.arange(8, 19)  # local 08:00-18:59
_HOUR_WEIGHT = np.array([0.6, 1.0, 1.2, 1.2, 0.6, 0.9, 1.2, 1.2, 1.1, 0.8, 0.5])
_WEEKEND_FACTOR = 0.10
_LATE_RATE = 0.05
_MALFORMED_RATE = 0.002

_LANGS_BY_DEPT = {
    "Engineering": ("PYTHON", "TYPESCRIPT", "JAVA", "GO", "RUST", "CPP", "KOTLIN"),
    "Data Science": ("PYTHON", "SQL", "SCALA"),
}
_LANGS_OTHER = ("PYTHON", "TYPESCRIPT", "SQL", "MARKDOWN", "JAVASCRIPT")
_ALL_LANGS = tuple(sorted({*_LANGS_OTHER, *(lang for v in _LANGS_BY_DEPT.values() for lang in v)}))
_IDES = ("windsurf", "vscode", "jetbrains", "neovim")
_IDE_WEIGHTS = (0.45, 0.25, 0.25, 0.05)
_CHAT_MODELS = ("MODEL_CHAT_GPT_4O", "MODEL_CLAUDE_3_5_SONNET_20241022", "MODEL_CHAT_11121",
                "MODEL_GOOGLE_GEMINI_2_0_FLASH")
_INTENTS = ("CHAT_INTENT_GENERIC", "CHAT_INTENT_FUNCTION_EXPLAIN", "CHAT_INTENT_FUNCTION_DOCSTRING",
            "CHAT_INTENT_FUNCTION_REFACTOR", "CHAT_INTENT_CODE_BLOCK_EXPLAIN", "CHAT_INTENT_FUNCTION_UNIT_TESTS")
_INTENT_WEIGHTS = (0.7, 0.08, 0.06, 0.06, 0.06, 0.04)
_CASCADE_MODELS = ("Claude Sonnet 4.5", "GPT-5 (medium reasoning)", "SWE-1.5", "Gemini 2.5 Pro",
                   "Claude 3.7 Sonnet (Thinking)")
_CASCADE_MODEL_CENTS = np.array([200, 100, 0, 100, 300])  # promptsUsed per message, in cents of a credit
_CASCADE_MODES = ("CONVERSATIONAL_PLANNER_MODE_DEFAULT", "CONVERSATIONAL_PLANNER_MODE_READ_ONLY",
                  "CONVERSATIONAL_PLANNER_MODE_NO_TOOL", "UNKNOWN")
_CASCADE_MODE_WEIGHTS = (0.70, 0.25, 0.03, 0.02)


@dataclass
class Usage:
    """Record lists as the Windsurf APIs hold them (python values), each dict with an `arrival_date`.

    Malformed items sit in the same lists; `malformed_index[name]` says which, `malformed_count[name]` how many.
    """

    start: date
    days: int
    autocomplete: list = field(default_factory=list)
    chat: list = field(default_factory=list)
    pcw: list = field(default_factory=list)
    cascade_lines: list = field(default_factory=list)
    cascade_runs: list = field(default_factory=list)
    malformed_count: dict[str, int] = field(default_factory=dict)
    malformed_kinds: dict[str, dict[str, int]] = field(default_factory=dict)
    malformed_index: dict[str, list[int]] = field(default_factory=dict)
    active_dates: dict[str, list[str]] = field(default_factory=dict)  # apiKey -> sorted UTC dates with use
    user_table: list[dict] = field(default_factory=list)  # full-history UserPageAnalytics rows

    def records(self, name: str) -> list:
        """One record list by name (see USAGE_LISTS)."""
        if name not in USAGE_LISTS:
            raise KeyError(name)
        return getattr(self, name)

    def well_formed(self, name: str) -> list[dict]:
        """The records of one list that were not deliberately broken."""
        bad = set(self.malformed_index.get(name, ()))
        return [r for i, r in enumerate(self.records(name)) if i not in bad]

    def for_api_keys(self, name: str, api_keys: Sequence[str]) -> list[dict]:
        """Well-formed records of one list that belong to the given users (by api_key, or email for Cascade)."""
        keys = set(api_keys)
        key_field = "email" if name.startswith("cascade") else "api_key"
        return [r for r in self.well_formed(name) if r.get(key_field) in keys]


def _utc_offsets(zones: Sequence[str], start: date, days: int) -> np.ndarray:
    """Minutes east of UTC at local noon, per zone and local day; DST switches happen at night."""
    out = np.zeros((len(zones), days), dtype=np.int64)
    for zi, zone in enumerate(zones):
        tz = ZoneInfo(zone)
        for d in range(days):
            local = datetime.combine(start + timedelta(days=d), datetime.min.time()).replace(hour=12, tzinfo=tz)
            out[zi, d] = int(local.utcoffset().total_seconds() // 60)
    return out


def _iso_timestamp(day: date, hour: int, seed_bits: int) -> str:
    """An RFC 3339 timestamp inside the given UTC hour, with stable minutes and microseconds."""
    minute, second, micro = seed_bits % 60, (seed_bits // 60) % 60, (seed_bits // 3600) % 1_000_000
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}:{second:02d}.{micro:06d}Z"


@dataclass
class _People:
    """Per-person behaviour, as arrays aligned with `persons`."""

    persons: list[Person]
    zone: np.ndarray
    base: np.ndarray
    hours_mean: np.ndarray
    accept_rate: np.ndarray
    first_day: np.ndarray
    until_day: np.ndarray
    lang_main: np.ndarray
    lang_other: np.ndarray
    ide: np.ndarray
    version_lag: np.ndarray
    chat_user: np.ndarray
    cascade_user: np.ndarray
    pcw_ratio: np.ndarray
    command_share: np.ndarray
    cascade_lam: np.ndarray
    cascade_accept: np.ndarray


def _draw_people(rng: np.random.Generator, persons: list[Person], zones: list[str], days: int) -> _People:
    n = len(persons)
    heavy = rng.random(n) < 0.03
    late_adopter = rng.random(n) < 0.30
    langs = [_LANGS_BY_DEPT.get(p.department, _LANGS_OTHER) for p in persons]
    return _People(
        persons=persons,
        zone=np.array([zones.index(p.timezone or "UTC") for p in persons], dtype=np.int64),
        base=np.clip(np.exp(rng.normal(0.0, 0.4, n)), 0.3, 1.8) * np.where(heavy, 1.6, 1.0),
        hours_mean=np.where(heavy, 9.5, rng.uniform(2.0, 6.0, n)),
        accept_rate=(rng.gamma(2.0, 2.5, n) + 1.0) * np.where(heavy, 2.5, 1.0),
        first_day=np.where(late_adopter, rng.integers(0, max(1, int(days * 0.6)), n), 0),
        until_day=np.array([p.active_until_day if p.active_until_day is not None else days for p in persons]),
        lang_main=np.array([_ALL_LANGS.index(ls[int(u * len(ls))]) for ls, u in zip(langs, rng.random(n),
                                                                                       strict=True)]),
        lang_other=rng.integers(0, len(_ALL_LANGS), n),
        ide=rng.choice(len(_IDES), n, p=_IDE_WEIGHTS),
        version_lag=rng.integers(0, 4, n),
        chat_user=rng.random(n) < 0.6,
        cascade_user=rng.random(n) < 0.55,
        pcw_ratio=rng.uniform(0.15, 0.55, n),
        command_share=rng.uniform(0.0, 0.25, n),
        cascade_lam=rng.uniform(15.0, 120.0, n),
        cascade_accept=rng.uniform(0.35, 0.85, n),
    )


def _active_days(rng: np.random.Generator, ppl: _People, start: date, days: int) -> np.ndarray:
    """A (person, local day) boolean matrix: adoption trend x personal propensity x weekday rhythm."""
    d = np.arange(days)
    trend = 0.35 + 0.30 * d / max(1, days - 1)
    weekend = np.array([(start + timedelta(days=int(i))).weekday() >= 5 for i in d])
    p = trend[None, :] * ppl.base[:, None] * np.where(weekend, _WEEKEND_FACTOR, 1.0)[None, :]
    window = (d[None, :] >= ppl.first_day[:, None]) & (d[None, :] < ppl.until_day[:, None])
    active = (rng.random(p.shape) < np.clip(p, 0.0, 0.97)) & window
    # Everyone with a history used the tool at least once.
    for i in np.flatnonzero(~active.any(axis=1)):
        hi = max(1, min(int(ppl.until_day[i]), days))
        lo = min(int(ppl.first_day[i]), hi - 1)
        active[i, int(rng.integers(lo, hi))] = True
    return active


def _late(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.where(rng.random(n) < _LATE_RATE, rng.integers(1, 3, n), 0)


def _corrupt(rng: np.random.Generator, records: list, kinds: Sequence[str], date_key: str, key_field: str,
             count_field: str) -> tuple[list[int], dict[str, int]]:
    """Break ~0.2% of the records in place, cycling through `kinds`; malformed ones never arrive late."""
    if not records:
        return [], {}
    n_bad = min(len(records), max(len(kinds), round(len(records) * _MALFORMED_RATE)))
    index = sorted(int(i) for i in rng.choice(len(records), n_bad, replace=False))
    counts: dict[str, int] = {}
    for j, i in enumerate(index):
        kind = kinds[j % len(kinds)]
        counts[kind] = counts.get(kind, 0) + 1
        rec = dict(records[i])
        rec["arrival_date"] = date.fromisoformat(rec[date_key])
        if kind == "missing_key":
            del rec[key_field]
        elif kind == "non_numeric":
            rec[count_field] = BAD_COUNT
        elif kind == "bad_date":
            rec[date_key] = BAD_DATE
        elif kind == "bad_hour":
            rec["hour"] = BAD_HOUR
        elif kind == "not_object":
            rec = NOT_AN_OBJECT
        records[i] = rec
    return index, counts


def generate_usage(company: Company, seed: int | None = None) -> Usage:
    """Usage records for every tool user of `company`; also completes `company.windsurf_users`' activity fields.

    Same company and seed give identical output. 2000 people x 90 days come to ~200k autocomplete rows.
    """
    seed = company.seed if seed is None else seed
    rng = np.random.default_rng([seed, 0x5EED])
    start, days = company.start, company.days
    persons = company.tool_users()
    zones = sorted({p.timezone or "UTC" for p in persons} | {"UTC"})
    ppl = _draw_people(rng, persons, zones, days)
    offsets = _utc_offsets(zones, start, days)
    active = _active_days(rng, ppl, start, days)

    # One row per active (person, local day); then the working hours of each.
    pd_p, pd_d = np.nonzero(active)
    weekend = np.array([(start + timedelta(days=int(i))).weekday() >= 5 for i in range(days)])[pd_d]
    hour_p = np.clip(ppl.hours_mean[pd_p] / len(_WORK_HOURS) * np.where(weekend, 0.5, 1.0), 0.0, 1.0)
    k = np.maximum(1, rng.binomial(len(_WORK_HOURS), hour_p))
    # Weighted sampling without replacement: the k smallest exponential races per row.
    races = rng.exponential(size=(len(pd_p), len(_WORK_HOURS))) / _HOUR_WEIGHT[None, :]
    order = np.argsort(races, axis=1)
    rows, cols = np.nonzero(np.arange(len(_WORK_HOURS))[None, :] < k[:, None])
    e_pd = rows
    e_local_hour = _WORK_HOURS[order[rows, cols]]
    e_p = pd_p[e_pd]
    minutes = pd_d[e_pd] * 1440 + e_local_hour * 60 + 30 - offsets[ppl.zone[e_p], pd_d[e_pd]]
    e_day, e_hour = minutes // 1440, (minutes % 1440) // 60
    keep = (e_day >= 0) & (e_day < days)
    e_p, e_day, e_hour, e_local_hour = e_p[keep], e_day[keep], e_hour[keep], e_local_hour[keep]
    srt = np.lexsort((e_p, e_hour, e_day))
    e_p, e_day, e_hour, e_local_hour = e_p[srt], e_day[srt], e_hour[srt], e_local_hour[srt]
    n = len(e_p)

    hour_w = _HOUR_WEIGHT[e_local_hour - _WORK_HOURS[0]]
    acc = 1 + rng.poisson(ppl.accept_rate[e_p] * hour_w * 0.8)
    lines = acc + rng.poisson(acc * 0.9)
    nbytes = lines * rng.integers(20, 50, n) + rng.integers(0, 30, n)
    lang = np.where(rng.random(n) < 0.75, ppl.lang_main[e_p], ppl.lang_other[e_p])
    release = np.maximum(0, (e_day + 28) // 14 - ppl.version_lag[e_p])
    versions = [f"1.{8 + r}.{r % 4}" for r in range(int(release.max(initial=0)) + 1)]

    day_str = [(start + timedelta(days=i)).isoformat() for i in range(days + 3)]
    day_obj = [start + timedelta(days=i) for i in range(days + 3)]
    keys = [p.api_key for p in persons]

    late = _late(rng, n)
    autocomplete = [
        {"api_key": keys[p], "date": day_str[d], "hour": h, "language": _ALL_LANGS[lg], "ide": _IDES[ide],
         "version": versions[v], "num_acceptances": a, "num_lines_accepted": ln, "num_bytes_accepted": b,
         "arrival_date": day_obj[d + lt]}
        for p, d, h, lg, ide, v, a, ln, b, lt in zip(
            e_p.tolist(), e_day.tolist(), e_hour.tolist(), lang.tolist(), ppl.ide[e_p].tolist(), release.tolist(),
            acc.tolist(), lines.tolist(), nbytes.tolist(), late.tolist(), strict=True)
    ]

    # Chat: a share of a chat user's active hours.
    c_mask = ppl.chat_user[e_p] & (rng.random(n) < 0.25)
    c_idx = np.flatnonzero(c_mask)
    nc = len(c_idx)
    c_model = rng.choice(len(_CHAT_MODELS), nc)
    c_intent = rng.choice(len(_INTENTS), nc, p=_INTENT_WEIGHTS)
    c_chats = 1 + rng.poisson(1.5, nc)
    c_loc = rng.poisson(c_chats * 6.0)
    c_late = _late(rng, nc)
    chat = [
        {"api_key": keys[p], "date": day_str[d], "hour": h, "model_id": _CHAT_MODELS[m],
         "latest_intent_type": _INTENTS[it], "ide": _IDES[ide], "version": versions[v], "num_chats_received": nch,
         "chat_loc_used": loc, "arrival_date": day_obj[d + lt]}
        for p, d, h, m, it, ide, v, nch, loc, lt in zip(
            e_p[c_idx].tolist(), e_day[c_idx].tolist(), e_hour[c_idx].tolist(), c_model.tolist(),
            c_intent.tolist(), ppl.ide[e_p[c_idx]].tolist(), release[c_idx].tolist(), c_chats.tolist(),
            c_loc.tolist(), c_late.tolist(), strict=True)
    ]

    # PCW: per person per UTC day, its autocomplete bytes are exactly that day's accepted bytes.
    pday = e_day * len(persons) + e_p
    uniq, inv = np.unique(pday, return_inverse=True)
    auto_bytes = np.bincount(inv, weights=nbytes).astype(np.int64)
    w_day, w_p = uniq // len(persons), uniq % len(persons)
    nw = len(uniq)
    cmd_bytes = np.round(auto_bytes * ppl.command_share[w_p] * rng.random(nw) * 2).astype(np.int64)
    codeium = auto_bytes + cmd_bytes
    ratio = np.clip(ppl.pcw_ratio[w_p] + rng.normal(0.0, 0.08, nw), 0.05, 0.9)
    user_bytes = np.round(codeium * (1.0 - ratio) / ratio).astype(np.int64)
    total = codeium + user_bytes
    w_late = _late(rng, nw)
    pcw = [
        {"api_key": keys[p], "date": day_str[d], "percent_code_written": round(c / t, 4), "codeium_bytes": c,
         "user_bytes": u, "total_bytes": t, "codeium_bytes_by_autocomplete": a, "codeium_bytes_by_command": m,
         "arrival_date": day_obj[d + lt]}
        for p, d, c, u, t, a, m, lt in zip(
            w_p.tolist(), w_day.tolist(), codeium.tolist(), user_bytes.tolist(), total.tolist(),
            auto_bytes.tolist(), cmd_bytes.tolist(), w_late.tolist(), strict=True)
    ]

    # Cascade: some active local days of Cascade users; the UTC day of local noon is unique per local day.
    s_mask = ppl.cascade_user[pd_p] & (rng.random(len(pd_p)) < 0.45)
    s_p, s_ld = pd_p[s_mask], pd_d[s_mask]
    s_day = (s_ld * 1440 + 720 - offsets[ppl.zone[s_p], s_ld]) // 1440
    ok = (s_day >= 0) & (s_day < days)
    s_p, s_day = s_p[ok], s_day[ok]
    srt = np.lexsort((s_p, s_day))
    s_p, s_day = s_p[srt], s_day[srt]
    ns = len(s_p)
    suggested = 1 + rng.poisson(ppl.cascade_lam[s_p])
    accepted = rng.binomial(suggested, ppl.cascade_accept[s_p])
    s_late = _late(rng, ns)
    emails = [p.windsurf_email for p in persons]
    cascade_lines = [
        {"email": emails[p], "day": day_str[d], "linesSuggested": s, "linesAccepted": a,
         "arrival_date": day_obj[d + lt]}
        for p, d, s, a, lt in zip(s_p.tolist(), s_day.tolist(), suggested.tolist(), accepted.tolist(),
                                  s_late.tolist(), strict=True)
    ]

    runs_per = 1 + rng.poisson(1.0, ns)
    r_src = np.repeat(np.arange(ns), runs_per)
    nr = len(r_src)
    r_model = rng.choice(len(_CASCADE_MODELS), nr)
    r_mode = rng.choice(len(_CASCADE_MODES), nr, p=_CASCADE_MODE_WEIGHTS)
    r_msgs = 1 + rng.poisson(4.0, nr)
    r_ids = rng.integers(0, 2**63, size=(nr, 2), dtype=np.int64).tolist()
    cascade_runs = [
        {"email": emails[s_p[s]], "day": day_str[s_day[s]], "model": _CASCADE_MODELS[m], "mode": _CASCADE_MODES[md],
         "messagesSent": msg, "cascadeId": str(uuid.UUID(int=(hi << 64) | lo, version=4)),
         "promptsUsed": msg * int(_CASCADE_MODEL_CENTS[m]), "arrival_date": day_obj[s_day[s] + s_late[s]]}
        for s, m, md, msg, (hi, lo) in zip(r_src.tolist(), r_model.tolist(), r_mode.tolist(), r_msgs.tolist(),
                                           r_ids, strict=True)
    ]

    usage = Usage(start=start, days=days, autocomplete=autocomplete, chat=chat, pcw=pcw,
                  cascade_lines=cascade_lines, cascade_runs=cascade_runs)
    _fill_user_table(rng, company, usage, persons, e_p, e_day, e_hour, c_idx, s_p, s_day, w_p, w_day, day_obj)

    usage_kinds = {
        "autocomplete": (("missing_key", "non_numeric", "bad_date", "bad_hour", "not_object"), "date", "api_key",
                         "num_acceptances"),
        "chat": (("missing_key", "non_numeric", "bad_date", "bad_hour", "not_object"), "date", "api_key",
                 "num_chats_received"),
        "pcw": (("missing_key", "non_numeric", "bad_date", "not_object"), "date", "api_key", "codeium_bytes"),
        "cascade_lines": (("missing_key", "non_numeric", "bad_date", "not_object"), "day", "email",
                          "linesAccepted"),
        "cascade_runs": (("missing_key", "non_numeric", "bad_date", "not_object"), "day", "email", "messagesSent"),
    }
    for name, (kinds, date_key, key_field, count_field) in usage_kinds.items():
        index, counts = _corrupt(rng, usage.records(name), kinds, date_key, key_field, count_field)
        usage.malformed_index[name] = index
        usage.malformed_kinds[name] = counts
        usage.malformed_count[name] = len(index)
    return usage


def _fill_user_table(rng: np.random.Generator, company: Company, usage: Usage, persons: list[Person],
                     e_p: np.ndarray, e_day: np.ndarray, e_hour: np.ndarray, c_idx: np.ndarray,
                     s_p: np.ndarray, s_day: np.ndarray, w_p: np.ndarray, w_day: np.ndarray,
                     day_obj: list[date]) -> None:
    """Active days and last-use times per Windsurf user, from the generated (well-formed) history."""
    n = len(persons)
    slot = e_day * 24 + e_hour
    last_auto = np.full(n, -1)
    np.maximum.at(last_auto, e_p, slot)
    last_chat = np.full(n, -1)
    np.maximum.at(last_chat, e_p[c_idx], slot[c_idx])
    # Windsurf reports Cascade use as "chat" use on the user page.
    np.maximum.at(last_chat, s_p, s_day * 24 + 17)
    active_sets: list[set[int]] = [set() for _ in range(n)]
    for p, d in zip(np.concatenate([w_p, s_p]).tolist(), np.concatenate([w_day, s_day]).tolist(), strict=True):
        active_sets[p].add(d)
    by_key = {p.api_key: i for i, p in enumerate(persons)}
    bits = rng.integers(0, 2**40, size=(len(company.windsurf_users), 3)).tolist()

    def stamp(s: int, b: int) -> str:
        return _iso_timestamp(day_obj[s // 24], s % 24, b)

    for row, (b1, b2, b3) in zip(company.windsurf_users, bits, strict=True):
        i = by_key.get(row["apiKey"])
        times: dict[str, str] = {}
        if i is not None and last_auto[i] >= 0:
            times["lastAutocompleteUsageTime"] = stamp(int(last_auto[i]), b1)
        if i is not None and last_chat[i] >= 0:
            times["lastChatUsageTime"] = stamp(int(last_chat[i]), b2)
        invited = _iso_timestamp(company.start - timedelta(days=1 + b3 % 60), b3 % 24, b3)
        dates = sorted(day_obj[d].isoformat() for d in active_sets[i]) if i is not None else []
        usage.active_dates[row["apiKey"]] = dates
        new = {"name": row["name"], "email": row["email"], "lastUpdateTime": max(times.values(), default=invited),
               "apiKey": row["apiKey"], "activeDays": len(dates)}
        if row.get("disableCodeium"):
            new["disableCodeium"] = True
        new.update(times)
        new["teamStatus"] = row["teamStatus"]
        row.clear()
        row.update(new)
    usage.user_table = company.windsurf_users
