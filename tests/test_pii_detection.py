"""Issue 6's detection: the new rules (SSN, IBAN, driver's licence), names by NER + gazetteer with log-shaped text
left alone, street addresses, the organisation's dictionary, the Presidio registry agreeing with the redactor, and
the `flywheel redact` / `flywheel pii-eval` commands."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from cli_harness import run_cli

from python_assets.privacy import detect, dictionaries, names
from python_assets.privacy.addresses import address_spans
from python_assets.privacy.redact import SessionRedactor, rule_findings

SWE_AGENT = Path(__file__).resolve().parents[2] / "shared" / "data" / "public" / "swe-agent-trajectories"
PRESIDIO = Path(__file__).resolve().parents[2] / "shared" / "data" / "public" / "presidio-research" / \
    "synth_dataset_v2.first_half.json"


@pytest.fixture(scope="module")
def detector():
    directory = dictionaries.OrgDictionary.build(
        names=["Priya Raghunathan", "Ole Gunnar Berg"], emails=["priya.raghunathan@acme.example"],
        codenames=["Project Bluefin", "Initech"], employee_ids=["E104233"],
        employee_id_pattern=r"\bE\d{6}\b", internal_domains=["corp.acme.example"])
    return detect.Detector(directory)


def _entities(text: str, detector=None) -> list[tuple[str, str]]:
    return [(entity, text[s:e]) for s, e, _, entity, _ in SessionRedactor(detector=detector).spans(text)]


@pytest.mark.parametrize("text, entity, value", [
    ("Here's my SSN: 460-89-9847", "US_SSN", "460-89-9847"),
    ("social security number 460898847 on file", "US_SSN", "460898847"),
    ("My IBAN is GB59IFUE40226315499137", "IBAN_CODE", "GB59IFUE40226315499137"),
    ("wire to DE89 3704 0044 0532 0130 00 today", "IBAN_CODE", "DE89 3704 0044 0532 0130 00"),
    ("kyc iban=PL10177944047104803098300363 phone=303-585-6905", "IBAN_CODE", "PL10177944047104803098300363"),
    ("My driver's license number is 6940579", "US_DRIVER_LICENSE", "6940579"),
    ("driver licence: D1234567", "US_DRIVER_LICENSE", "D1234567"),
    # national numbers with a trunk 0, next to a phone word
    ("Phone: (0121)4960079", "PHONE_NUMBER", "(0121)4960079"),
    ("locked out, reachable on 05715 75195.", "PHONE_NUMBER", "05715 75195"),
    ('{"phone": "(0808)-271251", "email": "x@acme.io"}', "PHONE_NUMBER", "(0808)-271251"),
])
def test_new_rules_find_real_looking_values(text, entity, value):
    assert (entity, value) in _entities(text)
    assert rule_findings(text)[0][3] == entity


@pytest.mark.parametrize("text", [
    "SSN 000-12-3456 and 666-12-3456 and 912-12-3456",  # never issued
    "order 123-45-6789 shipped",  # the published example number
    "IBAN GB00IFUE40226315499137",  # check digits wrong
    "build 6940579 passed",  # a number without licence context
])
def test_new_rules_leave_lookalikes(text):
    assert _entities(text) == []


# Log lines of the kinds NER takes for people (timestamps, levels, hashes, identifiers, paths, tool names).
LOG_LINES = [
    "2026-01-05T09:12:33.120Z INFO  [session=abc123] [role=tool] search_kb returned 3 results",
    "2024-11-02 14:22:10,481 WARN  org.apache.kafka.clients.NetworkClient - Connection to node -1 could not be "
    "established. Broker may not be available.",
    "Traceback (most recent call last):\n  File \"/srv/app/HttpClient.py\", line 88, in get_user\n"
    "KeyError: 'UserId'",
    "commit 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39 Merge branch 'feature/RedisCache' into main",
    "ERROR Jenkins build #4411 failed: Docker daemon not responding (uuid 9b2f4c1e-77aa-4c1b-9e0d-2f1a3b4c5d6e)",
    "DEBUG  pid=4127 tid=140245 GET /api/v2/Users/LookupByEmail 200 12.4ms",
    "[Thu Nov 21 10:15:02 2026] NOTICE Apache/2.4.62 (Debian) configured -- resuming normal operations",
    "kubectl rollout status deployment/PaymentService -n Prod --timeout=120s",
    "SELECT CustomerName, OrderDate FROM Orders WHERE OrderId = 42",
    "INFO  Started FlywheelApplication in 3.2 seconds (JVM running for 4.1)",
    # agent transcripts: imperatives, headings, shouted instructions, exception names after a line start
    "Add a test for the new parser, then Edit the README and Skip the flaky one.",
    "THE EDIT COMMAND REQUIRES PROPER INDENTATION. YOU CAN ONLY ENTER ONE COMMAND AT A TIME.",
    "TypeError: unsupported operand type(s) for +: 'int' and 'str'",
    "May I run the tests now? Can I push?",
    "4. Please DO NOT run interactive commands",
    "Open the file in Google Drive and check the Floating Point section",
]


@pytest.mark.parametrize("line", LOG_LINES)
def test_log_lines_hold_no_names(detector, line):
    assert [e for e in _entities(line, detector) if e[0] == "PERSON"] == []


def test_names_are_found_in_prose_and_kept_per_session(detector):
    redactor = SessionRedactor(detector=detector)
    first, found = redactor.redact_text("Ask John Smith or Magnus Eklund about the refund.")
    assert first == "Ask <PERSON_1> or <PERSON_2> about the refund."
    assert [f.rule for f in found] == ["spacy_ner", "name_gazetteer"]  # the gazetteer finds what NER missed
    second, found = redactor.redact_text("john smith said Magnus Eklund approved it")
    assert "Magnus Eklund" not in second and "<PERSON_2>" in second
    assert {f.rule for f in found} <= {"spacy_ner", "name_gazetteer", "org_dictionary"}


@pytest.mark.parametrize("text, name", [
    ("Hi, my name is Rubija and I need help", "Rubija"),
    ("What's your last name? Arcuri", "Arcuri"),
    ("Sometimes people call me Csanád", "Csanád"),
    ("Name:    Nayla Montero\nAddress: unknown", "Nayla Montero"),
    ("Ubul: What a wife. Nicole: Remember me", "Ubul"),
    ('tracy:"i\'m roberto\'s daughter".', "roberto"),
    ("Have you been to a Ravil G Yefimov concert before?", "Ravil G Yefimov"),
    ("follow up with codey m ross in a couple of months.", "codey m ross"),
    ("lena andersson lives at 255 hersnapvej 18, københavn k", "lena andersson"),
    ("Their children: Efimiya, Mary, Ariana and Isabel.", "Efimiya"),
    ("A film directed by Maciej Borkowski and starring Borkowski", "Borkowski"),
])
def test_names_found_from_their_context(detector, text, name):
    """Cues, speaker labels, middle initials, lower-case name pairs, lists holding a name, other mentions."""
    found = [text[s:e] for s, e, _, entity, _ in detector.find(text) if entity == "PERSON"]
    assert name in found, found


@pytest.mark.parametrize("text", [
    "For my take on it, see Guilty Pleasures: 5 Musicians Of The 70s You're Supposed To Hate (But Secretly Love)",
    "Awarded Salesperson of the Month three times.",
    "name: build\nsteps:\n  - run: make test",
    "a helper function called Parse and a class named Loader",
])
def test_titles_and_words_are_not_names(detector, text):
    assert [text[s:e] for s, e, _, entity, _ in detector.find(text) if entity == "PERSON"] == []


def test_looks_like_a_name_rejects_log_shapes():
    for value in ("HttpClient", "INFO", "v2.3.1", "user_id", "/home/ann", "Traceback", "Monday", "get_user()"):
        assert not names.looks_like_a_name(value), value
    for value in ("Ann Lee", "O'Neil", "Jean-Luc Picard", "Faina D. Yefremova", "Ann McDowell", "LeBatelier"):
        assert names.looks_like_a_name(value), value


def test_escaped_line_breaks_separate_words():
    assert names.plain("customer\\nInitech  9") == "customer  Initech  9"


@pytest.mark.parametrize("text, address", [
    ("Ship it to 3968 Bay Street, Toronto. Thanks", "3968 Bay Street, Toronto"),
    ("The address of Persint is 6750 Koskikatu 25 Apt. 864\nArtilleros\n, CO\n Uruguay 64677",
     "6750 Koskikatu 25 Apt. 864\nArtilleros\n, CO\n Uruguay 64677"),
    ("She lives at Via dei Fiorentini 17", "Via dei Fiorentini 17"),
    ("Unit 0822 Box 8858\nDPO AE 99081", "Unit 0822 Box 8858\nDPO AE 99081"),
    ("Address:  17693 Király u. 15.\nLyss", "17693 Király u. 15.\nLyss"),
    ("The bus station is on Villacher Strasse 89", "Villacher Strasse 89"),
    ("The bus drops you off at 9383 ul. Chrzanowska 61 St.", "9383 ul. Chrzanowska 61 St."),
    ("the bus drops you off at 74678 midtvollen 130 st.", "74678 midtvollen 130 st."),
    ("Tilly lives at 10252 Μεγάλη Άμμος 184, ΠΑΦΟΣ", "10252 Μεγάλη Άμμος 184, ΠΑΦΟΣ"),
    ("William Hughes\n\n20789 Allika 46\n Suite 501\n Riisa\n\n Estonia 62488",
     "20789 Allika 46\n Suite 501\n Riisa\n\n Estonia 62488"),
    ("It's in the corner of 35 Pentelis Str. and Waechter Turnpike",
     "the corner of 35 Pentelis Str. and Waechter Turnpike"),
    ('billing_address: "38, chemin Denis Legrand, 72938 Marty"}', "38, chemin Denis Legrand, 72938 Marty"),
    ("ship to Piazza Gianni, 7, 86039 San Giacomo", "Piazza Gianni, 7, 86039 San Giacomo"),
    ("address=Carmine-Pruschke-Straße 46, 45701 Wittmund", "Carmine-Pruschke-Straße 46, 45701 Wittmund"),
    ("Rosabaan 827, 2010GK Kinderdijk", "Rosabaan 827, 2010GK Kinderdijk"),
    ("Distrito Camargo, 59, 95057-725 Peixoto", "Distrito Camargo, 59, 95057-725 Peixoto"),
])
def test_street_addresses(text, address):
    assert [text[s:e] for s, e in address_spans(text)] == [address]


@pytest.mark.parametrize("text", [
    "Upgraded to Python 3 and Django 4 on 15 Jan 2024",
    "took 250 ms over 3 retries",
    "Chapter 4 covers joins",
    "ERROR 500 returned by upstream 2 times",
    "There's this nice new Russian place downtown, 2 blocks away",
    "Upload 3 files to Google Drive",
    "5 Musicians Of The 70s You're Supposed To Hate",
    "It was on this street that 2 clubs opened",
    "billing.invoice.service: Synced 285 records from Jira",
    "Ask Amanda Lane about Spring 2024",
])
def test_not_addresses(text):
    assert address_spans(text) == []


def test_org_dictionary(detector):
    text = ("Priya Raghunathan (priya.raghunathan on Slack, E104233) asked about Project Bluefin's launch and "
            "Initech's renewal; see https://wiki.corp.acme.example/x/Launch?id=4 and customer\\nInitech  12")
    found = _entities(text, detector)
    assert ("PERSON", "Priya Raghunathan") in found and ("PERSON", "priya.raghunathan") in found
    assert ("EMPLOYEE_ID", "E104233") in found and ("CODENAME", "Project Bluefin") in found
    assert found.count(("CODENAME", "Initech")) == 2
    assert ("INTERNAL_HOST", "https://wiki.corp.acme.example/x/Launch?id=4") in found
    # a lone given name or a short local part is not a dictionary entry
    assert dictionaries.OrgDictionary.build(names=["Ann"], emails=["ann@x.example"]).spans("Ann and ann") == []
    # a person's name and their email local part are one person: one placeholder
    redacted, _ = SessionRedactor(detector=detector).redact_text(text)
    assert redacted.startswith("<PERSON_1> (<PERSON_1> on Slack, <EMPLOYEE_ID_1>)"), redacted


def test_dictionary_settings(tmp_path):
    listed = tmp_path / "codenames.txt"
    listed.write_text("# customers\nGlobex\nHooli Cloud\n")
    d = dictionaries.from_config([{"display_name": "Ann Lee", "mail": "ann.lee@x.example", "employee_id": "E1"}],
                                 {"FLYWHEEL_PII_CODENAMES": f"@{listed}", "FLYWHEEL_PII_INTERNAL_DOMAINS": "corp.x"})
    assert d.codenames == {("globex",), ("hooli", "cloud")} and d.people == {("ann", "lee")}
    assert d.spans("db1.corp.x is down") == [(0, 10, "INTERNAL_HOST")]


def test_texts_of_reaches_nested_json():
    value = json.dumps({"a": "Ann Lee", "b": [json.dumps({"c": "Bob Stone"})], "n": 1})
    assert list(detect.texts_of(value)) == ["Ann Lee", "Bob Stone"]
    assert list(detect.texts_of("plain text")) == ["plain text"]


def test_the_presidio_registry_finds_what_the_redactor_sees(detector):
    """One mechanism: the AnalyzerEngine built from the registry returns exactly the rules' and the finders' spans."""
    from python_assets.privacy.analyzer import build_analyzer

    engine = build_analyzer(detector)
    texts = ["Ask John Smith about Project Bluefin at 3968 Bay Street, Toronto; card 4111 1111 1111 1111.",
             "Here's my SSN: 460-89-9847, my IBAN is GB59IFUE40226315499137, mail ann.lee@x.example",
             *LOG_LINES]
    for text in texts:
        ours = {(e, s, t) for s, t, _, e, _ in rule_findings(text)} | {(e, s, t) for s, t, _, e, _ in
                                                                      detector.find(text)}
        theirs = {(r.entity_type, r.start, r.end) for r in engine.analyze(text, language="en")}
        assert theirs == ours, text


def test_flywheel_redact_keeps_order_and_fields_and_reports_bad_lines():
    lines = [{"id": 1, "text": "Mail ann.lee@x.example or call 415-555-0100", "lang": "en"},
             {"id": 2, "text": "nothing here"}, "not json {", {"id": 4, "body": "no text field"},
             {"id": 5, "text": "Ask John Smith"}]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
    code, out, err = run_cli(["redact"], stdin)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 2 and "2 of 5 lines" in err
    assert rows[0] == {"id": 1, "text": "Mail <EMAIL_ADDRESS_1> or call <PHONE_NUMBER_1>", "lang": "en"}
    assert rows[1] == {"id": 2, "text": "nothing here"}
    assert rows[2]["_line"] == 3 and "not JSON" in rows[2]["_error"] and "not json" not in json.dumps(rows[2])
    assert rows[3] == {"_line": 4, "_error": "field 'text' missing or not a string"}
    assert rows[4] == {"id": 5, "text": "Ask <PERSON_1>"}


def test_flywheel_redact_named_field_and_sessions(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps({"s": s, "body": b}) for s, b in [
        ("a", "ann.lee@x.example"), ("b", "bob@x.example"), ("a", "again ann.lee@x.example, bob@x.example")]))
    code, out, _ = run_cli(["redact", str(path), "--field", "body", "--session-field", "s"])
    assert code == 0
    assert [json.loads(line)["body"] for line in out.splitlines()] == [
        "<EMAIL_ADDRESS_1>", "<EMAIL_ADDRESS_1>", "again <EMAIL_ADDRESS_1>, <EMAIL_ADDRESS_2>"]


def test_flywheel_pii_eval_prints_scores_with_a_json_last_line(tmp_path):
    text = "Call Ann Lee on 415-555-0100 or mail ann@x.example on 2024-01-02."
    spans = [("PERSON", "Ann Lee"), ("PHONE_NUMBER", "415-555-0100"), ("EMAIL_ADDRESS", "ann@x.example"),
             ("DATE_TIME", "2024-01-02")]
    record = {"full_text": text, "spans": [{"entity_type": t, "entity_value": v, "start_position": text.index(v),
                                            "end_position": text.index(v) + len(v)} for t, v in spans]}
    path = tmp_path / "labelled.json"
    path.write_text(json.dumps([record, {"full_text": "nothing to see", "spans": []}]))
    code, out, _ = run_cli(["pii-eval", str(path)])
    result = json.loads(out.splitlines()[-1])
    assert code == 0 and set(result) == {"overall", "per_type", "left_out"}
    assert result["overall"]["recall"] == 1.0 and result["overall"]["precision"] == 1.0
    assert set(result["per_type"]) == {"PERSON", "PHONE_NUMBER", "EMAIL_ADDRESS"}
    assert "DATE_TIME" in result["left_out"]
    bad = tmp_path / "bad.json"
    bad.write_text('[{"text": "x"}]')
    assert run_cli(["pii-eval", str(bad)])[0] == 2
    code, out, err = run_cli(["redact", str(tmp_path / "missing.jsonl"), "--no-ner"])
    assert code == 2 and out == "" and "cannot read" in err


@pytest.mark.skipif(not PRESIDIO.exists(), reason="public presidio-research sample absent")
def test_quality_on_the_presidio_research_set():
    """Issue 6's targets: F2 >= 0.90 overall (measured 0.927 on this half), recall >= 0.98 for the rule types."""
    code, out, _ = run_cli(["pii-eval", str(PRESIDIO)])
    result = json.loads(out.splitlines()[-1])
    assert result["overall"]["f2"] >= 0.90, result["overall"]
    for entity in ("EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IP_ADDRESS", "US_SSN", "IBAN_CODE"):
        assert result["per_type"][entity]["recall"] >= 0.98, entity


def test_ner_reads_only_the_neighbourhood_of_possible_names():
    """NER's view of a log line: same length (offsets hold), the name and its context kept, ids and paths blanked;
    nothing to read where no word may be a name."""
    line = ("2025-11-27T04:52:51.448Z INFO  [pool-2-thread-7] com.acme.auth.TokenService: request completed "
            "method=GET path=/api/v2/orders/97270 status=200 request_id=47514dfd-bc4a-4b6f-a4af-3e7eb86fe60c\n"
            "2025-02-15T14:22:37.326Z ERROR [asyncio_0] uvicorn.access: User Caleb Spencer updated billing profile")
    view = names.ner_view(line)
    assert len(view) == len(line) and view.count("\n") == 1
    assert "User Caleb Spencer updated billing" in view
    assert "47514dfd" not in view and "TokenService" not in view
    assert names.ner_view("GET /healthz HTTP/1.1 200 INFO Started TokenService in 3.2 s") is None
    assert names.ner_view("Ask Magnus about it") == "Ask Magnus about it"
    # windows that grow into each other as they widen to whole words: still the same length, every kept word whole
    rng = random.Random(3)
    words = ["Caleb", "x" * 70, "ok", "Datadog", "\n", "abc_def_ghi_jkl_mno_pqr_stu_vwx", "1234567890" * 4, "Spencer"]
    for _ in range(2000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 12)))
        view = names.ner_view(text)
        kept = [(i, w) for w in ("Caleb", "Spencer") for i in range(len(text)) if text.startswith(w, i)]
        assert view is None or len(view) == len(text) and all(view[i: i + len(w)] == w for i, w in kept), text


@pytest.mark.skipif(not SWE_AGENT.exists(), reason="public SWE-agent trajectories absent")
def test_real_agent_logs_hold_few_names(detector):
    """Real log-shaped text (SWE-agent trajectories: code, shell output, tracebacks, prompts): PERSON on at most 1.5%
    of its lines (measured 1.1%; most of them the CTF tasks' stories, which do name people), and never on an
    identifier, path, hash, constant or log word."""
    lines = []
    for path in sorted(SWE_AGENT.glob("*.traj")):
        for text in detect.texts_of(json.loads(path.read_text())):
            lines += [line[:400] for line in text.splitlines() if len(line.strip()) > 3]
    lines = list(dict.fromkeys(lines))
    detector.prefetch(lines)
    flagged = [(line[s:e], rec) for line in lines for s, e, _, entity, rec in detector.find(line) if entity == "PERSON"]
    assert len(lines) > 3000 and len(flagged) <= 0.015 * len(lines), flagged
    for value, _ in flagged:
        assert not names.IDENTIFIER.search(value) and value.casefold() not in names.NOT_NAMES, value
