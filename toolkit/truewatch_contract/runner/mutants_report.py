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
    "not-applicable": "s-not-exercised",
}


def _headline(result: dict[str, Any]) -> str:
    """``70 of 71 mutants killed, 1 survived, 0 errors`` (of the applicable ones, when profiled)."""
    counts = result["counts"]
    skipped = counts.get("not-applicable", 0)
    if skipped:
        applicable = result.get("applicable", result["total"] - skipped)
        return (
            f"{counts['killed']} of the {applicable} applicable mutants killed, "
            f"{counts['survived']} survived, {counts['error']} errors; {skipped} not applicable "
            "(they break only assumed rules, relaxed against a profiled mock)"
        )
    return (
        f"{counts['killed']} of {result['total']} mutants killed, {counts['survived']} survived, "
        f"{counts['error']} errors"
    )


def _profile_note(result: dict[str, Any]) -> str | None:
    profile = result.get("profile")
    if not profile:
        return None
    return f"the mock answered as the profile {profile['file']} (of {profile['target']})"


def render_table(result: dict[str, Any]) -> str:
    rows = [result["correct"], *result["mutants"]] if result.get("correct") else result["mutants"]
    width = max([len(r["name"]) for r in rows] + [6])
    lines = [f"{'mutant':<{width}}  {'result':<11}  {'caught by':<40}  {'after':>8}  {'run':>6}"]
    for row in rows:
        caught = row["caught_by"] or (
            str(row["detail"]) if row["status"] in ("error", "not-applicable") else "-"
        )
        after = f"{row['time_to_catch_s']:.2f} s" if row["time_to_catch_s"] is not None else "-"
        lines.append(
            f"{row['name']:<{width}}  {row['status']:<11}  {caught[:40]:<40}  {after:>8}  "
            f"{row['wall_s']:5.1f}s"
        )
    lines.append(
        f"{_headline(result)}; correct mock: "
        f"{result['correct']['status'] if result.get('correct') else 'not run'}; "
        f"{result['wall_s']:.1f} s with {result['jobs']} parallel run(s)"
    )
    note = _profile_note(result)
    if note is not None:
        lines.append(f"  {note}")
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
    ok = result["exit_code"] == 0
    notes = [*result.get("problems", [])]
    note = _profile_note(result)
    if note is not None:
        notes.append(note)
    problems = "".join(f"<li>{esc(p)}</li>" for p in notes)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>Mutation analysis: {esc(result['verdict'])}</title><style>{CSS}</style>"
        "</head><body><main><h1>Contract suite: mutation analysis</h1>"
        f'<div class="banner v-{"passed" if ok else "failed"}"><div class="verdict">'
        f"{esc(result['verdict'])}</div><div class=headline>{esc(_headline(result))}, "
        f"in {result['wall_s']:.1f} s ({result['jobs']} parallel runs)</div></div>"
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
