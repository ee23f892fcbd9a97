"""``report.json``: the report model as it is, for machines."""

from __future__ import annotations

import json
from pathlib import Path

from truewatch_contract.runner.report import Report


def render_json(report: Report) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n"


def write_json(report: Report, path: Path) -> None:
    path.write_text(render_json(report), encoding="utf-8")
