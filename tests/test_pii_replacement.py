"""What redacted values become: realistic surrogates consistent within a session (FLYWHEEL_PII_REPLACE=surrogate),
and the keyed linkage across sessions (FLYWHEEL_PII_LINK_KEY); placeholders per session stay the default."""

from __future__ import annotations

import ipaddress
import json
import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from cli_harness import run_cli

from python_assets.logs import events as ev
from python_assets.logs import silver
from python_assets.privacy import detect, dictionaries, surrogates
from python_assets.privacy.redact import PLACEHOLDER, SessionRedactor, rule_findings
from python_assets.privacy.rules import ENTITIES, OTHER_ENTITIES, iban_ok, luhn_ok, ssn_ok

KEY = "a-test-key-0123456789-abcdef"  # >= 16 bytes
OTHER_KEY = "another-test-key-9876543210"
ROOT = Path(__file__).resolve().parents[1]

TEXT = ("Priya Raghunathan (priya.raghunathan@acme.example, E104233) works on Project Bluefin; the customer is "
        "Initech. Call "
        "415-555-0100 or +44 20 7946 0958; card 4111 1111 1111 1111; hosts 10.0.0.7 and fe80::1ff:fe23:4567:890a; "
        "SSN 460-89-9847; IBAN GB59IFUE40226315499137; wiki https://wiki.corp.acme.example/x; password=hunter22; "
        "she lives at 1600 Pennsylvania Avenue NW.")
RAW = ["Priya Raghunathan", "priya.raghunathan@acme.example", "E104233", "Bluefin", "Initech", "415-555-0100",
       "7946 0958", "4111 1111 1111 1111", "10.0.0.7", "fe80::1ff:fe23:4567:890a", "460-89-9847",
       "GB59IFUE40226315499137", "wiki.corp.acme.example", "hunter22", "1600 Pennsylvania"]


@pytest.fixture(scope="module")
def detector():
    directory = dictionaries.OrgDictionary.build(
        names=["Priya Raghunathan"], emails=["priya.raghunathan@acme.example"],
        codenames=["Project Bluefin", "Initech"], employee_ids=["E104233"], internal_domains=["corp.acme.example"])
    return detect.Detector(directory)  # spaCy NER too: a Faker name is a name to it


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    monkeypatch.delenv("FLYWHEEL_PII_REPLACE", raising=False)
    monkeypatch.delenv("FLYWHEEL_PII_LINK_KEY", raising=False)


def _replaced(out: str, findings) -> dict[str, list[str]]:
    by: dict[str, list[str]] = {}
    for f in findings:
        by.setdefault(f.entity, []).append(out[f.start:f.end])
    return by


def test_every_entity_has_a_surrogate_or_keeps_its_placeholder():
    for entity in (*ENTITIES, *OTHER_ENTITIES):
        assert (entity in surrogates.SURROGATES) != (entity in surrogates.PLACEHOLDER_ONLY), entity


def test_surrogates_are_realistic_and_from_ranges_set_aside(detector):
    out, findings = SessionRedactor(detector=detector, replace="surrogate", session="s1").redact_text(TEXT)
    got = _replaced(out, findings)
    assert sorted(got) == ["CODENAME", "CREDIT_CARD", "EMAIL_ADDRESS", "EMPLOYEE_ID", "IBAN_CODE", "INTERNAL_HOST",
                           "IP_ADDRESS", "PERSON", "PHONE_NUMBER", "SECRET", "STREET_ADDRESS", "US_SSN"]
    assert got["SECRET"] == ["<SECRET_1>"]  # secrets never get a real-looking stand-in
    assert not any(PLACEHOLDER.search(v) for e, vs in got.items() if e != "SECRET" for v in vs)
    assert re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", got["PERSON"][0])
    assert re.fullmatch(r"[a-z]+\.[a-z]+@example\.(com|net|org)", got["EMAIL_ADDRESS"][0])
    assert all(re.fullmatch(r"[2-9]\d\d-555-01\d\d", p) for p in got["PHONE_NUMBER"])
    assert len(set(got["PHONE_NUMBER"])) == 2
    card = got["CREDIT_CARD"][0]
    assert card.startswith("4000 00") and luhn_ok(card)
    v4, v6 = (ipaddress.ip_address(ip) for ip in got["IP_ADDRESS"])
    assert any(v4 in ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"))
    assert v6 in ipaddress.ip_network("2001:db8::/32")
    ssn, iban = got["US_SSN"][0], got["IBAN_CODE"][0]
    assert ssn.startswith("9") and not ssn_ok(ssn) and iban[2:4] == "00" and not iban_ok(iban)
    assert rule_findings(f"SSN {ssn}, IBAN {iban}") == []  # a fresh pass of the rules does not take them for real
    assert got["INTERNAL_HOST"][0].startswith("https://") and got["INTERNAL_HOST"][0].endswith(".internal.example")
    assert got["CODENAME"][0].startswith("Project ") and re.fullmatch(r"E\d{6}", got["EMPLOYEE_ID"][0])
    for value in RAW:
        assert value not in out and value not in repr(findings)


def test_surrogates_are_consistent_within_a_session():
    r = SessionRedactor(replace="surrogate", session="s1")
    a, fa = r.redact_text("mail ann@example.com and bob@example.com, call 415-555-0100")
    b, fb = r.redact_text("again ANN@Example.com, phone (415) 555-0100, card 4111111111111111")
    c, fc = r.redact_text("card 4111 1111 1111 1111")
    ga, gb, gc = _replaced(a, fa), _replaced(b, fb), _replaced(c, fc)
    assert gb["EMAIL_ADDRESS"] == ga["EMAIL_ADDRESS"][:1] and ga["EMAIL_ADDRESS"][0] != ga["EMAIL_ADDRESS"][1]
    assert gb["PHONE_NUMBER"] == ga["PHONE_NUMBER"] and gc["CREDIT_CARD"] == gb["CREDIT_CARD"]
    event = {"content": "I am ann@example.com", "tool_arguments": '{"to": "ann@example.com", "n": 1}',
             "metadata": {"from": "bob@example.com"}}
    red, by_field = r.redact_event(event)
    assert red["content"] == f"I am {ga['EMAIL_ADDRESS'][0]}"
    assert json.loads(red["tool_arguments"]) == {"to": ga["EMAIL_ADDRESS"][0], "n": 1}
    assert red["metadata"] == {"from": ga["EMAIL_ADDRESS"][1]}
    args = red["tool_arguments"]
    assert [args[f.start:f.end] for f in by_field["tool_arguments"]] == [ga["EMAIL_ADDRESS"][0]]


def test_names_are_full_names_or_local_parts(detector):
    r = SessionRedactor(detector=detector, replace="surrogate", session="s1")
    out, findings = r.redact_text("Thanks, Priya Raghunathan. Hi John, meet Mary Johnson. Ask priya.raghunathan")
    names = _replaced(out, findings)["PERSON"]
    assert len(names) == 4 and len(set(names[:3])) == 3
    assert all(re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", n) for n in names[:3])
    # the local part is the same person as the name: their surrogate, written as a local part
    assert names[3] == names[0].lower().replace(" ", ".")


def test_sessions_differ_without_a_key_and_placeholders_restart():
    text = "mail ann@example.com, call 415-555-0100, SSN 460-89-9847"
    one = SessionRedactor(replace="surrogate", session="s1").redact_text(text)[0]
    two = SessionRedactor(replace="surrogate", session="s2").redact_text(text)[0]
    assert one != two and not set(re.findall(r"\S+@\S+", one)) & set(re.findall(r"\S+@\S+", two))
    # placeholders: a counter per session, so nothing in them says two sessions share a value
    assert SessionRedactor(session="s1").redact_text(text)[0] == SessionRedactor(session="s2").redact_text(text)[0]
    assert SessionRedactor(session="s1").redact_text("bob@example.com")[0] == "<EMAIL_ADDRESS_1>"


def test_a_link_key_gives_a_value_the_same_id_in_every_session():
    a = SessionRedactor(link_key=KEY, session="s1")
    b = SessionRedactor(link_key=KEY, session="s2")
    out_a, _ = a.redact_text("ann@example.com then bob@example.com")
    b.redact_text("carol@example.com first, and 415-555-0100")
    out_b, _ = b.redact_text("BOB@example.com")
    ids_a = PLACEHOLDER.findall(out_a)
    assert len(ids_a) == 2 and all(re.fullmatch(r"<EMAIL_ADDRESS_[0-9a-f]{12}>", i) for i in ids_a)
    assert out_b == ids_a[1]  # the same address, another session, another position: the same id
    other = SessionRedactor(link_key=OTHER_KEY).redact_text("bob@example.com")[0]
    assert other != out_b  # another key, no link
    assert a.redact_text(out_a) == (out_a, [])  # keyed placeholders are taken like numbered ones


def test_a_link_key_gives_a_value_the_same_surrogate_in_every_session():
    a = SessionRedactor(replace="surrogate", link_key=KEY, session="s1")
    b = SessionRedactor(replace="surrogate", link_key=KEY, session="s2")
    out_a, fa = a.redact_text("ann@example.com, 415-555-0100, password=hunter22")
    b.redact_text("first carol@example.com and 212-555-0199")
    out_b, fb = b.redact_text("phone (415) 555-0100, mail ANN@example.com, password=hunter22")
    ga, gb = _replaced(out_a, fa), _replaced(out_b, fb)
    assert ga["EMAIL_ADDRESS"] == gb["EMAIL_ADDRESS"] and ga["PHONE_NUMBER"] == gb["PHONE_NUMBER"]
    assert ga["SECRET"] == gb["SECRET"] and re.fullmatch(r"<SECRET_[0-9a-f]{12}>", ga["SECRET"][0])
    unkeyed = SessionRedactor(replace="surrogate", session="s1").redact_text("ann@example.com")[0]
    assert unkeyed != ga["EMAIL_ADDRESS"][0]


def test_keyed_ids_that_collide_grow_longer():
    r = SessionRedactor(link_key=KEY)
    digest = "ab" * 32
    assert r._link_id("PERSON", digest) == f"<PERSON_{digest[:12]}>"
    assert r._link_id("PERSON", digest) == f"<PERSON_{digest[:16]}>"
    assert PLACEHOLDER.fullmatch(f"<PERSON_{digest}>") and not PLACEHOLDER.fullmatch("<PERSON_abc>")


@pytest.mark.parametrize("link_key", [None, KEY], ids=["counter", "keyed"])
def test_redacting_redacted_text_changes_nothing(detector, link_key):
    r = SessionRedactor(detector=detector, replace="surrogate", link_key=link_key, session="s1")
    once, findings = r.redact_text(TEXT)
    assert findings and r.redact_text(once) == (once, [])
    event = {"content": TEXT, "tool_arguments": json.dumps({"to": "ann@example.com", "note": TEXT,
                                                            "api_key": "zz-not-a-known-format"}),
             "metadata": {"ip": "10.0.0.7", "who": "Priya Raghunathan"}}
    red, by_field = r.redact_event(event)
    assert PLACEHOLDER.fullmatch(json.loads(red["tool_arguments"])["api_key"])  # a secret-named key's value
    assert sorted(by_field) == ["content", "metadata", "tool_arguments"]
    again, found_again = r.redact_event(red)
    assert again == red and found_again == {}
    for value in RAW:
        assert value not in json.dumps(red) and value not in repr(by_field)
    assert "zz-not-a-known-format" not in json.dumps(red)


def test_a_surrogate_inside_a_longer_value_does_not_hide_it(monkeypatch):
    draws = iter(["ann@example.com", "zed@example.com"])
    monkeypatch.setitem(surrogates.SURROGATES, "EMAIL_ADDRESS", lambda fake, normalized: next(draws))
    r = SessionRedactor(replace="surrogate")
    assert r.redact_text("mail bob@corp.example")[0] == "mail ann@example.com"
    assert r.redact_text("ann@example.com, again")[0] == "ann@example.com, again"  # taken: it is ours
    out, findings = r.redact_text("mail x.ann@example.com")  # a different address that ends with it
    assert out == "mail zed@example.com" and len(findings) == 1


def test_a_surrogate_is_never_the_value_or_another_values(monkeypatch):
    monkeypatch.setitem(surrogates.SURROGATES, "EMAIL_ADDRESS", lambda fake, normalized: "ann@example.com")
    out, _ = SessionRedactor(replace="surrogate").redact_text("ANN@example.com and bob@example.com")
    # the only draw is the first value itself, then a value the session has seen: placeholders instead
    assert out == "<EMAIL_ADDRESS_1> and <EMAIL_ADDRESS_2>"
    draws = iter(["carol@example.com", "carol@example.com", "dave@example.com"])
    monkeypatch.setitem(surrogates.SURROGATES, "EMAIL_ADDRESS", lambda fake, normalized: next(draws))
    out, _ = SessionRedactor(replace="surrogate").redact_text("x@a.example and y@a.example")
    assert out == "carol@example.com and dave@example.com"  # a draw another value has is drawn again


def test_the_same_input_redacts_the_same_in_another_process():
    script = ("import json, sys; from python_assets.privacy.redact import SessionRedactor; "
              "from python_assets.privacy import surrogates; "
              "r = SessionRedactor(replace='surrogate', session='s1'); "
              "k = SessionRedactor(replace='surrogate', link_key=surrogates.link_key(), session='s9'); "
              "t = sys.stdin.read(); print(json.dumps([r.redact_text(t), k.redact_text(t)]))")
    text = TEXT.replace("Priya Raghunathan", "someone")  # no detector in the child: rules only
    runs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT), "FLYWHEEL_PII_LINK_KEY": KEY}
        done = subprocess.run([sys.executable, "-c", script], input=text, capture_output=True, text=True, env=env,
                              cwd=ROOT, check=True, timeout=120)
        runs.append(json.loads(done.stdout))
    here = [r.redact_text(text) for r in (
        SessionRedactor(replace="surrogate", session="s1"),
        SessionRedactor(replace="surrogate", link_key=KEY, session="s9"))]
    assert runs[0] == runs[1] == json.loads(json.dumps(here))


def test_redact_events_rerun_is_identical_and_audit_points_at_surrogates():
    def row(n: int, session: str, content: str) -> dict:
        return {"event_id": f"e{n}", "source": "app", "format": "app_log", "source_file": "f.jsonl",
                "file_sha256": "0" * 64, "session_id": session, "record_id": f"r{n}", "raw_ref": f"f.jsonl:{n}",
                "turn_index": n, "part_index": 0, "role": "user", "kind": "message", "content": content,
                "is_error": False, "user_id": "u1", "metadata": json.dumps({"ip": "10.0.0.7"})}

    table = pa.Table.from_pylist([row(0, "a", "I am ann@example.com"), row(1, "a", "again ann@example.com"),
                                  row(2, "b", "I am ann@example.com")], ev.SCHEMA)
    first = silver.redact_events(table, replace="surrogate")
    second = silver.redact_events(table, replace="surrogate")
    assert first[0].equals(second[0]) and first[1].equals(second[1])
    rows, audit = first[0].to_pylist(), first[1].to_pylist()
    assert rows[0]["content"][5:] == rows[1]["content"][6:] != rows[2]["content"][5:]
    assert "ann@example.com" not in json.dumps(rows) + json.dumps(audit) and "10.0.0.7" not in json.dumps(rows)
    by_id = {r["event_id"]: r for r in rows}
    for a in audit:
        shown = by_id[a["event_id"]][a["field"]][a["start"]:a["end"]]
        assert shown and not PLACEHOLDER.fullmatch(shown)
    keyed = silver.redact_events(table, replace="surrogate", link_key=surrogates.LinkKey(KEY))[0].to_pylist()
    assert keyed[0]["content"] == keyed[2]["content"]  # linked across sessions a and b


def test_settings_and_their_errors():
    assert surrogates.replace_mode({}) == "placeholder"
    assert surrogates.replace_mode({"FLYWHEEL_PII_REPLACE": " Surrogate "}) == "surrogate"
    with pytest.raises(ValueError, match="FLYWHEEL_PII_REPLACE"):
        surrogates.replace_mode({"FLYWHEEL_PII_REPLACE": "fake"})
    with pytest.raises(ValueError, match="replace must be one of"):
        SessionRedactor(replace="fake")
    assert surrogates.link_key({}) is None and surrogates.link_key({"FLYWHEEL_PII_LINK_KEY": ""}) is None
    assert isinstance(surrogates.link_key({"FLYWHEEL_PII_LINK_KEY": KEY}), surrogates.LinkKey)


def test_a_short_key_is_refused_and_no_key_is_ever_shown():
    short = "tooshort-123"
    for make in (lambda: surrogates.LinkKey(short), lambda: SessionRedactor(link_key=short.encode()),
                 lambda: surrogates.link_key({"FLYWHEEL_PII_LINK_KEY": short})):
        with pytest.raises(ValueError, match="too short: use at least 16") as info:
            make()
        assert short not in str(info.value) and short not in repr(info.value)
    key = surrogates.LinkKey(KEY)
    r = SessionRedactor(replace="surrogate", link_key=key, session="s1")
    out, findings = r.redact_text(TEXT)
    shown = [out, repr(findings), repr(key), str(key), repr(r), repr(vars(r))]
    assert not any(KEY in s for s in shown)
    with pytest.raises(TypeError) as info:
        pickle.dumps(key)
    assert KEY not in str(info.value)


def test_flywheel_redact_replace_option_and_settings(monkeypatch):
    stdin = "\n".join(json.dumps({"s": s, "text": t}) for s, t in [
        ("a", "mail ann.lee@x.example"), ("b", "mail ann.lee@x.example"), ("a", "again ann.lee@x.example")]) + "\n"
    code, out, _ = run_cli(["redact", "--no-ner", "--session-field", "s", "--replace", "surrogate"], stdin)
    texts = [json.loads(line)["text"] for line in out.splitlines()]
    assert code == 0 and texts[0][5:] == texts[2][6:] != texts[1][5:] and texts[0].endswith(("com", "net", "org"))
    monkeypatch.setenv("FLYWHEEL_PII_REPLACE", "surrogate")
    assert run_cli(["redact", "--no-ner", "--session-field", "s"], stdin)[1] == out  # the setting is the default
    code, plain, _ = run_cli(["redact", "--no-ner", "--session-field", "s", "--replace", "placeholder"], stdin)
    assert [json.loads(line)["text"] for line in plain.splitlines()][0] == "mail <EMAIL_ADDRESS_1>"
    monkeypatch.setenv("FLYWHEEL_PII_LINK_KEY", KEY)
    code, linked, _ = run_cli(["redact", "--no-ner", "--session-field", "s"], stdin)
    texts = [json.loads(line)["text"] for line in linked.splitlines()]
    assert code == 0 and texts[0] == texts[1]
    monkeypatch.setenv("FLYWHEEL_PII_LINK_KEY", "short-key")
    code, out, err = run_cli(["redact", "--no-ner"], stdin)
    assert code == 2 and out == "" and "FLYWHEEL_PII_LINK_KEY" in err and "short-key" not in err
