"""The run record: line shapes, append mode, and keys redacted everywhere."""

from __future__ import annotations

import json
from pathlib import Path

from truewatch_contract.redaction import REDACTED, Redactor
from truewatch_contract.suite.recording import (
    Recorder,
    curl_command,
    request_record,
    response_record,
)

KEY = "tkn_9f8e7d6c5b4a"


def test_redactor_replaces_the_header_and_every_occurrence() -> None:
    redactor = Redactor([KEY, None, ""])
    assert redactor.headers({"DF-API-KEY": KEY, "X": f"a{KEY}b"}) == {
        "DF-API-KEY": REDACTED,
        "X": f"a{REDACTED}b",
    }
    assert redactor.value({"k": [KEY, {KEY: 1}]}) == {"k": [REDACTED, {REDACTED: 1}]}


def test_curl_reproduction_hides_the_key() -> None:
    redactor = Redactor([KEY])
    line = curl_command(
        "post",
        f"http://h/api/v1/error_track/{KEY}/update",
        {"DF-API-KEY": KEY, "Content-Type": "application/json"},
        b'{"issueStatus": "Resolved"}',
        redactor,
    )
    assert KEY not in line
    assert "DF-API-KEY: [redacted]" in line and line.startswith("curl -X POST")


def test_record_lines_are_appended_json_with_the_documented_fields(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "record.jsonl"
    path.parent.mkdir()
    path.write_text('{"kind": "earlier"}\n')
    redactor = Redactor([KEY])
    recorder = Recorder(path, redactor, started_at=100.0)
    recorder.run(target="mock", mutant=None, seed=1, max_examples=5, relaxed={"assumed"})
    recorder.exchange(
        test="t::x",
        phase="scenario",
        mode=None,
        request=request_record("POST", "/p", {"DF-API-KEY": KEY}, b"not json", redactor),
        response=response_record(200, {"Content-Type": "application/json"}, b'{"a": 1}', 1.5),
        error=None,
        checked=["envelope.json"],
        violations=[],
        relaxed_violations=[],
        curl="curl",
    )
    recorder.behaviour(
        test="t::x",
        rule="behaviour.auth-required",
        held=True,
        message=f"m {KEY}",
        tag="documented",
        relaxed=False,
    )
    recorder.close()
    text = path.read_text()
    assert KEY not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert [line["kind"] for line in lines] == ["earlier", "run", "exchange", "behaviour"]
    run, exchange, behaviour = lines[1:]
    assert run == {
        "kind": "run",
        "target": "mock",
        "mutant": None,
        "seed": 1,
        "max_examples": 5,
        "relaxed": ["assumed"],
        "started_at": 100.0,
    }
    assert exchange["request"]["headers"] == {"DF-API-KEY": REDACTED}
    assert (exchange["request"]["body"], exchange["request"]["body_text"]) == (None, "not json")
    assert exchange["response"] == {
        "status": 200,
        "headers": {"content-type": "application/json"},
        "body": {"a": 1},
        "text": None,
        "elapsed_ms": 1.5,
    }
    assert behaviour["message"] == f"m {REDACTED}" and behaviour["held"] is True


def test_a_disabled_recorder_writes_nothing(tmp_path: Path) -> None:
    recorder = Recorder(None, Redactor([]))
    recorder.run(target="mock", mutant=None, seed=1, max_examples=1, relaxed=())
    assert not recorder.enabled and list(tmp_path.iterdir()) == []


def test_a_huge_request_body_stays_out_of_the_record_and_the_curl_line() -> None:
    redactor = Redactor([KEY])
    raw = b'{"issueStatus": "Resolved", "padding": "' + b"x" * (1024 * 1024) + b'"}'
    request = request_record("POST", "/p", {"DF-API-KEY": KEY}, raw, redactor)
    assert request["body"] is None
    assert len(request["body_text"]) <= 4096
    assert request["body_text"].startswith('{"issueStatus": "Resolved"')
    assert request["body_text"].endswith("bytes]") and "truncated" in request["body_text"]
    line = curl_command("POST", "http://h/p", {"DF-API-KEY": KEY}, raw, redactor)
    assert len(line) < 2048 + 300 and "truncated" in line
    small = request_record("POST", "/p", {}, b'{"issueStatus": "Resolved"}', redactor)
    assert small["body"] == {"issueStatus": "Resolved"} and small["body_text"] is None
