"""Postal addresses in free text: a street line (house number, street name, street type or number), a flat or
suite, a military address, then the lines or comma-separated parts that follow it (city, state, country, postal
code). International shapes: "3968 Bay Street", "Koskikatu 25", "Via dei Fiorentini 17", "Rue de Virton 38",
"Unit 0822 Box 8858 / DPO AE 99081".

A street name followed by a number alone ("Allika 46") is also what "Python 3" or "Chapter 4" look like, so it
counts only with an address word nearby, a street type, or an address line after it."""

from __future__ import annotations

import re

from faker.providers.address.en_US import Provider as USPS

from python_assets.privacy.names import COMMON, LOG_WORDS, gazetteer, zipf

# street types that are hardly anything else after a capitalized name ("Bay Street", "Koskikatu", "Erzsébet tér")
_SUFFIX_WORDS = (
    "street st str road rd avenue ave av lane ln boulevard blvd terrace parkway pkwy highway hwy strasse straße gasse "
    "weg allee platz laan straat gracht plein vej gade gata gatan gate vegen veien katu tie kuja polku utca ulica ul "
    "ulitsa nám náměstí odos sokak cadde caddesi u út útja tér tere köz kapu körút krt rkp rakpart fasor terrasse "
    "ulice trg cesta vei väg vägen stræde plads torv allé"
).split()
# Street types that are also plain words ("Google Drive", "Russian place", "European Union", "Pass"), with the USPS
# suffixes of Faker's en_US list: a street type only after a house number, near an address word or at a corner
_WEAK_SUFFIX_WORDS = tuple(sorted({w.lower() for w in USPS.street_suffixes} | set(
    "drive dr way place pl court ct circle cir crescent square sq trail loop alley row crossroad crossing hill hills "
    "park gardens close mews walk path pike ridge heights point bridge meadows grove view plaza estate estates ring "
    "sor".split()) - set(_SUFFIX_WORDS)))
_PREFIX_ABBREVIATIONS = frozenset("ul al pl os str av avda".split())
# street types written before the name ("Via dei Fiorentini 17", "Rue de Virton 38")
_PREFIX_TYPES = frozenset(
    "rue via viale vicolo piazza piazzale corso calle avenida avenue rua travessa largo carrer boulevard chemin place "
    "allée impasse quai route strada ulica ul ulitsa odos plaza paseo camino alameda rotonda contrada borgo incrocio "
    "aleja estrada rodovia colônia núcleo passarela parque conjunto distrito lagoa fazenda residencial vila quadra "
    "setor praça esplanada loteamento pátio morro favela viela praia lago urbanización plac".split())
_SUFFIX_ATTACHED = (
    "katu", "kuja", "tie", "polku", "gade", "gata", "gatan", "vej", "vejen", "veien", "vegen", "straße", "strasse",
    "gasse", "weg", "straat", "laan", "stræde", "vænget", "utca", "ulica", "allee", "platz", "plein", "gracht",
    "str.", "ring", "pad", "dreef", "steeg", "kade", "singel", "damm", "ufer", "baan", "boulevard",
)
_CONNECTORS = ("del|dei|degli|della|de|la|le|les|di|da|do|dos|das|du|des|van|von|der|den|het|el|al|y|i|of|the|and|"
               "nad|pod|am|im|auf|sur|sous")
_CONNECTOR_SET = frozenset(_CONNECTORS.split("|"))
_MONTHS = ("jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|"
           "september|october|november|december")

_SUFFIX = rf"(?:{'|'.join(sorted({*_SUFFIX_WORDS, *_WEAK_SUFFIX_WORDS}, key=len, reverse=True))})\.?"
_STRONG_SUFFIX = frozenset(_SUFFIX_WORDS)
_LOWER_TYPES = _STRONG_SUFFIX | _PREFIX_ABBREVIATIONS | _PREFIX_TYPES
_WORD = r"[^\W\d_][\w'’.-]*"
_NAME_WORD = rf"(?!(?:{_MONTHS})\b)(?:{_WORD})"
# the Latin, Greek and Cyrillic capitals (Latin Extended-A mixes cases: over-inclusive, harmless here)
_UPPER = "A-ZÀ-ÖØ-ÞĀ-ſΆΈ-ΏΑ-ΩЀ-Я"
# a street name: a capitalized word first ("Via dei Fiorentini", "Stensås terrasse"), at most four words; a
# lower-case type may open it ("ul. Chrzanowska", "rue de Coulon", "chemin Denis Legrand")
_STREET_NAME = (rf"(?:(?:{'|'.join(sorted(_PREFIX_ABBREVIATIONS))})\.[ \t]*|"
                rf"(?-i:(?:{'|'.join(sorted(_PREFIX_TYPES))}))[ \t]+"
                rf"(?:(?-i:{_CONNECTORS})[ \t]+)*)?(?-i:(?=[{_UPPER}])){_NAME_WORD}"
                rf"(?:[ \t]+(?:(?:{_CONNECTORS})\b|{_NAME_WORD})){{0,3}}")
_NUMBER = r"\d{1,6}[A-Za-z]?\b\.?(?:[/-]\d{1,4}[A-Za-z]?\b)?"
_UNIT = (r"(?:(?:Apt|Apartment|Suite|Ste|Flat|Unit|Room|Rm|Floor|Fl|PSC|P\.?\s?O\.?\s?Box|Box)\b\.?[ \t]*#?[ \t]*"
         r"\d{1,6}[A-Za-z]?\b(?:,?[ \t]+Box[ \t]+\d{1,6}\b)?)")
_MILITARY = r"(?:(?:APO|FPO|DPO)[ \t]+A[AEP][ \t]+\d{5}\b|(?:USNS|USNV|USS|USCGC)[ \t]+[A-Z][a-z]+)"

# a street line: [house number] street name (street type | number) [street type]
_STREET = re.compile(
    rf"(?<![\w.-])(?:(?P<house>{_NUMBER}),?[ \t]+(?:\d{{1,5}}[ \t]+)?)?(?P<name>{_STREET_NAME})"
    rf"(?:,?[ \t]+(?P<num>{_NUMBER})(?:[ \t]+(?P<after>{_SUFFIX}))?|[ \t]*(?<=[ \t])(?P<type>{_SUFFIX})"
    # or no number, a postal code and town after it ("chemin Cousin, 36593 Sainte Charlotte"): prefix types only
    rf"|(?P<postcode>(?=,[ \t]*\d{{4,8}}\b)))(?![\w])",
    re.IGNORECASE,
)
_UNIT_OR_MILITARY = re.compile(rf"(?<![\w])(?:{_UNIT}|{_MILITARY})", re.IGNORECASE)
_CONTEXT = re.compile(
    r"\b(?:address|addr|live[sd]?|living|located|location|ship(?:ping|ped)?|deliver(?:y|ed)?|mail(?:ing)?|"
    r"street|corner|drops? (?:you |me )?off|stop at|enter on|residence|reside|home|office|billing address|bill to)"
    r"\b",
    re.IGNORECASE,
)
# what may follow a street line: a unit, a military address, or a place line (city, state, country, postal code)
_PLACE = rf"[{_UPPER}][\w'’-]*(?:[ \t]+(?:[{_UPPER}][\w'’-]*|(?:{_CONNECTORS})\b)){{0,3}}"
# postal codes: 4-6 digits, Brazil's 8 (or 5-3), the Netherlands' 4 digits + 2 letters
_POSTCODE = r"\d{5}-\d{3}\b|\d{8}\b|\d{4}[ \t]?[A-Z]{2}\b|\d{4,6}\b"
_CODE = rf"{_UNIT}|{_MILITARY}|{_POSTCODE}|[A-Z]{{2}}\b(?:[ \t]+\d{{4,6}}\b)?"
_END = r"(?=[ \t]*(?:\n|[,.;)?]|$))"
_NEXT = re.compile(
    # after a line break or a comma: a unit, a postal code or a place line; on the same line: a unit or a code
    rf"(?:(?:[ \t]*\n(?:[ \t>]*\n)?[ \t>?*-]*,?[ \t]*|,[ \t]*)(?P<part>{_CODE}|{_PLACE}(?:,?[ \t]+[A-Z]{{2}}\b)?"
    rf"(?:[ \t]+\d{{4,6}}\b)?|(?:{_POSTCODE})[ \t]+{_PLACE}){_END}|[ \t]+(?P<code>{_CODE}))"
)
_POSTCODE_END = re.compile(r"(?<![\w-])\d{4,8}$")
_TOWN = re.compile(rf"[ \t]+{_PLACE}(?=[ \t]*(?:\n|[,.;)?\"']|$))")
_ATTACHED_WORD = re.compile(rf"\w[\w-]*?(?:{'|'.join(map(re.escape, _SUFFIX_ATTACHED))})(?!\w)", re.IGNORECASE)
# lower-case addresses ("74678 midtvollen 130 st.", "255 hersnapvej 18"): house number, one word, number, and a
# street type after it or in the word
_LOWER_STREET = re.compile(
    rf"(?<![\w.-])\d{{1,6}}[ \t]+(?P<name>[a-zà-ÿ]{{3,}})[ \t]+\d{{1,5}}[a-z]?\b(?:[ \t]+(?P<after>{_SUFFIX}))?(?!\w)")
# "the corner of Csabai kapu 39. and Mathias Pass": the two streets with the corner
_CORNER = re.compile(r"(?i:\bthe[ \t]+corner[ \t]+of)[ \t]+[^\n,;:!?]{3,60}?[ \t]+and[ \t]+"
                     rf"(?:\d{{1,6}}[ \t]+)?(?-i:[{_UPPER}])[\w'’.-]*(?:[ \t]+(?-i:[{_UPPER}])[\w'’.-]*){{0,3}}"
                     rf"(?:[ \t]+{_SUFFIX})?", re.IGNORECASE)
_DECADE = re.compile(r"\d+0s")
_SUFFIX_AT_END = re.compile(rf"[ \t]{_SUFFIX}$", re.IGNORECASE)
_MAX_PARTS = 5


def _street_ok(m: re.Match, text: str) -> bool:
    name = m.group("name")
    words = [w.lower().strip(".") for w in name.split()]
    if all(w in LOG_WORDS for w in words) or not name[:1].isalpha() or _DECADE.fullmatch(m.group("num") or ""):
        return False
    # lower-case words inside a street name are connectors or street types ("Erzsébet tér", "rue de Coulon")
    if not all(w[:1].isupper() or w.lower() in _CONNECTOR_SET or w.lower().strip(".") in _LOWER_TYPES
               for w in name.split()):
        return False
    prefixed = (words[0] in _PREFIX_TYPES or words[0] in _PREFIX_ABBREVIATIONS) and len(words) > 1
    if m.group("postcode") is not None:
        return prefixed
    if m.group("num") and "," in text[m.end("name"): m.start("num")] and not prefixed:
        return False  # "Piazza Gianni, 7" is a street; "Berlin, 2019" is not
    kind = (m.group("type") or m.group("after") or "").lower().strip(".")
    house = bool(m.group("house")) and not m.group("house").endswith(".")  # "4. Please DO NOT run": a list item
    if kind:  # a plain-word type, or a given name before the type ("Amanda Lane"), needs a house number or context
        return (kind in _STRONG_SUFFIX and (house or not _given_name(words[0])) or not name.isupper() and (
            house or _near_context(text, m.start())))
    if _attached(name) or m.group("num") and len(words) > 1 and words[-1] in _STRONG_SUFFIX:
        return True  # "Koskikatu 25", "Villacher Strasse 89", "Király u. 15."
    if not m.group("num"):
        return False
    if prefixed:
        return True
    if m.group("house"):  # "6750 Koskikatu 25": a number, a name, a number; the name capitalized
        return name[0].isupper()
    # "Allika 46": only near an address word or with an address line after it
    return _near_context(text, m.start()) or bool(_NEXT.match(text, m.end()) and "\n" in text[m.end(): m.end() + 3])


def _given_name(word: str) -> bool:
    return word in gazetteer()[0] and zipf(word) < COMMON


def _log_words_only(part: str) -> bool:
    return all(w.lower() in LOG_WORDS for w in part.split())


def _attached(name: str) -> bool:
    """A word with a street type at its end that is no English word ("Christophring", not "Spring")."""
    return any(zipf(m.group().lower()) < 3.0 for m in _ATTACHED_WORD.finditer(name))


def _near_context(text: str, at: int) -> bool:
    return _CONTEXT.search(text, max(0, at - 48), at) is not None


def address_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each address in `text`, none overlapping, in text order."""
    if not any(ch.isdigit() for ch in text):
        return []
    found: list[tuple[int, int]] = []
    pos = 0
    while (m := _STREET.search(text, pos)) is not None:
        if _street_ok(m, text):
            found.append((m.start(), _extend(text, m.end())))
            pos = m.end()
        else:  # "Ship it to 3968 Bay Street": the street may start inside a match that is not one
            pos = m.start() + 1
    for m in _UNIT_OR_MILITARY.finditer(text):
        found.append((m.start(), _extend(text, m.end())))
    for m in _LOWER_STREET.finditer(text):
        if m.group("after") and m.group("after").lower().strip(".") in _STRONG_SUFFIX or _attached(m["name"]):
            found.append((m.start(), _extend(text, m.end())))
    for m in _CORNER.finditer(text):
        if any(ch.isdigit() for ch in m.group()) or _SUFFIX_AT_END.search(m.group()):
            found.append(m.span())
    return _merged(found, text)


def _extend(text: str, end: int) -> int:
    """The end of the address whose first part ends at `end`: the place parts that follow, at most _MAX_PARTS."""
    for _ in range(_MAX_PARTS):
        m = _NEXT.match(text, end)
        if m is None:  # "…Legrand, 72938 Marty": the town after a postal code the street line ended with
            m = _POSTCODE_END.search(text, max(0, end - 9), end) and _TOWN.match(text, end)
            end = m.end() if m and not _log_words_only(m.group()) else end
            break
        part = m.group("part") or m.group("code")
        if len(part) > 48 or _log_words_only(part):
            break
        end = m.end()
    return end


def _merged(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Overlapping spans, and spans separated only by a space, comma or line break, become one."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and (start <= out[-1][1] or not text[out[-1][1]: start].strip(" \t,\n>")):
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out
