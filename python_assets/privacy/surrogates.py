"""What a redacted value becomes: a placeholder (`<PERSON_1>`, the default) or, with FLYWHEEL_PII_REPLACE=surrogate,
a realistic fake of the same type; and the keyed linkage across sessions (FLYWHEEL_PII_LINK_KEY, off by default).

Surrogates come from Faker seeded by bytes the redactor derives (from the session and a per-entity counter, or from
the keyed HMAC of the value), so the same input redacts to the same output on every run (for this Faker version:
it is pinned in pyproject.toml). Where a range is set aside for fiction or documentation, the surrogate comes from
it, so it cannot be someone's real data: e-mail on example.com/.net/.org (RFC 2606), phone numbers 555-0100 to
555-0199 (NANP), IP addresses in 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 (RFC 5737) and 2001:db8::/32
(RFC 3849), hosts under .example, SSNs in the 9xx area the SSA never issues (our own `ssn_ok` rejects them too) and
IBANs with check digits 00 (ISO 7064 mod 97-10 only yields 02-98; drawn so that `iban_ok` rejects them). Cards
are Luhn-valid under 4000 00, the prefix of processors' published test cards (not a range the card schemes set
aside). Names, street addresses, codenames, employee ids and licence numbers have no such range: plausible, they
can match a real one.

Secrets (keys, tokens, passwords, JWTs, URL secrets) keep their placeholder in both modes: a fake credential
carries nothing a model needs to learn, one of a real shape trips secret scanners wherever the data goes and teaches
a model to write credential-shaped strings, and a random-looking one would be found again by the entropy rules.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import os
import string
import threading
from collections.abc import Callable

from python_assets.privacy.rules import iban_ok

PLACEHOLDER_MODE = "placeholder"
SURROGATE_MODE = "surrogate"
REPLACE_MODES = (PLACEHOLDER_MODE, SURROGATE_MODE)
MIN_KEY_BYTES = 16
LINK_ID_HEX = 12  # 48 bits: ~0.2% odds of one shared id among a million distinct values of a type
ATTEMPTS = 16  # surrogates tried before a value falls back to its placeholder (a session that exhausted a range)


def replace_mode(env: dict[str, str] | None = None) -> str:
    """FLYWHEEL_PII_REPLACE: `placeholder` (default) or `surrogate`."""
    env = os.environ if env is None else env
    mode = env.get("FLYWHEEL_PII_REPLACE", "").strip().lower() or PLACEHOLDER_MODE
    if mode not in REPLACE_MODES:
        raise ValueError(f"FLYWHEEL_PII_REPLACE must be one of {', '.join(REPLACE_MODES)}, not {mode!r}")
    return mode


class LinkKey:
    """The HMAC-SHA256 key that links a value's replacement across sessions. Only the keyed HMAC state is kept (no
    attribute holds the key) and it shows as `LinkKey(<hidden>)`; HMAC objects cannot be pickled, so neither can
    this, and it never reaches a file by accident."""

    __slots__ = ("_mac",)

    def __init__(self, key: bytes | str):
        raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
        if len(raw) < MIN_KEY_BYTES:
            # neither the key nor its length in the message: exceptions end up in logs
            raise ValueError(f"FLYWHEEL_PII_LINK_KEY is too short: use at least {MIN_KEY_BYTES} random bytes "
                             "(e.g. `openssl rand -hex 32`)")
        self._mac = hmac.new(raw, digestmod=hashlib.sha256)

    def digest(self, entity: str, normalized: str) -> bytes:
        mac = self._mac.copy()
        mac.update(f"{entity}\x00{normalized}".encode("utf-8", "surrogatepass"))
        return mac.digest()

    def __repr__(self) -> str:
        return "LinkKey(<hidden>)"

    __str__ = __repr__

    def __reduce__(self):
        raise TypeError("a LinkKey is not serialized: read it from FLYWHEEL_PII_LINK_KEY where it is used")


def link_key(env: dict[str, str] | None = None) -> LinkKey | None:
    """FLYWHEEL_PII_LINK_KEY as a LinkKey; None (no linkage across sessions) when unset or empty."""
    env = os.environ if env is None else env
    value = env.get("FLYWHEEL_PII_LINK_KEY", "")
    return LinkKey(value) if value else None


def link_key_or_none(key: LinkKey | bytes | str | None) -> LinkKey | None:
    return key if key is None or isinstance(key, LinkKey) else LinkKey(key)


# --- surrogates -----------------------------------------------------------------------------------------------------

_local = threading.local()  # a Faker per thread: seeding and drawing from a shared one would interleave


def _faker():
    fake = getattr(_local, "fake", None)
    if fake is None:
        from faker import Faker  # ~0.3 s: only surrogate mode pays it

        fake = _local.fake = Faker("en_US")
    return fake


@functools.cache
def _names() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Faker's en_US given names and surnames, drawn from uniformly: its own draw weighs them by frequency, which
    costs ~60 us a name (most of a surrogate's cost), and common names are the ones a real name would equal."""
    from faker.providers.person.en_US import Provider

    return tuple(Provider.first_names), tuple(Provider.last_names)


def _word(fake, min_length: int = 5) -> str:
    for _ in range(20):  # the list has "by", "sort": a codename or host wants a real word
        word = fake.word()
        if len(word) >= min_length and word.isalpha():
            return word
    return "harbor"


def _full_name(fake) -> tuple[str, str]:
    first, last = _names()
    return fake.random.choice(first), fake.random.choice(last)


def _person(fake, normalized: str) -> str:
    first, last = _full_name(fake)
    # Two words even for a lone given name: a text that holds one of the session's surrogates passes as redacted,
    # and among ~700 given names a real one later in the session would too often be the same.
    return f"{first} {last}"


def written_like(entity: str, value: str, fake: str) -> str:
    """The session's surrogate for a person in the form `value` has: "ann.lee" (an e-mail local part taken for
    the name) gets "diamond.callahan" where "Ann Lee" gets "Diamond Callahan"."""
    if entity == "PERSON" and " " not in value and (sep := next((c for c in "._" if c in value), None)):
        return sep.join(fake.lower().split())
    return fake


def _email(fake, normalized: str) -> str:
    first, last = _full_name(fake)
    return f"{first}.{last}@example.{fake.random.choice(('com', 'net', 'org'))}".lower()


# NANP area codes in use or assignable: N from 2-9, no N11 service codes, no N9X (kept for expansion)
_AREAS = tuple(a for a in range(200, 1000) if a % 100 != 11 and a // 10 % 10 != 9)


def _phone(fake, normalized: str) -> str:
    rnd = fake.random
    return f"{rnd.choice(_AREAS)}-555-01{rnd.randrange(100):02d}"


def _luhn_completed(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):  # the check digit goes last: these are doubled from the right
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return digits + str(-total % 10)


def _card(fake, normalized: str) -> str:
    number = _luhn_completed(f"400000{fake.random.randrange(10**9):09d}")
    return " ".join(number[i: i + 4] for i in range(0, 16, 4))


_DOC_NETS_V4 = ((192, 0, 2), (198, 51, 100), (203, 0, 113))


def _ip(fake, normalized: str) -> str:
    rnd = fake.random
    if ":" in normalized:
        return str(ipaddress.IPv6Address((0x20010DB8 << 96) | rnd.getrandbits(96)))
    return ".".join(map(str, (*rnd.choice(_DOC_NETS_V4), rnd.randint(1, 254))))


def _ssn(fake, normalized: str) -> str:
    rnd = fake.random
    # group 01-49: not an ITIN either (those are 9xx with groups 50-65, 70-88, 90-92, 94-99)
    return f"9{rnd.randrange(100):02d}-{rnd.randint(1, 49):02d}-{rnd.randint(1, 9999):04d}"


def _iban(fake, normalized: str) -> str:
    rnd = fake.random
    while True:
        bank = "".join(rnd.choice(string.ascii_uppercase) for _ in range(4))
        iban = f"GB00{bank}{rnd.randrange(10**14):014d}"
        # a plain mod-97 test also passes 00 where the true check digits are 97 (1 in 97): those are drawn again
        if not iban_ok(iban):
            return iban


def _address(fake, normalized: str) -> str:
    street = fake.street_address()
    # a found address that runs on past the street line ("..., Springfield, IL 62704") gets a place line too
    return f"{street}, {fake.city()}, {fake.state_abbr()} {fake.zipcode()}" if "," in normalized else street


def _codename(fake, normalized: str) -> str:
    if normalized.startswith("project "):
        return f"Project {_word(fake).capitalize()}"
    return f"{fake.random.choice(_names()[1])} {fake.company_suffix()}"  # a customer


def _employee_id(fake, normalized: str) -> str:
    return f"E{fake.random.randrange(10**6):06d}"


def _host(fake, normalized: str) -> str:
    host = f"{_word(fake, 4)}-{fake.random.randint(1, 99)}.internal.example"
    scheme = normalized.split("://", 1)[0] if "://" in normalized else ""
    return f"{scheme.lower()}://{host}" if scheme.isascii() and scheme.isalpha() else host


def _licence(fake, normalized: str) -> str:
    rnd = fake.random
    return f"{rnd.choice(string.ascii_uppercase)}{rnd.randrange(10**7):07d}"


# The entities that get a surrogate; every other one (the secrets, and any entity added later) keeps its placeholder.
SURROGATES: dict[str, Callable] = {
    "PERSON": _person,
    "EMAIL_ADDRESS": _email,
    "PHONE_NUMBER": _phone,
    "CREDIT_CARD": _card,
    "IP_ADDRESS": _ip,
    "US_SSN": _ssn,
    "IBAN_CODE": _iban,
    "US_DRIVER_LICENSE": _licence,
    "STREET_ADDRESS": _address,
    "CODENAME": _codename,
    "EMPLOYEE_ID": _employee_id,
    "INTERNAL_HOST": _host,
}
PLACEHOLDER_ONLY = ("SECRET", "AWS_ACCESS_KEY", "GITHUB_TOKEN", "SLACK_TOKEN", "JWT", "BEARER_TOKEN", "URL_SECRET")


def surrogate(entity: str, normalized: str, seed: bytes) -> str | None:
    """A fake `entity` value for the value `normalized` (its shape: one name or two, v4 or v6, a scheme), drawn
    from `seed` alone; None for an entity that keeps its placeholder, or a draw the redactor cannot place."""
    make = SURROGATES.get(entity)
    if make is None:
        return None
    fake = _faker()
    fake.seed_instance(int.from_bytes(seed, "big"))
    value = make(fake, normalized)
    # JSON offsets assume a replacement is written as is inside a JSON string (redact_json_text): nothing escaped
    if not (value.isascii() and value.isprintable()) or '"' in value or "\\" in value:
        return None
    return value


def reseeded(seed: bytes, attempt: int) -> bytes:
    """The seed of the next draw after a collision (each attempt its own, so the sequence is deterministic)."""
    return seed if attempt == 0 else hashlib.sha256(seed + attempt.to_bytes(4, "big")).digest()
