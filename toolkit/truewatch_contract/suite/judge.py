"""
The suite's judgement of one exchange.

`judge` derives what the request calls for (`truewatch_contract.suite.faults`: its faults and their
acceptable answers), asks the library (`evaluate_response`) for the envelope, content and history
rules, and adds the ``behaviour.*`` rules that only a client sending requests can check. The same
judgement runs under pytest (the contract suite) and under ``st run`` (`suite.check`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from truewatch_contract.rules import status_records, violation
from truewatch_contract.suite.exchange import Exchange
from truewatch_contract.suite.faults import (
    ANSWERS,
    MAY_APPLY,
    Expectation,
    Fault,
    Policy,
    acceptance_rule,
    expectation_of,
)
from truewatch_contract.suite.pacing import RATE_LIMIT_CODES, is_rate_limited
from truewatch_contract.violations import Violation

if TYPE_CHECKING:
    from truewatch_contract.redaction import Redactor
    from truewatch_contract.violations import Evaluation

__all__ = ["ContractCheckFailed", "Verdict", "describe", "judge", "limit_code"]


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The judgement of one exchange."""

    expectation: Expectation
    checked: tuple[str, ...]
    violations: tuple[Violation, ...]
    relaxed: tuple[Violation, ...]
    note: str | None = None
    content: Any = None  # the content of any success for the test issue (its latest state)
    # Whether the answer is one the contract allows for the request's faults (or a success for
    # a request without any): built-in Schemathesis status checks are filtered through it.
    acceptable: bool = True

    @property
    def ok(self) -> bool:
        return not self.violations

    def with_violations(
        self, failing: Iterable[Violation] = (), relaxed: Iterable[Violation] = ()
    ) -> Verdict:
        """This verdict with more violations (the built-in checks' mapped failures)."""
        return dataclasses.replace(
            self,
            violations=tuple(sorted({*self.violations, *failing})),
            relaxed=tuple(sorted({*self.relaxed, *relaxed})),
        )


def _is_error_envelope(body: Any) -> bool:
    return isinstance(body, dict) and body.get("success") is False


def _status_text(status: int | None) -> str:
    return "no answer" if status is None else f"HTTP {status}"


def judge(
    exchange: Exchange,
    policy: Policy,
    *,
    previous: Any = None,
    header_negative: bool = False,
    concurrent: bool = False,
) -> Verdict:
    """
    Judge one exchange against the contract.

    Arguments:
        previous: the content of the last successful update of the same issue (history rules).
        header_negative: Schemathesis generated the headers as invalid (the key unknown to the
            suite is then a bad one).
        concurrent: another change of the issue was sent at the same moment; this one may lose
            the race with a 4xx error envelope (409 or another).
    """
    from truewatch_contract import SentRequest, evaluate_response

    expect = expectation_of(
        exchange, policy, header_negative=header_negative, concurrent=concurrent
    )
    status = exchange.status
    if status is None:
        return Verdict(expect, (), (), (), note=f"network error: {exchange.error}")
    found: list[Violation] = []
    checked: list[str] = []
    is_json, body = exchange.json_body()
    sent_ok, sent = exchange.sent_json()
    faults = expect.faults
    lenient = bool(faults & {Fault.METHOD, Fault.ROUTE}) and not isinstance(body, dict)
    # A request that should have been refused but got a 200 was applied: its answer is judged
    # as the update it was (content and history), so the suite's picture of the issue holds.
    applied = status == 200 and expect.test_issue and faults <= MAY_APPLY
    accepted = status == 200 and (not faults or applied)

    # The envelope and content rules (the library), for every answer that carries JSON.
    if not lenient:
        evaluation: Evaluation = evaluate_response(
            body if is_json else (exchange.response_body or b"").decode("utf-8", "replace"),
            status_code=status,
            request=sent if (accepted and sent_ok) else None,
            issue_id=exchange.issue_id if accepted else None,
            previous=previous if applied else None,
            content_type=exchange.response_header("content-type") or "",
            requested_between=exchange.clock_window(),
            include_assumed=True,
            # The echo discount: a message may quote what the client itself sent.
            sent=SentRequest(path=exchange.path, body=exchange.request_body or b""),
        )
        library = [*evaluation.violations, *evaluation.relaxed]
        if Fault.TOO_LARGE in faults and status != 200:
            # An oversized body may never reach the API: a proxy's own answer (nginx's HTML 413)
            # is judged only by the assumed rule that asks for an envelope there.
            found.extend(_too_large(v) for v in library)
        else:
            found.extend(library)
            checked.extend(evaluation.checked)

    # What the request called for (the behaviour rules).
    checked.append("behaviour.no-server-error")
    if status >= 500:
        found.append(
            violation(
                "behaviour.no-server-error",
                f"no input is answered with a 5xx, found HTTP {status}",
            )
        )
    note = None
    acceptable = status < 500
    code = limit_code(body)
    if is_rate_limited(status, body):
        checked.append("behaviour.rate-limit-signal")
        note = "rate limited after the retries: the expected behaviour was not checked"
    elif code and status == 429:
        # The platform's limit codes on another status: the documented signal is 401, so this
        # is a broken rate-limit signal, not a rejected valid request.
        checked.append("behaviour.rate-limit-signal")
        found.append(
            violation(
                "behaviour.rate-limit-signal",
                f"a rate-limited request is answered 401 with {code}, found HTTP {status}",
            )
        )
        note = "rate limited (HTTP 429): the expected behaviour was not checked"
    elif status < 500:
        broken, acceptable = _behaviour(expect, status, body, sent, checked)
        found.extend(broken)
    if expect.is_update and status == 200 and previous is not None:
        found.extend(_noop(sent, body, previous, checked))
    # Any success for the test issue changed it (or showed it): the suite's next `previous`.
    content = None
    if status == 200 and isinstance(body, dict) and exchange.issue_id in policy.issue_ids:
        content = body.get("content")
    failing, relaxed = _split(found, policy)
    return Verdict(
        expectation=expect,
        checked=tuple(sorted(set(checked))),
        violations=failing,
        relaxed=relaxed,
        note=note,
        content=content,
        acceptable=acceptable,
    )


def limit_code(body: Any) -> str | None:
    """The platform's rate-limit ``errorCode`` an answer carries (whatever its status), or None."""
    code = body.get("errorCode") if isinstance(body, dict) else None
    return code if code in RATE_LIMIT_CODES else None


def _too_large(found: Violation) -> Violation:
    return violation(
        "behaviour.body-too-large",
        f"the answer to a body above 1 MiB breaks {found.rule}: {found.message}",
        found.pointer,
    )


def _noop(sent: Any, body: Any, previous: Any, checked: list[str]) -> list[Violation]:
    """``behaviour.empty-body-noop``: ``{}`` leaves status, assignees and history as they were."""
    if sent != {} or not isinstance(body, dict) or not isinstance(previous, dict):
        return []
    content = body.get("content")
    if not isinstance(content, dict):
        return []
    checked.append("behaviour.empty-body-noop")
    changed = [
        name
        for name, before, after in (
            ("issueStatus", previous.get("issueStatus"), content.get("issueStatus")),
            ("assigner", previous.get("assigner"), content.get("assigner")),
            ("extend/statusChangeRecords", status_records(previous), status_records(content)),
            ("updateAt", previous.get("updateAt"), content.get("updateAt")),
            ("updator", previous.get("updator"), content.get("updator")),
        )
        if before != after
    ]
    if not changed:
        return []
    return [
        violation(
            "behaviour.empty-body-noop",
            f"the body {{}} leaves the issue unchanged, found a change of {', '.join(changed)}",
            "/content/" + changed[0],
        )
    ]


def _behaviour(
    expect: Expectation, status: int, body: Any, sent: Any, checked: list[str]
) -> tuple[list[Violation], bool]:
    """The behaviour rules of one answer, and whether the answer is an acceptable one."""
    error = _is_error_envelope(body)
    if expect.faults:
        rules = sorted({r for f in expect.faults if (r := ANSWERS[f].rule)})
        checked.extend(rules)
        if status != 200 and expect.allows(status, error):
            return [], True
        what = ", ".join(ANSWERS[f].what for f in sorted(expect.faults))
        message = (
            f"a request with {what} is answered with {expect.describe()}, "
            f"never a success, found HTTP {status}"
        )
        return [violation(rule, message) for rule in rules], False
    rule = acceptance_rule(sent)
    checked.append(rule)
    if status == 200:
        return [], True
    for point in sorted(expect.points):
        answers = ANSWERS[point]
        if answers.allows(status, error):
            if answers.rule is None:
                return [], True
            checked.append(answers.rule)
            message = f"{answers.what} is accepted (200), found HTTP {status}"
            return [violation(answers.rule, message)], True
    subject = "a valid body for the test issue" if expect.test_issue else "a valid body"
    allowed = "; ".join(
        f"{ANSWERS[p].describe()} ({ANSWERS[p].what})" for p in sorted(expect.points)
    )
    alternatives = f" (or {allowed})" if allowed else ""
    message = f"{subject} is answered 200{alternatives}, found HTTP {status}"
    return [violation(rule, message)], False


def _split(
    found: Iterable[Violation], policy: Policy
) -> tuple[tuple[Violation, ...], tuple[Violation, ...]]:
    unique = sorted(set(found))
    failing = tuple(v for v in unique if not policy.is_relaxed(v.rule))
    relaxed = tuple(v for v in unique if policy.is_relaxed(v.rule))
    return failing, relaxed


def describe(verdict: Verdict, exchange: Exchange, redactor: Redactor, context: str = "") -> str:
    """The failure message: the request, every broken rule (id, pointer, message), a curl line."""
    from truewatch_contract.suite.recording import curl_command

    rules = ", ".join(sorted({v.rule for v in verdict.violations}))
    head = (
        f"{exchange.method} {redactor.text(exchange.path)} -> {_status_text(exchange.status)}"
        f"{f' ({context})' if context else ''}: the contract is broken: {rules}"
    )
    lines = [head]
    lines.extend(f"  - {v.format_line()}" for v in verdict.violations)
    if verdict.relaxed:
        lines.append(
            f"  (relaxed, not failing: {', '.join(sorted({v.rule for v in verdict.relaxed}))})"
        )
    faults = verdict.expectation.names
    lines.append(f"  faults of the request: {', '.join(faults) if faults else 'none'}")
    ok, body = exchange.json_body()
    shown = json.dumps(body, ensure_ascii=False)[:600] if ok else repr(exchange.response_body)[:300]
    lines.append(f"  response body: {redactor.text(shown)}")
    lines.append(
        "  reproduce: "
        + curl_command(
            exchange.method,
            exchange.url,
            exchange.request_headers,
            exchange.request_body,
            redactor,
        )
    )
    return "\n".join(lines)


class ContractCheckFailed(AssertionError):
    """The suite's check failed; ``verdict`` holds the broken rules."""

    def __init__(self, message: str, verdict: Verdict) -> None:
        super().__init__(message)
        self.verdict = verdict

    def __reduce__(self) -> tuple[Any, ...]:  # pickle and copy: the verdict is no argument of args
        return (type(self), (*self.args, self.verdict))
