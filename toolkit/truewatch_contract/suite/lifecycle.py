"""
The test issue's lifecycle: learnt before anything changes it, put back when the session ends.

Safety against a real deployment: the only issue the suite changes is ``TRUEWATCH_ISSUE_ID``. Its
status and assignees are learnt from the first answer (a ``{}`` no-op; if the target rejects
``{}``, from the answer to a status update) and put back at the end, failures and interrupts
included (`TestIssue.restore`).

The first answer also says whether the configuration is right. An answer that is no JSON object
(a web page, a proxy's error), a refused key or an unknown issue stops the session at once with
one line (`Stopped`): the run never started, so nothing is judged or recorded as the target's.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Protocol

from truewatch_contract.judge import Exchange, is_rate_limited
from truewatch_contract.redaction import Redactor
from truewatch_contract.rules import same_assignees, status_records
from truewatch_contract.suite.config import SuiteConfig
from truewatch_contract.suite.ledger import Ledger
from truewatch_contract.suite.sent import Sent
from truewatch_contract.suite.transport import network_reason

TEST = "contract_tests::session"
#: How much of an answer that is not the API's the stop line shows.
_SHOWN_BYTES = 60


class Stopped(Exception):
    """The configuration is wrong (the first answer says so): one line, the run never started."""


class Keeper(Protocol):
    """What the lifecycle needs of the session (`truewatch_contract.suite.session.Suite`)."""

    target: SuiteConfig
    current: dict[str, Any] | None
    redactor: Redactor
    ledger: Ledger

    def transmit(self, body: Any = None) -> Exchange: ...

    def conclude(self, test: str, phase: str, exchange: Exchange, *, previous: Any) -> Sent: ...


class TestIssue:
    """What the session knows of the test issue before it changed anything, and the restore."""

    __test__ = False  # not a test class, whatever pytest makes of the name

    def __init__(self) -> None:
        self.initial: dict[str, Any] | None = None
        self.empty_ok = False  # whether the target answers `{}` with 200

    def learn(self, session: Keeper) -> None:
        """
        Learn the test issue's status and assignees before anything changes them.

        Raises:
            Stopped: the first answer says the configuration is wrong.
        """
        sent = self._first(session, {})
        if sent.status == 200 and isinstance(sent.content, dict):
            self.empty_ok = True
            self._set(sent.content)
            return
        # The target rejects `{}`: a status update tells the status from the history it returns.
        before = int(time.time()) - 1
        sent = self._first(session, {"issueStatus": "Triage"})
        content = sent.content
        if sent.status != 200 or not isinstance(content, dict):
            raise Stopped(
                "the suite cannot reach the test issue: "
                + session.redactor.text(f"{describe_answer(sent.exchange)}")
            )
        records = status_records(content) or []
        status = "Triage"
        if (
            len(records) >= 2
            and isinstance(records[-1], dict)
            and records[-1].get("time", 0) >= before
        ):
            status = str(records[-2].get("status"))
        self._set({**content, "issueStatus": status})

    def _first(self, session: Keeper, body: dict[str, Any]) -> Sent:
        """Send a setup request; check what it says of the configuration before judging it."""
        exchange = session.transmit(body)
        if not session.target.builtin_mock:
            problem = access_problem(exchange)
            if problem is not None:
                raise Stopped(session.redactor.text(problem))
        return session.conclude(TEST, "setup", exchange, previous=None)

    def _set(self, content: Mapping[str, Any]) -> None:
        assigner = content.get("assigner")
        self.initial = {
            "issueStatus": content.get("issueStatus"),
            "assigner": list(assigner) if isinstance(assigner, list) else [],
        }

    def restore(self, session: Keeper) -> str | None:
        """Put the test issue's status and assignees back; return a problem, or None."""
        session.ledger.purpose = Ledger.RESTORE  # the budget's reserve pays for it
        initial = self.initial
        if initial is None:
            return None
        if self.empty_ok:
            # A broken server may have changed the issue while answering an error: look first.
            session.conclude(TEST, "restore", session.transmit({}), previous=session.current)
        current = session.current or {}
        if not initial["assigner"] and current.get("assigner"):
            return (
                "the test issue had no assignees and now has some; an empty list cannot be "
                "sent, so they must be removed by hand"
            )
        body: dict[str, Any] = {}
        if current.get("issueStatus") != initial["issueStatus"]:
            body["issueStatus"] = initial["issueStatus"]
        if initial["assigner"] and not same_assignees(current.get("assigner"), initial["assigner"]):
            body["assigner"] = initial["assigner"]
        if not body and session.current is not None:
            return None
        status = None
        for _attempt in range(3):
            sent = session.conclude(
                TEST,
                "restore",
                session.transmit(body or {"issueStatus": initial["issueStatus"]}),
                previous=session.current,
            )
            status = sent.status
            content = sent.content
            if (
                status == 200
                and isinstance(content, dict)
                and content.get("issueStatus") == initial["issueStatus"]
                and (
                    not initial["assigner"]
                    or same_assignees(content.get("assigner"), initial["assigner"])
                )
            ):
                return None
        return f"could not restore the test issue to {initial!r}; last answer HTTP {status}"


def access_problem(exchange: Exchange) -> str | None:
    """
    What the first answer says is wrong with the configuration, or None: no connection, an
    answer that is no JSON object (whatever its status), the rate limit, a refused key or an
    unknown issue.
    """
    status = exchange.status
    if status is None:
        return f"target unreachable: {network_reason(exchange.error or '')}"
    is_json, body = exchange.json_body()
    if not (is_json and isinstance(body, dict)):
        return (
            f"the target answered {describe_answer(exchange)} to the first update of "
            "TRUEWATCH_ISSUE_ID: that is not the API's JSON envelope; check TRUEWATCH_BASE_URL "
            "(the API's base URL, such as https://us1-openapi.truewatch.com)"
        )
    code = body.get("errorCode")
    answer = f"{status} {code}" if isinstance(code, str) and code else f"HTTP {status}"
    first = f"the target answered {answer} to the first update of TRUEWATCH_ISSUE_ID"
    if is_rate_limited(status, body):
        return f"{first} (its rate limit, after retries): set TRUEWATCH_RATE_LIMIT lower"
    if status in (401, 403):
        return f"{first}: check TRUEWATCH_API_KEY"
    if status == 404:
        return (
            f"{first}: check TRUEWATCH_ISSUE_ID (an issue of the workspace of "
            "TRUEWATCH_API_KEY) and TRUEWATCH_BASE_URL"
        )
    return None


def describe_answer(exchange: Exchange) -> str:
    """``HTTP 200 (text/html, b'<!doctype html>...')``: the status, Content-Type, first bytes."""
    if exchange.status is None:
        return f"no answer ({network_reason(exchange.error or '')})"
    kind = exchange.response_header("content-type") or "no Content-Type"
    raw = exchange.response_body or b""
    head = raw[:_SHOWN_BYTES]
    shown = repr(head) + ("..." if len(raw) > _SHOWN_BYTES else "") if raw else "an empty body"
    return f"HTTP {exchange.status} ({kind}, {shown})"
