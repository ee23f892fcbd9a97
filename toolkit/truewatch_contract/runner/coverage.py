"""
What the suite sent and received: the ``issueStatus`` values and ``assigner`` shapes it sent, the
statuses, errorCodes, phases and methods of its exchanges. Counted from the run record alone.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from truewatch_contract.record import ExchangeLine
from truewatch_contract.runner.model import CountedValue, Coverage, IssueStatusSent
from truewatch_contract.spec import account_id_pattern, issue_statuses

ABSENT = "(absent)"
ASSIGNER_SHAPES = (
    "absent",
    "valid list",
    "empty list",
    "null",
    "list with a bad id",
    "wrong type",
    "body not an object",
)


def coverage_of(exchanges: Sequence[ExchangeLine]) -> Coverage:
    """The coverage tables of a run's exchanges."""
    allowed = issue_statuses()
    statuses: Counter[str] = Counter()
    shapes: Counter[str] = Counter()
    http: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    phases: Counter[str] = Counter()
    methods: Counter[str] = Counter()
    for exchange in exchanges:
        phases[exchange.phase] += 1
        methods[(exchange.request.method or "?").upper()] += 1
        body = exchange.request.body
        if isinstance(body, dict):
            if "issueStatus" in body:
                statuses[json.dumps(body["issueStatus"], ensure_ascii=False)[:80]] += 1
            else:
                statuses[ABSENT] += 1
        shapes[_assigner_shape(exchange.request.body)] += 1
        if exchange.response is None:
            http["network error"] += 1
            continue
        status = exchange.response.status
        http[str(status) if status is not None else "?"] += 1
        envelope = exchange.response.body
        if isinstance(envelope, dict) and "errorCode" in envelope:
            code = envelope["errorCode"]
            codes[code if isinstance(code, str) and code else json.dumps(code)] += 1
    valid_json = {json.dumps(v) for v in allowed}
    return Coverage(
        issue_status_sent=tuple(
            IssueStatusSent(
                value=value,
                kind="allowed"
                if value in valid_json
                else "absent"
                if value == ABSENT
                else "invalid",
                count=n,
            )
            for value, n in _ordered(statuses, [json.dumps(v) for v in allowed])
        ),
        issue_status_allowed=tuple(allowed),
        issue_status_unsent=tuple(v for v in allowed if not statuses.get(json.dumps(v))),
        assigner_shapes_sent=tuple(
            CountedValue(shape, shapes.get(shape, 0)) for shape in ASSIGNER_SHAPES
        ),
        http_status_received=tuple(
            CountedValue(s, n) for s, n in sorted(http.items(), key=lambda kv: kv[0])
        ),
        error_codes_received=tuple(
            CountedValue(c, n) for c, n in sorted(codes.items(), key=lambda kv: -kv[1])
        ),
        phases=tuple(CountedValue(p, n) for p, n in phases.most_common()),
        methods=tuple(CountedValue(m, n) for m, n in methods.most_common()),
    )


def _ordered(counter: Counter[str], first: Sequence[str]) -> list[tuple[str, int]]:
    head = [(k, counter[k]) for k in first if counter.get(k)]
    tail = sorted(((k, n) for k, n in counter.items() if k not in first), key=lambda kv: -kv[1])
    return head + tail


def _assigner_shape(body: Any) -> str:
    if not isinstance(body, dict):
        return "body not an object"
    if "assigner" not in body:
        return "absent"
    value = body["assigner"]
    if value is None:
        return "null"
    if not isinstance(value, list):
        return "wrong type"
    if not value:
        return "empty list"
    pattern = account_id_pattern()
    if all(isinstance(v, str) and pattern.fullmatch(v) for v in value):
        return "valid list"
    return "list with a bad id"
