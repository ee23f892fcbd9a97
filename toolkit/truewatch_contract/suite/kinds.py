"""
The kinds of request the suite can plan: one concrete request for each class of input.

A `Kind` is a recipe, filled in at send time from what the session knows (`Context`: the test
issue's current status, the known assignees, the foreign workspace). Which rules each kind
exercises is measured, not declared: ``scripts/rank-requests`` sends every kind to the built-in
mock, reads which rules each verdict checked, and writes ``request_kinds.json``, the table the
budget planner (`truewatch_contract.suite.plan`) ranks with.

Some kinds also declare units of their own (``profile:<point>``): a target's choice that the
built-in mock cannot show (which fault's answer wins when a request carries several, how an
unknown route or an empty key is answered, whether a field name in another case is applied), so
that a budgeted run observes it. A kind with several faults counts only what it declares: it
never stands in for the single-fault kinds (`truewatch_contract.suite.plan`). An `optional` kind
is planned only where the budget has room.

The order of `KINDS` is the order a plan sends them in: every request a correct target may accept
first (a chain that makes sense on one issue: assignees set before they are replaced), then every
request any correct target rejects, so that one read-back proves a batch of them unchanged.
Pure data and small functions; nothing heavy is imported.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from truewatch_contract.judge.faults import Fault
from truewatch_contract.limits import BODY_LIMIT
from truewatch_contract.spec import ROUTE
from truewatch_contract.suite.edges import MANY

#: A well-formed key that belongs to nobody.
WRONG_KEY = "tkn_0123456789abcdef0123456789abcdef"
#: A well-formed id (the page's 32 lowercase hex) that names no issue.
UNKNOWN_ISSUE = "ffffffffffffffffffffffffffffffff"
#: A body just above 1 MiB, valid but for its size.
TOO_LARGE = b'{"issueStatus": "Resolved", "padding": "' + b"x" * (BODY_LIMIT + 16) + b'"}'
#: A body that breaks the schema and nothing else (an issueStatus outside the five).
BAD_BODY = {"issueStatus": "not-a-status"}
#: A path beside the update route that is no route of the API.
UNKNOWN_ROUTE = "/api/v1/error_track/{issue_id}/change"
#: The update route with a query string the page does not name.
QUERY_ROUTE = ROUTE + "?source=contract-suite"
#: How deep `DEEP` nests: beyond the mock's 512 levels (RFC 8259 §9 lets a parser set a limit).
DEPTH = 600
#: A valid object holding an unknown field nested `DEPTH` levels deep.
DEEP = b'{"nested": ' + b"[" * DEPTH + b"]" * DEPTH + b"}"
#: The UTF-8 byte-order mark (RFC 8259 §8.1: a sender must not add one; a parser may ignore it).
BOM = b"\xef\xbb\xbf"

#: Placeholders a recipe may use; `Kind.request` fills them in.
OTHER_STATUS = "$other-status"  # a status the issue does not have now: an applied update shows
SAME_STATUS = "$same-status"  # the status the issue has now
DEFAULT_KEY = "$key"  # the target's key
FOREIGN_KEY = "$foreign-key"  # another workspace's key
ANOTHER_STATUS = "$another-status"  # a status the issue has not now, other than OTHER_STATUS
TEST_ISSUE = "$issue"
FOREIGN_ISSUE = "$foreign-issue"
ALIAS_ISSUE = "$alias"  # the test issue named by its record's uuid (learnt from its content)
#: ``$edge:<unit>``: the representative of an edge unit (`truewatch_contract.suite.edges`),
#: taken from what the session knows (its assignees, the test issue, the keys).
EDGE = "$edge:"


@dataclasses.dataclass(frozen=True)
class Context:
    """What the session knows when it fills a recipe in."""

    issue_id: str
    api_key: str
    assignees: tuple[str, ...] = ()
    foreign_api_key: str | None = None
    foreign_issue_id: str | None = None
    current: Mapping[str, Any] | None = None

    @property
    def status(self) -> str:
        value = (self.current or {}).get("issueStatus")
        return value if isinstance(value, str) else "Triage"

    @property
    def other_status(self) -> str:
        return "Working" if self.status != "Working" else "Resolved"

    @property
    def another_status(self) -> str:
        """A second status the issue does not have now (neither its own nor `other_status`)."""
        return next(s for s in ("Ignored", "Assigned") if s != self.status)

    @property
    def alias(self) -> str | None:
        """The test issue's other id, its record's ``uuid`` (None until a content showed one)."""
        from truewatch_contract.judge.facts import ALIAS_ID

        value = (self.current or {}).get("uuid")
        return value if isinstance(value, str) and ALIAS_ID.match(value) else None

    def edge(self, unit: str) -> Any:
        """The value the representative of an edge unit sends (see `edges.representative`)."""
        from truewatch_contract.suite import edges

        return edges.representative(
            unit,
            known={"assigner/*": self.assignees} if self.assignees else None,
            issue_id=self.issue_id,
            api_key=self.api_key,
            foreign_api_key=self.foreign_api_key,
        ).value


@dataclasses.dataclass(frozen=True)
class Request:
    """
    One concrete request: JSON `body` (or `raw` bytes), `key` None for no header. `headers`
    replace the default ``Content-Type: application/json``; an empty value drops the header.
    `route`: a path of its own (``{issue_id}`` filled in, a query string kept); ``""`` for the
    update route.
    """

    method: str
    issue_id: str
    key: str | None
    body: Any = None
    raw: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()
    route: str = ""


@dataclasses.dataclass(frozen=True)
class Kind:
    """
    One class of input and its request.

    ``faults``: the faults of the request, as the judge finds them (empty: a request that must be
    accepted).
    ``proves``: the rule a later read-back proves for it ("a rejected request changes nothing"),
    or "" when nothing needs proving (another issue, an accepted update).
    ``needs``: what the target must offer (``assignees``, ``two-assignees``, ``foreign``).
    ``route``: a path of its own instead of the update route (see `Request`).
    ``declares``: units of its own (``profile:<point>``) beside the measured ones.
    ``optional``: planned only where the budget has room, never in the mandatory part.
    """

    name: str
    description: str
    body: Any = None
    raw: bytes | None = None
    method: str = "POST"
    issue: str = TEST_ISSUE
    key: str | None = DEFAULT_KEY
    headers: tuple[tuple[str, str], ...] = ()
    faults: tuple[Fault, ...] = ()
    proves: str = ""
    needs: tuple[str, ...] = ()
    route: str = ""
    declares: tuple[str, ...] = ()
    optional: bool = False

    @property
    def accepted(self) -> bool:
        return not self.faults

    def available(self, context: Context) -> bool:
        """
        Whether the target offers what this kind needs (and, for the alias, whether the
        session has seen the issue's uuid).
        """
        offers = {
            "assignees": len(context.assignees) >= 1,
            "two-assignees": len(context.assignees) >= 2,
            "foreign": bool(context.foreign_api_key and context.foreign_issue_id),
        }
        if self.issue == ALIAS_ISSUE and context.alias is None:
            return False
        return all(offers[need] for need in self.needs)

    def request(self, context: Context) -> Request:
        """The request for `context` (placeholders filled in)."""
        issue = {
            TEST_ISSUE: context.issue_id,
            FOREIGN_ISSUE: context.foreign_issue_id or "",
            ALIAS_ISSUE: context.alias or "",
        }.get(self.issue, self.issue)
        if issue.startswith(EDGE):
            issue = str(context.edge(issue.removeprefix(EDGE)))
        key = {DEFAULT_KEY: context.api_key, FOREIGN_KEY: context.foreign_api_key}.get(
            self.key or "", self.key
        )
        if key is not None and key.startswith(EDGE):
            key = str(context.edge(key.removeprefix(EDGE)))
        return Request(
            method=self.method,
            issue_id=issue,
            key=key,
            body=_fill(self.body, context),
            raw=_fill_raw(self.raw, context),
            headers=self.headers,
            route=self.route,
        )


def _fill_raw(raw: bytes | None, context: Context) -> bytes | None:
    """Replace the status placeholders in raw bytes (only those two: the rest is sent as is)."""
    if raw is None or b"$" not in raw:
        return raw
    filled = ((ANOTHER_STATUS, context.another_status), (OTHER_STATUS, context.other_status))
    for name, value in filled:
        raw = raw.replace(name.encode(), value.encode())
    return raw


def _fill(value: Any, context: Context) -> Any:
    """Replace the placeholders in a body template."""
    if value == OTHER_STATUS:
        return context.other_status
    if value == ANOTHER_STATUS:
        return context.another_status
    if isinstance(value, str) and value.startswith(EDGE):
        return context.edge(value.removeprefix(EDGE))
    if value == SAME_STATUS:
        return context.status
    if isinstance(value, str) and value.startswith("$lower:"):
        return _fill(value.removeprefix("$lower:"), context).lower()
    if isinstance(value, str) and value.startswith("$assignees:"):
        first, _, last = value.removeprefix("$assignees:").partition(":")
        return list(context.assignees[int(first) : int(last) if last else None])
    if isinstance(value, dict):
        return {k: _fill(v, context) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, context) for v in value]
    return value


_INVALID = "behaviour.invalid-body-rejected"
_SCHEMA = (Fault.SCHEMA,)
_JSON_CT = (("Content-Type", "application/json"),)
_TEXT_CT = (("Content-Type", "text/plain"),)
_CHARSET_CT = (("Content-Type", "application/json;charset=UTF-8"),)
_STATUS = {"issueStatus": OTHER_STATUS}

#: Requests a correct target may accept (must, or may where the contract leaves it open).
_ACCEPTED: tuple[Kind, ...] = (
    # -- accepted updates: a status chain and the assignees --------------------------------
    Kind("status-change", "a new status", _STATUS),
    Kind(
        "same-status",
        "the current status again, sent as application/json;charset=UTF-8 (the page's own form)",
        {"issueStatus": SAME_STATUS},
        # Both must be accepted, so one request shows both: a refusal is a violation either way.
        headers=_CHARSET_CT,
    ),
    Kind(
        "assign-many",
        "two assignees, no status",
        {"assigner": "$assignees:0:2"},
        needs=("two-assignees",),
    ),
    Kind(
        "assign-replace",
        "one other assignee, replacing the list",
        {"assigner": "$assignees:-1"},
        needs=("assignees",),
    ),
    Kind(
        "assign-long",
        f"a list of {MANY} assignees, the known ones repeated (nothing limits its length)",
        {"assigner": EDGE + "edge:assigner:many"},
        needs=("assignees",),
    ),
    Kind(
        "status-and-assign",
        "a new status and an assignee",
        {"issueStatus": OTHER_STATUS, "assigner": "$assignees:0:1"},
        needs=("assignees",),
    ),
    Kind("empty-body", "the no-op body {}", {}),
    Kind(
        "unknown-fields",
        "a new status beside fields the page does not name",
        {"issueStatus": OTHER_STATUS, "comment": "contract suite", "priority": 1},
    ),
    Kind(
        "json-charset",
        "a new status sent as application/json;charset=UTF-8 (the page's own form)",
        _STATUS,
        headers=_CHARSET_CT,
    ),
    # -- valid requests a target may refuse where the page is silent (assumed points) ------
    Kind(
        "no-media-type",
        "a new status sent without a Content-Type",
        _STATUS,
        headers=(("Content-Type", ""),),
    ),
    Kind(
        "field-case",
        "a new status under the name IssueStatus (an unknown field; Go's decoder applies it)",
        {"IssueStatus": OTHER_STATUS},
        declares=("profile:field-case",),
    ),
    Kind(
        "alias-id",
        "a new status for the test issue named by its record's uuid (isset_...)",
        _STATUS,
        issue=ALIAS_ISSUE,
        declares=("profile:alias-id",),
    ),
    Kind(
        "deep-nesting",
        f"an unknown field nested {DEPTH} levels deep (a parser may set a depth limit)",
        raw=DEEP,
        headers=_JSON_CT,
        declares=("profile:deep-nesting",),
    ),
    Kind(
        "query-string",
        "a new status, the route with a query string the page does not name",
        _STATUS,
        route=QUERY_ROUTE,
        declares=("profile:query-string",),
        optional=True,
    ),
    Kind(
        "duplicate-keys",
        "issueStatus given twice, two new statuses (a target may take the first or the last)",
        raw=f'{{"issueStatus":"{OTHER_STATUS}","issueStatus":"{ANOTHER_STATUS}"}}'.encode(),
        headers=_JSON_CT,
        declares=("profile:duplicate-keys",),
        optional=True,
    ),
)

#: Requests every correct target rejects: none changes the issue, so one read-back after a batch
#: of them proves those that must be shown to change nothing (``proves``).
_REJECTED: tuple[Kind, ...] = (
    # -- bodies that break the schema --------------------------------------------------------
    Kind(
        "status-wrong-case",
        "a status in lower case",
        {"issueStatus": "$lower:" + OTHER_STATUS},
        faults=_SCHEMA,
        proves=_INVALID,
    ),
    Kind("status-null", "issueStatus null", {"issueStatus": None}, faults=_SCHEMA, proves=_INVALID),
    Kind(
        "status-not-string",
        "issueStatus an object",
        {"issueStatus": {}},
        faults=_SCHEMA,
        proves=_INVALID,
    ),
    Kind("assigner-empty", "assigner []", {"assigner": []}, faults=_SCHEMA, proves=_INVALID),
    Kind(
        "assigner-bad-id",
        "an assignee's id in upper case (the right characters in the wrong case)",
        {"assigner": EDGE + "edge:assigner/*:case"},
        faults=_SCHEMA,
        proves=_INVALID,
    ),
    Kind(
        "assigner-not-array",
        "assigner a string",
        {"assigner": "acnt_3875a23398de4c92a5fc68a1c49a664b"},
        faults=_SCHEMA,
        proves=_INVALID,
    ),
    Kind(
        "valid-status-bad-assigner",
        "a valid new status beside an assignee's id one character short (rejected whole)",
        {"issueStatus": OTHER_STATUS, "assigner": EDGE + "edge:assigner/*:one-character"},
        faults=_SCHEMA,
        proves=_INVALID,
    ),
    Kind("body-array", "a JSON array", [OTHER_STATUS], faults=(Fault.NOT_OBJECT,), proves=_INVALID),
    Kind(
        "body-not-json",
        "truncated JSON",
        raw=b'{"issueStatus": "Resolved"',
        headers=_JSON_CT,
        faults=(Fault.NOT_JSON,),
        proves=_INVALID,
    ),
    Kind(
        "body-not-utf8",
        "a status with a byte that is not UTF-8",
        raw=b'{"issueStatus": "Work\xffing"}',
        headers=_JSON_CT,
        faults=_SCHEMA,
        proves=_INVALID,
    ),
    Kind(
        "body-bom",
        "a valid new status after a UTF-8 byte-order mark (no JSON text by RFC 8259)",
        raw=BOM + b'{"issueStatus": "' + OTHER_STATUS.encode() + b'"}',
        headers=_JSON_CT,
        faults=(Fault.NOT_JSON,),
        declares=("profile:bom",),
        optional=True,
    ),
    # -- other ways to get it wrong --------------------------------------------------------
    Kind(
        "media-type-text",
        "a valid body declared as text/plain",
        _STATUS,
        headers=_TEXT_CT,
        faults=(Fault.MEDIA_TYPE,),
        proves="behaviour.media-type-rejected",
    ),
    Kind("method-put", "PUT instead of POST", _STATUS, method="PUT", faults=(Fault.METHOD,)),
    Kind("method-get", "GET instead of POST", method="GET", faults=(Fault.METHOD,)),
    Kind(
        "too-large",
        "a valid body above 1 MiB",
        raw=TOO_LARGE,
        headers=_JSON_CT,
        faults=(Fault.TOO_LARGE,),
    ),
    Kind(
        "issue-empty",
        "no issue_id in the route",
        {"issueStatus": "Resolved"},
        issue="",
        faults=(Fault.ROUTE,),
    ),
    Kind(
        "route-unknown",
        "a path beside the update route that is no route (.../{issue_id}/change)",
        _STATUS,
        route=UNKNOWN_ROUTE,
        faults=(Fault.ROUTE,),
        declares=("profile:route",),
    ),
    # -- the key ---------------------------------------------------------------------------
    Kind(
        "key-missing",
        "no DF-API-KEY",
        _STATUS,
        key=None,
        faults=(Fault.MISSING_KEY,),
        proves="behaviour.auth-required",
    ),
    Kind(
        "key-empty",
        "DF-API-KEY sent with an empty value (a missing key)",
        _STATUS,
        key="",
        faults=(Fault.MISSING_KEY,),
        declares=("profile:empty-key",),
    ),
    Kind(
        "key-wrong",
        "the target's key without its last character (a key of nobody)",
        _STATUS,
        key=EDGE + "edge:key:one-character",
        faults=(Fault.BAD_KEY,),
        proves="behaviour.auth-required",
    ),
    # -- the issue id ----------------------------------------------------------------------
    Kind(
        "issue-unknown",
        "a well-formed id of no issue",
        {"issueStatus": "Resolved"},
        issue=UNKNOWN_ISSUE,
        faults=(Fault.UNKNOWN_ISSUE,),
    ),
    Kind(
        "issue-malformed",
        "an id that cannot be an issue's",
        {"issueStatus": "Resolved"},
        issue="not-an-issue",
        faults=(Fault.MALFORMED_ID,),
    ),
    Kind(
        "issue-near-miss",
        "the test issue's id upper-cased",
        _STATUS,
        issue=EDGE + "edge:issue_id:case",
        faults=(Fault.MALFORMED_ID,),
    ),
    Kind(
        "issue-foreign",
        "another workspace's issue with our key (answered as an unknown issue)",
        {"issueStatus": "Working"},
        issue=FOREIGN_ISSUE,
        faults=(Fault.FOREIGN_ISSUE,),
        needs=("foreign",),
    ),
    Kind(
        "key-foreign",
        "another workspace's key on the test issue",
        _STATUS,
        key=FOREIGN_KEY,
        faults=(Fault.FOREIGN_KEY,),
        proves="behaviour.workspace-isolation",
        needs=("foreign",),
    ),
    # -- several faults at once: which fault's answer wins (the order of the checks) --------
    Kind(
        "order-key-body",
        "a wrong key and a body against the schema",
        BAD_BODY,
        key=WRONG_KEY,
        faults=(Fault.BAD_KEY, Fault.SCHEMA),
        declares=("profile:order:key-body",),
    ),
    Kind(
        "order-issue-body",
        "an unknown well-formed issue and a body against the schema",
        BAD_BODY,
        issue=UNKNOWN_ISSUE,
        faults=(Fault.UNKNOWN_ISSUE, Fault.SCHEMA),
        declares=("profile:order:issue-body",),
    ),
    Kind(
        "order-id-key-body",
        "an id that cannot be an issue's, a wrong key and a body against the schema",
        BAD_BODY,
        issue="not-an-issue",
        key=WRONG_KEY,
        faults=(Fault.MALFORMED_ID, Fault.BAD_KEY, Fault.SCHEMA),
        declares=("profile:order:id-key-body",),
    ),
    Kind(
        "order-key-size",
        "a wrong key and a body above 1 MiB",
        raw=TOO_LARGE,
        headers=_JSON_CT,
        key=WRONG_KEY,
        faults=(Fault.BAD_KEY, Fault.TOO_LARGE),
        declares=("profile:order:key-size",),
    ),
    Kind(
        "order-key-media",
        "a wrong key and a valid body declared as text/plain",
        _STATUS,
        headers=_TEXT_CT,
        key=WRONG_KEY,
        faults=(Fault.BAD_KEY, Fault.MEDIA_TYPE),
        declares=("profile:order:key-media",),
    ),
    Kind(
        "order-method-key",
        "PUT with a wrong key",
        _STATUS,
        method="PUT",
        key=WRONG_KEY,
        faults=(Fault.METHOD, Fault.BAD_KEY),
        declares=("profile:order:method-key",),
    ),
    Kind(
        "order-route-key",
        "an unknown route with a wrong key",
        _STATUS,
        route=UNKNOWN_ROUTE,
        key=WRONG_KEY,
        faults=(Fault.ROUTE, Fault.BAD_KEY),
        declares=("profile:order:route-key",),
    ),
)


def _edge_kinds() -> tuple[Kind, ...]:
    """
    One kind per edge unit the spec makes (`truewatch_contract.suite.edges.units`): its
    representative, alone in its request. Near misses need no read-back: what they test is
    whether the target accepts them, and an accepted one is answered 200.
    """
    from truewatch_contract.judge.facts import ISSUE_ID
    from truewatch_contract.suite import edges

    made = []
    for unit in edges.units():
        _, place, kind = unit.split(":", 2)
        stand_in = edges.representative(unit, foreign_api_key=edges.FOREIGN_STAND_IN)
        name = f"edge-{place.replace('/*', '-item')}-{kind}"
        status = {"issueStatus": OTHER_STATUS}
        if place == edges.ISSUE_ID:
            fault = Fault.UNKNOWN_ISSUE if ISSUE_ID.match(stand_in.value) else Fault.MALFORMED_ID
            made.append(
                Kind(name, f"the test issue's id: {kind} near miss", status, issue=EDGE + unit,
                     faults=(fault,))
            )  # fmt: skip
        elif place in (edges.KEY, edges.FOREIGN_KEY):
            foreign = place == edges.FOREIGN_KEY
            made.append(
                Kind(name, f"{'another workspace' if foreign else 'the target'}'s key: {kind} "
                     "near miss", status, key=EDGE + unit, faults=(Fault.BAD_KEY,),
                     needs=("foreign",) if foreign else ())
            )  # fmt: skip
        elif stand_in.valid:
            made.append(
                Kind(name, f"{stand_in.field}: {stand_in.what}", {stand_in.field: EDGE + unit},
                     needs=("assignees",))
            )  # fmt: skip
        else:
            made.append(
                Kind(name, f"{place}: {kind} near miss", {stand_in.field: EDGE + unit},
                     faults=_SCHEMA)
            )  # fmt: skip
    return tuple(made)


_EDGES = _edge_kinds()

KINDS: tuple[Kind, ...] = (
    *_ACCEPTED,
    *(kind for kind in _EDGES if kind.accepted),
    *_REJECTED,
    *(kind for kind in _EDGES if not kind.accepted),
)

#: The read-back that proves a batch of rejected requests changed nothing: the no-op body.
READ_BACK = Kind("read-back", "the no-op {} read back after rejected requests", {})

BY_NAME: dict[str, Kind] = {kind.name: kind for kind in (*KINDS, READ_BACK)}
