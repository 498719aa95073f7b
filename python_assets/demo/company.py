"""The demo company's people: the Microsoft Graph directory, the AI-tool group, and the Windsurf user table.

Everything is drawn from one `random.Random(seed)`, so the same arguments give byte-identical output.
"""

from __future__ import annotations

import hashlib
import random
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from python_assets.demo.org import OrgEvent, OrgPlan, plan_events, shape_org

DEMO_START = date(2026, 8, 10)
# 90 days from DEMO_START cross Sydney's DST start (2026-10-04), the EU's end (10-25) and the US's end (11-01).
DEMO_DAYS = 90

DOMAIN = "acme.example"
TENANT_DOMAIN = "acme.onmicrosoft.com"
LEGACY_DOMAIN = "acme-labs.example"
CONTRACTOR_DOMAIN = "partner-dev.example"

AI_SKU_ID = "6f1e3c2a-9d4b-4c1e-8a7f-2b5d9e0c4a11"
OFFICE_SKU_ID = "05e9a617-0261-4cee-bb44-138d3ef5d965"
AI_GROUP_ID = "0b7c8d9e-1f2a-4b3c-9d8e-7f6a5b4c3d2e"
AI_GROUP_NAME = "AI Coding Assistant Users"
AI_PILOT_GROUP_ID = "3a9f5c1d-7e2b-4d8a-b6c4-1f0e9d8c7b6a"
AI_PILOT_GROUP_NAME = "AI Coding Assistant Pilot"
CONTRACTOR_GROUP = "Contractors"

# The dbt seed maps the same strings to the same zones; keep the two in step.
OFFICE_TIMEZONES: dict[str, str] = {
    "San Francisco": "America/Los_Angeles",
    "New York": "America/New_York",
    "Sao Paulo": "America/Sao_Paulo",
    "London": "Europe/London",
    "Berlin": "Europe/Berlin",
    "Bangalore": "Asia/Kolkata",
    "Shanghai": "Asia/Shanghai",
    "Tokyo": "Asia/Tokyo",
    "Sydney": "Australia/Sydney",
}
_OFFICE_WEIGHTS = [20, 12, 6, 12, 8, 18, 8, 8, 8]
_UNPLACED_RATE = 0.005  # officeLocation None or "Remote": no timezone known from the directory

TEAM_STATUS_APPROVED = "USER_TEAM_STATUS_APPROVED"
TEAM_STATUS_PENDING = "USER_TEAM_STATUS_PENDING"


@dataclass(frozen=True)
class _Department:
    name: str
    weight: float  # share of the non-tiny headcount
    licence_rate: float
    titles: tuple[str, ...]
    fixed_size: int = 0  # tiny departments have a fixed headcount below the suppression threshold


_DEPARTMENTS = (
    _Department("Engineering", 38, 0.95, ("Software Engineer", "Senior Software Engineer", "Staff Engineer",
                                          "Site Reliability Engineer", "QA Engineer")),
    _Department("Data Science", 10, 0.90, ("Data Scientist", "Data Engineer", "ML Engineer",
                                           "Analytics Engineer")),
    _Department("Product", 8, 0.80, ("Product Manager", "Senior Product Manager", "Technical Program Manager")),
    _Department("Design", 5, 0.70, ("Product Designer", "UX Researcher")),
    _Department("Sales", 14, 0.45, ("Account Executive", "Sales Engineer", "Sales Development Representative")),
    _Department("Marketing", 7, 0.50, ("Marketing Manager", "Content Strategist", "Growth Analyst")),
    _Department("Customer Success", 9, 0.50, ("Support Engineer", "Customer Success Manager")),
    _Department("Finance", 5, 0.40, ("Financial Analyst", "Accountant")),
    _Department("People", 4, 0.35, ("HR Business Partner", "Recruiter")),
    _Department("Legal", 0, 0.50, ("Counsel", "Paralegal"), fixed_size=4),
    _Department("Executive Office", 0, 1.0, ("Chief of Staff", "Executive Assistant"), fixed_size=3),
)

_FIRST_NAMES = (
    "Aarav", "Aiko", "Alejandro", "Amara", "Ana", "Anders", "Ananya", "Arjun", "Ava", "Ben", "Bruno", "Camila",
    "Carlos", "Chen", "Chloé", "Daniel", "Deepa", "Diego", "Elena", "Emeka", "Emma", "Erik", "Fatima", "Felix",
    "François", "Gabriel", "Grace", "Hana", "Hannah", "Haruto", "Isabel", "Ivan", "Jack", "James", "Jane", "Jia",
    "João", "José", "Julia", "Kai", "Kavya", "Kenji", "Lars", "Laura", "Lea", "Leon", "Li", "Liam", "Lucas",
    "Maja", "Maria", "Mateo", "Mei", "Mia", "Mohammed", "Nadia", "Naveen", "Noah", "Nora", "Oliver", "Olivia",
    "Omar", "Priya", "Rahul", "Renée", "Ricardo", "Sakura", "Sam", "Sara", "Siddharth", "Sofia", "Søren", "Tariq",
    "Thomas", "Wei", "Xin", "Yuki", "Yusuf", "Zara", "Zoë",
)
_LAST_NAMES = (
    "Adeyemi", "Alves", "Andersen", "Bauer", "Becker", "Brown", "Chen", "Costa", "Das", "Davies", "Doe", "Evans",
    "Fernandes", "Fischer", "García", "Gomes", "Gupta", "Hansen", "Hoffmann", "Huang", "Iyer", "Ito", "Jackson",
    "Johansson", "Kato", "Khan", "Kim", "Kobayashi", "Kumar", "Lee", "Li", "Liu", "Lopez", "Martin", "Meyer",
    "Mishra", "Müller", "Murphy", "Nair", "Nakamura", "Nguyen", "Nielsen", "O'Brien", "Okafor", "Oliveira",
    "Patel", "Pereira", "Reddy", "Rossi", "Santos", "Sato", "Schmidt", "Schneider", "Shah", "Silva", "Singh",
    "Smith", "Sousa", "Suzuki", "Tanaka", "Taylor", "Thompson", "Wagner", "Walker", "Wang", "Watanabe", "Weber",
    "White", "Williams", "Wilson", "Wong", "Wu", "Xu", "Yamamoto", "Yang", "Zhang", "Zhao", "Zhou",
)


@dataclass
class Person:
    """One person, with both the directory's and the Windsurf side's view of them."""

    id: str
    given_name: str
    surname: str
    display_name: str
    mail: str
    user_principal_name: str
    other_mails: list[str]
    aliases: list[str]  # secondary SMTP addresses (lower-case `smtp:` entries of proxyAddresses)
    job_title: str
    department: str
    office: str | None
    employee_id: str
    enabled: bool = True
    licensed: bool = False
    in_directory: bool = True
    windsurf_email: str | None = None  # spelled as Windsurf has it; None = no Windsurf row
    api_key: str | None = None
    uses_tool: bool = False  # has a usage history; False with a row = invited, never used
    active_until_day: int | None = None  # day index where a disabled person's usage stops

    @property
    def timezone(self) -> str | None:
        """The IANA zone of the person's office; None when the office is unknown."""
        return OFFICE_TIMEZONES.get(self.office or "")

    @property
    def addresses(self) -> list[str]:
        """Every address the person is known by, primary first, without repeats."""
        seen: list[str] = []
        for addr in [self.mail, self.user_principal_name, *self.aliases, *self.other_mails]:
            if addr and addr.lower() not in {s.lower() for s in seen}:
                seen.append(addr)
        return seen


@dataclass
class Company:
    seed: int
    start: date
    days: int
    people: list[Person]  # the directory, in graph_users order
    contractors: list[Person]  # Windsurf users that the directory does not know
    graph_users: list[dict]
    groups: dict[str, dict]  # group id -> {"id", "displayName", "members": [user or group ids]} (direct members)
    managers: dict[str, str]  # user id -> direct manager's id at the start (cycles and orphans included)
    windsurf_users: list[dict]  # UserPageAnalytics rows; generate_usage fills the activity fields
    windsurf_groups: dict[str, list[str]]  # Windsurf group_name -> apiKeys
    deny_list_emails: list[str]
    org: OrgPlan | None = None  # the bad data planted in the org, and the changes during the range
    joiners: list[Person] = field(default_factory=list)  # people who join the directory during the range
    _by_id: dict[str, Person] = field(default_factory=dict, repr=False)
    _states: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {p.id: p for p in self.people}

    @property
    def end(self) -> date:
        """The last day of the history (inclusive)."""
        return self.start + timedelta(days=self.days - 1)

    @property
    def org_events(self) -> list[OrgEvent]:
        return self.org.events if self.org else []

    def directory_on(self, day: date) -> tuple[list[dict], dict[str, str]]:
        """The directory as Graph shows it on `day`: (users in directory order, user id -> manager id)."""
        state = self._states.get(day)
        if state is None:
            users = {u["id"]: u for u in self.graph_users}
            managers = dict(self.managers)
            joiners = {p.id: p for p in self.joiners}
            for event in self.org_events:
                if event.day > day:
                    break
                if event.kind == "leave":
                    users.pop(event.person_id, None)
                    managers.pop(event.person_id, None)
                    continue
                if event.kind == "join":
                    users[event.person_id] = _graph_user(joiners[event.person_id])
                users[event.person_id] = {**users[event.person_id], "department": event.department}
                managers[event.person_id] = event.manager_id
            state = self._states[day] = (list(users.values()), managers)
        return state

    def removal_reason(self, user_id: str) -> str | None:
        """Graph's @removed reason for someone who left the directory during the range."""
        return next((e.removal for e in self.org_events if e.kind == "leave" and e.person_id == user_id), None)

    def person(self, user_id: str) -> Person:
        return self._by_id[user_id]

    def tool_users(self) -> list[Person]:
        """Everyone with a usage history: licensed people who used the tool, and contractors."""
        return [p for p in [*self.people, *self.contractors] if p.uses_tool]

    def transitive_member_ids(self, group_id: str) -> list[str]:
        """Users and groups reachable from `group_id`, each once, in discovery order."""
        seen: dict[str, None] = {}
        stack = list(reversed(self.groups[group_id]["members"]))
        while stack:
            member = stack.pop()
            if member in seen:
                continue
            seen[member] = None
            if member in self.groups:
                stack.extend(reversed(self.groups[member]["members"]))
        return list(seen)


def normalize_email(email: str) -> str:
    """The join form of an address: trimmed and lower-cased."""
    return email.strip().lower()


def timezone_of(person: Person | Mapping) -> str | None:
    """The IANA zone for a Person or a Graph user dict, via its office; None for unknown offices."""
    office = person.office if isinstance(person, Person) else person.get("officeLocation")
    return OFFICE_TIMEZONES.get(office or "")


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded if ch.isalnum())


def _guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _department_sizes(people: int) -> list[int]:
    fixed = sum(d.fixed_size for d in _DEPARTMENTS)
    rest = max(0, people - fixed)
    total_weight = sum(d.weight for d in _DEPARTMENTS)
    raw = [rest * d.weight / total_weight for d in _DEPARTMENTS]
    sizes = [d.fixed_size or int(r) for d, r in zip(_DEPARTMENTS, raw, strict=True)]
    # Largest remainder, so the sizes add up exactly.
    order = sorted(range(len(raw)), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    for i in order[: people - sum(sizes)]:
        if not _DEPARTMENTS[i].fixed_size:
            sizes[i] += 1
    return sizes


class _Addresses:
    """Hands out addresses unique across the company, case-insensitively."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def claim(self, local: str, domain: str) -> str:
        n = 1
        while True:
            addr = f"{local}{n if n > 1 else ''}@{domain}"
            if addr.lower() not in self.taken:
                self.taken.add(addr.lower())
                return addr
            n += 1


def _make_person(rng: random.Random, addrs: _Addresses, index: int, dept: _Department) -> Person:
    given, surname = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
    mail = addrs.claim(f"{_ascii(given)}.{_ascii(surname)}", DOMAIN)
    upn, other_mails, aliases = mail, [], []
    # ~20% carry 2-3 addresses; joins must map every one of them back to the person.
    if rng.random() < 0.20:
        short = f"{_ascii(given)[0]}{_ascii(surname)}".lower()
        for kind in rng.sample(["alias", "upn", "other"], rng.choice([1, 1, 2])):
            if kind == "alias":
                aliases.append(addrs.claim(short, DOMAIN))
            elif kind == "upn":
                upn = addrs.claim(short, TENANT_DOMAIN)
            else:
                other_mails.append(addrs.claim(f"{_ascii(given).lower()}.{_ascii(surname).lower()}", LEGACY_DOMAIN))
    roll = rng.random()
    if roll < _UNPLACED_RATE / 2:
        office = None
    elif roll < _UNPLACED_RATE:
        office = "Remote"
    else:
        office = rng.choices(list(OFFICE_TIMEZONES), weights=_OFFICE_WEIGHTS)[0]
    return Person(
        id=_guid(rng), given_name=given, surname=surname, display_name=f"{given} {surname}", mail=mail,
        user_principal_name=upn, other_mails=other_mails, aliases=aliases, job_title=rng.choice(dept.titles),
        department=dept.name, office=office, employee_id=f"E{100000 + index}",
    )


def _build_org(people: list[Person], seed: int) -> OrgPlan:
    """A tree under the CEO with a span of control of 4-8, shaped by org.shape_org: one line MAX_DEPTH deep,
    three manager cycles (one with a tail) and three orphans."""
    managers: dict[str, str] = {}
    by_dept: dict[str, list[Person]] = {}
    for p in people:
        by_dept.setdefault(p.department, []).append(p)
    ceo = by_dept["Executive Office"][0]
    ceo.job_title = "Chief Executive Officer"
    for dept, members in by_dept.items():
        members = [m for m in members if m is not ceo]
        if not members:
            continue
        head = members[0]
        head.job_title = f"VP, {dept}"
        managers[head.id] = ceo.id
        # Breadth-first with a span of control of 4-8: the last people placed are leaves.
        queue, cursor, reports = [head], 0, 0
        for p in members[1:]:
            boss = queue[cursor]
            managers[p.id] = boss.id
            queue.append(p)
            reports += 1
            if reports >= 4 + hash_int(boss.id) % 5:
                cursor, reports = cursor + 1, 0
    plan = shape_org(managers, {d: [m.id for m in ms] for d, ms in by_dept.items()}, ceo.id, seed)
    bosses = set(plan.managers.values())
    for p in people:
        if p.id in bosses and p.job_title in _titles_of(p.department):
            p.job_title = f"Manager, {p.department}"
    return plan


def hash_int(text: str) -> int:
    """A stable small integer from a string (Python's hash() is salted per process)."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def _titles_of(dept_name: str) -> tuple[str, ...]:
    return next(d.titles for d in _DEPARTMENTS if d.name == dept_name)


def _graph_user(p: Person) -> dict:
    proxies = [f"SMTP:{p.mail}", *[f"smtp:{a}" for a in p.aliases]]
    if p.user_principal_name.lower() != p.mail.lower():
        proxies.append(f"smtp:{p.user_principal_name}")
    licences = [{"skuId": OFFICE_SKU_ID, "disabledPlans": []}]
    if p.licensed:
        licences.append({"skuId": AI_SKU_ID, "disabledPlans": []})
    return {
        "id": p.id,
        "displayName": p.display_name,
        "givenName": p.given_name,
        "surname": p.surname,
        "mail": p.mail,
        "userPrincipalName": p.user_principal_name,
        "otherMails": list(p.other_mails),
        "proxyAddresses": proxies,
        "jobTitle": p.job_title,
        "department": p.department,
        "officeLocation": p.office,
        "employeeId": p.employee_id,
        "accountEnabled": p.enabled,
        "assignedLicenses": licences,
        "businessPhones": [],
        "mobilePhone": None,
        "preferredLanguage": None,
    }


def _windsurf_spelling(rng: random.Random, p: Person) -> str:
    """The address Windsurf knows the person by: usually their mail, ~15% another address or a variant."""
    if rng.random() >= 0.15:
        return p.mail
    extras = [a for a in p.addresses if a.lower() != p.mail.lower()]
    if extras and rng.random() < 0.6:
        return rng.choice(extras)
    local, domain = p.mail.split("@")
    return rng.choice([
        p.mail.lower(),
        f"{local}@{domain.upper()}",
        p.mail.upper(),
        f"{p.mail}  ",
        f" {p.mail.lower()}",
    ])


def _api_key(seed: int, person_id: str) -> str:
    return hashlib.sha256(f"flywheel-demo:{seed}:{person_id}".encode()).hexdigest()


def generate_company(seed: int = 7, people: int = 2000, start: date = DEMO_START, days: int = DEMO_DAYS) -> Company:
    """A deterministic company of `people` directory users plus ~1% Windsurf-only contractors."""
    if people < 60:
        raise ValueError("the demo company needs at least 60 people (tiny departments, group nesting, a cycle)")
    rng = random.Random(seed)
    addrs = _Addresses()
    sizes = _department_sizes(people)
    depts = [d for d, n in zip(_DEPARTMENTS, sizes, strict=True) for _ in range(n)]
    rng.shuffle(depts)
    persons = [_make_person(rng, addrs, i, d) for i, d in enumerate(depts)]
    by_name = {d.name: d for d in _DEPARTMENTS}

    for p in persons:
        p.licensed = rng.random() < by_name[p.department].licence_rate
        p.enabled = rng.random() >= 0.03

    plan = _build_org(persons, seed)

    # Windsurf rows: licensed people who used the tool; ~8% of licensed never did (half of those have no row).
    for p in persons:
        if not p.licensed:
            continue
        roll = rng.random()
        never_used = roll < 0.08
        if never_used and roll < 0.04:
            continue
        p.api_key = _api_key(seed, p.id)
        p.windsurf_email = _windsurf_spelling(rng, p)
        p.uses_tool = not never_used
        if not p.enabled and p.uses_tool:
            # A disabled account stops using the tool part-way through the history.
            p.active_until_day = rng.randint(days // 5, max(days // 5 + 1, days * 4 // 5))

    n_tool_rows = sum(1 for p in persons if p.api_key)
    contractors: list[Person] = []
    for i in range(max(2, round(n_tool_rows * 0.01))):
        given, surname = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        mail = addrs.claim(f"{_ascii(given).lower()}.{_ascii(surname).lower()}", CONTRACTOR_DOMAIN)
        c = Person(
            id=_guid(rng), given_name=given, surname=surname, display_name=f"{given} {surname}", mail=mail,
            user_principal_name=mail, other_mails=[], aliases=[], job_title="Contractor",
            department=CONTRACTOR_GROUP, office=rng.choices(list(OFFICE_TIMEZONES), weights=_OFFICE_WEIGHTS)[0],
            employee_id=f"C{9000 + i}", licensed=True, in_directory=False, windsurf_email=mail, uses_tool=True,
        )
        c.api_key = _api_key(seed, c.id)
        contractors.append(c)

    # Licensed people reach the AI group either directly or through the nested pilot group (a few through both).
    licensed = [p for p in persons if p.licensed]
    direct, nested = [], []
    for p in licensed:
        roll = rng.random()
        if roll < 0.78:
            direct.append(p.id)
        elif roll < 0.98:
            nested.append(p.id)
        else:
            direct.append(p.id)
            nested.append(p.id)
    groups = {
        AI_GROUP_ID: {"id": AI_GROUP_ID, "displayName": AI_GROUP_NAME, "members": [*direct, AI_PILOT_GROUP_ID]},
        AI_PILOT_GROUP_ID: {"id": AI_PILOT_GROUP_ID, "displayName": AI_PILOT_GROUP_NAME, "members": nested},
    }

    windsurf_groups: dict[str, list[str]] = {}
    windsurf_users: list[dict] = []
    for p in [*persons, *contractors]:
        if not p.api_key:
            continue
        windsurf_groups.setdefault(p.department, []).append(p.api_key)
        row = {
            "name": p.display_name,
            "email": p.windsurf_email,
            "apiKey": p.api_key,
            "teamStatus": TEAM_STATUS_APPROVED if p.uses_tool else TEAM_STATUS_PENDING,
        }
        if not p.enabled:
            row["disableCodeium"] = True
        windsurf_users.append(row)

    # Two active users who asked to be left out; one is spelled differently on the Windsurf side when possible.
    candidates = [p for p in persons if p.enabled and p.uses_tool and p.department != "Executive Office"]
    plain = [p for p in candidates if p.windsurf_email == p.mail]
    variant = [p for p in candidates if p.windsurf_email != p.mail]
    deny = [rng.choice(plain), rng.choice(variant or [p for p in plain])]
    if deny[0] is deny[1]:
        deny[1] = next(p for p in plain if p is not deny[0])

    # Addresses two people claim (a shared mailbox alias, a recycled otherMail): joins must leave them out.
    conflict_rng = random.Random(f"conflicts:{seed}")
    pool = [p for p in persons if p not in deny]
    for kind, (a, b) in zip(("alias", "other"), (conflict_rng.sample(pool, 2), conflict_rng.sample(pool, 2)),
                            strict=True):
        if kind == "alias":
            shared = addrs.claim(f"team.{_ascii(a.department).lower()}", DOMAIN)
            a.aliases.append(shared)
            b.aliases.append(shared.upper() if conflict_rng.random() < 0.5 else shared)
        else:
            shared = addrs.claim(f"{_ascii(a.given_name).lower()}.former", LEGACY_DOMAIN)
            a.other_mails.append(shared)
            b.other_mails.append(f" {shared.lower()} ")

    # Org changes during the range, from their own generator so the rest of the company stays as it was.
    org_rng = random.Random(f"joiners:{seed}")
    joiners = [_make_person(org_rng, addrs, people + i, by_name[dept])
               for i, dept in enumerate(("Engineering", "Product", "Sales"))]
    stayers = [p.id for p in persons if p.enabled and not p.licensed and not p.api_key and p not in deny]
    plan.events = plan_events(plan, {p.id: p.department for p in persons}, stayers,
                              [(j.id, j.department) for j in joiners], start, days, seed)

    return Company(
        seed=seed, start=start, days=days, people=persons, contractors=contractors,
        graph_users=[_graph_user(p) for p in persons], groups=groups, managers=plan.managers,
        windsurf_users=windsurf_users, windsurf_groups=windsurf_groups,
        deny_list_emails=[p.mail for p in deny], org=plan, joiners=joiners,
    )
