"""
``report.html``: one self-contained page a person reads.

Verdict first, then the failures (rule, request, response, a redacted curl), coverage tables, the
rules with how often each held or broke, the relaxed rules, and a chart of response times. Inline
CSS and an inline SVG only: a Content-Security-Policy forbids the page to load anything, and every
value is HTML-escaped (the payloads the suite sends are hostile on purpose).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path
from typing import Any

from truewatch_contract.runner.model import (
    FailureExample,
    RuleFailure,
    RunReport,
    TimingPoint,
    Timings,
)

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
MAX_PRE = 4000

CSS = """
:root { --ok:#1a7f37; --bad:#cf222e; --warn:#9a6700; --muted:#57606a; --line:#d0d7de;
  --bg:#f6f8fa; --info:#0969da; }
* { box-sizing: border-box; }
body { font: 14px/1.5 -apple-system, "Segoe UI", "DejaVu Sans", Helvetica, Arial, sans-serif;
  color:#1f2328; margin:0; background:#fff; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 10px; padding-bottom: 4px;
  border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 0; }
code, pre { font: 12.5px/1.45 "DejaVu Sans Mono", Menlo, Consolas, monospace; }
pre { background: var(--bg); border: 1px solid var(--line); border-radius: 6px;
  padding: 8px 10px;
  margin: 4px 0 8px; white-space: pre-wrap; word-break: break-all; max-height: 340px;
  overflow: auto; }
.banner { border-radius: 8px; padding: 16px 20px; color: #fff; margin: 8px 0 12px; }
.banner .verdict { font-size: 26px; font-weight: 700; letter-spacing: .5px;
  text-transform: uppercase; }
.banner .headline { font-size: 16px; }
.v-passed { background: var(--ok); } .v-failed { background: var(--bad); }
.v-error, .v-target-lost, .v-incomplete, .v-interrupted { background: var(--warn); }
.meta { display: flex; flex-wrap: wrap; gap: 6px 22px; color: var(--muted); margin-bottom: 6px;
  }
.meta b { color: #1f2328; font-weight: 600; }
.notes { border-left: 4px solid var(--warn); background: #fff8c5; padding: 8px 12px;
  margin: 10px 0; }
.card { border: 1px solid var(--line); border-left: 4px solid var(--bad); border-radius: 6px;
  padding: 12px 16px; margin: 12px 0; }
.card.relaxed { border-left-color: var(--warn); }
.card .statement { color: var(--muted); margin: 2px 0 8px; }
.example { border-top: 1px dashed var(--line); padding-top: 8px; margin-top: 8px; }
.msg { font-weight: 600; }
.small { color: var(--muted); font-size: 12.5px; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px;
  font-weight: 600;
  border: 1px solid currentColor; white-space: nowrap; }
.b-documented { color: var(--info); } .b-observed { color: #8250df;
  } .b-assumed { color: var(--warn); }
.s-held { color: var(--ok); } .s-broken { color: var(--bad); } .s-relaxed { color: var(--warn);
  }
.s-not-exercised { color: var(--muted); }
.t-passed { color: var(--ok); } .t-failed, .t-error { color: var(--bad);
  } .t-skipped { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.zero td { color: var(--muted); }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(270px, 1fr));
  gap: 6px 24px; }
.grid h3 { margin-top: 8px; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
@media (max-width: 900px) { .two { grid-template-columns: 1fr; } }
details > summary { cursor: pointer; color: var(--info); margin: 6px 0; }
svg text { font: 11px "DejaVu Sans", Helvetica, Arial, sans-serif; fill: #57606a; }
footer { color: var(--muted); font-size: 12px; margin-top: 36px;
  border-top: 1px solid var(--line);
  padding-top: 8px; }
"""


def render_html(report: RunReport) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{escape(CSP)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>Contract report: {esc(report.verdict)}</title>",
        f"<style>{CSS}</style></head><body><main>",
        _header(report),
        _failures(report),
        _profile(report),
        _budget(report),
        _coverage(report),
        _rules(report),
        _relaxed(report),
        _timings(report),
        _tests(report),
        _footer(report),
        "</main></body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def write_html(report: RunReport, path: Path) -> None:
    path.write_text(render_html(report), encoding="utf-8")


def esc(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _pre(text: str) -> str:
    if len(text) > MAX_PRE:
        text = text[:MAX_PRE] + f"\n... [{len(text) - MAX_PRE} more characters]"
    return f"<pre>{esc(text)}</pre>"


def _pretty(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def badge(text: str, css: str) -> str:
    return f'<span class="badge {css}">{esc(text)}</span>'


def _header(report: RunReport) -> str:
    target = report.target
    counts = report.counts
    tests = counts.tests
    meta: list[tuple[str, Any]] = [
        ("target", target.where or "?"),
        ("mutant", target.mutant),
        ("issue", target.issue_id),
        ("seed", report.seed),
        ("max examples", report.max_examples),
        ("started", report.started_at),
        ("duration", f"{report.duration_s} s" if report.duration_s is not None else None),
        ("requests", counts.requests),
        (
            "tests",
            f"{tests.passed} passed, {tests.failed} failed, "
            f"{tests.error} errors, {tests.skipped} skipped",
        ),
        ("relaxed", ", ".join(report.relaxed) or "nothing"),
    ]
    meta_html = "".join(
        f"<span>{esc(k)}: <b>{esc(v)}</b></span>" for k, v in meta if v not in (None, "")
    )
    notes = report.notes
    notes_html = (
        '<div class="notes">' + "<br>".join(esc(n) for n in notes) + "</div>" if notes else ""
    )
    verdict = report.verdict
    return (
        "<h1>TrueWatch Error Tracking API: contract report</h1>"
        f'<div class="banner v-{esc(verdict)}"><div class="verdict">{esc(verdict)}</div>'
        f'<div class="headline">{esc(report.headline)}</div></div>'
        f'<div class="meta">{meta_html}</div>{notes_html}'
    )


def _failures(report: RunReport) -> str:
    failures = report.failures
    tests = report.test_failures
    collect = report.collect_errors
    if not (failures or tests or collect):
        return "<h2>Failures</h2><p>None.</p>"
    out = [f"<h2>Failures ({len(failures)} rule(s) broken, {len(tests)} test(s) failed)</h2>"]
    for failure in failures:
        out.append(_failure_card(failure, relaxed=False))
    for error in collect:
        out.append(
            f'<div class="card"><h3>collection error: <code>{esc(error.test)}</code></h3>'
            f"{_pre(error.message)}</div>"
        )
    if tests:
        rows = []
        for test in tests:
            message = test.message or ""
            rows.append(
                f"<tr><td><code>{esc(test.test)}</code>"
                f"<div class=small>{esc(_error_line(message))}</div>"
                f"<details><summary>pytest output</summary>{_pre(message)}</details></td>"
                f"<td>{badge(test.outcome, 't-' + test.outcome)}</td></tr>"
            )
        out.append(
            f"<h3>Failed tests ({len(tests)})</h3><table><tr><th>test</th><th>outcome</th></tr>"
            + "".join(rows)
            + "</table>"
        )
    return "\n".join(out)


def _error_line(message: str) -> str:
    """The first ``E`` line of a pytest failure: what went wrong, in one line."""
    lines = [line for line in message.splitlines() if line.strip()]
    errors = [line[1:].strip() for line in lines if line.startswith("E ")]
    text = errors[0] if errors else (lines[-1] if lines else "")
    return text if len(text) <= 240 else text[:237] + "..."


def _failure_card(failure: RuleFailure, *, relaxed: bool) -> str:
    out = [
        f'<div class="card{" relaxed" if relaxed else ""}">'
        f"<h3><code>{esc(failure.rule)}</code> "
        f"{badge(failure.tag, 'b-' + failure.tag)}"
        f' <span class="small">{esc(failure.count)} time(s), first at '
        f"{esc(failure.first_at_s)} s</span></h3>",
        f'<div class="statement">{esc(failure.statement)}</div>',
    ]
    for index, example in enumerate(failure.examples):
        body = _example(example)
        if index == 0:
            out.append(body)
        else:
            out.append(f"<details><summary>example {index + 1}</summary>{body}</details>")
    out.append("</div>")
    return "\n".join(out)


def _example(example: FailureExample) -> str:
    out = ['<div class="example">']
    out.append(
        f'<div class="msg">{esc(example.message)}</div>'
        f'<div class="small">at <code>{esc(example.pointer or "(root)")}</code> · test '
        f"<code>{esc(example.test)}</code> · phase {esc(example.phase)} · "
        f"t = {esc(example.t)} s</div>"
    )
    if example.context:
        out.append(f'<div class="small">{esc(example.context)}</div>')
    # The request and the answer are the record's JSON (cut to a size): read, not trusted.
    request = example.request
    response = example.response
    columns = []
    if request is not None:
        line = f"{request.get('method', '?')} {request.get('path', '?')}"
        body = request.get("body")
        text = request.get("body_text")
        shown = _pretty(body) if body is not None or text is None else str(text)
        columns.append(f"<div><b>Request</b> <code>{esc(line)}</code>{_pre(shown)}</div>")
    if response is not None:
        body = response.get("body")
        text = response.get("text")
        shown = _pretty(body) if body is not None or text is None else str(text)
        columns.append(
            f"<div><b>Response</b> <code>{esc(response.get('status'))}</code> "
            f'<span class="small">{esc(response.get("elapsed_ms"))} ms</span>{_pre(shown)}</div>'
        )
    elif example.error:
        columns.append(f"<div><b>No response</b>{_pre(example.error)}</div>")
    if columns:
        out.append(f'<div class="two">{"".join(columns)}</div>')
    if example.curl:
        out.append(f"<div><b>Reproduce</b>{_pre(example.curl)}</div>")
    out.append("</div>")
    return "\n".join(out)


def _rules(report: RunReport) -> str:
    rows = []
    for row in report.rules:
        status = row.status
        relaxed = " (relaxed)" if row.relaxed else ""
        rows.append(
            f"<tr{' class=zero' if status == 'not exercised' else ''}>"
            f"<td><code>{esc(row.id)}</code><div class=small>{esc(row.statement)}</div></td>"
            f"<td>{badge(row.tag, 'b-' + row.tag)}</td>"
            f"<td>{badge(status + relaxed, 's-' + status.replace(' ', '-'))}</td>"
            f"<td class=n>{row.checked}</td><td class=n>{row.held}</td>"
            f"<td class=n>{row.broke}</td><td class=n>{row.broke_relaxed}</td></tr>"
        )
    tally = Counter(row.status for row in report.rules)
    counts = ", ".join(f"{n} {status}" for status, n in sorted(tally.items()))
    return (
        f"<h2>Rules</h2><p>{len(report.rules)} rules: {esc(counts)}.</p>"
        "<table><tr><th>rule</th><th>tag</th><th>status</th><th class=n>checked</th>"
        "<th class=n>held</th><th class=n>broke</th><th class=n>broke, relaxed</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _table(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    body = []
    for row in rows:
        zero = row[-1] == 0
        cells = "".join(
            f"<td class=n>{esc(c)}</td>" if i == len(row) - 1 else f"<td>{c}</td>"
            for i, c in enumerate(row)
        )
        body.append(f"<tr{' class=zero' if zero else ''}>{cells}</tr>")
    head = "".join(
        f"<th class=n>{esc(h)}</th>" if i == len(headers) - 1 else f"<th>{esc(h)}</th>"
        for i, h in enumerate(headers)
    )
    rows_html = "".join(body) or f"<tr><td colspan={len(headers)}>none</td></tr>"
    return f"<div><h3>{esc(title)}</h3><table><tr>{head}</tr>{rows_html}</table></div>"


def _coverage(report: RunReport) -> str:
    coverage = report.coverage
    statuses: list[tuple[Any, ...]] = [
        (
            f"<code>{esc(s.value)}</code>",
            badge(s.kind, _KIND_CSS.get(s.kind, "s-not-exercised")),
            s.count,
        )
        for s in coverage.issue_status_sent
    ]
    statuses += [
        (f"<code>{esc(json.dumps(v))}</code>", badge("allowed", "s-held"), 0)
        for v in coverage.issue_status_unsent
    ]
    shapes = [(esc(s.value), s.count) for s in coverage.assigner_shapes_sent]
    http = [(esc(s.value), s.count) for s in coverage.http_status_received]
    codes = [(f"<code>{esc(c.value)}</code>", c.count) for c in coverage.error_codes_received]
    phases = [(esc(p.value), p.count) for p in coverage.phases]
    methods = [(esc(m.value), m.count) for m in coverage.methods]
    return (
        '<h2>Coverage</h2><div class="grid">'
        + _table("issueStatus sent", ("value", "", "requests"), statuses)
        + _table("assigner shapes sent", ("shape", "requests"), shapes)
        + _table("HTTP status received", ("status", "responses"), http)
        + _table("errorCode received", ("errorCode", "responses"), codes)
        + _table("test phases", ("phase", "requests"), phases)
        + _table("methods sent", ("method", "requests"), methods)
        + "</div>"
    )


def _profile(report: RunReport) -> str:
    """The target's choices where the contract leaves one: a row per point and observation."""
    rows = []
    previous = None
    for entry in report.profile:
        point = entry.point
        # The example is the library's JSON of one exchange (``{}`` when there is none).
        example = entry.example
        request = example.get("request") or {}
        shown = f"{request.get('method', '')} {request.get('path', '')}".strip()
        detail = (
            f"<details><summary>{esc(shown) or 'example'}</summary>{_pre(_pretty(example))}"
            "</details>"
            if example
            else ""
        )
        rows.append(
            "<tr>"
            f"<td>{esc(point) if point != previous else ''}</td>"
            f"<td><code>{esc(entry.observed)}</code></td>"
            f"<td class=n>{esc(entry.count)}</td>"
            f"<td>{detail}</td></tr>"
        )
        previous = point
    return (
        "<h2>Target profile</h2><p>What the target chose in this run wherever the contract "
        "leaves a choice (each with how often, and an example).</p>"
        "<table><tr><th>point</th><th>observed</th><th class=n>count</th><th>example</th></tr>"
        + ("".join(rows) or "<tr><td colspan=4>nothing observed</td></tr>")
        + "</table>"
    )


def _budget(report: RunReport) -> str:
    """The request budget: what the plan bought, what the run spent, what it left out."""
    # The suite's budget line as it is (docs/report-format.md, ``budget``).
    budget = report.budget
    if budget is None or budget.get("limit") is None:
        return ""
    spent = budget.get("by_purpose") or {}
    purposes = [(esc(k), v) for k, v in sorted(spent.items())]
    per_rule = sorted((budget.get("per_rule") or {}).items(), key=lambda kv: (-int(kv[1]), kv[0]))
    rules = [(f"<code>{esc(rule)}</code>", count) for rule, count in per_rule]
    out = [
        ("planned kinds left out", ", ".join(budget.get("left_out") or []) or "none"),
        ("rules no request checked", ", ".join(budget.get("not_exercised") or []) or "none"),
        (
            "requests refused at the cap",
            ", ".join(f"{k} {v}" for k, v in sorted((budget.get("refused") or {}).items()))
            or "none",
        ),
    ]
    return (
        f"<h2>Request budget</h2><p>{esc(budget.get('spent'))} of {esc(budget.get('limit'))} "
        f"requests spent ({esc(budget.get('why'))}; the smallest budget that works: "
        f"{esc(budget.get('minimum'))}). What the budget left out is <em>not exercised</em>, "
        "never held.</p>"
        "<table>"
        + "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in out)
        + "</table><div class=grid>"
        + _table("requests by purpose", ("purpose", "requests"), purposes)
        + _table("judgements per rule", ("rule", "judgements"), rules)
        + "</div>"
    )


_KIND_CSS = {"allowed": "s-held", "invalid": "s-broken", "absent": "s-not-exercised"}


def _relaxed(report: RunReport) -> str:
    relaxed = report.relaxed
    rules = [r for r in report.rules if r.relaxed]
    findings = report.relaxed_findings
    if not relaxed:
        return "<h2>Relaxed rules</h2><p>None: every rule failed the run when broken.</p>"
    listed = ", ".join(f"<code>{esc(r)}</code>" for r in relaxed)
    items = "".join(
        f"<li><code>{esc(r.id)}</code> [{esc(r.tag)}]: {esc(r.status)}, "
        f"broke {r.broke_relaxed} of {r.checked} checks</li>"
        for r in rules
    )
    cards = "".join(_failure_card(f, relaxed=True) for f in findings)
    found = (
        f"<details><summary>what the relaxed rules found ({len(findings)} rule(s))"
        f"</summary>{cards}</details>"
        if findings
        else "<p>The relaxed rules found nothing.</p>"
    )
    return (
        f"<h2>Relaxed rules</h2><p>Relaxed for this run (reported, not failed on): {listed}.</p>"
        f"<ul>{items}</ul>{found}"
    )


def _timings(report: RunReport) -> str:
    timings = report.timings
    if not timings.points:
        return "<h2>Response times</h2><p>No response was timed.</p>"
    summary = (
        f"{timings.count} responses: min {timings.min_ms} ms, median {timings.p50_ms} ms, "
        f"95th percentile {timings.p95_ms} ms, max {timings.max_ms} ms"
    )
    return f"<h2>Response times</h2><p>{esc(summary)}</p>{_chart(timings.points, timings)}"


def _chart(points: Sequence[TimingPoint], timings: Timings) -> str:
    """A scatter plot: time into the run (x) against response time (y), coloured by status class."""
    width, height, left, bottom, top, right = 1100, 260, 56, 34, 12, 16
    max_t = max(p.t for p in points) or 1.0
    max_ms = max(p.elapsed_ms for p in points) or 1.0
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(t: float) -> float:
        return left + plot_w * t / max_t

    def y(ms: float) -> float:
        return top + plot_h * (1 - ms / max_ms)

    colours = {"2": "#1a7f37", "4": "#0969da", "5": "#cf222e"}
    dots = "".join(
        f'<circle cx="{x(p.t):.1f}" cy="{y(p.elapsed_ms):.1f}" r="2.2" '
        f'fill="{colours.get(str(p.status)[:1], "#9a6700")}" fill-opacity="0.6"/>'
        for p in points
    )
    grid = []
    for i in range(5):
        ms = max_ms * i / 4
        grid.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(ms):.1f}" y2="{y(ms):.1f}" '
            f'stroke="#d0d7de" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y(ms) + 4:.1f}" text-anchor="end">{ms:.0f}</text>'
        )
        t = max_t * i / 4
        grid.append(
            f'<text x="{x(t):.1f}" y="{height - bottom + 16}" text-anchor="middle">{t:.1f}</text>'
        )
    p95 = timings.p95_ms
    marker = (
        f'<line x1="{left}" x2="{width - right}" y1="{y(p95):.1f}" y2="{y(p95):.1f}" '
        f'stroke="#cf222e" stroke-dasharray="4 3"/>'
        f'<text x="{width - right}" y="{y(p95) - 4:.1f}" text-anchor="end">p95</text>'
        if p95 is not None
        else ""
    )
    legend = (
        f'<text x="{left}" y="{height - 4}">seconds into the run →   ms ↑   '
        "green 2xx · blue 4xx · red 5xx</text>"
    )
    return (
        f'<svg role="img" aria-label="response times" '
        f'viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px">'
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/>'
        + "".join(grid)
        + marker
        + dots
        + legend
        + "</svg>"
    )


def _tests(report: RunReport) -> str:
    tests = report.tests
    rows = "".join(
        f"<tr><td><code>{esc(t.test)}</code></td>"
        f"<td>{badge(t.outcome, 't-' + t.outcome)}</td>"
        f"<td class=n>{t.duration_s:.2f}</td></tr>"
        for t in tests
    )
    return (
        f"<h2>Tests</h2><details><summary>{len(tests)} test(s) of the suite</summary>"
        "<table><tr><th>test</th><th>outcome</th><th class=n>seconds</th></tr>"
        f"{rows}</table></details>"
    )


def _footer(report: RunReport) -> str:
    return (
        f"<footer>truewatch-contract {esc(report.tool.version)} · {esc(report.format)} · "
        "the same data is in report.json and junit.xml</footer>"
    )
