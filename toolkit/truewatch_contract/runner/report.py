"""
The report of one run: a single JSON-ready model built from the run record.

``report.json`` is this model as it is; ``junit.xml``, ``report.html`` and the console summary
are renderings of it, so the three reports can never disagree. Every string in it has been through
the run's :class:`~truewatch_contract.redaction.Redactor`: the record's values are redacted before
the model is built (:func:`~truewatch_contract.runner.record.redact_record`), never the model's own
keys or words.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from truewatch_contract.profile import build_profile
from truewatch_contract.record import BehaviourLine, ExchangeLine, Record, TestLine
from truewatch_contract.redaction import Redactor
from truewatch_contract.rules import RULES, Policy, Rule
from truewatch_contract.spec import account_id_pattern, issue_statuses

FORMAT = "truewatch-contract-report/2"

# Verdicts and the exit code of `truewatch-contract run` for each.
EXIT_CODES = {
    "passed": 0,
    "failed": 1,
    "error": 2,
    "target-lost": 2,
    "incomplete": 2,
    "interrupted": 130,
}

EXAMPLES_PER_RULE = 5
MAX_JSON_CHARS = 6000
MAX_CURL_CHARS = 4000
MAX_POINTS = 1500

Report = dict[str, Any]


@dataclass
class RunContext:
    """What the runner knows about a run beyond its record."""

    target: str = "built-in mock"
    base_url: str | None = None
    issue_id: str | None = None
    mutant: str | None = None
    requested_relax: Sequence[str] = ()
    redactor: Redactor = field(default_factory=Redactor)
    interrupted: bool = False
    target_lost: str | None = None
    suite_exit: int | None = None
    suite_error: str | None = None
    wall_seconds: float | None = None
    seed: int | None = None
    max_examples: int | None = None


def build_report(record: Record, context: RunContext) -> Report:
    """Turn a run record into the report model (redacted)."""
    redactor = context.redactor
    record = record.redacted(redactor)
    rules = RULES
    relaxed = list(record.run.relaxed) if record.run else list(context.requested_relax)
    rule_rows = _rule_rows(record, Policy(frozenset(relaxed)), rules)
    tests = _tests(record.tests)
    verdict, notes = _verdict(record, _redacted_context(context), tests, rule_rows)
    started = record.started_at
    report: Report = {
        "format": FORMAT,
        "tool": {"name": "truewatch-contract", "version": _version()},
        "verdict": verdict,
        "exit_code": EXIT_CODES[verdict],
        "headline": _headline(verdict, rule_rows, tests, context),
        "complete": verdict in ("passed", "failed"),
        "notes": notes,
        "target": {
            "name": redactor.text(context.target),
            "base_url": redactor.text(context.base_url) if context.base_url else None,
            "issue_id": context.issue_id,
            "mutant": (record.run.mutant if record.run else None) or context.mutant,
        },
        "seed": record.run.seed if record.run else context.seed,
        "max_examples": record.run.max_examples if record.run else context.max_examples,
        "relaxed": relaxed,
        "started_at": _iso(started),
        "duration_s": _duration(record, context),
        "counts": _counts(record, tests),
        "rules": rule_rows,
        "failures": _failures(record, rules, relaxed=False),
        "relaxed_findings": _failures(record, rules, relaxed=True),
        "test_failures": [t for t in tests if t["outcome"] in ("failed", "error")],
        "tests": tests,
        "collect_errors": [{"test": c.test, "message": c.message} for c in record.collect_errors],
        "coverage": _coverage(record.exchanges),
        "timings": _timings(record.exchanges),
        "profile": build_profile(record.exchanges),
        # The request budget: limit (null: the full run), spent, per_rule, not_exercised, ...
        "budget": dict(record.budget.data) if record.budget is not None else None,
        "record": {"damaged_lines": record.damaged_lines, "runs": record.runs_seen},
    }
    scrubbed: Report = _scrub(report)
    return scrubbed


def _redacted_context(context: RunContext) -> RunContext:
    """The context's texts that can quote the outside world (a server's error), redacted."""
    text = context.redactor.text
    return replace(
        context,
        target_lost=text(context.target_lost) if context.target_lost else context.target_lost,
        suite_error=text(context.suite_error) if context.suite_error else context.suite_error,
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def _scrub(value: Any) -> Any:
    """
    Replace lone surrogates (a hostile server can send ``"\\ud800"`` in its JSON) so that every
    report can be written as UTF-8.
    """
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def _version() -> str:
    from truewatch_contract import __version__

    return __version__


def _iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def _duration(record: Record, context: RunContext) -> float | None:
    if context.wall_seconds is not None:
        return round(context.wall_seconds, 3)
    times = [e.t for e in record.exchanges] + [b.t for b in record.behaviours]
    return round(max(times), 3) if times else None


# -- tests ---------------------------------------------------------------------------------------


def _tests(outcomes: Iterable[TestLine]) -> list[dict[str, Any]]:
    """One row per pytest test: its phases folded into passed / failed / error / skipped."""
    rows: dict[str, dict[str, Any]] = {}
    for outcome in outcomes:
        row = rows.setdefault(
            outcome.test,
            {"test": outcome.test, "outcome": "passed", "duration_s": 0.0, "message": None},
        )
        row["duration_s"] = round(row["duration_s"] + outcome.duration, 6)
        if outcome.outcome == "failed":
            status = "failed" if outcome.when == "call" else "error"
            if row["outcome"] not in ("failed", "error"):
                row["outcome"] = status
                row["message"] = outcome.message
                row["when"] = outcome.when
        elif outcome.outcome == "skipped" and row["outcome"] == "passed":
            row["outcome"] = "skipped"
            row["message"] = outcome.message
    return list(rows.values())


# -- rules ---------------------------------------------------------------------------------------


def _rule_rows(record: Record, policy: Policy, rules: Mapping[str, Rule]) -> list[dict[str, Any]]:
    checked: Counter[str] = Counter()
    broke: Counter[str] = Counter()
    relaxed_broke: Counter[str] = Counter()
    # Request rules judge what the suite sends, not the server: they decide which answer each
    # request calls for. The record says, for each exchange, which of them its body was checked
    # against and which it broke.
    input_checked: Counter[str] = Counter()
    input_broke: Counter[str] = Counter()
    for exchange in record.exchanges:
        broken = {v.rule for v in exchange.violations}
        soft = {v.rule for v in exchange.relaxed_violations} - broken
        for rule_id in set(exchange.checked) | broken | soft:
            checked[rule_id] += 1
        broke.update(broken)
        relaxed_broke.update(soft)
        input_checked.update(set(exchange.input_checked))
        input_broke.update({v.rule for v in exchange.input_violations})
    for behaviour in record.behaviours:
        checked[behaviour.rule] += 1
        if not behaviour.held:
            (relaxed_broke if behaviour.relaxed else broke)[behaviour.rule] += 1
    ids = list(rules) + sorted(set(checked) - set(rules))
    rows = []
    for rule_id in ids:
        info = rules.get(rule_id)
        if info is not None and info.scope == "request":
            n, b, r = input_checked[rule_id], 0, 0
            status = "input" if n else "not exercised"
            held = n - input_broke[rule_id]
        else:
            n, b, r = checked[rule_id], broke[rule_id], relaxed_broke[rule_id]
            status = "broken" if b else "relaxed" if r else "held" if n else "not exercised"
            held = n - b - r
        rows.append(
            {
                "id": rule_id,
                "scope": info.scope if info else "unknown",
                "tag": info.tag if info else "unknown",
                "statement": info.statement if info else "(not in this toolkit's catalogue)",
                "relaxed": policy.relaxes(rule_id),
                "checked": n,
                "held": held,
                "broke": b,
                "broke_relaxed": r,
                "status": status,
            }
        )
    return rows


# -- verdict -------------------------------------------------------------------------------------


def _verdict(
    record: Record,
    context: RunContext,
    tests: Sequence[Mapping[str, Any]],
    rule_rows: Sequence[Mapping[str, Any]],
) -> tuple[str, list[str]]:
    notes: list[str] = []
    failed = any(t["outcome"] in ("failed", "error") for t in tests) or any(
        row["broke"] for row in rule_rows
    )
    if record.damaged_lines:
        notes.append(f"{record.damaged_lines} damaged line(s) of the run record were skipped.")
    for (rule, message), count in Counter((u.rule, u.message) for u in record.unproven).items():
        notes.append(f"Not proven ({rule}, {count}x): {message}.")
    if record.stopped is not None:
        notes.append(record.stopped.message)
        return "error", notes
    if record.collect_errors or context.suite_error:
        notes.append(context.suite_error or "The contract suite could not be collected.")
        return "error", notes
    # The runner stops the suite itself when the target is lost: that is not a user's interrupt.
    if context.target_lost and not context.interrupted:
        notes.append(f"The target stopped answering during the run: {context.target_lost}")
        return "target-lost", notes
    if context.interrupted or record.interrupted:
        notes.append("The run was interrupted: the report covers what ran until then.")
        return "interrupted", notes
    if not record.session_finished:
        notes.append("The suite stopped before finishing (killed or crashed).")
        return "incomplete", notes
    if failed:
        return "failed", notes
    if record.exit_status in (0, None) and (context.suite_exit in (0, None)):
        if not tests:
            notes.append("The suite ran no test.")
            return "error", notes
        return "passed", notes
    notes.append(f"The suite ended with pytest exit status {record.exit_status}.")
    return "error", notes


def _headline(
    verdict: str,
    rule_rows: Sequence[Mapping[str, Any]],
    tests: Sequence[Mapping[str, Any]],
    context: RunContext,
) -> str:
    broken = [row["id"] for row in rule_rows if row["broke"]]
    failed = [t for t in tests if t["outcome"] in ("failed", "error")]
    if verdict == "passed":
        return "The contract holds."
    if verdict == "failed":
        parts = []
        if broken:
            parts.append(f"{len(broken)} rule(s) broken")
        if failed:
            parts.append(f"{len(failed)} test(s) failed")
        return "The contract is broken: " + ", ".join(parts) + "."
    if verdict == "interrupted":
        return "The run was interrupted before it finished."
    if verdict == "target-lost":
        return "The target stopped answering during the run."
    if verdict == "incomplete":
        return "The suite stopped before it finished."
    return "The contract suite could not run."


# -- counts and failures -------------------------------------------------------------------------


def _counts(record: Record, tests: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    outcomes = Counter(t["outcome"] for t in tests)
    return {
        "requests": len(record.exchanges),
        "network_errors": sum(1 for e in record.exchanges if e.response is None),
        "violations": sum(len(e.violations) for e in record.exchanges)
        + sum(1 for b in record.behaviours if not b.held and not b.relaxed),
        "relaxed_violations": sum(len(e.relaxed_violations) for e in record.exchanges)
        + sum(1 for b in record.behaviours if not b.held and b.relaxed),
        "behaviours": len(record.behaviours),
        "tests": {k: outcomes.get(k, 0) for k in ("passed", "failed", "error", "skipped")},
    }


def _failures(record: Record, rules: Mapping[str, Rule], *, relaxed: bool) -> list[dict[str, Any]]:
    """Broken rules (or relaxed findings), most frequent first, each with a few examples."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    counts: Counter[str] = Counter()
    first_seen: dict[str, float] = {}
    for exchange in record.exchanges:
        found = exchange.relaxed_violations if relaxed else exchange.violations
        for violation in found:
            rule_id = violation.rule
            counts[rule_id] += 1
            first_seen.setdefault(rule_id, exchange.t)
            if len(groups[rule_id]) < EXAMPLES_PER_RULE:
                groups[rule_id].append(_example(exchange, violation.pointer, violation.message))
    last_exchange = _last_exchange_per_test(record.exchanges)
    for behaviour in record.behaviours:
        if behaviour.held or behaviour.relaxed != relaxed:
            continue
        counts[behaviour.rule] += 1
        first_seen.setdefault(behaviour.rule, behaviour.t)
        if len(groups[behaviour.rule]) < EXAMPLES_PER_RULE:
            groups[behaviour.rule].append(
                _behaviour_example(behaviour, last_exchange(behaviour.test, behaviour.t))
            )
    result = []
    for rule_id in sorted(counts, key=lambda r: (-counts[r], first_seen[r])):
        info = rules.get(rule_id)
        result.append(
            {
                "rule": rule_id,
                "tag": info.tag if info else "unknown",
                "statement": info.statement if info else "",
                "count": counts[rule_id],
                "first_at_s": round(first_seen[rule_id], 3),
                "examples": groups[rule_id],
            }
        )
    return result


def _example(exchange: ExchangeLine, pointer: str, message: str) -> dict[str, Any]:
    return {
        "test": exchange.test,
        "phase": exchange.phase,
        "t": round(exchange.t, 3),
        "pointer": pointer,
        "message": message,
        "request": _bounded(exchange.request.to_json()),
        "response": _bounded(exchange.response.to_json()) if exchange.response else None,
        "error": exchange.error,
        "curl": _cut(exchange.curl, MAX_CURL_CHARS),
    }


def _behaviour_example(behaviour: BehaviourLine, exchange: ExchangeLine | None) -> dict[str, Any]:
    example = _example(exchange, "", behaviour.message) if exchange is not None else None
    return {
        "test": behaviour.test,
        "phase": exchange.phase if exchange else "scenario",
        "t": round(behaviour.t, 3),
        "pointer": "",
        "message": behaviour.message,
        "request": example["request"] if example else None,
        "response": example["response"] if example else None,
        "error": exchange.error if exchange else None,
        "curl": example["curl"] if example else "",
        "context": "the last request of this test before the rule was judged" if exchange else None,
    }


def _last_exchange_per_test(exchanges: Sequence[ExchangeLine]) -> Any:
    by_test: dict[str, list[ExchangeLine]] = defaultdict(list)
    for exchange in exchanges:
        by_test[exchange.test].append(exchange)

    def find(test: str, t: float) -> ExchangeLine | None:
        candidates = [e for e in by_test.get(test, ()) if e.t <= t + 1e-6]
        return candidates[-1] if candidates else None

    return find


def _bounded(value: Any) -> Any:
    """Keep huge bodies (the 1 MiB probe) out of the reports: a preview instead."""
    if value is None:
        return None
    text = json.dumps(value, ensure_ascii=False, default=str)
    if len(text) <= MAX_JSON_CHARS:
        return value
    if isinstance(value, Mapping):
        return {k: _bounded(v) for k, v in value.items()}
    return {"[truncated]": f"{len(text)} characters", "preview": text[:1000]}


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f" ... [{len(text) - limit} more characters]"


# -- coverage ------------------------------------------------------------------------------------

ABSENT = "(absent)"
ASSIGNER_SHAPES = (
    "absent",
    "valid list",
    "empty list",
    "null",
    "list with a bad id",
    "wrong type",
    "body not an object",
)


def _coverage(exchanges: Sequence[ExchangeLine]) -> dict[str, Any]:
    allowed = issue_statuses()
    statuses: Counter[str] = Counter()
    shapes: Counter[str] = Counter()
    http: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    phases: Counter[str] = Counter()
    methods: Counter[str] = Counter()
    for exchange in exchanges:
        phases[exchange.phase] += 1
        methods[(exchange.request.method or "?").upper()] += 1
        body = exchange.request.body
        if isinstance(body, dict):
            if "issueStatus" in body:
                statuses[json.dumps(body["issueStatus"], ensure_ascii=False)[:80]] += 1
            else:
                statuses[ABSENT] += 1
        shapes[_assigner_shape(exchange.request.body)] += 1
        if exchange.response is None:
            http["network error"] += 1
            continue
        status = exchange.response.status
        http[str(status) if status is not None else "?"] += 1
        envelope = exchange.response.body
        if isinstance(envelope, dict) and "errorCode" in envelope:
            code = envelope["errorCode"]
            codes[code if isinstance(code, str) and code else json.dumps(code)] += 1
    valid_json = {json.dumps(v) for v in allowed}
    return {
        "issue_status_sent": [
            {
                "value": value,
                "kind": "allowed"
                if value in valid_json
                else "absent"
                if value == ABSENT
                else "invalid",
                "count": n,
            }
            for value, n in _ordered(statuses, [json.dumps(v) for v in allowed])
        ],
        "issue_status_allowed": list(allowed),
        "issue_status_unsent": [v for v in allowed if not statuses.get(json.dumps(v))],
        "assigner_shapes_sent": [
            {"shape": shape, "count": shapes.get(shape, 0)} for shape in ASSIGNER_SHAPES
        ],
        "http_status_received": [
            {"status": s, "count": n} for s, n in sorted(http.items(), key=lambda kv: kv[0])
        ],
        "error_codes_received": [
            {"errorCode": c, "count": n} for c, n in sorted(codes.items(), key=lambda kv: -kv[1])
        ],
        "phases": [{"phase": p, "count": n} for p, n in phases.most_common()],
        "methods": [{"method": m, "count": n} for m, n in methods.most_common()],
    }


def _ordered(counter: Counter[str], first: Sequence[str]) -> list[tuple[str, int]]:
    head = [(k, counter[k]) for k in first if counter.get(k)]
    tail = sorted(((k, n) for k, n in counter.items() if k not in first), key=lambda kv: -kv[1])
    return head + tail


def _assigner_shape(body: Any) -> str:
    if not isinstance(body, dict):
        return "body not an object"
    if "assigner" not in body:
        return "absent"
    value = body["assigner"]
    if value is None:
        return "null"
    if not isinstance(value, list):
        return "wrong type"
    if not value:
        return "empty list"
    pattern = account_id_pattern()
    if all(isinstance(v, str) and pattern.fullmatch(v) for v in value):
        return "valid list"
    return "list with a bad id"


# -- timings -------------------------------------------------------------------------------------


def _timings(exchanges: Sequence[ExchangeLine]) -> dict[str, Any]:
    points: list[list[Any]] = []
    for exchange in exchanges:
        response = exchange.response
        if response is None:
            continue
        points.append([round(exchange.t, 3), round(response.elapsed_ms, 3), response.status])
    values: list[float] = sorted(float(p[1]) for p in points)
    step = max(1, math.ceil(len(points) / MAX_POINTS))
    return {
        "count": len(values),
        "min_ms": values[0] if values else None,
        "p50_ms": _percentile(values, 50),
        "p95_ms": _percentile(values, 95),
        "max_ms": values[-1] if values else None,
        "points": points[::step],
        "points_sampled_every": step,
    }


def _percentile(values: Sequence[float], p: float) -> float | None:
    if not values:
        return None
    index = min(len(values) - 1, max(0, math.ceil(p / 100 * len(values)) - 1))
    return values[index]
