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

from truewatch_contract.judge.faults import Fault
from truewatch_contract.suite.edges import MANY
from truewatch_contract.suite.recipe import (
    ALIAS_ISSUE,
    ANOTHER_STATUS,
    BAD_BODY,
    BOM,
    DEEP,
    DEPTH,
    EDGE,
    FOREIGN_ISSUE,
    FOREIGN_KEY,
    OTHER_STATUS,
    QUERY_ROUTE,
    SAME_STATUS,
    TOO_LARGE,
    UNKNOWN_ISSUE,
    UNKNOWN_ROUTE,
    WRONG_KEY,
    Context,
    Kind,
    Request,
)

__all__ = ["BY_NAME", "KINDS", "READ_BACK", "Context", "Kind", "Request"]

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
