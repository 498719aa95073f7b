"""Postal addresses in free text: a street line (house number, street name, street type or number), a flat or
suite, a military address, then the lines or comma-separated parts that follow it (city, state, country, postal
code). International shapes: "3968 Bay Street", "Koskikatu 25", "Via dei Fiorentini 17", "Rue de Virton 38",
"Unit 0822 Box 8858 / DPO AE 99081".

A street name followed by a number alone ("Allika 46") is also what "Python 3" or "Chapter 4" look like, so it
counts only with an address word nearby, a street type, or an address line after it."""

from __future__ import annotations

import re

from python_assets.privacy.names import LOG_WORDS

_SUFFIX_WORDS = (
    "street st str road rd avenue ave av lane ln drive dr way place pl court ct boulevard blvd terrace circle cir "
    "crescent parkway pkwy highway hwy square sq trail loop alley row crossroad crossing hill hills park gardens close "
    "mews walk path pike ridge heights point bridge meadows grove view plaza estate estates strasse straße gasse weg "
    "allee platz ring laan straat "
    "gracht plein vej gade gata gatan gate vegen veien katu tie kuja polku utca ulica ul ulitsa nám náměstí odos "
    "sokak cadde caddesi"
).split()
# street types written before the name ("Via dei Fiorentini 17", "Rue de Virton 38")
_PREFIX_TYPES = frozenset(
    "rue via viale vicolo piazza corso calle avenida avenue rua travessa largo carrer boulevard chemin place "
    "strada ulica ul ulitsa odos".split())
_SUFFIX_ATTACHED = (
    "katu", "kuja", "tie", "polku", "gade", "gata", "gatan", "vej", "vejen", "veien", "vegen", "straße", "strasse",
    "gasse", "weg", "straat", "laan", "stræde", "vænget", "utca", "ulica", "allee", "platz", "plein", "gracht",
)
_CONNECTORS = "del|dei|degli|della|de|la|le|les|di|da|do|dos|das|du|des|van|von|der|den|het|el|al|y|i|of|the|and"
_CONNECTOR_SET = frozenset(_CONNECTORS.split("|"))
_MONTHS = ("jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|"
           "september|october|november|december")

_SUFFIX = rf"(?:{'|'.join(sorted(set(_SUFFIX_WORDS), key=len, reverse=True))})\.?"
_WORD = r"[^\W\d_][\w'’.-]*"
_NAME_WORD = rf"(?!(?:{_MONTHS})\b)(?:{_WORD})"
_UPPER = "A-ZÀ-ÖØ-ÞĀ-ſ"  # the Latin capitals (Latin Extended-A mixes cases: over-inclusive, harmless here)
# a street name: a capitalized word first ("Via dei Fiorentini", "Stensås terrasse"), at most four words
_STREET_NAME = rf"(?-i:(?=[{_UPPER}])){_NAME_WORD}(?:[ \t]+(?:(?:{_CONNECTORS})\b|{_NAME_WORD})){{0,3}}"
_NUMBER = r"\d{1,6}[A-Za-z]?\b\.?(?:[/-]\d{1,4}[A-Za-z]?\b)?"
_UNIT = (r"(?:(?:Apt|Apartment|Suite|Ste|Flat|Unit|Room|Rm|Floor|Fl|PSC|P\.?\s?O\.?\s?Box|Box)\b\.?[ \t]*#?[ \t]*"
         r"\d{1,6}[A-Za-z]?\b(?:,?[ \t]+Box[ \t]+\d{1,6}\b)?)")
_MILITARY = r"(?:(?:APO|FPO|DPO)[ \t]+A[AEP][ \t]+\d{5}\b|(?:USNS|USNV|USS|USCGC)[ \t]+[A-Z][a-z]+)"

# a street line: [house number] street name (street type | number) [street type]
_STREET = re.compile(
    rf"(?<![\w.-])(?:(?P<house>{_NUMBER})[ \t]+(?:\d{{1,5}}[ \t]+)?)?(?P<name>{_STREET_NAME})"
    rf"(?:[ \t]+(?P<num>{_NUMBER})(?:[ \t]+(?P<after>{_SUFFIX}))?|[ \t]*(?<=[ \t])(?P<type>{_SUFFIX}))(?![\w])",
    re.IGNORECASE,
)
_UNIT_OR_MILITARY = re.compile(rf"(?<![\w])(?:{_UNIT}|{_MILITARY})", re.IGNORECASE)
_CONTEXT = re.compile(
    r"\b(?:address|addr|live[sd]?|living|located|location|ship(?:ping|ped)?|deliver(?:y|ed)?|mail(?:ing)?|"
    r"street|corner|drops? (?:you |me )?off|stop at|enter on|residence|reside|home|office|billing)\b",
    re.IGNORECASE,
)
# what may follow a street line: a unit, a military address, or a place line (city, state, country, postal code)
_PLACE = rf"[{_UPPER}][\w'’-]*(?:[ \t]+(?:[{_UPPER}][\w'’-]*|(?:{_CONNECTORS})\b)){{0,3}}"
_CODE = rf"{_UNIT}|{_MILITARY}|\d{{4,6}}\b|[A-Z]{{2}}\b(?:[ \t]+\d{{4,6}}\b)?"
_END = r"(?=[ \t]*(?:\n|[,.;)]|$))"
_NEXT = re.compile(
    # after a line break or a comma: a unit, a postal code or a place line; on the same line: a unit or a code
    rf"(?:(?:[ \t]*\n[ \t>?*-]*,?[ \t]*|,[ \t]*)(?P<part>{_CODE}|{_PLACE}(?:,?[ \t]+[A-Z]{{2}}\b)?"
    rf"(?:[ \t]+\d{{4,6}}\b)?){_END}|[ \t]+(?P<code>{_CODE}))"
)
_ATTACHED = re.compile(rf"\w(?:{'|'.join(_SUFFIX_ATTACHED)})\b", re.IGNORECASE)
_MAX_PARTS = 5


def _street_ok(m: re.Match, text: str) -> bool:
    name = m.group("name")
    words = [w.lower().strip(".") for w in name.split()]
    if all(w in LOG_WORDS for w in words) or not name[:1].isalpha():
        return False
    if m.group("type") or m.group("after") or _ATTACHED.search(name):
        return True
    if not m.group("num") or not all(w[:1].isupper() or w in _CONNECTOR_SET for w in name.split()):
        return False
    if words[0] in _PREFIX_TYPES and len(words) > 1:
        return True
    if m.group("house"):  # "6750 Koskikatu 25": a number, a name, a number; the name capitalized
        return name[0].isupper()
    # "Allika 46": only near an address word or with an address line after it
    return bool(_CONTEXT.search(text, max(0, m.start() - 48), m.start())) or bool(
        _NEXT.match(text, m.end()) and "\n" in text[m.end(): m.end() + 3])


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
    return _merged(found, text)


def _extend(text: str, end: int) -> int:
    """The end of the address whose first part ends at `end`: the place parts that follow, at most _MAX_PARTS."""
    for _ in range(_MAX_PARTS):
        m = _NEXT.match(text, end)
        if m is None:
            break
        part = m.group("part") or m.group("code")
        if len(part) > 48 or all(w.lower() in LOG_WORDS for w in part.split()):
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
