"""`truewatch_contract.checks.judge`: what a request calls for, and the verdict on the answer."""

from __future__ import annotations

import json
from typing import Any

import pytest

from truewatch_contract.checks import Exchange, Expectation, Policy, expectation_of, judge

KEY = "tkn_judge_key"
ISSUE = "04a0bb44b28e9ff1e01f87828af622b9"
POLICY = Policy(
    api_key=KEY, issue_ids=frozenset({ISSUE}), foreign_issue_id="f" * 32, relaxed=frozenset()
)


def exchange(
    body: Any = None,
    *,
    method: str = "POST",
    issue: str = ISSUE,
    key: str | None = KEY,
    status: int = 400,
    answer: Any = None,
    content_type: str = "application/json",
) -> Exchange:
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["DF-API-KEY"] = key
    raw = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
    return Exchange(
        method=method,
        url=f"http://h/api/v1/error_track/{issue}/update",
        request_headers=headers,
        request_body=None if body is None else json.dumps(body).encode(),
        status=status,
        response_headers={"content-type": content_type},
        response_body=raw,
    )


def error(status: int, code: str = "ft.X") -> dict[str, Any]:
    return {
        "code": status,
        "content": None,
        "errorCode": code,
        "message": "no",
        "success": False,
        "traceId": "t1",
    }


@pytest.mark.parametrize(
    ("made", "expected"),
    [
        (exchange({"issueStatus": "Resolved"}), Expectation.ACCEPT),
        (exchange({"issueStatus": "Resolved"}, method="GET"), Expectation.METHOD),
        (exchange({"issueStatus": "Resolved"}, issue=""), Expectation.ROUTE),
        (exchange({"issueStatus": "Resolved"}, key="nope"), Expectation.AUTH),
        (exchange({"issueStatus": "Resolved"}, key=None), Expectation.AUTH),
        (exchange({"issueStatus": "level"}), Expectation.REJECT),
        (exchange({"issueStatus": "level"}, key=None), Expectation.REJECT),
        (exchange({"issueStatus": "Resolved"}, issue="f" * 32), Expectation.FOREIGN),
        (exchange({"issueStatus": "Resolved"}, issue="abc"), Expectation.UNKNOWN),
        (exchange({"issueStatus": "Resolved"}, issue=".."), Expectation.ROUTE),
    ],
)
def test_expectation_comes_from_the_request(made: Exchange, expected: str) -> None:
    assert expectation_of(made, POLICY) == expected


def test_without_a_known_issue_a_valid_body_may_be_200_or_404() -> None:
    policy = Policy(api_key=KEY)
    made = exchange({"issueStatus": "Resolved"}, issue="abc", status=404, answer=error(404))
    verdict = judge(made, policy)
    assert verdict.expectation == Expectation.VALID and verdict.ok


def test_a_rejected_bad_key_holds_and_a_200_breaks_auth_required() -> None:
    assert judge(
        exchange({"issueStatus": "Resolved"}, key=None, status=403, answer=error(403)), POLICY
    ).ok
    assert judge(
        exchange({"issueStatus": "Resolved"}, key=None, status=401, answer=error(401)), POLICY
    ).ok
    verdict = judge(
        exchange({"issueStatus": "Resolved"}, key=None, status=404, answer=error(404)), POLICY
    )
    assert {v.rule for v in verdict.violations} == {"behaviour.auth-required"}


def test_a_server_error_names_no_server_error() -> None:
    verdict = judge(exchange({"issueStatus": 3}, status=500, answer=error(500)), POLICY)
    assert "behaviour.no-server-error" in {v.rule for v in verdict.violations}


def test_assumed_rules_are_relaxed_not_dropped() -> None:
    made = exchange({}, status=400, answer=error(400))
    strict = judge(made, POLICY)
    assert {v.rule for v in strict.violations} == {"behaviour.empty-body-noop"}
    lenient = judge(
        made, Policy(api_key=KEY, issue_ids=frozenset({ISSUE}), relaxed=frozenset({"assumed"}))
    )
    assert lenient.ok and {v.rule for v in lenient.relaxed} == {"behaviour.empty-body-noop"}


def test_rate_limit_answers_are_not_judged_as_behaviour() -> None:
    made = exchange(
        {"issueStatus": "Resolved"}, status=401, answer=error(401, "ft.TriggerApiAkCurrentLimiting")
    )
    verdict = judge(made, POLICY)
    assert verdict.ok and verdict.note is not None
    assert "behaviour.rate-limit-signal" in verdict.checked


def test_a_non_json_answer_breaks_envelope_json() -> None:
    made = exchange({"issueStatus": 3}, answer=b"<html>bad</html>", content_type="text/html")
    assert "envelope.json" in {v.rule for v in judge(made, POLICY).violations}


def test_other_methods_only_need_a_4xx_without_an_envelope() -> None:
    made = exchange(None, method="GET", status=404, answer=b"Not Found", content_type="text/plain")
    assert judge(made, POLICY).ok
    made = exchange(None, method="GET", status=200, answer=b"ok", content_type="text/plain")
    assert {v.rule for v in judge(made, POLICY).violations} == {"behaviour.method-not-allowed"}
