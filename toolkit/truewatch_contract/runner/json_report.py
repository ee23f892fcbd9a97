"""``report.json``: the report model as a document, for machines (docs/report-format.md)."""

from __future__ import annotations

import json
from pathlib import Path

from truewatch_contract.runner.model import RunReport


def render_json(report: RunReport) -> str:
    return json.dumps(report.to_json(), ensure_ascii=False, indent=2, default=str) + "\n"


def write_json(report: RunReport, path: Path) -> None:
    path.write_text(render_json(report), encoding="utf-8")
