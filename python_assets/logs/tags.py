"""Rule-based tags of one training unit: task type, domain, language, tool structure, outcome and complexity.

Pure functions over the unit's ordered events (rows of `raw_events`) and its rendered chat messages; no models,
no downloads. Every rule is written down here, next to the code that applies it.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence

# Text caps keep tagging O(units), not O(characters): the first few KB say what a conversation is about.
TOPIC_CHARS = 4000
LANGUAGE_CHARS = 1000

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_NON_LATIN = re.compile(r"[^\x00-\u024f\u1e00-\u1eff\u2000-\u206f]")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


# --- task type --------------------------------------------------------------------------------------------------
# Keyword hits over the user text (capped); a word that is common outside the topic too ("code" as in promo code,
# "reset", "table") counts half. Rules, first match wins:
#   1. debugging   a strong debugging word (traceback, stacktrace, TypeError, ...), or a plain one (error, bug,
#                  crash, ...) when the unit is about code: a coding hit, a code fence, or a coding tool.
#   2. the topic with the highest score among coding, data_query, it_support, writing, analysis (ties: earlier in
#      that list) when it reaches 1, or 2 in a unit that calls tools (an agent's user talks about their own
#      business: "economy class", "payment method"). Tool names vote too: bash/shell/edit/file/python/exec/code/
#      git for coding, sql/query/database/table/db for data_query (1 per tool).
#   3. no topic: agent_task if the unit called a tool; question_answering if the user asks ("?" or a leading
#      question word); else other.
TASK_TYPES = ("coding", "debugging", "data_query", "it_support", "writing", "analysis", "question_answering",
              "agent_task", "other")

_DEBUG_STRONG = frozenset("traceback stacktrace segfault debug debugging nullpointerexception typeerror valueerror "
                          "keyerror attributeerror importerror syntaxerror indexerror runtimeerror".split())
_DEBUG = frozenset("error errors exception exceptions bug bugs crash crashes crashing failing fails broken undefined "
                   "panic regression".split())
_TOPIC = {
    "coding": frozenset("coding function functions python javascript typescript java golang rust implement "
                        "implementation refactor compile compiler regex unittest pytest repository repo git "
                        "algorithm html css react bash programming".split()),
    "data_query": frozenset("sql query queries database databases dataframe pandas csv warehouse duckdb postgres "
                            "postgresql mysql bigquery snowflake groupby spreadsheet".split()),
    "it_support": frozenset("password vpn laptop printer wifi login logon mfa 2fa sso outlook helpdesk drivers "
                            "keyboard".split()),
    "writing": frozenset("write draft essay poem story rewrite rephrase proofread blog article headline slogan "
                         "tweet caption paragraph copywriting".split()),
    "analysis": frozenset("analyze analyse analysis comparison evaluate evaluation trend trends insights insight "
                          "summarize summarise assess assessment pros cons forecast".split()),
}
_TOPIC_WEAK = {
    "coding": frozenset("code script class method api library module variable loop program shell patch diff "
                        "commit".split()),
    "data_query": frozenset("select join rows columns schema table aggregate excel".split()),
    "it_support": frozenset("reset locked install installation network monitor teams zoom license "
                            "permissions".split()),
    "writing": frozenset("letter cover edit polish".split()),
    "analysis": frozenset("compare summary metrics breakdown".split()),
}
_TOOL_HINTS = {"coding": ("bash", "shell", "edit", "file", "python", "exec", "code", "git"),
               "data_query": ("sql", "query", "database", "table", "db")}
_QUESTION_WORDS = frozenset("what why how who when where which is are can could does do should would "
                            "qué cómo por quién cuándo dónde was warum wie wer wann wo quoi pourquoi comment qui "
                            "quand où".split())


def _lookup(*tables: tuple[Mapping[str, frozenset[str]], float]) -> dict[str, tuple[tuple[str, float], ...]]:
    """word -> the (category, weight) votes it casts: one dict probe per word, not a set test per category."""
    out: dict[str, tuple[tuple[str, float], ...]] = {}
    for table, weight in tables:
        for category, words in table.items():
            for word in words:
                out[word] = (*out.get(word, ()), (category, weight))
    return out


def _scores(words: Sequence[str], lookup: Mapping[str, tuple[tuple[str, float], ...]]) -> dict[str, float]:
    scores: dict[str, float] = {}
    for word in words:
        for category, weight in lookup.get(word, ()):
            scores[category] = scores.get(category, 0.0) + weight
    return scores


_TASK_LOOKUP = _lookup((_TOPIC, 1.0), (_TOPIC_WEAK, 0.5), ({"debug_strong": _DEBUG_STRONG, "debug": _DEBUG}, 1.0))


def classify_task(user_text: str, tool_names: Sequence[str] = (), has_tools: bool = False) -> str:
    text = user_text[:TOPIC_CHARS]
    return _task(_words(text), "```" in text or "Traceback" in text, tool_names, has_tools, "?" in text)


def _task(words: Sequence[str], code_marks: bool, tool_names: Sequence[str], has_tools: bool, asks: bool) -> str:
    scores = _scores(words, _TASK_LOOKUP)
    if scores.get("debug_strong"):
        return "debugging"
    tool_votes = {cat: sum(1 for name in tool_names if any(h in name.lower() for h in hints))
                  for cat, hints in _TOOL_HINTS.items()}
    if scores.get("debug") and (scores.get("coding") or code_marks or tool_votes["coding"]):
        return "debugging"
    for cat, votes in tool_votes.items():
        scores[cat] = scores.get(cat, 0.0) + votes
    best = max(_TOPIC, key=lambda cat: scores.get(cat, 0.0))  # max keeps the first of equal scores
    if scores.get(best, 0.0) >= (2 if has_tools else 1):
        return best
    if has_tools:
        return "agent_task"
    if asks or (words and words[0] in _QUESTION_WORDS):
        return "question_answering"
    return "other"


# --- domain -----------------------------------------------------------------------------------------------------
# The domain with the most keyword hits over all the unit's text (capped) and tool names; the task type adds a
# vote (coding/debugging -> software, data_query -> data, it_support -> it). No hit: general.
DOMAINS = ("software", "data", "it", "hr", "finance", "customer_support", "travel", "general")

_DOMAIN = {
    "software": frozenset("code python javascript typescript java function bug repository repo git github deploy "
                          "api compile library class tests pytest exception traceback commit merge docker "
                          "kubernetes frontend backend".split()),
    "data": frozenset("sql database query dataframe pandas csv pipeline etl dashboard analytics warehouse schema "
                      "table tables dbt spark duckdb postgres metrics".split()),
    "it": frozenset("vpn password laptop printer wifi network login mfa sso outlook helpdesk ticket device "
                    "drivers firewall".split()),
    "hr": frozenset("salary payroll vacation pto hiring interview onboarding benefits employee employees resume "
                    "recruiting recruiter candidate offboarding hr".split()),
    "finance": frozenset("invoice invoices budget expense expenses tax taxes revenue accounting investment loan "
                         "bank banking finance financial stock stocks profit ledger".split()),
    "customer_support": frozenset("order orders refund return returns customer shipping delivery complaint "
                                  "subscription cancel cancellation warranty exchange account".split()),
    "travel": frozenset("flight flights hotel booking reservation reservations airline baggage passenger "
                        "passengers trip airport itinerary cabin seat layover".split()),
}
_TASK_DOMAIN = {"coding": "software", "debugging": "software", "data_query": "data", "it_support": "it"}


_DOMAIN_LOOKUP = _lookup((_DOMAIN, 1.0))


def classify_domain(text: str, tool_names: Sequence[str] = (), task_type: str | None = None) -> str:
    return _domain(_words(text[:TOPIC_CHARS]), tool_names, task_type)


def _domain(words: Sequence[str], tool_names: Sequence[str], task_type: str | None) -> str:
    scores = _scores(words, _DOMAIN_LOOKUP)
    for name in tool_names:
        for dom, count in _scores(_words(name.replace("_", " ")), _DOMAIN_LOOKUP).items():
            scores[dom] = scores.get(dom, 0) + count
    if task_type in _TASK_DOMAIN:
        scores[_TASK_DOMAIN[task_type]] = scores.get(_TASK_DOMAIN[task_type], 0) + 1
    best = max(_DOMAIN, key=lambda dom: scores.get(dom, 0))
    return best if scores.get(best) else "general"


# --- language ---------------------------------------------------------------------------------------------------
# 1. Script: when more than 30% of the letters in the sample are of one non-Latin script, that script names the
#    language (Han -> zh, or ja when kana appear; Hangul -> ko; Cyrillic -> ru, or uk with і/ї/є/ґ; Arabic -> ar,
#    or fa with پ/چ/ژ/گ; Hebrew -> he; Devanagari -> hi; Greek -> el; Thai -> th).
# 2. Latin: stopword hits for en/es/fr/de/pt/it (a word shared by k languages scores 1/k for each) plus a few
#    telling letters (ñ/¿/¡ es, ß/ä/ö/ü de, ã/õ pt, ç/è/ê fr, ò/ì it). The top language wins when it scores >= 2
#    and at least 1.5x the runner-up; otherwise 'und'.
LANGUAGE_UNDETERMINED = "und"

_STOPWORDS = {
    "en": "the and is are of to in that it you with for this was have not be on what how my can do i your from "
          "there will would please thanks",
    "es": "el la los las de que y en un una es por para con no se del al como pero su lo está más muy yo mi "
          "hola gracias puedes",
    "fr": "le la les de des et est un une que qui en du pour pas dans sur avec ce il je vous nous au ne sont "
          "mais bonjour merci",
    "de": "der die das und ist nicht ein eine zu den mit von ich sie es auf für sich dem auch wie wir bitte kann "
          "haben hallo danke",
    "pt": "o a os as de que e do da em um uma para com não é no na se por mais dos das você mas ao isso "
          "olá obrigado",
    "it": "il lo la gli le di che e è un una per con non del della sono in mi ho ma questo come anche io ciao "
          "grazie",
}
_STOP_WEIGHTS: dict[str, dict[str, float]] = {}
for _lang, _words_text in _STOPWORDS.items():
    for _w in set(_words_text.split()):
        _STOP_WEIGHTS.setdefault(_w, {})[_lang] = 1.0
for _w, _langs in _STOP_WEIGHTS.items():
    for _lang in _langs:
        _langs[_lang] = 1.0 / len(_langs)
_LETTER_HINTS = {"ñ": "es", "¿": "es", "¡": "es", "ß": "de", "ä": "de", "ö": "de", "ü": "de", "ã": "pt",
                 "õ": "pt", "ç": "fr", "è": "fr", "ê": "fr", "ò": "it", "ì": "it"}
_SCRIPTS = (  # (first, last, script)
    (0x0370, 0x03FF, "el"), (0x0400, 0x04FF, "cyrillic"), (0x0590, 0x05FF, "he"), (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"), (0x0900, 0x097F, "hi"), (0x0E00, 0x0E7F, "th"), (0x1100, 0x11FF, "ko"),
    (0x3040, 0x30FF, "kana"), (0x3400, 0x4DBF, "han"), (0x4E00, 0x9FFF, "han"), (0xAC00, 0xD7AF, "ko"),
    (0xF900, 0xFAFF, "han"),
)


def _script(ch: str) -> str | None:
    code = ord(ch)
    for first, last, name in _SCRIPTS:
        if first <= code <= last:
            return name
    return None


def detect_language(text: str) -> str:
    sample = text[:LANGUAGE_CHARS]
    if not sample.isascii():
        scripts = Counter(_script(ch) for ch in _NON_LATIN.findall(sample))
        scripts.pop(None, None)
        letters = sum(1 for ch in sample if ch.isalpha())
        if scripts and letters:
            name, count = scripts.most_common(1)[0]
            if name == "kana" or (name == "han" and scripts["kana"]):
                name = "ja" if (scripts["kana"] + scripts["han"]) / letters > 0.3 else name
                count = scripts["kana"] + scripts["han"]
            if count / letters > 0.3:
                if name == "han":
                    return "zh"
                if name == "cyrillic":
                    return "uk" if any(ch in sample for ch in "іїєґІЇЄҐ") else "ru"
                if name == "arabic":
                    return "fa" if any(ch in sample for ch in "پچژگ") else "ar"
                return name
    scores: dict[str, float] = dict.fromkeys(_STOPWORDS, 0.0)
    for word in _WORD.findall(sample.lower()):
        for lang, weight in _STOP_WEIGHTS.get(word, {}).items():
            scores[lang] += weight
    if not sample.isascii():
        for ch, lang in _LETTER_HINTS.items():
            if ch in sample:
                scores[lang] += 1.0
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    (top, top_score), (_, second) = ranked[0], ranked[1]
    if top_score >= 2 and top_score >= 1.5 * second:
        return top
    return LANGUAGE_UNDETERMINED


# --- tool structure ---------------------------------------------------------------------------------------------


def count_hops(events: Sequence[Mapping]) -> int:
    """Sequential tool rounds: a hop opens at the first call after an observation or a message; calls issued before
    any of their results come back (parallel calls, in one message or several) belong to the same hop."""
    return _Scan(events).hops


def has_recovery(events: Sequence[Mapping], tool_of: Mapping[str, str] | None = None) -> bool:
    """An error result followed later by a successful result of the same tool (a retry that worked). A result's
    tool is its own tool_name, else its call's (`tool_of`: result event_id -> the paired call's tool name)."""
    return _Scan(events, tool_of).recovered


# --- outcome ----------------------------------------------------------------------------------------------------
# First decisive signal wins, in this order:
#   1. reward  a numeric "reward" in an event's metadata (the last one in the unit): >= 1 success, <= 0 failure;
#              a partial reward (0 < r < 1) is not decisive and falls through.
#   2. feedback the last thumbs_up (success) / thumbs_down (failure), or a rating normalised by its scale
#              (metadata "scale"/"max", else 1 for a fraction in (0, 1), else 5): >= 0.7 success, <= 0.4 failure.
#              Edits are not a verdict.
#   3. status  the last "status" or "exit_status" in metadata: 0, ok/success/completed/done/passed/submitted/
#              resolved -> success; a non-zero number, or error/fail/timeout/cancel/abort/exit_* -> failure.
#   else unknown (outcome_source "none").
_OK = frozenset("ok success succeeded successful completed complete done passed pass submitted resolved solved "
                "status_code_ok true".split())
_BAD_PARTS = ("error", "fail", "timeout", "timed_out", "cancel", "abort", "exit_", "killed", "crash", "false")


def metadata(ev: Mapping, *keys: str) -> dict:
    """The event's metadata as a dict; parsed only when its text mentions one of `keys` (most rows hold '{}')."""
    raw = ev.get("metadata")
    if isinstance(raw, dict):
        return raw
    if not raw or raw == "{}" or (keys and not any(k in raw for k in keys)):
        return {}
    try:
        value = json.loads(raw)
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _number(value) -> float | None:
    if isinstance(value, bool):
        return float(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _status_outcome(value) -> str | None:
    if isinstance(value, bool):
        return "success" if value else "failure"
    if isinstance(value, int | float):
        return "success" if value == 0 else "failure"
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().lower()
    if text.lstrip("-").isdigit():
        return "success" if int(text) == 0 else "failure"
    if text in _OK:
        return "success"
    if any(part in text for part in _BAD_PARTS):
        return "failure"
    return None


def _feedback_outcome(ev: Mapping) -> str | None:
    kind = ev.get("feedback_kind")
    if kind == "thumbs_up":
        return "success"
    if kind == "thumbs_down":
        return "failure"
    if kind != "rating":
        return None
    value = _number(ev.get("feedback_value"))
    if value is None:
        return None
    meta = metadata(ev, "scale", "max")
    scale = _number(meta.get("scale", meta.get("max"))) or (1.0 if 0 < value < 1 else 5.0)
    share = value / scale
    return "success" if share >= 0.7 else "failure" if share <= 0.4 else None


def outcome(events: Sequence[Mapping]) -> tuple[str, str]:
    """(outcome, outcome_source): success/failure/unknown and reward/feedback/status/none."""
    return _Scan(events).outcome()


class _Scan:
    """Everything the tags count, in one pass over a unit's events (tagging runs once per unit of ~100k)."""

    def __init__(self, events: Sequence[Mapping], tool_of: Mapping[str, str] | None = None):
        self.hops = self.calls = self.results = self.tool_errors = self.text_chars = 0
        self.recovered = False
        self.tool_names: set[str] = set()
        self.latency: float | None = None
        self.tokens: dict[str, int] = {}
        self.models: dict[str, int] = {}
        self.reward: float | None = None
        self.feedback: str | None = None
        self.status: str | None = None
        in_round, failed, tool_of = False, set(), tool_of or {}
        for ev in events:
            kind = ev.get("kind")
            for key in ("content", "tool_arguments", "tool_result"):
                text = ev.get(key)
                if text:
                    self.text_chars += len(text)
            if kind == "tool_call":
                self.calls += 1
                if ev.get("tool_name"):
                    self.tool_names.add(ev["tool_name"])
                if not in_round:
                    self.hops += 1
                    in_round = True
            elif kind == "feedback":
                self.feedback = _feedback_outcome(ev) or self.feedback
            else:
                in_round = False
                if kind == "tool_result" or ev.get("role") == "tool":
                    self.results += 1
                    name = ev.get("tool_name") or tool_of.get(ev.get("event_id")) or "?"
                    if ev.get("is_error"):
                        self.tool_errors += 1
                        failed.add(name)
                    elif name in failed:
                        self.recovered = True
            latency = ev.get("latency_ms")
            if latency is not None and _number(latency) is not None:
                self.latency = (self.latency or 0.0) + float(latency)
            for key in ("input_tokens", "output_tokens"):
                if isinstance(ev.get(key), int):
                    self.tokens[key] = self.tokens.get(key, 0) + ev[key]
            if ev.get("model"):
                self.models[ev["model"]] = self.models.get(ev["model"], 0) + 1
            meta = metadata(ev, "reward", "status")
            if meta:
                self._signals(meta)

    def _signals(self, meta: dict) -> None:
        if "reward" in meta and _number(meta["reward"]) is not None:
            self.reward = _number(meta["reward"])
        for key in ("status", "exit_status"):
            if key in meta:
                self.status = _status_outcome(meta[key]) or self.status

    def outcome(self) -> tuple[str, str]:
        if self.reward is not None and (self.reward >= 1 or self.reward <= 0):
            return ("success" if self.reward >= 1 else "failure"), "reward"
        if self.feedback:
            return self.feedback, "feedback"
        if self.status:
            return self.status, "status"
        return "unknown", "none"

    @property
    def model(self) -> str | None:
        return max(self.models, key=lambda m: (self.models[m], m)) if self.models else None


# --- complexity -------------------------------------------------------------------------------------------------
# complexity_score = sum(weight * min(1, log1p(x) / log1p(cap))) over the features below, plus 0.05 when the unit
# recovers from an error; the weights sum to 1, so the score is in [0, 1].
#   hops 0.30 (cap 10), distinct tools 0.15 (cap 5), turns 0.20 (cap 20), tool errors 0.10 (cap 5),
#   text characters 0.20 (cap 20,000), recovery 0.05.
# Buckets: low < 0.30 <= medium < 0.60 <= high. A one-question answer lands low, a long thread or a few-hop
# trajectory medium, a long multi-tool trajectory with retries high.
COMPLEXITY_FEATURES = {"hops": (0.30, 10), "distinct_tools": (0.15, 5), "turns": (0.20, 20),
                       "tool_errors": (0.10, 5), "text_chars": (0.20, 20_000)}
RECOVERY_WEIGHT = 0.05
BUCKET_CUTS = ((0.30, "low"), (0.60, "medium"))


def complexity(hops: int, distinct_tools: int, turns: int, tool_errors: int, text_chars: int,
               recovered: bool) -> tuple[float, str]:
    values = {"hops": hops, "distinct_tools": distinct_tools, "turns": turns, "tool_errors": tool_errors,
              "text_chars": text_chars}
    score = sum(weight * min(1.0, math.log1p(max(values[name], 0)) / math.log1p(cap))
                for name, (weight, cap) in COMPLEXITY_FEATURES.items())
    score = round(min(1.0, score + (RECOVERY_WEIGHT if recovered else 0.0)), 4)
    bucket = next((name for cut, name in BUCKET_CUTS if score < cut), "high")
    return score, bucket


# --- all tags of one unit ---------------------------------------------------------------------------------------


def _text_of(messages: Sequence[Mapping], roles: tuple[str, ...], cap: int) -> str:
    parts, size = [], 0
    for msg in messages:
        if msg.get("role") in roles and msg.get("content"):
            parts.append(msg["content"])
            size += len(msg["content"])
            if size >= cap:
                break
    return "\n".join(parts)[:cap]


def unit_tags(events: Sequence[Mapping], messages: Sequence[Mapping], tool_of: Mapping[str, str] | None = None) -> dict:
    """The tag columns of UNIT_SCHEMA for one unit: `events` in unit order, `messages` its chat rendering.

    Task type and language read the user messages (language falls back to all the text when the user wrote fewer
    than four words); domain reads user, assistant and system text; the counts read the events."""
    scan = _Scan(events, tool_of)
    tool_names = sorted(scan.tool_names)
    user_text = _text_of(messages, ("user",), TOPIC_CHARS)
    other_text = _text_of(messages, ("assistant", "system"), TOPIC_CHARS)
    user_words = _words(user_text)
    task_type = _task(user_words, "```" in user_text or "Traceback" in user_text, tool_names,
                      bool(scan.calls or scan.results), "?" in user_text)
    lang_text = user_text if len(user_words) >= 4 else f"{user_text}\n{other_text}"
    turns = sum(1 for msg in messages if msg.get("role") in ("user", "assistant"))
    result, source = scan.outcome()
    score, bucket = complexity(scan.hops, len(tool_names), turns, scan.tool_errors, scan.text_chars, scan.recovered)
    return {
        "task_type": task_type,
        "domain": _domain(user_words + _words(other_text), tool_names, task_type),
        "language": detect_language(lang_text),
        "turns": turns,
        "tool_calls": scan.calls,
        "distinct_tools": len(tool_names),
        "hops": scan.hops,
        "tool_errors": scan.tool_errors,
        "has_recovery": scan.recovered,
        "outcome": result,
        "outcome_source": source,
        "latency_ms": scan.latency,
        "input_tokens": scan.tokens.get("input_tokens"),
        "output_tokens": scan.tokens.get("output_tokens"),
        "model": scan.model,
        "text_chars": scan.text_chars,
        "complexity_score": score,
        "complexity_bucket": bucket,
    }
