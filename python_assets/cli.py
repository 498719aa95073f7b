"""The `flywheel` command (a console script of the package).

  flywheel redact [FILE] [--field text] [--session-field NAME] [--replace placeholder|surrogate]
      JSON Lines in (a file, or standard input), the same records out in the same order with the named field
      redacted; every other field kept. A line that is not a JSON object with that field as a string becomes
      {"_line": N, "_error": reason} (never passed through: it may hold what redaction is for), and the command
      exits 2 once every line is written. --replace defaults to FLYWHEEL_PII_REPLACE; FLYWHEEL_PII_LINK_KEY, when
      set, links values across sessions.
  flywheel pii-eval FILE [--no-ner] [--no-gazetteer]
      Scores the redactor on a labelled file in presidio-research's format; per entity type and overall precision,
      recall and F2; the last line is one JSON object {"overall", "per_type", "left_out"}.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator

BATCH = 256  # records per NER batch


def _detector(args) -> object:
    from python_assets.privacy import detect, dictionaries

    dictionary = dictionaries.from_config(env=None) if args.org_settings else None
    return detect.Detector(dictionary, ner=not args.no_ner, gazetteer=not args.no_gazetteer,
                           allow=detect.allow_list())


def _chunks(lines, size: int) -> Iterator[list[tuple[int, str]]]:
    chunk: list[tuple[int, str]] = []
    for n, line in enumerate(lines, 1):
        chunk.append((n, line))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def redact(args) -> int:
    from python_assets.privacy import surrogates
    from python_assets.privacy.redact import SessionRedactor

    try:
        replace = args.replace or surrogates.replace_mode()
        link_key = surrogates.link_key()
    except ValueError as exc:  # the messages name the setting, never the key
        print(f"flywheel redact: {exc}", file=sys.stderr)
        return 2
    try:
        source = open(args.file, encoding="utf-8") if args.file and args.file != "-" else sys.stdin
    except OSError as exc:
        print(f"flywheel redact: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    detector = _detector(args)
    sessions: dict[str, SessionRedactor] = {}
    bad = records = 0
    out = sys.stdout
    with source:
        for chunk in _chunks(source, BATCH):
            parsed = []
            for n, line in chunk:
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except ValueError as exc:
                    parsed.append((n, None, f"not JSON: {exc.msg} at column {exc.colno}"))
                    continue
                if not isinstance(rec, dict):
                    parsed.append((n, None, "not a JSON object"))
                elif not isinstance(rec.get(args.field), str):
                    parsed.append((n, None, f"field {args.field!r} missing or not a string"))
                else:
                    parsed.append((n, rec, None))
            detector.prefetch(rec[args.field] for _, rec, _ in parsed if rec is not None)
            for n, rec, error in parsed:
                records += 1
                if rec is None:
                    bad += 1
                    out.write(json.dumps({"_line": n, "_error": error}) + "\n")
                    continue
                key = str(rec.get(args.session_field)) if args.session_field else f"line {n}"
                redactor = sessions.get(key)
                if redactor is None:
                    redactor = SessionRedactor(detector=detector, replace=replace, link_key=link_key, session=key)
                    if args.session_field:
                        sessions[key] = redactor
                rec[args.field], _ = redactor.redact_text(rec[args.field])
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    if bad:
        print(f"flywheel redact: {bad} of {records} lines could not be read (written as _error records)",
              file=sys.stderr)
        return 2
    return 0


def pii_eval(args) -> int:
    from python_assets.privacy.evaluate import COVERED, load_labelled, score
    from python_assets.privacy.redact import SessionRedactor

    try:
        records = load_labelled(args.file)
    except (OSError, ValueError) as exc:
        print(f"flywheel pii-eval: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    detector = _detector(args)

    def predict(texts: list[str]) -> list[list[tuple[str, int, int]]]:
        detector.prefetch(texts)
        return [[(entity, s, e) for s, e, _, entity, _ in SessionRedactor(detector=detector).spans(t)]
                for t in texts]

    started = time.perf_counter()
    result = score(records, predict, BATCH)
    seconds = time.perf_counter() - started
    types_in_file = {s["entity_type"] for r in records for s in r.get("spans", [])}
    left_out = {t: reason for t, reason in result["left_out"].items() if t in types_in_file}
    left_out.update({t: "not a type our policy names" for t in types_in_file - set(COVERED) - set(left_out)})
    print(f"{len(records)} records, {seconds:.1f} s ({len(records) / seconds:.0f} records/s)")
    print(f"{'type':<20}{'precision':>10}{'recall':>10}{'f2':>8}{'labelled':>10}{'predicted':>10}")
    for name, m in [*result["per_type"].items(), ("overall", result["overall"])]:
        print(f"{name:<20}{m['precision']:>10.3f}{m['recall']:>10.3f}{m['f2']:>8.3f}{m['labelled']:>10}"
              f"{m['predicted']:>10}")
    for name, reason in sorted(left_out.items()):
        print(f"left out: {name}: {reason}")
    print(json.dumps({"overall": result["overall"], "per_type": result["per_type"], "left_out": left_out}))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="flywheel", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, helptext in (("redact", "redact JSON Lines records"), ("pii-eval", "score the redactor")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("file", nargs="?" if name == "redact" else None, help="input file ('-' or none: stdin)")
        p.add_argument("--no-ner", action="store_true", help="no spaCy NER (rules, addresses, dictionary only)")
        p.add_argument("--no-gazetteer", action="store_true", help="no gazetteer of given names and surnames")
        p.add_argument("--org-settings", action="store_true",
                       help="add the FLYWHEEL_PII_* dictionary settings (codenames, employee ids, internal domains)")
        if name == "redact":
            p.add_argument("--field", default="text", help="the field to redact (default: text)")
            p.add_argument("--session-field", help="records sharing this field's value share placeholders")
            p.add_argument("--replace", choices=("placeholder", "surrogate"),
                           help="placeholders (<PERSON_1>) or realistic surrogates (default: FLYWHEEL_PII_REPLACE, "
                                "else placeholder)")
    args = parser.parse_args(argv)
    try:
        return redact(args) if args.command == "redact" else pii_eval(args)
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
