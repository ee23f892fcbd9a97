"""The three reports and the summary, from synthetic run records (no suite involved)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from truewatch_contract.record import read_record
from truewatch_contract.redaction import Redactor
from truewatch_contract.rules import RULES
from truewatch_contract.runner.html import render_html
from truewatch_contract.runner.junit import render_junit
from truewatch_contract.runner.model import OutcomeCounts, RuleRow, RunReport
from truewatch_contract.runner.report import RunContext, build_report
from truewatch_contract.runner.reports import REPORT_FILES, write_reports
from truewatch_contract.runner.summary import summarize

SECRET = "sk-live-DO-NOT-LEAK-3f9a1c0e77"  # the same as conftest's


def _report(path: Path, **context: Any) -> RunReport:
    return build_report(read_record(path), RunContext(redactor=Redactor([SECRET]), **context))


def _rule(report: RunReport, rule_id: str) -> RuleRow:
    return next(row for row in report.rules if row.id == rule_id)


def test_a_passing_record_reads_as_a_holding_contract(tmp_path: Path, synthetic: Any) -> None:
    report = _report(synthetic.write_lines(tmp_path / "r.jsonl", synthetic.passing_lines()))
    assert report.verdict == "passed" and report.exit_code == 0
    assert report.complete is True
    assert report.counts.requests == 9
    assert report.counts.tests == OutcomeCounts(passed=2, failed=0, error=0, skipped=0)
    assert report.failures == () and report.test_failures == ()
    row = _rule(report, "envelope.code-matches-status")
    assert (row.checked, row.held, row.broke, row.status) == (9, 9, 0, "held")
    assert _rule(report, "behaviour.auth-required").checked == 1
    assert _rule(report, "content.duration").status == "not exercised"
    # Every rule of the catalogue has a row, in the catalogue's order.
    assert [r.id for r in report.rules][: len(RULES)] == list(RULES)


def test_request_rules_count_the_bodies_sent_not_the_server(tmp_path: Path, synthetic: Any) -> None:
    """
    Request rules judge the suite's own input: each counts the bodies it applied to (as the
    record says) and those that kept it.
    """
    report = _report(synthetic.write_lines(tmp_path / "r.jsonl", synthetic.passing_lines()))
    status = _rule(report, "request.issue-status")
    assert (status.status, status.checked, status.held, status.broke) == (
        "input",
        6,
        5,
        0,
    )
    assigner = _rule(report, "request.assigner")
    assert (assigner.checked, assigner.held) == (7, 5)
    body = _rule(report, "request.body-object")
    assert (body.checked, body.held) == (9, 8)


def test_coverage_counts_what_was_sent_and_received(tmp_path: Path, synthetic: Any) -> None:
    report = _report(synthetic.write_lines(tmp_path / "r.jsonl", synthetic.passing_lines()))
    coverage = report.coverage
    sent = {row.value: (row.kind, row.count) for row in coverage.issue_status_sent}
    for status in ("Triage", "Assigned", "Working", "Resolved", "Ignored"):
        assert sent[json.dumps(status)] == ("allowed", 1)
    assert sent['"level"'] == ("invalid", 1)
    assert sent["(absent)"] == ("absent", 2)
    shapes = {row.value: row.count for row in coverage.assigner_shapes_sent}
    assert shapes == {
        "absent": 1,
        "valid list": 5,
        "empty list": 1,
        "null": 1,
        "list with a bad id": 0,
        "wrong type": 0,
        "body not an object": 1,
    }
    statuses = {row.value: row.count for row in coverage.http_status_received}
    assert statuses == {"200": 5, "400": 4}
    codes = {row.value: row.count for row in coverage.error_codes_received}
    assert codes["ft.InvalidAssigner"] == 2 and codes['""'] == 5


def test_a_failing_record_names_rules_examples_and_tests(tmp_path: Path, synthetic: Any) -> None:
    report = _report(synthetic.write_lines(tmp_path / "r.jsonl", synthetic.failing_lines()))
    assert report.verdict == "failed" and report.exit_code == 1
    rules = [f.rule for f in report.failures]
    assert rules == ["envelope.code-matches-status", "behaviour.auth-required"]
    example = report.failures[0].examples[0]
    assert example.pointer == "/code"
    assert example.response is not None and example.response["status"] == 201
    assert example.request is not None and example.request["method"] == "POST"
    assert example.curl.startswith("curl ")
    assert not example.behaviour and "context" not in example.to_json()
    # A behaviour failure carries the last request of its test as context.
    behaviour = report.failures[1].examples[0]
    assert behaviour.message == "no key was answered 200"
    # Its test sent no request before the rule was judged: the key is there, null.
    assert behaviour.behaviour and behaviour.to_json()["context"] is None
    assert _rule(report, "envelope.code-matches-status").broke == 1
    assert _rule(report, "behaviour.unknown-fields-ignored").status == "relaxed"
    assert [f.rule for f in report.relaxed_findings] == ["behaviour.unknown-fields-ignored"]
    assert {t.test for t in report.test_failures} == {
        "contract_tests/test_update.py::test_fuzz",
        "contract_tests/test_auth.py::test_no_key",
    }


def test_no_secret_survives_in_any_rendering(tmp_path: Path, synthetic: Any) -> None:
    report = _report(synthetic.write_lines(tmp_path / "r.jsonl", synthetic.failing_lines()))
    paths = write_reports(report, tmp_path / "reports")
    assert [p.name for p in paths] == list(REPORT_FILES)
    for path in paths:
        assert synthetic.SECRET not in path.read_text(encoding="utf-8"), path.name
    assert synthetic.SECRET not in summarize(report, paths)
    # The failure text had "DF-API-KEY: <secret>": both fences apply.
    message = report.test_failures[0].message
    assert message is not None and "DF-API-KEY: [redacted]" in message


def test_the_html_escapes_hostile_payloads_and_loads_nothing(
    tmp_path: Path, synthetic: Any
) -> None:
    page = render_html(
        _report(synthetic.write_lines(tmp_path / "r.jsonl", synthetic.failing_lines()))
    )
    assert "<script" not in page.lower()
    assert "&lt;script&gt;" in page
    assert "<img" not in page.lower()
    references = synthetic.page_references(page)
    assert references["urls"] == [] and references["css"] == [] and references["tags"] == []
    assert references["csp"] == ["default-src 'none'; style-src 'unsafe-inline'; img-src data:"]
    # Verdict first, failures before the tables.
    assert page.index("FAILED".lower()) < page.index("<h2>Failures") < page.index("<h2>Rules")
    assert page.index("<h2>Coverage") < page.index("<h2>Response times")


def test_the_junit_report_is_valid_xml_ci_servers_can_count(tmp_path: Path, synthetic: Any) -> None:
    lines = synthetic.failing_lines()
    lines[-5]["violations"][0]["message"] += " control \x00\x1b chars"  # XML 1.0 cannot carry them
    root = ET.fromstring(render_junit(_report(synthetic.write_lines(tmp_path / "r.jsonl", lines))))
    assert root.tag == "testsuites"
    rules, tests = root.findall("testsuite")
    assert rules.get("name") == "contract rules" and tests.get("name") == "contract tests"
    cases = {case.get("name"): case for case in rules.findall("testcase")}
    assert len(cases) == len(RULES)
    assert cases["envelope.code-matches-status"].find("failure") is not None
    assert cases["behaviour.auth-required"].find("failure") is not None
    relaxed = cases["behaviour.unknown-fields-ignored"].find("skipped")
    assert relaxed is not None and relaxed.get("message", "").startswith("relaxed")
    not_run = cases["content.duration"].find("skipped")
    assert not_run is not None and "not exercised" in not_run.get("message", "")
    assert rules.get("failures") == "2"
    assert tests.get("tests") == "2" and tests.get("failures") == "2"
    classes = {case.get("classname") for case in tests.findall("testcase")}
    assert classes == {"contract_tests.test_update", "contract_tests.test_auth"}
    assert root.get("failures") == "4"


def test_an_interrupted_record_says_so_everywhere(tmp_path: Path, synthetic: Any) -> None:
    lines = [
        *synthetic.passing_lines()[:-3],
        {"kind": "session", "event": "interrupted", "at": 1.0},
    ]
    report = _report(synthetic.write_lines(tmp_path / "r.jsonl", lines))
    assert report.verdict == "interrupted" and report.exit_code == 130
    assert report.complete is False
    assert any("interrupted" in note for note in report.notes)
    root = ET.fromstring(render_junit(report))
    run_case = root.find("testsuite/testcase[@name='run']")
    assert run_case is not None and run_case.find("error") is not None
    assert "interrupted" in render_html(report)


@pytest.mark.parametrize(
    ("cut", "context", "verdict", "code"),
    [
        (-1, {}, "incomplete", 2),  # no "finished" line: the suite was killed
        (-1, {"target_lost": "cannot connect to 127.0.0.1:9: refused"}, "target-lost", 2),
        (None, {"suite_error": "The contract suite could not be collected."}, "error", 2),
        (None, {"interrupted": True}, "interrupted", 130),
    ],
)
def test_runs_that_did_not_complete_never_pass(
    tmp_path: Path,
    synthetic: Any,
    cut: int | None,
    context: dict[str, Any],
    verdict: str,
    code: int,
) -> None:
    lines = synthetic.passing_lines()[:cut]
    report = _report(synthetic.write_lines(tmp_path / "r.jsonl", lines), **context)
    assert (report.verdict, report.exit_code) == (verdict, code)
    assert report.notes


def test_the_summary_is_short_and_names_broken_rules(tmp_path: Path, synthetic: Any) -> None:
    report = _report(synthetic.write_lines(tmp_path / "r.jsonl", synthetic.failing_lines()))
    text = summarize(report, [tmp_path / "report.html"])
    assert text.startswith("FAILED: The contract is broken")
    assert "broken envelope.code-matches-status [documented] x1" in text
    assert "relaxed (not failed on): behaviour.unknown-fields-ignored x1" in text
    assert str(tmp_path / "report.html") in text
    assert len(text.splitlines()) < 15
    assert synthetic.HOSTILE in text  # the console is not HTML: shown as sent


def test_huge_bodies_are_cut_in_reports(tmp_path: Path, synthetic: Any) -> None:
    lines = synthetic.failing_lines()
    lines[-5]["request"]["body"] = {"issueStatus": "x" * 2_000_000}
    lines[-5]["curl"] = "curl " + "y" * 2_000_000
    report = _report(synthetic.write_lines(tmp_path / "r.jsonl", lines))
    assert len(json.dumps(report.to_json())) < 200_000


def test_lone_surrogates_from_a_hostile_server_do_not_break_the_reports(
    tmp_path: Path, synthetic: Any
) -> None:
    lines = synthetic.failing_lines()
    lines[-5]["response"]["body"]["message"] = "\ud800 bad"
    lines[-5]["violations"][0]["message"] = "found \udfff"
    # json.dumps escapes them (\ud800), as the suite's writer does; reading gives them back.
    report = _report(synthetic.write_lines(tmp_path / "r.jsonl", lines))
    paths = write_reports(report, tmp_path / "reports")
    for path in paths:
        assert "\ufffd" in path.read_text(encoding="utf-8")
    assert "\ufffd" in summarize(report, paths)


def test_proofs_the_target_left_no_way_to_make_are_noted_not_failed(
    tmp_path: Path, synthetic: Any
) -> None:
    unproven = {
        "kind": "unproven",
        "t": 1.0,
        "test": "contract_tests/test_scenarios.py::test_malformed_bodies",
        "rule": "behaviour.invalid-body-rejected",
        "message": "a body that is not JSON leaves the history unchanged: not provable",
    }
    lines = [*synthetic.passing_lines(), unproven, unproven]
    report = _report(synthetic.write_lines(tmp_path / "r.jsonl", lines))
    assert report.verdict == "passed"
    assert any(
        "Not proven (behaviour.invalid-body-rejected, 2x)" in note for note in report.notes
    ), report.notes


def test_the_budget_shows_in_every_rendering_with_what_it_left_out(
    tmp_path: Path, synthetic: Any
) -> None:
    from truewatch_contract.runner.job_summary import render_markdown

    budget = {
        "kind": "budget",
        "limit": 60,
        "why": "--budget 60",
        "minimum": 47,
        "spent": 58,
        "by_purpose": {"plan": 40, "generated": 12, "setup": 2, "restore": 4},
        "per_rule": {"envelope.json": 58, "history.order": 9},
        "left_out": ["issue-foreign"],
        "not_exercised": ["behaviour.rate-limit-signal"],
        "refused": {"generated": 3},
    }
    report = _report(
        synthetic.write_lines(tmp_path / "r.jsonl", [*synthetic.passing_lines(), budget])
    )
    assert report.budget is not None
    assert report.budget["limit"] == 60 and report.budget["spent"] == 58
    page = render_html(report)
    assert "Request budget" in page and "58 of 60" in page and "issue-foreign" in page
    assert "history.order" in page and "generated 3" in page
    assert (
        "budget: 58 of 60 requests spent; not exercised: issue-foreign, behaviour.rate-limit-signal"
        in summarize(report)
    )
    assert "Budget: 58 of 60 requests." in render_markdown(report)
