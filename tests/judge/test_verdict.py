"""`judge.judge`: the verdict on an answer, given what the request's faults allow."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from truewatch_contract import judge as library
from truewatch_contract.judge import Exchange, Facts, Fault, Policy, Verdict
from truewatch_contract.limits import BODY_LIMIT

KEY = "tkn_judge_key"
ISSUE = "04a0bb44b28e9ff1e01f87828af622b9"
FACTS = Facts(api_key=KEY, issue_ids=frozenset({ISSUE}), foreign_issue_id="f" * 32)
STRICT = Policy.strict()
LENIENT = Policy.remote()


def judge(made: Exchange, facts: Facts = FACTS, policy: Policy = STRICT, **options: Any) -> Verdict:
    return library.judge(made, facts, policy=policy, **options)


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
        path=f"/api/v1/error_track/{issue}/update",
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


def test_without_a_known_issue_a_valid_body_may_be_200_or_404() -> None:
    facts = Facts(api_key=KEY)
    made = exchange({"issueStatus": "Resolved"}, issue="a" * 32, status=404, answer=error(404))
    verdict = judge(made, facts)
    assert verdict.expectation.possible == {Fault.UNKNOWN_ISSUE} and verdict.ok


def test_a_rejected_bad_key_holds_and_a_200_breaks_auth_required() -> None:
    assert judge(
        exchange({"issueStatus": "Resolved"}, key=None, status=403, answer=error(403)), FACTS
    ).ok
    assert judge(
        exchange({"issueStatus": "Resolved"}, key=None, status=401, answer=error(401)), FACTS
    ).ok
    verdict = judge(
        exchange({"issueStatus": "Resolved"}, key=None, status=404, answer=error(404)), FACTS
    )
    assert {v.rule for v in verdict.violations} == {"behaviour.auth-required"}


def test_a_server_error_names_no_server_error() -> None:
    verdict = judge(exchange({"issueStatus": 3}, status=500, answer=error(500)))
    assert "behaviour.no-server-error" in {v.rule for v in verdict.violations}


def test_assumed_rules_are_relaxed_not_dropped() -> None:
    made = exchange({}, status=400, answer=error(400))
    strict = judge(made)
    assert {v.rule for v in strict.violations} == {"behaviour.empty-body-noop"}
    lenient = judge(made, policy=LENIENT)
    assert lenient.ok and {v.rule for v in lenient.relaxed} == {"behaviour.empty-body-noop"}


def test_rate_limit_answers_are_not_judged_as_behaviour() -> None:
    made = exchange(
        {"issueStatus": "Resolved"}, status=401, answer=error(401, "ft.TriggerApiAkCurrentLimiting")
    )
    verdict = judge(made)
    assert verdict.ok and verdict.note is not None
    assert "behaviour.rate-limit-signal" in verdict.checked


def test_a_non_json_answer_breaks_envelope_json() -> None:
    made = exchange({"issueStatus": 3}, answer=b"<html>bad</html>", content_type="text/html")
    assert "envelope.json" in {v.rule for v in judge(made).violations}


def test_other_methods_only_need_a_4xx_without_an_envelope() -> None:
    made = exchange(None, method="GET", status=404, answer=b"Not Found", content_type="text/plain")
    assert judge(made).ok
    made = exchange(None, method="GET", status=200, answer=b"ok", content_type="text/plain")
    assert {v.rule for v in judge(made).violations} == {"behaviour.method-not-allowed"}


BIG = {"issueStatus": "Resolved", "padding": "x" * BODY_LIMIT}


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
    verdict = judge(html)
    assert {v.rule for v in verdict.violations} == {"behaviour.body-too-large"}
    assert judge(html, policy=LENIENT).ok
    envelope = exchange(BIG, status=413, answer=error(413))
    assert judge(envelope).ok
    fault = exchange(BIG, status=500, answer=b"oops", content_type="text/plain")
    rules = {v.rule for v in judge(fault, policy=LENIENT).violations}
    assert rules == {"behaviour.no-server-error"}


def test_a_too_large_body_taken_is_an_ordinary_update() -> None:
    answer = success()
    issue = answer["content"]["issueID"]
    facts = Facts(api_key=KEY, issue_ids=frozenset({issue}))
    body = {"issueStatus": answer["content"]["issueStatus"], "padding": "x" * BODY_LIMIT}
    made = exchange(body, issue=issue, status=200, answer=answer)
    verdict = judge(made, facts, LENIENT)
    assert verdict.ok, verdict.violations
    assert {v.rule for v in verdict.relaxed} == {"behaviour.body-too-large"}
    assert "behaviour.invalid-body-rejected" not in verdict.checked


def test_another_media_type_is_judged_by_media_type_rejected() -> None:
    made = Exchange(
        method="POST",
        path=f"/api/v1/error_track/{ISSUE}/update",
        request_headers={"Content-Type": "text/plain", "DF-API-KEY": KEY},
        request_body=b'{"issueStatus": "Resolved"}',
        status=400,
        response_headers={"content-type": "application/json"},
        response_body=json.dumps(error(400)).encode(),
    )
    assert judge(made).expectation.faults == {Fault.MEDIA_TYPE}
    assert judge(made).ok
    accepted = dataclasses.replace(made, status=404, response_body=b"{}")
    rules = {v.rule for v in judge(accepted).violations}
    assert "behaviour.media-type-rejected" in rules
    assert "behaviour.invalid-body-rejected" not in rules


def test_a_429_with_a_limit_code_breaks_the_rate_limit_signal_only() -> None:
    made = exchange(
        {"issueStatus": "Resolved"}, status=429, answer=error(429, "ft.TriggerApiAkCurrentLimiting")
    )
    verdict = judge(made)
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
    facts = Facts(api_key=KEY, issue_ids=frozenset({issue}))
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
    rules = {v.rule for v in judge(made, facts, previous=previous).violations}
    clock_rules = {"history.status-change-record", "history.update-time"}
    assert rules & clock_rules == (clock_rules if skew else set())
    unclocked = dataclasses.replace(made, sent_at=None, received_at=None)
    assert not {v.rule for v in judge(unclocked, facts, previous=previous).violations} & clock_rules


# --- fairness: what a correct server may answer (docs/contract-decisions.md, "several faults") -


def rules_of(made: Exchange, facts: Facts = FACTS) -> set[str]:
    return {v.rule for v in judge(made, facts).violations}


@pytest.mark.parametrize("status", [400, 404])
@pytest.mark.parametrize("issue", ["not-an-issue", "0", ISSUE.upper(), ISSUE + " ", ISSUE[:-1]])
def test_an_id_that_cannot_be_an_issues_may_be_answered_400_or_404(issue: str, status: int) -> None:
    made = exchange({"issueStatus": "Resolved"}, issue=issue, status=status, answer=error(status))
    assert rules_of(made) == set()
    verdict = judge(made)
    assert verdict.acceptable and verdict.expectation.faults == {Fault.MALFORMED_ID}


def test_a_malformed_id_answered_200_breaks_unknown_issue() -> None:
    made = exchange({"issueStatus": "Resolved"}, issue=ISSUE.upper(), status=200, answer=success())
    assert "behaviour.unknown-issue" in rules_of(made)
    assert not judge(made).acceptable


def test_a_well_formed_unknown_id_is_exactly_404() -> None:
    issue = "f" * 31 + "e"
    made = exchange({"issueStatus": "Resolved"}, issue=issue, status=400, answer=error(400))
    assert rules_of(made) == {"behaviour.unknown-issue"}


def test_another_workspaces_issue_is_exactly_as_an_unknown_one() -> None:
    made = exchange({"issueStatus": "Resolved"}, issue="f" * 32, status=403, answer=error(403))
    assert rules_of(made) == {"behaviour.workspace-isolation"}
    made = exchange({"issueStatus": "Resolved"}, issue="f" * 32, status=404, answer=error(404))
    assert rules_of(made) == set()


@pytest.mark.parametrize(
    ("body", "issue", "key", "status"),
    [
        ({"issueStatus": "Resolved", "psycopg": 1}, "e" * 32, KEY, 400),  # unknown fields
        ({"issueStatus": "Resolved", "psycopg": 1}, "e" * 32, KEY, 404),
        ({}, "e" * 32, KEY, 422),  # `{}` refused on the assumed point
        ({"issueStatus": "level"}, "e" * 32, KEY, 404),  # looked up first
        ({"issueStatus": "level"}, "e" * 32, KEY, 422),  # body checked first
        ({"issueStatus": "level"}, ISSUE, None, 400),  # body checked before the key
        ({"issueStatus": "level"}, ISSUE, None, 401),
        ({"issueStatus": "Resolved"}, "e" * 32, None, 404),  # lookup before the key
    ],
)
def test_a_request_with_several_faults_may_get_any_faults_answer(
    body: Any, issue: str, key: str | None, status: int
) -> None:
    made = exchange(body, issue=issue, key=key, status=status, answer=error(status))
    assert rules_of(made) == set()


def test_a_request_with_faults_is_never_a_success() -> None:
    made = exchange({"issueStatus": "level"}, key=None, status=200, answer=success())
    assert {"behaviour.auth-required", "behaviour.invalid-body-rejected"} <= rules_of(made)


def test_refusing_unknown_fields_of_a_known_issue_breaks_only_the_assumed_rule() -> None:
    made = exchange({"issueStatus": "Resolved", "x": 1}, status=400, answer=error(400))
    verdict = judge(made)
    assert {v.rule for v in verdict.violations} == {"behaviour.unknown-fields-ignored"}
    assert judge(made, policy=LENIENT).ok


def test_bytes_that_are_not_utf8_may_be_refused_or_decoded() -> None:
    answer = success()
    issue = answer["content"]["issueID"]
    facts = Facts(api_key=KEY, issue_ids=frozenset({issue}))
    status = answer["content"]["issueStatus"]
    raw = b'{"issueStatus": "' + status.encode() + b'", "note": "\xff"}'
    refused = dataclasses.replace(
        exchange(None, issue=issue, status=400, answer=error(400)), request_body=raw
    )
    assert judge(refused, facts).violations == ()
    taken = dataclasses.replace(
        exchange(None, issue=issue, status=200, answer=answer), request_body=raw
    )
    verdict = judge(taken, facts)
    assert {v.rule for v in verdict.violations} <= {"behaviour.unknown-fields-ignored"}
    assert not {v.rule for v in verdict.violations}
    # A replaced byte inside issueStatus makes the decoded body invalid: a 200 is wrong.
    bad = dataclasses.replace(taken, request_body=b'{"issueStatus": "Resolved\xff"}')
    assert "behaviour.invalid-body-rejected" in {v.rule for v in judge(bad, facts).violations}


def test_a_change_sent_at_the_same_moment_as_another_may_lose_with_a_4xx() -> None:
    made = exchange({"issueStatus": "Resolved"}, status=409, answer=error(409, "ft.Conflict"))
    assert rules_of(made) == {"behaviour.valid-body-accepted"}
    verdict = judge(made, concurrent=True)
    assert verdict.ok and verdict.expectation.points == {Fault.RACE}
    bare = exchange({"issueStatus": "Resolved"}, status=409, answer=b"conflict")
    assert "behaviour.valid-body-accepted" in {
        v.rule for v in judge(bare, concurrent=True).violations
    }


def _status_changed(new: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The issue before, and a success whose content shows `new` applied now (one record)."""
    import copy
    import time

    answer = success()
    previous = answer["content"]
    content = copy.deepcopy(previous)
    stamp = int(time.time())
    content["extend"]["statusChangeRecords"].append(
        {"time": stamp, "status": new, "operator": content["updator"]}
    )
    content["issueStatus"] = new
    content["updateAt"] = stamp
    content["statusDuration"][new] = stamp
    records = content["extend"]["statusChangeRecords"]
    content["duration"] = records[-1]["time"] - records[0]["time"]
    return previous, {**answer, "content": content}


def _raw_exchange(raw: bytes, answer: dict[str, Any], status: int = 200) -> tuple[Exchange, Facts]:
    issue = answer["content"]["issueID"] if status == 200 else ISSUE
    made = exchange(None, issue=issue, status=status, answer=answer)
    return dataclasses.replace(made, request_body=raw), Facts(
        api_key=KEY, issue_ids=frozenset({issue, ISSUE})
    )


def test_a_field_name_in_another_case_may_be_ignored_or_applied() -> None:
    """
    ``{"IssueStatus": ...}`` is an unknown field by the spec: ignored (200, nothing changed),
    refused, or applied as Go's decoder does; applying it breaks only the assumed point.
    """
    previous, applied = _status_changed("Working")
    raw = b'{"IssueStatus": "Working"}'
    made, facts = _raw_exchange(raw, applied)
    verdict = judge(made, facts, previous=previous)
    assert {v.rule for v in verdict.violations} == {"behaviour.unknown-fields-ignored"}
    assert "folded" not in verdict.violations[0].message  # says what happened, in plain words
    assert judge(made, facts, LENIENT, previous=previous).ok
    # Ignored: the issue as it was (a no-op), no violation at all.
    ignored, _ = _raw_exchange(raw, success())
    assert judge(ignored, facts, previous=previous).ok
    # Refused: the assumed point only.
    refused, _ = _raw_exchange(raw, error(400), status=400)
    assert {v.rule for v in judge(refused, facts).violations} == {
        "behaviour.unknown-fields-ignored"
    }
    # Applied as something else than what was sent: the observed rules still speak.
    _, other = _status_changed("Ignored")
    wrong, _ = _raw_exchange(raw, other)
    assert "history.partial-update" in {
        v.rule for v in judge(wrong, facts, LENIENT, previous=previous).violations
    }


@pytest.mark.parametrize("taken", ["Working", "Ignored"])
def test_a_repeated_name_may_be_read_first_or_last(taken: str) -> None:
    previous, applied = _status_changed(taken)
    made, facts = _raw_exchange(b'{"issueStatus":"Working","issueStatus":"Ignored"}', applied)
    verdict = judge(made, facts, previous=previous)
    assert verdict.ok, verdict.violations
    # Neither value applied: status-applied speaks.
    _, neither = _status_changed("Triage")
    wrong, _ = _raw_exchange(made.request_body or b"", neither)
    assert "content.status-applied" in {
        v.rule for v in judge(wrong, facts, previous=previous).violations
    }


def test_the_judge_builds_its_frozen_results_whole() -> None:
    """`judge` and `read_sent` set their dataclasses' fields at once: every field, none more."""
    from truewatch_contract.judge.faults import Expectation, SentBody, read_sent

    exchange = Exchange(
        method="POST",
        path="/api/v1/error_track/" + "a" * 32 + "/update",
        request_headers={"Content-Type": "application/json"},
        request_body=b'{"issueStatus":"Working"}',
        status=400,
        response_headers={},
        response_body=b"{}",
    )
    verdict = library.judge(exchange)
    built = (
        (read_sent(exchange), SentBody),
        (verdict, Verdict),
        (verdict.expectation, Expectation),
    )
    for made, cls in built:
        names = [field.name for field in dataclasses.fields(cls)]
        assert set(vars(made)) == set(names)
        assert made == cls(**{name: getattr(made, name) for name in names})
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(made, names[0], None)
