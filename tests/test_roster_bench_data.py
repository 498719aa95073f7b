"""The roster benchmark's generated directory holds what the benchmark claims (depth 14, 20 cycles, orphans), as
seen by the plain-Python reference walk that the SQL build is timed and checked against."""

from __future__ import annotations

from bench.roster import CYCLES, MAX_DEPTH, ORPHANS, generate_directory
from python_assets.demo.org import reporting_chains


def test_generated_directory_has_the_planted_shape():
    directory = generate_directory(5000)
    assert directory == generate_directory(5000)  # seeded
    chains, cycles = reporting_chains(directory.managers)
    assert set(chains) == set(directory.managers)  # everyone gets a chain, cycles or not
    assert max(len(c) for c in chains.values()) == MAX_DEPTH
    assert len(directory.cycles) == CYCLES
    assert {p for ring in directory.cycles for p in ring} == set(cycles)
    for ring in directory.cycles:  # each cycle in reporting order, rotated to start at each member
        for i, person in enumerate(ring):
            assert cycles[person] == ring[i:] + ring[:i]
    assert len(directory.orphans) == ORPHANS
    for person in directory.orphans:
        assert chains[person] == [person] and directory.managers[person] not in directory.managers
    # below a cycle: the chain runs from the person up into the cycle and stops before its first repeat
    below = [p for p, c in chains.items() if p not in cycles and c[0] in cycles]
    assert below
    for person in below:
        chain = chains[person]
        assert chain[-2] == directory.managers[person] and len(set(chain)) == len(chain)
        assert directory.managers[chain[0]] in chain  # the top's manager closes the cycle
