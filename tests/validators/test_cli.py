"""``truewatch-contract validate``: exit codes, output formats, options and bad input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from validator_payloads import ISSUE_ID, example_response, previous_content, write_json

from truewatch_contract.cli import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_valid_response_exits_0(vendor_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        ["validate", "response", str(vendor_file), "--status", "200", "--issue-id", ISSUE_ID],
        capsys,
    )
    assert (code, err) == (0, "")
    assert out.strip() == "response is valid: no violations"


def test_the_file_may_follow_the_options(
    vendor_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        ["validate", "response", "--status", "200", "--issue-id", ISSUE_ID, str(vendor_file)],
        capsys,
    )
    assert (code, err) == (0, "")
    assert out.strip() == "response is valid: no violations"


def test_violations_exit_1_with_one_line_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = example_response()
    payload["traceId"] = ""
    payload["content"]["issueStatus"] = "level"
    code, out, _ = run(
        ["validate", "response", str(write_json(tmp_path / "r.json", payload))], capsys
    )
    lines = out.strip().splitlines()
    assert code == 1
    assert lines[-1] == "response is invalid: 2 violations"
    assert lines[0].startswith("content.schema  /content/issueStatus  content.issueStatus must be")
    assert lines[0].endswith("[documented]")
    assert lines[1].startswith("envelope.trace-id  /traceId  ")


def test_json_output_is_a_list_of_violation_objects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = write_json(tmp_path / "b.json", {"issueStatus": "level"})
    code, out, _ = run(["validate", "request", str(body), "--format", "json"], capsys)
    assert code == 1
    assert json.loads(out) == [
        {
            "rule": "request.issue-status",
            "pointer": "/issueStatus",
            "message": "issueStatus must be one of Triage, Assigned, Working, Resolved, Ignored, "
            "found the string 'level'.",
            "tag": "documented",
        }
    ]
    body = write_json(tmp_path / "ok.json", {"issueStatus": "Resolved"})
    code, out, _ = run(["validate", "request", str(body), "--format", "json"], capsys)
    assert (code, json.loads(out)) == (0, [])


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(b'{"issueStatus": "Resolved"}'))
    monkeypatch.setattr(sys, "stdin", stdin)
    code, out, _ = run(["validate", "request", "-", "--issue-id", ISSUE_ID], capsys)
    assert code == 0 and "valid" in out


def test_request_issue_id_and_previous_enable_their_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    response = write_json(tmp_path / "r.json", example_response())
    sent = write_json(tmp_path / "q.json", {"issueStatus": "Working"})
    previous = example_response()
    previous["content"] = previous_content()
    before = write_json(tmp_path / "p.json", previous)
    argv = ["validate", "response", str(response), "--request", str(sent)]
    argv += ["--previous", str(before), "--issue-id", "f" * 32, "--format", "json"]
    code, out, _ = run(argv, capsys)
    rules = {item["rule"] for item in json.loads(out)}
    assert code == 1
    assert {"content.status-applied", "content.same-issue", "history.status-change-record"} <= rules


def test_relax_and_include_assumed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    payload = example_response()
    payload["message"] = "done"
    path = write_json(tmp_path / "r.json", payload)
    assert run(["validate", "response", str(path)], capsys)[0] == 1
    assert run(["validate", "response", str(path), "--relax", "observed"], capsys)[0] == 0
    argv = [
        "validate",
        "response",
        str(path),
        "--relax",
        "envelope.message-empty-on-success,assumed",
    ]
    assert run(argv, capsys)[0] == 0
    previous = write_json(tmp_path / "p.json", example_response()["content"])
    grown = example_response()
    grown["content"]["extend"]["statusChangeRecords"].append(
        {"time": 1772788899, "status": "Resolved", "operator": "sys"}
    )
    sent = write_json(tmp_path / "q.json", {"issueStatus": "Resolved"})
    argv = ["validate", "response", str(write_json(tmp_path / "g.json", grown))]
    argv += ["--request", str(sent), "--previous", str(previous)]
    assert run(argv, capsys)[0] == 0
    code, out, _ = run([*argv, "--include-assumed"], capsys)
    assert code == 1 and "history.same-status-no-record" in out and "[assumed]" in out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["validate", "response", "{missing}"], "cannot read input"),
        (["validate", "response", "{bad}"], "is not valid JSON"),
        (["validate", "response", "{binary}"], "is not valid JSON"),
        (["validate", "response", "{bom}"], "is not valid JSON: a UTF-8 byte-order mark"),
        (["validate", "response", "{ok}", "--previous", "{empty}"], "found an object without"),
        (["validate", "response", "{ok}", "--previous", "{body}"], "without extend"),
        (["validate", "response", "{ok}", "--previous", "{error}"], "found an envelope with"),
        (["validate", "response", "{ok}", "--previous", "{array}"], "found an array"),
        (["validate", "response", "{ok}", "--status", "abc"], "--status must be"),
        (["validate", "response", "{ok}", "--status", "99"], "--status must be"),
        (["validate", "response", "{ok}", "--request", "{missing}"], "cannot read --request"),
        (["validate", "response", "{ok}", "--relax", "bogus"], "unknown rule id or tag 'bogus'"),
        (["validate", "request", "{ok}", "--status", "200"], "--status applies to"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    argv: list[str], fragment: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.json").write_text('{"code": 200,')
    (tmp_path / "binary.json").write_bytes(b"\xff\xfe\x00garbage")
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(example_response()).encode())
    error = {"code": 404, "content": None, "errorCode": "x", "message": "", "success": False}
    files = {
        "missing": str(tmp_path / "missing.json"),
        "bad": str(tmp_path / "bad.json"),
        "binary": str(tmp_path / "binary.json"),
        "bom": str(tmp_path / "bom.json"),
        "empty": str(write_json(tmp_path / "empty.json", {})),
        "body": str(write_json(tmp_path / "body.json", {"issueStatus": "Resolved"})),
        "error": str(write_json(tmp_path / "error.json", {**error, "traceId": "t"})),
        "array": str(write_json(tmp_path / "array.json", [1])),
        "ok": str(write_json(tmp_path / "ok.json", example_response())),
    }
    code, out, err = run([part.format(**files) for part in argv], capsys)
    assert code == 2
    assert out == ""
    assert fragment in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_bad_engine_setting_exits_2(
    vendor_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRUEWATCH_ENGINE", "turbo")
    code, out, err = run(["validate", "response", str(vendor_file)], capsys)
    assert (code, out) == (2, "")
    assert "TRUEWATCH_ENGINE" in err and "unknown engine 'turbo'" in err


def test_bad_usage_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["validate", "payload", "x.json"])
    assert caught.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def _cli(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "truewatch_contract.cli", "validate", *args],
        input=stdin,
        capture_output=True,
        timeout=60,
        check=False,
    )


def test_as_a_real_process(vendor_file: Path) -> None:
    done = _cli("response", str(vendor_file), "--status", "200")
    assert done.returncode == 0, done.stderr
    assert b"no violations" in done.stdout
    bad: Any = example_response()
    bad["success"] = False
    done = _cli("response", "-", "--format", "json", stdin=json.dumps(bad).encode())
    assert done.returncode == 1
    assert [v["rule"] for v in json.loads(done.stdout)] == [
        "envelope.error-code-matches-success",
        "envelope.success-matches-code",
    ]
    done = _cli("response", "-", stdin=b"<html>502 Bad Gateway</html>")
    assert done.returncode == 2 and b"Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (b"\xef\xbb\xbf{}", "a UTF-8 byte-order mark"),
        ('{"issueStatus": "Resolved"}'.encode("utf-16"), "bytes that are not UTF-8"),
        ('{"issueStatus": "Resolved"}'.encode("utf-16-le"), "a NUL byte (byte 1)"),
        (b'{"issueStatus": "R\xe9solu"}', "bytes that are not UTF-8 (byte 18)"),
    ],
    ids=["bom", "utf-16", "utf-16-le", "latin-1"],
)
def test_a_request_that_is_not_utf8_breaks_request_utf8(
    data: bytes, found: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "q.json").write_bytes(data)
    code, out, err = run(["validate", "request", str(tmp_path / "q.json")], capsys)
    assert (code, err) == (1, "")
    lines = out.strip().splitlines()
    assert lines[0].startswith("request.utf8  (root)  the body must be JSON text in UTF-8")
    assert found in lines[0]
    assert lines[-1] == "request is invalid: 1 violation"


def test_a_request_that_is_no_json_text_breaks_request_body_object(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "q.json").write_bytes(b'{"issueStatus": NaN}')
    code, out, _ = run(
        ["validate", "request", str(tmp_path / "q.json"), "--format", "json"], capsys
    )
    assert code == 1
    assert [(v["rule"], v["pointer"]) for v in json.loads(out)] == [("request.body-object", "")]


@pytest.mark.parametrize("depth", [513, 600, 1000, 100_000])
@pytest.mark.parametrize("kind", ["request", "response"])
def test_any_depth_above_the_limit_is_one_violation(
    depth: int, kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "deep.json").write_text("[" * depth + "]" * depth)
    code, out, err = run(
        ["validate", kind, str(tmp_path / "deep.json"), "--format", "json"], capsys
    )
    assert (code, err) == (1, "")
    rule = "request.body-object" if kind == "request" else "envelope.json"
    found = json.loads(out)
    assert [(v["rule"], v["pointer"]) for v in found] == [(rule, "")]
    assert "nesting deeper than 512 levels" in found[0]["message"]


def test_an_internal_error_exits_2_with_one_line(
    vendor_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from truewatch_contract import validate

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(validate, "validate_response", broken)
    code, out, err = run(["validate", "response", str(vendor_file)], capsys)
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1 and "RuntimeError: a bug" in err


def test_previous_as_a_success_envelope_or_its_content_is_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    response = write_json(tmp_path / "r.json", example_response())
    for name, previous in (
        ("content", previous_content()),
        ("envelope", {**example_response(), "content": previous_content()}),
    ):
        path = write_json(tmp_path / f"{name}.json", previous)
        argv = ["validate", "response", str(response), "--previous", str(path)]
        code, _, err = run(argv, capsys)
        assert (code, err) == (0, ""), name


def test_no_kind_names_the_choices(capsys: pytest.CaptureFixture[str]) -> None:
    # The usage line shows {request,response}; the error names the same thing, not `kind`.
    with pytest.raises(SystemExit) as caught:
        main(["validate"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == (
        "truewatch-contract validate: error: "
        "the following arguments are required: {request,response}"
    )
    assert "{request,response} [FILE]" in err
