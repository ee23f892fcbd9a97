"""The short summary ``truewatch-contract run`` prints at the end (the console's rendering)."""

from __future__ import annotations

from pathlib import Path

from truewatch_contract.runner.model import RunReport


def summarize(report: RunReport, paths: list[Path] | None = None, *, verbose: bool = False) -> str:
    """
    A few lines: verdict, what ran, the broken rules with counts, where the reports are; with
    `verbose`, the target's profile too (a line per point and observation).
    """
    counts = report.counts
    tests = counts.tests
    target = report.target
    lines = [f"{report.verdict.upper()}: {report.headline}"]
    where = target.where
    if target.mutant:
        where = f"{where} (mutant {target.mutant})"
    lines.append(
        f"  target {where}; seed {report.seed}; {counts.requests} requests; "
        f"tests {tests.passed} passed, {tests.failed} failed, {tests.error} errors, "
        f"{tests.skipped} skipped; {report.duration_s} s"
    )
    budget = report.budget
    if budget is not None and budget.get("limit") is not None:
        left = [*budget.get("left_out", []), *budget.get("not_exercised", [])]
        lines.append(
            f"  budget: {budget.get('spent')} of {budget.get('limit')} requests spent"
            + (f"; not exercised: {', '.join(left)}" if left else "")
        )
    for note in report.notes:
        lines.append(f"  note: {note}")
    failures = report.failures
    for failure in failures[:12]:
        message = failure.examples[0].message if failure.examples else ""
        lines.append(
            f"  broken {failure.rule} [{failure.tag}] x{failure.count}: {_one_line(message)}"
        )
    if len(failures) > 12:
        lines.append(f"  ... and {len(failures) - 12} more broken rules (see the report)")
    broken_rules = {f.rule for f in failures}
    for test in report.test_failures[:8]:
        if not broken_rules:
            lines.append(f"  {test.outcome} {test.test}: {_last_line(test.message)}")
        else:
            lines.append(f"  {test.outcome} {test.test}")
    relaxed = report.relaxed_findings
    if relaxed:
        names = ", ".join(f"{f.rule} x{f.count}" for f in relaxed[:8])
        lines.append(f"  relaxed (not failed on): {names}")
    if verbose:
        lines.extend(profile_lines(report))
    if paths:
        lines.append("  reports: " + ", ".join(str(p) for p in paths))
    return "\n".join(lines)


def profile_lines(report: RunReport) -> list[str]:
    """The target's profile, one line per point and observation."""
    if not report.profile:
        return []
    lines = ["  target profile (what the target chose where the contract leaves a choice):"]
    for entry in report.profile:
        lines.append(f"    {entry.point}: {_one_line(entry.observed, 100)} x{entry.count}")
    return lines


def _one_line(text: str, limit: int = 140) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _last_line(text: str | None) -> str:
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("E ")]
    return _one_line((errors or lines or [""])[-1 if not errors else 0])
