"""
Learn a target's profile (`truewatch_contract.profile.document.Profile`) from a run's exchanges.

Every exchange the judge found free of a documented or observed rule's break is read (an answer
that broke a rule is never learned as a choice; one that broke only an assumed rule is exactly a
choice): what its request was (the judge's ``faults`` and ``points`` on the record line, and the
request itself for what the judge does not name: an empty key, a byte-order mark, a trailing
slash, a field name in another case, a name given twice, ...), and what came back. A request with
one fault (or, with none, one assumed point) shows that point's answer; a request with several
shows which fault's answer wins (``order:<a>/<b>``); every envelope shows the envelope's shapes.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from truewatch_contract.profile.document import LearnedAnswer, Point, Profile
from truewatch_contract.profile.observed import trace_id_shape
from truewatch_contract.record.lines import ExchangeLine
from truewatch_contract.record.stored import select
from truewatch_contract.rules import status_records

ENVELOPE_FIELDS = frozenset({"code", "content", "errorCode", "message", "success", "traceId"})
KNOWN_FIELDS = ("issueStatus", "assigner")
_FOLDED = {name.casefold(): name for name in KNOWN_FIELDS}
_ROUTE_SUFFIX = "/update"
_PREFIX = "/api/v1/error_track/"


class _Seen:
    """Values seen per point, with counts, in the order first seen."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = {}
        self.values: dict[str, dict[str, Any]] = {}

    def add(self, point: str, value: Any) -> None:
        plain = value.to_json() if isinstance(value, LearnedAnswer) else value
        key = json.dumps(plain, sort_keys=True)
        self.counts.setdefault(point, Counter())[key] += 1
        self.values.setdefault(point, {}).setdefault(key, value)

    def point(self, name: str) -> Point | None:
        counts = self.counts.get(name)
        if not counts:
            return None
        order = list(self.values[name])  # first seen first: ties keep it
        ranked = sorted(counts, key=lambda k: (-counts[k], order.index(k)))
        values = self.values[name]
        return Point(
            values[ranked[0]],
            counts[ranked[0]],
            tuple((values[k], counts[k]) for k in ranked[1:]),
        )

    def points(self) -> dict[str, Point]:
        return {name: p for name in self.counts if (p := self.point(name)) is not None}


def learn(exchanges: Sequence[ExchangeLine], *, source: Mapping[str, Any] | None = None) -> Profile:
    """The profile the exchanges show (see the module)."""
    # `select`: a large record's exchanges stay in its file (each walk reads them again).
    answered = select(exchanges, lambda e: e.response is not None, by_time=True)
    clean = select(answered, lambda e: not _broke_rule(e))
    tally = _Seen()
    singles = []
    for exchange in clean:
        answer = answer_of(exchange)
        if _rate_limited(answer):
            tally.add("answer:rate-limit", answer)
            continue
        _envelope_points(exchange, tally)
        subjects = subjects_of(exchange)
        for subject in subjects:
            tally.add("answer:" + subject, answer)
        if subjects:
            singles.append(exchange)
    _history_points(clean, tally)
    learned = tally.points()
    for exchange in clean:
        # A fault beside assumed points this target accepts: the answer is the fault's.
        for subject in _beside_accepted_points(exchange, learned):
            tally.add("answer:" + subject, answer_of(exchange))
    learned = tally.points()
    for exchange in clean:
        _order(exchange, learned, tally)
    learned = tally.points()
    reading = _utf8_reading(learned)
    if reading is not None:
        learned["not-utf8:reading"] = reading
    return Profile(
        points=learned,
        source=dict(source or {}),
        exchanges=len(answered),
        learned_from=len(clean),
    )


# -- what an exchange is -------------------------------------------------------------------------


def _broke_rule(exchange: ExchangeLine) -> bool:
    """Whether the answer broke a documented or observed rule (relaxed or not)."""
    return any(v.tag != "assumed" for v in (*exchange.violations, *exchange.relaxed_violations))


def answer_of(exchange: ExchangeLine) -> LearnedAnswer:
    """The answer as a profile keeps it: status, errorCode, the kind of content, Content-Type."""
    response = exchange.response
    assert response is not None
    envelope = response.body if isinstance(response.body, Mapping) else None
    content_type = response.header("content-type")
    status = response.status if response.status is not None else 0
    if envelope is None:
        text = response.text or ""
        if status == 200 and text.startswith("{"):
            # An answer too large for the record keeps its head only; the judge found it a
            # success envelope (the exchange broke no rule): errorCode "" and the issue.
            return LearnedAnswer(status, "", "object", content_type)
        return LearnedAnswer(status, None, "none", content_type)
    code = envelope.get("errorCode")
    return LearnedAnswer(
        status,
        code if isinstance(code, str) else json.dumps(code),
        content_kind(envelope),
        content_type,
    )


def content_kind(envelope: Mapping[str, Any]) -> str:
    """``null``, ``{}``, ``object``, ``array``, ``absent``, ``string``, ..."""
    if "content" not in envelope:
        return "absent"
    content = envelope["content"]
    if content is None:
        return "null"
    if isinstance(content, Mapping):
        return "object" if content else "{}"
    if isinstance(content, list):
        return "array" if content else "[]"
    return {bool: "boolean", str: "string"}.get(type(content), "number")


def _rate_limited(answer: LearnedAnswer) -> bool:
    return answer.status == 429 or "CurrentLimiting" in (answer.error_code or "")


def subjects_of(exchange: ExchangeLine) -> list[str]:
    """
    The answer points this exchange shows alone (``bad-key``, ``schema`` and
    ``schema:issueStatus``, ``field-case``, ...): none for a request with several faults, with a
    possible fault, or with an assumed point beside its fault.
    """
    if exchange.faults is None:
        return []
    faults = set(exchange.faults)
    points = set(exchange.points or ())
    possible = set(exchange.possible)
    if "deep-nesting" in points and possible <= {"schema"} and not faults:
        return ["deep-nesting"] if points == {"deep-nesting"} else []
    if possible or len(faults) > 1 or "race" in points:
        return []
    if faults:
        (fault,) = faults
        if points == {"not-utf8"} and fault in ("schema", "not-json", "not-object"):
            return ["not-utf8"]
        if points - {"no-media-type"} or (points and fault != "media-type"):
            return []
        return fault_subjects(exchange, fault)
    if not points:
        if _duplicate_names(exchange):
            return ["duplicate-keys"]
        return ["query-string"] if "?" in exchange.request.path else ["valid"]
    if len(points) > 1:
        return []
    (point,) = points
    if point == "unknown-fields" and _case_variants_only(exchange.request.body):
        return ["field-case"]
    return [point]


def _beside_accepted_points(exchange: ExchangeLine, learned: Mapping[str, Point]) -> list[str]:
    faults, points = set(exchange.faults or ()), set(exchange.points or ())
    if len(faults) != 1 or not points or exchange.possible or "race" in points:
        return []
    if subjects_of(exchange) or _rate_limited(answer_of(exchange)):
        return []  # already read
    for point in points:
        known = learned.get("answer:" + point)
        if known is None or not isinstance(known.value, LearnedAnswer) or not known.value.accepted:
            return []
    return fault_subjects(exchange, next(iter(faults)))


def fault_subjects(exchange: ExchangeLine, fault: str) -> list[str]:
    """The answer points a request's `fault` stands for, told apart by the request itself."""
    request = exchange.request
    if fault == "route":
        path = request.path.split("?", 1)[0]
        if path.endswith(_ROUTE_SUFFIX + "/"):
            return ["trailing-slash"]
        if path == _PREFIX + _ROUTE_SUFFIX.lstrip("/") or path == _PREFIX + _ROUTE_SUFFIX:
            return ["empty-id"]
        return ["route"]
    if fault == "missing-key":
        present = any(name.lower() == "df-api-key" for name in request.headers)
        return ["empty-key"] if present else ["missing-key"]
    if fault == "not-json" and (request.body_text or "").startswith("\ufeff"):
        return ["bom"]
    if fault == "schema":
        fields = {
            v.pointer.split("/")[1] for v in exchange.input_violations if v.pointer.count("/") >= 1
        }
        if len(fields) == 1 and next(iter(fields)) in KNOWN_FIELDS:
            return ["schema", "schema:" + next(iter(fields))]
        return ["schema"]
    return [fault]


def _case_variants_only(body: Any) -> bool:
    """Whether every unknown field of `body` is a known field's name in another case."""
    if not isinstance(body, Mapping):
        return False
    unknown = [name for name in body if name not in KNOWN_FIELDS]
    return bool(unknown) and all(str(name).casefold() in _FOLDED for name in unknown)


def _top_pairs(exchange: ExchangeLine) -> list[tuple[str, Any]]:
    """The members of the request's top-level object as sent, repeats kept (from its text)."""
    text = exchange.request.body_text
    if not text or exchange.request.body is None:
        return []  # the record keeps the text beside the value only when the value loses some
    built: list[list[tuple[str, Any]]] = []

    def hook(items: list[tuple[str, Any]]) -> dict[str, Any]:
        built.append(items)
        return dict(items)

    try:
        value = json.loads(text, object_pairs_hook=hook)
    except (ValueError, RecursionError):
        return []
    # The decoder builds the innermost objects first: the top-level one is the last.
    return built[-1] if isinstance(value, dict) and built else []


def _duplicate_names(exchange: ExchangeLine) -> list[str]:
    """The member names given twice in the request's top-level object."""
    names = [name for name, _ in _top_pairs(exchange)]
    return sorted({name for name in names if names.count(name) > 1})


# -- the points that need more than one exchange -------------------------------------------------


def _envelope_points(exchange: ExchangeLine, tally: _Seen) -> None:
    response = exchange.response
    assert response is not None
    content_type = response.header("content-type")
    tally.add("content-type", content_type if content_type is not None else "(none)")
    envelope = response.body if isinstance(response.body, Mapping) else None
    if envelope is None:
        return
    tally.add("trace-id", trace_id_shape(envelope))
    tally.add(
        "extra-fields",
        {str(k): _json_type(v) for k, v in envelope.items() if k not in ENVELOPE_FIELDS},
    )
    if response.status is not None and response.status >= 400:
        tally.add("error-content", content_kind(envelope))


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _history_points(exchanges: Iterable[ExchangeLine], tally: _Seen) -> None:
    """The same status again, a field name in another case, a name twice: what each did."""
    last: dict[str, Mapping[str, Any]] = {}  # issue path -> the last success content seen
    for exchange in exchanges:
        path = exchange.request.path.split("?", 1)[0]
        response = exchange.response
        envelope = response.body if response is not None else None
        content = envelope.get("content") if isinstance(envelope, Mapping) else None
        before = last.get(path)
        accepted = response is not None and response.status == 200 and isinstance(content, Mapping)
        body = exchange.request.body
        no_fault = exchange.faults == () and not exchange.possible
        if before is not None and no_fault and isinstance(body, Mapping):
            if (
                not exchange.points
                and "issueStatus" in body
                and not _duplicate_names(exchange)
                and body.get("issueStatus") == before.get("issueStatus")
            ):
                tally.add("same-status", _same_status(accepted, before, content))
            if accepted and _case_variants_only(body):
                _field_case(body, before, content, tally)
        if accepted and no_fault and before is not None:
            _duplicates(exchange, content, tally)
        if accepted:
            assert isinstance(content, Mapping)
            last[path] = content


def _same_status(accepted: bool, before: Mapping[str, Any], content: Any) -> str:
    if not accepted:
        return "refused"
    old, new = status_records(before), status_records(content)
    if old is None or new is None:
        return "unknown"
    added = len(new) - len(old)
    return "no record" if added == 0 else f"{added} record{'s' if added != 1 else ''} appended"


def _field_case(
    body: Mapping[str, Any], before: Mapping[str, Any], content: Any, tally: _Seen
) -> None:
    for name, value in body.items():
        if _FOLDED.get(str(name).casefold()) == "issueStatus" and isinstance(value, str):
            if value == before.get("issueStatus"):
                return  # the status was already that: nothing to tell
            applied = isinstance(content, Mapping) and content.get("issueStatus") == value
            tally.add("field-case:effect", "applied" if applied else "ignored")
            return


def _duplicates(exchange: ExchangeLine, content: Any, tally: _Seen) -> None:
    values = [value for name, value in _top_pairs(exchange) if name == "issueStatus"]
    if len(values) < 2 or values[0] == values[-1] or not isinstance(content, Mapping):
        return
    taken = content.get("issueStatus")
    if taken == values[-1]:
        tally.add("duplicate-keys:wins", "last")
    elif taken == values[0]:
        tally.add("duplicate-keys:wins", "first")


def _order(exchange: ExchangeLine, learned: Mapping[str, Point], tally: _Seen) -> None:
    """For a request with several faults: which fault's own answer came back."""
    faults = sorted(set(exchange.faults or ()))
    if len(faults) < 2 or exchange.possible or "race" in (exchange.points or ()):
        return
    answer = answer_of(exchange)
    if _rate_limited(answer):
        return
    alone: dict[str, LearnedAnswer] = {}
    for fault in faults:
        for subject in fault_subjects(exchange, fault)[:1]:
            point = learned.get("answer:" + subject) or learned.get("answer:" + fault)
            if point is not None and isinstance(point.value, LearnedAnswer):
                alone[fault] = point.value
    winners = [f for f in faults if f in alone and alone[f].same(answer)]
    losers = [f for f in faults if f in alone and not alone[f].same(answer)]
    if not winners and len(losers) >= 2:
        for i, first in enumerate(losers):
            for second in losers[i + 1 :]:
                tally.add(f"order:{first}/{second}", "neither")
        return
    for winner in winners:
        for loser in losers:
            first, second = sorted((winner, loser))
            tally.add(f"order:{first}/{second}", winner)


def _utf8_reading(learned: Mapping[str, Point]) -> Point | None:
    """
    Whether bytes that are not UTF-8 are refused or read as U+FFFD: accepted, they were read;
    answered as the target answers a bad field (and not as it answers a body that is not JSON),
    they were read too and the decoded value judged.
    """
    point = learned.get("answer:not-utf8")
    if point is None or not isinstance(point.value, LearnedAnswer):
        return None
    answer = point.value
    schema = learned.get("answer:schema")
    not_json = learned.get("answer:not-json")
    read_as_field = (
        schema is not None
        and isinstance(schema.value, LearnedAnswer)
        and schema.value.same(answer)
        and not (
            not_json is not None
            and isinstance(not_json.value, LearnedAnswer)
            and not_json.value.same(answer)
        )
    )
    reading = "replaced" if answer.accepted or read_as_field else "refused"
    return Point(reading, point.support)


def learn_one(exchange: ExchangeLine) -> list[tuple[str, LearnedAnswer]]:
    """The answer points one exchange shows, with its answer (for tests and tools)."""
    if exchange.response is None or _broke_rule(exchange):
        return []
    answer = answer_of(exchange)
    return [("answer:" + s, answer) for s in subjects_of(exchange)]


__all__ = ["answer_of", "content_kind", "fault_subjects", "learn", "learn_one", "subjects_of"]
