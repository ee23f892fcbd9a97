"""
Every value at the edge of a constraint, derived from the spec (`truewatch_contract.suite.edges`):
each near miss of a valid value (surrounding or inner whitespace, another case, a Unicode
look-alike or compatibility form, one character more, less or changed, ``null``, the empty value)
is rejected with a 4xx error envelope and changes nothing, at every place a request carries a
value: each body field, each assignee, the route's ``issue_id`` and the ``DF-API-KEY``. Each valid
shape of the assignee list (one id, two, many, an id repeated) is accepted.
"""

from __future__ import annotations

from typing import Any

import pytest

from truewatch_contract.judge import Fault
from truewatch_contract.suite import edges
from truewatch_contract.suite.config import (
    ConfigError,
    SuiteConfig,
    collection_config,
    process_config,
)


def _collection_target() -> SuiteConfig:
    try:
        return collection_config(process_config())
    except ConfigError:  # conftest has already stopped the run with a one-line usage error
        return SuiteConfig()


_TARGET = _collection_target()
_KNOWN = {"assigner/*": _TARGET.assignees} if _TARGET.assignees else None
_EDGES = edges.all_edges(
    known=_KNOWN,
    issue_id=_TARGET.issue_id or "0" * 32,
    api_key=_TARGET.api_key or "tkn_unknown",
    foreign_api_key=_TARGET.foreign_api_key,
)
#: The places a near miss goes, each tested in one test (its near misses share one read-back).
PLACES = sorted({edge.place for edge in _EDGES if not edge.valid})
#: The valid shapes of the assignee list.
SHAPES = [edge for edge in _EDGES if edge.valid]
_FAULTS = {
    edges.ISSUE_ID: (Fault.MALFORMED_ID, Fault.UNKNOWN_ISSUE),
    edges.KEY: (Fault.BAD_KEY,),
    edges.FOREIGN_KEY: (Fault.BAD_KEY,),
}


def _other_status(current: Any) -> str:
    status = (current or {}).get("issueStatus")
    return "Ignored" if status != "Ignored" else "Working"


@pytest.mark.parametrize("place", PLACES)
def test_near_misses_are_rejected(suite: Any, request: pytest.FixtureRequest, place: str) -> None:
    """Each near miss of a valid value at `place`: a 4xx error envelope, and nothing changed."""
    test = request.node.nodeid
    before = suite.current
    misses = [edge for edge in _EDGES if edge.place == place and not edge.valid]
    for edge in misses:
        meant = _FAULTS.get(place, (Fault.SCHEMA,))
        if place == edges.ISSUE_ID:
            sent = suite.send(
                test, "edges", {"issueStatus": _other_status(before)}, issue_id=edge.value,
                meant=meant,
            )  # fmt: skip
        elif place in (edges.KEY, edges.FOREIGN_KEY):
            sent = suite.send(
                test, "edges", {"issueStatus": _other_status(before)}, key=edge.value, meant=meant
            )
        else:
            sent = suite.send(test, "edges", edge.body(), meant=meant)
        suite.require(sent, f"{place}: {edge.kind}, {edge.what}")
    suite.prove_unchanged(
        test,
        _rule_of(place),
        before,
        f"{len(misses)} near misses of the values at {place}",
    )


def _rule_of(place: str) -> str:
    if place == edges.ISSUE_ID:
        return "behaviour.unknown-issue"
    if place in (edges.KEY, edges.FOREIGN_KEY):
        return "behaviour.auth-required"
    return "behaviour.invalid-body-rejected"


@pytest.mark.parametrize("edge", SHAPES, ids=[edge.kind for edge in SHAPES])
def test_every_shape_of_the_assignee_list_is_accepted(
    suite: Any, request: pytest.FixtureRequest, edge: edges.Edge
) -> None:
    """One id, two, many (nothing limits the length), an id repeated: each accepted."""
    if not suite.may_assign:
        pytest.skip("needs TRUEWATCH_ASSIGNEES and a test issue that has assignees to put back")
    suite.require(suite.send(request.node.nodeid, "edges", edge.body()), edge.what)
