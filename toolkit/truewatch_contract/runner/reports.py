"""The three report files of one run, written side by side: ``junit.xml``, ``report.html``,
``report.json``."""

from __future__ import annotations

from pathlib import Path

from truewatch_contract.runner.html import write_html
from truewatch_contract.runner.json_report import write_json
from truewatch_contract.runner.junit import write_junit
from truewatch_contract.runner.model import RunReport

REPORT_FILES = ("junit.xml", "report.html", "report.json")


def write_reports(report: RunReport, directory: Path) -> list[Path]:
    """Write the three reports of one run; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / name for name in REPORT_FILES]
    write_junit(report, paths[0])
    write_html(report, paths[1])
    write_json(report, paths[2])
    return paths
