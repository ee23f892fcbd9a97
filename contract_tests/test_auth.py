"""
Authentication and workspace isolation: a missing or wrong ``DF-API-KEY`` is rejected (401 or
403) and changes nothing; an issue of another workspace is invisible (404 exactly like an unknown
issue), and another workspace's key cannot touch the test issue.
"""

from __future__ import annotations

from typing import Any

import pytest

from truewatch_contract.judge import Fault
from truewatch_contract.redaction import AUTH_HEADER

KEY_FAULTS = (Fault.MISSING_KEY, Fault.BAD_KEY)

WRONG_KEY = "tkn_0123456789abcdef0123456789abcdef"


def _other_status(suite: Any) -> str:
    """A status the test issue does not have now: accepting the request would show."""
    current = (suite.current or {}).get("issueStatus")
    return "Working" if current != "Working" else "Resolved"


@pytest.mark.parametrize(
    ("variant", "headers"),
    [
        ("missing", []),
        ("wrong", [(AUTH_HEADER, WRONG_KEY)]),
        ("empty", [(AUTH_HEADER, "")]),
        ("duplicated", [(AUTH_HEADER, WRONG_KEY), (AUTH_HEADER, WRONG_KEY[::-1])]),
        ("lowercase-name", [(AUTH_HEADER.lower(), WRONG_KEY)]),
    ],
    ids=["missing", "wrong", "empty", "duplicated", "lowercase-name"],
)
def test_bad_key_rejected(
    suite: Any, request: pytest.FixtureRequest, variant: str, headers: list[tuple[str, str]]
) -> None:
    """A missing, wrong, empty or duplicated key: 401 or 403, an error envelope, nothing changed."""
    test = request.node.nodeid
    before = suite.current
    body = {"issueStatus": _other_status(suite)}
    sent = suite.send(test, "auth", body, key=None, headers=headers, meant=KEY_FAULTS)
    suite.require(sent, f"{variant} key")
    suite.prove_unchanged(
        test, "behaviour.auth-required", before, f"a request with a {variant} key"
    )


def test_key_appended_to_the_real_one_rejected(suite: Any, request: pytest.FixtureRequest) -> None:
    """The real key with a suffix is another, wrong key."""
    test = request.node.nodeid
    before = suite.current
    body = {"issueStatus": _other_status(suite)}
    sent = suite.send(test, "auth", body, key=suite.target.api_key + "x", meant=KEY_FAULTS)
    suite.require(sent, "the real key with a suffix")
    suite.prove_unchanged(test, "behaviour.auth-required", before, "a request with a wrong key")


def _needs_foreign(suite: Any) -> None:
    if not (suite.target.foreign_api_key and suite.target.foreign_issue_id):
        pytest.skip(
            "isolation needs TRUEWATCH_FOREIGN_API_KEY and TRUEWATCH_FOREIGN_ISSUE_ID "
            "(a key and an issue of another workspace)"
        )


def test_foreign_issue_invisible(suite: Any, request: pytest.FixtureRequest) -> None:
    """Our key on another workspace's issue: 404, the same answer as for an unknown issue."""
    _needs_foreign(suite)
    test = request.node.nodeid
    foreign = suite.target.foreign_issue_id
    unknown = "f" * len(foreign) if foreign.isalnum() else "ffffffffffffffffffffffffffffffff"
    body = {"issueStatus": "Working"}
    before = suite.foreign_snapshot()
    seen = suite.send(test, "isolation", body, issue_id=foreign, meant=[Fault.FOREIGN_ISSUE])
    baseline = suite.send(
        test, "isolation", body, issue_id=unknown, meant=[Fault.UNKNOWN_ISSUE, Fault.MALFORMED_ID]
    )
    suite.require(seen, "an issue of another workspace")
    suite.require(baseline, "an unknown issue")
    suite.check_same_as_unknown(test, seen, baseline)
    suite.check_foreign_unchanged(test, before)


def test_foreign_key_cannot_touch_our_issue(suite: Any, request: pytest.FixtureRequest) -> None:
    """Another workspace's key on the test issue: rejected (404 or 401/403), nothing changed."""
    _needs_foreign(suite)
    test = request.node.nodeid
    before = suite.current
    body = {"issueStatus": _other_status(suite)}
    sent = suite.send(
        test, "isolation", body, key=suite.target.foreign_api_key, meant=[Fault.FOREIGN_KEY]
    )
    suite.require(sent, "another workspace's key")
    suite.prove_unchanged(
        test, "behaviour.workspace-isolation", before, "a request with another workspace's key"
    )
