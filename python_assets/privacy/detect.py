"""What the rules cannot find, found for the redactor: people's names (spaCy NER + a gazetteer, names.py), street
addresses (addresses.py) and the organisation's own dictionary (dictionaries.py).

`Detector` runs NER over a batch of texts at once (`nlp.pipe`), skips texts that cannot hold a name, and keeps what
it found in recurring texts. Its finders are the ones the Presidio registry (analyzer.py) wraps as recognizers, so
the registry and the redactor give the same spans. No Presidio import here: it costs ~5 s."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator

from python_assets.privacy import name_cues, names
from python_assets.privacy.addresses import address_spans
from python_assets.privacy.dictionaries import OrgDictionary

NER_SCORE = 0.85  # spaCy's PERSON that passed the log-shape checks
GAZETTEER_SCORE = 0.6  # a run of capitalized words holding a known given name
CUE_SCORE = 0.6  # a name word after "my name is", a speaker label, a middle initial, a lower-case name pair
PROPAGATED_SCORE = 0.5  # another mention of a name found, or another member of a list that holds one
ADDRESS_SCORE = 0.7
DICTIONARY_SCORE = 0.95  # the organisation's own list
MEMO_TEXTS = 20_000  # recurring texts whose detections are kept (system prompts, tool schemas, boilerplate)

Detected = tuple[int, int, float, str, str]  # (start, end, score, entity, recognizer), in the original text


class NameFinder:
    name = "person_names"
    ENTITIES = ("PERSON",)

    def __init__(self, allow: frozenset[str] = frozenset(), gazetteer: bool = True):
        self.allow = allow
        self.gazetteer = gazetteer

    def find(self, text: str, doc=None) -> list[Detected]:
        plain = names.plain(text)
        if doc is False:  # prefetch found nothing NER could take for a name
            doc = None
        elif doc is None and (view := names.ner_view(plain, self.allow)) is not None:
            doc = names.load_nlp()(view)
        ner = names.person_spans(doc, self.allow) if doc is not None else []
        found = [(s, e, NER_SCORE, "PERSON", "spacy_ner") for s, e in ner]
        if not self.gazetteer:
            return found
        spans = list(ner)

        def add(more: list[tuple[int, int]], score: float, recognizer: str) -> None:
            """The spans of `more` that overlap none found so far, trimmed."""
            for s, e in more:
                s, e = names.trimmed(plain, s, e)
                if s < e and not any(s < e2 and s2 < e for s2, e2 in spans):
                    spans.append((s, e))
                    found.append((s, e, score, "PERSON", recognizer))

        if doc is not None:
            add(names.gazetteer_spans(plain, ner, self.allow), GAZETTEER_SCORE, "name_gazetteer")
        add(name_cues.cue_spans(plain, self.allow), CUE_SCORE, "name_cue")
        add(name_cues.propagated(plain, spans, self.allow), PROPAGATED_SCORE, "name_propagated")  # of all so far
        return found


class AddressFinder:
    name = "street_address"
    ENTITIES = ("STREET_ADDRESS",)

    def find(self, text: str, doc=None) -> list[Detected]:
        return [(s, e, ADDRESS_SCORE, "STREET_ADDRESS", "street_address") for s, e in address_spans(names.plain(text))]


class DictionaryFinder:
    name = "org_dictionary"
    ENTITIES = ("PERSON", "CODENAME", "EMPLOYEE_ID", "INTERNAL_HOST")

    def __init__(self, dictionary: OrgDictionary):
        self.dictionary = dictionary

    def find(self, text: str, doc=None) -> list[Detected]:
        return [(s, e, DICTIONARY_SCORE, entity, "org_dictionary")
                for s, e, entity in self.dictionary.spans(names.plain(text))]


def allow_list(env: dict[str, str] | None = None) -> frozenset[str]:
    """Extra words never taken for names (FLYWHEEL_PII_ALLOW, comma-separated; case-insensitive)."""
    env = os.environ if env is None else env
    return frozenset(w.strip().casefold() for w in env.get("FLYWHEEL_PII_ALLOW", "").split(",") if w.strip())


def ner_enabled(env: dict[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    return env.get("FLYWHEEL_PII_NER", "1").strip().lower() not in ("0", "false", "no", "off")


class Detector:
    """Names, addresses and the org dictionary for a batch of texts, in the original text's offsets."""

    def __init__(self, dictionary: OrgDictionary | None = None, ner: bool = True, gazetteer: bool = True,
                 allow: frozenset[str] = frozenset()):
        self.names = NameFinder(allow, gazetteer) if ner else None
        self.addresses = AddressFinder()
        self.dictionary = DictionaryFinder(dictionary) if dictionary else None
        self._docs: dict[str, object] = {}  # prefetched NER output, by text, for the batch at hand
        self._memo: dict[str, list[Detected]] = {}

    def __getstate__(self) -> dict:
        """What a worker process gets: the finders and their settings, not this process's NER output or memo."""
        return {**self.__dict__, "_docs": {}, "_memo": {}}

    @property
    def finders(self) -> list:
        return [r for r in (self.names, self.addresses, self.dictionary) if r is not None]

    def prefetch(self, texts: Iterable[str], batch_size: int = 64) -> None:
        """Runs NER over the texts that may hold a name, in batches (`nlp.pipe`), for `find` to use. What the
        previous batch left unused (a text its redaction never looked at) is dropped."""
        self._docs.clear()
        if self.names is None:
            return
        todo = {}
        for t in texts:
            if t and t not in self._memo and t not in todo:
                todo[t] = names.ner_view(names.plain(t), self.names.allow)
        self._docs.update((t, False) for t, view in todo.items() if view is None)
        todo = {t: view for t, view in todo.items() if view is not None}
        if todo:
            docs = names.load_nlp().pipe(todo.values(), batch_size=batch_size)
            for text, doc in zip(todo, docs, strict=True):
                self._docs[text] = doc

    def find(self, text: str) -> list[Detected]:
        """Every span the recognizers find in `text` (overlaps allowed; the redactor resolves them)."""
        found = self._memo.get(text)
        if found is not None:
            return found
        doc = self._docs.pop(text, None)
        found = []
        for finder in self.finders:
            found += finder.find(text, doc)
        if len(self._memo) >= MEMO_TEXTS:
            self._memo.clear()
        self._memo[text] = found
        return found


def detector_from_env(dictionary: OrgDictionary | None = None) -> Detector:
    return Detector(dictionary, ner=ner_enabled(), allow=allow_list())


def texts_of(value) -> Iterator[str]:
    """The texts the redactor will look at in a field's value: the text, or the string leaves of JSON text (and of
    JSON nested in them); a dict's canonical text's leaves."""
    if isinstance(value, dict):
        yield from _leaves(value)
        return
    if not isinstance(value, str) or not value:
        return
    head = value.lstrip()[:1]
    if head in ("{", "[", '"'):
        try:
            yield from _leaves(json.loads(value))
            return
        except (ValueError, RecursionError):
            pass
    yield value


def _leaves(node) -> Iterator[str]:
    if isinstance(node, str):
        yield from texts_of(node) if node.lstrip()[:1] in ("{", "[") else (node,)
    elif isinstance(node, dict):
        for v in node.values():
            yield from _leaves(v)
    elif isinstance(node, list):
        for v in node:
            yield from _leaves(v)
