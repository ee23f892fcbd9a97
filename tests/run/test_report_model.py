"""
The typed report model: ``report.json`` is the document it always was.

``tests/run/data/report-*.json`` were written by the report builder as it was before the model was
typed (a plain dict), from the synthetic records below; the typed model must give the same
document, key for key and in the same order, for each of them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from truewatch_contract import __version__
from truewatch_contract.record import read_record
from truewatch_contract.redaction import Redactor
from truewatch_contract.runner.json_report import render_json
from truewatch_contract.runner.report import RunContext, build_report

DATA = Path(__file__).resolve().parent / "data"
STAGING = "https://staging.example"


def rich_lines(synthetic: Any) -> list[dict[str, Any]]:
    """
    A record that reaches the rare branches: network errors, an answer without a status, huge
    bodies, lone surrogates, a rule outside the catalogue, relaxed and contextless behaviour
    failures, setup errors, skips, the profile's faults, an unproven proof, a budget, two runs.
    """
    exchange, violation = synthetic.exchange, synthetic.violation
    lines: list[dict[str, Any]] = [
        {"kind": "session", "event": "start", "at": 1_790_000_000.0},
        synthetic.run_line(relaxed=["assumed", "envelope.trace-id"]),
        exchange(0.1, {"issueStatus": "Working", "assigner": ["acnt_bad"]}, 200, elapsed=7.25),
        exchange(0.2, {"issueStatus": "Working"}, None, phase="examples"),
        exchange(
            0.3,
            {"issueStatus": 7, "assigner": "x"},
            400,
            error_code="ft.InvalidParameter",
            phase="coverage",
            violations=(
                violation("x.not-in-the-catalogue", "a rule this toolkit does not know"),
                violation("envelope.code-matches-status", "code 500 for 400", pointer="/code"),
            ),
        ),
        exchange(
            0.4,
            {"issueStatus": "\ud800", "\udfff": "key"},
            500,
            violations=(violation("envelope.code-matches-status", "lone \udfff surrogate"),),
            relaxed=(violation("envelope.trace-id", "traceId is empty", tag="assumed"),),
        ),
        exchange(0.45, {"issueStatus": "\udfff"}, 400, error_code="ft.InvalidIssueStatus"),
        exchange(
            0.5,
            {"issueStatus": "Triage", "note": "x" * 9000},
            413,
            error_code="ft.BodyTooLarge",
            violations=(violation("envelope.code-matches-status", "huge"),),
        ),
    ]
    lines[-1]["curl"] = "curl " + "y" * 5000
    no_status = exchange(0.55, "not an object", 200, phase="auth")
    no_status["response"]["status"] = None
    no_status["response"]["body"] = {"errorCode": 12, "traceId": ""}
    no_status["request"]["method"] = ""
    lines.append(no_status)
    faulted = exchange(0.6, {}, 401, error_code="ft.InvalidAPIKey", test="t.py::test_key")
    faulted["faults"] = ["bad-key"]
    faulted["points"] = []
    lines.append(faulted)
    lines += [
        {
            "kind": "behaviour",
            "t": 0.65,
            "test": "contract_tests/test_update.py::test_fuzz",
            "rule": "behaviour.unknown-fields-ignored",
            "held": False,
            "message": "unknown fields were refused",
            "tag": "assumed",
            "relaxed": True,
        },
        {
            "kind": "behaviour",
            "t": 0.7,
            "test": "contract_tests/test_lonely.py::test_no_request",
            "rule": "behaviour.auth-required",
            "held": False,
            "message": "broke with no request of its own",
            "tag": "documented",
            "relaxed": False,
        },
        {
            "kind": "unproven",
            "t": 0.8,
            "test": "contract_tests/test_scenarios.py::test_malformed_bodies",
            "rule": "behaviour.invalid-body-rejected",
            "message": "not provable here",
        },
        synthetic.test_line("contract_tests/test_update.py::test_fuzz", "passed", when="setup"),
        synthetic.test_line("contract_tests/test_update.py::test_fuzz"),
        synthetic.test_line(
            "contract_tests/test_a.py::test_setup",
            "failed",
            when="setup",
            message="E   fixture 'x' not found",
        ),
        synthetic.test_line(
            "contract_tests/test_a.py::test_setup",
            "failed",
            when="teardown",
            message="E   teardown broke too",
        ),
        synthetic.test_line(
            "contract_tests/test_a.py::TestB::test_skip[p1]",
            "skipped",
            message="not exercised: budget (generated)",
        ),
        synthetic.test_line(
            "contract_tests/test_a.py::test_fail",
            "failed",
            message=f"E   AssertionError: {synthetic.SECRET}",
        ),
        {
            "kind": "budget",
            "limit": 30,
            "why": "--budget 30",
            "minimum": 20,
            "spent": 29,
            "by_purpose": {"plan": 20, "setup": 2, "restore": 7},
            "per_rule": {"envelope.json": 9},
            "left_out": ["issue-foreign"],
            "not_exercised": [],
            "refused": {},
        },
        {**synthetic.run_line(), "seed": 43},
        {"kind": "session", "event": "finished", "exitstatus": 1, "at": 1_790_000_002.0},
    ]
    return lines


def _cases(synthetic: Any) -> dict[str, tuple[list[dict[str, Any]], str, dict[str, Any]]]:
    """name -> (record lines, a damaged tail, the run's context beyond its record)."""
    return {
        "passing": (synthetic.passing_lines(), "", {}),
        "failing": (synthetic.failing_lines(), "", {"target": STAGING, "base_url": STAGING}),
        "rich": (
            rich_lines(synthetic),
            '{"kind": "exchange", "t": 9',
            {
                "target": STAGING,
                "base_url": STAGING,
                "issue_id": "0123456789abcdef0123456789abcdef",
                "wall_seconds": 12.34567,
                "suite_exit": 1,
            },
        ),
    }


def build(synthetic: Any, tmp_path: Path, name: str) -> Any:
    """The report of one case, as `truewatch-contract run` would build it."""
    lines, tail, context = _cases(synthetic)[name]
    path = synthetic.write_lines(tmp_path / f"{name}.jsonl", lines, tail)
    redactor = Redactor([synthetic.SECRET])
    return build_report(read_record(path), RunContext(redactor=redactor, **context))


def _expected(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((DATA / f"report-{name}.json").read_text("utf-8"))
    document["tool"]["version"] = __version__  # moves with a release
    document["target_profile"]["tool"]["version"] = __version__
    # The catalogue's words move with the spec (a rule's statement is the spec's, not the
    # report's): the fixture takes today's.
    from truewatch_contract.rules import RULES

    for key, id_key in (("rules", "id"), ("failures", "rule"), ("relaxed_findings", "rule")):
        for row in document[key]:
            if row[id_key] in RULES:
                row["statement"] = RULES[row[id_key]].statement
    return document


@pytest.mark.parametrize("name", ["passing", "failing", "rich"])
def test_report_json_is_the_document_it_was(tmp_path: Path, synthetic: Any, name: str) -> None:
    report = build(synthetic, tmp_path, name)
    expected = _expected(name)
    document = report.to_json()
    assert document == expected
    # The same keys in the same order, at every depth: what a reader of the text sees.
    dumped = json.dumps(expected, ensure_ascii=False, indent=2)
    assert json.dumps(document, ensure_ascii=False, indent=2) == dumped
    assert render_json(report) == dumped + "\n"
