"""The rule-based recognizers (regex + validator + score + context words) for personal data and secrets, as plain data.

Each `Rule` maps onto one presidio_analyzer `Pattern` inside a `PatternRecognizer` (validator -> `validate_result`).
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

# A rule whose score is below REDACT_THRESHOLD only counts when one of its context words is near the match; context
# adds CONTEXT_BOOST (Presidio's LemmaContextAwareEnhancer defaults: factor 0.35, floor 0.4).
REDACT_THRESHOLD = 0.5
CONTEXT_BOOST = 0.35
CONTEXT_BEFORE = 40  # characters scanned for context words before a match
CONTEXT_AFTER = 16  # and after it ("416 60 039 office", "07700 063 966-Fax")


@dataclass(frozen=True)
class Rule:
    entity: str
    name: str
    pattern: str
    score: float
    validator: Callable[[str], bool] | None = None  # gets the value (the `group` text); False drops the match
    context: tuple[str, ...] = ()  # word prefixes; matched at a word start, case-insensitively
    group: int = 0  # which regex group is the value to replace (0: the whole match)
    flags: int = 0  # re flags; a PatternRecognizer built from this rule must use them as global_regex_flags
    # Prefilters (speed only, Presidio ignores them): any of `requires` must occur in the lower-cased text and the
    # text must hold at least `min_digits` digits; a rule whose prefilter fails cannot match.
    requires: tuple[str, ...] = ()
    min_digits: int = 0
    min_length: int = 0
    gate: str = ""  # a cheap regex that must find something first; rules sharing a gate search it once per text
    min_token: int = 0  # the text must hold a run of this many token characters [A-Za-z0-9+/=_-]


# --- validators -----------------------------------------------------------------------------------------------------


_NOT_ASCII_DIGITS = re.compile(r"[^0-9]+")


def digits_of(value: str) -> str:
    """The digits of value, in order (str.isdigit: on ASCII text, 0-9)."""
    if value.isascii():
        return _NOT_ASCII_DIGITS.sub("", value)
    return "".join(ch for ch in value if ch.isdigit())


def luhn_ok(value: str) -> bool:
    return _luhn_digits_ok(digits_of(value))


def _luhn_digits_ok(digits: str) -> bool:
    if not 12 <= len(digits) <= 19 or len(set(digits)) == 1:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_ok(value: str) -> bool:
    """13-19 digits, Luhn-valid, and the separators (if any) are all the same kind."""
    digits = digits_of(value)
    return 13 <= len(digits) <= 19 and not (" " in value and "-" in value) and _luhn_digits_ok(digits)


def short_card_ok(value: str) -> bool:
    """12-digit Maestro numbers (50, 56-69 prefixes); only ever accepted with card context."""
    digits = digits_of(value)
    return len(digits) == 12 and (digits[:2] == "50" or "56" <= digits[:2] <= "69") and _luhn_digits_ok(digits)


def ipv4_ok(value: str) -> bool:
    parts = value.split(".")
    return len(parts) == 4 and all(len(p) <= 3 and int(p) <= 255 and (p == "0" or p[0] != "0") for p in parts)


def ipv6_ok(value: str) -> bool:
    if value.count(":") < 2 or len(value) < 6:  # "a::b"-like fragments and times are not worth a finding
        return False
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return True


def shannon_entropy(value: str) -> float:
    """Bits per character: log2(n) - sum(c log2 c) / n over the character counts c."""
    n = len(value)
    if not n:
        return 0.0
    return math.log2(n) - sum(c * math.log2(c) for c in Counter(value).values() if c > 1) / n


def entropy_at_least(value: str, bits: float) -> bool:
    # k distinct characters hold at most log2(k) bits each: most non-secrets are ruled out without counting
    return math.log2(len(set(value)) or 1) >= bits and shannon_entropy(value) >= bits


def _has_classes(value: str) -> bool:
    return any(c.isupper() for c in value) and any(c.islower() for c in value) and any(c.isdigit() for c in value)


def high_entropy_secret(value: str) -> bool:
    """A standalone token: random-looking base64/base62 (upper, lower and digits), not a path, SHA or UUID."""
    if value.startswith("/") or value.count("/") > 3 or not _has_classes(value):
        return False
    return entropy_at_least(value, 4.3)


def keyed_secret(value: str) -> bool:
    """A 32+ char token next to a secret keyword: hex or base64 with some randomness."""
    return entropy_at_least(value, 3.0)


_NOT_SECRETS = frozenset(
    "true false null none nil undefined string str bytes int bool optional required redacted changeme "
    "example xxxx xxxxxx xxxxxxxx ****".split()
)


def assigned_secret(value: str) -> bool:
    """A value assigned to password=/secret: etc.; type names, booleans and masks are not secrets."""
    v = value.lower().strip("\"'`")
    if v.isdigit() and len(v) < 6:  # token=1024, secret: 0
        return False
    return len(v) >= 4 and v not in _NOT_SECRETS and not v.startswith(("${", "{{", "%(", "<")) and set(v) != {"*"}


def prefixed_key(value: str) -> bool:
    """sk-... keys: long random tail, so at least one digit and one letter (not 'sk-learn-...' prose)."""
    tail = value[3:]
    return any(c.isdigit() for c in tail) and any(c.isalpha() for c in tail)


def bearer_token(value: str) -> bool:
    """Not an English word: has a digit, mixed case or token punctuation."""
    return any(c.isdigit() or c in "._~+/-=" for c in value) or (value.lower() != value and value.upper() != value)


def ssn_ok(value: str) -> bool:
    """A US social security number as the SSA issues them: area not 000, 666 or 9xx; group not 00; serial not
    0000; not one of the numbers published as examples."""
    digits = digits_of(value)
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return (len(digits) == 9 and area not in ("000", "666") and area[0] != "9" and group != "00"
            and serial != "0000" and digits not in _EXAMPLE_SSNS)


_EXAMPLE_SSNS = frozenset(("078051120", "219099999", "123456789"))


def iban_ok(value: str) -> bool:
    """ISO 13616: 15-34 characters, the check digits by ISO 7064 mod 97-10."""
    compact = value.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34 or not compact.isascii() or not compact.isalnum():
        return False
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


DATE_START = re.compile(
    r"(?:19|20)\d\d([-. ])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])(?![\d])"
    r"|(?:0?[1-9]|[12]\d|3[01])([-. ])(?:0?[1-9]|1[0-2])\2(?:19|20)\d\d(?![\d])"
)


_EXTENSION = re.compile(r"\s*(?:x|ext\.?)\s*")
DOTTED_QUAD = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")


def _phone_digits(value: str) -> str | None:
    """The digits of a phone number without its extension: 7-15 of them, not a date, not a dotted quad, not an epoch
    timestamp; None for what is not a phone number."""
    main = _EXTENSION.split(value.lower(), maxsplit=1)[0]
    digits = digits_of(main)
    if not 7 <= len(digits) <= 15 or DATE_START.match(main) or DOTTED_QUAD.fullmatch(main):
        return None
    if main.isdigit() and digits[0] == "1" and len(digits) in (10, 13):  # epoch seconds / milliseconds
        return None
    return digits


def phone_ok(value: str) -> bool:
    return _phone_digits(value) is not None


def intl_phone_ok(value: str) -> bool:
    digits = _phone_digits(value)
    return digits is not None and len(digits) >= 8


# --- the rules ------------------------------------------------------------------------------------------------------

_I = re.IGNORECASE
# Every card, phone and IPv4 value holds a digit, five digits/separators, and a digit: one search rules most texts out.
DIGIT_GATE = r"\d[\d ().+-]{5,}\d"
_EXT = r"(?:\s?(?:x|ext\.?)\s?\d{1,6})?"
PHONE_CONTEXT = (
    "phone", "tel", "mobile", "cell", "fax", "call", "dial", "sms", "text me", "whatsapp", "desk", "office", "landline",
    "answering", "messages", "reach me", "reachable", "contact", "ring me",
)  # fmt: skip
CARD_CONTEXT = ("card", "cc", "credit", "debit", "visa", "mastercard", "amex", "maestro", "payment")
SSN_CONTEXT = ("ssn", "social security", "social sec", "ss#", "ss #", "tax id", "taxpayer")
LICENSE_CONTEXT = ("driver", "licen", "dl#", "dl #", "dl no", "dmv")
SECRET_CONTEXT = (
    "key", "secret", "token", "password", "passwd", "credential", "signature", "hmac", "auth", "api", "private",
)  # fmt: skip
_SECRET_NAMES = (
    r"password|passwd|secret|client_secret|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|"
    r"private[_-]?key|auth[_-]?token|access[_-]?token|refresh[_-]?token|session[_-]?token|token"
)
# JSON object keys whose whole string value is a secret ({"password": "hunter2"}): used by the JSON-aware redactor.
SECRET_KEY_PATTERN = rf"(?i)^(?:[a-z0-9]+[_-])*(?:{_SECRET_NAMES}|authorization|credentials?)$"

RULES: tuple[Rule, ...] = (
    Rule(
        "EMAIL_ADDRESS", "email",
        r"[A-Za-z0-9](?<![\w.%+-][A-Za-z0-9])[A-Za-z0-9._%+-]*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,24}"
        r"(?![A-Za-z0-9-])",
        0.9, requires=("@",),
    ),
    Rule(
        "CREDIT_CARD", "credit_card",
        r"\d(?<![\w.+-]\d)(?:[ -]?\d){12,18}(?![\w]|[.-]\d)",
        0.9, card_ok, CARD_CONTEXT, min_digits=13, gate=DIGIT_GATE,
    ),
    Rule(
        "CREDIT_CARD", "credit_card_12_digit",
        r"\d(?<![\w.+-]\d)\d{3}[ -]?\d{4}[ -]?\d{4}(?![\w]|[ .-]\d)",
        0.3, short_card_ok, CARD_CONTEXT, min_digits=12, gate=DIGIT_GATE,
    ),
    Rule(
        "IP_ADDRESS", "ipv4",
        r"\d(?<![\w.]\d)\d{0,2}\.(?:\d{1,3}\.){2}\d{1,3}(?![\w]|\.\d)",
        0.8, ipv4_ok, requires=(".",), min_digits=4, gate=DIGIT_GATE,
    ),
    Rule(
        "IP_ADDRESS", "ipv6",
        r"[0-9A-Fa-f:](?<![\w:.][0-9A-Fa-f:])[0-9A-Fa-f]{0,3}:(?:[0-9A-Fa-f]{0,4}:){0,6}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3}|:)"
        r"(?!\w|[.:][0-9A-Fa-f])",  # a trailing colon or full stop is prose ("... from fe80::1:"), not address
        0.8, ipv6_ok, requires=(":",), min_digits=1, gate=r":[0-9A-Fa-f]{0,4}:",
    ),
    Rule(
        "PHONE_NUMBER", "phone_international",
        rf"\+(?<![\w+]\+)\d{{1,3}}(?:[ .-]?(?:\(\d{{1,4}}\)|\d{{1,5}})){{2,6}}{_EXT}(?![\w]|[.-]\d)",
        0.7, intl_phone_ok, PHONE_CONTEXT, requires=("+",), min_digits=8, gate=DIGIT_GATE,
    ),
    Rule(
        "PHONE_NUMBER", "phone_us",
        rf"(?<![\w.+-])(?:(?:1|001)[ .-]?)?(?:\([2-9]\d\d\)\s?\d{{3}}[.-]\d{{4}}|[2-9]\d\d([.-])\d{{3}}\1\d{{4}}){_EXT}"
        r"(?![\w]|[.-]\d)",
        0.7, phone_ok, PHONE_CONTEXT, min_digits=10, gate=DIGIT_GATE,
    ),
    Rule(
        "PHONE_NUMBER", "phone_with_context",
        # an area code in brackets may run on into the number: "(0121)4960079", "(0808)-271251"
        rf"(?<![\w.+/:-])(?:\(\d{{2,5}}\)[ .-]?\d{{2,8}}|\d{{2,5}})(?:[ .-]?\(\d{{1,4}}\)|[ .-]\d{{2,8}}){{0,5}}{_EXT}"
        r"(?![\w/:]|[.-]\d)",
        0.2, phone_ok, PHONE_CONTEXT, min_digits=7, gate=DIGIT_GATE,
    ),
    Rule(
        "PHONE_NUMBER", "phone_digits_with_context",
        r"(?<![\w.+/:-])\d{8,12}(?![\w/:]|[.-]\d)",
        0.2, phone_ok, PHONE_CONTEXT, min_digits=8, gate=DIGIT_GATE,
    ),
    Rule(
        # 3-2-4 digits with one kind of separator; nine bare digits only next to a context word
        "US_SSN", "us_ssn",
        r"\d(?<![\w.+-]\d)\d\d([- ])\d\d\1\d{4}(?![\w]|[.-]\d)",
        0.6, ssn_ok, SSN_CONTEXT, min_digits=9, gate=DIGIT_GATE,
    ),
    Rule(
        "US_SSN", "us_ssn_digits_with_context",
        r"\d(?<![\w.+-]\d)\d{8}(?![\w]|[.-]\d)",
        0.2, ssn_ok, SSN_CONTEXT, min_digits=9, gate=DIGIT_GATE,
    ),
    Rule(
        "IBAN_CODE", "iban",
        # compact, or in groups of four after spaces (capitals: "…0363 phone=" is no group)
        r"[A-Za-z](?<![A-Za-z0-9][A-Za-z])[A-Za-z]\d\d(?:[A-Za-z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?)"
        r"(?![A-Za-z0-9])",
        0.9, iban_ok, ("iban", "account", "bank", "transfer"), min_digits=4, min_length=15,
        gate=r"[A-Za-z]{2}\d\d",
    ),
    Rule(
        # a licence number has no common shape (each state its own): only next to a context word
        "US_DRIVER_LICENSE", "us_driver_license_with_context",
        r"(?<![\w-])(?:[A-Za-z]{1,2}\d{4,14}|\d{5,13}|\d{2,4}-\d{2,4}-\d{2,5})(?![\w]|-\w)",
        0.2, None, LICENSE_CONTEXT, min_digits=5, requires=("driv", "licen", "dl", "dmv"),
    ),
    Rule(
        "AWS_ACCESS_KEY", "aws_access_key_id",
        r"(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])",
        0.95, requires=("akia", "asia"),
    ),
    Rule(
        "SECRET", "aws_secret_access_key",
        r"aws_?secret_?access_?key[\"']?\s*[:=]\s*[\"']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])",
        0.95, group=1, flags=_I, requires=("secret",),
    ),
    Rule(
        "GITHUB_TOKEN", "github_token",
        r"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})(?![A-Za-z0-9_])",
        0.95, requires=("gh", "github_pat_"),
    ),
    Rule(
        "SLACK_TOKEN", "slack_token",
        r"(?<![A-Za-z0-9-])xox[abprs]-[A-Za-z0-9-]{10,250}(?![A-Za-z0-9-])",
        0.95, requires=("xox",),
    ),
    Rule(
        "JWT", "jwt",
        r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]+(?![A-Za-z0-9_-])",
        0.9, requires=("eyj",),
    ),
    Rule(
        "BEARER_TOKEN", "bearer_token",
        r"(?<![A-Za-z0-9])bearer\s+([A-Za-z0-9._~+/-]{8,}=*)(?![A-Za-z0-9._~+/=-])",
        0.85, bearer_token, group=1, flags=_I, requires=("bearer",),
    ),
    Rule(
        "SECRET", "prefixed_api_key",
        r"(?<![A-Za-z0-9_-])sk[-_](?:proj-|ant-|live_|test_)?[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])",
        0.9, prefixed_key, requires=("sk-", "sk_"),
    ),
    Rule(
        "URL_SECRET", "url_query_secret",
        r"[?&;](?:access_token|refresh_token|id_token|auth_token|token|api_key|apikey|key|sig|signature|password|"
        r"passwd|pwd|secret|client_secret|code|x-amz-signature|x-amz-credential|x-amz-security-token)=([^&#\s\"'<>]{4,})",
        0.9, group=1, flags=_I, requires=("=",),
    ),
    Rule(
        "SECRET", "secret_assignment",
        rf"(?<![A-Za-z0-9])(?:{_SECRET_NAMES})[\"']?\s*[:=]\s*[\"']?([^\s\"'&,;<>()\[\]{{}}]{{4,}})",
        0.8, assigned_secret, group=1, flags=_I,
        requires=("passw", "secret", "key", "token"),
    ),
    Rule(
        "SECRET", "url_credentials",
        r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,20}://[^\s:/@\"'<>]+:([^\s@/\"'<>]{3,})@",
        0.9, group=1, requires=("://",),
    ),
    Rule(
        # a password said in prose ("the last one was Harbor9303#SUus"): the first password-shaped token (letters,
        # a digit and a symbol) in the 120 characters after the word
        "SECRET", "password_in_prose",
        r"(?i:\b(?:passwords?|passwd|passphrases?|pwd)\b)[^\n]{0,120}?(?<![\w@./:-])"
        r"((?=[A-Za-z0-9!#$%&*^~+=?]*\d)(?=[A-Za-z0-9!#$%&*^~+=?]*[A-Za-z])(?=[A-Za-z0-9!#$%&*^~+=?]*[!#$%&*^~+=?])"
        r"[A-Za-z0-9!#$%&*^~+=?]{8,64})(?![\w@])",
        0.8, group=1, requires=("passw", "pwd"),
    ),
    Rule(
        "SECRET", "high_entropy_near_keyword",
        r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{32,}={0,2}(?![A-Za-z0-9+/=_-])",
        0.3, keyed_secret, SECRET_CONTEXT, min_length=32, min_token=32,
    ),
    Rule(
        "SECRET", "high_entropy_token",
        r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{32,}={0,2}(?![A-Za-z0-9+/=_-])",
        0.6, high_entropy_secret, min_digits=1, min_length=32, min_token=32,
    ),
)

ENTITIES: tuple[str, ...] = tuple(dict.fromkeys(r.entity for r in RULES))
# What detect.py finds besides the rules (names, addresses, the organisation's dictionary): placeholders too.
OTHER_ENTITIES: tuple[str, ...] = ("PERSON", "STREET_ADDRESS", "CODENAME", "EMPLOYEE_ID", "INTERNAL_HOST")
