"""
`judge.Facts`: a fact the caller does not have is unknown, not false.

Traffic nobody planned (a request hook, a proxy) comes with keys and ids nobody named: an answer
that some possible fault of an unknown key or issue explains is acceptable, and so is a success;
an answer no fault explains still breaks its rule.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from truewatch_contract.judge import Exchange, Facts, Fault, KeyKind, Policy, judge

ISSUE = "04a0bb44b28e9ff1e01f87828af622b9"
KEY = "tkn_whoever"


def made(
    body: Any, status: int, answer: Any, *, issue: str = ISSUE, key: str | None = KEY
) -> Exchange:
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["DF-API-KEY"] = key
    return Exchange(
        method="POST",
        path=f"/api/v1/error_track/{issue}/update",
        request_headers=headers,
        request_body=json.dumps(body).encode(),
        status=status,
        response_headers={"content-type": "application/json"},
        response_body=json.dumps(answer).encode(),
    )


def error(status: int, code: str = "ft.X") -> dict[str, Any]:
    return {
        "code": status,
        "content": None,
        "errorCode": code,
        "message": "",
        "success": False,
        "traceId": "t",
    }


def success() -> dict[str, Any]:
    from truewatch_contract.mock import MockState

    content = MockState.default().get_issue(ISSUE)
    return {
        "code": 200,
        "content": content,
        "errorCode": "",
        "message": "",
        "success": True,
        "traceId": "t",
    }


NOTHING = Facts()
STRICT = Policy.strict()


def rules(exchange: Exchange, facts: Facts = NOTHING) -> set[str]:
    return {v.rule for v in judge(exchange, facts, policy=STRICT).violations}


@pytest.mark.parametrize(
    ("status", "code"),
    [(403, "ft.InvalidAPIKey"), (401, "ft.InvalidAPIKey"), (404, "ft.NotFoundIssue")],
)
def test_an_unknown_key_and_issue_may_be_refused_as_either_fault(status: int, code: str) -> None:
    exchange = made({"issueStatus": "Resolved"}, status, error(status, code))
    verdict = judge(exchange, NOTHING, policy=STRICT)
    assert verdict.ok and verdict.acceptable
    assert verdict.expectation.faults == set()
    assert verdict.expectation.possible == {Fault.BAD_KEY, Fault.UNKNOWN_ISSUE}


def test_an_unknown_key_and_issue_may_be_a_success_judged_as_the_update() -> None:
    exchange = made({"issueStatus": success()["content"]["issueStatus"]}, 200, success())
    verdict = judge(exchange, NOTHING, policy=STRICT)
    assert verdict.ok, verdict.violations
    assert "content.status-applied" in verdict.checked and verdict.content is not None


def test_an_answer_no_possible_fault_explains_still_breaks_its_rule() -> None:
    # 400 to a valid body: neither an unknown key (401/403) nor an unknown issue (404).
    assert rules(made({"issueStatus": "Resolved"}, 400, error(400))) == {
        "behaviour.valid-body-accepted"
    }
    # A success that applied another status: the content rules still judge it.
    wrong = success()
    assert "content.status-applied" in rules(made({"issueStatus": "Working"}, 200, wrong))
    # A certain fault stays certain: a body against the schema is never a success.
    assert "behaviour.invalid-body-rejected" in rules(made({"issueStatus": "x"}, 200, success()))


def test_a_missing_key_is_a_fault_whatever_the_caller_knows() -> None:
    exchange = made({"issueStatus": "Resolved"}, 200, success(), key=None)
    assert "behaviour.auth-required" in rules(exchange)


def test_told_the_key_and_the_issue_the_judge_is_as_strict_as_the_suite() -> None:
    told = Facts(api_key="tkn_real", issue_ids=frozenset({ISSUE}))
    assert told.key_kind(KEY) is KeyKind.BAD
    assert told.key_kind("tkn_real") is KeyKind.OURS and NOTHING.key_kind(KEY) is KeyKind.UNKNOWN
    # Another key answered 404 is wrong once the real key is known: a bad key gets 401 or 403.
    assert rules(made({"issueStatus": "Resolved"}, 404, error(404)), told) == {
        "behaviour.auth-required"
    }
    # Another well-formed id answered 200 is wrong once the issues are known.
    other = made({"issueStatus": "Resolved"}, 200, success(), issue="e" * 32, key="tkn_real")
    assert "behaviour.unknown-issue" in rules(other, told)


def test_an_id_of_the_records_uuid_form_may_name_an_unknown_issue() -> None:
    alias = "isset_" + "3" * 32
    exchange = made({"issueStatus": "Resolved"}, 404, error(404), issue=alias)
    verdict = judge(exchange, NOTHING, policy=STRICT)
    assert verdict.ok and Fault.ALIAS_ID in verdict.expectation.points
    # Any other form names no issue at all.
    assert judge(made({}, 404, error(404), issue="not-an-id"), NOTHING).expectation.faults == {
        Fault.MALFORMED_ID
    }


def test_learnt_issues_are_known_without_every_issue_being_known() -> None:
    learnt = Facts(api_key=KEY, issue_ids=frozenset({ISSUE}), issues_known=False)
    assert learnt.every_issue is False
    # Another id may still exist: a 200 is no fault, a 404 no fault either.
    elsewhere = made({"issueStatus": "Resolved"}, 404, error(404), issue="e" * 32)
    assert rules(elsewhere, learnt) == set()
    # The learnt issue itself is known: refusing a valid update of it breaks the rule.
    assert rules(made({"issueStatus": "Resolved"}, 404, error(404)), learnt) == {
        "behaviour.valid-body-accepted"
    }
