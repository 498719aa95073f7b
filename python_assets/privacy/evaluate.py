"""Scoring a PII detector on labelled text in presidio-research's format: records with `full_text` and `spans`
[{entity_type, entity_value, start_position, end_position}].

Matching is by span overlap within an entity type: a labelled span is found when a predicted span of its type
overlaps it; a predicted span is right when it overlaps a labelled span of its type. Address labels come in pieces
(a house number, "Apt. 675", a postal code) while a detector sees one address, so overlap is the fair measure; each
labelled piece still counts once for recall. F2 weighs recall twice as much as precision (a leak costs more than an
over-redaction)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

# The entity types our policy covers, as presidio-research names them, and ours that count as each.
COVERED: dict[str, tuple[str, ...]] = {
    "PERSON": ("PERSON",),
    "EMAIL_ADDRESS": ("EMAIL_ADDRESS",),
    "PHONE_NUMBER": ("PHONE_NUMBER",),
    "CREDIT_CARD": ("CREDIT_CARD",),
    "IP_ADDRESS": ("IP_ADDRESS",),
    "US_SSN": ("US_SSN",),
    "IBAN_CODE": ("IBAN_CODE",),
    "STREET_ADDRESS": ("STREET_ADDRESS",),
    "US_DRIVER_LICENSE": ("US_DRIVER_LICENSE",),
}
# Types the policy leaves in the text, and why (printed with every evaluation).
LEFT_OUT: dict[str, str] = {
    "DATE_TIME": "dates and times are what logs are made of (timestamps, durations); alone they identify no one",
    "GPE": "countries and cities alone identify no one; inside an address they go with it (STREET_ADDRESS)",
    "ORGANIZATION": "company names are public; confidential ones are configured codenames (CODENAME)",
    "TITLE": "job titles alone identify no one",
    "AGE": "an age alone identifies no one",
    "NRP": "nationalities and groups alone identify no one; NER labels for them are too noisy in logs",
    "ZIP_CODE": "a postal code alone identifies no one; inside an address it goes with it (STREET_ADDRESS)",
    "DOMAIN_NAME": "public domains identify no one; internal hostnames are configured (INTERNAL_HOST)",
}

Span = tuple[str, int, int]  # (entity type, start, end) in the original text


def load_labelled(path: str | Path) -> list[dict]:
    """Records of a presidio-research JSON file (a list) or JSON Lines file; raises ValueError on a bad record."""
    text = Path(path).read_text(encoding="utf-8")
    records = json.loads(text) if text.lstrip().startswith("[") else [
        json.loads(line) for line in text.splitlines() if line.strip()]
    for i, rec in enumerate(records):
        if not isinstance(rec, dict) or not isinstance(rec.get("full_text"), str) or not isinstance(
                rec.get("spans", []), list):
            raise ValueError(f"record {i}: expected an object with full_text (string) and spans (list)")
        for span in rec.get("spans", []):
            if not {"entity_type", "start_position", "end_position"} <= set(span):
                raise ValueError(f"record {i}: a span lacks entity_type, start_position or end_position")
    return records


def _prf(tp_gold: int, gold: int, tp_pred: int, pred: int) -> dict[str, float]:
    precision = tp_pred / pred if pred else 1.0
    recall = tp_gold / gold if gold else 1.0
    f2 = 5 * precision * recall / (4 * precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f2": round(f2, 4),
            "labelled": gold, "predicted": pred}


def score(records: Iterable[dict], predict: Callable[[list[str]], list[list[Span]]],
          batch: int = 256) -> dict:
    """Precision, recall and F2 per covered type and over all of them (micro-averaged), plus the types left out.
    `predict` maps a batch of texts to the spans found in each (our entity types)."""
    ours = {mine: theirs for theirs, names in COVERED.items() for mine in names}
    counts = {t: [0, 0, 0, 0] for t in COVERED}  # labelled found, labelled, predicted right, predicted
    records = list(records)
    for at in range(0, len(records), batch):
        chunk = records[at: at + batch]
        for rec, found in zip(chunk, predict([r["full_text"] for r in chunk]), strict=True):
            gold = [(s["entity_type"], s["start_position"], s["end_position"]) for s in rec.get("spans", [])
                    if s["entity_type"] in COVERED]
            pred = [(ours[e], s, t) for e, s, t in found if e in ours]
            for kind, start, end in gold:
                c = counts[kind]
                c[1] += 1
                c[0] += any(k == kind and s < end and start < t for k, s, t in pred)
            for kind, start, end in pred:
                c = counts[kind]
                c[3] += 1
                c[2] += any(k == kind and s < end and start < t for k, s, t in gold)
    per_type = {t: _prf(*c) for t, c in counts.items() if c[1] or c[3]}
    total = [sum(c[i] for c in counts.values()) for i in range(4)]
    return {"overall": _prf(*total), "per_type": per_type, "left_out": dict(LEFT_OUT)}
