"""The short summary ``truewatch-contract run`` prints at the end, and the reports it writes."""

from __future__ import annotations

from pathlib import Path

from truewatch_contract.runner.html import write_html
from truewatch_contract.runner.json_report import write_json
from truewatch_contract.runner.junit import write_junit
from truewatch_contract.runner.report import Report

REPORT_FILES = ("junit.xml", "report.html", "report.json")


def write_reports(report: Report, directory: Path) -> list[Path]:
    """Write the three reports of one run; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / name for name in REPORT_FILES]
    write_junit(report, paths[0])
    write_html(report, paths[1])
    write_json(report, paths[2])
    return paths


def summarize(report: Report, paths: list[Path] | None = None, *, verbose: bool = False) -> str:
    """
    A few lines: verdict, what ran, the broken rules with counts, where the reports are; with
    `verbose`, the target's profile too (a line per point and observation).
    """
    counts = report["counts"]
    tests = counts["tests"]
    target = report["target"]
    lines = [f"{str(report['verdict']).upper()}: {report['headline']}"]
    where = target.get("base_url") or target.get("name")
    if target.get("mutant"):
        where = f"{where} (mutant {target['mutant']})"
    lines.append(
        f"  target {where}; seed {report.get('seed')}; {counts['requests']} requests; "
        f"tests {tests['passed']} passed, {tests['failed']} failed, {tests['error']} errors, "
        f"{tests['skipped']} skipped; {report.get('duration_s')} s"
    )
    budget = report.get("budget")
    if isinstance(budget, dict) and budget.get("limit") is not None:
        left = [*budget.get("left_out", []), *budget.get("not_exercised", [])]
        lines.append(
            f"  budget: {budget.get('spent')} of {budget.get('limit')} requests spent"
            + (f"; not exercised: {', '.join(left)}" if left else "")
        )
    for note in report.get("notes", []):
        lines.append(f"  note: {note}")
    failures = report.get("failures", [])
    for failure in failures[:12]:
        example = (failure.get("examples") or [{}])[0]
        lines.append(
            f"  broken {failure['rule']} [{failure['tag']}] x{failure['count']}: "
            f"{_one_line(str(example.get('message', '')))}"
        )
    if len(failures) > 12:
        lines.append(f"  ... and {len(failures) - 12} more broken rules (see the report)")
    broken_rules = {f["rule"] for f in failures}
    for test in report.get("test_failures", [])[:8]:
        if not broken_rules:
            lines.append(f"  {test['outcome']} {test['test']}: {_last_line(test.get('message'))}")
        else:
            lines.append(f"  {test['outcome']} {test['test']}")
    relaxed = report.get("relaxed_findings", [])
    if relaxed:
        names = ", ".join(f"{f['rule']} x{f['count']}" for f in relaxed[:8])
        lines.append(f"  relaxed (not failed on): {names}")
    if verbose:
        lines.extend(profile_lines(report))
    if paths:
        lines.append("  reports: " + ", ".join(str(p) for p in paths))
    return "\n".join(lines)


def profile_lines(report: Report) -> list[str]:
    """The target's profile, one line per point and observation."""
    entries = report.get("profile", [])
    if not entries:
        return []
    lines = ["  target profile (what the target chose where the contract leaves a choice):"]
    for entry in entries:
        lines.append(
            f"    {entry['point']}: {_one_line(str(entry['observed']), 100)} x{entry['count']}"
        )
    return lines


def _one_line(text: str, limit: int = 140) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _last_line(text: str | None) -> str:
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("E ")]
    return _one_line((errors or lines or [""])[-1 if not errors else 0])
