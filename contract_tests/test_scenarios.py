"""
Sequences of updates against the test issue, judged against the previous answer.

A Hypothesis state machine drives random chains of valid updates (a status change, the same status
again, assignees only, both, ``{}``, unknown fields) interleaved with invalid requests; every answer
is judged with the content of the previous success (``history.*`` rules: append-only history, one
record per status change, partial update keeps what was not sent). There is no read endpoint, so
"a rejected request changes nothing" is proven by the answer to the next probe.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test

from truewatch_contract.judge import Fault
from truewatch_contract.spec import issue_statuses

#: The faults an invalid body is meant to carry (which one depends on the body).
BODY_FAULTS = (Fault.NOT_JSON, Fault.NOT_OBJECT, Fault.SCHEMA)

STATUSES = issue_statuses()
#: Invalid bodies: each must be answered with a 4xx error envelope and change nothing.
INVALID_BODIES: tuple[Any, ...] = (
    {"issueStatus": "level"},  # the vendor page's own example value
    {"issueStatus": "resolved"},  # case matters
    {"issueStatus": ""},
    {"issueStatus": None},
    {"issueStatus": 3},
    {"issueStatus": ["Resolved"]},
    {"assigner": []},
    {"assigner": None},
    {"assigner": "acnt_3875a23398de4c92a5fc68a1c49a664b"},
    {"assigner": ["acnt_xxx"]},
    {"assigner": [42]},
    {"issueStatus": "Resolved", "assigner": []},
    {"issueStatus": "Ignored", "assigner": ["not-an-account"]},
    ["Resolved"],
    "Resolved",
    None,
    42,
)


class UpdateChains(RuleBasedStateMachine):
    """Random chains of updates of the test issue; ``suite.current`` is the last known content."""

    suite: Any = None
    test: str = ""

    def _status(self, pick: int) -> str:
        return STATUSES[pick % len(STATUSES)]

    def _current_status(self) -> Any:
        current = self.suite.current or {}
        return current.get("issueStatus")

    def _assignees(self, picks: list[int]) -> list[str]:
        known = self.suite.target.assignees
        return [known[p % len(known)] for p in picks]

    @rule(pick=st.integers(0, 4))
    def change_status(self, pick: int) -> None:
        status = self._status(pick)
        self.suite.require(self.suite.send(self.test, "scenario", {"issueStatus": status}))

    @rule()
    def same_status_again(self) -> None:
        status = self._current_status()
        if status in STATUSES:
            self.suite.require(self.suite.send(self.test, "scenario", {"issueStatus": status}))

    @precondition(lambda self: self.suite.may_assign)
    @rule(picks=st.lists(st.integers(0, 50), min_size=1, max_size=3))
    def assign_only(self, picks: list[int]) -> None:
        body = {"assigner": self._assignees(picks)}
        self.suite.require(self.suite.send(self.test, "scenario", body))

    @precondition(lambda self: self.suite.may_assign)
    @rule(pick=st.integers(0, 4), picks=st.lists(st.integers(0, 50), min_size=1, max_size=3))
    def status_and_assignees(self, pick: int, picks: list[int]) -> None:
        body = {"issueStatus": self._status(pick), "assigner": self._assignees(picks)}
        self.suite.require(self.suite.send(self.test, "scenario", body))

    @rule()
    def empty_body(self) -> None:
        self.suite.require(self.suite.send(self.test, "scenario", {}))

    @rule(pick=st.integers(0, 4))
    def unknown_fields(self, pick: int) -> None:
        body = {"issueStatus": self._status(pick), "comment": "contract suite", "priority": 1}
        self.suite.require(self.suite.send(self.test, "scenario", body))

    @rule(body=st.sampled_from(INVALID_BODIES))
    def invalid(self, body: Any) -> None:
        before = self.suite.current
        self.suite.require(self.suite.send(self.test, "scenario", body))
        self.suite.prove_unchanged(
            self.test,
            "behaviour.invalid-body-rejected",
            before,
            f"the invalid body {body!r}",
        )


def test_update_chains(suite: Any, request: pytest.FixtureRequest) -> None:
    """Random chains of valid and invalid updates keep every history rule."""
    UpdateChains.suite = suite
    UpdateChains.test = request.node.nodeid
    steps = 8 if suite.target.rate_limit is not None else 12
    run_state_machine_as_test(
        UpdateChains,
        settings=settings(
            max_examples=max(2, min(25, suite.target.max_examples // 20)),
            stateful_step_count=steps,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )


@pytest.mark.parametrize(
    "chain",
    [
        ["Working", "Working", "Resolved", "Triage"],
        ["Ignored", "Assigned", "Assigned", "Ignored"],
        ["Resolved", "Resolved", "Resolved"],
    ],
    ids=["change-same-change", "round-trip", "same-thrice"],
)
def test_status_chain(suite: Any, request: pytest.FixtureRequest, chain: list[str]) -> None:
    """Each status change appends exactly one record; the same status again appends none."""
    test = request.node.nodeid
    for status in chain:
        suite.require(suite.send(test, "scenario", {"issueStatus": status}))


def test_partial_update_keeps_assignees(suite: Any, request: pytest.FixtureRequest) -> None:
    """A status-only update keeps the assignees; an assignee-only update keeps the status."""
    test = request.node.nodeid
    if suite.may_assign:
        known = suite.target.assignees
        suite.require(suite.send(test, "scenario", {"assigner": list(known[:2])}))
    suite.require(suite.send(test, "scenario", {"issueStatus": "Working"}))
    if suite.may_assign:
        suite.require(suite.send(test, "scenario", {"assigner": [suite.target.assignees[-1]]}))
    suite.require(suite.send(test, "scenario", {"issueStatus": "Assigned"}))


@pytest.mark.parametrize("body", INVALID_BODIES, ids=[repr(b)[:40] for b in INVALID_BODIES])
def test_invalid_body_rejected(suite: Any, request: pytest.FixtureRequest, body: Any) -> None:
    """Each invalid body: a 4xx error envelope, and the issue unchanged."""
    test = request.node.nodeid
    before = suite.current
    suite.require(suite.send(test, "invalid", body, meant=BODY_FAULTS))
    suite.prove_unchanged(test, "behaviour.invalid-body-rejected", before, f"the body {body!r}")


@pytest.mark.parametrize("half", ["valid-assigner", "valid-status"])
def test_invalid_body_with_a_valid_half_rejected(
    suite: Any, request: pytest.FixtureRequest, half: str
) -> None:
    """
    A body with one valid field and one invalid one is rejected whole: the valid half is not
    written either (a server that applies it is caught here, not by a later update).
    """
    test = request.node.nodeid
    before = suite.current
    current = before or {}
    if half == "valid-assigner":
        others = [a for a in suite.target.assignees if [a] != current.get("assigner")]
        if not (suite.may_assign and others):
            pytest.skip("needs TRUEWATCH_ASSIGNEES with someone other than the issue's assignees")
        body: dict[str, Any] = {"issueStatus": "level", "assigner": [others[0]]}
    else:
        body = {"issueStatus": _other_status(current), "assigner": ["acnt_xxx"]}
    suite.require(suite.send(test, "invalid", body, meant=BODY_FAULTS))
    suite.prove_unchanged(test, "behaviour.invalid-body-rejected", before, f"the body {body!r}")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_other_media_type_rejected(
    suite: Any, request: pytest.FixtureRequest, content_type: str
) -> None:
    """A JSON body declared as another media type is not the documented request: rejected."""
    test = request.node.nodeid
    before = suite.current
    current = (before or {}).get("issueStatus")
    body = {"issueStatus": "Ignored" if current != "Ignored" else "Triage"}
    sent = suite.send(
        test, "invalid", body, headers={"Content-Type": content_type}, meant=[Fault.MEDIA_TYPE]
    )
    suite.require(sent, f"sent as {content_type}")
    suite.prove_unchanged(
        test, "behaviour.media-type-rejected", before, f"a body sent as {content_type}"
    )


@pytest.mark.parametrize(
    "content_type",
    ["application/json;charset=UTF-8", "application/json; charset=utf-8"],
    ids=["page-form", "spaced-lowercase"],
)
def test_json_with_charset_accepted(
    suite: Any, request: pytest.FixtureRequest, content_type: str
) -> None:
    """The page's own requests send application/json;charset=UTF-8: a valid update is accepted."""
    test = request.node.nodeid
    current = (suite.current or {}).get("issueStatus")
    body = {"issueStatus": "Resolved" if current != "Resolved" else "Working"}
    suite.require(
        suite.send(
            test,
            "scenario",
            body,
            headers={"Content-Type": content_type},
        )
    )


@pytest.mark.parametrize(
    ("raw", "content_type", "what"),
    [
        (b'{"issueStatus": "Resolved"', "application/json", "truncated JSON"),
        (b"issueStatus=Resolved", "application/json", "a form body"),
        (b"", "application/json", "an empty body"),
        (b"\xff\xfe{}", "application/json", "bytes that are not UTF-8"),
        (b'{"issueStatus": NaN}', "application/json", "a NaN literal"),
        (b"[" * 5000 + b"]" * 5000, "application/json", "deeply nested arrays"),
    ],
    ids=["truncated", "form", "empty", "not-utf8", "nan", "deep"],
)
def test_malformed_body(
    suite: Any, request: pytest.FixtureRequest, raw: bytes, content_type: str, what: str
) -> None:
    """A body that is not a JSON object is rejected with a 4xx error envelope (never a 5xx)."""
    test = request.node.nodeid
    before = suite.current
    suite.require(
        suite.send(
            test,
            "malformed",
            raw=raw,
            headers={"Content-Type": content_type},
            meant=BODY_FAULTS,
        )
    )
    suite.prove_unchanged(test, "behaviour.invalid-body-rejected", before, what)


def test_body_too_large(suite: Any, request: pytest.FixtureRequest) -> None:
    """
    A schema-valid body above 1 MiB: a 4xx error envelope (assumed), never a 5xx. Its answer
    may come from a proxy (nginx's HTML 413): only the assumed rule judges it, and a target
    that takes bigger bodies simply applies the update.
    """
    test = request.node.nodeid
    raw = b'{"issueStatus": "Resolved", "padding": "' + b"x" * (1024 * 1024 + 16) + b'"}'
    suite.require(suite.send(test, "malformed", raw=raw, meant=[Fault.TOO_LARGE]))


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_other_methods(suite: Any, request: pytest.FixtureRequest, method: str) -> None:
    """A method other than POST on the route is answered with a 4xx (assumed)."""
    test = request.node.nodeid
    body = None if method in ("GET", "DELETE") else {"issueStatus": "Resolved"}
    sent = suite.send(test, "methods", body, method=method, meant=[Fault.METHOD])
    suite.require(sent)
    if method in ("PUT", "PATCH") and isinstance(suite.current, dict):
        suite.prove_unchanged(
            test, "behaviour.method-not-allowed", suite.current, f"a {method} request"
        )


@pytest.mark.parametrize(
    "issue_id",
    [
        "ffffffffffffffffffffffffffffffff",
        "isset_00000000000000000000000000000000",
        "not-an-issue",
        "0",
    ],
    ids=["hex", "uuid-form", "word", "zero"],
)
def test_unknown_issue(suite: Any, request: pytest.FixtureRequest, issue_id: str) -> None:
    """
    An unknown well-formed issue_id is answered 404 with an error envelope; an id that cannot be
    an issue's (not 32 lowercase hex) 404, or 400 where the server checks the id's form.
    """
    test = request.node.nodeid
    body = {"issueStatus": "Resolved"}
    sent = suite.send(test, "unknown", body, issue_id=issue_id, meant=ISSUE_FAULTS)
    suite.require(sent)


#: The faults of an issue_id that names no issue: malformed (400 or 404) or unknown (404).
ISSUE_FAULTS = (Fault.MALFORMED_ID, Fault.UNKNOWN_ISSUE)

#: Ids one slip away from the test issue's: each names no issue at all (ids are exact strings).
NEAR_MISSES = {
    "upper-case": str.upper,
    "trailing-space": lambda issue: issue + " ",
    "one-char-short": lambda issue: issue[:-1],
}


@pytest.mark.parametrize("variant", list(NEAR_MISSES))
def test_near_miss_issue_id_unknown(
    suite: Any, request: pytest.FixtureRequest, variant: str
) -> None:
    """
    The test issue's id upper-cased, with a space, or cut short: no issue (404, or 400 for an id
    of the wrong form), and nothing changed.
    """
    test = request.node.nodeid
    issue_id = NEAR_MISSES[variant](suite.target.issue_id)
    if issue_id in suite.facts.issue_ids:
        pytest.skip(f"the {variant} form of TRUEWATCH_ISSUE_ID is the id itself")
    before = suite.current
    body = {"issueStatus": _other_status(before)}
    sent = suite.send(test, "unknown", body, issue_id=issue_id, meant=ISSUE_FAULTS)
    try:
        suite.require(sent, f"the {variant} form of the test issue's id")
    finally:
        # Also after a 200: the probe shows the suite what the issue now is, so no later test
        # is blamed for this request's change.
        suite.prove_unchanged(
            test, "behaviour.unknown-issue", before, f"an update of {issue_id!r} (no such issue)"
        )


def _other_status(current: Any) -> str:
    """A status the issue does not have now, so an applied update would show."""
    status = (current or {}).get("issueStatus")
    return "Ignored" if status != "Ignored" else "Working"
