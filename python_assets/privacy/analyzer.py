"""PII detection as one Presidio registry: `build_analyzer()` returns a presidio_analyzer `AnalyzerEngine` whose
registry holds
- `RulesRecognizer`: the rules of rules.py (emails, phones, cards, IPs, SSNs, IBANs, licences, secrets), through the
  same engine the redactor uses (the C core on ASCII text);
- the finders of detect.py as recognizers: people's names (spaCy's NER, `en_core_web_sm` with its `ner` component
  alone, checked against log shapes, plus a gazetteer), street addresses, and the organisation's dictionary (names,
  email local parts, codenames, employee ids, internal hosts).

Redaction (`SessionRedactor` with a `detect.Detector`) calls the same finders on batches of texts; this engine is for
ad-hoc use and for checking that both give the same spans (a test does)."""

from __future__ import annotations

from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine

from python_assets.privacy import names
from python_assets.privacy.detect import Detected, Detector
from python_assets.privacy.redact import rule_findings
from python_assets.privacy.rules import ENTITIES


class _Recognizer(EntityRecognizer):
    """A Presidio recognizer over a finder's `find(text, doc)`."""

    def __init__(self, finder, entities: tuple[str, ...] = ()):
        self.finder = finder
        super().__init__(supported_entities=list(entities or finder.ENTITIES), name=finder.name,
                         supported_language="en")

    def load(self) -> None:  # nothing to load: the model is names.load_nlp's
        pass

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
                ) -> list[RecognizerResult]:
        # not Presidio's doc of the whole text: the finder runs NER on the view the redactor uses (names.ner_view),
        # so both give the same spans
        return [RecognizerResult(entity, start, end, score,
                                 recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: name,
                                                       RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id})
                for start, end, score, entity, name in self.finder.find(text)
                if not entities or entity in entities]


class _RulesFinder:
    """The rules of rules.py: what SessionRedactor's rule engine chooses in the text alone."""

    name = "flywheel_rules"
    ENTITIES = ENTITIES

    def find(self, text: str, doc=None) -> list[Detected]:
        return rule_findings(text)


def recognizers(detector: Detector) -> list[EntityRecognizer]:
    """The registry's recognizers: the rules, then the detector's finders."""
    return [_Recognizer(_RulesFinder()), *(_Recognizer(f) for f in detector.finders)]


def nlp_engine() -> SpacyNlpEngine:
    """Presidio's spaCy engine over the NER-only pipeline (no lemmas: our recognizers look for context
    themselves)."""
    engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": names.MODEL}])
    engine.nlp = {"en": names.load_nlp()}
    return engine


def build_analyzer(detector: Detector | None = None) -> AnalyzerEngine:
    """The registry as a Presidio AnalyzerEngine: the rules, names, addresses and the org dictionary."""
    detector = detector or Detector()
    registry = RecognizerRegistry(recognizers=recognizers(detector), supported_languages=["en"])
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine(), supported_languages=["en"])

