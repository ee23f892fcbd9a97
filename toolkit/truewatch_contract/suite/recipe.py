"""
A kind of request as a recipe: what it sends (`Kind`), the placeholders it may use, and what the
session knows when it fills them in (`Context`) to make the concrete `Request`.

The table of the kinds the suite plans is `truewatch_contract.suite.kinds`. Pure data and small
functions; nothing heavy is imported.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from truewatch_contract.judge.faults import Fault
from truewatch_contract.limits import BODY_LIMIT
from truewatch_contract.spec import ROUTE

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
