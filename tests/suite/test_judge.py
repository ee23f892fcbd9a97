"""`truewatch_contract.checks.judge`: what a request calls for, and the verdict on the answer."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from truewatch_contract.suite.judge import Exchange, Expectation, Policy, expectation_of, judge

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


BIG = {"issueStatus": "Resolved", "padding": "x" * 2048}


def success(issue: str = ISSUE) -> dict[str, Any]:
    """A well-formed success answer of the mock for the test issue (Resolved)."""
    from truewatch_contract.mock import MockState

    state = MockState.default()
    info = state.connection_info("http://h")
    content = state.get_issue(info["issue_id"])
    assert content is not None
    return {
        "code": 200,
        "content": content,
        "errorCode": "",
        "message": "",
        "success": True,
        "traceId": "t2",
    }


def test_a_too_large_body_is_judged_by_the_assumed_rule_only() -> None:
    """An HTML 413 (a proxy's page) or a 200 breaks only behaviour.body-too-large (assumed)."""
    html = exchange(BIG, status=413, answer=b"<html>413</html>", content_type="text/html")
    verdict = judge(html, POLICY, expectation=Expectation.TOO_LARGE)
    assert {v.rule for v in verdict.violations} == {"behaviour.body-too-large"}
    relaxed = Policy(api_key=KEY, issue_ids=frozenset({ISSUE}), relaxed=frozenset({"assumed"}))
    assert judge(html, relaxed, expectation=Expectation.TOO_LARGE).ok
    envelope = exchange(BIG, status=413, answer=error(413))
    assert judge(envelope, POLICY, expectation=Expectation.TOO_LARGE).ok
    fault = exchange(BIG, status=500, answer=b"oops", content_type="text/plain")
    rules = {v.rule for v in judge(fault, relaxed, expectation=Expectation.TOO_LARGE).violations}
    assert rules == {"behaviour.no-server-error"}


def test_a_too_large_body_taken_is_an_ordinary_update() -> None:
    answer = success()
    issue = answer["content"]["issueID"]
    policy = Policy(api_key=KEY, issue_ids=frozenset({issue}), relaxed=frozenset({"assumed"}))
    body = {"issueStatus": answer["content"]["issueStatus"], "padding": "x" * 2048}
    made = exchange(body, issue=issue, status=200, answer=answer)
    verdict = judge(made, policy, expectation=Expectation.TOO_LARGE)
    assert verdict.ok, verdict.violations
    assert {v.rule for v in verdict.relaxed} == {"behaviour.body-too-large"}
    assert "behaviour.invalid-body-rejected" not in verdict.checked


def test_another_media_type_is_judged_by_media_type_rejected() -> None:
    made = Exchange(
        method="POST",
        url=f"http://h/api/v1/error_track/{ISSUE}/update",
        request_headers={"Content-Type": "text/plain", "DF-API-KEY": KEY},
        request_body=b'{"issueStatus": "Resolved"}',
        status=400,
        response_headers={"content-type": "application/json"},
        response_body=json.dumps(error(400)).encode(),
    )
    assert expectation_of(made, POLICY) == Expectation.MEDIA
    assert judge(made, POLICY).ok
    accepted = Exchange(**{**made.__dict__, "status": 404, "response_body": b"{}"})
    rules = {v.rule for v in judge(accepted, POLICY).violations}
    assert "behaviour.media-type-rejected" in rules
    assert "behaviour.invalid-body-rejected" not in rules


def test_a_429_with_a_limit_code_breaks_the_rate_limit_signal_only() -> None:
    made = exchange(
        {"issueStatus": "Resolved"}, status=429, answer=error(429, "ft.TriggerApiAkCurrentLimiting")
    )
    verdict = judge(made, POLICY)
    assert {v.rule for v in verdict.violations} == {"behaviour.rate-limit-signal"}
    assert verdict.note is not None


@pytest.mark.parametrize("skew", [0, 8 * 3600])
def test_a_status_change_is_timed_by_the_clients_clock(skew: int) -> None:
    """A new status record and updateAt 8 h off the client's clock break the history rules."""
    import copy
    import time

    answer = success()
    previous = answer["content"]
    content = copy.deepcopy(previous)
    now = time.time()
    stamp = int(now) + skew
    content["extend"]["statusChangeRecords"].append(
        {"time": stamp, "status": "Working", "operator": content["updator"]}
    )
    content["issueStatus"] = "Working"
    content["updateAt"] = stamp
    content["statusDuration"]["Working"] = stamp
    issue = content["issueID"]
    policy = Policy(api_key=KEY, issue_ids=frozenset({issue}), relaxed=frozenset())
    made = dataclasses.replace(
        exchange(
            {"issueStatus": "Working"},
            issue=issue,
            status=200,
            answer={**answer, "content": content},
        ),
        sent_at=now - 0.5,
        received_at=now + 0.5,
    )
    rules = {v.rule for v in judge(made, policy, previous=previous).violations}
    clock_rules = {"history.status-change-record", "history.update-time"}
    assert rules & clock_rules == (clock_rules if skew else set())
    unclocked = dataclasses.replace(made, sent_at=None, received_at=None)
    assert (
        not {v.rule for v in judge(unclocked, policy, previous=previous).violations} & clock_rules
    )
