"""The demo company's org over time: a reporting tree with the bad data real directories hold, and the changes a
directory sees during the demo range (people moving teams, joining, leaving).

The tree is built from the company's structure alone; the changes are drawn from their own `random.Random`, so
adding them leaves every other part of the company (and its usage) exactly as it was.
"""

from __future__ import annotations

import random
import uuid
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

MAX_DEPTH = 12  # the deepest reporting line: the CEO is level 1


@dataclass(frozen=True)
class OrgEvent:
    """One directory change, visible from `day` on."""

    day: date
    kind: str  # "move" | "join" | "leave"
    person_id: str
    manager_id: str | None = None  # move / join: the new manager
    department: str | None = None  # move / join: the new department
    removal: str | None = None  # leave: Graph's @removed reason, "deleted" or "changed" (soft-deleted)


@dataclass
class OrgPlan:
    """What the org generator decided, for the tests and the fake API to read."""

    root: str  # the top of the org (the CEO)
    managers: dict[str, str]  # the initial state: user id -> direct manager id
    cycles: list[list[str]]  # each deliberate cycle, in reporting order
    cycle_tails: list[str]  # people outside a cycle whose chain runs into one
    orphans: list[str]  # people whose manager is not in the directory
    missing_managers: list[str]  # the ids those orphans point at
    deep_line: list[str] = field(default_factory=list)  # the MAX_DEPTH reporting line, top to bottom
    events: list[OrgEvent] = field(default_factory=list)


def depths(managers: dict[str, str], root: str) -> dict[str, int]:
    """Level of everyone the root reaches (root = 1); people in or below a cycle are absent."""
    reports: dict[str, list[str]] = {}
    for person, boss in managers.items():
        reports.setdefault(boss, []).append(person)
    out, frontier = {root: 1}, [root]
    while frontier:
        nxt = []
        for boss in frontier:
            for person in reports.get(boss, []):
                if person not in out:
                    out[person] = out[boss] + 1
                    nxt.append(person)
        frontier = nxt
    return out


def reporting_chains(managers: dict[str, str | None]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Everyone's reporting chain, in plain Python: the reference the SQL walk (int_manager_chains) is tested and
    benchmarked against. A queue (BFS) down from the tops (no manager, or one not in the directory) gives
    everyone's chain; whoever it never reaches sits in or below a cycle, found by walking up until a repeat.
    Returns (chains: person -> ids top..person, cycles: person in a cycle -> the cycle starting at them)."""
    reports: dict[str, list[str]] = {}
    tops = []
    for person, boss in managers.items():
        if boss is None or boss not in managers:
            tops.append(person)
        else:
            reports.setdefault(boss, []).append(person)
    chains: dict[str, list[str]] = {}
    queue: deque[str] = deque()
    for top in tops:
        chains[top] = [top]
        queue.append(top)
    while queue:
        boss = queue.popleft()
        for person in reports.get(boss, ()):
            chains[person] = chains[boss] + [person]
            queue.append(person)
    cycles: dict[str, list[str]] = {}
    for person in managers:
        if person in chains:
            continue
        path, seen = [person], {person}
        cur = managers[person]
        while cur not in seen:
            path.append(cur)
            seen.add(cur)
            cur = managers[cur]
        ring = path[path.index(cur):]
        if cur == person:
            cycles[person] = ring
        chains[person] = path[::-1]  # stops at the cycle: its top is the member the walk reached last
    return chains, cycles


def subtree(managers: dict[str, str], top: str) -> set[str]:
    """`top` and everyone below them."""
    reports: dict[str, list[str]] = {}
    for person, boss in managers.items():
        reports.setdefault(boss, []).append(person)
    seen, stack = {top}, [top]
    while stack:
        for person in reports.get(stack.pop(), []):
            if person not in seen:
                seen.add(person)
                stack.append(person)
    return seen


def shape_org(managers: dict[str, str], by_dept: dict[str, list[str]], ceo: str, seed: int) -> OrgPlan:
    """Deepen one reporting line to MAX_DEPTH and plant the bad data: three cycles (one with a tail) and three
    orphans. `by_dept` lists each department's people in placement order (leaves last)."""
    managers = dict(managers)
    rng = random.Random(f"org:{seed}")
    bosses = set(managers.values())

    def leaves(dept: str, n: int, taken: set[str]) -> list[str]:
        pool = [p for p in reversed(by_dept.get(dept, [])) if p not in bosses and p not in taken and p != ceo]
        return pool[:n] if len(pool) >= n else []

    used: set[str] = set()
    deep: list[str] = []
    # A long line: hang leaves under the deepest engineering leaf until the line is MAX_DEPTH deep.
    level = depths(managers, ceo)
    eng = [p for p in by_dept.get("Engineering", []) if p in level]
    if eng:
        bottom = max(eng, key=lambda p: (level[p], p))
        line = [p for p in leaves("Engineering", MAX_DEPTH - level[bottom] + 1, {bottom}) if p != bottom]
        for upper, lower in zip([bottom, *line], line, strict=False):
            if level.get(upper, 0) >= MAX_DEPTH:
                break
            managers[lower] = upper
            level[lower] = level[upper] + 1
            used.add(lower)
        bosses = set(managers.values())
        used.add(bottom)
        deep = [max(level, key=lambda p: (level[p], p))]
        while deep[-1] in managers:
            deep.append(managers[deep[-1]])
        deep.reverse()

    cycles: list[list[str]] = []
    tails: list[str] = []
    for dept, size, tail in (("Sales", 3, False), ("Marketing", 2, False), ("Customer Success", 4, True)):
        members = leaves(dept, size + (1 if tail else 0), used)
        if not members:
            continue
        ring, extra = members[:size], members[size:]
        for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
            managers[a] = b
        cycles.append(ring)
        for t in extra:
            managers[t] = ring[0]
            tails.append(t)
        used.update(members)

    orphans: list[str] = []
    missing: list[str] = []
    for dept in ("Finance", "Data Science", "People"):
        members = leaves(dept, 1, used)
        if not members:
            continue
        ghost = str(uuid.UUID(int=rng.getrandbits(128), version=4))  # a manager who left the directory
        managers[members[0]] = ghost
        orphans.append(members[0])
        missing.append(ghost)
        used.update(members)
    return OrgPlan(root=ceo, managers=managers, cycles=cycles, cycle_tails=tails, orphans=orphans,
                   missing_managers=missing, deep_line=deep)


def plan_events(plan: OrgPlan, departments: dict[str, str], candidates_to_leave: Iterable[str],
                joiners: list[tuple[str, str]], start: date, days: int, seed: int,
                move_rate: float = 0.015) -> list[OrgEvent]:
    """Moves (a person and their reports change manager, and department with it), leavers (removed from the
    directory: deleted or soft-deleted) and joiners, on days inside the range (never its first or last week)."""
    rng = random.Random(f"org-events:{seed}")
    if days < 21:
        return []
    first, last = 7, days - 8

    def some_day() -> date:
        return start + timedelta(days=rng.randint(first, last))

    # the planted bad data and the deep line stay put, so the whole range keeps them
    bad = ({p for ring in plan.cycles for p in ring} | set(plan.cycle_tails) | set(plan.orphans)
           | set(plan.deep_line))
    managers = dict(plan.managers)
    root = plan.root
    level = depths(managers, root)
    bosses = sorted({b for b in managers.values() if b in level and level[b] <= MAX_DEPTH - 3})
    movable = sorted(p for p in managers if p in level and p not in bad and level[p] >= 3)
    events: list[OrgEvent] = []
    for person in rng.sample(movable, min(len(movable), max(2, round(len(movable) * move_rate)))):
        below = subtree(managers, person)
        targets = [b for b in bosses if b not in below and b != managers[person]
                   and level[b] + max(level[x] for x in below) - level[person] < MAX_DEPTH]
        if not targets:
            continue
        boss = rng.choice(targets)
        events.append(OrgEvent(some_day(), "move", person, manager_id=boss, department=departments[boss]))
        managers[person] = boss  # later moves see this one (a move never creates a cycle)
        level = depths(managers, root)
    leaving = sorted(set(candidates_to_leave) - bad - set(managers.values()))
    for person in rng.sample(leaving, min(len(leaving), 4)):
        events.append(OrgEvent(some_day(), "leave", person, removal=rng.choice(["deleted", "changed"])))
    for person, dept in joiners:
        heads = [b for b in bosses if departments.get(b) == dept] or bosses
        events.append(OrgEvent(some_day(), "join", person, manager_id=rng.choice(heads), department=dept))
    events.sort(key=lambda e: (e.day, e.kind, e.person_id))
    return events
