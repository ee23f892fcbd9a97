"""
What a request calls for: its faults, and the answers the contract allows any target for each.

From a request alone (and the caller's `Facts`) `expectation_of` derives its faults, each a
`Fault` with its acceptable answers in the one table `ANSWERS`:

- no fault: a success (200; for an issue known to exist, the update applied);
- one fault or more: any answer acceptable for at least one of them (their union), never a
  success, and nothing changed (docs/contract-decisions.md, "A request with several faults").

Some values are *assumed points*, not faults (``ANSWERS[point].point``): a request the spec calls
valid but that a target may refuse where the vendor page is silent (``{}``, unknown fields, bytes
that are not UTF-8, no Content-Type, deep nesting). A success stays right for them; a refusal is
allowed too, and breaks at most the point's assumed rule. Beside a fault, a point's refusal joins
the union: an unknown issue with unknown fields may be answered 404 or refused on the fields.

Faults a fact the caller lacks may add are *possible* (`Expectation.possible`): a key nobody named
may be wrong, a well-formed id nobody listed may name no issue. Their answers are acceptable too,
and so is a success.

To teach the judge a new kind of bad request: add a `Fault` value, its `ANSWERS` entry, and where
`expectation_of` recognises it. A value without an entry is an error (`answers_for`).
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import json
from collections.abc import Iterable
from typing import Any

from truewatch_contract.jsonscan import MAX_DEPTH
from truewatch_contract.judge.exchange import Exchange
from truewatch_contract.judge.facts import ALIAS_ID, ISSUE_ID, Facts, KeyKind
from truewatch_contract.limits import BODY_LIMIT
from truewatch_contract.redaction import AUTH_HEADER
from truewatch_contract.validate import (
    UNREADABLE,
    Unreadable,
    read_body,
    request_findings,
    request_is_valid,
)
from truewatch_contract.violations import Violation

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
    DEEP_NESTING = "deep-nesting"  # nested deeper than the mock's 512 levels (RFC 8259 §9)
    ALIAS_ID = "alias-id"  # an issue named by a form other than its issueID
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
    Fault.DEEP_NESTING: _any4xx(f"a body nested deeper than {MAX_DEPTH} levels", None, point=True),
    Fault.ALIAS_ID: _only("another form of an issue's id", (400, 404), None, point=True),
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


_TABLED = frozenset(ANSWERS)
_POINTS = frozenset(fault for fault, answers in ANSWERS.items() if answers.point)
_FAULTS = _TABLED - _POINTS

#: Faults after which an answered 200 for a known issue was an update that took place.
MAY_APPLY = frozenset({Fault.MEDIA_TYPE, Fault.TOO_LARGE})


@dataclasses.dataclass(frozen=True)
class SentBody:
    """
    A request's body as the judge reads it, once: bytes that are not UTF-8 are decoded as Go's
    decoder does (each replaced by U+FFFD) and the result judged as decoded.

    Attributes:
        value: the parsed body; an `Unreadable` when it is no JSON text (or empty).
        utf8: whether the bytes are UTF-8.
        invalid: whether the (decoded) value breaks a request rule.
        checked: the request rules evaluated.
        violations: the request rules the body breaks (every rule, none relaxed), the bytes'
            encoding included. Explained on first use: judging needs only `invalid`.
        readings: other objects a correct target may have read from the same bytes, each with
            why (`FIRST_WINS`: a repeated name, the first taken; `FOLDED`: a field named in
            another case, matched as Go's decoder matches names). Empty for almost every body.
    """

    value: Any
    utf8: bool
    invalid: bool
    checked: tuple[str, ...]
    problems: tuple[Violation, ...] = ()  # what reading the bytes found
    engine: Any = None
    readings: tuple[tuple[str, dict[str, Any]], ...] = ()

    @property
    def readable(self) -> bool:
        return not isinstance(self.value, Unreadable)

    @property
    def deep(self) -> bool:
        """Whether the body nests deeper than `MAX_DEPTH` levels (its value is then unread)."""
        return isinstance(self.value, Unreadable) and self.value.kind == "depth"

    @functools.cached_property
    def violations(self) -> tuple[Violation, ...]:
        found = list(self.problems)
        if self.invalid and self.readable:
            found.extend(request_findings(self.value, None, self.engine)[0])
        return tuple(sorted(set(found)))


_EMPTY = SentBody(UNREADABLE, True, True, ())


def read_sent(exchange: Exchange, engine: Any = None) -> SentBody:
    """Read the request's body once, and ask the library whether it keeps the request rules."""
    raw = exchange.request_body
    if not raw:
        return _EMPTY
    value, problems, checked = read_body(raw)
    utf8 = True
    if isinstance(value, Unreadable) and value.kind == "encoding" and not _bom(raw):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            # The rule on the bytes (request.utf8), then the body as a Go server decodes it.
            utf8 = False
            decoded, more, more_checked = read_body(raw.decode("utf-8", "replace"))
            value, problems = decoded, [*problems, *more]
            checked |= more_checked
    if isinstance(value, Unreadable):
        return SentBody(value, utf8, True, tuple(sorted(checked)), tuple(problems), engine)
    valid = request_is_valid(value, engine)
    readings = (
        _readings(raw, value)
        # Almost every body names each field once, in its case: no other reading to look for.
        if isinstance(value, dict)
        and (max(map(raw.count, _QUOTED)) > 1 or not value.keys() <= KNOWN_FIELDS)
        else ()
    )
    # Every field at once (as `SentBody(...)` would set them, one object.__setattr__ each).
    made = object.__new__(SentBody)
    made.__dict__.update(
        {
            "value": value,
            "utf8": utf8,
            "invalid": not valid,
            "checked": tuple(sorted(checked)),
            "problems": tuple(problems),
            "engine": engine,
            "readings": readings,
        }
    )
    return made


def _bom(raw: bytes) -> bool:
    return raw.startswith(b"\xef\xbb\xbf")


#: Why a body has another reading (`SentBody.readings`).
FIRST_WINS, FOLDED = "first-wins", "folded"
_FOLDS = {name.casefold(): name for name in KNOWN_FIELDS}
_QUOTED = tuple(f'"{name}"'.encode() for name in KNOWN_FIELDS)


def _readings(raw: bytes, value: dict[str, Any]) -> tuple[tuple[str, dict[str, Any]], ...]:
    """
    The other objects a correct target may read from a body whose value (as parsed here: of a
    repeated name, the last) is `value`. RFC 8259 leaves a repeated name to the parser, so a
    target may take the first; Go's decoder matches a field name in another case
    (``IssueStatus``) to the field, which breaks only the assumed point on unknown fields.
    """
    found: list[tuple[str, dict[str, Any]]] = []
    if _repeats_a_field(raw):
        try:
            first = json.loads(raw.decode("utf-8", "replace"), object_pairs_hook=_first_wins)
        except (ValueError, RecursionError):  # pragma: no cover - parsed once already
            first = None
        if isinstance(first, dict) and first != value:
            found.append((FIRST_WINS, first))
    if _names_a_field_otherwise(value):
        folded: dict[str, Any] = {}
        for name, item in value.items():
            folded[name if name in KNOWN_FIELDS else _FOLDS.get(name.casefold(), name)] = item
        found.append((FOLDED, folded))
    return tuple(found)


def _repeats_a_field(raw: bytes) -> bool:
    return max(map(raw.count, _QUOTED)) > 1  # no generator: this runs on every object body


def _names_a_field_otherwise(value: dict[str, Any]) -> bool:
    unknown = value.keys() - KNOWN_FIELDS  # almost always empty
    return bool(unknown) and any(name.casefold() in _FOLDS for name in unknown)


def _first_wins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    made: dict[str, Any] = {}
    for name, item in pairs:
        made.setdefault(name, item)
    return made


@dataclasses.dataclass(frozen=True)
class Expectation:
    """
    What a request calls for: its faults, its assumed points and the faults unknown facts may
    add (`Fault` values).

    Attributes:
        faults: what is certainly wrong with the request.
        points: the assumed points it touches (a target may refuse them).
        possible: faults the caller's facts cannot rule out (an unknown key or issue).
        known_issue: the request names an issue known to exist for its key.
    """

    faults: frozenset[Fault] = frozenset()
    points: frozenset[Fault] = frozenset()
    possible: frozenset[Fault] = frozenset()
    known_issue: bool = False

    def __post_init__(self) -> None:
        if self.faults <= _FAULTS and self.possible <= _FAULTS and self.points <= _POINTS:
            return  # the usual case: three subset tests, nothing built
        listed = self.faults | self.points | self.possible
        if not listed <= _TABLED:  # the usual case costs one set comparison
            for fault in listed:
                if not isinstance(fault, Fault):
                    raise UnknownFault(f"{fault!r} is not a Fault")
                answers_for(fault)
        misplaced = (self.faults | self.possible) & _POINTS | (self.points - _POINTS)
        if misplaced:
            raise UnknownFault(
                f"{sorted(misplaced)!r}: a fault listed as a point or a point as a fault"
            )

    @property
    def is_update(self) -> bool:
        """A request that must be answered 200 with the known issue's content."""
        return not self.faults and self.known_issue

    def allows(self, status: int, error_envelope: bool) -> bool:
        """Whether the answer is right for at least one fault, possible fault or point."""
        for group in (self.faults, self.possible, self.points):
            for fault in group:
                if ANSWERS[fault].allows(status, error_envelope):
                    return True
        return False

    def describe(self) -> str:
        """The acceptable answers, each with the fault that allows it."""
        return "; ".join(
            f"{ANSWERS[f].describe()} ({ANSWERS[f].what})"
            for f in sorted({*self.faults, *self.possible, *self.points})
        )

    @property
    def names(self) -> list[str]:
        """The faults' values, sorted (the record's ``faults``)."""
        return sorted(f.value for f in self.faults)

    @property
    def point_names(self) -> list[str]:
        return sorted(f.value for f in self.points)

    @property
    def possible_names(self) -> list[str]:
        return sorted(f.value for f in self.possible)


def expectation_of(
    exchange: Exchange, facts: Facts, sent: SentBody, *, concurrent: bool = False
) -> Expectation:
    """
    Every fault (and assumed point, and possible fault) of a request, from the request alone
    and the caller's facts; `concurrent`: the sender knows another change of the issue was in
    flight at the same moment (`Fault.RACE`).
    """
    faults: set[Fault] = set()
    points: set[Fault] = {Fault.RACE} if concurrent else set()
    possible: set[Fault] = set()
    method = exchange.method
    if method != "POST" and method.upper() != "POST":
        faults.add(Fault.METHOD)
    key = facts.key_kind(exchange.header(AUTH_HEADER))
    issue_id = exchange.issue_id
    known = False
    if not issue_id or issue_id in (".", "..") or "/" in issue_id:
        faults.add(Fault.ROUTE)
    else:
        known = _issue_faults(issue_id, facts, key, faults, points, possible)
    if key is KeyKind.MISSING:
        faults.add(Fault.MISSING_KEY)
    elif key is KeyKind.BAD:
        faults.add(Fault.BAD_KEY)
        if known and facts.foreign_api_key is None and facts.other_workspaces:
            possible.add(Fault.FOREIGN_KEY)  # perhaps a key of a workspace nobody named
    elif key is KeyKind.UNKNOWN:
        possible.add(Fault.BAD_KEY)
    elif key is KeyKind.FOREIGN and known:
        faults.add(Fault.FOREIGN_KEY)
    _body_faults(exchange, sent, faults, points, possible)
    # Every field at once, unchecked: each group above holds only faults, or only points.
    made = object.__new__(Expectation)
    made.__dict__.update(
        {
            "faults": frozenset(faults),
            "points": frozenset(points),
            "possible": frozenset(possible - faults),
            "known_issue": known,
        }
    )
    return made


def _issue_faults(
    issue_id: str,
    facts: Facts,
    key: KeyKind,
    faults: set[Fault],
    points: set[Fault],
    possible: set[Fault],
) -> bool:
    """Add the issue_id's faults; return whether it names an issue known to exist."""
    if facts.foreign_issue_id is not None and issue_id == facts.foreign_issue_id:
        if key is not KeyKind.FOREIGN:
            faults.add(Fault.FOREIGN_ISSUE)
        return False
    if issue_id in facts.issue_ids:
        if not facts.builtin_mock and not ISSUE_ID.match(issue_id):
            points.add(Fault.ALIAS_ID)  # the mock's extra form: another server may refuse it
        return True
    well_formed = bool(ISSUE_ID.match(issue_id))
    every = facts.every_issue
    if not well_formed:
        if ALIAS_ID.match(issue_id) and not every:
            points.add(Fault.ALIAS_ID)  # may name an issue the caller does not know
            possible.add(Fault.UNKNOWN_ISSUE)
        else:
            faults.add(Fault.MALFORMED_ID)
    elif every:
        faults.add(Fault.UNKNOWN_ISSUE)
    else:
        possible.add(Fault.UNKNOWN_ISSUE)
    return False


def _body_faults(
    exchange: Exchange,
    sent: SentBody,
    faults: set[Fault],
    points: set[Fault],
    possible: set[Fault],
) -> None:
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
    if not sent.utf8:
        points.add(Fault.NOT_UTF8)
    if sent.deep:
        # Depth alone breaks nothing the page says (RFC 8259 §9 lets a parser set its limit).
        # The value is beyond reading here: an object may be valid, anything else is not.
        points.add(Fault.DEEP_NESTING)
        if raw.lstrip()[:1] == b"{":
            possible.add(Fault.SCHEMA)
        else:
            faults.add(Fault.NOT_OBJECT)
        return
    body = sent.value
    if not sent.readable:
        faults.add(Fault.NOT_JSON)
    elif not isinstance(body, dict):
        faults.add(Fault.NOT_OBJECT)
    elif sent.invalid:
        faults.add(Fault.SCHEMA)
    elif not body:
        points.add(Fault.EMPTY_BODY)
    elif not body.keys() <= KNOWN_FIELDS:
        points.add(Fault.UNKNOWN_FIELDS)


def acceptance_rule(sent: Any) -> str:
    """
    The rule that asks a valid body to be accepted: ``{}`` and unknown fields are valid by the
    spec, but their acceptance is the project's assumption (tagged ``assumed``).
    """
    if isinstance(sent, dict):
        if not sent:
            return ANSWERS[Fault.EMPTY_BODY].rule or ""
        if not sent.keys() <= KNOWN_FIELDS:
            return ANSWERS[Fault.UNKNOWN_FIELDS].rule or ""
    return "behaviour.valid-body-accepted"
