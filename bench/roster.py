"""`make bench`: manager chains and cycles on a generated directory of 200,000 people (depth up to 14, 20 cycles).

Times the SQL build (dbt: int_manager_chains -> dim_manager_chain, roster_cycles, in DuckDB) against a plain-Python
queue (BFS) implementation of the same chains and cycles, on the same data in the same run, and checks that the
two agree person by person. Target: at most 30 s for the SQL build. Not a test: it prints, it does not assert a
time (it does refuse to report figures for two implementations that disagree).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

PEOPLE = int(os.environ.get("BENCH_ROSTER_PEOPLE", "200000"))
MAX_DEPTH = 14
CYCLES = 20
ORPHANS = 40
PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
TIMED_MODELS = ("int_manager_chains", "dim_manager_chain", "roster_cycles")
SYNC_DAY = date(2026, 11, 1)


@dataclass
class Directory:
    managers: dict[str, str | None]  # person id -> manager id (None: a top; an id not in the dict: an orphan)
    names: dict[str, str]
    cycles: list[list[str]]  # planted, in reporting order
    orphans: list[str]


def generate_directory(people: int = PEOPLE, seed: int = 7) -> Directory:
    """A seeded org: one CEO, spans of control 3-9 (so about 7 levels), one line deepened to MAX_DEPTH, CYCLES
    manager rings of 2-6 people (each with a few reports hanging below), ORPHANS people whose manager left the
    directory (with their whole team), and a few service accounts with no manager."""
    rng = random.Random(f"bench-roster:{seed}")
    ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(people)]
    managers: dict[str, str | None] = {ids[0]: None}
    level = {ids[0]: 1}
    children: dict[str, list[str]] = {}
    # breadth-first placement: person i reports to someone placed earlier, about i/6 positions back
    for i in range(1, people):
        boss = ids[rng.randint((i - 1) // 9, (i - 1) // 3)]
        managers[ids[i]] = boss
        level[ids[i]] = level[boss] + 1
        children.setdefault(boss, []).append(ids[i])
    leaves = [p for p in ids if p not in children]
    rng.shuffle(leaves)
    taken: set[str] = set()

    def take(n: int) -> list[str]:
        out = []
        while len(out) < n:
            p = leaves.pop()
            if p not in taken:
                taken.add(p)
                out.append(p)
        return out

    # the deep line: under the deepest leaf, hang other leaves until the line is MAX_DEPTH deep
    bottom = max((p for p in leaves if p not in taken), key=lambda p: (level[p], p))
    taken.add(bottom)
    boss = managers[bottom]
    while boss is not None:  # the line's own managers stay put, so it stays MAX_DEPTH deep
        taken.add(boss)
        boss = managers[boss]
    for person in take(MAX_DEPTH - level[bottom]):
        managers[person] = bottom
        level[person] = level[bottom] + 1
        bottom = person
    cycles = []
    for k in range(CYCLES):
        ring = take(2 + k % 5)
        for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
            managers[a] = b
        for tail in take(k % 3):
            managers[tail] = ring[rng.randrange(len(ring))]
        cycles.append(ring)
    # orphans are managers too: their teams hang below someone the directory no longer has
    mid = [p for p in children if level[p] in (4, 5) and p not in taken]
    orphans = rng.sample(mid, ORPHANS)
    for person in orphans:
        managers[person] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    for person in take(3):
        managers[person] = None  # service accounts
    names = {p: f"Person {i:06d}" for i, p in enumerate(ids)}
    return Directory(managers, names, cycles, orphans)


def _write_bronze(directory: Directory) -> None:
    import pyarrow as pa

    from python_assets.ingest import bronze_tables as bt
    from python_assets.lake import tables

    pulled = datetime(2026, 11, 1, 5, 0, tzinfo=UTC)
    rows = []
    for i, (person, boss) in enumerate(directory.managers.items()):
        mail = f"person{i:06d}@corp.example"
        rows.append({
            "id": person, "display_name": directory.names[person], "mail": mail, "user_principal_name": mail,
            "other_mails": "[]", "proxy_addresses": json.dumps([f"SMTP:{mail}"]), "job_title": "Engineer",
            "department": f"Dept {i % 40:02d}", "office_location": "London", "employee_id": f"E{i:06d}",
            "account_enabled": "true", "assigned_licenses": "[]", "manager_id": boss,
            "_partition_date": SYNC_DAY, "_pulled_at": pulled, "_source": "graph:users",
            "_request_id": f"bench-{i // 999}",
        })
    # the other bronze tables exist, empty: the privacy lists upstream of the chains read Windsurf's users
    for spec in bt.ALL_TABLES:
        table = pa.Table.from_pylist(rows if spec is bt.GRAPH_USERS else [], schema=spec.schema)
        tables.replace_where(spec.lake_name, table, {}, ("_partition_date", SYNC_DAY, SYNC_DAY),
                             partition_by=["_partition_date"])


def _dbt(work: Path, *args: str) -> tuple[float, dict[str, float]]:
    """Run dbt; return its wall time and each model's own execution time."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner

    t0 = time.monotonic()
    result = dbtRunner().invoke([
        *args, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
        "--target-path", str(work / "target"), "--log-path", str(work / "logs"), "--quiet"])
    took = time.monotonic() - t0
    DuckDBConnectionManager.close_all_connections()
    if not result.success:
        raise SystemExit(f"dbt {' '.join(args)} failed: {result.exception}")
    return took, {n.node.name: n.execution_time for n in result.result.results}


def main() -> int:
    import duckdb

    from python_assets.demo.org import reporting_chains
    from python_assets.lake import tables

    work = Path(tempfile.mkdtemp(prefix="flywheel-bench-roster-"))
    os.environ.update({"FLYWHEEL_LAKE_ROOT": str(work / "lake"),
                       "FLYWHEEL_DUCKDB_PATH": str(work / "warehouse.duckdb")})
    try:
        print(f"Generating a directory of {PEOPLE:,} people (depth up to {MAX_DEPTH}, {CYCLES} cycles) ...",
              flush=True)
        directory = generate_directory()
        _write_bronze(directory)
        print(f"  bronze graph/users: {tables.row_count('raw/graph/users'):,} rows", flush=True)
        print("Upstream models (untimed): seeds, staging, people, privacy ...", flush=True)
        _dbt(work, "seed")
        _dbt(work, "run", "--select", *(f"+{m}" for m in TIMED_MODELS), "--exclude", *TIMED_MODELS)
        print(f"SQL build: {', '.join(TIMED_MODELS)} ...", flush=True)
        sql_wall, per_model = _dbt(work, "run", "--select", *TIMED_MODELS)
        sql_models = sum(per_model[m] for m in TIMED_MODELS)

        con = duckdb.connect(str(work / "warehouse.duckdb"), read_only=True)
        try:
            t0 = time.monotonic()
            managers = dict(con.execute("select person_id, manager_id from stg_graph__users").fetchall())
            load = time.monotonic() - t0
            sql_chains = dict(con.execute("select person_id, chain_ids from int_manager_chains").fetchall())
            sql_cycles = dict(con.execute("select person_id, cycle_path_ids from roster_cycles").fetchall())
            depth_stats = con.execute(
                "select max(depth), count(*) filter (where exceeds_levels), count(*) filter (where below_cycle),"
                " count(*) filter (where under_orphan) from dim_manager_chain").fetchone()
        finally:
            con.close()

        print("Python BFS on the same directory ...", flush=True)
        t0 = time.monotonic()
        py_chains, py_cycles = reporting_chains(managers)
        python_took = time.monotonic() - t0

        # the same answer, person by person, or no figures
        if py_chains != sql_chains or py_cycles != sql_cycles:
            bad = [p for p in managers if py_chains.get(p) != sql_chains.get(p)][:5]
            raise SystemExit(f"SQL and Python disagree (chains of e.g. {bad}; cycles equal: {py_cycles == sql_cycles})")
        planted = {p for ring in directory.cycles for p in ring}
        if set(py_cycles) != planted:
            raise SystemExit("the cycles found are not the cycles planted")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    max_depth, deep, below, under_orphan = depth_stats
    print("\nFlywheel roster benchmark")
    print(f"  data: {len(managers):,} people; deepest chain {max_depth}; {len(py_cycles)} people in "
          f"{CYCLES} cycles, {below} below a cycle; {len(directory.orphans)} orphans with {under_orphan:,} "
          f"people under them; {deep} chains deeper than 10 levels")
    for model in TIMED_MODELS:
        print(f"  {'SQL ' + model:<32} {per_model[model]:8.2f} s")
    print(f"  {'SQL build (3 models)':<32} {sql_models:8.2f} s (target <= 30 s); dbt invocation {sql_wall:.1f} s")
    print(f"  {'Python BFS (chains + cycles)':<32} {python_took:8.2f} s (plus {load:.2f} s to load the edges)")
    print(f"  SQL / Python ratio: {sql_models / python_took:.2f}x (walk alone: "
          f"{per_model['int_manager_chains'] / python_took:.2f}x); both agree on every chain and cycle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
