"""The mutation analysis, written: a console table, ``mutants.json`` and ``mutants.html``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from truewatch_contract.runner.html import CSP, CSS, badge, esc

STATUS_CSS = {
    "killed": "s-held",
    "passed": "s-held",
    "survived": "s-broken",
    "failed": "s-broken",
    "error": "s-relaxed",
    "interrupted": "s-relaxed",
}


def render_table(result: dict[str, Any]) -> str:
    rows = [result["correct"], *result["mutants"]] if result.get("correct") else result["mutants"]
    width = max([len(r["name"]) for r in rows] + [6])
    lines = [f"{'mutant':<{width}}  {'result':<11}  {'caught by':<40}  {'after':>8}  {'run':>6}"]
    for row in rows:
        caught = row["caught_by"] or ("-" if row["status"] != "error" else str(row["detail"]))
        after = f"{row['time_to_catch_s']:.2f} s" if row["time_to_catch_s"] is not None else "-"
        lines.append(
            f"{row['name']:<{width}}  {row['status']:<11}  {caught[:40]:<40}  {after:>8}  "
            f"{row['wall_s']:5.1f}s"
        )
    counts = result["counts"]
    lines.append(
        f"{counts['killed']} of {result['total']} mutants killed, {counts['survived']} survived, "
        f"{counts['error']} errors; correct mock: "
        f"{result['correct']['status'] if result.get('correct') else 'not run'}; "
        f"{result['wall_s']:.1f} s with {result['jobs']} parallel run(s)"
    )
    for problem in result.get("problems", []):
        lines.append(f"  problem: {problem}")
    return "\n".join(lines)


def render_html(result: dict[str, Any]) -> str:
    rows = []
    entries = ([result["correct"]] if result.get("correct") else []) + result["mutants"]
    for row in entries:
        status = str(row["status"])
        caught = row["caught_by"] or ""
        detail = row["detail"] or ""
        after = f"{row['time_to_catch_s']:.2f} s" if row["time_to_catch_s"] is not None else "-"
        if row.get("stage") and row["status"] == "killed":
            after += f" into the {row['stage']}"
        rows.append(
            f"<tr><td><code>{esc(row['name'])}</code><div class=small>{esc(row['description'])}"
            f"</div></td><td>{esc(row['family'])}</td>"
            f"<td>{badge(status, STATUS_CSS.get(status, 's-not-exercised'))}</td>"
            f"<td><code>{esc(caught)}</code><div class=small>{esc(detail[:300])}</div></td>"
            f"<td class=n>{esc(after)}</td><td class=n>{row['wall_s']:.1f} s</td></tr>"
        )
    counts = result["counts"]
    ok = result["exit_code"] == 0
    problems = "".join(f"<li>{esc(p)}</li>" for p in result.get("problems", []))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>Mutation analysis: {esc(result['verdict'])}</title><style>{CSS}</style>"
        "</head><body><main><h1>Contract suite: mutation analysis</h1>"
        f'<div class="banner v-{"passed" if ok else "failed"}"><div class="verdict">'
        f"{esc(result['verdict'])}</div><div class=headline>{counts['killed']} of "
        f"{result['total']} mutants killed, {counts['survived']} survived, {counts['error']} "
        f"errors, in {result['wall_s']:.1f} s ({result['jobs']} parallel runs)</div></div>"
        + (f'<div class="notes"><ul>{problems}</ul></div>' if problems else "")
        + '<div class="meta"><span>max examples: <b>'
        + esc(result.get("max_examples") or "suite default")
        + "</b></span>"
        f"<span>seed: <b>{esc(result.get('seed') or 'suite default')}</b></span>"
        "<span>a mutant run stops at its first failure; the suite's explicit scenarios run "
        "first, its generated-input tests only for a mutant they did not catch</span></div>"
        "<table><tr><th>mutant</th><th>family</th><th>result</th><th>caught by</th>"
        "<th class=n>after</th><th class=n>run</th></tr>" + "".join(rows) + "</table>"
        "<footer>truewatch-contract mutants · the same data is in mutants.json</footer>"
        "</main></body></html>\n"
    )


def write_mutant_reports(result: dict[str, Any], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    html_path, json_path = directory / "mutants.html", directory / "mutants.json"
    html_path.write_text(render_html(result), encoding="utf-8")
    json_path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return [html_path, json_path]
