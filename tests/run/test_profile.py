"""The target's profile (report.json ``profile``), from synthetic run records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from truewatch_contract.profile.observed import build_profile, content_shape, trace_id_shape
from truewatch_contract.record import parse_lines
from truewatch_contract.redaction import Redactor
from truewatch_contract.runner.model import FORMAT
from truewatch_contract.runner.report import RunContext, build_report
from truewatch_contract.runner.summary import summarize

ISSUE = "0123456789abcdef0123456789abcdef"
UNKNOWN = "f" * 32


def _line(
    t: float,
    status: int,
    *,
    faults: list[str] | None,
    points: list[str] | None = None,
    body: Any = None,
    error_code: str = "",
    content: Any = None,
    trace: Any = "0af7651916cd43dd8448eb211c80319c",
    path: str = f"/api/v1/error_track/{ISSUE}/update",
    content_type: str = "application/json",
    extra: dict[str, Any] | None = None,
) -> str:
    envelope = {
        "code": status,
        "content": content,
        "errorCode": error_code,
        "message": "",
        "success": status == 200,
        "traceId": trace,
        **(extra or {}),
    }
    line: dict[str, Any] = {
        "kind": "exchange",
        "t": t,
        "test": "contract_tests/test_x.py::test_y",
        "phase": "scenario",
        "mode": None,
        "request": {"method": "POST", "path": path, "headers": {}, "body": body},
        "response": {"status": status, "headers": {"Content-Type": content_type}, "body": envelope},
        "error": None,
        "checked": [],
        "violations": [],
        "relaxed_violations": [],
        "curl": "",
    }
    if faults is not None:
        line["faults"] = faults
    if points is not None:
        line["points"] = points
    return json.dumps(line)


def _issue(status: str, records: int) -> dict[str, Any]:
    return {
        "issueStatus": status,
        "extend": {"statusChangeRecords": [{"status": status}] * records},
    }


def _profile(lines: list[str]) -> dict[str, dict[str, int]]:
    """point -> observed -> count."""
    out: dict[str, dict[str, int]] = {}
    for entry in build_profile(parse_lines(lines).exchanges):
        out.setdefault(entry["point"], {})[entry["observed"]] = entry["count"]
    return out


def _record() -> list[str]:
    return [
        _line(0.1, 200, faults=[], body={"issueStatus": "Working"}, content=_issue("Working", 2)),
        # The same status again: this target appends nothing.
        _line(0.2, 200, faults=[], body={"issueStatus": "Working"}, content=_issue("Working", 2)),
        _line(0.3, 401, faults=["bad-key"], error_code="ft.InvalidAPIKey", body={}),
        _line(0.4, 401, faults=["bad-key"], error_code="ft.InvalidAPIKey", body={}, trace=""),
        _line(
            0.5,
            422,
            faults=["schema"],
            error_code="ft.InvalidParameter",
            body={"issueStatus": 1},
            content={},
            trace="9b2f4c4e-3f3b-4a47-9a0e-5f2b8f1f2a11",
        ),
        _line(
            0.6,
            400,
            faults=["malformed-id"],
            error_code="ft.InvalidIssueId",
            path="/api/v1/error_track/not-an-issue/update",
            body={"issueStatus": "Working"},
        ),
        _line(
            0.7,
            404,
            faults=["unknown-issue"],
            error_code="ft.NotFoundIssue",
            path=f"/api/v1/error_track/{UNKNOWN}/update",
            body={"issueStatus": "Working"},
        ),
        # Two faults: this target checks the body before the issue.
        _line(
            0.8,
            422,
            faults=["schema", "unknown-issue"],
            error_code="ft.InvalidParameter",
            path=f"/api/v1/error_track/{UNKNOWN}/update",
            body={"issueStatus": 1},
            content={},
        ),
        _line(0.9, 200, faults=[], points=["empty-body"], body={}, content=_issue("Working", 2)),
        _line(
            1.0,
            400,
            faults=[],
            points=["unknown-fields"],
            error_code="ft.UnknownField",
            body={"issueStatus": "Working", "x": 1},
        ),
        _line(
            1.1,
            401,
            faults=None,
            error_code="ft.TriggerApiAkCurrentLimiting",
            content_type="application/json;charset=UTF-8",
            extra={"requestId": "r-1"},
        ),
    ]


def test_the_profile_names_each_choice_the_target_made() -> None:
    profile = _profile(_record())
    assert profile["answer to a bad key"] == {"401 ft.InvalidAPIKey": 2}
    assert profile["answer to a body against the schema"] == {"422 ft.InvalidParameter": 1}
    assert profile["answer to a malformed issue id"] == {"400 ft.InvalidIssueId": 1}
    assert profile["answer to an unknown issue"] == {"404 ft.NotFoundIssue": 1}
    assert profile["order of checks (several faults: whose answer came back)"] == {
        "schema before unknown-issue": 1
    }
    assert profile["answer to {} (no change asked)"] == {"200 (accepted)": 1}
    assert profile["answer to unknown fields"] == {"400 ft.UnknownField (refused)": 1}
    assert profile["the same status again"] == {"200, no record appended": 1}
    assert profile["error content"] == {"null": 6, "{}": 2}
    assert profile["traceId shape"] == {"hex32": 9, "empty": 1, "uuid": 1}
    assert profile["rate-limit answers"] == {
        "401 ft.TriggerApiAkCurrentLimiting, Retry-After absent": 1
    }
    assert profile["response Content-Type"] == {
        "application/json": 10,
        "application/json;charset=UTF-8": 1,
    }
    assert profile["envelope fields beyond the page's six"] == {"none": 10, "requestId": 1}
    assert profile["answer to a valid request"] == {"200": 2}


def test_a_record_without_faults_still_profiles_the_envelope_only() -> None:
    """A suite older than the fault table: per-fault points stay empty, never guessed."""
    lines = [
        _line(0.1, 401, faults=None, error_code="ft.InvalidAPIKey"),
        _line(0.2, 200, faults=None, body={"issueStatus": "Working"}, content=_issue("Working", 1)),
    ]
    profile = _profile(lines)
    assert "answer to a bad key" not in profile
    assert "answer to a valid request" not in profile
    assert profile["traceId shape"] == {"hex32": 2}
    assert profile["error content"] == {"null": 1}


def test_an_unanswered_run_still_has_a_profile_entry() -> None:
    lines = [json.dumps({"kind": "exchange", "t": 0.1, "request": {}, "response": None})]
    (entry,) = build_profile(parse_lines(lines).exchanges)
    assert entry["count"] == 0 and "no answer" in entry["observed"]


def test_shapes() -> None:
    assert trace_id_shape({"traceId": "A" * 32}) == "hex32, upper case"
    assert trace_id_shape({"traceId": 7}) == "not a string (int)"
    assert trace_id_shape({}) == "absent"
    assert content_shape({"content": {"a": 1, "b": 2}}) == "an object (a, b)"
    assert content_shape({"content": []}) == "[]"


def test_report_json_is_version_2_with_the_profile_and_verbose_summary_shows_it(
    tmp_path: Path,
) -> None:
    report = build_report(parse_lines(_record()), RunContext(redactor=Redactor(["k"])))
    assert report.format == FORMAT == "truewatch-contract-report/2"
    assert report.to_json()["format"] == FORMAT
    entry = next(e for e in report.profile if e.point == "answer to a bad key")
    assert entry.to_json().keys() == {"point", "observed", "count", "example"}
    assert entry.example["response"]["status"] == 401
    assert "target profile" not in summarize(report)
    verbose = summarize(report, verbose=True)
    assert "answer to a bad key: 401 ft.InvalidAPIKey x2" in verbose
    from truewatch_contract.runner.html import render_html

    page = render_html(report)
    assert "<h2>Target profile</h2>" in page and "ft.InvalidIssueId" in page
