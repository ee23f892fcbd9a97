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

A payload given as ``bytes`` is the raw body, read as the mock reads a request: UTF-8 without a
byte-order mark (``request.utf8`` / ``envelope.json`` otherwise), strict JSON (no NaN), any depth
above `jsonscan.MAX_DEPTH` one violation.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from truewatch_contract import schema_engine
from truewatch_contract.jsonscan import JSONTextError, read_json, scan
from truewatch_contract.rules.catalogue import RULES, is_relaxed, violation
from truewatch_contract.rules.context import RuleContext, is_int, is_number
from truewatch_contract.rules.echo import SentRequest
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
    "content_of",
    "evaluate_envelope",
    "evaluate_request",
    "evaluate_response",
    "implemented_rules",
    "is_relaxable",
    "read_previous",
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
    Check a request body (parsed JSON, or the raw ``bytes`` as sent) and, when given, the route's
    ``issue_id``.

    Raises:
        TypeError: ``body`` or ``issue_id`` holds a value that is not JSON (a set, ...).
        ValueError: an unknown ``relax`` item or engine.
    """
    policy = _policy(include_assumed, relax)
    return policy.apply(_request_findings(body, issue_id, engine))


def validate_request(
    body: Any,
    *,
    issue_id: Any = None,
    include_assumed: bool = False,
    relax: Iterable[str] = (),
    engine: Engine | None = None,
) -> list[Violation]:
    """The violations of a request body (see `evaluate_request`); [] when it is valid."""
    policy = _policy(include_assumed, relax)
    return policy.report(_request_findings(body, issue_id, engine)[0])


#: What a check found (violations before the policy), which rules it evaluated, and which would
#: have applied but could not be evaluated, with the reason. A plain tuple: this is the hot path.
_Findings = tuple[list[Violation], set[str], tuple[tuple[str, str], ...]]
_NONE_UNCHECKED: tuple[tuple[str, str], ...] = ()


def _request_findings(body: Any, issue_id: Any, engine: Engine | None) -> _Findings:
    checked = {"request.body-object"}
    if isinstance(body, (bytes, bytearray)):
        checked.add("request.utf8")
        try:
            body = read_json(bytes(body))
        except JSONTextError as error:
            rule = "request.utf8" if error.kind == "encoding" else "request.body-object"
            return ([_unreadable(rule, error, "the body")], checked, _NONE_UNCHECKED)
    findings = scan(body)
    if findings:
        return (_not_json("request.body-object", findings, "the body"), checked, _NONE_UNCHECKED)
    found: list[Violation] = []
    if issue_id is not None:
        checked.add("request.issue-id")
        if scan(issue_id):
            found.append(violation("request.issue-id", "the route's issue_id must be a string."))
        else:
            found.extend(schema_engine.validate("issue-id", issue_id, engine=engine))
    if isinstance(body, dict):
        if "issueStatus" in body:
            checked.add("request.issue-status")
        if "assigner" in body:
            checked.add("request.assigner")
    found.extend(schema_engine.validate("request", body, engine=engine))
    return (found, checked, _NONE_UNCHECKED)


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
        envelope: the parsed response body (or its raw ``bytes``).
        status_code: the HTTP status (enables ``envelope.code-matches-status``).
        request: the body that was sent, any parsed JSON (enables ``content.status-applied`` and
            ``content.assigner-applied`` when it is an object). A body that `validate_request`
            rejects, answered as a success (a 2xx status, or with no status an envelope that
            claims success), breaks ``behaviour.invalid-body-rejected`` (pointer ""), the one
            behaviour rule a single exchange decides; the content is then not compared with it.
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
    policy = _policy(include_assumed, relax)
    return policy.apply(
        _findings(
            envelope,
            True,
            status_code,
            request,
            issue_id,
            previous,
            content_type,
            engine,
            requested_between,
            sent,
        )
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
    policy = _policy(include_assumed, relax)
    found = _findings(
        envelope,
        True,
        status_code,
        request,
        issue_id,
        previous,
        content_type,
        engine,
        requested_between,
        sent,
    )
    return policy.report(found[0])


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
    policy = _policy(include_assumed, relax)
    return policy.apply(
        _findings(envelope, False, status_code, None, None, None, content_type, engine, sent=sent)
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
    policy = _policy(include_assumed, relax)
    found = _findings(
        envelope, False, status_code, None, None, None, content_type, engine, sent=sent
    )
    return policy.report(found[0])


def _findings(
    envelope: Any,
    full: bool,
    status_code: int | None,
    request: Any,
    issue_id: Any,
    previous: Any,
    content_type: str | None,
    engine: Engine | None,
    requested_between: tuple[float, float] | None = None,
    sent: SentRequest | None = None,
) -> _Findings:
    """The violations and checked rules of a response (``full``: with content and history)."""
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
        if request is not None:
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
    if isinstance(envelope, (bytes, bytearray)):
        try:
            envelope = read_json(bytes(envelope))
        except JSONTextError as error:
            return ([_unreadable("envelope.json", error, "the response")], checked, _NONE_UNCHECKED)
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
    if full and request is not None and (success or _is_2xx(status_code)):
        # A body the request rules reject was answered as a success: that is the one finding
        # (behaviour.invalid-body-rejected); the rules comparing the content with what was sent
        # have no valid value to compare with, so they do not apply.
        rejected = _request_findings(request, None, engine)[0]
        if rejected:
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
    from truewatch_contract.spec_cache import document

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


class _Policy:
    """Which violations to report: ``assumed`` ones only on request, relaxed ones never."""

    def __init__(self, include_assumed: bool, relax: frozenset[str]) -> None:
        unknown = sorted(item for item in relax if not is_relaxable(item))
        if unknown:
            raise ValueError(f"relax: unknown rule id or tag {', '.join(map(repr, unknown))}")
        self.dropped = relax if include_assumed else relax | {"assumed"}
        # Every rule id whose violations are dropped as a whole (by id or by its catalogue tag).
        self.dropped_rules = frozenset(
            rule_id for rule_id in RULES if is_relaxed(rule_id, self.dropped)
        )

    def wanted(self, rule_id: str) -> bool:
        """Whether a rule's violations are reported (else they go to ``relaxed``)."""
        return rule_id not in self.dropped_rules

    def apply(self, findings: _Findings) -> Evaluation:
        found, checked, unchecked = findings
        if unchecked:
            unchecked = tuple((rule, reason) for rule, reason in unchecked if self.wanted(rule))
        if not found:  # the usual case
            return Evaluation((), self._checked(frozenset(checked)), (), unchecked)
        kept: dict[tuple[str, str], Violation] = {}
        relaxed: dict[tuple[str, str], Violation] = {}
        dropped = self.dropped
        for each in found:
            gone = each.rule in dropped or each.tag in dropped
            (relaxed if gone else kept).setdefault((each.rule, each.pointer), each)
        rules = set(checked) - self.dropped_rules
        rules.update(each.rule for each in kept.values())
        return Evaluation(
            violations=tuple(sorted(kept.values())),
            checked=tuple(sorted(rules)),
            relaxed=tuple(sorted(relaxed.values())),
            unchecked=unchecked,
        )

    def report(self, found: list[Violation]) -> list[Violation]:
        """The violations to report, sorted, one per rule and pointer."""
        if not found:  # the usual case
            return []
        kept: dict[tuple[str, str], Violation] = {}
        dropped = self.dropped
        for each in found:
            if each.rule not in dropped and each.tag not in dropped:
                kept.setdefault((each.rule, each.pointer), each)
        return sorted(kept.values())

    @functools.lru_cache(maxsize=256)  # noqa: B019 - policies are few and live as long as the process
    def _checked(self, checked: frozenset[str]) -> tuple[str, ...]:
        return tuple(sorted(checked - self.dropped_rules))


@functools.lru_cache(maxsize=64)
def _cached_policy(include_assumed: bool, relax: frozenset[str]) -> _Policy:
    return _Policy(include_assumed, relax)


def _policy(include_assumed: bool, relax: Iterable[str]) -> _Policy:
    if isinstance(relax, str):
        relax = [relax]
    items = frozenset(item.strip() for item in relax if item.strip()) if relax else frozenset()
    return _cached_policy(bool(include_assumed), items)


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


def content_of(previous: Any) -> Any:
    """The content of an earlier response: a success envelope is unwrapped, content is kept."""
    if (
        isinstance(previous, dict)
        and isinstance(previous.get("content"), dict)
        and "success" in previous
        and "code" in previous
    ):
        return previous["content"]
    return previous


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
