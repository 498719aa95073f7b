"""The rule-based redaction pass: `SessionRedactor` replaces what `rules.RULES` find with per-session placeholders
(`<EMAIL_ADDRESS_1>`), or realistic surrogates (surrogates.py), in plain text, in JSON text (string leaves only)
and across an event's text fields.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import re
import threading
from collections import OrderedDict
from typing import NamedTuple

from python_assets.privacy import jit, surrogates
from python_assets.privacy.rules import (
    CONTEXT_AFTER,
    CONTEXT_BEFORE,
    CONTEXT_BOOST,
    ENTITIES,
    OTHER_ENTITIES,
    REDACT_THRESHOLD,
    RULES,
    SECRET_KEY_PATTERN,
    Rule,
    assigned_secret,
    digits_of,
)

# In schema order, so placeholder numbers follow the order the fields are stored in.
FIELDS = ("content", "tool_arguments", "tool_result", "feedback_value", "metadata")
JSON_FIELDS = ("tool_arguments", "tool_result", "metadata")

_ENTITY_ALTERNATION = "|".join(sorted((*ENTITIES, *OTHER_ENTITIES), key=len, reverse=True))
# `_<n>`: the session's counter; `_<hex>`: the keyed link id (FLYWHEEL_PII_LINK_KEY), longer where two collided
PLACEHOLDER = re.compile(rf"<(?:{_ENTITY_ALTERNATION})_(?:\d+|[0-9a-f]{{{surrogates.LINK_ID_HEX},64}})>")
_SECRET_KEY = re.compile(SECRET_KEY_PATTERN)
_JSON_ESCAPED = re.compile(r'["\\\x00-\x1f]')  # what json.dumps(..., ensure_ascii=False) writes otherwise
# A JSON string (escapes included) and, when it is an object key, the colon after it and the space up to the value.
_JSON_STRING = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"(\s*:\s*)?', re.DOTALL)
_DIGITS = b"0123456789"
# Token characters become "a" and everything else a space, so a run of N of them is a bytes `in` test.
_TOKEN_SHAPE = bytes(
    ord("a") if chr(b).isascii() and (chr(b).isalnum() or chr(b) in "+/=_-") else ord(" ") for b in range(256)
)
_JSON_KEY_RULE = "secret_json_key"
_FOLD = str.maketrans("ıſ", "is")  # re.IGNORECASE matches them to i and s; lower() leaves them be
# Python's \s matches \x1c-\x1f, Hyperscan's does not: they are scanned as spaces, which both match and which no
# rule treats otherwise. (Those bytes are never part of a multi-byte UTF-8 character.)
_PYTHON_SPACES = bytes.maketrans(b"\x1c\x1d\x1e\x1f", b"    ")


class Finding(NamedTuple):
    """One replaced value: where its placeholder is in the redacted text (never the value itself)."""

    entity: str
    rule: str
    score: float
    start: int
    end: int


class _Compiled:
    __slots__ = ("rule", "index", "regex", "jit", "context", "needs_context", "shared", "gate", "boosted")

    def __init__(self, rule: Rule, index: int, shared: bool):
        self.rule = rule
        self.index = index
        self.regex = re.compile(rule.pattern, rule.flags)
        self.jit = jit.compile_ascii(rule.pattern, rule.flags, rule.group)  # None: re runs it
        words = "|".join(re.escape(w) for w in rule.context)
        self.context = re.compile(rf"(?<![A-Za-z0-9]){words}", re.IGNORECASE) if words else None
        self.needs_context = rule.score < REDACT_THRESHOLD
        self.shared = (rule.pattern, rule.flags) if shared else None  # another rule has the same regex: run it once
        self.gate = _gate(rule.gate) if rule.gate else None
        self.boosted = max(min(1.0, rule.score + CONTEXT_BOOST), 0.4)  # the score with a context word


_GATES: dict[str, re.Pattern] = {}


def _gate(pattern: str) -> re.Pattern:
    return _GATES.setdefault(pattern, re.compile(pattern))


def _compile(rules: tuple[Rule, ...]) -> tuple[_Compiled, ...]:
    keys = [(r.pattern, r.flags) for r in rules]
    return tuple(_Compiled(r, i, keys.count(keys[i]) > 1) for i, r in enumerate(rules))


class _Prefilter:
    """Which rules can match a text, from one Hyperscan pass over it for all of them (speed only: the rules' own
    regexes still find the matches). Each rule's pattern is compiled in Hyperscan's prefilter mode, which accepts
    the lookarounds and reports a superset of the texts the pattern matches, Unicode classes as Python's; so a rule
    it rules out cannot match, and redaction is the same with or without it (tests/test_redaction_rules.py).
    A PII-dense text leaves ~3 of the 22 rules to run. Where Hyperscan is not installed (it ships for x86-64)
    every rule runs, behind its cheap `requires`/`min_digits`/`gate` checks."""

    def __init__(self, rules: tuple[_Compiled, ...]):
        import hyperscan  # ImportError where it is not installed: the caller goes without

        self._hs = hyperscan
        self._rules = rules
        self._db = None  # compiled on the first scan (~1 s): with the C core only non-ASCII text needs it
        self._lock = threading.Lock()
        self._local = threading.local()  # a scratch space serves one scan at a time: one per thread

    def _database(self):
        with self._lock:
            if self._db is None:
                hyperscan = self._hs
                base = hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_UTF8 | (
                    hyperscan.HS_FLAG_UCP)
                db = hyperscan.Database()
                db.compile(
                    expressions=[cr.rule.pattern.encode() for cr in self._rules], ids=[cr.index for cr in self._rules],
                    elements=len(self._rules),
                    flags=[base | (hyperscan.HS_FLAG_CASELESS if cr.rule.flags & re.IGNORECASE else 0)
                           for cr in self._rules])
                self._db = db
            return self._db

    def rules(self, text: str) -> list[int] | None:
        """The indexes of the rules that may match `text`, in order; None when it cannot tell (then every rule
        runs)."""
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: not UTF-8, which Hyperscan's UTF-8 mode requires
            return None
        db = self._db if self._db is not None else self._database()
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = self._hs.Scratch(db)
        hits: list[int] = []  # each rule reports once (single-match mode)
        db.scan(data.translate(_PYTHON_SPACES),
                      match_event_handler=lambda index, start, end, flags, context: hits.append(index),
                      scratch=scratch)
        hits.sort()
        return hits


class _Memo:
    """A result per text for texts seen before: system prompts, tool schemas and results, log boilerplate recur
    across sessions, and what the rules find in a text does not depend on the session (only the placeholders do).
    A text is kept the second time it is seen (a doorkeeper set of hashes), so one-off texts never push recurring
    ones out; both are bounded, oldest out first."""

    MAX_TEXTS = 1 << 14
    MAX_SEEN = 1 << 18
    MAX_CHARS = 4096

    __slots__ = ("texts", "seen")

    def __init__(self):
        self.texts: OrderedDict[str, object] = OrderedDict()
        self.seen: set[int] = set()

    def put(self, text: str, value: object) -> None:
        if len(text) > self.MAX_CHARS:
            return
        key = hash(text)
        if key not in self.seen:
            if len(self.seen) >= self.MAX_SEEN:
                self.seen.clear()
            self.seen.add(key)
            return
        if len(self.texts) >= self.MAX_TEXTS:
            self.texts.popitem(last=False)
        self.texts[text] = value


class _Engine:
    """A rule set compiled once: its regexes, its prefilter (None without Hyperscan) and the memos of what it finds
    in recurring plain texts and which recurring JSON texts held nothing."""

    __slots__ = ("rules", "all_rules", "prefilter", "core", "found", "chosen", "quiet_json")

    def __init__(self, rules: tuple[Rule, ...]):
        self.rules = _compile(rules)
        self.all_rules = list(range(len(self.rules)))  # the rule indexes: every rule runs
        try:
            self.prefilter = _Prefilter(self.rules)
        except ImportError:
            self.prefilter = None
        self.core = jit.compile_core(self.rules, PLACEHOLDER.pattern, REDACT_THRESHOLD, CONTEXT_BEFORE, CONTEXT_AFTER)
        self.found = _Memo()  # the rules' candidates in a recurring text (Python's path)
        self.chosen = _Memo()  # what the rules chose in a recurring ASCII text (the C core's path)
        self.quiet_json = _Memo()


@functools.lru_cache(maxsize=32)
def _engine(rules: tuple[Rule, ...]) -> _Engine:
    return _Engine(rules)


@functools.cache
def _default() -> _Engine:
    return _engine(RULES)  # a session redactor per session: skip hashing the rules each time


def _normalize(entity: str, value: str) -> str:
    """The same value written differently gets the same placeholder."""
    if entity == "EMAIL_ADDRESS":
        return value.lower()
    if entity in ("PHONE_NUMBER", "CREDIT_CARD"):
        return digits_of(value)
    if entity == "PERSON":  # "Ann Lee", "ann lee" and the local part "ann.lee" are one person
        return " ".join(_NAME_SEPARATORS.sub(" ", value.casefold()).split())
    if entity in ("CODENAME", "STREET_ADDRESS"):
        return " ".join(value.casefold().split())
    return value


_NAME_SEPARATORS = re.compile(r"[._]")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _has_context(cr: _Compiled, text: str, ms: int, me: int) -> bool:
    """A context word of the rule within CONTEXT_BEFORE characters before the match [ms, me) or CONTEXT_AFTER after
    it."""
    return bool(cr.context.search(text, max(0, ms - CONTEXT_BEFORE), ms) or cr.context.search(
        text, me, me + CONTEXT_AFTER))


class _CheapChecks:
    """The rules' own prefilters (`requires`, `min_digits`, `min_length`, `min_token`, `gate`) on one text, each
    computed once: what rules out rules where Hyperscan is not there."""

    __slots__ = ("text", "raw", "ndigits", "lower", "shape", "gates")

    def __init__(self, text: str):
        self.text = text
        self.raw = text.encode("utf-8", "surrogatepass")
        # \d matches any decimal digit (Arabic-Indic too): only an ASCII text can count bytes
        self.ndigits = (len(self.raw) - len(self.raw.translate(None, _DIGITS)) if text.isascii()
                        else sum(ch.isdecimal() for ch in text))
        self.lower = self.shape = None
        self.gates: dict[re.Pattern, bool] = {}

    def may_match(self, cr: _Compiled) -> bool:
        rule = cr.rule
        if self.ndigits < rule.min_digits or len(self.text) < rule.min_length:
            return False
        if rule.requires:
            if self.lower is None:
                self.lower = self.text.lower().translate(_FOLD)
            if not any(needle in self.lower for needle in rule.requires):
                return False
        if rule.min_token:
            if self.shape is None:
                self.shape = self.raw.translate(_TOKEN_SHAPE)
            if b"a" * rule.min_token not in self.shape:
                return False
        if cr.gate is not None:
            passed = self.gates.get(cr.gate)
            if passed is None:
                passed = self.gates[cr.gate] = cr.gate.search(self.text) is not None
            return passed
        return True


_VALID, _VALIDATE, _CONTEXT = 0, 1, 2  # what a candidate still has to pass: nothing, its validator, context too


def _select(text: str, found: list[tuple], rules: tuple[_Compiled, ...]) -> tuple:
    """The candidates that win their overlaps and pass their checks, in text order, as (start, end, score, rule
    index, value). Longest match wins an overlap, then the higher score, then the earlier start, then the rule
    order. Placeholders already in the text are taken: redacting redacted text changes nothing."""
    taken = [m.span() for m in PLACEHOLDER.finditer(text)] if "<" in text else []
    found.sort(key=lambda c: (c[0] - c[1], -c[2], c[0], c[3]))
    chosen = []
    for s, e, score, index, value, check, ms, me in found:
        for ts, te in taken:
            if s < te and ts < e:
                break
        else:  # overlaps nothing taken
            if check:
                cr = rules[index]
                if (check == _CONTEXT and not _has_context(cr, text, ms, me)) or (
                        cr.rule.validator is not None and not cr.rule.validator(value)):
                    continue
            taken.append((s, e))
            chosen.append((s, e, score, index, value))
    chosen.sort()
    return tuple(chosen)


@contextlib.contextmanager
def collector_paused():
    """Redacting makes no reference cycles, and the cyclic garbage collector would otherwise walk the memo, the open
    sessions and a batch's rows every few thousand allocations, for nothing: ~10% of a long run. Wrap a batch."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _continues(text: str, at: int, step: int) -> bool:
    """Whether the character at `at` carries a word on from its neighbour: a letter or digit, or . _ + @ with one
    beyond it (in the direction `step`). Not a hyphen: "555-0100-Office", "Lee-Smith" read as two words."""
    if not 0 <= at < len(text):
        return False
    ch = text[at]
    return ch.isalnum() or (ch in "._+@" and 0 <= at + step < len(text) and text[at + step].isalnum())


_finding = tuple.__new__  # Finding(...) without the keyword handling of a NamedTuple's __new__: half the time
_ROUNDED: dict[float, float] = {}  # a score as findings show it; scores come from a few rule constants


MIN_REMEMBERED = 6  # shorter values ("1234") would match too much by themselves


class SessionRedactor:
    """Redacts one session: the same value gets the same placeholder everywhere in it, counting per entity from 1
    (or, by the options, the same surrogate, or the same keyed id in every session)."""

    def __init__(self, rules: tuple[Rule, ...] = RULES, threshold: float = REDACT_THRESHOLD,
                 accelerate: bool = True, detector=None, *, replace: str = surrogates.PLACEHOLDER_MODE,
                 link_key: surrogates.LinkKey | bytes | str | None = None, session: str = ""):
        """`accelerate=False` runs every rule's Python regex on every text, with no prefilter, no PCRE2 and no memo:
        the reference the accelerated path must equal (tests/test_redaction_rules.py). `detector` (a
        detect.Detector) adds names, addresses and the organisation's dictionary to what the rules find.

        `replace="surrogate"` writes realistic fakes instead of placeholders (surrogates.py), drawn from `session`
        (the session id) and a per-entity counter. `link_key` (at least 16 bytes) derives placeholders and
        surrogates from HMAC-SHA256(key, entity + value) instead, so a value reads the same in every session."""
        if replace not in surrogates.REPLACE_MODES:
            raise ValueError(f"replace must be one of {', '.join(surrogates.REPLACE_MODES)}, not {replace!r}")
        engine = _default() if rules is RULES else _engine(tuple(rules))
        self._rules = engine.rules
        self._prefilter = engine.prefilter if accelerate else None
        self._accelerate = accelerate
        # the memos hold what the default threshold chose
        self._memo = engine if accelerate and threshold == REDACT_THRESHOLD else None
        self._all = engine.all_rules
        self._threshold = threshold
        self._placeholders: dict[tuple[str, str], str] = {}  # by (entity, value normalized)
        self._as_written: dict[tuple[str, str], str] = {}  # by (entity, value as written): normalized once
        self._counts: dict[str, int] = {}
        # Values already redacted in this session, by the rule that found them: a later mention without the context
        # that gave it away ("treat 'Harbor9303#SUus' as compromised") is still the same secret.
        self._known: dict[str, tuple[int, float]] = {}
        self._detector = detector
        self._known_detected: dict[str, tuple[tuple[str, str], float]] = {}  # (entity, recognizer), score
        self._link = surrogates.link_key_or_none(link_key)
        self._surrogate = replace == surrogates.SURROGATE_MODE
        self._session = session
        self._link_ids: set[str] = set()  # the keyed placeholders given out: two values never share one
        # The surrogates given out (always empty with placeholders). Unlike placeholders they have no pattern of
        # their own: where one recurs in a text it is taken, as a placeholder is, so redacting redacted text changes
        # nothing.
        self._emitted: dict[str, None] = {}

    def placeholder(self, entity: str, value: str) -> str:
        """What `value` becomes: its placeholder, or its surrogate."""
        ph = self._as_written.get((entity, value))
        if ph is None:
            key = (entity, _normalize(entity, value))
            ph = self._placeholders.get(key)
            if ph is None:
                ph = self._placeholders[key] = self._new_replacement(entity, key[1])
            if self._surrogate and not ph.startswith("<"):
                ph = surrogates.written_like(entity, value, ph)
                self._emitted.setdefault(ph, None)
            self._as_written[(entity, value)] = ph
        return ph

    def _new_replacement(self, entity: str, normalized: str) -> str:
        if self._link is None:
            n = self._counts[entity] = self._counts.get(entity, 0) + 1
            if not self._surrogate or entity not in surrogates.SURROGATES:
                return f"<{entity}_{n}>"
            # the session and the counter only: nothing of the value, so nothing links sessions
            seed = hashlib.sha256(f"{self._session}\x00{entity}\x00{n}".encode("utf-8", "surrogatepass")).digest()
        else:
            seed = self._link.digest(entity, normalized)
        if self._surrogate and entity in surrogates.SURROGATES:
            for attempt in range(surrogates.ATTEMPTS):
                fake = surrogates.surrogate(entity, normalized, surrogates.reseeded(seed, attempt))
                # never the value itself, another surrogate of the session, or a value the session already replaced
                if fake is not None and fake not in self._emitted and _normalize(entity, fake) != normalized and (
                        (entity, _normalize(entity, fake)) not in self._placeholders):
                    self._emitted[fake] = None
                    return fake
            # the type's range is used up in this session, or the draws kept colliding: the placeholder
        return f"<{entity}_{n}>" if self._link is None else self._link_id(entity, seed.hex())

    def _link_id(self, entity: str, digest_hex: str) -> str:
        """`<ENTITY_hex>` from the keyed HMAC; a prefix another value of the session already has grows longer."""
        for width in range(surrogates.LINK_ID_HEX, len(digest_hex) + 1, 4):
            ph = f"<{entity}_{digest_hex[:width]}>"
            if ph not in self._link_ids:
                self._link_ids.add(ph)
                return ph
        raise AssertionError("two values with the same HMAC-SHA256")  # the same (entity, value): cached before

    # --- plain text -------------------------------------------------------------------------------------------------

    def _candidates(self, text: str) -> list[tuple]:
        """(start, end, score, rule index, value, check, match start, match end) of every match of the rules that
        can reach the threshold, overlapping allowed. `check` (_VALID, _VALIDATE, or _CONTEXT: a context word is
        still to be found around the match) is left for `_select` to run on the matches that win their overlap:
        most generic token matches lie inside a key a specific rule found, and are never validated or looked
        around. Plain ints and strings only, so the memo of them costs the garbage collector nothing."""
        shared: dict[tuple[str, int], jit.Spans] = {}
        found = []
        possible = self._prefilter.rules(text) if self._prefilter is not None else None
        if possible is None and self._accelerate:
            cheap = _CheapChecks(text)
            possible = [cr.index for cr in self._rules if cheap.may_match(cr)]
        elif possible is None:
            possible = self._all
        data = text.encode("ascii") if self._accelerate and text.isascii() else None
        threshold = self._threshold
        rules = self._rules
        for index in possible:
            cr = rules[index]
            rule = cr.rule
            spans = shared.get(cr.shared) if cr.shared else None
            if spans is None:
                if data is not None and cr.jit is not None:
                    spans = cr.jit(data)
                if spans is None:
                    spans = [(*m.span(), *m.span(rule.group)) for m in cr.regex.finditer(text)]
                if cr.shared:
                    shared[cr.shared] = spans
            boosted = cr.boosted
            if cr.needs_context:
                # counts only with a context word, at the boosted score: the word is looked for when the match wins
                # its overlap (below the threshold without it, it is nothing else meanwhile)
                if boosted >= threshold:
                    found.extend((start, end, boosted, index, text[start:end], _CONTEXT, ms, me)
                                 for ms, me, start, end in spans if start < end)
                continue
            for ms, me, start, end in spans:
                if start < end:
                    score = boosted if cr.context is not None and _has_context(cr, text, ms, me) else rule.score
                    if score >= threshold:
                        found.append((start, end, score, index, text[start:end], _VALIDATE, ms, me))
        return found

    def _known_in(self, text: str) -> list[tuple]:
        """Candidates for this session's remembered values where they recur in `text` (valid when first found)."""
        found = []
        for value, (index, score) in self._known.items():
            at = text.find(value)
            while at >= 0:
                found.append((at, at + len(value), score, index, value, _VALID, at, at + len(value)))
                at = text.find(value, at + len(value))
        return found

    def _choose(self, text: str) -> tuple:
        """(start, end, score, rule index, value) of the values to replace in `text`, in text order, none overlapping.
        What the rules find in a text is the same in every session: a recurring text's candidates, and what wins
        among them, come from the memo; this session's remembered values found in the text join the candidates."""
        known = self._known_in(text) if self._known else None
        if self._memo is None:
            found = self._candidates(text)
            if known:
                found += known
            return _select(text, found, self._rules) if found else ()
        core = self._memo.core
        if core is not None and text.isascii():
            if not known:
                chosen = self._memo.chosen.texts.get(text)
                if chosen is not None:
                    return chosen
            # the rules their cheap prefilters let through (no Hyperscan pass: PCRE2's own start-of-match
            # optimizations rule out the rest more cheaply)
            chosen = core.choose(text.encode("ascii"), None, [k[:5] for k in known] if known else [])
            if chosen is not None:  # None: PCRE2 gave up on this text (a limit); Python's re redoes it
                if not known:
                    self._memo.chosen.put(text, chosen)
                return chosen
        memo = self._memo.found
        entry = memo.texts.get(text)
        if entry is None:
            entry = [tuple(self._candidates(text)), None]  # [the rules' candidates, what wins among them alone]
            memo.put(text, entry)
        if known:
            return _select(text, [*entry[0], *known], self._rules)
        if entry[1] is None:
            entry[1] = _select(text, list(entry[0]), self._rules) if entry[0] else ()
        return entry[1]

    def _chosen(self, text: str) -> tuple:
        """What the rules choose, then what the detector adds around it: (start, end, score, kind, value), where kind
        is a rule's index or the detector's (entity, recognizer)."""
        # Surrogate mode, once it has given one out. Placeholders pay only this test: a method swapped in on the
        # instance would be a reference cycle, and collector_paused counts on redaction making none.
        if self._emitted:
            ours = self._surrogate_spans(text)
            if ours:
                return self._chosen_around(text, ours)
        chosen = self._choose(text)
        return self._with_detected(text, chosen) if self._detector is not None else chosen

    def _chosen_around(self, text: str, ours: list[tuple[int, int]]) -> tuple:
        """`_chosen` in a text where the session's surrogates stand (`ours`): they are taken, as placeholders are,
        so nothing overlapping one is chosen; on Python's path (the C core and the memos know only placeholders).
        Only redacted text holds surrogates, or a value that happens to equal one (docs/EVENTS.md)."""
        found = [c for c in (*self._candidates(text), *(self._known_in(text) if self._known else ()))
                 if not any(c[0] < e and s < c[1] for s, e in ours)]
        chosen = _select(text, found, self._rules) if found else ()
        return self._with_detected(text, chosen, ours) if self._detector is not None else chosen

    def _surrogate_spans(self, text: str) -> list[tuple[int, int]]:
        """Where the session's surrogates stand in `text` on their own: not a piece of a longer word, address or
        host ("Ann Lee" in "Ann Leeds", "ann@example.com" in "x.ann@example.com" are not taken, so the longer value
        is still found)."""
        spans = []
        for fake in self._emitted:
            at = text.find(fake)
            while at >= 0:
                end = at + len(fake)
                if not (_continues(text, at - 1, -1) or _continues(text, end, 1)):
                    spans.append((at, end))
                at = text.find(fake, at + 1)
        return spans

    def spans(self, text: str) -> list[tuple[int, int, float, str, str]]:
        """(start, end, score, entity, recognizer) of what `redact_text` would replace, in `text`'s own offsets;
        nothing is remembered."""
        out = []
        for s, e, score, index, _ in self._chosen(text) if text else ():
            rule = None if index.__class__ is tuple else self._rules[index].rule
            out.append((s, e, score, *(index if rule is None else (rule.entity, rule.name))))
        return out

    def redact_text(self, text: str) -> tuple[str, list[Finding]]:
        """`text` with every finding replaced by its placeholder; findings point at the placeholders in the result."""
        if not text:
            return text, []
        chosen = self._chosen(text)
        if not chosen:
            return text, []
        parts: list[str] = []
        findings: list[Finding] = []
        pos = 0  # in text
        out_len = 0
        for s, e, score, index, value in chosen:
            if index.__class__ is int:  # a rule's
                rule = self._rules[index].rule
                entity, name = rule.entity, rule.name
                if len(value) >= MIN_REMEMBERED:
                    self._known.setdefault(value, (index, score))
            else:  # the detector's: (entity, recognizer)
                entity, name = index
                if len(value) >= MIN_REMEMBERED:
                    self._known_detected.setdefault(value, (index, score))
            ph = self.placeholder(entity, value)
            parts.append(text[pos:s])
            out_len += s - pos
            parts.append(ph)
            shown = _ROUNDED.get(score)
            if shown is None:
                shown = _ROUNDED[score] = round(score, 2)
            findings.append(_finding(Finding, (entity, name, shown, out_len, out_len + len(ph))))
            out_len += len(ph)
            pos = e
        parts.append(text[pos:])
        return "".join(parts), findings

    def _with_detected(self, text: str, chosen: tuple, ours: list[tuple[int, int]] | None = None) -> tuple:
        """The rules' choice plus what the detector finds (names, addresses, dictionary entries) and this session's
        detected values where they recur, outside the rules' spans, existing placeholders and `ours` (surrogates
        already there): longest first, then highest score, then earliest."""
        found = [(s, e, score, (entity, name), text[s:e]) for s, e, score, entity, name in self._detector.find(text)]
        for value, (kind, score) in self._known_detected.items():
            at = text.find(value)
            while at >= 0:
                found.append((at, at + len(value), score, kind, value))
                at = text.find(value, at + len(value))
        if not found:
            return chosen
        taken = [(s, e) for s, e, *_ in chosen]
        if ours:
            taken += ours
        if "<" in text:
            taken += [m.span() for m in PLACEHOLDER.finditer(text)]
        found.sort(key=lambda f: (f[0] - f[1], -f[2], f[0]))
        added = []
        for f in found:
            if f[0] < f[1] and not any(f[0] < e and s < f[1] for s, e in taken):
                taken.append((f[0], f[1]))
                added.append(f)
        if not added:
            return chosen
        return tuple(sorted((*chosen, *added), key=lambda f: f[0]))

    # --- JSON text --------------------------------------------------------------------------------------------------

    def redact_json_text(self, text: str) -> tuple[str, list[Finding]]:
        """Redacts the string leaves of JSON text (not keys) where they stand, so it stays valid JSON with its own
        formatting, key order and duplicate keys; a leaf that is itself JSON text is redacted the same way. Text that
        is not JSON is redacted as text."""
        if not text:
            return text, []
        head = text[0] if not text[0].isspace() else text.lstrip()[:1]
        if head not in ("{", "[", '"'):
            return self.redact_text(text)
        # JSON text that held nothing holds nothing in any session, unless a value this session remembers is in
        # one of its strings: there it shows verbatim when the text has no escapes.
        quiet = self._memo.quiet_json if self._memo is not None and self._detector is None else None
        if quiet is not None and text in quiet.texts and not (
                self._known and ("\\" in text or any(value in text for value in self._known))):
            return text, []
        try:
            json.loads(text)
        except (ValueError, RecursionError):
            return self.redact_text(text)
        parts: list[str] = []
        findings: list[Finding] = []
        pos = out_len = 0  # in text, in the output
        value_at = -1  # where the string value of the last key would start
        secret_key = False
        # In valid JSON every quote outside a string opens one: the tokens are its strings, in order.
        for m in _JSON_STRING.finditer(text):
            raw = m.group(1)
            string = json.loads(text[m.start(): m.end(1) + 1]) if "\\" in raw else raw
            if m.group(2) is not None:  # an object key
                value_at, secret_key = m.end(), _SECRET_KEY.match(string) is not None
                continue
            red, leaf_findings = self._leaf(string, secret_key and m.start() == value_at)
            if not leaf_findings:
                continue
            start = m.start()
            parts.append(text[pos:start])
            out_len += start - pos
            # Placeholders need no escaping, so only the text before each one moves when it is JSON-encoded (by
            # the opening quote alone where nothing in it is escaped).
            plain = _JSON_ESCAPED.search(red) is None
            for f in leaf_findings:
                at = out_len + (f.start + 1 if plain else len(_dumps(red[: f.start])) - 1)
                findings.append(Finding(f.entity, f.rule, f.score, at, at + f.end - f.start))
            encoded = f'"{red}"' if plain else _dumps(red)
            parts.append(encoded)
            out_len += len(encoded)
            pos = m.end()
        if findings:
            parts.append(text[pos:])
            return "".join(parts), findings
        if quiet is not None:
            quiet.put(text, ())
        return text, []

    def _leaf(self, value: str, secret_key: bool) -> tuple[str, list[Finding]]:
        """A JSON string's value redacted, and findings in that value."""
        if secret_key and assigned_secret(value) and not PLACEHOLDER.fullmatch(value):
            ph = self.placeholder("SECRET", value)
            return ph, [Finding("SECRET", _JSON_KEY_RULE, 0.8, 0, len(ph))]
        if value.lstrip()[:1] in ("{", "["):
            return self.redact_json_text(value)
        return self.redact_text(value)

    # --- events -----------------------------------------------------------------------------------------------------

    def redact_event(self, event: dict) -> tuple[dict, dict[str, list[Finding]]]:
        """A copy of an event row with its text fields redacted, and the findings of each field that had any.

        `metadata` may be JSON text (a `raw_events` row) or a dict (a parsed `Event`); a dict comes back as a dict and
        its findings point into its canonical text, `json.dumps(..., ensure_ascii=False, sort_keys=True)`, the form
        ingestion stores."""
        out = dict(event)
        by_field: dict[str, list[Finding]] = {}
        for name in FIELDS:
            value = event.get(name)
            if isinstance(value, str):
                red, findings = (self.redact_json_text if name in JSON_FIELDS else self.redact_text)(value)
            elif name == "metadata" and isinstance(value, dict) and value:
                text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
                red_text, findings = self.redact_json_text(text)
                red = json.loads(red_text) if findings else value
            else:
                continue
            if findings:
                out[name] = red
                by_field[name] = findings
        return out, by_field


def rule_findings(text: str) -> list[tuple[int, int, float, str, str]]:
    """(start, end, score, entity, rule) of what the rules choose in `text` alone (no session)."""
    return [(s, e, round(score, 2), entity, rule) for s, e, score, entity, rule in SessionRedactor().spans(text)]
