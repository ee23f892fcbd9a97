"""
The library as a dependency: readable results, exact verdicts on raw bytes, messages that quote
what was sent, and an API a consumer type-checks under ``mypy --strict``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from validator_payloads import error_response, example_response

from truewatch_contract import (
    ContractViolation,
    Evaluation,
    Violation,
    assert_valid_envelope,
    evaluate_request,
    validate_request,
    validate_response,
)

# --- messages name their subject when built ------------------------------------------------------


@pytest.mark.parametrize("value", ["the payload", "the body", "the route's issue_id"])
def test_a_value_is_quoted_as_sent(value: str) -> None:
    [found] = validate_request({"issueStatus": value})
    assert found.message == (
        "issueStatus must be one of Triage, Assigned, Working, Resolved, Ignored, "
        f"found the string {value!r}."
    )


def test_each_payload_root_has_its_own_name() -> None:
    assert [v.message for v in validate_request([])] == [
        "the body must be an object, found an array of 0 items."
    ]
    assert [v.message for v in validate_request({}, issue_id="")] == [
        "the route's issue_id must be a non-empty string, found the string ''."
    ]


def test_an_invalid_body_answered_as_a_success_quotes_the_body_s_fault_as_is() -> None:
    [found] = validate_response(
        example_response(), status_code=200, request={"issueStatus": "The Payload"}
    )
    assert found.rule == "behaviour.invalid-body-rejected"
    assert "found the string 'The Payload'" in found.message
    assert "request.issue-status" in found.message


# --- readable results ----------------------------------------------------------------------------


def test_str_of_a_violation_is_one_readable_line() -> None:
    [found] = validate_response(error_response(404), status_code=400)
    assert str(found) == (
        "envelope.code-matches-status at /code: code must equal the HTTP status 400, "
        "found 404. [documented]"
    )
    root = Violation("envelope.json", "", "the response must be a JSON object.", "documented")
    assert str(root) == "envelope.json at (root): the response must be a JSON object. [documented]"


def test_an_evaluation_is_plain_json_data() -> None:
    evaluation = evaluate_request({"issueStatus": "level"}, issue_id="x")
    data = evaluation.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["ok"] is False
    assert data["violations"] == [v.to_dict() for v in evaluation.violations]
    assert data["checked"] == list(evaluation.checked)
    assert data["relaxed"] == [] and data["unchecked"] == []
    assert isinstance(evaluation, Evaluation)


def test_assert_valid_envelope() -> None:
    assert_valid_envelope(example_response(), status_code=200)
    payload = example_response()
    payload["success"] = "yes"
    with pytest.raises(ContractViolation) as caught:
        assert_valid_envelope(payload, status_code=200)
    assert str(caught.value).startswith("response envelope broke the contract")


def test_assert_valid_helpers_refuse_unknown_options() -> None:
    from truewatch_contract import assert_valid_request, assert_valid_response

    with pytest.raises(TypeError):
        assert_valid_response({}, status=200)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        assert_valid_request({}, previous={})  # type: ignore[call-arg]


# --- raw bytes are read as the mock reads them ---------------------------------------------------


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (b'{"issueStatus": "Resolved"}', None),
        (b"\xef\xbb\xbf{}", "request.utf8"),
        ("{}".encode("utf-16"), "request.utf8"),
        ("{}".encode("utf-32-le"), "request.utf8"),
        (b"", "request.body-object"),
        (b'{"issueStatus": Infinity}', "request.body-object"),
        (b"[" * 600 + b"]" * 600, "request.body-object"),
    ],
    ids=["valid", "bom", "utf-16", "utf-32", "empty", "infinity", "deep"],
)
def test_raw_request_bytes(data: bytes, rule: str | None) -> None:
    evaluation = evaluate_request(data)
    assert [v.rule for v in evaluation.violations] == ([rule] if rule else [])
    assert "request.utf8" in evaluation.checked


@pytest.mark.parametrize("depth", [513, 600, 1000, 100_000])
def test_every_depth_above_the_limit_is_the_same_one_violation(depth: int) -> None:
    text = b"[" * depth + b"]" * depth
    for found, rule in ((validate_request(text), "request.body-object"),
                        (validate_response(text), "envelope.json")):  # fmt: skip
        assert [(v.rule, v.pointer) for v in found] == [(rule, "")]
        assert found[0].message.endswith("found nesting deeper than 512 levels.")


def test_raw_response_bytes() -> None:
    raw = json.dumps(example_response()).encode()
    assert validate_response(raw, status_code=200) == []
    [found] = validate_response(b"\xef\xbb\xbf" + raw, status_code=200)
    assert found.rule == "envelope.json"
    assert "byte-order mark" in found.message


# --- a consumer under mypy --strict --------------------------------------------------------------

CONSUMER = """
from truewatch_contract import (
    Evaluation, SentRequest, Violation, assert_valid_envelope, assert_valid_request,
    assert_valid_response, evaluate_response,
)

def check(body: bytes, answer: dict[str, object]) -> list[str]:
    assert_valid_request(body, issue_id="x", relax=["assumed"], engine="jsonschema")
    assert_valid_response(answer, status_code=200, sent=SentRequest(path="/x", body=body))
    assert_valid_envelope(answer, status_code=400, content_type="application/json")
    evaluation: Evaluation = evaluate_response(answer, status_code=200, engine="auto")
    first: Violation | None = evaluation.violations[0] if evaluation.violations else None
    tag: str = first.tag if first else "documented"
    return [str(v) for v in evaluation.violations] + [tag]
"""

WRONG = """
from truewatch_contract import assert_valid_response, validate_request

assert_valid_response({}, status=200)
validate_request({}, engine="turbo")
"""


def _mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "consumer.py").write_text(source)
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "consumer.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_consumer_type_checks_under_mypy_strict(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    done = _mypy(tmp_path, CONSUMER)
    assert done.returncode == 0, done.stdout
    done = _mypy(tmp_path, WRONG)
    assert done.returncode == 1
    assert 'Unexpected keyword argument "status"' in done.stdout
    assert '"engine"' in done.stdout and "turbo" in done.stdout
