"""Production-like chat and agent logs of the demo company, one sub-folder per format in that format's real shape,
with planted personal data and secrets and a few malformed records, all listed in `planted.json`; and a streamed
bench corpus.

Seeded: the same company, sizes and seed give byte-identical files (no wall clock, no set or hash ordering).

Events are counted as the canonical model does (python_assets/logs/events.py): one per message text (a system prompt
included; a message's text parts are one event), one per tool call, one per tool result, one per feedback record.
By format: an Anthropic `system` is one system message; an OTel conversation is its last chat span's input and output
messages (earlier chat spans repeat the history, execute_tool spans repeat the calls); a SWE-agent trajectory is its
`history` (an action is a message and a tool call, an observation after the first is a tool result); an app log
counts its role-tagged lines (a traceback's continuation lines belong to its ERROR line). Malformed records carry no
events, whichever way a parser quarantines them.

Refs of malformed records name the record the way ingestion does (its part before " /"), then where in it: "line N"
(1-based) in JSONL and text files, "line N /messages/0" inside a line, "item N /traj/0" in a JSON list, "file
/history/0" in a one-record file, "span <spanId>" in OTLP files, "file" for an unreadable file.
Session ids in planted.json: the record's own id; "task-<task_id>-trial-<trial>" for tau-bench; the .traj file's stem
for SWE-agent; the trace id for OTel spans in the deprecated form (they carry no gen_ai.conversation.id). A planted
BEARER_TOKEN or URL_SECRET value is the secret alone (not "Bearer " or the URL). User ids are `Person.id`s.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import shutil
import string
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from python_assets.demo.company import Company, Person, generate_company

LOG_FORMATS = ("openai_chat", "anthropic", "tau_bench", "swe_agent", "app_log", "otel", "feedback")
PLANTED_KINDS = (
    "EMAIL_ADDRESS", "PHONE_NUMBER", "IP_ADDRESS", "CREDIT_CARD", "AWS_ACCESS_KEY", "GITHUB_TOKEN", "SLACK_TOKEN",
    "JWT", "BEARER_TOKEN", "URL_SECRET", "SECRET", "PERSON", "CUSTOMER",
)
# Where a planted value sits: message text, a tool call's arguments, a tool's result, a stack trace, a feedback edit.
PLANTED_WHERE = ("text", "tool_arguments", "tool_result", "stack_trace", "feedback")
CUSTOMERS = (
    "Northwind Traders", "Globex Corporation", "Initech", "Umbrella Logistics", "Vandelay Industries",
    "Stark Freight", "Tyrell Systems", "Hooli Cloud", "Pied Piper Labs", "Cyberdyne Robotics", "Wonka Foods",
    "Oscorp Materials", "Soylent Nutrition", "Gringotts Capital", "Monarch Airlines", "Blue Sun Energy",
)
TOOLS = ("search_kb", "run_sql", "get_ticket", "create_ticket", "http_get", "python")
# Each format's share of the sessions (feedback refers to openai_chat and anthropic sessions, it has none of its own).
_SHARES = {"openai_chat": 34, "anthropic": 20, "app_log": 18, "otel": 12, "tau_bench": 10, "swe_agent": 6}
_MODELS = {
    "openai_chat": ("gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18", "gpt-4.1-2025-04-14", "o4-mini-2025-04-16"),
    "anthropic": ("claude-sonnet-4-20250514", "claude-3-5-haiku-20241022", "claude-opus-4-1-20250805"),
    "tau_bench": ("gpt-4o",),
    "swe_agent": ("gpt-4o",),
    "app_log": ("gpt-4o-mini", "gpt-4o", "claude-sonnet-4"),
    "otel": ("gpt-4o", "gpt-4o-mini", "gpt-4.1"),
}
_BASE62 = string.ascii_letters + string.digits
_HEX = "0123456789abcdef"
_EXT_FIRST = ("maria", "john", "wei", "fatima", "lukas", "sofia", "raj", "emily", "kofi", "yuna", "pablo", "ines")
_EXT_LAST = ("garcia", "smith", "chen", "haddad", "schulz", "rossi", "mehta", "clark", "mensah", "park", "ruiz")
_EXT_DOMAINS = ("gmail.com", "outlook.com", "yahoo.co.uk", "proton.me", "globex.example", "initech.example",
                "northwind.example", "hooli.example")
_US_AREAS = ("415", "212", "646", "312", "617", "206", "512", "303")
_REPOS = ("payments-api", "web-app", "data-pipelines")


# --- values -------------------------------------------------------------------------------------------------------


def luhn_digit(body: str) -> str:
    """The check digit that makes `body` + digit Luhn-valid."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:  # doubled once the check digit sits to its right
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class _Values:
    """Random-looking personal data and secrets from one generator: the same seed gives the same values."""

    def __init__(self, rng: random.Random, people: list[Person]):
        self.rng = rng
        self.people = people

    def chars(self, alphabet: str, n: int) -> str:
        return "".join(self.rng.choices(alphabet, k=n))

    def person(self) -> Person:
        return self.rng.choice(self.people)

    def external_email(self) -> str:
        r = self.rng
        first, last = r.choice(_EXT_FIRST), r.choice(_EXT_LAST)
        k = r.randrange(4)
        local = f"{first}.{last}" if k == 0 else f"{first[0]}{last}" if k == 1 else (
            f"{first}{r.randint(1, 99)}" if k == 2 else f"{last}.{first}")
        return f"{local}@{r.choice(_EXT_DOMAINS)}"

    def email(self) -> str:
        return self.person().mail if self.rng.random() < 0.5 else self.external_email()

    def phone(self) -> str:
        r = self.rng
        area, line = r.choice(_US_AREAS), f"{r.randint(100, 199):04d}"  # 555-0100..0199: reserved for fiction
        k = r.randrange(9)
        if k == 0:
            return f"({area}) 555-{line}"
        if k == 1:
            return f"+1 {area}-555-{line}"
        if k == 2:
            return f"{area}-555-{line}"
        if k == 3:
            return f"+44 20 7946 0{r.randint(0, 999):03d}"
        if k == 4:
            return f"+49 30 {r.randint(1000, 9999)} {r.randint(1000, 9999)}"
        if k == 5:
            return f"+91 98{r.randint(100, 999)} {r.randint(10000, 99999)}"
        if k == 6:
            return f"+81 3-{r.randint(1000, 9999)}-{r.randint(1000, 9999)}"
        if k == 7:
            return f"+61 2 {r.randint(9000, 9999)} {r.randint(1000, 9999)}"
        return f"+55 11 9{r.randint(1000, 9999)}-{r.randint(1000, 9999)}"

    def ip(self) -> str:
        r = self.rng
        k = r.randrange(8)
        if k == 0:
            return f"192.168.{r.randint(0, 254)}.{r.randint(2, 254)}"
        if k == 1:
            return f"172.{r.randint(16, 31)}.{r.randint(0, 254)}.{r.randint(2, 254)}"
        if k == 2:
            return f"203.0.113.{r.randint(2, 254)}"
        if k == 3:
            return f"198.51.100.{r.randint(2, 254)}"
        if k == 4:
            return f"2001:db8:{r.randint(1, 0xFFFF):x}::{r.randint(1, 0xFFFF):x}"
        return f"10.{r.randint(0, 254)}.{r.randint(0, 254)}.{r.randint(2, 254)}"

    def card(self) -> str:
        r = self.rng
        prefix, length = r.choice((("4", 16), ("4", 16), ("51", 16), ("53", 16), ("2221", 16), ("37", 15),
                                   ("6011", 16)))
        body = prefix + self.chars(string.digits, length - len(prefix) - 1)
        digits = body + luhn_digit(body)
        style = r.randrange(3)
        if style == 0:
            return digits
        sizes = (4, 6, 5) if length == 15 else (4, 4, 4, 4)
        groups, at = [], 0
        for size in sizes:
            groups.append(digits[at:at + size])
            at += size
        return (" " if style == 1 else "-").join(groups)

    def aws_key(self) -> str:
        return "AKIA" + self.chars(string.ascii_uppercase + "234567", 16)

    def aws_secret(self) -> str:
        return self.chars(_BASE62 + "/+", 40)

    def github(self) -> str:
        return "ghp_" + self.chars(_BASE62, 36)

    def slack(self) -> str:
        return f"xoxb-{self.chars(string.digits, 12)}-{self.chars(string.digits, 13)}-{self.chars(_BASE62, 24)}"

    def openai_key(self) -> str:
        return "sk-proj-" + self.chars(_BASE62, 48)

    def jwt(self) -> str:
        header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
        claims = {"sub": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)), "iss": "https://auth.acme.example",
                  "iat": 1786000000 + self.rng.randrange(8_000_000), "scope": "tickets:read orders:read"}
        payload = _b64url(json.dumps(claims, separators=(",", ":")).encode())
        return f"{header}.{payload}.{_b64url(self.rng.randbytes(32))}"

    def bearer(self) -> str:
        return self.chars(_BASE62, 28) + self.rng.choice("-_") + self.chars(_BASE62, 11)

    def url_token(self) -> str:
        return self.chars(_HEX, 32)

    def password(self) -> str:
        r = self.rng
        word = r.choice(("Summer", "Harbor", "Falcon", "Granite", "Orbit", "Velvet", "Cobalt"))
        return f"{word}{r.randint(10, 9999)}{r.choice('!#$%*')}{self.chars(_BASE62, 4)}"


# --- sessions -------------------------------------------------------------------------------------------------------


@dataclass
class _Call:
    id: str
    name: str
    arguments: dict
    result: str = ""
    is_error: bool = False
    error_type: str = ""


@dataclass
class _Turn:
    role: str  # system / user / assistant / tool
    ts: datetime
    text: str | None = None
    calls: list[_Call] = field(default_factory=list)  # an assistant's tool calls
    call: _Call | None = None  # the call a tool turn answers
    id: str | None = None  # an assistant message's native id
    latency_ms: int = 0
    input_tokens: int = 0
    output_tokens: int = 0


@dataclass
class _Feedback:
    record: dict
    plants: list[tuple[str, str, str]]


@dataclass
class _Session:
    id: str
    fmt: str
    person: Person
    model: str
    system: str
    start: datetime
    task: str = ""  # what the user wanted, in words without personal data (tau-bench's instruction)
    turns: list[_Turn] = field(default_factory=list)
    plants: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, value, where)
    feedback: list[_Feedback] = field(default_factory=list)
    reward: float = 1.0
    extra: dict = field(default_factory=dict)  # format-specific parts (a SWE-agent run's steps)

    def events(self, with_system: bool = True) -> int:
        n = 1 if with_system and self.system else 0
        for t in self.turns:
            n += ((1 if t.text else 0) + len(t.calls)) if t.role == "assistant" else 1
        return n


_FIELD_KINDS = {
    "email": "EMAIL_ADDRESS", "my_email": "EMAIL_ADDRESS", "colleague_email": "EMAIL_ADDRESS",
    "ext_email": "EMAIL_ADDRESS", "phone": "PHONE_NUMBER", "ip": "IP_ADDRESS", "card": "CREDIT_CARD",
    "aws": "AWS_ACCESS_KEY", "aws_secret": "SECRET", "sk": "SECRET", "password": "SECRET", "ghp": "GITHUB_TOKEN",
    "slack": "SLACK_TOKEN", "jwt": "JWT", "bearer": "BEARER_TOKEN", "token": "URL_SECRET", "colleague": "PERSON",
    "my_name": "PERSON", "customer": "CUSTOMER",
}
_FORMATTER = string.Formatter()


class _Script:
    """Builds one session: turns on a running clock, and every planted value with the place it was put."""

    def __init__(self, rng: random.Random, values: _Values, session: _Session):
        self.rng, self.values, self.s = rng, values, session
        self.clock = session.start
        self.vals: dict[str, str] = {}
        self.colleagues: dict[str, Person] = {}
        self.n_calls = 0

    # values: the same field name gives the same value within a session ("email" twice is one address, twice)
    def val(self, name: str, where: str) -> str:
        base = name.rstrip("0123456789")
        if name not in self.vals:
            self.vals[name] = self._new(base, name[len(base):])
        value = self.vals[name]
        if base in _FIELD_KINDS:
            self.s.plants.append((_FIELD_KINDS[base], value, where))
        return value

    def _new(self, base: str, suffix: str) -> str:
        v, r, me = self.values, self.rng, self.s.person
        if base in ("colleague", "colleague_email"):
            if suffix not in self.colleagues:
                pick = v.person()
                while pick is me:
                    pick = v.person()
                self.colleagues[suffix] = pick
            who = self.colleagues[suffix]
            return who.display_name if base == "colleague" else who.mail
        makers = {
            "email": v.email, "ext_email": v.external_email, "phone": v.phone, "ip": v.ip, "card": v.card,
            "aws": v.aws_key, "aws_secret": v.aws_secret, "sk": v.openai_key, "password": v.password,
            "ghp": v.github, "slack": v.slack, "jwt": v.jwt, "bearer": v.bearer, "token": v.url_token,
            "customer": self._customer,
            "my_email": lambda: me.mail, "my_name": lambda: me.display_name, "my_first": lambda: me.given_name,
            "ticket": lambda: f"INC-{r.randint(10000, 99999)}", "repo": lambda: r.choice(_REPOS),
            "amount": lambda: f"{r.randint(20_000, 480_000):,}.{r.randint(0, 99):02d}",
            "kb": lambda: f"KB-{r.randint(1000, 4999)}", "req": lambda: f"REQ-{r.randint(1000, 9999)}",
            "n": lambda: str(r.randint(2, 9)), "po": lambda: f"PO-{r.randint(100000, 999999)}",
        }
        if base not in makers:
            raise KeyError(f"no value maker for template field {base!r}")
        return makers[base]()

    def _customer(self) -> str:
        taken = {v for k, v in self.vals.items() if k.startswith("customer")}
        return self.rng.choice([c for c in CUSTOMERS if c not in taken] or CUSTOMERS)

    def fill(self, template: str, where: str) -> str:
        out = []
        for literal, name, _, _ in _FORMATTER.parse(template):
            out.append(literal)
            if name is not None:
                out.append(self.val(name, where))
        return "".join(out)

    # turns
    def _ids(self, kind: str) -> str:
        fmt, v = self.s.fmt, self.values
        if kind == "call":
            self.n_calls += 1
            if fmt == "app_log":
                return f"c{self.n_calls}"
            return "toolu_01" + v.chars(_BASE62, 22) if fmt == "anthropic" else "call_" + v.chars(_BASE62, 24)
        return "msg_01" + v.chars(_BASE62, 22) if fmt == "anthropic" else "chatcmpl-" + v.chars(_BASE62, 29)

    def _context_tokens(self) -> int:
        chars = len(self.s.system)
        for t in self.s.turns:
            chars += len(t.text or "") + len(t.call.result if t.call else "")
            chars += sum(len(json.dumps(c.arguments)) for c in t.calls)
        return 180 + chars // 4

    def user(self, template: str) -> None:
        if self.s.turns:
            self.clock += timedelta(seconds=self.rng.randint(15, 300))
        self.s.turns.append(_Turn("user", self.clock, text=self.fill(template, "text")))

    def call(self, name: str, arguments: dict) -> _Call:
        return _Call(self._ids("call"), name, arguments)

    def assistant(self, template: str | None = None, calls: tuple[_Call, ...] = ()) -> None:
        latency = self.rng.randint(350, 2200) + (self.rng.randint(300, 3000) if template else 0)
        self.clock += timedelta(milliseconds=latency)
        text = self.fill(template, "text") if template else None
        body = len(text or "") + sum(len(json.dumps(c.arguments)) for c in calls)
        self.s.turns.append(_Turn("assistant", self.clock, text=text, calls=list(calls), id=self._ids("msg"),
                                  latency_ms=latency, input_tokens=self._context_tokens(),
                                  output_tokens=max(8, body // 4)))

    def result(self, call: _Call, result: dict | list | str) -> None:
        self.clock += timedelta(milliseconds=self.rng.randint(40, 2500))
        call.result = result if isinstance(result, str) else json.dumps(result, ensure_ascii=False)
        self.s.turns.append(_Turn("tool", self.clock, call=call))

    def error(self, call: _Call, frames: list[str], exception: str) -> None:
        """The tool runner returns the exception's traceback; one frame always shows a credential."""
        self.clock += timedelta(milliseconds=self.rng.randint(40, 9000))
        lines = ["Traceback (most recent call last):",
                 '  File "/srv/assistant/agent/runner.py", line 142, in call_tool',
                 "    return TOOLS[name](**arguments)"]
        secret = self.rng.choice(_SECRET_FRAMES)
        lines += [self.fill(x, "stack_trace") for x in (*frames, *secret)]
        lines += [self.fill(x, "stack_trace") for x in exception.split("\n")]
        call.result, call.is_error = "\n".join(lines), True
        call.error_type = exception.split(":", 1)[0]
        self.s.turns.append(_Turn("tool", self.clock, call=call))


_SECRET_FRAMES = (
    ('  File "/srv/assistant/tools/storage.py", line 23, in s3_client',
     '    return boto3.client("s3", aws_access_key_id="{aws}", aws_secret_access_key="{aws_secret}")'),
    ('  File "/srv/assistant/tools/http.py", line 64, in get_json',
     '    resp = session.get(url, headers={{"Authorization": "Bearer {bearer}"}}, timeout=10)'),
    ('  File "/srv/assistant/notify.py", line 31, in post_update',
     '    client = WebClient(token="{slack}")'),
    ('  File "/srv/assistant/tools/github.py", line 45, in list_pulls',
     '    headers = {{"Authorization": "token {ghp}", "Accept": "application/vnd.github+json"}}'),
    ('  File "/srv/assistant/llm.py", line 18, in client',
     '    return OpenAI(api_key="{sk}")'),
    ('  File "/srv/assistant/auth.py", line 77, in refresh',
     '    session.headers["Authorization"] = "Bearer {jwt}"'),
    ('  File "/srv/assistant/tools/aws.py", line 12, in <module>',
     '    os.environ.setdefault("AWS_ACCESS_KEY_ID", "{aws}")'),
)

# --- direct questions: (user, assistant) exchanges per topic ----------------------------------------------------------

_QA = {
    "it": (
        ("My VPN drops every few minutes since this morning. I'm working from home, my IP is {ip} and the client "
         "says 'peer not responding'. Any idea?",
         "That error usually means the tunnel's keep-alive is being blocked. From {ip} try switching the VPN profile "
         "to 'TCP 443' and reconnect. If it still drops, run `vpncli diagnose` and attach the output to a ticket."),
        ("I'm locked out after the MFA reset. The SMS code should go to {phone} but nothing arrives.",
         "Codes can take a few minutes after a reset. If nothing reaches {phone} within 10 minutes, choose 'Call me "
         "instead', or ask the service desk to re-enrol you with the authenticator app."),
        ("Can you give {colleague} read access to the Finance shared drive? Their address is {colleague_email}.",
         "I can't change permissions myself, but here is the request to file: read access to 'Finance/Shared' for "
         "{colleague} ({colleague_email}). The drive owner approves it in the access portal."),
        ("Outlook keeps saying my mailbox is full. It's {my_email}, and I already emptied Deleted Items.",
         "The quota counts the Archive folder and recoverable items too. In Outlook on the web open Settings > "
         "General > Storage and empty 'Recoverable items'; that usually frees a few GB."),
        ("The printer on the 3rd floor shows offline for everyone. The print server is {ip}, can you check it?",
         "If everyone sees it offline, the spooler on {ip} has probably stopped. Facilities can restart it; until "
         "then the 4th-floor printer is on the same queue."),
        ("My new laptop won't join the office Wi-Fi. It's registered to {my_name} but the portal says the "
         "certificate is invalid.",
         "The Wi-Fi uses device certificates issued at the first sign-in on the wired network. Dock with ethernet "
         "once, sign in, wait ten minutes and the certificate will be there."),
        ("Someone called me from {phone} claiming to be IT and asked for my password. Should I report it?",
         "Yes. Use the 'Report phishing' button in Outlook or open a security ticket with the number ({phone}) and "
         "the time of the call. IT never asks for passwords."),
        ("Can you reset the password of the shared analytics-bot account? The last one was {password} and it "
         "expired.",
         "I can't reset passwords, and please don't paste them in chat: treat '{password}' as compromised now. "
         "Request a reset for analytics-bot in the service desk portal."),
    ),
    "code": (
        ("Why does boto3 give AccessDenied on s3:GetObject? My config is:\n\n```\n[default]\naws_access_key_id = "
         "{aws}\naws_secret_access_key = {aws_secret}\nregion = eu-west-1\n```",
         "First, rotate that key ({aws}): it's in this chat now. AccessDenied on GetObject usually means the IAM "
         "policy grants `s3:GetObject` on the bucket ARN but not on `arn:aws:s3:::bucket/*`."),
        ("How do I page through this endpoint? I call https://api.example.com/v1/invoices?token={token}&page=2 and "
         "only ever get 50 items.",
         "The response has a `next` cursor: keep requesting with it until it is null. And send the token in a "
         "header: a token in the query string ends up in proxy and server logs."),
        ("Our Slack bot stopped posting to #deploys. The token is {slack} and the API says not_in_channel.",
         "not_in_channel means the bot isn't a member of #deploys: `/invite @deploybot` fixes it. Please rotate "
         "that token, it's in this conversation now."),
        ("git push fails with 403. My remote is https://{ghp}@github.com/acme/{repo}.git, is the token wrong?",
         "A 403 with a token in the remote usually means the token lacks the `repo` scope or isn't authorised for "
         "SSO in the acme org. Authorise it, and prefer the credential helper to a token in the URL."),
        ("Can you tell me why the orders API rejects this JWT? {jwt}",
         "It is an HS256 token whose `exp` claim is in the past, so the API rejects it as expired. Request a fresh "
         "one from the auth service instead of reusing it."),
        ("My script fails with `openai.AuthenticationError: Incorrect API key provided: {sk}`. It worked yesterday.",
         "That key was probably revoked in Monday's rotation of project keys. Create a new key and load it from "
         "the environment, never from the source."),
        ("Write a Python regex that matches our ticket ids like INC-2041 or REQ-88812.",
         "`re.compile(r\"\\b(?:INC|REQ)-\\d{{3,6}}\\b\")` matches both; the word boundaries keep it from matching "
         "inside longer tokens."),
        ("Why does this pandas merge duplicate rows? I merge orders with customers on customer_id and {customer} "
         "shows up four times.",
         "The customers table has several rows per key: {customer} probably has one per billing address. "
         "Deduplicate it first, or merge with `validate='many_to_one'` to catch it early."),
        ("The staging DB times out: `psql postgresql://app:{password}@{ip}:5432/app` hangs for a minute.",
         "A timeout rather than a refusal points at the network: is {ip} reachable from your VPN segment? Try "
         "`nc -vz {ip} 5432`. And change that password, it's in the chat log now."),
    ),
    "hr": (
        ("How many PTO days can I carry over into next year? My manager {colleague} said 5 but the handbook looks "
         "different.",
         "The handbook allows up to 5 days, to be used by March 31, so {colleague} is right for your office."),
        ("What's the parental leave policy for the Berlin office? Asking for {colleague}, who starts leave in "
         "October.",
         "Berlin follows the Elterngeld rules and Acme tops pay up to 100% for the first 14 weeks. {colleague} "
         "should file the request in the HR portal seven weeks before the leave starts."),
        ("Can I expense the hotel from the {customer} visit? I paid with my personal card {card} by mistake.",
         "Yes: file it as an out-of-pocket expense with the receipt and the customer ({customer}). Mask the card "
         "number on the receipt before uploading; only the last four digits are needed."),
        ("I need to update my emergency contact to my partner, phone {phone}.",
         "You can do it yourself in the HR portal under Profile > Emergency contacts: add {phone} there, no "
         "separate request needed."),
        ("Is there a policy on gifts from customers? {customer} sent our team a hamper.",
         "Gifts under $100 per person are fine if registered in the gifts log. A team hamper from {customer} is "
         "fine: share it and note it in the log."),
        ("My payslip shows my old address. I'm {my_name}; can HR fix it?",
         "Update the address in the HR portal and payroll picks it up in the next run. If the payslip has gone "
         "out already, the people desk can reissue it."),
    ),
    "data": (
        ("Which customers churned last quarter? I think {customer} and {customer2} both dropped off in July.",
         "On the churn dashboard {customer} downgraded rather than churned; {customer2} cancelled on July 28. Net "
         "revenue churn for the quarter was 3.1%."),
        ("Why did revenue for {customer} double in September?",
         "Mostly a one-off: {customer} prepaid a 12-month renewal on September 30. Recurring revenue grew about 8%."),
        ("What's the difference between active users and seats in the usage dashboard?",
         "Seats are licences assigned; active users are people with at least one event in the window. An unused "
         "seat counts as a seat but not as an active user."),
        ("Who owns the {customer} account? I need to send them the Q3 report.",
         "{colleague} owns the {customer} account; their address is {colleague_email}."),
        ("The invoices table has a row with the card number {card} in plain text. Is that expected?",
         "No: card numbers must never land in the warehouse. Please open a security ticket; the loader for that "
         "table should tokenise the card field."),
    ),
}
_FOLLOW_UPS = (
    ("Thanks! Could you write that up so I can send it to {email}?",
     "Here's a short summary you can send to {email}:\n\n- What happened\n- What to do next\n- Who to contact if it "
     "happens again"),
    ("That worked, thanks.", "Glad it worked! Let me know if anything else comes up."),
    ("And who should I contact if it happens again?",
     "{colleague} ({colleague_email}) looks after this area; copy them on the ticket."),
    ("Can you say that more briefly?", "In short: follow the steps above, and open a ticket if it still fails."),
    ("Thanks. My direct line is {phone} if the service desk needs to call me.",
     "Noted: add {phone} to the ticket so the service desk can reach you."),
)
_SYSTEM_QA = ("You are Acme's internal assistant. Answer questions about IT, engineering, HR policy and company data "
              "briefly and accurately. Never repeat credentials back to the user.")
_SYSTEM_AGENT = ("You are Acme Helpdesk Agent. You can call the tools search_kb, run_sql, get_ticket, create_ticket, "
                 "http_get and python. Use a tool when you need facts; never invent ticket ids or numbers.")


def _qa_session(sc: _Script, topic: str) -> None:
    pool = _QA[topic]
    for i in sc.rng.sample(range(len(pool)), min(len(pool), sc.rng.choice((1, 2, 2, 3, 3, 4)))):
        sc.user(pool[i][0])
        sc.assistant(pool[i][1])
    for i in sc.rng.sample(range(len(_FOLLOW_UPS)), sc.rng.choice((0, 1, 1, 2))):
        sc.user(_FOLLOW_UPS[i][0])
        sc.assistant(_FOLLOW_UPS[i][1])
    sc.s.task = f"You have a {topic} question and follow up until it is answered."


# --- agent sessions -----------------------------------------------------------------------------------------------


def _agent_ticket(sc: _Script) -> None:
    sc.s.task = "Your laptop is failing; you want the agent to look up your ticket and tell you what to do next."
    sc.user(sc.rng.choice((
        "My laptop keeps freezing since the update, it's ticket {ticket}. You can reach me on {phone}.",
        "Any news on {ticket}? The laptop still freezes every hour. I'm {my_name}, mobile {phone}.",
    )))
    lookup = sc.call("get_ticket", {"ticket_id": sc.val("ticket", "tool_arguments")})
    sc.assistant("Let me pull up {ticket}.", (lookup,))
    if sc.rng.random() < 0.3:
        sc.error(lookup, ['  File "/srv/assistant/tools/tickets.py", line 38, in get_ticket',
                          "    resp.raise_for_status()"],
                 "ticketing.errors.ServiceUnavailable: 503 from https://helpdesk.acme.example/api/tickets/{ticket}")
        lookup = sc.call("get_ticket", {"ticket_id": sc.val("ticket", "tool_arguments")})
        sc.assistant("The ticket service was briefly unavailable; trying again.", (lookup,))
    sc.result(lookup, {
        "id": sc.val("ticket", "tool_result"), "status": "open", "priority": "P3",
        "requester": {"name": sc.val("my_name", "tool_result"), "email": sc.val("my_email", "tool_result"),
                      "phone": sc.val("phone", "tool_result")},
        "device": {"hostname": f"LT-{sc.rng.randint(10000, 99999)}", "ip": sc.val("ip", "tool_result")},
        "assignee": sc.val("colleague", "tool_result"),
        "notes": [sc.fill("Called {phone}, no answer. Left a voicemail.", "tool_result")],
    })
    kb = sc.call("search_kb", {"query": "laptop freezing after update", "top_k": 3})
    sc.assistant(None, (kb,))
    sc.result(kb, {"results": [
        {"id": sc.val("kb", "tool_result"), "title": "Laptop freezes after the monthly update",
         "snippet": "Roll back the graphics driver from Software Center, then reboot twice.",
         "updated_by": sc.val("colleague2", "tool_result")},
        {"id": "KB-1187", "title": "Collecting logs for a hardware ticket", "snippet": "Run `acme-diag --upload`."},
    ]})
    sc.assistant("{ticket} is open and assigned to {colleague}. Meanwhile, {kb} fixes most freezes after the "
                 "update: roll back the graphics driver from Software Center and reboot twice.")
    if sc.rng.random() < 0.5:
        sc.user("It still freezes. Please open a new ticket for a replacement and copy {colleague_email}.")
        create = sc.call("create_ticket", {
            "title": "Laptop replacement: freezes persist after driver rollback",
            "description": sc.fill("Requester {my_name} <{my_email}>, mobile {phone}. See {ticket}.",
                                   "tool_arguments"),
            "requester_email": sc.val("my_email", "tool_arguments"),
            "cc": [sc.val("colleague_email", "tool_arguments")], "priority": "P2",
        })
        sc.assistant(None, (create,))
        if sc.rng.random() < 0.5:
            sc.error(create, ['  File "/srv/assistant/tools/tickets.py", line 71, in create_ticket',
                              "    return client.post('/api/tickets', json=payload)"],
                     "ticketing.errors.RateLimited: 429 Too Many Requests (retry after 2s)")
            create = sc.call("create_ticket", dict(create.arguments))
            sc.assistant("The ticket system asked me to slow down; retrying.", (create,))
        req = sc.val("req", "tool_result")
        sc.result(create, {"id": req, "url": f"https://helpdesk.acme.example/requests/{req}", "status": "new"})
        sc.assistant("Done: {req} is open for a replacement laptop, with {colleague_email} in copy.")


def _agent_sql(sc: _Script) -> None:
    sc.s.task = "You want a customer's third-quarter spend and the account owner, from the warehouse."
    sc.user("How much did {customer} spend with us in Q3, and who owns the account?")
    bad = sc.call("run_sql", {"query": sc.fill(
        "SELECT customer_name, sum(amount) FROM invoices WHERE customer_name = '{customer}' "
        "AND issued_at >= '2026-07-01' GROUP BY 1", "tool_arguments")})
    sc.assistant("I'll query the warehouse.", (bad,))
    if sc.rng.random() < 0.6:
        sc.error(bad, ['  File "/srv/assistant/tools/sql.py", line 61, in run_sql',
                       "    cur.execute(query)"],
                 sc.rng.choice((
                     'psycopg.errors.UndefinedColumn: column "customer_name" does not exist\n'
                     "LINE 1: SELECT customer_name, sum(amount) FROM invoices WHERE custo...",
                     'psycopg.OperationalError: connection to server at "{ip}", port 5432 failed: timeout expired',
                 )))
        good = sc.call("run_sql", {"query": sc.fill(
            "SELECT c.name, sum(i.amount) AS total, c.owner_email FROM invoices i JOIN customers c ON "
            "c.id = i.customer_id WHERE c.name = '{customer}' AND i.issued_at >= '2026-07-01' "
            "GROUP BY c.name, c.owner_email", "tool_arguments")})
        sc.assistant("That failed; invoices joins customers by id, so I'm rewriting the query.", (good,))
    else:
        good = bad
    sc.result(good, {"columns": ["name", "total", "owner_email"], "row_count": 1, "rows": [[
        sc.val("customer", "tool_result"), float(sc.val("amount", "tool_result").replace(",", "")),
        sc.val("colleague_email", "tool_result")]]})
    sc.assistant("{customer} spent ${amount} in Q3. The account owner is {colleague_email}.")
    if sc.rng.random() < 0.5:
        sc.user("Can you list their last three payments? Finance needs to know which card was used.")
        pay = sc.call("run_sql", {"query": sc.fill(
            "SELECT paid_at, amount, card_number, payer_email FROM payments p JOIN customers c ON "
            "c.id = p.customer_id WHERE c.name = '{customer}' ORDER BY paid_at DESC LIMIT 3", "tool_arguments")})
        sc.assistant(None, (pay,))
        card, payer = sc.val("card", "tool_result"), sc.val("ext_email", "tool_result")
        sc.result(pay, {"columns": ["paid_at", "amount", "card_number", "payer_email"], "row_count": 3, "rows": [
            [f"2026-09-{d:02d}", round(sc.rng.uniform(900, 40000), 2), card, payer] for d in (28, 14, 2)]})
        last4 = "".join(ch for ch in card if ch.isdigit())[-4:]
        sc.assistant(f"All three were paid with the same card, ending {last4}, by {{ext_email}}. The full number is "
                     "in the payments table, so I won't repeat it here.")


def _agent_http(sc: _Script) -> None:
    sc.s.task = "You want to know whether today's order sync with a partner ran."
    sc.user(sc.rng.choice((
        "Did the order sync for {customer} run today? The partner endpoint is "
        "https://api.example.com/v1/orders?token={token}&page=2",
        "Can you check the partner API for {customer}'s latest orders? Use the usual token {token}.",
    )))
    first = sc.call("http_get", {
        "url": sc.fill("https://api.example.com/v1/orders?token={token}&page=2", "tool_arguments"),
        "headers": {"Authorization": sc.fill("Bearer {bearer}", "tool_arguments")}})
    sc.assistant("Checking the partner API.", (first,))
    if sc.rng.random() < 0.7:
        sc.error(first, ['  File "/srv/assistant/tools/http.py", line 88, in http_get',
                         "    resp.raise_for_status()"],
                 "requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: "
                 "https://api.example.com/v1/orders?token={token}&page=2")
        first = sc.call("http_get", {
            "url": sc.fill("https://api.example.com/v1/orders?token={token2}&page=2", "tool_arguments"),
            "headers": {"Authorization": sc.fill("Bearer {jwt}", "tool_arguments")}})
        sc.assistant("That token was rejected; retrying with the service account's token.", (first,))
    sc.result(first, {"status": 200, "next_page": 3, "orders": [
        {"id": sc.val("po", "tool_result"), "customer": sc.val("customer", "tool_result"),
         "contact": sc.val("ext_email", "tool_result"), "placed_from_ip": sc.val("ip", "tool_result"),
         "total": round(sc.rng.uniform(200, 9000), 2), "synced_at": sc.clock.strftime("%Y-%m-%dT06:00:00Z")}]})
    sc.assistant("Yes, the sync ran at 06:00 UTC. The latest order is {po} from {customer}, placed by {ext_email}.")


def _agent_python(sc: _Script) -> None:
    sc.s.task = "You want the top customers by revenue from last week's export."
    sc.user("Can you load last week's revenue export and give me the top 5 customers?")
    code = sc.fill("import pandas as pd\ndf = pd.read_csv('s3://acme-exports/revenue/latest.csv', storage_options="
                   "{{'key': '{aws}', 'secret': '{aws_secret}'}})\nprint(df.groupby('customer').revenue.sum()"
                   ".nlargest(5))", "tool_arguments")
    run = sc.call("python", {"code": code})
    sc.assistant(None, (run,))
    if sc.rng.random() < 0.75:
        sc.error(run, ['  File "<agent-python>", line 2, in <module>',
                       '  File "/srv/assistant/.venv/lib/python3.11/site-packages/botocore/client.py", line 1021, '
                       "in _make_api_call"],
                 "botocore.exceptions.ClientError: An error occurred (InvalidAccessKeyId) when calling the "
                 "GetObject operation: The AWS Access Key Id you provided does not exist in our records.")
        run = sc.call("python", {"code": "import pandas as pd\ndf = pd.read_csv('/mnt/exports/revenue/latest.csv')\n"
                                         "print(df.groupby('customer').revenue.sum().nlargest(5))"})
        sc.assistant("S3 refused the key; the export is mirrored on the shared drive, reading it there.", (run,))
    rows = []
    for rank in range(5):
        name = sc.val("customer" if rank == 0 else f"customer{rank + 1}", "tool_result")
        rows.append(f"{name:<22}{sc.rng.randint(450_000, 500_000) - rank * 60_000:>10}.0")
    sc.result(run, "customer\n" + "\n".join(rows) + "\nName: revenue, dtype: float64")
    sc.assistant("The top customers last week were {customer}, {customer2} and {customer3}, followed by {customer4} "
                 "and {customer5}.")


def _agent_kb(sc: _Script) -> None:
    sc.s.task = "You are moving office and want to know what to do about payroll and your laptop."
    sc.user("I'm moving to the London office next month. What do I need to do for payroll and my laptop? "
            "My new mobile is {phone}.")
    kb = sc.call("search_kb", {"query": "relocation between offices payroll laptop"})
    sc.assistant(None, (kb,))
    if sc.rng.random() < 0.3:
        sc.error(kb, ['  File "/srv/assistant/tools/kb.py", line 29, in search_kb',
                      "    hits = index.query(query, timeout=5.0)"],
                 "TimeoutError: search backend at {ip} did not answer in 5.0s")
        kb = sc.call("search_kb", {"query": "relocation London payroll"})
        sc.assistant("The search timed out; trying a narrower query.", (kb,))
    sc.result(kb, {"results": [
        {"id": sc.val("kb", "tool_result"), "title": "Relocating between offices",
         "snippet": sc.fill("Payroll changes need a signed addendum; contact {colleague} ({colleague_email}) in "
                            "People Ops.", "tool_result")},
        {"id": "KB-2231", "title": "Moving your laptop between regions", "snippet": "Open a re-imaging request."},
    ]})
    create = sc.call("create_ticket", {
        "title": "Relocation to London: laptop re-imaging",
        "description": sc.fill("Requester {my_name} <{my_email}>, new mobile {phone}.", "tool_arguments"),
        "requester_email": sc.val("my_email", "tool_arguments"), "priority": "P4"})
    sc.assistant("For payroll, {colleague} in People Ops handles the addendum ({kb}). I'm opening the laptop request "
                 "now.", (create,))
    req = sc.val("req", "tool_result")
    sc.result(create, {"id": req, "url": f"https://helpdesk.acme.example/requests/{req}", "status": "new"})
    sc.assistant("Done: {req} covers the laptop. Email {colleague_email} about the payroll addendum.")


_AGENTS = (_agent_ticket, _agent_sql, _agent_http, _agent_python, _agent_kb)
_TOPICS_BY_DEPARTMENT = {
    "Engineering": ("code", "code", "it", "hr"), "Data Science": ("data", "code", "data", "it"),
    "Sales": ("data", "hr", "it"), "Customer Success": ("data", "it", "hr"), "Finance": ("data", "hr", "it"),
}


def _chat_session(rng: random.Random, values: _Values, fmt: str, sid: str, person: Person,
                  start: datetime) -> _Session:
    agent = rng.random() < (0.9 if fmt in ("tau_bench", "otel") else 0.55)
    s = _Session(sid, fmt, person, rng.choice(_MODELS[fmt]), _SYSTEM_AGENT if agent else _SYSTEM_QA, start)
    sc = _Script(rng, values, s)
    if agent:
        tasks = []
        for k, script in enumerate(rng.sample(_AGENTS, rng.choice((1, 2, 2, 3)))):
            if k:  # the same person asks for something else in the same thread
                sc.vals = {name: v for name, v in sc.vals.items() if name.startswith("my_")}
                sc.colleagues.clear()
            script(sc)
            tasks.append(s.task)
        s.task = " Then: ".join(tasks)
        s.reward = 1.0 if rng.random() < 0.6 else 0.0
    else:
        _qa_session(sc, rng.choice(_TOPICS_BY_DEPARTMENT.get(person.department, ("it", "hr", "code", "data"))))
    if fmt in ("openai_chat", "anthropic") and rng.random() < 0.5:
        _add_feedback(sc)
    return s


def _add_feedback(sc: _Script) -> None:
    answers = [t for t in sc.s.turns if t.role == "assistant" and t.text]
    for t in sc.rng.sample(answers, min(len(answers), sc.rng.choice((1, 1, 2)))):
        kind = sc.rng.choice(("thumbs_up", "thumbs_up", "thumbs_down", "rating", "edit"))
        plants_before = len(sc.s.plants)
        if kind == "edit":
            value: object = sc.fill(sc.rng.choice((
                "Better: the owner is {colleague} ({colleague_email}), not the team alias.",
                "Add that the service desk can call back on {phone}.",
                "Corrected answer: the customer is {customer}; escalate to {colleague}.",
            )), "feedback")
        else:
            value = {"thumbs_up": 1, "thumbs_down": -1}.get(kind) or sc.rng.randint(1, 5)
        plants = sc.s.plants[plants_before:]
        del sc.s.plants[plants_before:]
        when = t.ts + timedelta(seconds=sc.rng.randint(5, 3600))
        sc.s.feedback.append(_Feedback({
            "type": kind, "session_id": sc.s.id, "message_id": t.id, "value": value,
            "timestamp": _iso(when, ms=False), "user_id": sc.s.person.id}, plants))


# --- SWE-agent runs -------------------------------------------------------------------------------------------------

_SWE_BUGS = (
    ("Invoice export crashes on customers without a VAT id", "invoice_export",
     "    vat = customer['vat_id'].upper()", "    vat = (customer.get('vat_id') or '').upper()",
     "KeyError: 'vat_id'"),
    ("Retry logic gives up after the first 502", "retry_logic",
     "    if attempt > 0:", "    if attempt >= max_attempts:",
     "requests.exceptions.HTTPError: 502 Server Error: Bad Gateway for url: "
     "https://api.example.com/v1/charges?token={token}&page=2"),
    ("Date parsing rejects ISO timestamps with a Z suffix", "date_parsing",
     "    return datetime.strptime(text, '%Y-%m-%dT%H:%M:%S')",
     "    return datetime.fromisoformat(text.replace('Z', '+00:00'))",
     "ValueError: unconverted data remains: Z"),
    ("Pagination drops the last page of results", "pagination",
     "    while page < total_pages:", "    while page <= total_pages:",
     "AssertionError: expected 51 rows, got 50"),
)
_SWE_SYSTEM = (
    "SETTING: You are an autonomous programmer working in a command line with a special file editor that shows "
    "100 lines at a time.\n\nCOMMANDS:\nopen <path> [<line_number>]\ngoto <line_number>\ncreate <filename>\n"
    "edit <start_line>:<end_line>\n<replacement_text>\nend_of_edit\nfind_file <file_name> [<dir>]\n"
    "search_file <search_term> [<file>]\nsubmit\n\nRESPONSE FORMAT:\nOne discussion paragraph, then exactly one "
    "command in a code block. Wait for the command's output before issuing the next one."
)


def _swe_session(rng: random.Random, values: _Values, person: Person, start: datetime, index: int) -> _Session:
    repo = rng.choice(_REPOS)
    instance = f"acme__{repo}-{1000 + index * 7 + rng.randint(0, 6)}"
    s = _Session(instance, "swe_agent", person, "gpt-4o", _SWE_SYSTEM, start)
    sc = _Script(rng, values, s)
    title, module, buggy, fixed, exception = rng.choice(_SWE_BUGS)
    workdir = f"/acme__{repo}"
    issue = sc.fill(
        f"{title}\n\nReported by {{colleague}} ({{colleague_email}}). {{customer}} hit this on their nightly run "
        f"from {{ip}}:\n\n```\n{exception}\n```\n", "text")
    path = f"src/{module}.py"
    source = [
        "import os", "", "import requests", "",
        sc.fill('SLACK_TOKEN = "{slack}"', "tool_result") if rng.random() < 0.5
        else sc.fill('AWS_ACCESS_KEY_ID = "{aws}"', "tool_result"),
        sc.fill('ALERT_EMAIL = "{colleague_email}"', "tool_result"), "", "",
        f"def {module}(customer, text, attempt=0, max_attempts=3, page=0, total_pages=1):", buggy,
        "    return locals()",
    ]
    listing = "\n".join(f"{i + 1}:{line}" for i, line in enumerate(source))
    steps: list[tuple[str, str, str]] = [  # (thought, action, observation)
        ("Let's look at the repository layout first.", "ls -a",
         ".\n..\n.env\n.git\n.github\nREADME.md\npyproject.toml\nsrc\ntests\n"),
    ]
    if rng.random() < 0.5:
        steps.append(("The .env file may hold the settings the failing job uses; let's check it.", "cat .env",
                      sc.fill("DATABASE_URL=postgresql://app:{password}@{ip2}:5432/app\nAWS_ACCESS_KEY_ID={aws}\n"
                              "AWS_SECRET_ACCESS_KEY={aws_secret}\nSUPPORT_EMAIL={my_email}\n", "tool_result")))
    steps += [
        (f"The traceback points at {module}. Let's find the file.", f'find_file "{module}.py"',
         f'Found 1 matches for "{module}.py" in {workdir}:\n{workdir}/{path}'),
        ("Let's open it.", f"open {path}",
         f"[File: {workdir}/{path} ({len(source)} lines total)]\n{listing}"),
        ("Let's reproduce the bug with a small script.", "create reproduce.py",
         f"[File: {workdir}/reproduce.py (1 lines total)]\n1:"),
    ]
    repro = sc.fill(f"from src.{module} import {module}\n\ncustomer = {{{{'name': '{{customer}}', 'email': "
                    f"'{{ext_email}}'}}}}\nprint({module}(customer, '2026-09-01T10:00:00Z'))", "tool_arguments")
    steps += [
        ("Now the reproduction code.", f"edit 1:1\n{repro}\nend_of_edit",
         f"[File: {workdir}/reproduce.py (4 lines total)]\n" + "\n".join(
             f"{i + 1}:{line}" for i, line in enumerate(repro.split("\n")))),
        ("Run it.", "python reproduce.py", "\n".join((
            "Traceback (most recent call last):",
            f'  File "{workdir}/reproduce.py", line 4, in <module>',
            f'  File "{workdir}/{path}", line 10, in {module}',
            *[sc.fill(x, "stack_trace") for x in rng.choice(_SECRET_FRAMES)],
            sc.fill(exception, "stack_trace"),
        ))),
        ("Line 10 is the bug. Fix it.", f"edit 10:10\n{fixed}\nend_of_edit",
         f"[File: {workdir}/{path} ({len(source)} lines total)]\n10:{fixed}\nFile updated."),
        ("Run the reproduction again.", "python reproduce.py", "Script completed successfully, no errors."),
        ("The fix works. Remove the script and submit.", "rm reproduce.py", ""),
    ]
    diff = (f"\ndiff --git a/{path} b/{path}\nindex {values.chars(_HEX, 7)}..{values.chars(_HEX, 7)} 100644\n"
            f"--- a/{path}\n+++ b/{path}\n@@ -7,5 +7,5 @@\n \n \n def {module}(customer, text, attempt=0, "
            f"max_attempts=3, page=0, total_pages=1):\n-{buggy}\n+{fixed}\n     return locals()\n")
    steps.append(("Everything is in place; submitting.", "submit", diff))
    s.extra = {"issue": issue, "steps": steps, "workdir": workdir, "path": path, "diff": diff}
    return s


def _swe_record(s: _Session, rng: random.Random) -> dict:
    workdir, steps = s.extra["workdir"], s.extra["steps"]
    intro = (f"We're currently solving the following issue within our repository. Here's the issue text:\nISSUE:\n"
             f"{s.extra['issue']}\nINSTRUCTIONS:\nSolve this issue on your own in {workdir}. When you're done, use "
             "the `submit` command.\n\n(Open file: n/a)\n(Current directory: " + workdir + ")\nbash-$")
    history = [
        {"message_type": "system_prompt", "role": "system", "content": s.system, "agent": "primary"},
        {"message_type": "observation", "role": "user", "content": intro, "agent": "primary"},
    ]
    trajectory, open_file = [], "n/a"
    for i, (thought, action, observation) in enumerate(steps):
        if action.startswith("open ") or action.startswith("create "):
            open_file = f"{workdir}/{action.split()[1]}"
        response = f"{thought}\n```\n{action}\n```"
        state = json.dumps({"open_file": open_file, "working_dir": workdir})
        trajectory.append({"action": action + "\n", "observation": observation, "response": response,
                           "thought": thought + "\n", "execution_time": round(rng.uniform(0.05, 4.0), 3),
                           "state": state})
        history.append({"message_type": "action", "role": "assistant", "content": response, "thought": thought,
                        "action": action + "\n", "agent": "primary"})
        if i < len(steps) - 1:  # SWE-agent keeps no observation of the final submit in the history
            history.append({"message_type": "observation", "role": "user", "agent": "primary", "content":
                            f"{observation}\n(Open file: {open_file})\n(Current directory: {workdir})\nbash-$"})
    sent = sum(len(h["content"]) for h in history) // 4
    return {"environment": "swe_main", "trajectory": trajectory, "history": history, "info": {
        "exit_status": "submitted", "submission": s.extra["diff"],
        "model_stats": {"total_cost": round(sent * 2.5e-6, 4), "instance_cost": round(sent * 2.5e-6, 4),
                        "tokens_sent": sent, "tokens_received": sent // 12, "api_calls": len(steps)}}}


def _swe_events(record: dict) -> int:
    return sum(2 if h.get("message_type") == "action" else 1 for h in record["history"])


# --- timing ---------------------------------------------------------------------------------------------------------


def _iso(ts: datetime, ms: bool = True) -> str:
    ts = ts.astimezone(UTC)
    return ts.strftime("%Y-%m-%dT%H:%M:%S") + (f".{ts.microsecond // 1000:03d}" if ms else "") + "Z"


def _session_start(rng: random.Random, company: Company, person: Person) -> datetime:
    """A working-hours instant in the person's own zone, inside the demo range (the last day ends early)."""
    while True:
        day = company.start + timedelta(days=rng.randrange(max(1, company.days - 1)))
        if day.weekday() < 5 or rng.random() < 0.15:
            break
    local = datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59),
                                       rng.randrange(1000) * 1000), tzinfo=ZoneInfo(person.timezone or "UTC"))
    return local.astimezone(UTC)


# --- writing --------------------------------------------------------------------------------------------------------


@dataclass
class LogManifest:
    """What generate_logs wrote: files by format, sessions and events by format, planted values, malformed records."""

    root: Path
    files: dict[str, list[str]]  # format -> paths relative to root
    sessions: dict[str, int]
    events: dict[str, int]  # the events a parser should load per format (malformed records excluded)
    planted: list[dict]  # {"kind", "value", "file", "session_id", "where"}
    malformed: list[dict]  # {"file", "ref", "why"}


def _dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)


class _Out:
    """Collects what the writers report while they write."""

    def __init__(self, root: Path):
        self.root = root
        self.files: dict[str, list[str]] = {f: [] for f in LOG_FORMATS}
        self.sessions = dict.fromkeys(LOG_FORMATS, 0)
        self.events = dict.fromkeys(LOG_FORMATS, 0)
        self.planted: list[dict] = []
        self.malformed: list[dict] = []

    def write(self, fmt: str, name: str, text: str) -> str:
        rel = f"{fmt}/{name}"
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.files[fmt].append(rel)
        return rel

    def session(self, s: _Session, rel: str, events: int, session_id: str | None = None) -> None:
        self.sessions[s.fmt] += 1
        self.events[s.fmt] += events
        for kind, value, where in s.plants:
            self.planted.append({"kind": kind, "value": value, "file": rel, "session_id": session_id or s.id,
                                 "where": where})

    def bad(self, rel: str, ref: str, why: str) -> None:
        self.malformed.append({"file": rel, "ref": ref, "why": why})


def _by_month(sessions: list[_Session]) -> dict[str, list[_Session]]:
    out: dict[str, list[_Session]] = {}
    for s in sorted(sessions, key=lambda s: (s.start, s.id)):
        out.setdefault(s.start.strftime("%Y-%m"), []).append(s)
    return out


def _openai_message(t: _Turn, rng: random.Random) -> dict:
    if t.role == "user":
        paragraphs = t.text.split("\n\n")
        if rng.random() < 0.2:  # the content-parts form, as multimodal-capable clients send it
            return {"role": "user", "content": [{"type": "text", "text": p} for p in paragraphs]}
        return {"role": "user", "content": t.text}
    if t.role == "tool":
        return {"role": "tool", "tool_call_id": t.call.id, "content": t.call.result}
    msg = {"role": "assistant", "id": t.id, "content": t.text}
    if t.calls:
        msg["tool_calls"] = [{"id": c.id, "type": "function", "function": {
            "name": c.name, "arguments": json.dumps(c.arguments, ensure_ascii=False)}} for c in t.calls]
    return msg


def _openai_record(s: _Session, rng: random.Random) -> dict:
    messages = [{"role": "system", "content": s.system}] + [_openai_message(t, rng) for t in s.turns]
    prompt = sum(t.input_tokens for t in s.turns if t.role == "assistant")
    completion = sum(t.output_tokens for t in s.turns if t.role == "assistant")
    return {"session_id": s.id, "user_id": s.person.id, "created": int(s.start.timestamp()), "model": s.model,
            "messages": messages,
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}}


def _anthropic_record(s: _Session, rng: random.Random, values: _Values) -> dict:
    messages: list[dict] = []
    for t in s.turns:
        if t.role == "user":
            content: object = t.text if rng.random() < 0.8 else [{"type": "text", "text": t.text}]
            messages.append({"role": "user", "content": content})
        elif t.role == "assistant":
            blocks: list[dict] = [{"type": "text", "text": t.text}] if t.text else []
            blocks += [{"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments} for c in t.calls]
            messages.append({"role": "assistant", "id": t.id, "content": blocks})
        else:
            result: object = t.call.result if rng.random() < 0.8 else [{"type": "text", "text": t.call.result}]
            block = {"type": "tool_result", "tool_use_id": t.call.id, "content": result, "is_error": t.call.is_error}
            if messages and messages[-1]["role"] == "user" and isinstance(messages[-1]["content"], list) and \
                    messages[-1]["content"][0]["type"] == "tool_result":
                messages[-1]["content"].append(block)  # parallel calls: one user turn answers them all
            else:
                messages.append({"role": "user", "content": [block]})
    system: object = s.system if rng.random() < 0.85 else [{"type": "text", "text": s.system}]
    return {"id": "log_" + values.chars(_BASE62, 24), "session_id": s.id, "model": s.model, "system": system,
            "metadata": {"user_id": s.person.id}, "created_at": _iso(s.start), "messages": messages,
            "usage": {"input_tokens": sum(t.input_tokens for t in s.turns if t.role == "assistant"),
                      "output_tokens": sum(t.output_tokens for t in s.turns if t.role == "assistant")}}


def _bad_line(out: _Out, rel: str, lines: list[str], item: tuple[str, str, str]) -> None:
    text, suffix, why = item
    lines.append(text)
    out.bad(rel, f"line {len(lines)}{suffix}", why)


def _write_jsonl(out: _Out, fmt: str, sessions: list[_Session], render, prefix: str,
                 bad: list[tuple[str, str, str]]) -> None:
    """One file per month, sessions in time order; the `bad` records (line, ref suffix, why) sit between the valid
    lines of the first month's file."""
    for month_index, (month, group) in enumerate(_by_month(sessions).items()):
        rel = f"{fmt}/{prefix}-{month}.jsonl"
        queue = list(bad) if month_index == 0 else []
        lines: list[str] = []
        for i, s in enumerate(group):
            lines.append(_dumps(render(s)))
            if queue and i % 7 == 3:
                _bad_line(out, rel, lines, queue.pop(0))
        for item in queue:
            _bad_line(out, rel, lines, item)
        out.write(fmt, f"{prefix}-{month}.jsonl", "\n".join(lines) + "\n")
        for s in group:
            out.session(s, rel, s.events())


def _chat_bad_records(values: _Values, start: datetime, fmt: str) -> list[tuple[str, str, str]]:
    sid = str(uuid.UUID(int=values.rng.getrandbits(128), version=4))
    if fmt == "openai_chat":
        whole = {"session_id": sid, "user_id": None, "created": int(start.timestamp()), "model": "gpt-4o",
                 "messages": [{"role": "user", "content": "Is the office open on the public holiday?"}]}
        return [
            (_dumps(whole)[:70], "", "invalid JSON (line cut short)"),
            (_dumps({**whole, "session_id": sid[::-1], "messages": [
                {"content": "Is the office open on the public holiday?"}]}), " /messages/0", "message without role"),
            (_dumps({**whole, "session_id": sid[1:] + "0", "messages": "user: hello"}), "", "messages is not a list"),
        ]
    whole = {"id": "log_" + values.chars(_BASE62, 24), "session_id": sid, "model": "claude-3-5-haiku-20241022",
             "system": _SYSTEM_QA, "metadata": {"user_id": None}, "created_at": _iso(start),
             "messages": [{"role": "user", "content": "Where do I find the holiday calendar?"}]}
    return [
        (_dumps(whole)[:90], "", "invalid JSON (line cut short)"),
        (_dumps({**whole, "system": None, "session_id": sid[::-1], "messages": [
            {"content": "Where do I find the holiday calendar?"}]}), " /messages/0", "message without role"),
        (_dumps({**whole, "system": None, "session_id": sid[1:] + "0", "messages": {"role": "user"}}), "",
         "messages is not a list"),
    ]


def _write_feedback(out: _Out, sessions: list[_Session], values: _Values) -> None:
    items = sorted(((f.record["timestamp"], f.record["session_id"], f.record["message_id"], f)
                    for s in sessions for f in s.feedback), key=lambda x: x[:3])
    months: dict[str, list[_Feedback]] = {}
    for ts, _, _, f in items:
        months.setdefault(ts[:7], []).append(f)
    target = items[0][3].record if items else {"session_id": "none", "message_id": "none", "user_id": None,
                                               "timestamp": "2026-08-10T09:00:00Z"}
    bad = [
        ('{"type": "thumbs_up", "session_id": "' + target["session_id"][:8], "", "invalid JSON (line cut short)"),
        (_dumps({**target, "type": "thumbs_sideways", "value": 0}), "", "unknown feedback type"),
        (_dumps({k: v for k, v in {**target, "type": "rating", "value": 4}.items() if k != "message_id"}), "",
         "feedback without message_id"),
    ]
    for month_index, (month, group) in enumerate(months.items()):
        rel = f"feedback/feedback-{month}.jsonl"
        queue = bad if month_index == 0 else []
        lines: list[str] = []
        for i, f in enumerate(group):
            lines.append(_dumps(f.record))
            if queue and i % 5 == 2:
                _bad_line(out, rel, lines, queue.pop(0))
        for item in queue:
            _bad_line(out, rel, lines, item)
        out.write("feedback", f"feedback-{month}.jsonl", "\n".join(lines) + "\n")
        out.events["feedback"] += len(group)
        for f in group:
            for kind, value, where in f.plants:
                out.planted.append({"kind": kind, "value": value, "file": rel,
                                    "session_id": f.record["session_id"], "where": where})
    if not months:  # still write the malformed lines, so every format has some
        lines = []
        for item in bad:
            _bad_line(out, "feedback/feedback-empty.jsonl", lines, item)
        out.write("feedback", "feedback-empty.jsonl", "\n".join(lines) + "\n")


def _ascii_name(text: str) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded if ch.isalnum()).lower()


def _tau_record(s: _Session, task_id: int, rng: random.Random) -> dict:
    traj: list[dict] = [{"role": "system", "content": s.system}]
    for t in s.turns:
        if t.role == "user":
            traj.append({"role": "user", "content": t.text})
        elif t.role == "assistant":
            msg: dict = {"content": t.text, "role": "assistant"}
            if t.calls:
                msg["tool_calls"] = [{"function": {"arguments": json.dumps(c.arguments, ensure_ascii=False),
                                                   "name": c.name}, "id": c.id, "type": "function"}
                                     for c in t.calls]
            traj.append(msg)
        else:
            traj.append({"role": "tool", "tool_call_id": t.call.id, "name": t.call.name, "content": t.call.result})
    uid = f"{_ascii_name(s.person.given_name)}_{_ascii_name(s.person.surname)}_{rng.randint(1000, 9999)}"
    actions = [{"name": t.call.name, "kwargs": t.call.arguments} for t in s.turns
               if t.role == "tool" and not t.call.is_error]
    digest = hashlib.sha256(_dumps(actions).encode()).hexdigest()
    return {"task_id": task_id, "reward": s.reward, "info": {
        "task": {"user_id": uid, "actions": actions, "instruction": f"You are {uid}. {s.task} You are reactive to the "
                 "agent and will not say anything that is not asked.", "outputs": []},
        "source": "user", "user_cost": round(rng.uniform(0.001, 0.009), 6),
        "reward_info": {"reward": s.reward, "info": {"r_actions": s.reward, "gt_data_hash": digest},
                        "actions": actions}}, "traj": traj, "trial": 0}


def _write_tau(out: _Out, sessions: list[_Session], rng: random.Random) -> None:
    rel = "tau_bench/acme-helpdesk.trial0.json"
    records, placed = [], []
    for s in sorted(sessions, key=lambda s: (s.start, s.id)):
        if len(records) == 5:  # a malformed record among the valid ones
            records.append({"task_id": len(records), "reward": 0.0, "info": {"task": {
                "user_id": "unknown_user_0000", "instruction": "You want the holiday calendar.", "actions": [],
                "outputs": []}}, "traj": [{"content": "Where is the holiday calendar?"}], "trial": 0})
            out.bad(rel, f"item {len(records) - 1} /traj/0", "message without role")
        records.append(_tau_record(s, len(records), rng))
        placed.append((s, len(records) - 1))
    out.write("tau_bench", "acme-helpdesk.trial0.json", json.dumps(records, indent=1, ensure_ascii=False) + "\n")
    for s, task_id in placed:
        out.session(s, rel, s.events(), session_id=f"task-{task_id}-trial-0")
    stub = {"task_id": 0, "reward": 1.0, "info": {"task": {"user_id": "unknown_user_0001", "instruction": "",
                                                           "actions": [], "outputs": []}},
            "traj": [{"role": "system", "content": _SYSTEM_AGENT}], "trial": 0}
    text = json.dumps([stub, stub], indent=1)
    rel = out.write("tau_bench", "acme-helpdesk-retry.trial0.json", text[: len(text) * 2 // 3])
    out.bad(rel, "file", "invalid JSON (file cut short)")


def _write_swe(out: _Out, sessions: list[_Session], rng: random.Random) -> None:
    for s in sessions:
        record = _swe_record(s, rng)
        rel = out.write("swe_agent", f"{s.id}.traj", json.dumps(record, indent=2, ensure_ascii=False) + "\n")
        out.session(s, rel, _swe_events(record))
    stub = {"environment": "swe_main", "trajectory": [], "history": [
        {"message_type": "system_prompt", "role": "system", "content": _SWE_SYSTEM, "agent": "primary"}],
        "info": {"exit_status": "early_exit"}}
    text = json.dumps(stub, indent=2)
    rel = out.write("swe_agent", "acme__web-app-0001.traj", text[: len(text) // 2])
    out.bad(rel, "file", "invalid JSON (file cut short)")
    stub = {**stub, "history": [{"message_type": "observation", "content": "ISSUE:\nThe build is red.",
                                 "agent": "primary"}]}
    rel = out.write("swe_agent", "acme__web-app-0002.traj", json.dumps(stub, indent=2) + "\n")
    out.bad(rel, "file /history/0", "message without role")


def _log_line(ts: datetime, level: str, text: str) -> str:
    return f"{_iso(ts)} {level:<5} {text}"


def _one_line(text: str) -> str:
    return text.replace("\n", "\\n")


def _app_log_entries(s: _Session) -> list[tuple[datetime, list[str]]]:
    tag = f"[session={s.id}]"
    entries = []
    for t in s.turns:
        if t.role == "user":
            entries.append((t.ts, [_log_line(t.ts, "INFO", f"{tag} [role=user] {_one_line(t.text)}")]))
        elif t.role == "assistant":
            if t.text:
                entries.append((t.ts, [_log_line(t.ts, "INFO", f"{tag} [role=assistant] [model={s.model}] "
                                                               f"[latency_ms={t.latency_ms}] {_one_line(t.text)}")]))
            for c in t.calls:
                entries.append((t.ts, [_log_line(t.ts, "INFO", f"{tag} [role=tool_call] [tool={c.name}] "
                                                               f"[call={c.id}] {_dumps(c.arguments)}")]))
        else:
            c = t.call
            head = f"{tag} [role=tool] [tool={c.name}] [call={c.id}] "
            if c.is_error:
                first, *rest = c.result.split("\n")
                entries.append((t.ts, [_log_line(t.ts, "ERROR", head + first), *rest]))
            else:
                entries.append((t.ts, [_log_line(t.ts, "INFO", head + _one_line(c.result))]))
    return entries


def _write_app_log(out: _Out, sessions: list[_Session], rng: random.Random) -> None:
    for month_index, (month, group) in enumerate(_by_month(sessions).items()):
        rel = f"app_log/assistant-{month}.log"
        entries: list[tuple[datetime, int, list[str], str]] = []  # (ts, order, lines, why if malformed)
        for day in sorted({s.start.date() for s in group}):
            boot = datetime.combine(day, time(0, 0), tzinfo=UTC)  # the nightly restart
            entries.append((boot, 0, [_log_line(boot, "INFO", f"server started (pid {rng.randint(2000, 60000)}, "
                                                                "version 3.4.2, workers 8)")], ""))
            entries.append((boot + timedelta(seconds=1), 0, [_log_line(
                boot + timedelta(seconds=1), "INFO", "model gateway reachable; 3 models loaded")], ""))
            slow = boot + timedelta(seconds=rng.randint(3600, 60000))
            entries.append((slow, 0, [_log_line(slow, "WARN", f"model gateway slow: p95 {rng.randint(2500, 9000)} "
                                                               "ms over the last 5 min")], ""))
            if month_index == 0 and len(entries) == 3:
                at = boot + timedelta(seconds=2)
                bad = [
                    (f"{day.isoformat()}T25:61:07.000Z INFO  [session=0f0f0f0f0f0f] [role=user] hello?",
                     "invalid timestamp"),
                    (_log_line(at, "INFO", "[session=5e55e55e55e5] [role=robot] beep"), "unknown role"),
                    (_log_line(at, "INFO", "[role=assistant] [model=gpt-4o] [latency_ms=90] a reply without a "
                                           "session"), "role line without a session"),
                ]
                entries += [(at, k, [line], why) for k, (line, why) in enumerate(bad)]
        for order, s in enumerate(group, start=1):
            entries += [(ts, order, lines, "") for ts, lines in _app_log_entries(s)]
        entries.sort(key=lambda e: (e[0], e[1]))
        lines: list[str] = []
        for _, _, block, why in entries:
            if why:
                out.bad(rel, f"line {len(lines) + 1}", why)
            lines += block
        out.write("app_log", f"assistant-{month}.log", "\n".join(lines) + "\n")
        for s in group:
            out.session(s, rel, s.events(with_system=False))


def _ns(ts: datetime) -> str:
    return str((ts - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1) * 1000)


def _attr(key: str, value) -> dict:
    if isinstance(value, bool):
        v: dict = {"boolValue": value}
    elif isinstance(value, int):
        v = {"intValue": str(value)}  # OTLP JSON writes 64-bit integers as strings
    elif isinstance(value, float):
        v = {"doubleValue": value}
    elif isinstance(value, list):
        v = {"arrayValue": {"values": [{"stringValue": x} for x in value]}}
    else:
        v = {"stringValue": value}
    return {"key": key, "value": v}


def _span(trace: str, span_id: str, parent: str | None, name: str, kind: int, start: datetime, end: datetime,
          attrs: dict, status: dict | None = None) -> dict:
    span = {"traceId": trace, "spanId": span_id}
    if parent:
        span["parentSpanId"] = parent
    span.update({"name": name, "kind": kind, "startTimeUnixNano": _ns(start), "endTimeUnixNano": _ns(end),
                 "attributes": [_attr(k, v) for k, v in attrs.items()], "status": status or {}})
    return span


_RESPONSE_MODELS = {"gpt-4o": "gpt-4o-2024-08-06", "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
                    "gpt-4.1": "gpt-4.1-2025-04-14"}
_SPAN_INTERNAL, _SPAN_CLIENT = 1, 3


def _compact(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _otel_current(s: _Session, values: _Values) -> tuple[list[dict], list[dict]]:
    """(agent spans, chat spans) in the current GenAI conventions: an invoke_agent root, a chat span per model call
    carrying the history so far and the new message, an execute_tool span per call."""
    trace, root = values.chars(_HEX, 32), values.chars(_HEX, 16)
    conv = {"gen_ai.conversation.id": s.id}
    history: list[dict] = [{"role": "system", "parts": [{"type": "text", "content": s.system}]}]
    agent, chat = [], []
    previous = s.start
    for t in s.turns:
        if t.role == "user":
            history.append({"role": "user", "parts": [{"type": "text", "content": t.text}]})
        elif t.role == "assistant":
            parts = [{"type": "text", "content": t.text}] if t.text else []
            parts += [{"type": "tool_call", "id": c.id, "name": c.name, "arguments": c.arguments} for c in t.calls]
            output = {"role": "assistant", "parts": parts, "finish_reason": "tool_call" if t.calls else "stop"}
            chat.append(_span(trace, values.chars(_HEX, 16), root, f"chat {s.model}", _SPAN_CLIENT, previous, t.ts, {
                "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": s.model,
                **conv, "gen_ai.response.id": t.id, "gen_ai.response.model": _RESPONSE_MODELS[s.model],
                "gen_ai.response.finish_reasons": ["tool_calls" if t.calls else "stop"],
                "gen_ai.usage.input_tokens": t.input_tokens, "gen_ai.usage.output_tokens": t.output_tokens,
                "gen_ai.input.messages": _compact(history), "gen_ai.output.messages": _compact([output])}))
            history.append({"role": "assistant", "parts": parts})
        else:
            c = t.call
            attrs = {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": c.name, "gen_ai.tool.call.id": c.id,
                     "gen_ai.tool.type": "function", **conv, "gen_ai.tool.call.arguments": _compact(c.arguments),
                     "gen_ai.tool.call.result": c.result}
            status = None
            if c.is_error:
                attrs["error.type"] = c.error_type
                status = {"code": 2, "message": c.result.rsplit("\n", 1)[-1][:200]}
            agent.append(_span(trace, values.chars(_HEX, 16), root, f"execute_tool {c.name}", _SPAN_INTERNAL,
                               previous, t.ts, attrs, status))
            history.append({"role": "tool", "parts": [{"type": "tool_call_response", "id": c.id,
                                                       "response": c.result}]})
        previous = t.ts
    agent.insert(0, _span(trace, root, None, "invoke_agent acme-assistant", _SPAN_INTERNAL, s.start, previous, {
        "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "acme-assistant", **conv,
        "gen_ai.provider.name": "openai"}))
    return agent, chat


def _otel_deprecated(s: _Session, values: _Values) -> tuple[str, list[dict]]:
    """(trace id, chat spans) as older instrumentations wrote them: indexed gen_ai.prompt.N / gen_ai.completion.N
    attributes, no conversation id, no tool spans."""
    trace = values.chars(_HEX, 32)
    history: list[dict] = [{"role": "system", "content": s.system}]
    spans, previous = [], s.start

    def indexed(prefix: str, m: dict) -> dict:
        attrs = {f"{prefix}.role": m["role"]}
        if m.get("content") is not None:
            attrs[f"{prefix}.content"] = m["content"]
        if m.get("tool_call_id"):
            attrs[f"{prefix}.tool_call_id"] = m["tool_call_id"]
        for j, c in enumerate(m.get("calls", ())):
            attrs.update({f"{prefix}.tool_calls.{j}.id": c.id, f"{prefix}.tool_calls.{j}.name": c.name,
                          f"{prefix}.tool_calls.{j}.arguments": _compact(c.arguments)})
        return attrs

    for t in s.turns:
        if t.role == "user":
            history.append({"role": "user", "content": t.text})
        elif t.role == "assistant":
            message = {"role": "assistant", "content": t.text, "calls": t.calls}
            attrs = {"gen_ai.system": "openai", "llm.request.type": "chat", "gen_ai.request.model": s.model,
                     "gen_ai.response.model": _RESPONSE_MODELS[s.model], "gen_ai.response.id": t.id,
                     "gen_ai.usage.prompt_tokens": t.input_tokens, "gen_ai.usage.completion_tokens": t.output_tokens,
                     "llm.usage.total_tokens": t.input_tokens + t.output_tokens}
            for i, m in enumerate(history):
                attrs.update(indexed(f"gen_ai.prompt.{i}", m))
            attrs.update(indexed("gen_ai.completion.0", message))
            attrs["gen_ai.completion.0.finish_reason"] = "tool_calls" if t.calls else "stop"
            spans.append(_span(trace, values.chars(_HEX, 16), None, "openai.chat", _SPAN_CLIENT, previous, t.ts,
                               attrs))
            history.append(message)
        else:
            history.append({"role": "tool", "content": t.call.result, "tool_call_id": t.call.id})
        previous = t.ts
    return trace, spans


_OTEL_RESOURCE = {"service.name": "acme-assistant", "service.version": "3.4.2", "deployment.environment.name": "prod",
                  "telemetry.sdk.language": "python", "telemetry.sdk.name": "opentelemetry",
                  "telemetry.sdk.version": "1.37.0"}


def _write_otel(out: _Out, sessions: list[_Session], values: _Values) -> None:
    ordered = sorted(sessions, key=lambda s: (s.start, s.id))
    for batch_index in range(0, max(len(ordered), 1), 10):
        batch = ordered[batch_index:batch_index + 10]
        name = f"traces-{batch_index // 10 + 1:04d}.json"
        rel = f"otel/{name}"
        agent, chat, legacy, placed = [], [], [], []
        for i, s in enumerate(batch):
            if (batch_index + i) % 8 == 5:
                trace, spans = _otel_deprecated(s, values)
                legacy += spans
                placed.append((s, trace))
            else:
                a, c = _otel_current(s, values)
                agent += a
                chat += c
                placed.append((s, None))
        if batch_index == 0:
            chat += _otel_bad_spans(out, rel, values, batch[0].start if batch else datetime(2026, 8, 10, tzinfo=UTC))
        resource_spans = [{"resource": {"attributes": [_attr(k, v) for k, v in _OTEL_RESOURCE.items()]},
                           "scopeSpans": [
                               {"scope": {"name": "acme.assistant", "version": "3.4.2"}, "spans": agent},
                               {"scope": {"name": "opentelemetry.instrumentation.openai_v2", "version": "2.1b0"},
                                "spans": chat}]}]
        if legacy:
            resource_spans.append({
                "resource": {"attributes": [_attr(k, v) for k, v in
                                            {**_OTEL_RESOURCE, "service.name": "legacy-support-bot",
                                             "service.version": "1.9.0"}.items()]},
                "scopeSpans": [{"scope": {"name": "opentelemetry.instrumentation.openai", "version": "0.40.2"},
                                "spans": legacy}]})
        out.write("otel", name, _dumps({"resourceSpans": resource_spans}) + "\n")
        for s, trace in placed:
            out.session(s, rel, s.events(), session_id=trace)
    stub = {"resourceSpans": [{"resource": {"attributes": [_attr("service.name", "acme-assistant")]},
                               "scopeSpans": [{"scope": {"name": "acme.assistant"}, "spans": []}]}]}
    text = _dumps(stub)
    rel = out.write("otel", "traces-partial.json", text[: len(text) // 2])
    out.bad(rel, "file", "invalid JSON (export cut short)")


def _otel_bad_spans(out: _Out, rel: str, values: _Values, at: datetime) -> list[dict]:
    broken = _span(values.chars(_HEX, 32), values.chars(_HEX, 16), None, "chat gpt-4o", _SPAN_CLIENT, at,
                   at + timedelta(seconds=1), {
                       "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai",
                       "gen_ai.request.model": "gpt-4o", "gen_ai.conversation.id": "conv_" + values.chars(_BASE62, 24),
                       "gen_ai.input.messages": '[{"role":"user","parts":[{"type":"text","content":"Where is the '},
                   {"code": 2, "message": "client disconnected"})
    out.bad(rel, f"span {broken['spanId']}", "gen_ai.input.messages is not valid JSON")
    flat = _span(values.chars(_HEX, 32), values.chars(_HEX, 16), None, "chat gpt-4o", _SPAN_CLIENT, at,
                 at + timedelta(seconds=1), {})
    flat["attributes"] = {"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o"}
    out.bad(rel, f"span {flat['spanId']}", "attributes is an object, not a list of key/values")
    return [broken, flat]


# --- the demo -------------------------------------------------------------------------------------------------------


def _plan(sessions: int, rng: random.Random) -> list[str]:
    """Each format's share of `sessions` (at least 2 each), shuffled so formats interleave in time."""
    total = sum(_SHARES.values())
    counts = {f: max(2, sessions * share // total) for f, share in _SHARES.items()}
    counts["openai_chat"] += max(0, sessions - sum(counts.values()))
    plan = [f for f, n in counts.items() for _ in range(n)]
    rng.shuffle(plan)
    return plan


def generate_logs(company: Company, root: Path, sessions: int = 600, seed: int | None = None) -> LogManifest:
    """Write the demo company's logs under `root` (one folder per format, replaced) and `root/planted.json`.
    `sessions` is split across formats by _SHARES, at least 2 each; feedback refers to openai_chat and anthropic
    sessions. `seed` defaults to the company's."""
    seed = company.seed if seed is None else seed
    rng = random.Random(f"logs:{seed}")
    values = _Values(rng, company.people)
    users = [p for p in company.people if p.enabled]
    built: dict[str, list[_Session]] = {f: [] for f in _SHARES}
    for fmt in _plan(sessions, rng):
        person = rng.choice(users)
        start = _session_start(rng, company, person)
        if fmt == "swe_agent":
            s = _swe_session(rng, values, person, start, len(built[fmt]))
        else:
            sid = values.chars(_HEX, 12) if fmt == "app_log" else (
                "conv_" + values.chars(_BASE62, 24) if fmt == "otel" else
                str(uuid.UUID(int=rng.getrandbits(128), version=4)))
            s = _chat_session(rng, values, fmt, sid, person, start)
        built[fmt].append(s)

    root.mkdir(parents=True, exist_ok=True)
    for fmt in LOG_FORMATS:
        if (root / fmt).exists():
            shutil.rmtree(root / fmt)
    out = _Out(root)
    render_rng = random.Random(f"logs-render:{seed}")
    first = company.start.isoformat()
    at = datetime.fromisoformat(f"{first}T09:00:00+00:00")
    _write_jsonl(out, "openai_chat", built["openai_chat"], lambda s: _openai_record(s, render_rng), "chat",
                 _chat_bad_records(values, at, "openai_chat"))
    _write_jsonl(out, "anthropic", built["anthropic"], lambda s: _anthropic_record(s, render_rng, values), "messages",
                 _chat_bad_records(values, at, "anthropic"))
    _write_tau(out, built["tau_bench"], render_rng)
    _write_swe(out, built["swe_agent"], render_rng)
    _write_app_log(out, built["app_log"], render_rng)
    _write_otel(out, built["otel"], values)
    _write_feedback(out, built["openai_chat"] + built["anthropic"], values)

    manifest = LogManifest(root, {f: sorted(v) for f, v in out.files.items()}, out.sessions, out.events,
                           out.planted, out.malformed)
    (root / "planted.json").write_text(json.dumps({
        "seed": seed, "sessions": manifest.sessions, "events": manifest.events, "files": manifest.files,
        "planted": manifest.planted, "malformed": manifest.malformed}, ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8")
    return manifest


# --- the bench corpus -----------------------------------------------------------------------------------------------

_BENCH_FRAGMENTS = (
    "Please loop in {colleague} ({colleague_email}) before we change the {customer} contract terms next week.",
    "The VPN client on {ip} keeps dropping every few minutes; call me on {phone} if you need the diagnostics.",
    "I paid for the {customer} team dinner with card {card}; how do I expense it without the original receipt?",
    "The deploy script still has {aws} hard-coded and the Slack hook uses {slack}, which looks wrong to me.",
    "Fetching https://api.example.com/v1/export?token={token}&page=2 returns 401 since this morning's deploy.",
    "Our CI pushes release tags with {ghp}; is a personal token allowed there under the security policy?",
    "The gateway sends Authorization: Bearer {bearer} and then rejects the JWT {jwt} as expired.",
    "Send the summary to {email} and keep {colleague} in copy, since they own the {customer} renewal.",
    "The staging database is postgresql://app:{password}@{ip}:5432/app but it times out from my laptop.",
    "My script raises openai.AuthenticationError for the key {sk}; did the project keys rotate again?",
    "My manager {colleague} asked me to update my emergency contact to {phone} before the trip to {customer}.",
    "Can you summarise the steps, and tell me which team owns this if it happens again next quarter?",
    "The dashboard shows last week's numbers twice; is the nightly job running two times per day now?",
    "I'd like a short checklist I can share with the new joiners on my team before their first week.",
    "What is the policy for working from another country for two weeks while visiting family abroad?",
    "Which query gives me monthly active users per department, excluding contractors and test accounts?",
)


class _Rotating:
    """A sequence of files written as records arrive, a new file every `per_file` records (bounded memory)."""

    def __init__(self, folder: Path, stem: str, ext: str, per_file: int, head: str = "", sep: str = "\n",
                 tail: str = "\n"):
        self.folder, self.stem, self.ext, self.per_file = folder, stem, ext, per_file
        self.head, self.sep, self.tail = head, sep, tail
        self.fh: IO[str] | None = None
        self.n = self.files = 0

    def write(self, text: str) -> None:
        if self.fh is None or self.n == self.per_file:
            self.close()
            self.folder.mkdir(parents=True, exist_ok=True)
            self.files += 1
            path = self.folder / f"{self.stem}-{self.files:04d}.{self.ext}"
            self.fh = open(path, "w", encoding="utf-8", buffering=1 << 20)
            self.fh.write(self.head)
            self.n = 0
        self.fh.write((self.sep if self.n else "") + text)
        self.n += 1

    def close(self) -> None:
        if self.fh is not None:
            self.fh.write(self.tail)
            self.fh.close()
            self.fh = None


class _Bench:
    """Makes bench sessions from pools of ~100-character fragments, each usually carrying personal data."""

    def __init__(self, rng: random.Random, company: Company):
        self.rng = rng
        self.values = _Values(rng, company.people)
        self.people = [p for p in company.people if p.enabled]
        self.fragments, self.traces = [], []
        for i in range(3000):
            sc = self._script()
            self.fragments.append(sc.fill(_BENCH_FRAGMENTS[i % len(_BENCH_FRAGMENTS)], "text"))
        for _ in range(300):
            sc = self._script()
            call = _Call("c", "http_get", {})
            sc.error(call, ['  File "/srv/assistant/tools/http.py", line 88, in http_get',
                            "    resp.raise_for_status()"],
                     "requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: "
                     "https://api.example.com/v1/orders?token={token}&page=2")
            self.traces.append(call.result)

    def _script(self) -> _Script:
        s = _Session("bench", "bench", self.rng.choice(self.people), "", "", datetime(2026, 8, 10, tzinfo=UTC))
        return _Script(self.rng, self.values, s)

    def text(self) -> str:
        return " ".join(self.rng.choices(self.fragments, k=3))

    def exchanges(self) -> list[tuple]:
        """("qa", question, answer) or ("tool", question, name, arguments, result, is_error, answer)."""
        out: list[tuple] = []
        for _ in range(self.rng.randint(1, 3)):
            if self.rng.random() < 0.3:
                failed = self.rng.random() < 0.15
                result = self.rng.choice(self.traces) if failed else _dumps(
                    {"status": 200, "data": self.rng.choice(self.fragments)})
                out.append(("tool", self.text(), self.rng.choice(TOOLS), {"query": self.rng.choice(self.fragments)},
                            result, failed, self.text()))
            else:
                out.append(("qa", self.text(), self.text()))
        return out

    def id(self, prefix: str, n: int) -> str:
        return prefix + self.values.chars(_BASE62, n)


def _bench_events(exchanges: list[tuple], system: bool) -> int:
    return int(system) + sum(2 if x[0] == "qa" else 4 for x in exchanges)


def _bench_openai(b: _Bench, ts: datetime, sid: str, user: str) -> tuple[dict, list[str]]:
    messages: list[dict] = [{"role": "system", "content": _SYSTEM_AGENT}]
    answers = []
    for x in b.exchanges():
        messages.append({"role": "user", "content": x[1]})
        if x[0] == "tool":
            call = b.id("call_", 24)
            messages.append({"role": "assistant", "id": b.id("chatcmpl-", 29), "content": None, "tool_calls": [
                {"id": call, "type": "function", "function": {"name": x[2], "arguments": _dumps(x[3])}}]})
            messages.append({"role": "tool", "tool_call_id": call, "content": x[4]})
        answers.append(b.id("chatcmpl-", 29))
        messages.append({"role": "assistant", "id": answers[-1], "content": x[-1]})
    return {"session_id": sid, "user_id": user, "created": int(ts.timestamp()), "model": "gpt-4o-2024-08-06",
            "messages": messages}, answers


def _bench_anthropic(b: _Bench, ts: datetime, sid: str, user: str) -> tuple[dict, int]:
    exchanges = b.exchanges()
    messages: list[dict] = []
    for x in exchanges:
        messages.append({"role": "user", "content": x[1]})
        if x[0] == "tool":
            call = b.id("toolu_01", 22)
            messages.append({"role": "assistant", "id": b.id("msg_01", 22),
                             "content": [{"type": "tool_use", "id": call, "name": x[2], "input": x[3]}]})
            messages.append({"role": "user", "content": [{"type": "tool_result", "tool_use_id": call,
                                                          "content": x[4], "is_error": x[5]}]})
        messages.append({"role": "assistant", "id": b.id("msg_01", 22), "content": [{"type": "text", "text": x[-1]}]})
    return {"id": b.id("log_", 24), "session_id": sid, "model": "claude-sonnet-4-20250514", "system": _SYSTEM_AGENT,
            "metadata": {"user_id": user}, "created_at": _iso(ts), "messages": messages}, \
        _bench_events(exchanges, True)


def _bench_tau(b: _Bench, task_id: int) -> tuple[dict, int]:
    exchanges = b.exchanges()
    traj: list[dict] = [{"role": "system", "content": _SYSTEM_AGENT}]
    for x in exchanges:
        traj.append({"role": "user", "content": x[1]})
        if x[0] == "tool":
            call = b.id("call_", 24)
            traj.append({"content": None, "role": "assistant", "tool_calls": [
                {"function": {"arguments": _dumps(x[3]), "name": x[2]}, "id": call, "type": "function"}]})
            traj.append({"role": "tool", "tool_call_id": call, "name": x[2], "content": x[4]})
        traj.append({"content": x[-1], "role": "assistant"})
    return {"task_id": task_id, "reward": float(b.rng.random() < 0.5),
            "info": {"task": {"user_id": f"user_{task_id}", "instruction": "You want help with a work problem.",
                              "actions": [], "outputs": []}, "source": "user"},
            "traj": traj, "trial": 0}, _bench_events(exchanges, True)


def _bench_app_log(b: _Bench, ts: datetime) -> tuple[str, int]:
    sid, exchanges, lines = b.values.chars(_HEX, 12), b.exchanges(), []
    tag = f"[session={sid}]"
    for k, x in enumerate(exchanges):
        ts += timedelta(milliseconds=b.rng.randint(2000, 90000))
        lines.append(_log_line(ts, "INFO", f"{tag} [role=user] {x[1]}"))
        if x[0] == "tool":
            call = f"c{k + 1}"
            ts += timedelta(milliseconds=b.rng.randint(300, 2000))
            lines.append(_log_line(ts, "INFO", f"{tag} [role=tool_call] [tool={x[2]}] [call={call}] {_dumps(x[3])}"))
            ts += timedelta(milliseconds=b.rng.randint(40, 3000))
            head = f"{tag} [role=tool] [tool={x[2]}] [call={call}] "
            lines.append(_log_line(ts, "ERROR", head + x[4]) if x[5] else _log_line(ts, "INFO", head + x[4]))
        latency = b.rng.randint(300, 6000)
        ts += timedelta(milliseconds=latency)
        lines.append(_log_line(ts, "INFO", f"{tag} [role=assistant] [model=gpt-4o] [latency_ms={latency}] {x[-1]}"))
    return "\n".join(lines), _bench_events(exchanges, False)


def write_bench_logs(root: Path, events: int, seed: int = 7) -> int:
    """Stream a mixed-format corpus of at least `events` events under `root` (one folder per format, replaced):
    mostly openai_chat and app_log, some anthropic, tau_bench and feedback; ~300-character texts full of personal
    data and secrets. Files are written as sessions are made, so memory stays flat. Returns the events written."""
    rng = random.Random(f"bench:{seed}")
    b = _Bench(rng, generate_company(seed=seed, people=300))
    for fmt in LOG_FORMATS:
        if (root / fmt).exists():
            shutil.rmtree(root / fmt)
    (root / "planted.json").unlink(missing_ok=True)  # a demo's manifest would not describe this corpus
    out = {
        "openai_chat": _Rotating(root / "openai_chat", "chat", "jsonl", 20_000),
        "app_log": _Rotating(root / "app_log", "assistant", "log", 40_000),
        "anthropic": _Rotating(root / "anthropic", "messages", "jsonl", 20_000),
        "tau_bench": _Rotating(root / "tau_bench", "bench", "trial0.json", 2_000, head="[\n", sep=",\n",
                               tail="\n]\n"),
        "feedback": _Rotating(root / "feedback", "feedback", "jsonl", 50_000),
    }
    clock = datetime(2026, 8, 10, tzinfo=UTC)
    recent: list[tuple[str, str, str]] = []  # (session, assistant message, user) that feedback can point at
    n = tasks = 0
    try:
        while n < events:
            clock += timedelta(seconds=rng.randint(1, 40))
            user = rng.choice(b.people).id
            roll = rng.random()
            if roll < 0.45 or (roll >= 0.95 and not recent):
                sid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                record, answers = _bench_openai(b, clock, sid, user)
                out["openai_chat"].write(_dumps(record))
                n += sum(1 if m["role"] != "assistant" else (m["content"] is not None) + len(m.get("tool_calls", ()))
                         for m in record["messages"])
                recent = (recent + [(sid, a, user) for a in answers])[-64:]
            elif roll < 0.80:
                text, k = _bench_app_log(b, clock)
                out["app_log"].write(text)
                n += k
            elif roll < 0.90:
                record, k = _bench_anthropic(b, clock, str(uuid.UUID(int=rng.getrandbits(128), version=4)), user)
                out["anthropic"].write(_dumps(record))
                n += k
            elif roll < 0.95:
                record, k = _bench_tau(b, tasks)
                tasks += 1
                out["tau_bench"].write(_dumps(record))
                n += k
            else:
                sid, message, who = rng.choice(recent)
                kind = rng.choice(("thumbs_up", "thumbs_down", "rating", "edit"))
                value = {"thumbs_up": 1, "thumbs_down": -1, "rating": rng.randint(1, 5)}.get(kind, b.text())
                out["feedback"].write(_dumps({"type": kind, "session_id": sid, "message_id": message, "value": value,
                                              "timestamp": _iso(clock, ms=False), "user_id": who}))
                n += 1
    finally:
        for w in out.values():
            w.close()
    return n
