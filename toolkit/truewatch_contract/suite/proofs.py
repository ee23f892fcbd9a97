"""
"Nothing changed" and "as if it did not exist", proven from answers: there is no read endpoint, so
the suite learns what a rejected request left behind from the answer to the next harmless request.

- `prove_unchanged`: after a rejected request, a ``{}`` probe (or, against a target that rejects
  ``{}``, the current status again) must show the test issue as it was;
- `check_same_as_unknown`: another workspace's issue is answered exactly like an unknown one;
- `check_foreign_unchanged`: on the built-in mock, the foreign issue itself is looked at.

Each outcome is a ``behaviour`` line of the record; a proof the target leaves no way to make is an
``unproven`` line (a note, never a failure).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from truewatch_contract.judge import Exchange
from truewatch_contract.rules import same_assignees, status_records
from truewatch_contract.suite.config import SuiteConfig
from truewatch_contract.suite.sent import Sent


class Prover(Protocol):
    """What a proof needs of the session (`truewatch_contract.suite.session.Suite`)."""

    target: SuiteConfig
    current: dict[str, Any] | None
    mock_state: Any

    @property
    def empty_ok(self) -> bool: ...

    def transmit(self, body: Any = None) -> Exchange: ...

    def conclude(self, test: str, phase: str, exchange: Exchange, *, previous: Any) -> Sent: ...

    def require(self, sent: Sent, context: str = "") -> Sent: ...

    def behaviour(self, test: str, rule: str, held: bool, message: str) -> None: ...

    def unproven(self, test: str, rule: str, message: str) -> None: ...


def prove_unchanged(
    suite: Prover, test: str, rule_id: str | Sequence[str], before: Any, what: str
) -> None:
    """
    After a rejected request, prove the test issue did not change: the probe's answer must show
    the issue as `before`. The outcome is a ``behaviour`` line for `rule_id`; after a batch of
    rejected requests proving several rules, one for each (a change is the batch's doing, and
    `what` names every request of it).
    """
    if not isinstance(before, dict):
        return
    rules = (rule_id,) if isinstance(rule_id, str) else tuple(dict.fromkeys(rule_id))
    probe: dict[str, Any] = {} if suite.empty_ok else {"issueStatus": before.get("issueStatus")}
    exchange = suite.transmit(probe)
    answer = exchange.json_body()[1]
    after = answer.get("content") if isinstance(answer, dict) else None
    if exchange.status != 200 or not isinstance(after, dict):
        sent = suite.conclude(test, "probe", exchange, previous=before)
        suite.require(sent, "probe after a rejected request")
        return  # rate limited: nothing to compare
    changed = changes(before, after, suite.empty_ok)
    if not suite.empty_ok and len(_records(after)) > len(_records(before)) and not changed:
        # The target rejects `{}` and appends a record for the same status again: no request
        # is free of side effects, so the new record may be the probe's own or the rejected
        # request's. Status and assignees are proven unchanged; the history is not.
        for rule in rules:
            suite.unproven(
                test,
                rule,
                f"{what} leaves the history unchanged: not provable against this target, "
                "which rejects {} and appends a record for the same status again",
            )
    # A change is the rejected request's doing, not the probe's: the probe is then judged
    # against what the suite last saw answered (if that request got a 200), else alone.
    previous = before if not changed else (None if suite.current is before else suite.current)
    sent = suite.conclude(test, "probe", exchange, previous=previous)
    message = f"{what} changes nothing" + (f", but {', '.join(changed)} changed" if changed else "")
    # Every rule of the batch gets its line; the test fails once, naming each broken rule.
    failures = []
    for rule in rules:
        try:
            suite.behaviour(test, rule, not changed, message)
        except AssertionError as failure:
            failures.append(str(failure))
    if failures:
        raise AssertionError("\n".join(failures))
    suite.require(sent, "probe after a rejected request")


def check_same_as_unknown(suite: Prover, test: str, foreign: Sent, unknown: Sent) -> None:
    """Another workspace's issue is answered exactly as an unknown well-formed one."""
    seen = _isolation_shape(foreign)
    baseline = _isolation_shape(unknown)
    suite.behaviour(
        test,
        "behaviour.workspace-isolation",
        seen == baseline,
        "an issue of another workspace is answered exactly like an unknown one"
        + ("" if seen == baseline else f": {seen!r} vs {baseline!r}"),
    )


def foreign_snapshot(suite: Prover) -> Any:
    """The foreign issue as the built-in mock holds it (None for any other target)."""
    foreign = suite.target.foreign_issue_id
    state = suite.mock_state
    return None if state is None or not foreign else state.get_issue(foreign)


def check_foreign_unchanged(suite: Prover, test: str, before: Any) -> None:
    """
    On the built-in mock, look at the foreign issue itself: the request for it must not have
    changed it (elsewhere the suite cannot read it without touching it).
    """
    if before is None:
        return
    after = foreign_snapshot(suite)
    suite.behaviour(
        test,
        "behaviour.workspace-isolation",
        after == before,
        "a request for another workspace's issue does not change it"
        + ("" if after == before else ", but it changed"),
    )


def changes(before: Mapping[str, Any], after: Mapping[str, Any], empty_ok: bool) -> list[str]:
    """The fields a probe shows changed since `before` (a same-status probe may add a record)."""
    old, new = _records(before), _records(after)
    grown = len(new) - len(old)
    return [
        name
        for name, ok in (
            ("issueStatus", after.get("issueStatus") == before.get("issueStatus")),
            ("assigner", same_assignees(after.get("assigner"), before.get("assigner"))),
            ("statusChangeRecords", new[: len(old)] == old and grown <= (0 if empty_ok else 1)),
        )
        if not ok
    ]


def _isolation_shape(sent: Sent) -> tuple[Any, ...]:
    """What must not tell a foreign issue from an unknown one (the ids themselves masked)."""
    body = sent.body if isinstance(sent.body, dict) else {}
    text = json.dumps(
        {k: body.get(k) for k in ("code", "errorCode", "message", "success", "content")},
        sort_keys=True,
    )
    issue_id = sent.exchange.issue_id
    return sent.status, re.sub(re.escape(issue_id), "<id>", text) if issue_id else text


def _records(content: Any) -> list[Any]:
    return status_records(content) or []
