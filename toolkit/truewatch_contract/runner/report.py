"""
The report of one run: the typed :class:`~truewatch_contract.runner.model.RunReport`, built from
the run record.

``report.json`` is the model's ``to_json``; ``junit.xml``, ``report.html``, the job summary and the
console summary are renderings of it, so the reports can never disagree. Every string in it has
been through the run's :class:`~truewatch_contract.redaction.Redactor`: the record's values are
redacted before the model is built (:meth:`~truewatch_contract.record.Record.redacted`), never the
model's own keys or words. The report counts what the record holds; it never judges again.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any, TypeVar, cast

from truewatch_contract.profile import build_profile
from truewatch_contract.profile.learn import learn
from truewatch_contract.record import Record, TestLine
from truewatch_contract.redaction import Redactor
from truewatch_contract.rules import RULES, Policy, Rule
from truewatch_contract.runner.coverage import coverage_of
from truewatch_contract.runner.failures import rule_failures
from truewatch_contract.runner.model import (
    CollectError,
    OutcomeCounts,
    ProfileEntry,
    RecordStats,
    RuleRow,
    RunCounts,
    RunReport,
    RunTarget,
    TestRow,
    ToolInfo,
)
from truewatch_contract.runner.timings import timings_of

# Verdicts and the exit code of `truewatch-contract run` for each.
EXIT_CODES = {
    "passed": 0,
    "failed": 1,
    "error": 2,
    "target-lost": 2,
    "incomplete": 2,
    "interrupted": 130,
}


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
    #: Whether the run's verdict needs pytest tests: the validating proxy judges traffic and
    #: runs none (its verdict is then the rules' alone).
    tests_expected: bool = True


def build_report(record: Record, context: RunContext) -> RunReport:
    """Turn a run record into the report model (redacted)."""
    redactor = context.redactor
    record = record.redacted(redactor)
    rules = RULES
    relaxed = tuple(record.run.relaxed) if record.run else tuple(context.requested_relax)
    rule_rows = _rule_rows(record, Policy(frozenset(relaxed)), rules)
    tests = _tests(record.tests)
    verdict, notes = _verdict(record, _redacted_context(context), tests, rule_rows)
    report = RunReport(
        tool=ToolInfo(name="truewatch-contract", version=_version()),
        verdict=verdict,
        exit_code=EXIT_CODES[verdict],
        headline=_headline(verdict, rule_rows, tests),
        complete=verdict in ("passed", "failed"),
        notes=tuple(notes),
        target=RunTarget(
            name=redactor.text(context.target),
            base_url=redactor.text(context.base_url) if context.base_url else None,
            issue_id=context.issue_id,
            mutant=(record.run.mutant if record.run else None) or context.mutant,
        ),
        seed=record.run.seed if record.run else context.seed,
        max_examples=record.run.max_examples if record.run else context.max_examples,
        relaxed=relaxed,
        started_at=_iso(record.started_at),
        duration_s=_duration(record, context),
        counts=_counts(record, tests),
        rules=rule_rows,
        failures=rule_failures(record, rules, relaxed=False),
        relaxed_findings=rule_failures(record, rules, relaxed=True),
        tests=tests,
        collect_errors=tuple(CollectError(c.test, c.message) for c in record.collect_errors),
        coverage=coverage_of(record.exchanges),
        timings=timings_of(record.exchanges),
        profile=tuple(ProfileEntry.from_json(entry) for entry in build_profile(record.exchanges)),
        target_profile=learn(
            record.exchanges,
            source={
                "target": redactor.text(context.target),
                "mutant": (record.run.mutant if record.run else None) or context.mutant,
                "seed": record.run.seed if record.run else context.seed,
                "started_at": _iso(record.started_at),
                "budget": record.budget.limit if record.budget is not None else None,
            },
        ).to_json(),
        # The request budget: limit (null: the full run), spent, per_rule, not_exercised, ...
        budget=dict(record.budget.data) if record.budget is not None else None,
        record=RecordStats(damaged_lines=record.damaged_lines, runs=record.runs_seen),
    )
    return _scrub(report)


def _redacted_context(context: RunContext) -> RunContext:
    """The context's texts that can quote the outside world (a server's error), redacted."""
    text = context.redactor.text
    return replace(
        context,
        target_lost=text(context.target_lost) if context.target_lost else context.target_lost,
        suite_error=text(context.suite_error) if context.suite_error else context.suite_error,
    )


_SURROGATE = re.compile("[\ud800-\udfff]")
_Value = TypeVar("_Value")


def _scrub(value: _Value) -> _Value:
    """
    Replace lone surrogates (a hostile server can send ``"\\ud800"`` in its JSON) so that every
    report can be written as UTF-8: in every string of the model, the keys of the recorded JSON
    included (two keys that become one keep the last, as a JSON object would).
    """
    scrubbed: Any
    if isinstance(value, str):
        scrubbed = _SURROGATE.sub("\ufffd", value)
    elif is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _scrub(getattr(value, f.name)) for f in fields(value)}
        scrubbed = replace(value, **changes)
    elif isinstance(value, dict):
        scrubbed = {_scrub(k): _scrub(v) for k, v in value.items()}
    elif isinstance(value, (list, tuple)):
        scrubbed = type(value)(_scrub(v) for v in value)
    else:
        scrubbed = value
    return cast(_Value, scrubbed)


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


def _tests(outcomes: Iterable[TestLine]) -> tuple[TestRow, ...]:
    """One row per pytest test: its phases folded into passed / failed / error / skipped."""
    rows: dict[str, TestRow] = {}
    for outcome in outcomes:
        row = rows.get(outcome.test) or TestRow(outcome.test, "passed", 0.0, None)
        row = replace(row, duration_s=round(row.duration_s + outcome.duration, 6))
        if outcome.outcome == "failed":
            # The first failing phase names the outcome: a failed call fails the test, a failed
            # setup or teardown is an error of it.
            status = "failed" if outcome.when == "call" else "error"
            if not row.failed:
                row = replace(row, outcome=status, message=outcome.message, when=outcome.when)
        elif outcome.outcome == "skipped" and row.outcome == "passed":
            row = replace(row, outcome="skipped", message=outcome.message)
        rows[outcome.test] = row
    return tuple(rows.values())


# -- rules ---------------------------------------------------------------------------------------


def _rule_rows(record: Record, policy: Policy, rules: Mapping[str, Rule]) -> tuple[RuleRow, ...]:
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
            RuleRow(
                id=rule_id,
                scope=info.scope if info else "unknown",
                tag=info.tag if info else "unknown",
                statement=info.statement if info else "(not in this toolkit's catalogue)",
                relaxed=policy.relaxes(rule_id),
                checked=n,
                held=held,
                broke=b,
                broke_relaxed=r,
                status=status,
            )
        )
    return tuple(rows)


# -- verdict -------------------------------------------------------------------------------------


def _verdict(
    record: Record,
    context: RunContext,
    tests: Sequence[TestRow],
    rule_rows: Sequence[RuleRow],
) -> tuple[str, list[str]]:
    notes: list[str] = []
    failed = any(t.failed for t in tests) or any(row.broke for row in rule_rows)
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
        if not tests and context.tests_expected:
            notes.append("The suite ran no test.")
            return "error", notes
        return "passed", notes
    notes.append(f"The suite ended with pytest exit status {record.exit_status}.")
    return "error", notes


def _headline(verdict: str, rule_rows: Sequence[RuleRow], tests: Sequence[TestRow]) -> str:
    broken = [row.id for row in rule_rows if row.broke]
    failed = [t for t in tests if t.failed]
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


# -- counts --------------------------------------------------------------------------------------


def _counts(record: Record, tests: Sequence[TestRow]) -> RunCounts:
    outcomes = Counter(t.outcome for t in tests)
    network_errors = violations = relaxed_violations = 0
    for exchange in record.exchanges:  # one walk: a large record's are read from its file
        network_errors += exchange.response is None
        violations += len(exchange.violations)
        relaxed_violations += len(exchange.relaxed_violations)
    return RunCounts(
        requests=len(record.exchanges),
        network_errors=network_errors,
        violations=violations + sum(1 for b in record.behaviours if not b.held and not b.relaxed),
        relaxed_violations=relaxed_violations
        + sum(1 for b in record.behaviours if not b.held and b.relaxed),
        behaviours=len(record.behaviours),
        tests=OutcomeCounts(
            passed=outcomes.get("passed", 0),
            failed=outcomes.get("failed", 0),
            error=outcomes.get("error", 0),
            skipped=outcomes.get("skipped", 0),
        ),
    )
