"""
The profile document: a target's choices where the contract leaves one, as its own versioned JSON
(``format: truewatch-contract-profile/1``, documented in ``docs/profile-format.md``).

A profile is a map of *points* to what the target was seen to do there, each with the number of
exchanges that support it (``support``) and the other values seen, if any (``also``)::

    {"format": "truewatch-contract-profile/1",
     "source": {"target": "https://staging.example", "seed": 7, ...},
     "points": {"answer:bad-key": {"value": {"status": 401, "errorCode": "ft.Unauthorized",
                                             "content": "null", "contentType": "application/json"},
                                   "support": 3},
                "order:bad-key/schema": {"value": "schema", "support": 1}, ...}}

The point ids and their values are listed in `POINTS` (and the format's page). `learn` builds a
profile from a run; `load_profile` reads one from a profile file, a ``report.json`` or a run
record; the mock (`truewatch_contract.mock.learned`) answers from one. A profile holds no API key
and no request header value: only statuses, error codes, shapes and counts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from truewatch_contract.errors import UsageError

FORMAT = "truewatch-contract-profile/1"
FORMAT_NAME = FORMAT.rsplit("/", 1)[0]
#: A profile file larger than this is no profile (the biggest real one is a few kilobytes).
MAX_BYTES = 4 * 1024 * 1024

#: The faults and assumed points whose answer is a point (``answer:<name>``), in listing order,
#: with what the request was.
ANSWER_POINTS: dict[str, str] = {
    "valid": "a valid request",
    "missing-key": "no DF-API-KEY",
    "empty-key": "an empty DF-API-KEY",
    "bad-key": "a wrong DF-API-KEY",
    "foreign-key": "another workspace's key on the issue",
    "malformed-id": "an issue_id of the wrong form",
    "unknown-issue": "an unknown issue_id",
    "foreign-issue": "another workspace's issue",
    "alias-id": "the issue named by its uuid",
    "not-json": "a body that is not JSON",
    "bom": "a body after a byte-order mark",
    "not-utf8": "a body with bytes that are not UTF-8",
    "deep-nesting": "a body nested deeper than 512 levels",
    "not-object": "a JSON body that is not an object",
    "schema": "a body against the schema",
    "schema:issueStatus": "a bad issueStatus",
    "schema:assigner": "a bad assigner",
    "empty-body": "the body {}",
    "unknown-fields": "unknown fields beside valid ones",
    "field-case": "a field name in another case (IssueStatus)",
    "duplicate-keys": "a field name twice in the body",
    "media-type": "another media type",
    "no-media-type": "no Content-Type",
    "too-large": "a body above 1 MiB",
    "method": "another method",
    "route": "an unknown route",
    "empty-id": "an empty issue_id",
    "trailing-slash": "the route with a trailing slash",
    "query-string": "a valid request with a query string",
    "race": "the loser of two simultaneous changes",
    "rate-limit": "a request over the rate limit",
}
#: Points that are not an answer, with what their value says.
OTHER_POINTS: dict[str, str] = {
    "same-status": "the current status sent again (records appended)",
    "field-case:effect": "what a field name in another case does when accepted",
    "duplicate-keys:wins": "which of two values of one field is taken",
    "not-utf8:reading": "bytes that are not UTF-8: refused, or read as U+FFFD",
    "error-content": "the content of an error envelope",
    "trace-id": "the traceId's shape",
    "content-type": "the answers' Content-Type",
    "extra-fields": "envelope fields beyond the page's six (name: JSON type)",
}
ORDER_PREFIX = "order:"


class ProfileError(UsageError):
    """A file or object that is not a usable profile (one line)."""


@dataclass(frozen=True)
class LearnedAnswer:
    """An HTTP answer as a profile keeps it: never a value the target made up (no traceId)."""

    status: int
    error_code: str | None  # None: no JSON envelope
    content: str  # the kind of content: "null", "{}", "object", "array", "absent", "none", ...
    content_type: str | None = None

    @property
    def accepted(self) -> bool:
        return self.status == 200

    def same(self, other: LearnedAnswer) -> bool:
        """Alike as a client sees it: status, errorCode and the kind of content."""
        return (self.status, self.error_code, self.content) == (
            other.status,
            other.error_code,
            other.content,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "errorCode": self.error_code,
            "content": self.content,
            "contentType": self.content_type,
        }

    @classmethod
    def from_json(cls, value: Any) -> LearnedAnswer:
        if not isinstance(value, Mapping):
            raise ProfileError(f"an answer must be an object, not {json.dumps(value)[:60]}")
        status = value.get("status")
        code = value.get("errorCode")
        content = value.get("content")
        kind = value.get("contentType")
        if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
            raise ProfileError(f"an answer's status must be an HTTP status, not {status!r}")
        if code is not None and not isinstance(code, str):
            raise ProfileError(f"an answer's errorCode must be a string or null, not {code!r}")
        if not isinstance(content, str):
            raise ProfileError(f"an answer's content must name a kind, not {content!r}")
        if kind is not None and not isinstance(kind, str):
            raise ProfileError(f"an answer's contentType must be a string or null, not {kind!r}")
        return cls(status, code, content, kind)

    def describe(self) -> str:
        """``401 ft.Unauthorized, content null``."""
        if self.error_code is None:
            return f"{self.status} (no JSON envelope)"
        code = f" {self.error_code}" if self.error_code else ""
        return f"{self.status}{code}, content {self.content}"


@dataclass(frozen=True)
class Point:
    """What the target did on one point: the value most exchanges showed, and the others."""

    value: Any
    support: int
    also: tuple[tuple[Any, int], ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": _plain(self.value), "support": self.support}
        if self.also:
            out["also"] = [{"value": _plain(v), "support": n} for v, n in self.also]
        return out


def _plain(value: Any) -> Any:
    return value.to_json() if isinstance(value, LearnedAnswer) else value


@dataclass(frozen=True)
class Profile:
    """
    A target's profile. `points` maps a point id (``answer:bad-key``, ``order:bad-key/schema``,
    ``same-status``, ...) to a `Point`; `source` says where it was learned (the target's
    address, the run's seed and budget, the tool's version); `exchanges` counts the answered
    exchanges read and `learned_from` those that broke no rule.
    """

    points: Mapping[str, Point] = field(default_factory=dict)
    source: Mapping[str, Any] = field(default_factory=dict)
    exchanges: int = 0
    learned_from: int = 0

    def __contains__(self, point: str) -> bool:
        return point in self.points

    def value(self, point: str) -> Any:
        """The point's value, None when the run did not observe it."""
        found = self.points.get(point)
        return found.value if found is not None else None

    def answer(self, name: str) -> LearnedAnswer | None:
        """The learned answer to ``answer:<name>``, None when not learned."""
        value = self.value("answer:" + name)
        return value if isinstance(value, LearnedAnswer) else None

    def order(self) -> dict[tuple[str, str], tuple[str, int]]:
        """``{(fault a, fault b): (the one whose answer won, support)}``, a < b."""
        found: dict[tuple[str, str], tuple[str, int]] = {}
        for point, observed in self.points.items():
            if point.startswith(ORDER_PREFIX):
                first, _, second = point.removeprefix(ORDER_PREFIX).partition("/")
                found[(first, second)] = (str(observed.value), observed.support)
        return found

    def to_json(self) -> dict[str, Any]:
        from truewatch_contract import __version__

        return {
            "format": FORMAT,
            "tool": {"name": "truewatch-contract", "version": __version__},
            "source": dict(self.source),
            "exchanges": self.exchanges,
            "learned_from": self.learned_from,
            "points": {name: self.points[name].to_json() for name in sorted_points(self.points)},
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, document: Any) -> Profile:
        """The profile a document holds; `ProfileError` (one line) for anything else."""
        if not isinstance(document, Mapping):
            raise ProfileError("not a profile: a profile is a JSON object")
        found = document.get("format")
        if not isinstance(found, str) or not found.startswith(FORMAT_NAME + "/"):
            raise ProfileError(f"not a profile: format is {found!r}, expected {FORMAT!r}")
        if found != FORMAT:
            raise ProfileError(f"a profile of another version ({found}); this tool reads {FORMAT}")
        points = document.get("points")
        if not isinstance(points, Mapping):
            raise ProfileError("not a profile: 'points' must be an object")
        source = document.get("source", {})
        return cls(
            points={str(name): _point(str(name), item) for name, item in points.items()},
            source=dict(source) if isinstance(source, Mapping) else {},
            exchanges=_count(document.get("exchanges")),
            learned_from=_count(document.get("learned_from")),
        )


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _point(name: str, item: Any) -> Point:
    if not isinstance(item, Mapping) or "value" not in item:
        raise ProfileError(f"the point {name!r} must be an object with a 'value'")
    try:
        value = _value(name, item["value"])
        also = tuple(
            (_value(name, other.get("value")), _count(other.get("support")))
            for other in item.get("also") or ()
            if isinstance(other, Mapping)
        )
    except ProfileError as error:
        raise ProfileError(f"the point {name!r}: {error}") from None
    return Point(value, _count(item.get("support")), also)


def _value(name: str, value: Any) -> Any:
    if name.startswith("answer:"):
        return LearnedAnswer.from_json(value)
    if isinstance(value, (dict, list)):
        return json.loads(json.dumps(value))  # a plain, private copy
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise ProfileError(f"a value of type {type(value).__name__}")


def sorted_points(points: Mapping[str, Any]) -> list[str]:
    """Point ids in listing order: answers as `ANSWER_POINTS`, then the others, then orders."""
    rank = {"answer:" + name: i for i, name in enumerate(ANSWER_POINTS)}
    rank.update({name: len(rank) + i for i, name in enumerate(OTHER_POINTS)})
    return sorted(points, key=lambda p: (rank.get(p, len(rank)), p))


def describe(point: str, value: Any) -> str:
    """A point's value in a few words (``401 ft.Unauthorized, content null``, ``schema first``)."""
    if isinstance(value, LearnedAnswer):
        return value.describe()
    if point.startswith(ORDER_PREFIX):
        return "neither alone" if value == "neither" else f"{value}'s answer first"
    if point == "extra-fields" and isinstance(value, Mapping):
        return ", ".join(f"{k} ({v})" for k, v in sorted(value.items())) or "none"
    return str(value)


def label(point: str) -> str:
    """What a point is about, in words."""
    if point.startswith("answer:"):
        return "answer to " + ANSWER_POINTS.get(point.removeprefix("answer:"), point)
    if point.startswith(ORDER_PREFIX):
        first, _, second = point.removeprefix(ORDER_PREFIX).partition("/")
        return f"order of checks: {first} and {second} together"
    return OTHER_POINTS.get(point, point)
