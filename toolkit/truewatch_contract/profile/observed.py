"""
What the target chose, in one run, wherever the contract leaves it a choice: the report's profile.

Built from the run record alone (the suite's ``exchange`` lines, with the ``faults`` and ``points``
the judge derived for each request), so it describes any target, the built-in mock or staging.
Each entry is ``{"point", "observed", "count", "example"}``: one thing the target did on one point,
how often, and one exchange that shows it. A team pointing the suite at a real server learns its
undocumented behaviour here: which status and errorCode a bad key gets, which check comes first
when a request has several faults, what ``{}`` does, the shape of its ``traceId``, ...

A line without ``faults`` (a suite older than the fault table) counts as "faults unknown": it still
feeds the points that do not depend on the request's faults (envelope shapes, Content-Type,
rate-limit answers), never the per-fault ones.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from truewatch_contract.record.lines import ExchangeLine
from truewatch_contract.record.stored import select
from truewatch_contract.rules import status_records

#: The faults whose answer is profiled when a request has that fault alone, and how to name them.
FAULT_POINTS: dict[str, str] = {
    "missing-key": "answer to a missing key",
    "bad-key": "answer to a bad key",
    "foreign-key": "answer to another workspace's key",
    "malformed-id": "answer to a malformed issue id",
    "unknown-issue": "answer to an unknown issue",
    "foreign-issue": "answer to another workspace's issue",
    "not-json": "answer to a body that is not JSON",
    "not-object": "answer to a body that is not an object",
    "schema": "answer to a body against the schema",
    "media-type": "answer to another media type",
    "too-large": "answer to a body above 1 MiB",
    "method": "answer to another method",
    "route": "answer to a malformed route",
}
#: Assumed points: a request the spec calls valid but that a target may refuse.
ASSUMED_POINTS: dict[str, str] = {
    "empty-body": "answer to {} (no change asked)",
    "unknown-fields": "answer to unknown fields",
    "not-utf8": "answer to bytes that are not UTF-8",
    "no-media-type": "answer to a JSON body without Content-Type",
    "alias-id": "answer to the test issue named by another id form",
}
ORDER = "order of checks (several faults: whose answer came back)"
SAME_STATUS = "the same status again"
ERROR_CONTENT = "error content"
TRACE_ID = "traceId shape"
CONTENT_TYPE = "response Content-Type"
RATE_LIMIT = "rate-limit answers"
EXTRA_FIELDS = "envelope fields beyond the page's six"
SUCCESS = "answer to a valid request"
NOTHING = "answers"

#: Every point in the order the report lists them.
POINTS: tuple[str, ...] = (
    *FAULT_POINTS.values(),
    ORDER,
    *ASSUMED_POINTS.values(),
    SAME_STATUS,
    SUCCESS,
    ERROR_CONTENT,
    TRACE_ID,
    CONTENT_TYPE,
    EXTRA_FIELDS,
    RATE_LIMIT,
)

ENVELOPE_FIELDS = frozenset({"code", "content", "errorCode", "message", "success", "traceId"})
_HEX32 = re.compile(r"^[0-9a-f]{32}$")
_HEX32_ANY_CASE = re.compile(r"^[0-9A-Fa-f]{32}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
MAX_EXAMPLE_CHARS = 2000


@dataclass
class _Tally:
    """Counts per (point, observed), with the first exchange that showed each."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    examples: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def add(self, point: str, observed: str, exchange: ExchangeLine) -> None:
        key = (point, observed)
        self.counts[key] += 1
        if key not in self.examples:
            self.examples[key] = example_of(exchange)

    def entries(self) -> list[dict[str, Any]]:
        rank = {point: index for index, point in enumerate(POINTS)}
        keys = sorted(self.counts, key=lambda k: (rank.get(k[0], len(rank)), -self.counts[k], k[1]))
        return [
            {
                "point": p,
                "observed": o,
                "count": self.counts[(p, o)],
                "example": self.examples[(p, o)],
            }
            for p, o in keys
        ]


def build_profile(exchanges: Sequence[ExchangeLine]) -> list[dict[str, Any]]:
    """The target's profile from the run's exchanges (see the module)."""
    tally = _Tally()
    # `select`: a large record's exchanges stay in its file (each walk reads them again).
    answered = select(exchanges, lambda e: e.response is not None)
    single = _single_fault_answers(answered, tally)
    for exchange in answered:
        _assumed_points(exchange, tally)
        _order(exchange, single, tally)
        _envelope_points(exchange, tally)
    _same_status(select(answered, lambda e: True, by_time=True), tally)
    entries = tally.entries()
    if not entries:
        # Nothing was answered (the target was down, the suite could not start): say so.
        observed = f"no answer in this run ({len(exchanges)} request(s) sent)"
        entries = [{"point": NOTHING, "observed": observed, "count": 0, "example": {}}]
    return entries


# -- what an answer is -------------------------------------------------------------------------


def answer_of(exchange: ExchangeLine) -> str:
    """``"403 ft.InvalidAPIKey"``: the status and errorCode (or what stands instead of it)."""
    response = exchange.response
    if response is None:
        return "network error"
    status = response.status if response.status is not None else "?"
    envelope = response.body
    if not isinstance(envelope, Mapping):
        return f"{status} (no JSON envelope)"
    code = envelope.get("errorCode")
    if isinstance(code, str) and code:
        return f"{status} {code}"
    if code in ("", None):
        return f"{status}"
    return f"{status} (errorCode {json.dumps(code)})"


def _envelope(exchange: ExchangeLine) -> Mapping[str, Any] | None:
    return exchange.envelope


def _status(exchange: ExchangeLine) -> int | None:
    return exchange.status


def _real_faults(exchange: ExchangeLine) -> frozenset[str] | None:
    """The request's faults, None when the record does not say."""
    return frozenset(exchange.faults) if exchange.faults is not None else None


# -- the points ----------------------------------------------------------------------------------


def _single_fault_answers(exchanges: Iterable[ExchangeLine], tally: _Tally) -> dict[str, set[str]]:
    """Profile each fault seen alone; return the answers seen for each (for the order of checks)."""
    seen: dict[str, set[str]] = {}
    for exchange in exchanges:
        faults = _real_faults(exchange)
        if faults is None or len(faults) != 1:
            continue
        (fault,) = faults
        answer = answer_of(exchange)
        seen.setdefault(fault, set()).add(answer)
        tally.add(FAULT_POINTS.get(fault, f"answer to the fault {fault!r}"), answer, exchange)
    return seen


def _assumed_points(exchange: ExchangeLine, tally: _Tally) -> None:
    faults = _real_faults(exchange)
    if faults is None or faults or not exchange.points:
        return  # a point is read only where no fault explains the answer
    status = _status(exchange)
    verdict = "accepted" if status == 200 else "refused"
    for point in exchange.points:
        label = ASSUMED_POINTS.get(point, f"answer to the assumed point {point!r}")
        tally.add(label, f"{answer_of(exchange)} ({verdict})", exchange)


def _order(exchange: ExchangeLine, single: Mapping[str, set[str]], tally: _Tally) -> None:
    """For a request with several faults: which fault's own answer came back."""
    faults = _real_faults(exchange)
    if faults is None or len(faults) < 2:
        return
    answer = answer_of(exchange)
    known = {f for f in faults if f in single}
    winners = sorted(f for f in known if answer in single[f])
    losers = sorted(f for f in known if answer not in single[f])
    if not winners:
        observed = f"{answer}: none of {', '.join(sorted(faults))} alone got this answer"
    elif not losers:
        return  # the faults share their answer here: the order cannot be seen
    else:
        observed = f"{' / '.join(winners)} before {' / '.join(losers)}"
    tally.add(ORDER, observed, exchange)


def _envelope_points(exchange: ExchangeLine, tally: _Tally) -> None:
    response = exchange.response
    assert response is not None
    content_type = response.header("content-type")
    tally.add(CONTENT_TYPE, content_type if content_type is not None else "(none)", exchange)
    envelope = _envelope(exchange)
    status = _status(exchange)
    answer = answer_of(exchange)
    if status == 429 or "CurrentLimiting" in answer:
        retry = response.header("retry-after")
        tally.add(RATE_LIMIT, f"{answer}, Retry-After {retry or 'absent'}", exchange)
    if envelope is None:
        return
    tally.add(TRACE_ID, trace_id_shape(envelope), exchange)
    extra = sorted(str(k) for k in envelope if k not in ENVELOPE_FIELDS)
    tally.add(EXTRA_FIELDS, ", ".join(extra) if extra else "none", exchange)
    if status is not None and status >= 400:
        tally.add(ERROR_CONTENT, content_shape(envelope), exchange)
    faults = _real_faults(exchange)
    if faults is not None and not faults and not exchange.points:
        tally.add(SUCCESS, answer, exchange)


def _same_status(exchanges: Sequence[ExchangeLine], tally: _Tally) -> None:
    """A valid request asking for the status the issue already has: a record appended, or not."""
    last: dict[str, Mapping[str, Any]] = {}  # path -> the last success content seen
    for exchange in exchanges:
        path = exchange.request.path
        envelope = _envelope(exchange)
        content = envelope.get("content") if envelope is not None else None
        body = exchange.request.body
        before = last.get(path)
        if (
            before is not None
            and _real_faults(exchange) == frozenset()
            and not exchange.points
            and isinstance(body, Mapping)
            and "issueStatus" in body
            and body.get("issueStatus") == before.get("issueStatus")
        ):
            tally.add(SAME_STATUS, _same_status_outcome(exchange, before, content), exchange)
        if _status(exchange) == 200 and isinstance(content, Mapping):
            last[path] = content


def _same_status_outcome(exchange: ExchangeLine, before: Mapping[str, Any], content: Any) -> str:
    if _status(exchange) != 200:
        return f"{answer_of(exchange)} (refused)"
    old, new = status_records(before), status_records(content)
    if old is None or new is None:
        return "200 (the records cannot be compared)"
    if len(new) == len(old):
        return "200, no record appended"
    return f"200, {len(new) - len(old)} record(s) appended"


def trace_id_shape(envelope: Mapping[str, Any]) -> str:
    """``hex32``, ``uuid``, ``empty``, ``absent``, ... (never the value: it is the target's)."""
    if "traceId" not in envelope:
        return "absent"
    value = envelope["traceId"]
    if not isinstance(value, str):
        return f"not a string ({type(value).__name__})"
    if not value:
        return "empty"
    if _HEX32.match(value):
        return "hex32"
    if _HEX32_ANY_CASE.match(value):
        return "hex32, upper case"
    if _UUID.match(value):
        return "uuid"
    return f"other ({len(value)} characters)"


def content_shape(envelope: Mapping[str, Any]) -> str:
    """What an error envelope carries in ``content``: ``null``, ``{}``, an object, ..."""
    if "content" not in envelope:
        return "absent"
    content = envelope["content"]
    if content is None:
        return "null"
    if isinstance(content, Mapping):
        return "{}" if not content else f"an object ({', '.join(sorted(map(str, content)))})"
    if isinstance(content, list):
        return "[]" if not content else "a list"
    return f"a {type(content).__name__}"


def example_of(exchange: ExchangeLine) -> dict[str, Any]:
    """One exchange, short: the request as sent, the answer's status, envelope and Content-Type."""
    response = exchange.response
    return {
        "test": exchange.test,
        "phase": exchange.phase,
        "t": round(exchange.t, 3),
        "faults": list(exchange.faults) if exchange.faults is not None else None,
        "request": {
            "method": exchange.request.method,
            "path": exchange.request.path,
            "body": _short(exchange.request.body),
        },
        "response": {
            "status": response.status if response is not None else None,
            "content_type": response.header("content-type") if response is not None else None,
            "body": _short(response.body) if response is not None else None,
        },
    }


def _short(value: Any) -> Any:
    text = json.dumps(value, ensure_ascii=False, default=str)
    if len(text) <= MAX_EXAMPLE_CHARS:
        return value
    return {"[truncated]": f"{len(text)} characters", "preview": text[:400]}
