"""
The verdict on one exchange: `judge`, the one function every front end calls.

`judge` reads the request once (its faults, from the request and the caller's `Facts`; the
library's request rules, checked once), asks the library for the envelope, content and history
rules of the answer (the request is not validated again), adds the ``behaviour.*`` rules that only
the request and its answer decide together, and splits what broke by the `Policy` (the one place
that decides what is relaxed). The contract suite's scenarios and fuzzing, the ``st run`` check,
the request hooks and the proxy all call it; none judges on its own.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Iterable, Mapping
from typing import Any

from truewatch_contract.judge.exchange import Exchange
from truewatch_contract.judge.facts import Facts
from truewatch_contract.judge.faults import (
    ANSWERS,
    FOLDED,
    KNOWN_FIELDS,
    MAY_APPLY,
    Expectation,
    Fault,
    SentBody,
    acceptance_rule,
    expectation_of,
    read_sent,
)
from truewatch_contract.redaction import Redactor
from truewatch_contract.rules.catalogue import (
    same_assignees,
    scope_of,
    status_records,
    violation,
)
from truewatch_contract.rules.echo import SentRequest
from truewatch_contract.rules.policy import Policy
from truewatch_contract.schema_engine import Engine
from truewatch_contract.validate import response_findings
from truewatch_contract.violations import Violation

#: The platform's rate-limit signal: 401 with one of these codes (a signal to wait and retry).
RATE_LIMIT_CODES = frozenset(
    {"ft.TriggerApiAkCurrentLimiting", "ft.TriggerApiWorkspaceCurrentLimiting"}
)
#: Rules still judged on a rate-limit answer (it says nothing else about the request).
_ON_RATE_LIMIT = frozenset({"behaviour.no-server-error", "behaviour.rate-limit-signal"})
_REMOTE = Policy()


def is_rate_limited(status: int, body: Any) -> bool:
    """Whether a response is the platform's rate-limit signal (401 + a limiting errorCode)."""
    return status == 401 and isinstance(body, dict) and body.get("errorCode") in RATE_LIMIT_CODES


def limit_code(body: Any) -> str | None:
    """The platform's rate-limit ``errorCode`` an answer carries (whatever its status), or None."""
    code = body.get("errorCode") if isinstance(body, dict) else None
    return code if code in RATE_LIMIT_CODES else None


@dataclasses.dataclass(frozen=True)
class Claim:
    """
    What another checker found about the exchange (Schemathesis' built-in checks), as a
    violation whose message is final. ``status_only``: the checker looked at the status alone,
    so the claim counts only where the judge finds the answer outside what the request allows.
    """

    violation: Violation
    status_only: bool = False


@dataclasses.dataclass(frozen=True)
class Verdict:
    """
    The judgement of one exchange.

    Attributes:
        expectation: the request's faults, assumed points and possible faults.
        checked: the rules evaluated on the answer (and the behaviour rules the request called).
        violations: the broken rules that fail (the policy relaxes the others).
        relaxed: the broken rules the policy relaxed: reported, not failed on.
        sent: the request's body as the judge read it; `request` the request rules it broke
            (every rule, none relaxed: they are about the input, not the target) and
            `request_checked` the ones evaluated.
        acceptable: whether the answer is one the contract allows for the request (its faults,
            possible faults and points; a success for a request without a fault).
        note: why some rules could not be judged (no answer, a rate-limit signal).
        content: the content of a success: the issue as it now is.
    """

    expectation: Expectation
    checked: tuple[str, ...] = ()
    violations: tuple[Violation, ...] = ()
    relaxed: tuple[Violation, ...] = ()
    sent: SentBody | None = None
    acceptable: bool = True
    note: str | None = None
    content: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def request(self) -> tuple[Violation, ...]:
        """The request rules the body broke (explained on first use)."""
        return self.sent.violations if self.sent is not None else ()

    @property
    def request_checked(self) -> tuple[str, ...]:
        return self.sent.checked if self.sent is not None else ()

    @property
    def faults(self) -> frozenset[Fault]:
        return self.expectation.faults

    @property
    def rules(self) -> list[str]:
        """The ids of the broken rules that fail, sorted."""
        return sorted({v.rule for v in self.violations})

    def describe(self, exchange: Exchange, redactor: Redactor, context: str = "") -> str:
        """The failure text: the request, every broken rule (id, pointer, message), a curl line."""
        status = "no answer" if exchange.status is None else f"HTTP {exchange.status}"
        head = (
            f"{exchange.method} {redactor.text(exchange.path)} -> {status}"
            f"{f' ({context})' if context else ''}: the contract is broken: "
            + ", ".join(self.rules)
        )
        lines = [head, *(f"  - {v.format_line()}" for v in self.violations)]
        if self.relaxed:
            relaxed = ", ".join(sorted({v.rule for v in self.relaxed}))
            lines.append(f"  (relaxed, not failing: {relaxed})")
        faults = self.expectation.names
        lines.append(f"  faults of the request: {', '.join(faults) if faults else 'none'}")
        ok, body = exchange.json_body()
        shown = (
            json.dumps(body, ensure_ascii=False)[:600] if ok else repr(exchange.response_body)[:300]
        )
        lines.append(f"  response body: {redactor.text(shown)}")
        lines.append(f"  reproduce: {exchange.curl(redactor)}")
        return "\n".join(lines)


def judge(
    exchange: Exchange,
    facts: Facts | None = None,
    *,
    policy: Policy = _REMOTE,
    previous: Mapping[str, Any] | None = None,
    concurrent: bool = False,
    claims: Iterable[Claim] = (),
    engine: Engine | None = None,
) -> Verdict:
    """
    Judge one exchange against the contract.

    Arguments:
        facts: what the caller knows of the target's keys and issues; a fact not given is
            unknown, and an answer some possible fault explains is acceptable.
        policy: which rules are relaxed (reported, not failed on); by default the ``assumed``
            ones, as against any target but the built-in mock.
        previous: the content of the issue's last successful update (the history rules).
        concurrent: another change of the issue was sent at the same moment; this one may lose
            the race with a 4xx error envelope (409 or another).
        claims: other checkers' findings about this exchange (see `Claim`).
        engine: the schema engine (see `truewatch_contract.validate`).
    """
    facts = facts if facts is not None else _NO_FACTS
    sent = read_sent(exchange, engine)
    expect = expectation_of(exchange, facts, sent, concurrent=concurrent)
    status = exchange.status
    if status is None:
        return Verdict(expect, sent=sent, note=f"network error: {exchange.error}")
    found: list[Violation] = []
    checked: list[str] = []
    is_json, body = exchange.json_body()
    faults = expect.faults
    lenient = bool(faults & _NOT_THE_ROUTE) and not isinstance(body, dict)
    # A request that should have been refused but got a 200 was applied: its answer is judged
    # as the update it was (content and history), so the caller's picture of the issue holds.
    applied = status == 200 and expect.known_issue and faults <= MAY_APPLY
    accepted = status == 200 and (not faults or applied)

    # The body as the target read it: of the readings a correct target may make (a repeated
    # name, a field name in another case), the one its answer shows.
    request_value = sent.value
    if accepted and sent.readings and isinstance(body, dict):
        why, request_value = _reading(sent, body.get("content"), previous if applied else None)
        if why == FOLDED:
            checked.append("behaviour.unknown-fields-ignored")
            found.append(_folded_applied(sent.value))

    # The envelope and content rules (the library), for every answer that carries JSON.
    if not lenient:
        library, evaluated, _ = response_findings(
            body if is_json else (exchange.response_body or b"").decode("utf-8", "replace"),
            status_code=status,
            request=request_value if accepted and sent.readable else None,
            # The request rules' findings matter only to a success (an invalid body accepted).
            request_read=(
                request_value,
                sent.violations if sent.invalid and status < 300 else (),
            ),
            issue_id=exchange.issue_id if accepted else None,
            previous=previous if applied else None,
            content_type=exchange.response_header("content-type") or "",
            requested_between=exchange.clock_window(),
            # The echo discount: a message may quote what the client itself sent.
            sent=SentRequest(path=exchange.path, body=exchange.request_body or b""),
            engine=engine,
            plain=is_json and exchange.json_body_plain,
        )
        if Fault.TOO_LARGE in faults and status != 200 and library:
            # An oversized body may never reach the API: a proxy's own answer (nginx's HTML
            # 413) is judged only by the assumed rule that asks for an error envelope there.
            found.append(_too_large_answer(library, status))
            checked.append("behaviour.body-too-large")
        else:
            found.extend(library)
            checked.extend(evaluated)

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
    for claim in claims:
        rule = claim.violation.rule
        if claim.status_only and acceptable:
            continue  # the answer is one the request allows: the judge has spoken
        if code is not None and rule not in _ON_RATE_LIMIT and scope_of(rule) == "behaviour":
            continue  # a rate-limit answer says nothing of the request
        found.append(claim.violation)
        checked.append(rule)
    content = None
    if status == 200 and isinstance(body, dict) and body.get("success") is True:
        candidate = body.get("content")
        content = candidate if isinstance(candidate, dict) else None
    failing, relaxed = policy.split(found) if found else _NOTHING_FOUND
    # Every field at once (as `Verdict(...)` would set them, one object.__setattr__ each).
    made = object.__new__(Verdict)
    made.__dict__.update(
        {
            "expectation": expect,
            "checked": _sorted(frozenset(checked)),
            "violations": failing,
            "relaxed": relaxed,
            "sent": sent,
            "acceptable": acceptable,
            "note": note,
            "content": content,
        }
    )
    return made


_NO_FACTS = Facts()
_NOT_THE_ROUTE = frozenset({Fault.METHOD, Fault.ROUTE})
_NOTHING_FOUND: tuple[tuple[Violation, ...], tuple[Violation, ...]] = ((), ())


def _reading(sent: SentBody, content: Any, previous: Any) -> tuple[str, Any]:
    """
    Which reading of the body the success's `content` shows: the first (the body as parsed
    here, then `SentBody.readings`) under which every field sent holds its value and every field
    not sent its `previous` one; the body as parsed when none fits (its rules then speak).
    """
    readings = (("sent", sent.value), *sent.readings)
    if not isinstance(content, dict):
        return readings[0]
    for why, value in readings:
        if isinstance(value, dict) and _shows(value, content, previous):
            return why, value
    return readings[0]


def _shows(value: dict[str, Any], content: dict[str, Any], previous: Any) -> bool:
    for name in KNOWN_FIELDS:
        if name in value:
            expected = value[name]
        elif isinstance(previous, dict):
            expected = previous.get(name)
        else:
            continue
        now = content.get(name)
        if not (same_assignees(now, expected) if name == "assigner" else now == expected):
            return False
    return True


def _folded_applied(sent: Any) -> Violation:
    """A field named in another case applied as the named field (Go's decoder does so)."""
    names = sorted(
        name for name in sent if name not in KNOWN_FIELDS and name.casefold() in _FOLDED_NAMES
    )
    return violation(
        "behaviour.unknown-fields-ignored",
        f"fields the page does not name are ignored, found {', '.join(names)} applied as "
        "the field of that name in another case (as Go's decoder matches names)",
    )


_FOLDED_NAMES = frozenset(name.casefold() for name in KNOWN_FIELDS)


def _too_large_answer(library: list[Violation], status: int) -> Violation:
    """The one finding about the answer to a body above 1 MiB that is no proper error envelope."""
    rules = ", ".join(sorted({v.rule for v in library}))
    return violation(
        "behaviour.body-too-large",
        f"a body above 1 MiB is answered with a 4xx error envelope, found HTTP {status} "
        f"with an answer that breaks {rules}",
    )


def _noop(sent: SentBody, body: Any, previous: Any, checked: list[str]) -> list[Violation]:
    """``behaviour.empty-body-noop``: ``{}`` leaves status, assignees and history as they were."""
    if sent.value != {} or not isinstance(body, dict) or not isinstance(previous, dict):
        return []
    content = body.get("content")
    if not isinstance(content, dict):
        return []
    checked.append("behaviour.empty-body-noop")
    changed = [
        name
        for name, same in (
            ("issueStatus", previous.get("issueStatus") == content.get("issueStatus")),
            ("assigner", same_assignees(previous.get("assigner"), content.get("assigner"))),
            (
                "extend/statusChangeRecords",
                status_records(previous) == status_records(content),
            ),
            ("updateAt", previous.get("updateAt") == content.get("updateAt")),
            ("updator", previous.get("updator") == content.get("updator")),
        )
        if not same
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


@functools.lru_cache(maxsize=256)
def _sorted(checked: frozenset[str]) -> tuple[str, ...]:
    """The rules checked, sorted: the same few sets come back exchange after exchange."""
    return tuple(sorted(checked))


@functools.lru_cache(maxsize=256)
def _fault_rules(faults: frozenset[Fault]) -> tuple[str, ...]:
    """The rules a wrong answer to a request with these faults breaks, sorted (one per rule)."""
    return tuple(sorted({r for f in faults if (r := ANSWERS[f].rule)}))


def _behaviour(
    expect: Expectation, status: int, body: Any, sent: SentBody, checked: list[str]
) -> tuple[list[Violation], bool]:
    """The behaviour rules of one answer, and whether the answer is an acceptable one."""
    error = isinstance(body, dict) and body.get("success") is False
    if expect.faults:
        rules = _fault_rules(expect.faults)
        checked.extend(rules)
        if status != 200 and expect.allows(status, error):
            return [], True
        what = ", ".join(ANSWERS[f].what for f in sorted(expect.faults))
        message = (
            f"a request with {what} is answered with {expect.describe()}, "
            f"never a success, found HTTP {status}"
        )
        return [violation(rule, message) for rule in rules], False
    rule = acceptance_rule(sent.value)
    checked.append(rule)
    if status == 200:
        return [], True
    # A fact the caller lacks (an unknown key or issue) explains the refusal: nothing broke.
    if any(ANSWERS[f].allows(status, error) for f in expect.possible):
        return [], True
    for point in sorted(expect.points):
        answers = ANSWERS[point]
        if answers.allows(status, error):
            if answers.rule is None:
                return [], True
            checked.append(answers.rule)
            message = f"{answers.what} is accepted (200), found HTTP {status}"
            return [violation(answers.rule, message)], True
    subject = "a valid body for a known issue" if expect.known_issue else "a valid body"
    allowed = "; ".join(
        f"{ANSWERS[p].describe()} ({ANSWERS[p].what})"
        for p in sorted({*expect.points, *expect.possible})
    )
    alternatives = f" (or {allowed})" if allowed else ""
    message = f"{subject} is answered 200{alternatives}, found HTTP {status}"
    return [violation(rule, message)], False
