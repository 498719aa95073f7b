"""The organisation's own dictionaries: what only the company knows is sensitive.

- people: every directory person's display name and email local parts (from the latest `raw/graph/users` sync);
- codenames: customer and project names that are confidential (`FLYWHEEL_PII_CODENAMES`, comma-separated);
- employee ids: the directory's `employee_id` values, and any text matching `FLYWHEEL_PII_EMPLOYEE_ID` (a regex);
- internal hosts: hostnames and URLs under `FLYWHEEL_PII_INTERNAL_DOMAINS` (comma-separated domain suffixes).

Lookups are by token, not by one regex per entry: a directory of 200,000 people costs a set lookup per word."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_WORD = re.compile(r"[^\W_]+(?:(?:['’](?![sS]\b)|[.-])[^\W_]+)*")  # "O'Neil", "Jean-Luc"; not "Initech's"
_LOCAL_PART = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._+-]*[A-Za-z0-9](?![\w@+-]|\.\w)")
MIN_LOCAL_PART = 5  # shorter local parts ("ann", "ops") are words as often as people
MAX_NAME_WORDS = 5


def _words(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group().casefold()) for m in _WORD.finditer(text)]


@dataclass
class OrgDictionary:
    """Phrases by kind (case-folded word tuples), matched on word boundaries; longest first."""

    people: set[tuple[str, ...]] = field(default_factory=set)
    local_parts: set[str] = field(default_factory=set)
    codenames: set[tuple[str, ...]] = field(default_factory=set)
    employee_ids: set[str] = field(default_factory=set)
    employee_id_pattern: re.Pattern | None = None
    internal_host: re.Pattern | None = None

    def __post_init__(self):
        self._longest = max(map(len, self.people | self.codenames), default=0)  # words in the longest phrase

    @classmethod
    def build(cls, names: Iterable[str] = (), emails: Iterable[str] = (), codenames: Iterable[str] = (),
              employee_ids: Iterable[str] = (), employee_id_pattern: str | None = None,
              internal_domains: Iterable[str] = ()) -> OrgDictionary:
        people = {tuple(w for _, _, w in _words(n)) for n in names if n}
        people = {p for p in people if 2 <= len(p) <= MAX_NAME_WORDS}  # a lone given name is too common a word
        locals_ = {e.split("@", 1)[0].casefold() for e in emails if e and "@" in e}
        locals_ = {lp for lp in locals_ if len(lp) >= MIN_LOCAL_PART and any(c in lp for c in "._-")}
        codes = {tuple(w for _, _, w in _words(c)) for c in codenames if c and c.strip()}
        domains = [d.strip().lstrip(".").lower() for d in internal_domains if d and d.strip()]
        host = None
        if domains:
            suffix = "|".join(re.escape(d) for d in sorted(domains, key=len, reverse=True))
            host = re.compile(rf"(?<![\w.-])(?:[a-z][a-z0-9+.-]*://)?(?:[\w-]+\.)*(?:{suffix})(?![\w-])"
                              rf"(?::\d+)?(?:/[^\s\"'<>)\]]*)?", re.IGNORECASE)
        return cls(people, locals_, {c for c in codes if c}, {i.strip() for i in employee_ids if i and i.strip()},
                   re.compile(employee_id_pattern) if employee_id_pattern else None, host)

    def __bool__(self) -> bool:
        return bool(self.people or self.local_parts or self.codenames or self.employee_ids
                    or self.employee_id_pattern or self.internal_host)

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, entity) of every dictionary entry in `text`: PERSON (a directory name or email local part),
        CODENAME, EMPLOYEE_ID, INTERNAL_HOST."""
        found: list[tuple[int, int, str]] = []
        if self.internal_host is not None and "." in text:
            found += [(m.start(), m.end(), "INTERNAL_HOST") for m in self.internal_host.finditer(text)]
        if self.employee_id_pattern is not None:
            found += [(m.start(), m.end(), "EMPLOYEE_ID") for m in self.employee_id_pattern.finditer(text)]
        if self.people or self.codenames or self.employee_ids:
            words = _words(text)
            for i, (start, _, word) in enumerate(words):
                if word in self.employee_ids or text[start: words[i][1]] in self.employee_ids:
                    found.append((start, words[i][1], "EMPLOYEE_ID"))
                for n in range(min(self._longest, len(words) - i), 0, -1):
                    phrase = tuple(w for _, _, w in words[i: i + n])
                    kind = "PERSON" if phrase in self.people else "CODENAME" if phrase in self.codenames else None
                    if kind is not None:
                        found.append((start, words[i + n - 1][1], kind))
                        break
        if self.local_parts:
            found += [(m.start(), m.end(), "PERSON") for m in _LOCAL_PART.finditer(text)
                      if m.group().casefold() in self.local_parts]
        return found


def from_config(roster_rows: Iterable[dict] = (), env: dict[str, str] | None = None) -> OrgDictionary:
    """The dictionary from directory rows (display_name, mail, user_principal_name, other_mails, employee_id) and
    the FLYWHEEL_PII_* settings."""
    env = os.environ if env is None else env
    names, emails, ids = [], [], []
    for row in roster_rows:
        names.append(row.get("display_name") or "")
        emails += [row.get("mail") or "", row.get("user_principal_name") or ""]
        emails += [e for e in re.split(r"[\s,;\[\]\"]+", row.get("other_mails") or "") if "@" in e]
        ids.append(row.get("employee_id") or "")
    return OrgDictionary.build(
        names, emails, _listed(env.get("FLYWHEEL_PII_CODENAMES", "")), ids,
        env.get("FLYWHEEL_PII_EMPLOYEE_ID") or None, _listed(env.get("FLYWHEEL_PII_INTERNAL_DOMAINS", "")))


def _listed(value: str) -> list[str]:
    """A comma-separated setting, or `@path` of a file with one entry per line."""
    if value.startswith("@"):
        with open(value[1:], encoding="utf-8") as fh:
            return [line.strip() for line in fh if line.strip() and not line.startswith("#")]
    return [v.strip() for v in value.split(",") if v.strip()]


def from_lake(env: dict[str, str] | None = None) -> OrgDictionary:
    """The dictionary from the latest directory sync in the lake (none yet: the settings alone)."""
    from python_assets.lake import tables

    columns = ["display_name", "mail", "user_principal_name", "other_mails", "employee_id", "_partition_date"]
    users = tables.read_table("raw/graph/users", columns=columns) if tables.table_exists("raw/graph/users") else None
    rows: list[dict] = []
    if users is not None and users.num_rows:
        import pyarrow.compute as pc

        latest = pc.max(users["_partition_date"])
        rows = users.filter(pc.equal(users["_partition_date"], latest)).to_pylist()
    return from_config(rows, env)
