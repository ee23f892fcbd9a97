"""
What a response is judged against, given its context.

- The content schema and content rules apply only when the response claims success
  consistently (HTTP 200, ``code`` 200, ``success`` true); an error dressed as a success is
  reported by the envelope rules alone.
- ``previous`` and ``issue_id`` are the caller's context: a wrong type is a TypeError.
  ``request`` is data: a body of any JSON shape is accepted, and a body the request rules reject
  but the server answered as a success breaks ``behaviour.invalid-body-rejected``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from validator_payloads import (
    ISSUE_ID,
    error_response,
    example_response,
    pairs,
    previous_content,
    write_json,
)

from truewatch_contract import RULES, evaluate_response, validate_response
from truewatch_contract.cli import main
from truewatch_contract.rules.table import PYTHON_RULES

CONTENT_RULES = ("content.", "history.")


def content_rules(checked: tuple[str, ...]) -> list[str]:
    return [rule for rule in checked if rule.startswith(CONTENT_RULES)]


# --- an error dressed as a success ---------------------------------------------------------------


def disguised_error(**changes: Any) -> dict[str, Any]:
    """HTTP 200, code 200, success false: the error's content is null."""
    payload = error_response(200, "ft.InvalidParameter")
    payload["message"] = "The request is invalid."
    payload.update(changes)
    return payload


@pytest.mark.parametrize("status", [200, None])
def test_a_disguised_error_gives_only_the_envelope_rule(status: int | None, engine: str) -> None:
    evaluation = evaluate_response(
        disguised_error(),
        status_code=status,
        request={"issueStatus": "Resolved"},
        issue_id=ISSUE_ID,
        previous=previous_content(),
        engine=engine,
    )
    assert pairs(evaluation.violations) == {("envelope.success-matches-code", "/success")}
    assert content_rules(evaluation.checked) == []


def test_success_true_with_the_wrong_code_gives_only_the_envelope_rules(engine: str) -> None:
    payload = example_response()
    payload["code"] = 500
    evaluation = evaluate_response(payload, status_code=200, engine=engine)
    assert pairs(evaluation.violations) == {
        ("envelope.code-matches-status", "/code"),
        ("envelope.success-matches-code", "/success"),
    }
    assert content_rules(evaluation.checked) == []


def test_a_consistent_success_with_broken_content_reports_everything(engine: str) -> None:
    payload = example_response()
    payload["content"] = {}
    evaluation = evaluate_response(payload, status_code=200, engine=engine)
    assert {v.rule for v in evaluation.violations} == {"content.schema"}
    assert len(evaluation.violations) >= 18  # every required field of the content
    assert "content.schema" in evaluation.checked
    payload = example_response()
    payload["content"]["duration"] = 1
    payload["content"]["deleteAt"] = 0
    found = pairs(validate_response(payload, status_code=200, engine=engine))
    assert found == {
        ("content.duration", "/content/duration"),
        ("content.delete-at", "/content/deleteAt"),
    }


def test_without_a_status_a_consistent_envelope_is_a_success(engine: str) -> None:
    payload = example_response()
    payload["content"]["deleteAt"] = 0
    found = pairs(validate_response(payload, engine=engine))
    assert found == {("content.delete-at", "/content/deleteAt")}


# --- previous, issue_id and request --------------------------------------------------------------


@pytest.mark.parametrize("previous", ["x", [1], 3, True, ("a",)])
def test_previous_of_a_wrong_python_type_is_a_type_error(previous: Any) -> None:
    with pytest.raises(TypeError, match=r"^previous must be the content object"):
        validate_response(example_response(), status_code=200, previous=previous)


@pytest.mark.parametrize(
    ("previous", "found"),
    [
        (error_response(), "found an envelope with success false and code the integer 404"),
        ({**example_response(), "content": None}, "found a success envelope with content null"),
        ({}, "found an object without issueStatus and extend"),
        ({"issueStatus": "Resolved"}, "found an object without extend"),
    ],
    ids=["error-envelope", "null-content", "empty", "request-body"],
)
def test_previous_that_is_no_success_lists_the_history_rules_as_unchecked(
    previous: Any, found: str
) -> None:
    grown = example_response()
    grown["content"]["extend"]["statusChangeRecords"] = []  # would break history.append-only
    evaluation = evaluate_response(grown, status_code=200, previous=previous)
    history = [
        rule.id
        for rule in RULES.values()
        if rule.scope == "history" and rule.id in PYTHON_RULES  # the library's history rules
    ]
    history.remove("history.same-status-no-record")  # assumed: not reported by default
    assert [rule for rule, _ in evaluation.unchecked] == history
    assert all(found in reason for _, reason in evaluation.unchecked)
    assert not any(rule.startswith("history.") for rule in evaluation.checked)
    assert evaluation.to_dict()["unchecked"][0] == {
        "rule": history[0],
        "reason": evaluation.unchecked[0][1],
    }
    # The same verdict as without previous, minus nothing: it never raises.
    assert evaluation.violations == evaluate_response(grown, status_code=200).violations


def test_previous_as_content_or_success_envelope_is_accepted(engine: str) -> None:
    for previous in (previous_content(), {**example_response(), "content": previous_content()}):
        evaluation = evaluate_response(
            example_response(),
            status_code=200,
            request={"issueStatus": "Resolved"},
            previous=previous,
            engine=engine,
        )
        assert evaluation.ok
        assert "history.append-only" in evaluation.checked


@pytest.mark.parametrize("issue_id", [123, ["x"], {"id": ISSUE_ID}, 1.5, True])
def test_issue_id_that_is_no_string_is_a_type_error(issue_id: Any) -> None:
    with pytest.raises(TypeError, match=r"^issue_id must be the route's issue_id"):
        validate_response(example_response(), status_code=200, issue_id=issue_id)


def test_issue_id_string_enables_same_issue(engine: str) -> None:
    ok = evaluate_response(example_response(), status_code=200, issue_id=ISSUE_ID, engine=engine)
    assert ok.ok and "content.same-issue" in ok.checked
    found = validate_response(example_response(), status_code=200, issue_id="f" * 32)
    assert pairs(found) == {("content.same-issue", "/content/issueID")}


def test_request_that_is_no_json_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"^request: bytes at /issueStatus"):
        validate_response(example_response(), status_code=200, request={"issueStatus": b"x"})


# --- a success answer to an invalid body ---------------------------------------------------------


@pytest.mark.parametrize(
    ("request_body", "status"),
    [
        ({"issueStatus": "level"}, 200),
        ({"assigner": []}, 200),
        ([{"issueStatus": "Resolved"}], 200),
        ("Resolved", 201),
        ({"issueStatus": "level"}, None),
    ],
)
def test_a_success_answer_to_an_invalid_body_breaks_invalid_body_rejected(
    request_body: Any, status: int | None, engine: str
) -> None:
    evaluation = evaluate_response(
        example_response(), status_code=status, request=request_body, engine=engine
    )
    # (A 201 also breaks envelope.code-matches-status: the example's code is 200.)
    found = {pair for pair in pairs(evaluation.violations) if not pair[0].startswith("envelope.")}
    assert found == {("behaviour.invalid-body-rejected", "")}
    assert "behaviour.invalid-body-rejected" in evaluation.checked
    # The content is not compared with a value that was never valid.
    assert "content.status-applied" not in evaluation.checked
    message = evaluation.violations[0].message
    assert "4xx" in message and message.endswith(".")


@pytest.mark.parametrize(
    ("payload", "status", "request_body"),
    [
        (example_response(), 200, {"issueStatus": "Resolved"}),  # a valid body: does not apply
        (error_response(400, "ft.InvalidParameter"), 400, {"issueStatus": "level"}),  # rejected
        (error_response(400, "ft.InvalidParameter"), None, [1]),
    ],
)
def test_invalid_body_rejected_holds_or_does_not_apply(
    payload: dict[str, Any], status: int | None, request_body: Any, engine: str
) -> None:
    evaluation = evaluate_response(payload, status_code=status, request=request_body, engine=engine)
    assert evaluation.ok, evaluation.violations
    assert "behaviour.invalid-body-rejected" not in evaluation.checked


# --- the command line ----------------------------------------------------------------------------


@pytest.mark.parametrize("previous", [[1], "x", error_response()])
def test_cli_previous_that_is_no_content_exits_2_with_one_line(
    previous: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    response = write_json(tmp_path / "response.json", example_response())
    before = write_json(tmp_path / "previous.json", previous)
    code = main(["validate", "response", str(response), "--previous", str(before)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert "--previous" in captured.err and "content object" in captured.err
    assert len(captured.err.strip().splitlines()) == 1


def test_cli_invalid_request_answered_200(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    response = write_json(tmp_path / "response.json", example_response())
    sent = write_json(tmp_path / "request.json", {"issueStatus": "level"})
    code = main(["validate", "response", str(response), "--status", "200", "--request", str(sent)])
    out = capsys.readouterr().out
    assert code == 1
    assert out.startswith("behaviour.invalid-body-rejected")


def test_a_status_change_must_happen_on_the_callers_clock(engine: str) -> None:
    """With `requested_between`, a new record and updateAt lie within the caller's clock."""
    request = {"issueStatus": "Resolved"}
    stamp = 1772788899  # the example's Resolved record and updateAt
    on_time = validate_response(
        example_response(),
        status_code=200,
        request=request,
        previous=previous_content(),
        requested_between=(stamp - 0.2, stamp + 0.4),
        engine=engine,
    )
    assert on_time == []
    eight_hours_later = stamp + 8 * 3600
    skewed = validate_response(
        example_response(),
        status_code=200,
        request=request,
        previous=previous_content(),
        requested_between=(eight_hours_later, eight_hours_later + 1),
        engine=engine,
    )
    assert pairs(skewed) == {
        ("history.status-change-record", "/content/extend/statusChangeRecords/1/time"),
        ("history.update-time", "/content/updateAt"),
    }


@pytest.mark.parametrize("window", [(2.0, 1.0), (1.0,), ("a", "b"), [1.0, 2.0]])
def test_requested_between_of_the_wrong_form_is_a_type_error(window: Any) -> None:
    with pytest.raises(TypeError, match="requested_between"):
        validate_response(
            example_response(),
            status_code=200,
            previous=previous_content(),
            requested_between=window,
        )
