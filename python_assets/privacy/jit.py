"""The redaction rules' regexes run by PCRE2's JIT on ASCII text: about 5x Python's `re` on log text.

Only where the two engines mean the same thing: an ASCII subject, where `\\d`, `\\w`, `\\b` and case folding agree,
and with `\\s` written out as Python's (it also matches \\x1c-\\x1f). Two ways in:
- `compile_core`: the C core (`_core.c`, built by setup.py where a compiler is) that also applies the rules' cheap
  prefilters, looks for context words, resolves overlaps and validates, one call per text;
- `compile_ascii`: one rule's matches through the pcre2 binding, where the C core is not built. It calls
  `pcre2._cy`, the binding's Cython layer, with the version pinned in pyproject.toml: the public `finditer` wraps
  every match in Python objects that cost more than the match itself.
Non-ASCII text, a pattern this cannot translate, a match that hits a PCRE2 limit, or no pcre2: Python's `re` runs
instead and finds the same matches, more slowly (tests/test_redaction_rules.py compares the paths).
"""

from __future__ import annotations

import re
from collections.abc import Callable

Spans = list[tuple[int, int, int, int]]  # (match start, match end, group start, group end) per match, in order

# Python's \s on ASCII text: \t \n \v \f \r, \x1c-\x1f and space (PCRE2's \v would mean vertical space: spelt out)
_SPACE_IN_CLASS = r"\x09-\x0d\x1c-\x20"


def ascii_pattern(pattern: str) -> str | None:
    """`pattern` with `\\s` spelt out as Python matches it on ASCII text; None for what is not translated (`\\S`)."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            escape = pattern[i: i + 2]
            if escape == r"\S":
                return None
            if escape == r"\s":
                out.append(_SPACE_IN_CLASS if in_class else f"[{_SPACE_IN_CLASS}]")
            else:
                out.append(escape)
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
            out.append(ch)
            i += 1
            for lead in ("^", "]"):  # "[^]...]" and "[]...]": a leading "]" is a member, not the end
                if pattern[i: i + 1] == lead:
                    out.append(lead)
                    i += 1
            continue
        if ch == "]" and in_class:
            in_class = False
        out.append(ch)
        i += 1
    return "".join(out)


def _load():
    try:
        import pcre2
        from pcre2 import _cy
    except ImportError:
        return None
    try:
        return pcre2, _cy, _cy.create_match_context(), _cy.match_generator, _cy.match_substring_span_bynumber
    except AttributeError:  # another binding version: stay on re
        return None


_PCRE2 = _load()


def compile_ascii(pattern: str, flags: int, group: int) -> Callable[[bytes], Spans | None] | None:
    """A function from ASCII bytes to the spans of every non-overlapping match (None when PCRE2 gave up on that
    text), or None where PCRE2 cannot run this pattern."""
    if _PCRE2 is None or flags & ~re.IGNORECASE:
        return None
    pcre2, _cy, context, generate, span = _PCRE2
    translated = ascii_pattern(pattern)
    if translated is None:
        return None
    try:
        code = pcre2.compile(translated.encode("ascii"), flags=pcre2.I if flags & re.IGNORECASE else 0,
                             jit=True)._pcre2_code
    except Exception:  # noqa: BLE001 - a pattern PCRE2 rejects runs on re
        return None

    def spans(data: bytes) -> Spans | None:
        out: Spans = []
        try:
            if group:
                for match, _, _ in generate(code, data, len(data), 0, context):
                    out.append(span(match, data, 0) + span(match, data, group))
            else:
                for match, _, _ in generate(code, data, len(data), 0, context):
                    out.append(span(match, data, 0) * 2)
        except Exception:  # noqa: BLE001 - a match or JIT-stack limit on a pathological text: re finds them
            return None
        return out

    return spans


def compile_core(rules, placeholder: str, threshold: float, before: int, after: int):
    """The C core (_core.c) for these compiled rules: what they choose in an ASCII text, in one call; None where it
    is not built, or a pattern is not translated."""
    try:
        from python_assets.privacy import _core
    except ImportError:
        return None
    from python_assets.privacy import rules as r

    # the validators _core.c also has (NATIVE_* there, in this order); other validators stay Python calls
    native = {r.card_ok: 1, r.short_card_ok: 2, r.ipv4_ok: 3, r.phone_ok: 4, r.intl_phone_ok: 5}
    spec = []
    for cr in rules:
        rule = cr.rule
        pattern = ascii_pattern(rule.pattern)
        context = ascii_pattern(cr.context.pattern) if cr.context is not None else None
        gate = ascii_pattern(rule.gate) if rule.gate else None
        if (pattern is None or (cr.context is not None and context is None) or (rule.gate and gate is None)
                or rule.flags & ~re.IGNORECASE or not all(n.isascii() and n == n.lower() for n in rule.requires)):
            return None
        spec.append((pattern.encode("ascii"), bool(rule.flags & re.IGNORECASE), rule.group, rule.score, cr.boosted,
                     cr.needs_context, context.encode("ascii") if context is not None else None, rule.validator,
                     tuple(n.encode("ascii") for n in rule.requires), rule.min_digits, rule.min_length,
                     rule.min_token, gate.encode("ascii") if gate is not None else None,
                     native.get(rule.validator, 0)))
    marker = ascii_pattern(placeholder)
    if marker is None:
        return None
    date_start, dotted_quad = ascii_pattern(r.DATE_START.pattern), ascii_pattern(r.DOTTED_QUAD.pattern)
    if date_start is None or dotted_quad is None:
        return None
    return _core.Core(spec, marker.encode("ascii"), threshold, before, after, date_start.encode("ascii"),
                      dotted_quad.encode("ascii"))
