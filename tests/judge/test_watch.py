"""
`judge.Watcher`: traffic nobody planned, judged with what each exchange shows, learning as it
goes: an issue answered 200 to a key exists for it, its last answer is its previous state.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from truewatch_contract.judge import Exchange, Fault, Policy, Watcher
from truewatch_contract.mock import create_app
from truewatch_contract.mock.service import IncomingRequest

ISSUE = "04a0bb44b28e9ff1e01f87828af622b9"


class Mock:
    """The built-in mock's service, answering exchanges without sockets."""

    def __init__(self, mutant: str | None = None) -> None:
        app = create_app(mutant=mutant)
        self.service = app.state.service
        self.info = app.state.mock_state.connection_info("http://mock")

    def send(self, body: Any, *, key: str | None = None, issue: str = ISSUE) -> Exchange:
        request = IncomingRequest("POST", issue)
        key = self.info["api_key"] if key is None else key
        request.api_keys.append(key)
        request.content_types.append("application/json")
        raw = json.dumps(body).encode()
        request.body = raw
        answer = self.service.handle(request)
        return Exchange(
            method="POST",
            path=f"/api/v1/error_track/{issue}/update",
            request_headers={"Content-Type": "application/json", "DF-API-KEY": key},
            request_body=raw,
            status=answer.status,
            response_headers={"content-type": "application/json"},
            response_body=answer.body,
        )


def test_it_learns_the_issue_and_judges_the_next_update_against_it() -> None:
    mock, watcher = Mock(), Watcher(policy=Policy.strict())
    first = watcher.judge(mock.send({"issueStatus": "Working"}))
    assert first.ok and first.expectation.possible == {Fault.BAD_KEY, Fault.UNKNOWN_ISSUE}
    key = mock.info["api_key"]
    assert ISSUE in watcher.facts_for(key).issue_ids
    assert watcher.previous_for(key, ISSUE) == first.content
    second = watcher.judge(mock.send({"issueStatus": "Resolved"}))
    assert second.ok and "history.status-change-record" in second.checked
    # Its other id form is the same issue: the previous state carries over.
    uuid = first.content["uuid"] if first.content else None
    assert watcher.previous_for(key, uuid) == second.content


def test_a_mutant_that_breaks_the_history_is_caught_from_traffic_alone() -> None:
    mock, watcher = Mock("history-duplicate-record"), Watcher(policy=Policy.strict())
    watcher.judge(mock.send({}))
    verdict = watcher.judge(mock.send({"issueStatus": "Ignored"}))
    assert "history.status-change-record" in {v.rule for v in verdict.violations}


def test_a_key_it_does_not_know_may_be_refused_and_a_told_key_makes_others_bad() -> None:
    mock = Mock()
    loose = Watcher()
    refused = loose.judge(mock.send({"issueStatus": "Working"}, key="tkn_somebody"))
    assert refused.ok and refused.acceptable and refused.expectation.faults == set()
    told = Watcher(api_key=mock.info["api_key"], issue_id=ISSUE, policy=Policy.strict())
    assert told.judge(mock.send({"issueStatus": "Working"})).ok
    other = told.judge(mock.send({"issueStatus": "Resolved"}, key="tkn_somebody"))
    assert other.expectation.faults == {Fault.BAD_KEY} and other.ok  # 403: right for a bad key
    unknown = told.judge(mock.send({"issueStatus": "Resolved"}, issue="e" * 32))
    assert unknown.expectation.faults == {Fault.UNKNOWN_ISSUE} and unknown.ok


def test_a_concurrent_change_is_judged_alone_and_may_lose_the_race() -> None:
    mock, watcher = Mock(), Watcher(policy=Policy.strict())
    watcher.judge(mock.send({}))
    verdict = watcher.judge(mock.send({"issueStatus": "Working"}), concurrent=True)
    assert verdict.ok and Fault.RACE in verdict.expectation.points
    assert "history.status-change-record" not in verdict.checked


def test_after_a_race_the_issue_state_is_unknown_until_its_next_answer() -> None:
    """Either answer of a race may or may not show the other's record: neither is the latest."""
    mock, watcher = Mock(), Watcher(policy=Policy.strict())
    first = watcher.judge(mock.send({}))
    key = mock.info["api_key"]
    assert watcher.previous_for(key, ISSUE) == first.content
    # The server applies A then B, but B's answer arrives (and is judged) first.
    applied_a = mock.send({"issueStatus": "Working"})
    applied_b = mock.send({"issueStatus": "Resolved"})
    assert watcher.judge(applied_b, concurrent=True).ok
    assert watcher.judge(applied_a, concurrent=True).ok
    assert watcher.previous_for(key, ISSUE) is None
    after = watcher.judge(mock.send({"issueStatus": "Ignored"}))
    assert after.ok and "history.status-change-record" not in after.checked
    assert watcher.previous_for(key, ISSUE) == after.content
    # The history rules resume from that answer.
    resumed = watcher.judge(mock.send({"issueStatus": "Triage"}))
    assert "history.status-change-record" in resumed.checked


def test_told_a_key_another_key_on_a_known_issue_may_be_another_workspaces() -> None:
    """Nobody named the other workspaces' keys: their 404 on the test issue is no false alarm."""
    mock = Mock()
    told = Watcher(api_key=mock.info["api_key"], issue_id=ISSUE, policy=Policy.strict())
    foreign = told.judge(mock.send({"issueStatus": "Working"}, key=mock.info["foreign_api_key"]))
    assert foreign.expectation.faults == {Fault.BAD_KEY}
    assert Fault.FOREIGN_KEY in foreign.expectation.possible
    assert foreign.ok  # the mock answers 404: right for another workspace's key
    # On an id nobody named, it stays a bad key and an unknown issue.
    stray = told.judge(mock.send({"issueStatus": "Working"}, key="tkn_x", issue="e" * 32))
    assert Fault.FOREIGN_KEY not in stray.expectation.possible


def test_an_update_applied_despite_its_media_type_is_the_issue_s_latest_state() -> None:
    """A target that parses a text/plain body as JSON applied it: the next change builds on it."""
    mock, watcher = Mock("accepts-any-content-type"), Watcher()
    watcher.judge(mock.send({}))
    plain = mock.send({"issueStatus": "Working"})
    plain = dataclasses.replace(
        plain, request_headers={**plain.request_headers, "Content-Type": "text/plain"}
    )
    applied = watcher.judge(plain)
    assert applied.expectation.faults == {Fault.MEDIA_TYPE} and applied.content is not None
    key = mock.info["api_key"]
    assert watcher.previous_for(key, ISSUE) == applied.content
    after = watcher.judge(mock.send({"issueStatus": "Resolved"}))
    assert after.ok, after.violations
