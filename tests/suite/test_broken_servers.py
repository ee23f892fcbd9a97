"""
The contract suite fails, naming the broken rule, against deliberately broken servers, and passes
against correct servers that make other documented choices. It runs as a subprocess against a
server on a loopback port, exactly as it would run against staging.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from suite_servers import (
    STATUSES,
    AuthIgnored,
    CaseInsensitiveIssue,
    FaultOnMalformedJson,
    HistoryNotAppended,
    InvalidStatusAccepted,
    LenientFrontEnd,
    OtherChoices,
    ValidHalfWritten,
    WrongCode,
    broken_rules,
    decimal_trace,
    run_suite,
    secrets_absent,
    uuid_trace,
)

BROKEN: list[tuple[str, Callable[[Any, dict[str, Any]], Any], set[str]]] = [
    ("wrong-code", lambda app, info: WrongCode(app), {"envelope.code-matches-status"}),
    (
        "history-not-appended",
        lambda app, info: HistoryNotAppended(app),
        {"history.status-change-record", "content.history-head"},
    ),
    (
        "invalid-status-accepted",
        lambda app, info: InvalidStatusAccepted(app),
        {"behaviour.invalid-body-rejected"},
    ),
    (
        "auth-ignored",
        lambda app, info: AuthIgnored(app, info["api_key"]),
        {"behaviour.auth-required"},
    ),
    (
        "500-on-malformed-json",
        lambda app, info: FaultOnMalformedJson(app),
        {"behaviour.no-server-error"},
    ),
]


@pytest.mark.parametrize(("name", "wrap", "rules"), BROKEN, ids=[b[0] for b in BROKEN])
def test_suite_fails_on_a_broken_server(
    name: str, wrap: Callable[[Any, dict[str, Any]], Any], rules: set[str]
) -> None:
    # A long traceback with locals shows the most: even then no key may appear.
    run = run_suite(wrap, "-x", "--tb=long", "--showlocals", max_examples=25)
    assert run.returncode == 1, run.output[-3000:]
    named = broken_rules(run.output)
    assert named & rules, f"expected one of {sorted(rules)} named, found {sorted(named)}"
    assert secrets_absent(run), "an API key appeared in the suite's output"


#: Broken servers caught by one scenario: only that scenario runs (`-k`), which keeps CI short.
CAUGHT_BY: list[tuple[str, Callable[[Any, dict[str, Any]], Any], str, str]] = [
    (
        "case-insensitive-issue-lookup",
        lambda app, info: CaseInsensitiveIssue(app),
        "near_miss",
        "behaviour.unknown-issue",
    ),
    (
        "valid-half-of-a-rejected-body-written",
        lambda app, info: ValidHalfWritten(app),
        "valid_half",
        "behaviour.invalid-body-rejected",
    ),
]


@pytest.mark.parametrize(
    ("name", "wrap", "selection", "rule"), CAUGHT_BY, ids=[c[0] for c in CAUGHT_BY]
)
def test_scenario_catches_a_broken_server_at_the_request(
    name: str, wrap: Callable[[Any, dict[str, Any]], Any], selection: str, rule: str
) -> None:
    run = run_suite(wrap, "-k", selection, files=("test_scenarios.py",), max_examples=5)
    assert run.returncode == 1, run.output[-3000:]
    named = broken_rules(run.output)
    assert rule in named, f"expected {rule} named, found {sorted(named)}"
    assert secrets_absent(run)


@pytest.mark.parametrize(
    "trace", [decimal_trace, uuid_trace], ids=["decimal-trace", "TRACE-uuid-trace"]
)
def test_suite_passes_on_a_correct_server_with_other_choices(
    trace: Callable[[int], str],
) -> None:
    """401 for a bad key, `content: {}` on errors, other traceIds, extra fields: all correct."""
    run = run_suite(lambda app, info: OtherChoices(app, trace), max_examples=25)
    assert run.returncode == 0, run.output[-3000:]
    assert secrets_absent(run)
    _assert_restored(run)


def test_suite_passes_on_the_plain_mock_and_restores_the_issue() -> None:
    """Against a correct remote target the suite is green and leaves the test issue as it was."""
    run = run_suite(None, max_examples=25)
    assert run.returncode == 0, run.output[-3000:]
    assert secrets_absent(run)
    _assert_restored(run)


def _assert_restored(run: Any) -> None:
    from truewatch_contract.mock import MockState

    initial = MockState.default()
    for issue_id in (run.connection["issue_id"], run.connection["foreign_issue_id"]):
        before = initial.get_issue(issue_id)
        after = run.issue(issue_id)
        assert before is not None
        assert after["issueStatus"] == before["issueStatus"], issue_id
        assert after["assigner"] == before["assigner"], issue_id
    foreign = run.connection["foreign_issue_id"]
    assert run.issue(foreign) == initial.get_issue(foreign), "the foreign issue was changed"
    assert set(STATUSES) >= {run.issue(run.connection["issue_id"])["issueStatus"]}


def test_a_proxy_413_and_lenient_media_types_only_break_assumed_rules() -> None:
    """Off the mock, assumed rules are relaxed: an HTML 413 and any media type taken pass."""
    run = run_suite(
        lambda app, info: LenientFrontEnd(app),
        "-k",
        "too_large or other_media_type",
        files=("test_scenarios.py",),
        max_examples=5,
    )
    assert run.returncode == 0, run.output[-3000:]
