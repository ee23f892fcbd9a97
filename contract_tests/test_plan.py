"""
The planned requests: one representative of every rule, fault and input constraint, sent first.

The plan (`truewatch_contract.suite.budget`) picks, from the kinds of request of
`truewatch_contract.suite.kinds`, the fewest that exercise everything the rule catalogue asks of
a request, then the others while the budget allows. Each step is one test; a run with a budget
runs them before anything else (the rest of the suite gets what is left). Rejected requests that
must change nothing share one read-back: the step ``read-back`` after them proves the batch
(whatever rule each of them proves: a change is blamed on the batch, naming each kind).
"""

from __future__ import annotations

from typing import Any

import pytest

from truewatch_contract.judge import Fault
from truewatch_contract.suite.budget import BudgetError
from truewatch_contract.suite.budget_hooks import plan_of
from truewatch_contract.suite.config import ConfigError, collection_config, process_config
from truewatch_contract.suite.kinds import BY_NAME, Context
from truewatch_contract.suite.plan import READ_BACK, Plan, Step


def _collection_plan() -> Plan | None:
    """The run's plan, as conftest made it (None when conftest stops the run with an error)."""
    try:
        return plan_of(collection_config(process_config()))
    except (ConfigError, BudgetError):
        return None


_PLAN = _collection_plan()
_STEPS: tuple[Step, ...] = _PLAN.steps if _PLAN is not None else ()


def _step_id(index: int, step: Step) -> str:
    return f"{index + 1:02d}-{step.kind}"


class Chain:
    """What the steps share: the answers seen so far."""

    def __init__(self) -> None:
        self.answers: dict[str, Any] = {}
        self.foreign: Any = None  # the answer for another workspace's issue
        self.unknown: Any = None  # an answer for a well-formed id of no issue
        self.compared = False


@pytest.fixture(scope="module")
def chain() -> Chain:
    return Chain()


@pytest.mark.parametrize("step", _STEPS, ids=[_step_id(i, step) for i, step in enumerate(_STEPS)])
def test_plan(suite: Any, chain: Chain, request: pytest.FixtureRequest, step: Step) -> None:
    """One planned request, judged; a read-back proves its batch of rejected requests."""
    test = request.node.nodeid
    if step.kind == READ_BACK:
        # The issue as the answers last showed it: a request of the batch a target may accept
        # (another media type, on a lenient target) was judged by its own answer, and the
        # read-back proves that no request of the batch changed anything beyond what was answered.
        rules = tuple(dict.fromkeys(BY_NAME[name].proves for name in step.proves))
        what = "; ".join(_what(name) for name in step.proves)
        suite.prove_unchanged(test, rules, suite.current, what)
        return
    kind = BY_NAME[step.kind]
    assigns = kind.accepted and isinstance(kind.body, dict) and "assigner" in kind.body
    if assigns and not suite.may_assign:
        # An accepted update of the assignees could not be put back (see `Suite.may_assign`).
        pytest.skip("needs TRUEWATCH_ASSIGNEES and a test issue that has assignees to put back")
    target = suite.target
    context = Context(
        issue_id=target.issue_id,
        api_key=target.api_key,
        assignees=tuple(target.assignees),
        foreign_api_key=target.foreign_api_key,
        foreign_issue_id=target.foreign_issue_id,
        current=suite.current,
    )
    if not kind.available(context):
        pytest.skip(f"{kind.name}: the target showed nothing to fill it with (the issue's uuid)")
    foreign_before = suite.foreign_snapshot()
    sent_request = kind.request(context)
    sent = suite.send(
        test,
        "plan",
        sent_request.body,
        issue_id=sent_request.issue_id,
        method=sent_request.method,
        raw=sent_request.raw,
        key=sent_request.key,
        headers=dict(sent_request.headers) or None,
        meant=kind.faults,
        route=sent_request.route or None,
    )
    chain.answers[kind.name] = sent
    suite.require(sent, kind.description)
    faults = sent.verdict.expectation.faults
    if faults == {Fault.FOREIGN_ISSUE}:
        chain.foreign = sent
        suite.check_foreign_unchanged(test, foreign_before)
    elif faults == {Fault.UNKNOWN_ISSUE} and chain.unknown is None:
        chain.unknown = sent
    if chain.foreign is not None and chain.unknown is not None and not chain.compared:
        # Another workspace's issue is answered exactly as an unknown one: whichever of the two
        # the plan sent first, they are compared once both are in.
        chain.compared = True
        suite.check_same_as_unknown(test, chain.foreign, chain.unknown)


def _what(name: str) -> str:
    kind = BY_NAME[name]
    return f"{kind.description} ({name})"
