"""
The library's rules as Schemathesis checks, and the suite's judgement of one exchange.

`judge` decides what a request called for (accepted, rejected, not found, ...) from the request
itself, then asks the library (`evaluate_response`, `validate_request`) for the envelope, content
and history rules and adds the ``behaviour.*`` rules that only a client sending requests can check.
The same judgement runs under pytest (the contract suite) and under ``st run``::

    SCHEMATHESIS_HOOKS=truewatch_contract.checks st run openapi/error-track.openapi.yaml --url ...

Importing this module registers the check `truewatch_contract` with Schemathesis. A failure raises
`ContractCheckFailed` (an `AssertionError`) whose message names every broken rule id.
"""

from __future__ import annotations

import dataclasses
import json
import os
import threading
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import schemathesis

from truewatch_contract.suite.config import DEFAULT_MAX_EXAMPLES, DEFAULT_SEED, Target
from truewatch_contract.suite.pacing import RATE_LIMIT_CODES, is_rate_limited
from truewatch_contract.suite.recording import (
    AUTH_HEADER,
    Recorder,
    Redactor,
    curl_command,
    request_record,
    response_record,
)
from truewatch_contract.violations import Violation

if TYPE_CHECKING:
    from truewatch_contract.violations import Evaluation

__all__ = [
    "ContractCheckFailed",
    "Exchange",
    "Expectation",
    "Policy",
    "Verdict",
    "configure",
    "judge",
    "limit_code",
    "truewatch_contract",
]

ROUTE_PREFIX = "/api/v1/error_track/"
ROUTE_SUFFIX = "/update"


class Expectation:
    """What a request calls for, judged from the request alone."""

    ACCEPT = "accept"  # valid key, valid body, the test issue: 200 and the update applied
    VALID = "valid"  # valid key and body, an issue the suite cannot tell apart: 200 or 404
    UNKNOWN = "unknown"  # valid key and body, an unknown issue: 404
    FOREIGN = "foreign"  # valid key and body, an issue of another workspace: 404 as unknown
    AUTH = "auth"  # missing or wrong key, valid body: 401 or 403
    ISOLATED = "isolated"  # another workspace's key on our issue: 401, 403 or 404
    REJECT = "reject"  # an invalid body (or several faults at once): a 4xx error envelope
    MEDIA = "media-type"  # a valid body declared as another media type: a 4xx error envelope
    EITHER = "either"  # a valid JSON body sent without a Content-Type: 200 or a 4xx envelope
    TOO_LARGE = "too-large"  # a body above 1 MiB: a 4xx error envelope (assumed), never a 5xx
    METHOD = "method"  # another method on the route: a 4xx
    ROUTE = "route"  # an empty issue_id, the route itself does not match: a 4xx


@dataclasses.dataclass(frozen=True)
class Policy:
    """What the judge knows about the target: its keys and issues, and what is relaxed."""

    api_key: str | None = None
    issue_ids: frozenset[str] = frozenset()
    foreign_issue_id: str | None = None
    relaxed: frozenset[str] = frozenset({"assumed"})

    @classmethod
    def from_target(cls, target: Target, aliases: Iterable[str] = ()) -> Policy:
        ids = {target.issue_id, *aliases} - {""}
        return cls(
            api_key=target.api_key or None,
            issue_ids=frozenset(ids),
            foreign_issue_id=target.foreign_issue_id,
            relaxed=target.relaxed,
        )

    def is_relaxed(self, violation: Violation) -> bool:
        return violation.rule in self.relaxed or violation.tag in self.relaxed

    def __repr__(self) -> str:
        return (
            f"Policy(issue_ids={sorted(self.issue_ids)!r}, "
            f"foreign_issue_id={self.foreign_issue_id!r}, relaxed={sorted(self.relaxed)!r})"
        )


@dataclasses.dataclass(frozen=True)
class Exchange:
    """One request and its answer, as sent and received on the wire."""

    method: str
    url: str
    request_headers: Mapping[str, str]
    request_body: bytes | None
    status: int | None
    response_headers: Mapping[str, str]
    response_body: bytes | None
    elapsed_ms: float = 0.0
    error: str | None = None
    # The client's clock (epoch seconds) when the request left and the answer came back; set
    # by the contract suite, None elsewhere (the clock rules then do not apply).
    sent_at: float | None = None
    received_at: float | None = None

    def clock_window(self) -> tuple[float, float] | None:
        """The client's clock around the request, for the library's clock rules."""
        if self.sent_at is None or self.received_at is None:
            return None
        return (self.sent_at, max(self.sent_at, self.received_at))

    @property
    def path(self) -> str:
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    @property
    def issue_id(self) -> str | None:
        """The route's issue_id (decoded), or None when the path is not the update route."""
        path = urlsplit(self.url).path
        if not (path.startswith(ROUTE_PREFIX) and path.endswith(ROUTE_SUFFIX)):
            return None
        segment = path[len(ROUTE_PREFIX) : -len(ROUTE_SUFFIX)]
        return unquote(segment) if len(path) >= len(ROUTE_PREFIX) + len(ROUTE_SUFFIX) else None

    def header(self, name: str) -> str | None:
        lower = name.lower()
        for key, value in self.request_headers.items():
            if key.lower() == lower:
                return value
        return None

    def response_header(self, name: str) -> str | None:
        lower = name.lower()
        for key, value in self.response_headers.items():
            if key.lower() == lower:
                return value
        return None

    def json_body(self) -> tuple[bool, Any]:
        """``(True, value)`` when the response body is JSON, else ``(False, None)``."""
        if not self.response_body:
            return False, None
        try:
            return True, json.loads(self.response_body)
        except (ValueError, RecursionError):
            return False, None

    def sent_json(self) -> tuple[bool, Any]:
        """``(True, value)`` when the request body is JSON (an empty body is not)."""
        if not self.request_body:
            return False, None
        try:
            return True, json.loads(self.request_body)
        except (ValueError, RecursionError):
            return False, None

    @classmethod
    def from_requests(cls, response: Any) -> Exchange:
        """Build from a ``requests.Response`` (or Schemathesis' `Response`, which wraps one)."""
        request = response.request
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        elapsed = response.elapsed
        elapsed_ms = elapsed.total_seconds() * 1000 if hasattr(elapsed, "total_seconds") else 0.0
        if isinstance(elapsed, (int, float)):
            elapsed_ms = float(elapsed) * 1000
        headers = response.headers
        flat = {
            str(k): (", ".join(v) if isinstance(v, list) else str(v)) for k, v in headers.items()
        }
        content = response.content
        return cls(
            method=str(request.method),
            url=str(request.url),
            request_headers={str(k): _text(v) for k, v in request.headers.items()},
            request_body=body,
            status=int(response.status_code),
            response_headers=flat,
            response_body=content if isinstance(content, bytes) else None,
            elapsed_ms=elapsed_ms,
        )


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The judgement of one exchange."""

    expectation: str
    checked: tuple[str, ...]
    violations: tuple[Violation, ...]
    relaxed: tuple[Violation, ...]
    note: str | None = None
    content: Any = None  # the content of any success for the test issue (its latest state)

    @property
    def ok(self) -> bool:
        return not self.violations


def _rule_tag(rule: str) -> str:
    from truewatch_contract.rules import RULES

    return RULES[rule].tag


def violation(rule: str, message: str, pointer: str = "") -> Violation:
    """A violation of a catalogued rule (its tag read from the catalogue)."""
    return Violation(rule=rule, pointer=pointer, message=message, tag=_rule_tag(rule))


def expectation_of(exchange: Exchange, policy: Policy, header_negative: bool = False) -> str:
    """What the request calls for (an `Expectation` value), from the request alone."""
    from truewatch_contract import validate_request

    if exchange.method.upper() != "POST":
        return Expectation.METHOD
    issue_id = exchange.issue_id
    if not issue_id or issue_id in (".", "..") or "/" in issue_id:
        # No issue_id, or one a proxy may fold into another path: the route itself is in doubt.
        return Expectation.ROUTE
    key = exchange.header(AUTH_HEADER)
    if policy.api_key is not None:
        key_ok = key == policy.api_key
    else:
        key_ok = bool(key) and not header_negative
    is_json, body = exchange.sent_json()
    body_ok = is_json and not validate_request(body)
    media = (exchange.header("content-type") or "").split(";")[0].strip().lower()
    if not body_ok:
        return Expectation.REJECT
    if not key_ok:
        return Expectation.AUTH
    if not media:
        return Expectation.EITHER
    if media != "application/json":
        return Expectation.MEDIA
    if policy.foreign_issue_id is not None and issue_id == policy.foreign_issue_id:
        return Expectation.FOREIGN
    if issue_id in policy.issue_ids:
        return Expectation.ACCEPT
    if not policy.issue_ids:
        return Expectation.VALID
    return Expectation.UNKNOWN


def _is_error_envelope(body: Any) -> bool:
    return isinstance(body, dict) and body.get("success") is False


def _status_text(status: int | None) -> str:
    return "no answer" if status is None else f"HTTP {status}"


def judge(
    exchange: Exchange,
    policy: Policy,
    *,
    previous: Any = None,
    expectation: str | None = None,
    header_negative: bool = False,
) -> Verdict:
    """
    Judge one exchange against the contract.

    Arguments:
        previous: the content of the last successful update of the same issue (history rules).
        expectation: override what the request calls for (scenarios know better than the request,
            e.g. an issue of another workspace sent with the foreign key).
    """
    from truewatch_contract import evaluate_response

    expect = expectation or expectation_of(exchange, policy, header_negative)
    status = exchange.status
    if status is None:
        return Verdict(expect, (), (), (), note=f"network error: {exchange.error}")
    found: list[Violation] = []
    checked: list[str] = []
    is_json, body = exchange.json_body()
    rate_limited = is_rate_limited(status, body)
    lenient = expect in (Expectation.METHOD, Expectation.ROUTE) and not isinstance(body, dict)
    # A request that should have been refused but got a 200 was applied: its answer is judged
    # as the update it was (content and history), so the suite's picture of the issue holds.
    applied = status == 200 and expect in _MAY_APPLY

    # The envelope and content rules (the library), for every answer that carries JSON.
    if not lenient:
        sent_ok, sent = exchange.sent_json()
        accepted = expect in (Expectation.ACCEPT, Expectation.VALID, Expectation.EITHER) or applied
        evaluation: Evaluation = evaluate_response(
            body if is_json else (exchange.response_body or b"").decode("utf-8", "replace"),
            status_code=status,
            request=sent if (accepted and sent_ok and status == 200) else None,
            issue_id=exchange.issue_id if accepted and status == 200 else None,
            previous=previous if applied else None,
            content_type=exchange.response_header("content-type") or "",
            requested_between=exchange.clock_window(),
            include_assumed=True,
        )
        library = [*evaluation.violations, *evaluation.relaxed]
        if expect == Expectation.TOO_LARGE and status != 200:
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
    if rate_limited:
        checked.append("behaviour.rate-limit-signal")
        note = "rate limited after the retries: the expected behaviour was not checked"
    elif limit_code(body) and status == 429:
        # The platform's limit codes on another status: the documented signal is 401, so this
        # is a broken rate-limit signal, not a rejected valid request.
        checked.append("behaviour.rate-limit-signal")
        found.append(
            violation(
                "behaviour.rate-limit-signal",
                f"a rate-limited request is answered 401 with {limit_code(body)}, "
                f"found HTTP {status}",
            )
        )
        note = "rate limited (HTTP 429): the expected behaviour was not checked"
    elif status < 500:
        found.extend(_behaviour(expect, status, body, checked, exchange.sent_json()[1]))
    if expect == Expectation.ACCEPT and status == 200 and previous is not None:
        found.extend(_noop(exchange.sent_json()[1], body, previous, checked))
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
    )


#: Expectations whose request, when answered 200, was applied to the test issue.
_MAY_APPLY = frozenset({Expectation.ACCEPT, Expectation.MEDIA, Expectation.TOO_LARGE})


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


KNOWN_FIELDS = frozenset({"issueStatus", "assigner"})


def acceptance_rule(sent: Any) -> str:
    """
    The rule that asks a valid body to be accepted: ``{}`` and unknown fields are valid by the
    spec, but their acceptance is the project's assumption (tagged ``assumed``).
    """
    if isinstance(sent, dict):
        if not sent:
            return "behaviour.empty-body-noop"
        if set(sent) - KNOWN_FIELDS:
            return "behaviour.unknown-fields-ignored"
    return "behaviour.valid-body-accepted"


def _history(content: Any) -> list[Any] | None:
    if not isinstance(content, dict):
        return None
    extend = content.get("extend")
    records = extend.get("statusChangeRecords") if isinstance(extend, dict) else None
    return records if isinstance(records, list) else None


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
            ("extend/statusChangeRecords", _history(previous), _history(content)),
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
    expect: str, status: int, body: Any, checked: list[str], sent: Any = None
) -> list[Violation]:
    error = _is_error_envelope(body)
    four = 400 <= status < 500
    out: list[Violation] = []

    def need(rule: str, ok: bool, message: str) -> None:
        checked.append(rule)
        if not ok:
            out.append(violation(rule, message))

    if expect == Expectation.ACCEPT:
        need(
            acceptance_rule(sent),
            status == 200,
            f"a valid body for the test issue is answered 200, found HTTP {status}",
        )
    elif expect == Expectation.VALID:
        need(
            acceptance_rule(sent),
            status in (200, 404),
            f"a valid body is answered 200 (or 404 for an unknown issue), found HTTP {status}",
        )
    elif expect == Expectation.EITHER:
        need(
            "behaviour.media-type-rejected",
            status == 200 or (four and error),
            f"a body sent without a Content-Type is accepted or rejected with a 4xx error "
            f"envelope, found HTTP {status}",
        )
    elif expect == Expectation.UNKNOWN:
        need(
            "behaviour.unknown-issue",
            status == 404 and error,
            f"an unknown issue_id is answered 404 with an error envelope, found HTTP {status}",
        )
    elif expect == Expectation.FOREIGN:
        need(
            "behaviour.workspace-isolation",
            status == 404 and error,
            f"an issue of another workspace is answered 404 like an unknown one, "
            f"found HTTP {status}",
        )
    elif expect == Expectation.ISOLATED:
        need(
            "behaviour.workspace-isolation",
            status in (401, 403, 404) and error,
            f"another workspace's key on this issue is answered 401, 403 or 404 with an error "
            f"envelope, found HTTP {status}",
        )
    elif expect == Expectation.AUTH:
        need(
            "behaviour.auth-required",
            status in (401, 403) and error,
            f"a missing or invalid DF-API-KEY is answered 401 or 403 with an error envelope, "
            f"found HTTP {status}",
        )
    elif expect == Expectation.REJECT:
        need(
            "behaviour.invalid-body-rejected",
            four and error,
            f"an invalid request is answered with a 4xx error envelope, found HTTP {status}",
        )
    elif expect == Expectation.MEDIA:
        need(
            "behaviour.media-type-rejected",
            four and error,
            f"a body declared as another media type than application/json is answered with a "
            f"4xx error envelope, found HTTP {status}",
        )
    elif expect == Expectation.TOO_LARGE:
        need(
            "behaviour.body-too-large",
            four and error,
            f"a body above 1 MiB is answered with a 4xx error envelope, found HTTP {status}",
        )
    elif expect == Expectation.METHOD:
        need(
            "behaviour.method-not-allowed",
            four,
            f"a method other than POST is answered with a 4xx, found HTTP {status}",
        )
    elif expect == Expectation.ROUTE:
        need(
            "behaviour.unknown-issue",
            four,
            f"an empty issue_id (no such route) is answered with a 4xx, found HTTP {status}",
        )
    return out


def _split(
    found: Iterable[Violation], policy: Policy
) -> tuple[tuple[Violation, ...], tuple[Violation, ...]]:
    unique = sorted(set(found))
    failing = tuple(v for v in unique if not policy.is_relaxed(v))
    relaxed = tuple(v for v in unique if policy.is_relaxed(v))
    return failing, relaxed


def describe(verdict: Verdict, exchange: Exchange, redactor: Redactor, context: str = "") -> str:
    """The failure message: the request, every broken rule (id, pointer, message), a curl line."""
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


# --- Schemathesis integration -------------------------------------------------------------------


@dataclasses.dataclass
class _Active:
    """The check's configuration: set by the contract suite, else read from the environment."""

    policy: Policy
    redactor: Redactor
    recorder: Recorder | None
    record_in_check: bool
    # The suite judges each exchange once and hands the verdict to the check through this slot.
    pending: tuple[int, Verdict] | None = None


_ACTIVE: _Active | None = None
_LOCK = threading.Lock()


def configure(
    policy: Policy, redactor: Redactor, recorder: Recorder | None, *, record_in_check: bool
) -> None:
    """Set what the check judges against (the contract suite calls this for its session)."""
    global _ACTIVE
    with _LOCK:
        _ACTIVE = _Active(policy, redactor, recorder, record_in_check)


def hand_over(response: Any, verdict: Verdict) -> None:
    """Give the check a verdict already computed for `response` (judged once, not twice)."""
    active = _active()
    active.pending = (id(response), verdict)


def _from_env() -> _Active:
    """Outside the suite (``st run``): the target from ``TRUEWATCH_*``, ``assumed`` relaxed."""
    from truewatch_contract.suite.config import STRICT, RateLimit, check_record_path, parse_relax

    env = os.environ
    relax = parse_relax((env.get("TRUEWATCH_RELAX") or "").strip() or None)
    strict = STRICT in relax
    if env.get("TRUEWATCH_RATE_LIMIT"):
        RateLimit.parse(env["TRUEWATCH_RATE_LIMIT"])  # a bad value is an error here too
    api_key = (env.get("TRUEWATCH_API_KEY") or "").strip() or None
    foreign_key = (env.get("TRUEWATCH_FOREIGN_API_KEY") or "").strip() or None
    issue = (env.get("TRUEWATCH_ISSUE_ID") or "").strip()
    policy = Policy(
        api_key=api_key,
        issue_ids=frozenset({issue} - {""}),
        foreign_issue_id=(env.get("TRUEWATCH_FOREIGN_ISSUE_ID") or "").strip() or None,
        relaxed=frozenset() if strict else relax | {"assumed"},
    )
    redactor = Redactor([api_key, foreign_key])
    record = (env.get("TRUEWATCH_RECORD") or "").strip()
    recorder = Recorder(check_record_path(record), redactor) if record else None
    if recorder is not None:
        recorder.run(
            target=(env.get("TRUEWATCH_BASE_URL") or "st run").strip(),
            mutant=None,
            seed=int(env.get("TRUEWATCH_SEED") or DEFAULT_SEED),
            max_examples=int(env.get("TRUEWATCH_MAX_EXAMPLES") or DEFAULT_MAX_EXAMPLES),
            relaxed=policy.relaxed,
        )
    return _Active(policy, redactor, recorder, record_in_check=True)


def _active() -> _Active:
    global _ACTIVE
    with _LOCK:
        if _ACTIVE is None:
            _ACTIVE = _from_env()
        return _ACTIVE


def case_context(case: Any) -> tuple[str, str | None, bool]:
    """``(phase, mode, header negative)`` of a Schemathesis case (its metadata, when it has any)."""
    meta = getattr(case, "meta", None)
    if meta is None:
        return "examples", None, False
    phase = str(meta.phase.name.value)
    mode = "negative" if meta.generation.mode.is_negative else "positive"
    from schemathesis.core.parameters import ParameterLocation

    header_negative = bool(meta.is_negative_at(ParameterLocation.HEADER))
    return phase, mode, header_negative


def record_exchange(
    recorder: Recorder | None,
    exchange: Exchange,
    verdict: Verdict,
    redactor: Redactor,
    *,
    test: str,
    phase: str,
    mode: str | None,
    extra: Iterable[Violation] = (),
) -> None:
    """Append an ``exchange`` line (no-op without a record)."""
    if recorder is None or not recorder.enabled:
        return
    response = None
    if exchange.status is not None:
        response = response_record(
            exchange.status, exchange.response_headers, exchange.response_body, exchange.elapsed_ms
        )
    recorder.exchange(
        test=test,
        phase=phase,
        mode=mode,
        request=request_record(
            exchange.method,
            exchange.path,
            exchange.request_headers,
            exchange.request_body,
            redactor,
        ),
        response=response,
        error=exchange.error,
        checked=verdict.checked,
        violations=[v.to_dict() for v in (*verdict.violations, *extra)],
        relaxed_violations=[v.to_dict() for v in verdict.relaxed],
        curl=curl_command(
            exchange.method, exchange.url, exchange.request_headers, exchange.request_body, redactor
        ),
    )


@schemathesis.check
def truewatch_contract(ctx: Any, response: Any, case: Any) -> bool | None:
    """
    The contract of the update: envelope, content and behaviour rules (``truewatch_contract``).

    Relaxed rules (``TRUEWATCH_RELAX``; ``assumed`` unless ``TRUEWATCH_RELAX=none``) are reported
    in the record but do not fail.
    """
    active = _active()
    pending = active.pending
    exchange = Exchange.from_requests(response)
    phase, mode, header_negative = case_context(case)
    if pending is not None and pending[0] == id(response):
        verdict = pending[1]
    else:
        verdict = judge(exchange, active.policy, header_negative=header_negative)
        if active.record_in_check:
            record_exchange(
                active.recorder,
                exchange,
                verdict,
                active.redactor,
                test=str(getattr(case.operation, "label", "")),
                phase=phase,
                mode=mode,
            )
    if verdict.violations:
        raise ContractCheckFailed(
            describe(verdict, exchange, active.redactor, f"{mode or 'explicit'}, {phase}"), verdict
        )
    return None
