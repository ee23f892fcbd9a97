"""Rendering a drift report: one line per difference for people, one JSON document for machines."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from truewatch_contract.drift.extract import Where

if TYPE_CHECKING:
    from truewatch_contract.drift import Report


def _where(where: Where) -> dict[str, Any]:
    return {"section": where.section, "item": where.item or None, "line": where.line}


def _shown(value: str | None) -> str:
    return "nothing" if value is None else repr(value)


def text(report: Report, spec_name: str, verbose: bool = False) -> str:
    """The report for a terminal: each difference on one line, then a verdict line."""
    lines = [
        f"{where}: {difference.message}"
        for difference in report.drift
        for where in [difference.where]
    ]
    for defect, now, where in report.fixed:
        lines.append(
            f"{where}: the page fixed it: {defect.id} ({defect.at} showed {defect.page!r}, "
            f"now {_shown(now)}); update x-page-defects"
        )
    if verbose:
        for defect, where in report.known:
            lines.append(
                f"{where}: known page defect {defect.id}: {defect.at} shows {defect.page!r}. "
                f"{defect.reading}"
            )
    known = f"{len(report.known)} known page defect{'s' * (len(report.known) != 1)}"
    if report.exit_code == 0:
        hint = "" if verbose else "; -v lists them"
        lines.append(f"no drift: {report.source} agrees with {spec_name} ({known}{hint})")
    else:
        count = len(report.drift) + len(report.fixed)
        lines.append(
            f"drift: {count} difference{'s' * (count != 1)} between {report.source} and "
            f"{spec_name} ({known})"
        )
    return "\n".join(lines)


def as_json(report: Report, spec_name: str) -> str:
    """The report as one JSON document (its keys are listed in the README)."""
    document = {
        "page": report.source,
        "spec": spec_name,
        "drift": report.exit_code == 1,
        "exit_code": report.exit_code,
        "differences": [
            {
                "point": difference.point,
                "message": difference.message,
                "page": difference.page,
                "where": _where(difference.where),
            }
            for difference in report.drift
        ],
        "fixed_defects": [
            {
                "id": defect.id,
                "defect": defect.number,
                "at": defect.at,
                "was": defect.page,
                "now": now,
                "where": _where(where),
            }
            for defect, now, where in report.fixed
        ],
        "known_defects": [
            {
                "id": defect.id,
                "defect": defect.number,
                "at": defect.at,
                "page": defect.page,
                "reading": defect.reading,
                "where": _where(where),
            }
            for defect, where in report.known
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)
