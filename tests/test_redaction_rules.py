"""The rule-based redaction layer: every rule's positives and negatives, session placeholders, JSON, offsets."""

import json
import shutil
from pathlib import Path

import pytest

from python_assets.privacy.redact import PLACEHOLDER, SessionRedactor
from python_assets.privacy.rules import RULES, luhn_ok, shannon_entropy

PUBLIC = Path(__file__).resolve().parents[2] / "shared" / "data" / "public"
PRESIDIO = PUBLIC / "presidio-research" / "synth_dataset_v2.first_half.json"


def redact(text: str) -> str:
    return SessionRedactor().redact_text(text)[0]


def entities(text: str) -> list[str]:
    return [f.entity for f in SessionRedactor().redact_text(text)[1]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail Bob.Smith+news@mail.example.co.uk now", "mail <EMAIL_ADDRESS_1> now"),
        ("phone +44 20 7946 0958.", "phone <PHONE_NUMBER_1>."),
        ("ring +1-415-555-0100 x12", "ring <PHONE_NUMBER_1>"),
        ("at (415) 555-0100 or 415.555.0199", "at <PHONE_NUMBER_1> or <PHONE_NUMBER_2>"),
        ("us 415-555-0100", "us <PHONE_NUMBER_1>"),
        ("Phone: 0490 75 40 81", "Phone: <PHONE_NUMBER_1>"),
        ("Fax: 9498777106", "Fax: <PHONE_NUMBER_1>"),
        ("card 4111 1111 1111 1111 ok", "card <CREDIT_CARD_1> ok"),
        ("paid with 4111-1111-1111-1111", "paid with <CREDIT_CARD_1>"),
        ("card number 630427373398 is lost", "card number <CREDIT_CARD_1> is lost"),
        ("from 192.168.1.10 and fe80::1ff:fe23:4567:890a", "from <IP_ADDRESS_1> and <IP_ADDRESS_2>"),
        ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key = <SECRET_1>"),
        ("t ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 x", "t <GITHUB_TOKEN_1> x"),
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "<GITHUB_TOKEN_1>"),
        ("slack xoxb-123456789012-abcdefABCDEF", "slack <SLACK_TOKEN_1>"),
        ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0", "jwt <JWT_1>"),
        ("-H 'Authorization: Bearer abc123.def456-ghi'", "-H 'Authorization: Bearer <BEARER_TOKEN_1>'"),
        ("OPENAI_API_KEY=sk-proj-abcDEF1234567890ghiJKL", "OPENAI_API_KEY=<SECRET_1>"),
        ("db password=hunter2 ok", "db password=<SECRET_1> ok"),
        ("secret: s3cr3tValue", "secret: <SECRET_1>"),
        ("blob 8fJ2kLq9ZpXw3VbN7mYt4RcH6sDa1GeUx0Qz9", "blob <SECRET_1>"),
        ("api key 5d41402abc4b2a76b9719d911017c592", "api key <SECRET_1>"),
    ],
)
def test_each_rule_finds_real_looking_values(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "released 2024-05-01 at 12:30:45, build 20240501.1234",
        "python 3.11.4, numpy 1.26.4, version 10.15.7",
        "commit 9f2c1e4b7a3d5c6e8f0a1b2c3d4e5f6a7b8c9d0e merged",
        "request 550e8400-e29b-41d4-a716-446655440000 done",
        "order 1234567890123 shipped; ts 1712345678901",
        "card 4111 1111 1111 1112 declined",  # Luhn-invalid
        "ip 999.1.1.1 and 256.0.0.1 are not addresses",
        "call 2024-03-05 at 10:30 with the team",
        "phone model 15, 128 GB",
        "tokens used: 1024, max_tokens=4096, password: str",
        "from sklearn import x; sk-learn-compatible-estimators-list",
        "path /home/user/projects/flywheel/python_assets/privacy/redact.py",
        "Bearer authentication is required",
        "std::vector<int> and 12:30:45",
        "ThisIsAVeryLongCamelCaseIdentifierName and MAX_RETRIES_FOR_UPLOAD_TASK_2",
    ],
)
def test_look_alikes_are_left_alone(text):
    assert SessionRedactor().redact_text(text) == (text, [])


def test_aws_key_inside_a_stack_trace():
    trace = (
        "Traceback (most recent call last):\n"
        '  File "/app/upload.py", line 42, in <module>\n'
        '    s3 = boto3.client("s3", aws_access_key_id="AKIAIOSFODNN7EXAMPLE")\n'
        "botocore.exceptions.ClientError: AccessDenied"
    )
    out, findings = SessionRedactor().redact_text(trace)
    assert 'aws_access_key_id="<AWS_ACCESS_KEY_1>")' in out
    assert 'line 42' in out and "AKIA" not in out
    assert [(f.entity, f.rule) for f in findings] == [("AWS_ACCESS_KEY", "aws_access_key_id")]


def test_url_query_token_keeps_the_rest_of_the_url():
    out = redact("GET https://api.example.com/v1/items?page=2&access_token=abc123XYZ789&sort=asc#top")
    assert out == "GET https://api.example.com/v1/items?page=2&access_token=<URL_SECRET_1>&sort=asc#top"
    assert redact("see https://x.io/cb?code=4/0AbCdEf9&state=xyz") == "see https://x.io/cb?code=<URL_SECRET_1>&state=xyz"


def test_validators():
    assert luhn_ok("4111 1111 1111 1111") and not luhn_ok("4111 1111 1111 1112")
    assert shannon_entropy("aaaa") == 0.0 and shannon_entropy("abcd") == 2.0
    assert {r.entity for r in RULES} >= {
        "EMAIL_ADDRESS", "PHONE_NUMBER", "IP_ADDRESS", "CREDIT_CARD", "AWS_ACCESS_KEY", "GITHUB_TOKEN", "SLACK_TOKEN",
        "JWT", "BEARER_TOKEN", "URL_SECRET", "SECRET",
    }  # fmt: skip


def test_session_placeholders_are_consistent_and_per_entity():
    r = SessionRedactor()
    a, _ = r.redact_text("mail ann@example.com and bob@example.com, call 415-555-0100")
    b, _ = r.redact_text("again ANN@Example.com, phone (415) 555-0100, card 4111111111111111")
    c, _ = r.redact_text("card 4111 1111 1111 1111")
    assert a == "mail <EMAIL_ADDRESS_1> and <EMAIL_ADDRESS_2>, call <PHONE_NUMBER_1>"
    assert b == "again <EMAIL_ADDRESS_1>, phone <PHONE_NUMBER_1>, card <CREDIT_CARD_1>"
    assert c == "card <CREDIT_CARD_1>"
    assert SessionRedactor().redact_text("bob@example.com")[0] == "<EMAIL_ADDRESS_1>"  # a new session starts over


def test_findings_point_at_the_placeholders_and_never_hold_values():
    text = "From ann@example.com (ip 10.0.0.7): card 4111 1111 1111 1111, key AKIAIOSFODNN7EXAMPLE"
    out, findings = SessionRedactor().redact_text(text)
    assert [out[f.start:f.end] for f in findings] == [
        "<EMAIL_ADDRESS_1>", "<IP_ADDRESS_1>", "<CREDIT_CARD_1>", "<AWS_ACCESS_KEY_1>",
    ]  # fmt: skip
    assert all(0 < f.score <= 1 for f in findings)
    assert "ann@example.com" not in repr(findings)


def test_overlaps_resolve_to_one_placeholder():
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
    out, findings = SessionRedactor().redact_text(f"Authorization: Bearer {jwt}")
    assert out == "Authorization: Bearer <JWT_1>" and len(findings) == 1


def test_idempotent():
    r = SessionRedactor()
    text = "ann@example.com 4111 1111 1111 1111 password=<SECRET_1> ?token=abcdef123 +44 20 7946 0958 10.1.2.3"
    once, _ = r.redact_text(text)
    assert r.redact_text(once) == (once, [])
    assert "<SECRET_1>" in once  # a placeholder already there is kept as it is


def test_json_stays_valid_with_nested_json_in_strings():
    r = SessionRedactor()
    args = json.dumps({
        "to": "ann@example.com",
        "body": json.dumps({"note": "call 415-555-0100", "list": [1, "bob@example.com"], "password": "hunter22"}),
        "api_key": "zz-not-a-known-format",
        "n": 3, "ok": True, "none": None, "ünï": "ça va",
    })  # fmt: skip
    out, findings = r.redact_json_text(args)
    parsed = json.loads(out)
    assert list(parsed) == ["to", "body", "api_key", "n", "ok", "none", "ünï"]
    assert parsed["to"] == "<EMAIL_ADDRESS_1>" and parsed["api_key"] == "<SECRET_2>" and parsed["ünï"] == "ça va"
    inner = json.loads(parsed["body"])
    assert inner == {"note": "call <PHONE_NUMBER_1>", "list": [1, "<EMAIL_ADDRESS_2>"], "password": "<SECRET_1>"}
    assert [out[f.start:f.end] for f in findings] == [
        "<EMAIL_ADDRESS_1>", "<PHONE_NUMBER_1>", "<EMAIL_ADDRESS_2>", "<SECRET_1>", "<SECRET_2>",
    ]  # fmt: skip
    assert r.redact_json_text(out) == (out, [])
    clean = '{"a":1,   "b":"plain"}'
    assert r.redact_json_text(clean) == (clean, [])  # untouched text keeps its own formatting
    assert r.redact_json_text("not json ann@example.com")[0] == "not json <EMAIL_ADDRESS_1>"
    assert r.redact_json_text('{"broken": "ann@example.com"')[0] == '{"broken": "<EMAIL_ADDRESS_1>"'


def test_redact_event_covers_the_text_fields():
    event = {
        "session_id": "s1", "role": "user", "content": "I am ann@example.com",
        "tool_arguments": '{"email": "ann@example.com", "phone": "+1-415-555-0100"}',
        "tool_result": "ok", "feedback_value": "reach me at 415-555-0100", "metadata": {"ip": "10.0.0.7", "n": 1},
    }  # fmt: skip
    out, by_field = SessionRedactor().redact_event(event)
    assert out["content"] == "I am <EMAIL_ADDRESS_1>"
    assert json.loads(out["tool_arguments"]) == {"email": "<EMAIL_ADDRESS_1>", "phone": "<PHONE_NUMBER_1>"}
    assert out["feedback_value"] == "reach me at <PHONE_NUMBER_2>"  # digits-only keys: 4155550100 != 14155550100
    assert out["metadata"] == {"ip": "<IP_ADDRESS_1>", "n": 1} and out["tool_result"] == "ok"
    assert sorted(by_field) == ["content", "feedback_value", "metadata", "tool_arguments"]
    assert event["content"] == "I am ann@example.com"  # the input is not changed


@pytest.mark.skipif(not PRESIDIO.exists(), reason="public presidio-research sample absent")
def test_recall_on_presidio_research_synthetic_set():
    records = json.loads(PRESIDIO.read_text())
    found: dict[str, list[int]] = {}
    for rec in records:
        out, _ = SessionRedactor().redact_text(rec["full_text"])
        for span in rec["spans"]:
            hit = found.setdefault(span["entity_type"], [0, 0])
            hit[1] += 1
            hit[0] += span["entity_value"] not in out
    recall = {k: hits / total for k, (hits, total) in found.items()}
    assert found["EMAIL_ADDRESS"][1] == 25 and found["PHONE_NUMBER"][1] == 49
    for entity in ("EMAIL_ADDRESS", "CREDIT_CARD", "IP_ADDRESS"):
        assert recall[entity] >= 0.98, (entity, recall[entity])
    assert recall["PHONE_NUMBER"] >= 0.95, recall["PHONE_NUMBER"]


def test_placeholder_pattern_matches_every_entity():
    for rule in RULES:
        assert PLACEHOLDER.fullmatch(f"<{rule.entity}_12>")


def test_the_accelerated_path_changes_no_result(tmp_path):
    """Hyperscan only rules rules out, PCRE2 finds what re finds on ASCII text, and the memo of recurring texts
    answers what the rules would: with them and without them (every rule's re on every text), every event of a
    PII-dense corpus (and the public labelled set, and text the accelerators cannot take) comes out the same,
    findings included; a second pass, where recurring texts come from the memo, too."""
    pytest.importorskip("hyperscan")
    pytest.importorskip("pcre2")
    from python_assets.demo.logs import write_bench_logs
    from python_assets.logs import ingest

    write_bench_logs(tmp_path, 3000)
    sources = ingest.sources_from_config([{"name": p.name, "path": str(p), "glob": "*", "format": p.name}
                                          for p in sorted(tmp_path.iterdir()) if p.is_dir()])
    events = [item for file in ingest.pending_files(sources)
              for item in ingest.read_file(file, ingest.FileResult(file)) if isinstance(item, dict)]
    odd = ["call ٠٤٩٠٧٥٤٠٨١ now, tel +٤٤ ٢٠ ٧٩٤٦ ٠٩٥٨", "lone \ud800 surrogate ann@example.com 10.0.0.1",
           "ｍａｉｌ ann＠example．com", "auth: bearer\x1cabcdEFGH12345678 and password\x1f= hunter22x",
           "ſecret: hunter22x, api_\u212aey=abcdefgh1234, beareı x, uſer ?toKen=abcd1234 PAſſWORD=zz9!aaaa",
           "password=abc\x1cdefgh token:\x0bsecretvalue1 aws_secret_access_key\x0b=\x1f"
           "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY secret=\x85x9ad!kk3 pwd is Tr0ub4dor&3x\x1dok",
           "Authorization: Bearer\tkTeuEG0v9V10XXfkdGUvXLKrJhmE_5ftrVJWgcPh\r\nphone:\x0c415-555-0100"]
    if PRESIDIO.exists():
        odd += [rec["full_text"] for rec in json.loads(PRESIDIO.read_text())]
    events += [{"session_id": f"odd{i}", "content": text} for i, text in enumerate(odd)]
    events += events  # the same texts again, in new sessions: answered by the memo
    assert len(events) > 6000
    fast, slow = {}, {}
    for i, event in enumerate(events):
        sid = (event["session_id"], i >= len(events) // 2)
        with_pf = fast.setdefault(sid, SessionRedactor()).redact_event(event)
        without = slow.setdefault(sid, SessionRedactor(accelerate=False)).redact_event(event)
        assert with_pf == without, event
    redactor = next(iter(fast.values()))
    assert redactor._prefilter is not None and all(cr.jit is not None for cr in redactor._rules)
    assert redactor._memo.found.texts and redactor._memo.quiet_json.texts  # non-ASCII and JSON texts recurred
    if redactor._memo.core is not None:
        assert redactor._memo.chosen.texts  # ASCII texts went through the C core, and recurred


@pytest.mark.skipif(not (shutil.which("cc") or shutil.which("gcc")), reason="no C compiler: redaction runs in Python")
def test_the_c_core_is_built_where_a_compiler_is():
    from python_assets.privacy import redact

    assert redact._default().core is not None, "pip install did not build python_assets/privacy/_core.c (setup.py)"


def test_pcre2_patterns_spell_out_pythons_spaces():
    from python_assets.privacy.jit import ascii_pattern

    assert ascii_pattern(r"a\s+b") == r"a[\x09-\x0d\x1c-\x20]+b"
    assert ascii_pattern(r"[^\s@]+") == r"[^\x09-\x0d\x1c-\x20@]+"
    assert ascii_pattern(r"[]\s]x\\s") == r"[]\x09-\x0d\x1c-\x20]x\\s"  # "\\s" is a backslash, then s
    assert ascii_pattern(r"\S+") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("auth: bearer\x1cabcdEFGH12345678", "auth: bearer\x1c<BEARER_TOKEN_1>"),  # Python's \s: \x1c-\x1f too
        ("password\x1f= hunter22x", "password\x1f= <SECRET_1>"),
        ("token:\x0bsecretvalue1", "token:\x0b<SECRET_1>"),
        ("ſecret: hunter22x", "ſecret: <SECRET_1>"),  # re.IGNORECASE folds ſ to s
        ("aws_secret_access_key\x0b=\x1fwJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
         "aws_secret_access_key\x0b=\x1f<SECRET_1>"),
    ],
)
def test_odd_spaces_and_case_folds_still_redact(text, expected):
    for accelerate in (True, False):
        assert SessionRedactor(accelerate=accelerate).redact_text(text)[0] == expected


def test_random_compositions_come_out_the_same_both_ways():
    """A differential check of the fast path (C core, PCRE2, memo) against every rule's re, on seeded random texts
    glued from value-shaped pieces, context words, placeholders and odd separators, where boundaries, overlaps and
    context windows fall in places no written example covers."""
    import random

    rng = random.Random(20261206)
    pieces = [
        "ann@example.com", "Bob.Smith+x@mail.example.co.uk", "a@b", "+44 20 7946 0958", "415-555-0100",
        "(415) 555-0100", "0490 75 40 81", "9498777106", "4111 1111 1111 1111", "4111-1111-1111-1112",
        "630427373398", "10.0.0.7", "999.1.1.1", "fe80::1ff:fe23:4567:890a", "::1", "AKIAIOSFODNN7EXAMPLE",
        "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "xoxb-123456789012-abcdefABCDEF", "Bearer abc123.def456-ghi",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "sk-proj-abcDEF1234567890ghiJKL",
        "password=hunter22x", "secret: s3cr3tValue", "?token=abcd1234&x=1", "https://user:pa55word@host.example/x",
        "8fJ2kLq9ZpXw3VbN7mYt4RcH6sDa1GeUx0Qz9", "5d41402abc4b2a76b9719d911017c592", "<EMAIL_ADDRESS_1>", "<SECRET_2>",
        "phone", "card", "api key", "call me", "fax", "token", "x", "12", "2024-05-01", "12:30:45", "v1.2.3", "the",
        "pwd is Tr0ub4dor&3x", "x12", "ext. 7", "Ext", "1712345678", "1712345678901", "08.12.2024", "2024.12.08",
        "192.168.001.001", "1.2.3.4.5", "5610591081018250", "501234567890", "4111 1111-1111 1111", "0000000000000",
        "+12 345 67", "+1 23 4567", "+44 (0)20 7946", "tel +49 30 1234",
    ]  # fmt: skip
    glue = [" ", "  ", "\t", "\n", "\x1c", "\x0b", "", ":", "=", ", ", "(", ")", "/", "-", "_", ".", '"', "'", "@", "#"]
    texts = ["".join(rng.choice(pieces) + rng.choice(glue) for _ in range(rng.randint(2, 12))) for _ in range(3000)]
    fast, slow = SessionRedactor(), SessionRedactor(accelerate=False)  # one session: remembered values recur too
    for text in texts + texts[:500]:
        assert SessionRedactor().redact_text(text) == SessionRedactor(accelerate=False).redact_text(text), text
        assert fast.redact_text(text) == slow.redact_text(text), text
