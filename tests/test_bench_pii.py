"""The PII benchmark's corpus is seeded, and its planted spans point at the values they label: the F2 it reports
for both engines rests on them."""

from __future__ import annotations

from bench.pii import _KINDS, corpus
from python_assets.privacy.evaluate import COVERED


def test_corpus_is_seeded_and_its_spans_hold_their_values():
    records = corpus(150)
    assert records == corpus(150)
    assert records != corpus(150, seed=7)
    assert {r["kind"] for r in records} == set(_KINDS)
    planted = set()
    for rec in records:
        text, end = rec["full_text"], 0
        for span in rec["spans"]:
            assert text[span["start_position"]: span["end_position"]] == span["entity_value"]
            assert span["start_position"] >= end  # in text order, none overlapping
            end = span["end_position"]
            planted.add(span["entity_type"])
    assert planted == set(COVERED) - {"US_DRIVER_LICENSE"}
    assert 250 <= sum(len(r["full_text"]) for r in records) / len(records) <= 350
