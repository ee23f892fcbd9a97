"""
``junit.xml``: the report CI servers render.

Two test suites: ``contract rules`` (a test case per rule of the catalogue: failed when broken,
skipped when not exercised or broken but relaxed) and ``contract tests`` (a test case per pytest
test of the suite). A run that did not complete adds an errored ``run`` case, so a CI server never
shows an interrupted run as green.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from truewatch_contract.runner.model import RuleFailure, RunReport

MAX_TEXT = 20000


def render_junit(report: RunReport) -> bytes:
    root = ET.Element("testsuites", name="truewatch-contract")
    rules = _rules_suite(report)
    tests = _tests_suite(report)
    root.append(rules)
    root.append(tests)
    for attribute in ("tests", "failures", "errors", "skipped"):
        root.set(attribute, str(int(rules.get(attribute, "0")) + int(tests.get(attribute, "0"))))
    root.set("time", _seconds(report.duration_s))
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body + b"\n"


def write_junit(report: RunReport, path: Path) -> None:
    path.write_bytes(render_junit(report))


def _suite(name: str, report: RunReport) -> ET.Element:
    suite = ET.Element("testsuite", name=name)
    if report.started_at:
        suite.set("timestamp", report.started_at)
    properties = ET.SubElement(suite, "properties")
    target = report.target
    for key, value in (
        ("verdict", report.verdict),
        ("target", target.where),
        ("mutant", target.mutant),
        ("seed", report.seed),
        ("max_examples", report.max_examples),
        ("relaxed", ",".join(report.relaxed)),
    ):
        if value not in (None, ""):
            ET.SubElement(properties, "property", name=key, value=_clean(str(value)))
    return suite


def _finish(suite: ET.Element, cases: list[ET.Element]) -> ET.Element:
    for case in cases:
        suite.append(case)
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
    suite.set("errors", str(sum(1 for c in cases if c.find("error") is not None)))
    suite.set("skipped", str(sum(1 for c in cases if c.find("skipped") is not None)))
    suite.set("time", _seconds(sum(float(c.get("time", "0")) for c in cases)))
    return suite


def _rules_suite(report: RunReport) -> ET.Element:
    suite = _suite("contract rules", report)
    failures = {f.rule: f for f in report.failures}
    relaxed_findings = {f.rule: f for f in report.relaxed_findings}
    cases = []
    if not report.complete:
        case = ET.Element("testcase", classname="run", name="run", time="0")
        error = ET.SubElement(case, "error", message=_clean(report.headline), type=report.verdict)
        error.text = _clean("\n".join(report.notes))
        cases.append(case)
    for row in report.rules:
        case = ET.Element(
            "testcase", classname=_clean(f"rules.{row.scope}"), name=_clean(row.id), time="0"
        )
        tally = (
            f"{row.id} [{row.tag}]: {row.statement}\n"
            f"checked {row.checked}, held {row.held}, broke {row.broke}"
            + (f", broke (relaxed) {row.broke_relaxed}" if row.broke_relaxed else "")
            + (" - relaxed for this run" if row.relaxed else "")
        )
        if row.status == "broken":
            element = ET.SubElement(
                case,
                "failure",
                message=_clean(f"broke {row.broke} of {row.checked} times"),
                type=row.tag,
            )
            element.text = _clean(tally + "\n\n" + _examples_text(failures.get(row.id)))
        elif row.status == "relaxed":
            element = ET.SubElement(
                case,
                "skipped",
                message=_clean(f"relaxed: broke {row.broke_relaxed} of {row.checked} times"),
            )
            element.text = _clean(tally + "\n\n" + _examples_text(relaxed_findings.get(row.id)))
        elif row.status == "not exercised":
            ET.SubElement(case, "skipped", message="not exercised by this run")
        else:
            ET.SubElement(case, "system-out").text = _clean(tally)
        cases.append(case)
    return _finish(suite, cases)


def _tests_suite(report: RunReport) -> ET.Element:
    suite = _suite("contract tests", report)
    cases = []
    for error in report.collect_errors:
        case = ET.Element("testcase", classname="collection", name=error.test or "collection")
        ET.SubElement(case, "error", message="collection error").text = _clean(error.message)
        cases.append(case)
    for test in report.tests:
        classname, name = _split_nodeid(test.test)
        case = ET.Element(
            "testcase",
            classname=_clean(classname),
            name=_clean(name),
            time=_seconds(test.duration_s),
        )
        message = _clean(test.message or "")
        first_line = message.strip().splitlines()[-1][:300] if message.strip() else ""
        if test.outcome == "failed":
            ET.SubElement(case, "failure", message=first_line).text = message
        elif test.outcome == "error":
            when = test.when if test.when is not None else "setup"
            element = ET.SubElement(case, "error", message=f"error in {when}: {first_line}")
            element.text = message
        elif test.outcome == "skipped":
            ET.SubElement(case, "skipped", message=first_line)
        cases.append(case)
    return _finish(suite, cases)


def _split_nodeid(nodeid: str) -> tuple[str, str]:
    """``a/test_x.py::TestA::test_b[p]`` -> (``a.test_x.TestA``, ``test_b[p]``)."""
    parts = nodeid.split("::")
    module = parts[0].removesuffix(".py").replace("/", ".")
    if len(parts) == 1:
        return module, parts[0]
    return ".".join([module, *parts[1:-1]]), parts[-1]


def _examples_text(failure: RuleFailure | None) -> str:
    lines: list[str] = []
    for example in failure.examples[:3] if failure else ():
        lines.append(f"- {example.test} ({example.phase}, t={example.t}s)")
        if example.pointer:
            lines.append(f"  at {example.pointer}")
        lines.append(f"  {example.message}")
        response = example.response
        if response is not None:
            # The answer as recorded: JSON the target sent, read with care.
            body = json.dumps(response.get("body"), ensure_ascii=False)[:600]
            lines.append(f"  response {response.get('status')}: {body}")
        if example.curl:
            lines.append(f"  reproduce: {example.curl[:1500]}")
    return "\n".join(lines)


def _seconds(value: float | None) -> str:
    return "0.000" if value is None else f"{value:.3f}"


def _clean(text: str) -> str:
    """Drop the characters XML 1.0 cannot carry (hostile payloads contain them) and cap the size."""
    cleaned = "".join(
        ch
        if ch in "\t\n\r"
        or ("\x20" <= ch <= "\ud7ff")
        or ("\ue000" <= ch <= "\ufffd")
        or ch > "\uffff"
        else "\ufffd"
        for ch in text
    )
    if len(cleaned) > MAX_TEXT:
        cleaned = cleaned[:MAX_TEXT] + " [...]"
    return cleaned
