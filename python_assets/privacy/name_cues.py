"""Names that NER and the gazetteer's capitalized runs miss, found from what surrounds them: a cue ("my name is",
"call me", "Name:"), a speaker label ("Ubul: What a wife"), a middle initial ("Szabina J Gelencsér"), a list that
holds a name already found ("Eklund, Michael and Hodge"), another mention of a name already found ("starring
Borkowski"), and lower-case names made of a known given name and surname ("lena andersson").

Every candidate word must still look like a name: letters only, no stop word or log word, and either a name of
the gazetteer that is not a common English word, or capitalized and rare in English (names.zipf)."""

from __future__ import annotations

import re

from python_assets.privacy import names

Span = tuple[int, int]

_W = r"[^\W\d_](?:[^\W\d_]|(?!['’]s\b)['’-](?=[^\W\d_]))*"  # a word of letters ("O'Neil", "Jean-Luc"; no "'s")
_TOKEN = re.compile(_W)
_GAP = re.compile(r"[ \t]+")

# A cue before a name: taken when the words after it look like a name (a known name or a rare capitalized word)
_CUE = re.compile(
    r"(?i:\b(?:my|his|her|their|your|the)\s+(?:(?:first|last|full|given|family|middle|maiden|nick|sur)\s?)?name"
    r"(?:\s+is|\s+was|'s|’s)?|\b(?:(?:first|last|full|given|family|maiden|sur)\s?)name(?:\s+is|\s+was)?"
    r"|\bcalls?\s+me|\bsigned|\bsincerely|\bregards|^[ \t>]*name(?=\s*:))"
    r"[ \t]*[:?,]?[ \t]*[\"“]?[ \t]*", re.MULTILINE)
# A weaker cue: only a known given name follows it, in any case ("i'm roberto's daughter", "was called Djevad";
# code names things too: "a function called Parse")
_GREETING = re.compile(r"(?i:\b(?:i'm|i’m|i\s+am|this\s+is|hi|hello|hey|dear|thanks|thank\s+you|called|named"
                       r"|known\s+as),?)[ \t]+")
# a speaker label at a line start or after a sentence ("wife. Nicole: ..."); not a file's extension ("x.avi: ASCII")
_SPEAKER = re.compile(rf"(?:^|(?<=[.!?\"”][ \t]))[ \t]*({_W}):[ \t]*[\"“]?(?=[^\W\d_])", re.MULTILINE)
_END = r"(?![\w-])(?!['’](?!s\b))"  # the end of a word; a possessive may follow
_INITIAL = re.compile(rf"(?<![\w.])(?=({_W})[ \t]+([^\W\d_])(\.?)[ \t]+({_W}){_END})")  # overlapping
_ELEMENT = r"[^\W\d_a-z][\w'’-]*"  # lists of single words: longer members are companies ("Reed Elsevier")
_LIST = re.compile(rf"(?<![\w'’-])(?:{_ELEMENT},[ \t]+)*{_ELEMENT},?[ \t]+(?:and|&)[ \t]+{_ELEMENT}{_END}")
_LIST_SPLIT = re.compile(r",?[ \t]+(?:and|&)[ \t]+|,[ \t]+")
_LOWER = re.compile(r"(?<![\w@./\\'’-])[a-zà-ÿ](?:[a-zà-ÿ]|-(?=[a-zà-ÿ]))+(?![\w@/\\-])")


def _plain_word(word: str, allow: frozenset[str]) -> str | None:
    """`word` case-folded, or None for a stop word, a log word, an allowed word or a code identifier."""
    w = word.casefold()
    if w in names.stop_words() or w in names.NOT_NAMES or w in allow or names.IDENTIFIER.search(word):
        return None
    return w


def _name_word(word: str, allow: frozenset[str], rare: float = names.RARE) -> bool:
    """A known name that is not a common English word, or a capitalized word rarer than `rare` in English."""
    w = _plain_word(word, allow)
    if w is None:
        return False
    if names.known_name(w) and names.zipf(w) < names.COMMON:
        return True
    return word[0].isupper() and not word.isupper() and names.zipf(w) < rare


def _given(word: str, allow: frozenset[str], common: float = names.COMMON) -> bool:
    w = _plain_word(word, allow)
    return w is not None and w in names.gazetteer()[0] and names.zipf(w) < common


def _surname(word: str, allow: frozenset[str]) -> bool:
    w = _plain_word(word, allow)
    return w is not None and w in names.gazetteer()[1] and names.zipf(w) < names.COMMON


def _after(text: str, at: int, allow: frozenset[str], first=_name_word) -> Span | None:
    """The name words (up to three; initials may join them) from `at` on: the span they cover, or None."""
    words: list[tuple[int, int, bool]] = []  # start, end, an initial
    pos = at
    while sum(not initial for *_, initial in words) < 3:
        m = _TOKEN.match(text, pos)
        if m is None:
            break
        word = m.group()
        initial = len(word) == 1 and word.isupper() and bool(words)
        if not initial and not (_name_word if words else first)(word, allow):
            break
        end = m.end() + (initial and text.startswith(".", m.end()))
        words.append((m.start(), end, initial))
        gap = _GAP.match(text, end)
        if gap is None:
            break
        pos = gap.end()
    while words and words[-1][2]:
        words.pop()
    return (words[0][0], words[-1][1]) if words else None


def cue_spans(text: str, allow: frozenset[str] = frozenset()) -> list[Span]:
    """Names after a cue, speaker labels, names with a middle initial, lower-case given name + surname pairs."""
    spans = []
    for m in _CUE.finditer(text):
        if (span := _after(text, m.end(), allow)) is not None:
            spans.append(span)
    for m in _GREETING.finditer(text):
        if (span := _after(text, m.end(), allow, first=_given)) is not None:
            spans.append(span)
    for m in _SPEAKER.finditer(text):
        word = m.group(1)
        if _given(word, allow) or word[0].isupper() and _name_word(word, allow, rare=2.0):
            spans.append(m.span(1))
    for m in _INITIAL.finditer(text):
        first, initial, _, last = m.groups()
        if initial.islower() and first.islower() and last.islower():
            ok = _given(first, allow, 4.0) and _surname(last, allow)
        else:
            ok = initial.isupper() and first[0].isupper() and last[0].isupper() and (
                _given(first, allow) or _name_word(first, allow)) and (
                _surname(last, allow) or _name_word(last, allow))
        if ok:
            spans.append((m.start(1), m.end(4)))
    spans += _lower_case_pairs(text, allow)
    return spans


def _lower_case_pairs(text: str, allow: frozenset[str]) -> list[Span]:
    """ "lena andersson", "patricia desrosiers": a known given name that is not a common word, then a known surname."""
    given, surnames = names.gazetteer()
    words = list(_LOWER.finditer(text))
    spans = []
    for a, b in zip(words, words[1:], strict=False):
        if a.group() in given and b.group() in surnames and text[a.end(): b.start()] in (" ", "\t") and \
                _given(a.group(), allow, 4.0) and _surname(b.group(), allow):
            spans.append((a.start(), b.end()))
    return spans


def propagated(text: str, found: list[Span], allow: frozenset[str] = frozenset()) -> list[Span]:
    """More of the names in `found`: the other members of a list that holds one ("Eklund, Michael and Hodge"),
    and other mentions of their words ("directed by Maciej Borkowski and starring Borkowski")."""
    if not found:
        return []
    spans: list[Span] = []
    if " and " in text or "&" in text:
        for m in _LIST.finditer(text):
            parts, pos = [], m.start()
            for piece in _LIST_SPLIT.split(m.group()):
                start = text.index(piece, pos)
                parts.append((start, start + len(piece)))
                pos = start + len(piece)
            if any(s < e2 and s2 < e for s, e in parts for s2, e2 in found):
                spans += [(s, e) for s, e in parts if all(_plain_word(w, allow) for w in _TOKEN.findall(text[s:e]))]
    words = set()
    for s, e in found:
        for w in _TOKEN.findall(text[s:e]):
            if len(w) > 2 and _plain_word(w, allow) and names.zipf(w.casefold()) < 4.0:
                words.add(w)
    if words:
        spans += [m.span() for m in _TOKEN.finditer(text) if m.group() in words]
    taken = list(found)
    out = []
    for s, e in sorted(set(spans)):
        if not any(s < e2 and s2 < e for s2, e2 in taken):
            out.append((s, e))
            taken.append((s, e))
    return out
