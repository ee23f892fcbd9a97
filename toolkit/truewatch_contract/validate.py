"""
The public validators: request bodies, response envelopes and the update's invariants.

Each function returns data (`Violation` s, or an `Evaluation` that also says which rules were
checked); the ``assert_valid_*`` helpers raise `ContractViolation` for test code.

Which schema applies to a response: one that claims success consistently (every sign given says
so: the HTTP status is 200, ``code`` is 200, ``success`` is true) is checked as
``UpdateIssueResponse`` with the envelope and content rules; any other response as an envelope
(``ErrorEnvelope`` for the documented error statuses) with the envelope rules only. So an error
dressed as a success (HTTP 200 with ``success: false``) gives ``envelope.success-matches-code``,
not a flood of content violations. ``previous`` (the content of an earlier success for the same
issue) turns on the history rules.

Options common to every function:
    include_assumed: also report rules tagged ``assumed`` (off by default).
    relax: rule ids or tags (``documented``, ``observed``, ``assumed``) not to report; what they
        would have reported is kept in ``Evaluation.relaxed``.
    engine: ``auto`` (default: jsonschema-rs when installed), ``jsonschema`` or ``jsonschema-rs``;
        every engine gives the same violations.

A body (a request body, a response, ``request=``) given as ``str`` or ``bytes`` is the body's text,
parsed as the mock reads a request: UTF-8 without a byte-order mark for bytes (``request.utf8`` /
``envelope.json`` otherwise), strict JSON (no NaN), any depth above `jsonscan.MAX_DEPTH` one
violation; any other value is the body already parsed.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Mapping
from typing import Any

from truewatch_contract import schema_engine
from truewatch_contract.jsonscan import JSONTextError, read_json, read_text, scan
from truewatch_contract.rules.catalogue import RULES, violation
from truewatch_contract.rules.context import RuleContext, is_int, is_number
from truewatch_contract.rules.echo import SentRequest
from truewatch_contract.rules.policy import Policy
from truewatch_contract.rules.table import PYTHON_RULES, Check
from truewatch_contract.schema_engine import Engine
from truewatch_contract.violations import (
    TAGS,
    ContractViolation,
    Evaluation,
    Violation,
    kind,
)

__all__ = [
    "SentRequest",
    "assert_valid_envelope",
    "assert_valid_request",
    "assert_valid_response",
    "evaluate_envelope",
    "evaluate_request",
    "evaluate_response",
    "implemented_rules",
    "is_relaxable",
    "read_body",
    "read_previous",
    "read_request",
    "request_findings",
    "request_is_valid",
    "response_findings",
    "validate_envelope",
    "validate_request",
    "validate_response",
]


# --- requests ------------------------------------------------------------------------------------


def evaluate_request(
    body: Any,
    *,
    issue_id: Any = None,
    include_assumed: bool = False,
    relax: Iterable[str] = (),
    engine: Engine | None = None,
) -> Evaluation:
    """
    Check a request body (its text as ``str`` or ``bytes``, or the parsed JSON) and, when given,
    the route's ``issue_id``.

    Raises:
        TypeError: ``body`` or ``issue_id`` holds a value that is not JSON (a set, ...).
        ValueError: an unknown ``relax`` item or engine.
    """
    policy = Policy.of(relax, include_assumed=include_assumed)
    return _apply(policy, request_findings(body, issue_id, engine))


def validate_request(
    body: Any,
    *,
    issue_id: Any = None,
    include_assumed: bool = False,
    relax: Iterable[str] = (),
    engine: Engine | None = None,
) -> list[Violation]:
    """The violations of a request body (see `evaluate_request`); [] when it is valid."""
    policy = Policy.of(relax, include_assumed=include_assumed)
    return _report(policy, request_findings(body, issue_id, engine)[0])


#: What a check found (violations before the policy), which rules it evaluated, and which would
#: have applied but could not be evaluated, with the reason. A plain tuple: this is the hot path.
_Findings = tuple[list[Violation], set[str], tuple[tuple[str, str], ...]]
_NONE_UNCHECKED: tuple[tuple[str, str], ...] = ()


def request_findings(body: Any, issue_id: Any = None, engine: Engine | None = None) -> _Findings:
    """
    Every request rule's findings (before any policy): the violations, the rules evaluated, and
    none unchecked. The judge of an exchange calls this once per request.
    """
    return read_request(body, issue_id, engine)[1]


@dataclasses.dataclass(frozen=True)
class Unreadable:
    """
    What `read_request` gives instead of a value for a body that is no JSON text, and why:
    ``encoding``, ``syntax`` or ``depth`` (`jsonscan.JSONTextError.kind`), or ``value`` (a parsed
    value that JSON cannot hold, such as NaN).
    """

    kind: str


#: The body is no JSON text (any reason).
UNREADABLE = Unreadable("syntax")


def read_request(
    body: Any, issue_id: Any = None, engine: Engine | None = None
) -> tuple[Any, _Findings]:
    """
    ``(value, findings)``: a request body read (`read_body`) and checked once.
    """
    value, found, checked = read_body(body)
    if isinstance(value, Unreadable):
        return value, (found, checked, _NONE_UNCHECKED)
    if issue_id is not None:
        checked.add("request.issue-id")
        if scan(issue_id):
            found.append(violation("request.issue-id", "the route's issue_id must be a string."))
        else:
            found.extend(schema_engine.validate("issue-id", issue_id, engine=engine))
    found.extend(schema_engine.validate("request", value, engine=engine))
    return value, (found, checked, _NONE_UNCHECKED)


def read_body(body: Any) -> tuple[Any, list[Violation], set[str]]:
    """
    A request body read, not yet validated: ``(value, violations, checked)``. Text (``str`` or
    ``bytes``) is parsed; the value is an `Unreadable` (with its one violation) when the body
    is no JSON text or holds a value JSON cannot. `checked` names the request rules the body's
    shape calls for.
    """
    checked = {"request.body-object"}
    if isinstance(body, (bytes, bytearray, str)):
        if not isinstance(body, str):
            checked.add("request.utf8")
        try:
            body = read_text(body) if isinstance(body, str) else read_json(bytes(body))
        except JSONTextError as error:
            rule = "request.utf8" if error.kind == "encoding" else "request.body-object"
            return Unreadable(error.kind), [_unreadable(rule, error, "the body")], checked
    else:
        findings = scan(body)
        if findings:
            found = _not_json("request.body-object", findings, "the body")
            kind = "depth" if findings[0].problem.startswith("nesting") else "value"
            return Unreadable(kind), found, checked
    if isinstance(body, dict):
        if "issueStatus" in body:
            checked.add("request.issue-status")
        if "assigner" in body:
            checked.add("request.assigner")
    return body, [], checked


def request_is_valid(value: Any, engine: Engine | None = None) -> bool:
    """Whether a body read by `read_body` keeps the request rules (the fast question)."""
    return not isinstance(value, Unreadable) and schema_engine.is_valid(
        "request", value, engine=engine
    )


def _unreadable(rule: str, error: JSONTextError, what: str) -> Violation:
    """The one violation of a raw body that is no JSON text (bad encoding, syntax, depth)."""
    if error.kind == "encoding":
        return violation(
            rule, f"{what} must be JSON text in UTF-8 without a byte-order mark, found {error}."
        )
    return violation(rule, f"{what} must be plain JSON, found {error}.")


# --- responses -----------------------------------------------------------------------------------


def evaluate_response(
    envelope: Any,
    *,
    status_code: int | None = None,
    request: Any = None,
    issue_id: Any = None,
    previous: Any = None,
    content_type: str | None = None,
    requested_between: tuple[float, float] | None = None,
    sent: SentRequest | None = None,
    include_assumed: bool = False,
    relax: Iterable[str] = (),
    engine: Engine | None = None,
) -> Evaluation:
    """
    Check a response of the update: the envelope, and for a success its content.

    Arguments:
        envelope: the response body: its text (``str`` or ``bytes``) or the parsed JSON.
        status_code: the HTTP status (enables ``envelope.code-matches-status``).
        request: the body that was sent: its text (``str`` or ``bytes``) or the parsed JSON
            (enables ``content.status-applied`` and ``content.assigner-applied`` when it is an
            object). A body that `validate_request` rejects, answered as a success (a 2xx
            status, or with no status an envelope that claims success), breaks
            ``behaviour.invalid-body-rejected`` (pointer ""), the one behaviour rule a single
            exchange decides; the content is then not compared with it.
        issue_id: the route's issue_id, a string (enables ``content.same-issue``).
        previous: the content object of an earlier successful response for the same issue (its
            whole success envelope is accepted too); enables the ``history.*`` rules. Any other
            object (an error's envelope, a request body, ``{}``) leaves them in
            ``Evaluation.unchecked``, with the reason.
        content_type: the response's Content-Type header (``envelope.json``).
        requested_between: the caller's clock (epoch seconds) when the request was sent and when
            the answer arrived; with ``previous``, a new status record's time and ``updateAt``
            must lie within it, give or take `history.CLOCK_TOLERANCE_S`.
        sent: the raw request (`SentRequest`: path and body as sent): what the message may echo
            without it counting as internal detail (``envelope.no-internal-detail``).

    Raises:
        TypeError: ``envelope`` or ``request`` holds a value that is not JSON (a set, ...);
            ``issue_id`` is not a string; ``previous`` is not an object (e.g. ``"x"``, ``[1]``);
            ``sent`` is not a `SentRequest`.
        ValueError: an unknown ``relax`` item or engine.
    """
    policy = Policy.of(relax, include_assumed=include_assumed)
    return _apply(
        policy,
        response_findings(
            envelope,
            status_code=status_code,
            request=request,
            issue_id=issue_id,
            previous=previous,
            content_type=content_type,
            requested_between=requested_between,
            sent=sent,
            engine=engine,
        ),
    )


def validate_response(
    envelope: Any,
    *,
    status_code: int | None = None,
    request: Any = None,
    issue_id: Any = None,
    previous: Any = None,
    content_type: str | None = None,
    requested_between: tuple[float, float] | None = None,
    sent: SentRequest | None = None,
    include_assumed: bool = False,
    relax: Iterable[str] = (),
    engine: Engine | None = None,
) -> list[Violation]:
    """The violations of a response of the update (see `evaluate_response`); [] when valid."""
    policy = Policy.of(relax, include_assumed=include_assumed)
    found = response_findings(
        envelope,
        status_code=status_code,
        request=request,
        issue_id=issue_id,
        previous=previous,
        content_type=content_type,
        requested_between=requested_between,
        sent=sent,
        engine=engine,
    )
    return _report(policy, found[0])


def evaluate_envelope(
    envelope: Any,
    *,
    status_code: int | None = None,
    content_type: str | None = None,
    sent: SentRequest | None = None,
    include_assumed: bool = False,
    relax: Iterable[str] = (),
    engine: Engine | None = None,
) -> Evaluation:
    """Check only the envelope rules, for a response of any endpoint of the same API."""
    policy = Policy.of(relax, include_assumed=include_assumed)
    return _apply(
        policy,
        response_findings(
            envelope,
            full=False,
            status_code=status_code,
            content_type=content_type,
            sent=sent,
            engine=engine,
        ),
    )


def validate_envelope(
    envelope: Any,
    *,
    status_code: int | None = None,
    content_type: str | None = None,
    sent: SentRequest | None = None,
    include_assumed: bool = False,
    relax: Iterable[str] = (),
    engine: Engine | None = None,
) -> list[Violation]:
    """The violations of the envelope rules alone (see `evaluate_envelope`); [] when valid."""
    policy = Policy.of(relax, include_assumed=include_assumed)
    found = response_findings(
        envelope,
        full=False,
        status_code=status_code,
        content_type=content_type,
        sent=sent,
        engine=engine,
    )
    return _report(policy, found[0])


#: ``request_read`` of `response_findings`: the request was not read by the caller.
_NOT_READ: Any = object()


def response_findings(
    envelope: Any,
    *,
    full: bool = True,
    status_code: int | None = None,
    request: Any = None,
    request_read: Any = _NOT_READ,
    issue_id: Any = None,
    previous: Any = None,
    content_type: str | None = None,
    requested_between: tuple[float, float] | None = None,
    sent: SentRequest | None = None,
    engine: Engine | None = None,
    plain: bool = False,
) -> _Findings:
    """
    Every finding about a response, before any policy (see `evaluate_response`); ``full``: with
    content and history (else the envelope alone).

    The judge of an exchange, which has already read the request with `read_request`, passes
    that reading as ``request_read`` (``(value, its violations)``; an `Unreadable` value for a
    body that is no JSON text), so the request is never validated twice. ``plain``: the caller
    parsed `envelope` from a text that `jsonscan.loads_plain` vouches for, so it is not scanned
    again (the judge parses each answer once, see `Exchange.json_body_plain`).
    """
    if status_code is not None and (
        isinstance(status_code, bool) or not isinstance(status_code, int)
    ):
        raise TypeError(f"status_code must be an int or None, not {type(status_code).__name__}")
    if sent is not None and not isinstance(sent, SentRequest):
        raise TypeError(f"sent must be a SentRequest or None, not {type(sent).__name__}")
    # The context arguments are the caller's: a wrong type is a bug, raised before any rule.
    unchecked = _NONE_UNCHECKED
    if full:
        if previous is not None:
            previous, reason = read_previous(previous)
            if reason:
                unchecked = tuple((rule, reason) for rule in _history_rules())
        if issue_id is not None and not isinstance(issue_id, str):
            raise TypeError(
                "issue_id must be the route's issue_id (a string) or None, "
                f"not {type(issue_id).__name__}"
            )
        if request is not None and request_read is _NOT_READ and not _is_text(request):
            _json_argument("request", request)
        if requested_between is not None and not (
            isinstance(requested_between, tuple)
            and len(requested_between) == 2
            and all(is_number(t) for t in requested_between)
            and requested_between[0] <= requested_between[1]
        ):
            raise TypeError(
                "requested_between must be (sent, received) epoch seconds with sent <= received"
            )
    checked = {"envelope.json"}
    if isinstance(envelope, (bytes, bytearray, str)):
        try:
            envelope = (
                read_text(envelope) if isinstance(envelope, str) else read_json(bytes(envelope))
            )
        except JSONTextError as error:
            return ([_unreadable("envelope.json", error, "the response")], checked, _NONE_UNCHECKED)
    elif not plain:
        findings = scan(envelope)
        if findings:
            return (_not_json("envelope.json", findings, "the response"), checked, _NONE_UNCHECKED)
    if not isinstance(envelope, dict):
        found = [
            violation(
                "envelope.json", f"the response must be a JSON object, found {kind(envelope)}."
            )
        ]
        if content_type is not None:
            found.extend(
                PYTHON_RULES["envelope.json"](RuleContext({}, content_type=content_type)) or ()
            )
        return (found, checked, _NONE_UNCHECKED)

    success = full and _claims_success(envelope, status_code)
    rejected: list[Violation] = []
    if full and request is not None:
        answered_ok = success or _is_2xx(status_code)
        if request_read is _NOT_READ and (answered_ok or _is_text(request)):
            value, request_found = read_request(request, None, engine)
            request_read = (value, request_found[0])
        if request_read is not _NOT_READ:
            value, request_violations = request_read
            request = None if isinstance(value, Unreadable) else value
            if answered_ok and request_violations:
                # A body the request rules reject was answered as a success: that is the one
                # finding (behaviour.invalid-body-rejected); the rules comparing the content
                # with what was sent have no valid value to compare with, so they do not apply.
                rejected = list(request_violations)
                request = None
    if success:
        schema_name = "success"
    elif status_code is not None and status_code in _error_statuses():
        schema_name = "error"
    else:
        schema_name = "envelope"
    schema_found = schema_engine.validate(schema_name, envelope, engine=engine)
    checked.update(("envelope.fields", "envelope.trace-id"))
    if success:
        checked.add("content.schema")

    context = RuleContext(
        envelope,
        status_code=status_code,
        request=request,
        issue_id=issue_id,
        previous=previous,
        content_type=content_type,
        requested_between=requested_between,
        success=success,
        flagged=frozenset([found.pointer for found in schema_found]) if schema_found else _NOTHING,
        sent=sent,
    )
    flagged = context.flagged
    found = list(schema_found)
    for rule_id, function in _checks_for(success, previous is not None):
        result = function(context)
        if result is None:
            continue
        checked.add(rule_id)
        # One fault, one violation: where the schema already failed a value, a cross-field rule
        # about the same value adds nothing.
        for broken in result:
            if broken.pointer not in flagged:
                found.append(broken)
    if rejected:  # the rule applies only to an invalid body
        checked.add(_REJECTED)
        found.append(_not_rejected(rejected, status_code))
    return (found, checked, unchecked)


_REJECTED = "behaviour.invalid-body-rejected"


def _is_text(value: Any) -> bool:
    """A body given as its text (``str``) or its bytes, rather than as the parsed value."""
    return isinstance(value, (str, bytes, bytearray))


def _is_2xx(status_code: int | None) -> bool:
    return status_code is not None and 200 <= status_code < 300


def _not_rejected(rejected: list[Violation], status_code: int | None) -> Violation:
    """The violation of a success answer to an invalid body, naming the body's first fault."""
    first = min(rejected)
    answer = f"HTTP {status_code}" if status_code is not None else "a success envelope"
    return violation(
        _REJECTED,
        f"a body against the request schema must be answered with a 4xx error envelope, "
        f"found {answer} for a body that breaks {first.rule} ({first.message.rstrip('.')}).",
    )


_NOTHING: frozenset[str] = frozenset()


def _claims_success(envelope: dict[str, Any], status_code: int | None) -> bool:
    """
    Whether the response claims a successful update consistently, so its content is judged.

    Every sign given must say success (the HTTP status, when known, is 200; ``code``, when an
    integer, is 200; ``success``, when a boolean, is true) and at least one must be given. A
    response that contradicts itself (HTTP 200 with ``success: false``: an error dressed as a
    success) is judged by the envelope rules alone: they name the contradiction, and content
    rules would only bury it under the "missing" fields of an error's content.
    """
    if status_code is not None and status_code != 200:
        return False
    code, success = envelope.get("code"), envelope.get("success")
    code_given = is_int(code)
    if (code_given and code != 200) or success is False:
        return False
    return status_code == 200 or code_given or success is True


@functools.lru_cache(maxsize=1)
def _error_statuses() -> frozenset[int]:
    from truewatch_contract.spec import ROUTE
    from truewatch_contract.spec import spec_document as document

    responses = document()["paths"][ROUTE]["post"]["responses"]
    return frozenset(int(code) for code in responses if str(code).isdigit() and int(code) != 200)


@functools.lru_cache(maxsize=1)
def _history_rules() -> tuple[str, ...]:
    """The history rules the library checks (in the catalogue's order)."""
    return tuple(r.id for r in RULES.values() if r.scope == "history" and r.id in PYTHON_RULES)


@functools.lru_cache(maxsize=4)
def _checks_for(success: bool, history: bool) -> tuple[tuple[str, Check], ...]:
    scopes = {"envelope"}
    if success:
        scopes.add("content")
        if history:
            scopes.add("history")
    return tuple(
        (rule_id, function)
        for rule_id, function in sorted(PYTHON_RULES.items())
        if RULES[rule_id].scope in scopes
    )


def _not_json(rule: str, findings: Iterable[Any], what: str) -> list[Violation]:
    return [
        violation(rule, f"{what} must be plain JSON, found {finding.problem}.", finding.pointer)
        for finding in findings
    ]


# --- options -------------------------------------------------------------------------------------


def _apply(policy: Policy, findings: _Findings) -> Evaluation:
    """The findings as an `Evaluation`: what the policy relaxes kept apart, never dropped."""
    found, checked, unchecked = findings
    relaxed_rules = policy.relaxed_rules
    if unchecked:
        unchecked = tuple((rule, reason) for rule, reason in unchecked if not policy.relaxes(rule))
    if not found:  # the usual case
        return Evaluation((), _checked(relaxed_rules, frozenset(checked)), (), unchecked)
    failing, relaxed = policy.split(found)
    rules = set(checked) - relaxed_rules
    rules.update(each.rule for each in failing)
    return Evaluation(
        violations=failing,
        checked=tuple(sorted(rules)),
        relaxed=relaxed,
        unchecked=unchecked,
    )


def _report(policy: Policy, found: list[Violation]) -> list[Violation]:
    """The violations to report (those the policy does not relax), sorted, one per place."""
    if not found:  # the usual case
        return []
    return list(policy.split(found)[0])


@functools.lru_cache(maxsize=256)
def _checked(relaxed_rules: frozenset[str], checked: frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted(checked - relaxed_rules))


def is_relaxable(item: str) -> bool:
    """Whether ``item`` names a rule id of the catalogue or a tag."""
    return item in TAGS or item in RULES


def _json_argument(name: str, value: Any) -> None:
    """TypeError, naming the argument, when a context argument holds a value that is not JSON."""
    # Findings (NaN, deep nesting) are harmless here: the rules read a few well-typed fields.
    try:
        scan(value)
    except TypeError as error:
        raise TypeError(f"{name}: {error}") from None


_PREVIOUS = (
    "previous must be the content object of an earlier successful response for the same issue "
    "(or that response's whole envelope)"
)


def read_previous(previous: Any) -> tuple[dict[str, Any] | None, str]:
    """
    ``previous`` as the content of an earlier success: ``(content, "")``; or ``(None, reason)``
    for an object that is neither a success envelope nor a success's content (an error's
    envelope, a request body, ``{}``), so the history rules cannot be checked against it.

    Raises:
        TypeError: ``previous`` is not an object (nor None), or holds a value that is not JSON.
    """
    if previous is None:
        return None, ""
    if isinstance(previous, Mapping) and not isinstance(previous, dict):
        previous = dict(previous)
    if not isinstance(previous, dict):
        raise TypeError(f"{_PREVIOUS}, found {kind(previous)}")
    _json_argument("previous", previous)
    if "content" in previous and ("success" in previous or "code" in previous):
        content = previous["content"]
        if previous.get("success") is not True or previous.get("code", 200) != 200:
            return None, (
                f"{_PREVIOUS}, found an envelope with success {kind(previous.get('success'))} "
                f"and code {kind(previous.get('code'))}"
            )
        if not isinstance(content, dict):
            return None, f"{_PREVIOUS}, found a success envelope with content {kind(content)}"
        previous = content
    missing = [name for name in ("issueStatus", "extend") if name not in previous]
    if missing:
        return None, f"{_PREVIOUS}, found an object without {' and '.join(missing)}"
    return previous, ""


def implemented_rules() -> frozenset[str]:
    """
    Every rule of the library's scopes it checks: the schemas' ``x-rule`` s, the Python rules
    (`truewatch_contract.rules.table`) and ``request.utf8`` (the reading of raw bytes).

    (`validate_response` also decides ``behaviour.invalid-body-rejected`` when given the request;
    the other behaviour rules need several exchanges and are the suite's.)
    """
    return schema_engine.rule_ids_in_schemas() | frozenset(PYTHON_RULES) | {"request.utf8"}


# --- for test code -------------------------------------------------------------------------------


def assert_valid_request(
    body: Any,
    *,
    issue_id: Any = None,
    include_assumed: bool = False,
    relax: Iterable[str] = (),
    engine: Engine | None = None,
) -> None:
    """Raise `ContractViolation` (an AssertionError) listing every violation of the request."""
    violations = validate_request(
        body, issue_id=issue_id, include_assumed=include_assumed, relax=relax, engine=engine
    )
    if violations:
        raise ContractViolation(violations, what="request body")


def assert_valid_response(
    envelope: Any,
    *,
    status_code: int | None = None,
    request: Any = None,
    issue_id: Any = None,
    previous: Any = None,
    content_type: str | None = None,
    requested_between: tuple[float, float] | None = None,
    sent: SentRequest | None = None,
    include_assumed: bool = False,
    relax: Iterable[str] = (),
    engine: Engine | None = None,
) -> None:
    """Raise `ContractViolation` (an AssertionError) listing every violation of the response."""
    violations = validate_response(
        envelope,
        status_code=status_code,
        request=request,
        issue_id=issue_id,
        previous=previous,
        content_type=content_type,
        requested_between=requested_between,
        sent=sent,
        include_assumed=include_assumed,
        relax=relax,
        engine=engine,
    )
    if violations:
        raise ContractViolation(violations, what="response")


def assert_valid_envelope(
    envelope: Any,
    *,
    status_code: int | None = None,
    content_type: str | None = None,
    sent: SentRequest | None = None,
    include_assumed: bool = False,
    relax: Iterable[str] = (),
    engine: Engine | None = None,
) -> None:
    """Raise `ContractViolation` (an AssertionError) listing every violation of the envelope."""
    violations = validate_envelope(
        envelope,
        status_code=status_code,
        content_type=content_type,
        sent=sent,
        include_assumed=include_assumed,
        relax=relax,
        engine=engine,
    )
    if violations:
        raise ContractViolation(violations, what="response envelope")
