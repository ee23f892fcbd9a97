"""Writing the run record: line shapes, append mode, keys redacted everywhere, typed round trips."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from truewatch_contract.judge import Exchange, Facts, Policy, judge
from truewatch_contract.record import (
    BehaviourLine,
    ExchangeLine,
    Recorder,
    StopLine,
    line_from_json,
    read_record,
)
from truewatch_contract.redaction import REDACTED, Redactor

KEY = "tkn_9f8e7d6c5b4a"
ISSUE = "04a0bb44b28e9ff1e01f87828af622b9"


def made(body: bytes, *, status: int = 400, answer: bytes = b'{"a": 1}') -> Exchange:
    return Exchange(
        method="post",
        path=f"/api/v1/error_track/{ISSUE}/update",
        base_url="http://h",
        request_headers={"DF-API-KEY": KEY, "Content-Type": "application/json"},
        request_body=body,
        status=status,
        response_headers={"Content-Type": "application/json"},
        response_body=answer,
        elapsed_ms=1.5,
    )


def test_redactor_replaces_the_header_and_every_occurrence() -> None:
    redactor = Redactor([KEY, None, ""])
    assert redactor.headers({"DF-API-KEY": KEY, "X": f"a{KEY}b"}) == {
        "DF-API-KEY": REDACTED,
        "X": f"a{REDACTED}b",
    }
    assert redactor.value({"k": [KEY, {KEY: 1}]}) == {"k": [REDACTED, {REDACTED: 1}]}


def test_the_curl_line_of_an_exchange_hides_the_key() -> None:
    exchange = Exchange.to_url(
        f"http://h/api/v1/error_track/{KEY}/update",
        method="post",
        request_headers={"DF-API-KEY": KEY, "Content-Type": "application/json"},
        request_body=b'{"issueStatus": "Resolved"}',
        status=None,
        response_headers={},
        response_body=None,
    )
    line = exchange.curl(Redactor([KEY]))
    assert KEY not in line
    assert "DF-API-KEY: [redacted]" in line and line.startswith("curl -X POST")
    assert "--data-raw" in line


def test_record_lines_are_appended_json_with_the_documented_fields(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "record.jsonl"
    path.parent.mkdir()
    path.write_text('{"kind": "earlier"}\n')
    redactor = Redactor([KEY])
    recorder = Recorder(path, redactor, started_at=100.0)
    recorder.run(target="mock", mutant=None, seed=1, max_examples=5, relaxed={"assumed"})
    exchange = made(b"not json", status=200)
    verdict = judge(exchange, Facts(api_key=KEY, issue_ids=frozenset({ISSUE})))
    recorder.exchange(exchange, verdict, test="t::x", phase="scenario", mode=None)
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
    run, exchange_line, behaviour = lines[1:]
    assert run == {
        "kind": "run",
        "format": "truewatch-contract-record/2",
        "target": "mock",
        "mutant": None,
        "seed": 1,
        "max_examples": 5,
        "relaxed": ["assumed"],
        "started_at": 100.0,
    }
    assert exchange_line["request"]["headers"]["DF-API-KEY"] == REDACTED
    assert exchange_line["request"]["method"] == "POST"
    assert (exchange_line["request"]["body"], exchange_line["request"]["body_text"]) == (
        None,
        "not json",
    )
    assert exchange_line["response"] == {
        "status": 200,
        "headers": {"content-type": "application/json"},
        "body": {"a": 1},
        "text": None,
        "elapsed_ms": 1.5,
    }
    assert exchange_line["faults"] == ["not-json"] and exchange_line["possible"] == []
    assert exchange_line["input"]["checked"] == ["request.body-object", "request.utf8"]
    assert [v["rule"] for v in exchange_line["input"]["violations"]] == ["request.body-object"]
    assert behaviour["message"] == f"m {REDACTED}" and behaviour["held"] is True


def test_an_exchange_line_reads_back_as_it_was_written(tmp_path: Path) -> None:
    path = tmp_path / "record.jsonl"
    recorder = Recorder(path, Redactor([KEY]))
    exchange = made(b'{"issueStatus": "level"}')
    verdict = judge(exchange, Facts(api_key=KEY, issue_ids=frozenset({ISSUE})), policy=Policy())
    recorder.exchange(exchange, verdict, test="t", phase="plan", mode="negative")
    recorder.write(StopLine(message="stopped"))
    recorder.close()
    record = read_record(path)
    (line,) = record.exchanges
    assert line.violations == verdict.violations and line.relaxed_violations == verdict.relaxed
    assert line.faults == ("schema",) and line.input_violations == verdict.request
    assert line.status == 400 and line.request.body == {"issueStatus": "level"}
    assert record.stopped == StopLine(message="stopped")
    # Every kind of line survives its own JSON.
    for written in (line, BehaviourLine(t=1.0, rule="r", held=True), StopLine(message="x")):
        assert line_from_json(json.loads(json.dumps(written.to_json()))) == written
    assert isinstance(line_from_json(line.to_json()), ExchangeLine)


def test_a_disabled_recorder_writes_nothing(tmp_path: Path) -> None:
    recorder = Recorder(None, Redactor([]))
    recorder.run(target="mock", mutant=None, seed=1, max_examples=1, relaxed=())
    assert not recorder.enabled and list(tmp_path.iterdir()) == []


def test_lines_from_many_threads_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / "record.jsonl"
    recorder = Recorder(path, Redactor([]))
    big = "x" * 20_000  # longer than a pipe's atomic write, shorter than a file's

    def write(n: int) -> None:
        for _ in range(20):
            recorder.behaviour(
                test=f"t{n}", rule="r", held=True, message=big, tag="observed", relaxed=False
            )

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    recorder.close()
    record = read_record(path)
    assert record.damaged_lines == 0 and len(record.behaviours) == 160


def test_a_huge_request_body_stays_out_of_the_record_and_the_curl_line() -> None:
    redactor = Redactor([KEY])
    raw = b'{"issueStatus": "Resolved", "padding": "' + b"x" * (1024 * 1024) + b'"}'
    exchange = made(raw)
    line = ExchangeLine.of(
        exchange,
        judge(exchange, Facts(api_key=KEY)),
        redactor,
        t=0.0,
        test="t",
        phase="p",
        mode=None,
    )
    assert line.request.body is None
    assert line.request.body_text is not None and len(line.request.body_text) <= 4096
    assert line.request.body_text.startswith('{"issueStatus": "Resolved"')
    assert line.request.body_text.endswith("bytes]") and "truncated" in line.request.body_text
    assert len(line.curl) < 2048 + 300 and "truncated" in line.curl
    small = made(b'{"issueStatus": "Resolved"}')
    small_line = ExchangeLine.of(
        small, judge(small, Facts()), redactor, t=0.0, test="t", phase="p", mode=None
    )
    assert small_line.request.body == {"issueStatus": "Resolved"}
    assert small_line.request.body_text is None


def test_a_deeply_nested_body_is_recorded_as_text(tmp_path: Path) -> None:
    """600 levels parse, but no reader of the record may walk them: the line keeps the text."""
    deep = b"[" * 600 + b"]" * 600
    exchange = Exchange(
        method="POST",
        path=f"/api/v1/error_track/{ISSUE}/update",
        request_headers={"DF-API-KEY": KEY, "Content-Type": "application/json"},
        request_body=deep,
        status=400,
        response_headers={"content-type": "application/json"},
        response_body=deep,
    )
    record = tmp_path / "record.jsonl"
    recorder = Recorder(record, Redactor([KEY]))
    recorder.exchange(exchange, judge(exchange, Facts(api_key=KEY)), test="t", phase="p", mode=None)
    recorder.close()
    [line] = read_record(record).redacted(Redactor([KEY])).exchanges
    assert line.request.body is None and (line.request.body_text or "").startswith("[[[")
    assert line.response is not None and (line.response.text or "").startswith("[[[")
