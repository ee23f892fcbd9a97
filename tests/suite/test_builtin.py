"""
`suite.builtin`: Schemathesis' built-in checks are claims the judge weighs, and the status-only
ones count only where the judge finds the answer outside what the request allows.
"""

from __future__ import annotations

import json
from typing import Any

from truewatch_contract.judge import Exchange, Facts, Policy, Verdict, judge
from truewatch_contract.suite.builtin import BUILTIN_RULES, STATUS_CHECKS, claim_of

KEY = "tkn_check_key"
ISSUE = "04a0bb44b28e9ff1e01f87828af622b9"
FACTS = Facts(api_key=KEY, issue_ids=frozenset({ISSUE}))
STRICT = Policy.strict()


def answered(body: Any, status: int, *, issue: str = ISSUE, code: str = "ft.X") -> Exchange:
    envelope = {
        "code": status,
        "content": None,
        "errorCode": code,
        "message": "no",
        "success": False,
        "traceId": "t",
    }
    return Exchange(
        method="POST",
        path=f"/api/v1/error_track/{issue}/update",
        request_headers={"Content-Type": "application/json", "DF-API-KEY": KEY},
        request_body=json.dumps(body).encode(),
        status=status,
        response_headers={"content-type": "application/json"},
        response_body=json.dumps(envelope).encode(),
    )


def verdict_of(made: Exchange) -> Verdict:
    return judge(made, FACTS, policy=STRICT)


def rules(check: str, made: Exchange) -> set[str]:
    """The rules a failure of the built-in `check` breaks in the verdict (none: filtered out)."""
    claim = claim_of(check, "Rejected", "HTTP 400", made)
    if claim is None:
        return set()
    claimed = judge(made, FACTS, policy=STRICT, claims=[claim])
    return {v.rule for v in claimed.violations if v == claim.violation}


def test_a_malformed_id_answered_400_is_no_failure_of_positive_data_acceptance() -> None:
    made = answered({"issueStatus": "Resolved"}, 400, issue="not-an-issue")
    assert verdict_of(made).ok
    assert rules("positive_data_acceptance", made) == set()


def test_several_faults_answered_with_one_faults_answer_pass_every_status_check() -> None:
    made = answered({"issueStatus": "Resolved", "psycopg": 1}, 400, issue="e" * 32)
    assert verdict_of(made).ok
    for check in STATUS_CHECKS:
        assert rules(check, made) == set(), check


def test_a_status_check_counts_where_the_judge_finds_the_answer_wrong() -> None:
    made = answered({"issueStatus": "Resolved"}, 400)  # a valid update of the test issue
    assert not verdict_of(made).acceptable
    assert rules("positive_data_acceptance", made) == {"behaviour.valid-body-accepted"}
    unknown_fields = answered({"issueStatus": "Resolved", "x": 1}, 302)
    assert rules("positive_data_acceptance", unknown_fields) == {"behaviour.unknown-fields-ignored"}


def test_conformance_checks_are_not_filtered_but_rate_limits_silence_behaviour() -> None:
    made = answered({"issueStatus": "Resolved"}, 400, issue="not-an-issue")
    assert rules("response_schema_conformance", made) == {"envelope.fields"}
    limited = answered({"issueStatus": "Resolved"}, 429, code="ft.TriggerApiAkCurrentLimiting")
    assert rules("positive_data_acceptance", limited) == set()
    assert rules("not_a_server_error", limited) == {"behaviour.no-server-error"}
    assert rules("status_code_conformance", made) == set()  # no rule speaks through it


def test_every_builtin_speaks_for_a_catalogued_rule() -> None:
    from truewatch_contract import RULES

    assert set(BUILTIN_RULES.values()) <= set(RULES)
    assert set(STATUS_CHECKS) <= set(BUILTIN_RULES)
