"""
The run's job summary: a short Markdown page for a CI server's run page.

GitHub Actions shows what a step appends to the file named by ``GITHUB_STEP_SUMMARY``; GitLab and
Jenkins keep a file (``--summary-md FILE``). It is a rendering of the report model, like the
console summary, so it is redacted already; it is meant to be read in five seconds: the verdict
first, then what broke, then where to look.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from truewatch_contract.runner.model import RuleFailure, RunReport

MAX_RULES = 15
_ICONS = {"passed": "✅", "failed": "❌"}


def render_markdown(report: RunReport, paths: Sequence[Path] = ()) -> str:
    """The summary as Markdown (ends with a newline)."""
    verdict = report.verdict
    counts = report.counts
    tests = counts.tests
    target = report.target
    where = target.where or "?"
    if target.mutant:
        where = f"{where} (mutant `{target.mutant}`)"
    lines = [
        f"## {_ICONS.get(verdict, '⚠️')} truewatch-contract: {verdict.upper()}",
        "",
        _cell(report.headline),
        "",
        "| target | seed | requests | tests | duration |",
        "|---|---|---|---|---|",
        f"| {_cell(where)} | {'-' if report.seed is None else report.seed} | {counts.requests} | "
        f"{tests.passed} passed, {tests.failed} failed, {tests.error} errors, "
        f"{tests.skipped} skipped | {report.duration_s} s |",
    ]
    budget = report.budget
    if budget is not None and budget.get("limit") is not None:
        lines += ["", f"Budget: {budget.get('spent')} of {budget.get('limit')} requests."]
    failures = report.failures
    if failures:
        lines += [
            "",
            "### Broken rules",
            "",
            "| rule | tag | count | example |",
            "|---|---|---|---|",
        ]
        for failure in failures[:MAX_RULES]:
            lines.append(
                f"| `{failure.rule}` | {failure.tag} | {failure.count} | "
                f"{_cell(_example(failure))} |"
            )
        if len(failures) > MAX_RULES:
            lines.append(f"| … | | | {len(failures) - MAX_RULES} more in the report |")
    elif report.test_failures:
        lines += ["", "### Failed tests", ""]
        lines += [f"- `{_cell(t.test)}` ({t.outcome})" for t in report.test_failures[:10]]
    for note in report.notes:
        lines += ["", f"> {_cell(note)}"]
    relaxed = report.relaxed
    findings = report.relaxed_findings
    if relaxed or findings:
        found = ", ".join(f"`{f.rule}` ×{f.count}" for f in findings[:10]) or "nothing"
        lines += [
            "",
            f"Relaxed (reported, not failed on): {', '.join(f'`{r}`' for r in relaxed) or '-'};"
            f" they found: {found}.",
        ]
    if paths:
        lines += ["", "Reports: " + ", ".join(f"`{p}`" for p in paths)]
    return "\n".join(lines) + "\n"


def write_markdown(report: RunReport, destination: Path, paths: Sequence[Path] = ()) -> None:
    """Append the summary to `destination` (a job summary file collects several steps)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    with destination.open("a", encoding="utf-8") as handle:
        handle.write(render_markdown(report, paths))


def write_summaries(
    report: RunReport, destinations: Sequence[Path], paths: Sequence[Path] = ()
) -> list[str]:
    """
    Append the summary to each of `destinations`; what could not be written, one line each (a
    summary is a courtesy to the CI server: it never fails the run).
    """
    problems = []
    for destination in destinations:
        try:
            write_markdown(report, destination, paths)
        except OSError as error:
            problems.append(f"cannot write the job summary to {destination}: {error.strerror}")
    return problems


def _example(failure: RuleFailure) -> str:
    """The first example in one line: what was wrong, and the request that showed it."""
    if not failure.examples:
        return ""
    example = failure.examples[0]
    # The request and the answer are the record's JSON (cut to a size): read, not trusted.
    request = example.request or {}
    response = example.response or {}
    said = " ".join(example.message.split())
    if len(said) > 160:
        said = said[:157] + "..."
    sent = f"{request.get('method', '')} {request.get('path', '')}".strip()
    status = response.get("status")
    return f"{said} ({sent} → {status})" if sent else said


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, no pipe breaking the row."""
    return " ".join(text.split()).replace("|", "\\|")
