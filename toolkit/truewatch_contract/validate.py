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
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from truewatch_contract import schema_engine
from truewatch_contract.jsonscan import scan
from truewatch_contract.rules import content as _content  # noqa: F401 - registers the content rules
from truewatch_contract.rules import envelope as _envelope  # noqa: F401 - registers the envelope rules
from truewatch_contract.rules import history as _history  # noqa: F401 - registers the history rules
from truewatch_contract.rules.catalogue import CHECKS, RULES
from truewatch_contract.rules.context import Context, is_int, is_number
from truewatch_contract.violations import (
    TAGS,
    ContractViolation,
    Evaluation,
    Violation,
    kind,
)

__all__ = [
    "assert_valid_request",
    "assert_valid_response",
    "content_of",
    "evaluate_envelope",
    "evaluate_request",
    "evaluate_response",
    "implemented_rules",
    "is_relaxable",
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
    engine: str | None = None,
) -> Evaluation:
    """
    Check a request body (already parsed JSON) and, when given, the route's ``issue_id``.

    Raises:
        TypeError: ``body`` or ``issue_id`` holds a value that is not JSON (bytes, a set, ...).
        ValueError: an unknown ``relax`` item or engine.
    """
    policy = _policy(include_assumed, relax)
    return policy.apply(*_request_findings(body, issue_id, engine))


def validate_request(
    body: Any,
    *,
    issue_id: Any = None,
    include_assumed: bool = False,
    relax: Iterable[str] = (),
    engine: str | None = None,
) -> list[Violation]:
    """The violations of a request body (see `evaluate_request`); [] when it is valid."""
    policy = _policy(include_assumed, relax)
    return policy.report(_request_findings(body, issue_id, engine)[0])


def _request_findings(body: Any, issue_id: Any, engine: str | None) -> _Findings:
    found: list[Violation] = []
    checked = {"request.body-object"}
    findings = scan(body)
    if findings:
        found.extend(_not_json("request.body-object", findings, "the body"))
        return found, checked
    if issue_id is not None:
        checked.add("request.issue-id")
        if scan(issue_id):
            found.append(
                Violation(
                    "request.issue-id", "", "the route's issue_id must be a string.", "documented"
                )
            )
        else:
            found.extend(
                Violation(
                    v.rule,
                    v.pointer,
                    v.message.replace("the payload", "the route's issue_id", 1),
                    v.tag,
                )
                for v in schema_engine.validate("issue-id", issue_id, engine=engine)
            )
    if isinstance(body, dict):
        if "issueStatus" in body:
            checked.add("request.issue-status")
        if "assigner" in body:
            checked.add("request.assigner")
    found.extend(
        Violation(v.rule, v.pointer, v.message.replace("the payload", "the body", 1), v.tag)
        for v in schema_engine.validate("request", body, engine=engine)
    )
    return found, checked


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
    include_assumed: bool = False,
    relax: Iterable[str] = (),
    engine: str | None = None,
) -> Evaluation:
    """
    Check a response of the update: the envelope, and for a success its content.

    Arguments:
        envelope: the parsed response body.
        status_code: the HTTP status (enables ``envelope.code-matches-status``).
        request: the body that was sent, any parsed JSON (enables ``content.status-applied`` and
            ``content.assigner-applied`` when it is an object). A body that `validate_request`
            rejects, answered as a success (a 2xx status, or with no status an envelope that
            claims success), breaks ``behaviour.invalid-body-rejected`` (pointer ""), the one
            behaviour rule a single exchange decides; the content is then not compared with it.
        issue_id: the route's issue_id, a string (enables ``content.same-issue``).
        previous: the content object of an earlier successful response for the same issue (its
            whole success envelope is accepted too); enables the ``history.*`` rules.
        content_type: the response's Content-Type header (``envelope.json``).
        requested_between: the caller's clock (epoch seconds) when the request was sent and when
            the answer arrived; with ``previous``, a new status record's time and ``updateAt``
            must lie within it, give or take `history.CLOCK_TOLERANCE_S`.

    Raises:
        TypeError: ``envelope`` or ``request`` holds a value that is not JSON (bytes, a set,
            ...); ``issue_id`` is not a string; ``previous`` is not a content object nor a
            success envelope (e.g. ``"x"``, ``[1]``, an error's envelope).
        ValueError: an unknown ``relax`` item or engine.
    """
    policy = _policy(include_assumed, relax)
    return policy.apply(
        *_findings(
            envelope,
            True,
            status_code,
            request,
            issue_id,
            previous,
            content_type,
            engine,
            requested_between,
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
    include_assumed: bool = False,
    relax: Iterable[str] = (),
    engine: str | None = None,
) -> list[Violation]:
    """The violations of a response of the update (see `evaluate_response`); [] when valid."""
    policy = _policy(include_assumed, relax)
    found, _ = _findings(
        envelope,
        True,
        status_code,
        request,
        issue_id,
        previous,
        content_type,
        engine,
        requested_between,
    )
    return policy.report(found)


def evaluate_envelope(
    envelope: Any,
    *,
    status_code: int | None = None,
    content_type: str | None = None,
    include_assumed: bool = False,
    relax: Iterable[str] = (),
    engine: str | None = None,
) -> Evaluation:
    """Check only the envelope rules, for a response of any endpoint of the same API."""
    policy = _policy(include_assumed, relax)
    return policy.apply(
        *_findings(envelope, False, status_code, None, None, None, content_type, engine)
    )


def validate_envelope(
    envelope: Any,
    *,
    status_code: int | None = None,
    content_type: str | None = None,
    include_assumed: bool = False,
    relax: Iterable[str] = (),
    engine: str | None = None,
) -> list[Violation]:
    """The violations of the envelope rules alone (see `evaluate_envelope`); [] when valid."""
    policy = _policy(include_assumed, relax)
    found, _ = _findings(envelope, False, status_code, None, None, None, content_type, engine)
    return policy.report(found)


#: What a check found (violations before the policy) and which rules it evaluated.
_Findings = tuple[list[Violation], set[str]]


def _findings(
    envelope: Any,
    full: bool,
    status_code: int | None,
    request: Any,
    issue_id: Any,
    previous: Any,
    content_type: str | None,
    engine: str | None,
    requested_between: tuple[float, float] | None = None,
) -> _Findings:
    """The violations and checked rules of a response (``full``: with content and history)."""
    if status_code is not None and (
        isinstance(status_code, bool) or not isinstance(status_code, int)
    ):
        raise TypeError(f"status_code must be an int or None, not {type(status_code).__name__}")
    # The context arguments are the caller's: a wrong type is a bug, raised before any rule.
    if full:
        previous = _previous_content(previous)
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
    findings = scan(envelope)
    if findings:
        return _not_json("envelope.json", findings, "the response"), checked
    if not isinstance(envelope, dict):
        found = [
            Violation(
                "envelope.json",
                "",
                f"the response must be a JSON object, found {kind(envelope)}.",
                RULES["envelope.json"].tag,
            )
        ]
        if content_type is not None:
            found.extend(CHECKS["envelope.json"](Context({}, content_type=content_type)) or ())
        return found, checked

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
        target = "success"
    elif status_code is not None and status_code in _error_statuses():
        target = "error"
    else:
        target = "envelope"
    schema_found = schema_engine.validate(target, envelope, engine=engine)
    checked.update(("envelope.fields", "envelope.trace-id"))
    if success:
        checked.add("content.schema")

    context = Context(
        envelope,
        status_code=status_code,
        request=request,
        issue_id=issue_id,
        previous=previous,
        content_type=content_type,
        requested_between=requested_between,
        success=success,
        flagged=frozenset([violation.pointer for violation in schema_found])
        if schema_found
        else _NOTHING,
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
        for violation in result:
            if violation.pointer not in flagged:
                found.append(violation)
    if rejected:  # the rule applies only to an invalid body
        checked.add(_REJECTED)
        found.append(_not_rejected(rejected, status_code))
    return found, checked


_REJECTED = "behaviour.invalid-body-rejected"


def _is_2xx(status_code: int | None) -> bool:
    return status_code is not None and 200 <= status_code < 300


def _not_rejected(rejected: list[Violation], status_code: int | None) -> Violation:
    """The violation of a success answer to an invalid body, naming the body's first fault."""
    first = min(rejected)
    answer = f"HTTP {status_code}" if status_code is not None else "a success envelope"
    return Violation(
        _REJECTED,
        "",
        f"a body against the request schema must be answered with a 4xx error envelope, "
        f"found {answer} for a body where {first.message[:1].lower()}{first.message[1:-1]} "
        f"({first.rule}).",
        RULES[_REJECTED].tag,
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


@functools.lru_cache(maxsize=4)
def _checks_for(success: bool, history: bool) -> tuple[tuple[str, Any], ...]:
    scopes = {"envelope"}
    if success:
        scopes.add("content")
        if history:
            scopes.add("history")
    return tuple(
        (rule_id, function)
        for rule_id, function in sorted(CHECKS.items())
        if RULES[rule_id].scope in scopes
    )


def _not_json(rule: str, findings: Iterable[Any], what: str) -> list[Violation]:
    return [
        Violation(
            rule,
            finding.pointer,
            f"{what} must be plain JSON, found {finding.problem}.",
            RULES[rule].tag,
        )
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
            rule.id
            for rule in RULES.values()
            if rule.id in self.dropped or rule.tag in self.dropped
        )

    def wanted(self, rule_id: str) -> bool:
        """Whether a rule's violations are reported (else they go to ``relaxed``)."""
        return rule_id not in self.dropped_rules

    def apply(self, found: list[Violation], checked: set[str]) -> Evaluation:
        if not found:  # the usual case
            return Evaluation((), self._checked(frozenset(checked)), ())
        kept: dict[tuple[str, str], Violation] = {}
        relaxed: dict[tuple[str, str], Violation] = {}
        dropped = self.dropped
        for violation in found:
            gone = violation.rule in dropped or violation.tag in dropped
            (relaxed if gone else kept).setdefault((violation.rule, violation.pointer), violation)
        rules = set(checked) - self.dropped_rules
        rules.update(violation.rule for violation in kept.values())
        return Evaluation(
            violations=tuple(sorted(kept.values())),
            checked=tuple(sorted(rules)),
            relaxed=tuple(sorted(relaxed.values())),
        )

    def report(self, found: list[Violation]) -> list[Violation]:
        """The violations to report, sorted, one per rule and pointer."""
        if not found:  # the usual case
            return []
        kept: dict[tuple[str, str], Violation] = {}
        dropped = self.dropped
        for violation in found:
            if violation.rule not in dropped and violation.tag not in dropped:
                kept.setdefault((violation.rule, violation.pointer), violation)
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


def _previous_content(previous: Any) -> dict[str, Any] | None:
    """``previous`` as a content object (a success envelope unwrapped); else TypeError."""
    if previous is None:
        return None
    if not isinstance(previous, dict):
        raise TypeError(f"{_PREVIOUS}, found {kind(previous)}")
    _json_argument("previous", previous)
    if "success" in previous and "code" in previous:  # an envelope, not a content
        content = previous.get("content")
        if previous["success"] is not True or not isinstance(content, dict):
            raise TypeError(
                f"{_PREVIOUS}, found an envelope with success {kind(previous['success'])} "
                f"and content {kind(content)}"
            )
        return content
    return previous


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
    Every rule of the library's scopes it checks: the schemas' ``x-rule`` s and the Python rules.

    (`validate_response` also decides ``behaviour.invalid-body-rejected`` when given the request;
    the other behaviour rules need several exchanges and are the suite's.)
    """
    return schema_engine.rule_ids_in_schemas() | frozenset(CHECKS)


# --- for test code -------------------------------------------------------------------------------


def assert_valid_request(body: Any, **options: Any) -> None:
    """Raise `ContractViolation` (an AssertionError) listing every violation of the request."""
    violations = validate_request(body, **options)
    if violations:
        raise ContractViolation(violations, what="request body")


def assert_valid_response(envelope: Any, **options: Any) -> None:
    """Raise `ContractViolation` (an AssertionError) listing every violation of the response."""
    violations = validate_response(envelope, **options)
    if violations:
        raise ContractViolation(violations, what="response")
