"""
The judge's model: a request's faults, then the answers the contract allows any target.

From a request alone (and the `Policy`: what the suite knows of the target) `expectation_of`
derives its faults, each a `Fault` with its acceptable answers in the one table `ANSWERS`:
- no fault: a success (200; for the test issue, the update applied);
- one fault or more: any answer acceptable for at least one of them (their union), never a
  success, and nothing changed (``docs/contract-decisions.md``, "A request with several faults").

Some values are *assumed points*, not faults (``ANSWERS[point].point``): a request the spec calls
valid but that a target may refuse where the vendor page is silent (``{}``, unknown fields, bytes
that are not UTF-8, no Content-Type). A success stays right for them; a refusal is allowed too, and
breaks at most the assumed rule of the point. Beside a fault, a point's refusal joins the union:
an unknown issue with unknown fields may be answered 404 or refused on the unknown fields.

To teach the judge a new kind of bad request: add a `Fault` value, its `ANSWERS` entry, and
where `expectation_of` recognises it. A value without an entry is an error (`answers_for`).
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Iterable
from typing import Any

from truewatch_contract.redaction import AUTH_HEADER
from truewatch_contract.suite.exchange import Exchange

#: The page's ``issueID`` form. Any other string cannot be an issue's id: 400 or 404.
ISSUE_ID = re.compile(r"^[0-9a-f]{32}$")
#: A body above this many bytes is too large (the mock's limit, 1 MiB).
BODY_LIMIT = 1024 * 1024
KNOWN_FIELDS = frozenset({"issueStatus", "assigner"})


class Fault(str, enum.Enum):
    """What is wrong with a request (or, for the points, what a target may refuse in it)."""

    def __str__(self) -> str:
        return self.value

    METHOD = "method"  # another method than POST on the route
    ROUTE = "route"  # no issue_id, or one a proxy may fold into another path
    MISSING_KEY = "missing-key"  # no DF-API-KEY
    BAD_KEY = "bad-key"  # a DF-API-KEY that is not the target's key
    FOREIGN_KEY = "foreign-key"  # another workspace's key on our issue
    MALFORMED_ID = "malformed-id"  # not 32 lowercase hex: no issue can have it
    UNKNOWN_ISSUE = "unknown-issue"  # well-formed, but no issue of the workspace
    FOREIGN_ISSUE = "foreign-issue"  # another workspace's issue: exactly as an unknown one
    NOT_JSON = "not-json"  # a body that is not JSON (or no body at all)
    NOT_OBJECT = "not-object"  # JSON, but not an object
    SCHEMA = "schema"  # an object against the request schema
    MEDIA_TYPE = "media-type"  # declared as another media type than application/json
    TOO_LARGE = "too-large"  # above 1 MiB
    # Assumed points: a success stays right.
    NOT_UTF8 = "not-utf8"  # bytes that are not UTF-8 (judged as decoded with U+FFFD)
    NO_MEDIA_TYPE = "no-media-type"  # a JSON body sent without a Content-Type
    EMPTY_BODY = "empty-body"  # ``{}``: a no-op (assumed)
    UNKNOWN_FIELDS = "unknown-fields"  # fields the page does not name: ignored (assumed)
    ALIAS_ID = "alias-id"  # the test issue named by a form other than its issueID
    UNVERIFIED_ISSUE = "unverified-issue"  # the suite knows no issue of the target: 200 or 404
    RACE = "race"  # sent at the same moment as another change: may lose with a 4xx envelope


@dataclasses.dataclass(frozen=True)
class Answers:
    """The answers a fault allows, and the catalogued rule that speaks for them."""

    what: str  # the request, in a few words, for messages
    statuses: frozenset[int] | None  # None: any 4xx
    envelope: bool  # whether an error envelope (success false) is required
    rule: str | None  # the rule a wrong answer breaks (a point: the rule its refusal breaks)
    point: bool = False  # an assumed point: a success stays right

    def allows(self, status: int, error_envelope: bool) -> bool:
        """Whether an answer with `status` (and an error envelope or not) is one of these."""
        ok = 400 <= status < 500 if self.statuses is None else status in self.statuses
        return ok and (error_envelope or not self.envelope)

    def describe(self) -> str:
        statuses = (
            "a 4xx" if self.statuses is None else " or ".join(map(str, sorted(self.statuses)))
        )
        return statuses + (" error envelope" if self.envelope else "")


def _any4xx(what: str, rule: str | None, *, envelope: bool = True, point: bool = False) -> Answers:
    return Answers(what, None, envelope, rule, point)


def _only(what: str, statuses: Iterable[int], rule: str | None, point: bool = False) -> Answers:
    return Answers(what, frozenset(statuses), True, rule, point)


#: The one table: every `Fault` and what the contract lets any target answer to it.
ANSWERS: dict[Fault, Answers] = {
    Fault.METHOD: _any4xx("another method", "behaviour.method-not-allowed", envelope=False),
    Fault.ROUTE: _any4xx("no such route", "behaviour.unknown-issue", envelope=False),
    Fault.MISSING_KEY: _only("a missing DF-API-KEY", (401, 403), "behaviour.auth-required"),
    Fault.BAD_KEY: _only("an invalid DF-API-KEY", (401, 403), "behaviour.auth-required"),
    Fault.FOREIGN_KEY: _only(
        "another workspace's key", (401, 403, 404), "behaviour.workspace-isolation"
    ),
    Fault.MALFORMED_ID: _only(
        "an issue_id that cannot be an issue's", (400, 404), "behaviour.unknown-issue"
    ),
    Fault.UNKNOWN_ISSUE: _only("an unknown issue_id", (404,), "behaviour.unknown-issue"),
    Fault.FOREIGN_ISSUE: _only(
        "an issue of another workspace", (404,), "behaviour.workspace-isolation"
    ),
    Fault.NOT_JSON: _any4xx("a body that is not JSON", "behaviour.invalid-body-rejected"),
    Fault.NOT_OBJECT: _any4xx("a body that is not an object", "behaviour.invalid-body-rejected"),
    Fault.SCHEMA: _any4xx("a body against the schema", "behaviour.invalid-body-rejected"),
    Fault.MEDIA_TYPE: _any4xx("another media type", "behaviour.media-type-rejected"),
    Fault.TOO_LARGE: _any4xx("a body above 1 MiB", "behaviour.body-too-large"),
    Fault.NOT_UTF8: _any4xx("bytes that are not UTF-8", None, point=True),
    Fault.NO_MEDIA_TYPE: _any4xx("no Content-Type", None, point=True),
    Fault.EMPTY_BODY: _any4xx("the body {}", "behaviour.empty-body-noop", point=True),
    Fault.UNKNOWN_FIELDS: _any4xx("unknown fields", "behaviour.unknown-fields-ignored", point=True),
    Fault.ALIAS_ID: _only("another form of the test issue's id", (400, 404), None, point=True),
    Fault.UNVERIFIED_ISSUE: _only("an issue the suite does not know", (404,), None, point=True),
    Fault.RACE: _any4xx("a change sent at the same moment as another", None, point=True),
}


class UnknownFault(LookupError):
    """A fault without an entry in `ANSWERS`: the judge refuses to guess."""


def answers_for(fault: Fault) -> Answers:
    """The acceptable answers of `fault` (`UnknownFault` for a value the table lacks)."""
    try:
        return ANSWERS[fault]
    except KeyError:
        raise UnknownFault(f"the judge has no acceptable answers for the fault {fault!r}") from None


#: Faults after which an answered 200 for the test issue was an update that took place.
MAY_APPLY = frozenset({Fault.MEDIA_TYPE, Fault.TOO_LARGE})


@dataclasses.dataclass(frozen=True)
class Policy:
    """What the judge knows about the target: its keys and issues, and what is relaxed."""

    api_key: str | None = dataclasses.field(default=None, repr=False)
    issue_ids: frozenset[str] = frozenset()
    foreign_issue_id: str | None = None
    foreign_api_key: str | None = dataclasses.field(default=None, repr=False)
    relaxed: frozenset[str] = frozenset({"assumed"})
    # The built-in mock: its own extra id form (``isset_`` + 32 hex) names the issue for sure.
    builtin_mock: bool = False

    def is_relaxed(self, rule_id: str) -> bool:
        from truewatch_contract.rules import is_relaxed

        return is_relaxed(rule_id, self.relaxed)


@dataclasses.dataclass(frozen=True)
class Expectation:
    """What a request calls for: its faults and assumed points (`Fault` values)."""

    faults: frozenset[Fault] = frozenset()
    points: frozenset[Fault] = frozenset()
    test_issue: bool = False  # the request names the issue the suite may change

    def __post_init__(self) -> None:
        for fault in (*self.faults, *self.points):
            if not isinstance(fault, Fault):
                raise UnknownFault(f"{fault!r} is not a Fault")
            answers_for(fault)
        misplaced = [f for f in self.faults if ANSWERS[f].point] + [
            f for f in self.points if not ANSWERS[f].point
        ]
        if misplaced:
            raise UnknownFault(f"{misplaced!r}: a fault listed as a point or a point as a fault")

    @property
    def is_update(self) -> bool:
        """A request that must be answered 200 with the test issue's content."""
        return not self.faults and self.test_issue

    def allows(self, status: int, error_envelope: bool) -> bool:
        """Whether the answer is right for at least one fault (or point, beside a fault)."""
        return any(ANSWERS[f].allows(status, error_envelope) for f in (*self.faults, *self.points))

    def describe(self) -> str:
        """The acceptable answers, each with the fault that allows it."""
        return "; ".join(
            f"{ANSWERS[f].describe()} ({ANSWERS[f].what})"
            for f in sorted((*self.faults, *self.points))
        )

    @property
    def names(self) -> list[str]:
        """The faults' values, sorted (the record's ``faults``)."""
        return sorted(f.value for f in self.faults)

    @property
    def point_names(self) -> list[str]:
        return sorted(f.value for f in self.points)


def expectation_of(
    exchange: Exchange,
    policy: Policy,
    *,
    header_negative: bool = False,
    concurrent: bool = False,
) -> Expectation:
    """
    Every fault (and assumed point) of a request, from the request alone; `concurrent`: the
    sender knows another change of the issue was in flight at the same moment (`Fault.RACE`).
    """
    faults: set[Fault] = set()
    points: set[Fault] = {Fault.RACE} if concurrent else set()
    if exchange.method.upper() != "POST":
        faults.add(Fault.METHOD)
    issue_id = exchange.issue_id
    test_issue = False
    if not issue_id or issue_id in (".", "..") or "/" in issue_id:
        faults.add(Fault.ROUTE)
    else:
        test_issue = _issue_faults(issue_id, policy, faults, points)
    _key_faults(exchange, policy, test_issue, header_negative, faults)
    _body_faults(exchange, faults, points)
    return Expectation(frozenset(faults), frozenset(points), test_issue)


def _issue_faults(issue_id: str, policy: Policy, faults: set[Fault], points: set[Fault]) -> bool:
    """Add the issue_id's faults; return whether it names the test issue."""
    if policy.foreign_issue_id is not None and issue_id == policy.foreign_issue_id:
        faults.add(Fault.FOREIGN_ISSUE)
        return False
    well_formed = bool(ISSUE_ID.match(issue_id))
    if issue_id in policy.issue_ids:
        if not (well_formed or policy.builtin_mock):
            points.add(Fault.ALIAS_ID)  # the mock's extra form: another server may refuse it
        return True
    if not well_formed:
        faults.add(Fault.MALFORMED_ID)
    elif policy.issue_ids:
        faults.add(Fault.UNKNOWN_ISSUE)
    else:
        points.add(Fault.UNVERIFIED_ISSUE)
    return False


def _key_faults(
    exchange: Exchange,
    policy: Policy,
    test_issue: bool,
    header_negative: bool,
    faults: set[Fault],
) -> None:
    key = exchange.header(AUTH_HEADER)
    if key is None or not key.strip():
        faults.add(Fault.MISSING_KEY)
    elif policy.api_key is not None:
        if key == policy.foreign_api_key and test_issue:
            faults.add(Fault.FOREIGN_KEY)
        elif key != policy.api_key:
            faults.add(Fault.BAD_KEY)
    elif header_negative:
        faults.add(Fault.BAD_KEY)  # the key is unknown to the suite; Schemathesis broke it


def _body_faults(exchange: Exchange, faults: set[Fault], points: set[Fault]) -> None:
    from truewatch_contract import validate_request

    raw = exchange.request_body or b""
    if len(raw) > BODY_LIMIT:
        faults.add(Fault.TOO_LARGE)
    media = exchange.media_type
    if not media:
        points.add(Fault.NO_MEDIA_TYPE)
    elif media != "application/json":
        faults.add(Fault.MEDIA_TYPE)
    if Fault.METHOD in faults and not raw:
        return  # a GET or DELETE without a body: its method is its fault
    if raw and not exchange.sent_utf8:
        points.add(Fault.NOT_UTF8)
    is_json, body = exchange.sent_json()
    if not is_json:
        faults.add(Fault.NOT_JSON)
    elif not isinstance(body, dict):
        faults.add(Fault.NOT_OBJECT)
    elif validate_request(body):
        faults.add(Fault.SCHEMA)
    elif not body:
        points.add(Fault.EMPTY_BODY)
    elif set(body) - KNOWN_FIELDS:
        points.add(Fault.UNKNOWN_FIELDS)


def acceptance_rule(sent: Any) -> str:
    """
    The rule that asks a valid body to be accepted: ``{}`` and unknown fields are valid by the
    spec, but their acceptance is the project's assumption (tagged ``assumed``).
    """
    if isinstance(sent, dict):
        if not sent:
            return ANSWERS[Fault.EMPTY_BODY].rule or ""
        if set(sent) - KNOWN_FIELDS:
            return ANSWERS[Fault.UNKNOWN_FIELDS].rule or ""
    return "behaviour.valid-body-accepted"
