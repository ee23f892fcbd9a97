"""Builders of synthetic exchange lines, as the suite records them, for the profile's tests."""

from __future__ import annotations

import json
from typing import Any

from truewatch_contract.record.lines import ExchangeLine

ISSUE = "04a0bb44b28e9ff1e01f87828af622b9"
ROUTE = f"/api/v1/error_track/{ISSUE}/update"


def line(
    t: float,
    *,
    faults: tuple[str, ...] = (),
    points: tuple[str, ...] = (),
    possible: tuple[str, ...] = (),
    status: int = 200,
    code: str = "",
    content: Any = "issue",
    body: Any = None,
    body_text: str | None = None,
    path: str = ROUTE,
    method: str = "POST",
    headers: dict[str, str] | None = None,
    response_headers: dict[str, str] | None = None,
    envelope: dict[str, Any] | None = None,
    violations: tuple[tuple[str, str], ...] = (),
    relaxed: tuple[tuple[str, str], ...] = (),
    input_violations: tuple[str, ...] = (),
    trace: str = "0123456789abcdef0123456789abcdef",
) -> ExchangeLine:
    """One judged exchange; `content` ``"issue"`` is a success's issue."""
    if content == "issue":
        content = {"issueID": ISSUE, "issueStatus": "Working", "extend": {}}
    answer = envelope if envelope is not None else {
        "code": status,
        "content": content,
        "errorCode": code,
        "message": "",
        "success": status == 200,
        "traceId": trace,
    }  # fmt: skip
    item = {
        "kind": "exchange",
        "t": t,
        "test": "contract_tests/test_plan.py::test_plan",
        "phase": "plan",
        "request": {
            "method": method,
            "path": path,
            "headers": headers if headers is not None else {"DF-API-KEY": "[redacted]"},
            "body": body,
            "body_text": body_text,
        },
        "response": {
            "status": status,
            "headers": response_headers or {"content-type": "application/json"},
            "body": answer,
            "text": None,
            "elapsed_ms": 1.0,
        },
        "faults": list(faults),
        "points": list(points),
        "possible": list(possible),
        "violations": [_violation(r, tag) for r, tag in violations],
        "relaxed_violations": [_violation(r, tag) for r, tag in relaxed],
        "input": {
            "checked": [],
            "violations": [
                {
                    "rule": "request.issue-status",
                    "pointer": p,
                    "message": "bad",
                    "tag": "documented",
                }
                for p in input_violations
            ],
        },
    }
    return ExchangeLine.from_json(json.loads(json.dumps(item)))


def _violation(rule: str, tag: str) -> dict[str, str]:
    return {"rule": rule, "pointer": "", "message": "broken", "tag": tag}


def error(t: float, status: int, code: str, **kwargs: Any) -> ExchangeLine:
    """A refused request's exchange (content null)."""
    return line(t, status=status, code=code, content=None, **kwargs)
