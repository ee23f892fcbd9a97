"""
Lost updates: ``TRUEWATCH_CONCURRENCY`` pairs of simultaneous status changes of the test issue
(two threads released by one barrier), each pair followed by one read-back.

A server that updates the history with a read-modify-write and no lock loses one of two records
that arrive at once; nothing sequential can show that. The pair's own answers are judged each
on its own (either may already show the other's record), and only the read-back is compared with
the issue as it was before the pair: every accepted change left exactly one record with its
status, and a change that lost the race with a 4xx error envelope (409 or another) left none.
The outcome is the rule ``history.no-lost-update``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from truewatch_contract.rules import status_records
from truewatch_contract.spec import issue_statuses

STATUSES = issue_statuses()
RULE = "history.no-lost-update"


def test_simultaneous_status_changes_each_leave_one_record(
    suite: Any, request: pytest.FixtureRequest
) -> None:
    """Each accepted change of a simultaneous pair leaves exactly one record; none is lost."""
    pairs = suite.target.concurrency
    if pairs == 0:
        pytest.skip("TRUEWATCH_CONCURRENCY=0 switches the concurrency probe off")
    test = request.node.nodeid
    for index in range(pairs):
        before = suite.current
        if not isinstance(before, dict):
            pytest.fail("the concurrency probe needs the test issue's state, and has none")
        others = [s for s in STATUSES if s != before.get("issueStatus")]
        pair = [others[index % 4], others[(index + 1) % 4]]
        exchanges = suite.transmit_at_once([{"issueStatus": status} for status in pair])
        # Each answer alone: either may already show the other's record, so neither is judged
        # against the state before the pair.
        # Either may lose the race with a 4xx error envelope (409 or another): `concurrent`.
        answers = [
            suite.conclude(test, "concurrency", e, previous=None, concurrent=True)
            for e in exchanges
        ]
        accepted = [s for s, sent in zip(pair, answers, strict=True) if _accepted(sent)]
        unknown = [s for s, sent in zip(pair, answers, strict=True) if _undecided(sent)]
        own = [] if suite.empty_ok else [others[(index + 2) % 4]]
        readback = suite.conclude(
            test,
            "concurrency-read-back",
            suite.transmit({"issueStatus": own[0]} if own else {}),
            previous=None,
        )
        # The rule first (what the pair left), then each answer on its own.
        if not unknown and readback.status == 200 and isinstance(readback.content, dict):
            _judge_pair(suite, test, before, readback.content, pair, accepted, own)
        for sent in answers:
            suite.require(sent, "one of two simultaneous status changes")
        suite.require(readback, "the read-back after two simultaneous status changes")


def _judge_pair(
    suite: Any,
    test: str,
    before: dict[str, Any],
    content: dict[str, Any],
    pair: list[str],
    accepted: list[str],
    own: list[str],
) -> None:
    """The read-back against the state before the pair: one record per accepted change."""
    old, new = status_records(before) or [], status_records(content) or []
    expected = Counter(accepted + own)
    found = Counter(
        str(r.get("status")) if isinstance(r, dict) else repr(r) for r in new[len(old) :]
    )
    held = new[: len(old)] == old and found == expected
    message = _message(held, pair, accepted, own, old, new, found)
    suite.behaviour(test, RULE, held, message)


def _accepted(sent: Any) -> bool:
    body = sent.body
    return sent.status == 200 and isinstance(body, dict) and body.get("success") is True


def _undecided(sent: Any) -> bool:
    """An answer that does not say whether the change was applied: no answer, or a 5xx."""
    return sent.status is None or sent.status >= 500


def _message(
    held: bool,
    pair: list[str],
    accepted: list[str],
    own: list[str],
    old: list[Any],
    new: list[Any],
    found: Counter[str],
) -> str:
    what = (
        f"of two status changes sent at once ({' and '.join(pair)}), "
        f"{len(accepted)} accepted ({', '.join(accepted) or 'none'})"
    )
    if own:
        what += f", then a read-back {own[0]}"
    if new[: len(old)] != old:
        return what + ": the history before the pair was changed, not appended to"
    wanted = len(accepted) + len(own)
    if held:
        return what + f": each left exactly one record ({wanted} new)"
    shown = ", ".join(f"{status} x{count}" for status, count in sorted(found.items())) or "none"
    return what + f": the history gained {sum(found.values())} record(s) ({shown}), not {wanted}"
