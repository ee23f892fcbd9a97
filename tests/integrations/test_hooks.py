"""
Request hooks (`truewatch_contract.integrations`): a small client's ordinary updates, sent with
``requests``, ``httpx`` and ``httpx.AsyncClient``, judged through the hook alone. Each of the
mock's mutants below is caught by every client; the plain mock passes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import requests

from truewatch_contract.integrations import LOGGER_NAME, ContractHook, ContractWarning
from truewatch_contract.integrations import httpx as httpx_hooks
from truewatch_contract.integrations import requests as requests_hooks
from truewatch_contract.judge import Exchange
from truewatch_contract.mock import MockState, create_app, serve
from truewatch_contract.violations import ContractViolation


@dataclasses.dataclass
class Target:
    base_url: str
    key: str
    issue: str
    other: str  # a member who is not assigned yet

    def url(self, issue: str | None = None) -> str:
        return f"{self.base_url}/api/v1/error_track/{issue or self.issue}/update"


@pytest.fixture
def serving() -> Iterator[Callable[[str | None], Target]]:
    """Serve the mock (or one of its mutants) on a loopback port."""
    servers: list[Any] = []

    def start(mutant: str | None) -> Target:
        state = MockState.default()
        server = serve(create_app(state, mutant=mutant), log_level="error")
        servers.append(server)
        info = state.connection_info(server.base_url)
        assigned = state.get_issue(str(info["issue_id"]))["assigner"]
        other = next(a for a in info["assignees"] if a not in assigned)
        return Target(server.base_url, str(info["api_key"]), str(info["issue_id"]), str(other))

    yield start
    for server in servers:
        server.stop()


# -- the application: ordinary updates, one of them a mistake ---------------------------------

#: (issue or None for the target's, body): start work, assign and resolve, a typo.
UPDATES: list[tuple[str | None, Any]] = [
    (None, {"issueStatus": "Working"}),
    (None, "ASSIGN"),
    (None, {"issueStatus": "resolved"}),  # a typo: refused
    ("0" * 32, {"issueStatus": "Working"}),  # an issue that is not there
]


def _bodies(target: Target) -> list[tuple[str, Any]]:
    return [
        (
            target.url(issue),
            {"issueStatus": "Resolved", "assigner": [target.other]} if body == "ASSIGN" else body,
        )
        for issue, body in UPDATES
    ]


def with_requests(target: Target, hook: ContractHook) -> list[int]:
    session = requests.Session()
    session.hooks["response"].append(hook)
    with session:
        return [
            session.post(url, json=body, headers={"DF-API-KEY": target.key}, timeout=10).status_code
            for url, body in _bodies(target)
        ]


def with_httpx(target: Target, hook: ContractHook) -> list[int]:
    with httpx.Client(event_hooks={"response": [hook]}, timeout=10) as client:
        return [
            client.post(url, json=body, headers={"DF-API-KEY": target.key}).status_code
            for url, body in _bodies(target)
        ]


def with_httpx_async(target: Target, hook: ContractHook) -> list[int]:
    async def send() -> list[int]:
        async with httpx.AsyncClient(event_hooks={"response": [hook]}, timeout=10) as client:
            statuses = []
            for url, body in _bodies(target):
                answer = await client.post(url, json=body, headers={"DF-API-KEY": target.key})
                statuses.append(answer.status_code)
            return statuses

    return asyncio.run(send())


CLIENTS = {"requests": with_requests, "httpx": with_httpx, "httpx-async": with_httpx_async}

#: Mutants an application's ordinary updates reveal, and the rule each breaks.
MUTANTS = {
    "code-always-200": "envelope.code-matches-status",
    "status-not-applied": "content.status-applied",
    "history-duplicate-record": "history.status-change-record",
    "assigner-not-applied": "content.assigner-applied",
    "message-ok-on-success": "envelope.message-empty-on-success",
    "traceid-empty": "envelope.trace-id",
    "deleteat-zero": "content.delete-at",
}


@pytest.mark.parametrize("client", list(CLIENTS))
@pytest.mark.parametrize("mutant", list(MUTANTS))
def test_each_client_catches_the_mutant_through_the_hook_alone(
    serving: Callable[[str | None], Target], mutant: str, client: str
) -> None:
    target = serving(mutant)
    hook = ContractHook(mode="collect")
    CLIENTS[client](target, hook)
    assert hook.judged == len(UPDATES) == len(hook.verdicts)
    assert MUTANTS[mutant] in {v.rule for v in hook.violations}, hook.violations


@pytest.mark.parametrize("client", list(CLIENTS))
def test_the_plain_mock_passes_and_the_answers_reach_the_client(
    serving: Callable[[str | None], Target], client: str
) -> None:
    target = serving(None)
    hook = ContractHook(mode="raise")
    assert CLIENTS[client](target, hook) == [200, 200, 400, 404]
    assert hook.judged == len(UPDATES)
    # What it learnt: the issue exists for the key; its last answer is its previous state.
    assert target.issue in hook.watcher.facts_for(target.key).issue_ids
    previous = hook.watcher.previous_for(target.key, target.issue)
    assert previous is not None and previous["issueStatus"] == "Resolved"


@pytest.mark.parametrize("client", list(CLIENTS))
def test_raise_names_the_rules_one_line_each(
    serving: Callable[[str | None], Target], client: str
) -> None:
    target = serving("code-always-200")
    hook = ContractHook(mode="raise")
    with pytest.raises(ContractViolation) as caught:
        CLIENTS[client](target, hook)
    text = str(caught.value)
    lines = text.splitlines()
    assert lines[0].startswith(f"POST /api/v1/error_track/{target.issue}/update -> HTTP 400")
    assert len(lines) == 1 + len(caught.value.violations) >= 3
    rules = {v.rule for v in caught.value.violations}
    assert {"envelope.code-matches-status", "envelope.success-matches-code"} <= rules
    assert all(line.startswith("  - ") for line in lines[1:])


def test_warn_warns_and_logs(
    serving: Callable[[str | None], Target], caplog: pytest.LogCaptureFixture
) -> None:
    target = serving("message-ok-on-success")
    hook = ContractHook(mode="warn")
    with (
        caplog.at_level(logging.WARNING, logger=LOGGER_NAME),
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        statuses = with_requests(target, hook)
    assert statuses == [200, 200, 400, 404]  # the client carries on
    found = [w for w in caught if issubclass(w.category, ContractWarning)]
    assert len(found) == 2 and "envelope.message-empty-on-success" in str(found[0].message)
    records = [r for r in caplog.records if r.name == LOGGER_NAME]
    assert len(records) == 2 and "envelope.message-empty-on-success" in records[0].getMessage()
    assert hook.verdicts == [] and hook.judged == len(UPDATES)


def test_relax_takes_rule_ids_and_tags(serving: Callable[[str | None], Target]) -> None:
    target = serving("message-ok-on-success")
    hook = ContractHook(mode="raise", relax="envelope.message-empty-on-success,assumed")
    with_httpx(target, hook)  # nothing raised
    listed = ContractHook(mode="collect", relax=["observed"])
    with_httpx(target, listed)
    relaxed = {v.rule for verdict in listed.verdicts for v in verdict.relaxed}
    assert listed.violations == [] and "envelope.message-empty-on-success" in relaxed
    with pytest.raises(ValueError, match="unknown rule id or tag 'nonsense'"):
        ContractHook(relax="nonsense")


def test_relax_none_fails_on_the_assumed_rules_too(
    serving: Callable[[str | None], Target],
) -> None:
    """As `run --relax none`: for the built-in mock behind a client, its own choices enforced."""
    target = serving("same-status-appends")
    default = ContractHook(mode="collect", api_key=target.key, issue_id=target.issue)
    strict = ContractHook(mode="collect", relax="none", api_key=target.key, issue_id=target.issue)
    for hook in (default, strict):
        with requests.Session() as session:
            session.hooks["response"].append(hook)
            for _ in range(2):  # the same status twice: the mutant appends a record again
                session.post(
                    target.url(),
                    json={"issueStatus": "Resolved"},
                    headers={"DF-API-KEY": target.key},
                    timeout=10,
                )
    rule = "history.same-status-no-record"
    assert rule not in {v.rule for v in default.violations}
    assert rule in {v.rule for verdict in default.verdicts for v in verdict.relaxed}
    assert rule in {v.rule for v in strict.violations}, strict.verdicts
    with pytest.raises(ValueError, match="cannot be combined"):
        ContractHook(relax="none,observed")


def test_an_unknown_mode_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="mode: expected one of raise, warn, collect"):
        ContractHook(mode="loud")  # type: ignore[arg-type]


def test_told_the_key_and_issue_it_judges_as_strictly_as_the_suite(
    serving: Callable[[str | None], Target],
) -> None:
    """The mutant that takes any key: only a hook that knows the real key can tell."""
    target = serving("auth-wrong-key-200")
    loose, told = (
        ContractHook(mode="collect"),
        ContractHook(mode="collect", api_key=target.key, issue_id=target.issue),
    )
    for hook in (loose, told):
        with requests.Session() as session:
            session.hooks["response"].append(hook)
            session.post(target.url(), json={}, headers={"DF-API-KEY": target.key}, timeout=10)
            session.post(target.url(), json={}, headers={"DF-API-KEY": "tkn_guess"}, timeout=10)
    assert loose.violations == []
    assert "behaviour.auth-required" in {v.rule for v in told.violations}


def test_anything_off_the_route_passes_untouched(serving: Callable[[str | None], Target]) -> None:
    target = serving(None)
    hook = ContractHook(mode="raise")
    with httpx.Client(event_hooks={"response": [hook]}) as client:
        with client.stream("GET", f"{target.base_url}/__mock__/state") as response:
            assert not response.is_stream_consumed  # the hook did not read it
            assert response.read()
        assert client.get(f"{target.base_url}/elsewhere").status_code == 404
    with requests.Session() as session:
        session.hooks["response"].append(hook)
        assert session.get(f"{target.base_url}/__mock__/state", timeout=10).ok
    assert hook.judged == 0


def test_the_adapters_read_what_was_sent_and_received(
    serving: Callable[[str | None], Target],
) -> None:
    target = serving(None)
    raw = b'{"issueStatus": "Working"}'
    headers = {"DF-API-KEY": target.key, "Content-Type": "application/json"}
    answer = requests.post(target.url(), data=raw, headers=headers, timeout=10)
    exchange = requests_hooks.exchange_of(answer)
    assert exchange is not None and exchange.request_body == raw and exchange.status == 200
    assert exchange.header("df-api-key") == target.key and exchange.base_url == target.base_url
    assert exchange.sent_at is not None and exchange.clock_window() is not None
    with httpx.Client() as client:
        response = client.post(target.url(), content=raw, headers=headers)
        again = httpx_hooks.exchange_of(response)
    assert again is not None and again.response_body == response.content
    assert again.request_body == raw and again.path == exchange.path


def test_messages_never_show_a_key_the_hook_has_seen() -> None:
    """A server that echoes the key in its message: the warning blanks it."""
    key = "tkn_0123456789abcdef0123456789abcdef"
    hook = ContractHook(mode="raise")
    exchange = Exchange(
        method="POST",
        path=f"/api/v1/error_track/{'a' * 32}/update",
        request_headers={"DF-API-KEY": key, "Content-Type": "application/json"},
        request_body=b"{}",
        status=400,
        response_headers={"content-type": "application/json"},
        response_body=(
            b'{"code": 200, "content": null, "errorCode": "", "success": true, '
            b'"message": "' + key.encode() + b'", "traceId": "t"}'
        ),
    )
    with pytest.raises(ContractViolation) as caught:
        hook.check(exchange)
    assert key not in str(caught.value) and "[redacted]" in str(caught.value)


def test_two_changes_in_flight_at_once_are_judged_as_a_race(
    serving: Callable[[str | None], Target],
) -> None:
    """An answer that comes back after another of the same issue it overlapped: a race."""
    from truewatch_contract.judge import Fault

    target = serving(None)
    hook = ContractHook(mode="raise")
    sent = [
        requests.post(target.url(), json=body, headers={"DF-API-KEY": target.key}, timeout=10)
        for body in ({}, {"issueStatus": "Working"}, {"issueStatus": "Ignored"})
    ]
    first, second, third = (requests_hooks.exchange_of(answer) for answer in sent)
    assert first is not None and second is not None and third is not None
    assert hook.check(first) is not None and hook.check(second) is not None
    # The third was in flight (a minute) while the second came back.
    verdict = hook.check(dataclasses.replace(third, elapsed_ms=60_000.0))
    assert verdict is not None and Fault.RACE in verdict.expectation.points
    assert "history.status-change-record" not in verdict.checked
