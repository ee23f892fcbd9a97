"""
The report model of one run: what ``report.json``, ``junit.xml``, ``report.html``, the job summary
and the console summary render, so that they can never disagree.

One frozen class per part of the report. Each ``to_json`` gives its part of ``report.json``
(format `FORMAT`, docs/report-format.md) key for key, in the order the document has always had:
the document is a versioned interface, so a key is added here only with a new entry in the
format's page. The renderers read attributes, so that mypy checks every name they use.

Three parts stay JSON as the record or the library made them, because they are data the toolkit
does not shape: the request and response of a failure's example (what was sent and what the
target answered, bounded in size), the example of a profile entry (built by
:mod:`truewatch_contract.profile`) and the budget (the suite's ``budget`` line as it is).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

FORMAT = "truewatch-contract-report/2"

JSON = Any
#: A JSON object as the record or the library wrote it.
JSONObject = dict[str, Any]


@dataclass(frozen=True)
class ToolInfo:
    """The tool that wrote the report."""

    name: str
    version: str

    def to_json(self) -> JSONObject:
        return {"name": self.name, "version": self.version}


@dataclass(frozen=True)
class RunTarget:
    """What the suite was pointed at."""

    name: str
    base_url: str | None
    issue_id: str | None
    mutant: str | None

    @property
    def where(self) -> str:
        """The address a person recognises: the base URL, or the built-in mock's name."""
        return self.base_url or self.name

    def to_json(self) -> JSONObject:
        return {
            "name": self.name,
            "base_url": self.base_url,
            "issue_id": self.issue_id,
            "mutant": self.mutant,
        }


@dataclass(frozen=True)
class OutcomeCounts:
    """How many tests of the suite ended each way."""

    passed: int
    failed: int
    error: int
    skipped: int

    def to_json(self) -> JSONObject:
        return {
            "passed": self.passed,
            "failed": self.failed,
            "error": self.error,
            "skipped": self.skipped,
        }


@dataclass(frozen=True)
class RunCounts:
    """What the run did, counted."""

    requests: int
    network_errors: int
    violations: int
    relaxed_violations: int
    behaviours: int
    tests: OutcomeCounts

    def to_json(self) -> JSONObject:
        return {
            "requests": self.requests,
            "network_errors": self.network_errors,
            "violations": self.violations,
            "relaxed_violations": self.relaxed_violations,
            "behaviours": self.behaviours,
            "tests": self.tests.to_json(),
        }


@dataclass(frozen=True)
class RuleRow:
    """One rule of the catalogue (or a rule id the record names that the catalogue lacks)."""

    id: str
    scope: str
    tag: str
    statement: str
    relaxed: bool
    checked: int
    held: int
    broke: int
    broke_relaxed: int
    #: ``held``, ``broken``, ``relaxed``, ``not exercised``, or ``input`` for a request rule.
    status: str

    def to_json(self) -> JSONObject:
        return {
            "id": self.id,
            "scope": self.scope,
            "tag": self.tag,
            "statement": self.statement,
            "relaxed": self.relaxed,
            "checked": self.checked,
            "held": self.held,
            "broke": self.broke,
            "broke_relaxed": self.broke_relaxed,
            "status": self.status,
        }


@dataclass(frozen=True)
class FailureExample:
    """One time a rule broke: where, the request and the answer as recorded, a curl line."""

    test: str
    phase: str
    t: float
    pointer: str
    message: str
    request: JSONObject | None
    response: JSONObject | None
    error: str | None
    curl: str
    #: A behaviour rule's example (a scenario's outcome, not one answer): its JSON carries
    #: ``context``, null when the test sent no request before the rule was judged.
    behaviour: bool = False
    context: str | None = None

    def to_json(self) -> JSONObject:
        item: JSONObject = {
            "test": self.test,
            "phase": self.phase,
            "t": self.t,
            "pointer": self.pointer,
            "message": self.message,
            "request": self.request,
            "response": self.response,
            "error": self.error,
            "curl": self.curl,
        }
        if self.behaviour:
            item["context"] = self.context
        return item


@dataclass(frozen=True)
class RuleFailure:
    """A rule that broke (or, among the relaxed findings, broke while relaxed)."""

    rule: str
    tag: str
    statement: str
    count: int
    first_at_s: float
    examples: tuple[FailureExample, ...]

    def to_json(self) -> JSONObject:
        return {
            "rule": self.rule,
            "tag": self.tag,
            "statement": self.statement,
            "count": self.count,
            "first_at_s": self.first_at_s,
            "examples": [example.to_json() for example in self.examples],
        }


@dataclass(frozen=True)
class TestRow:
    """One pytest test of the suite, its phases folded into one outcome."""

    __test__: ClassVar[bool] = False  # not a test class, whatever pytest makes of the name
    test: str
    #: ``passed``, ``failed``, ``error`` (a setup or teardown failed) or ``skipped``.
    outcome: str
    duration_s: float
    message: str | None
    #: The phase that failed (``setup``, ``call``, ``teardown``); None, and no key in the JSON,
    #: unless the test failed.
    when: str | None = None

    @property
    def failed(self) -> bool:
        return self.outcome in ("failed", "error")

    def to_json(self) -> JSONObject:
        item: JSONObject = {
            "test": self.test,
            "outcome": self.outcome,
            "duration_s": self.duration_s,
            "message": self.message,
        }
        if self.when is not None:
            item["when"] = self.when
        return item


@dataclass(frozen=True)
class CollectError:
    """A test module of the suite that could not be collected."""

    test: str
    message: str

    def to_json(self) -> JSONObject:
        return {"test": self.test, "message": self.message}


@dataclass(frozen=True)
class IssueStatusSent:
    """An ``issueStatus`` the suite sent (as JSON text), what kind of value it is, how often."""

    value: str
    #: ``allowed``, ``invalid`` or ``absent``.
    kind: str
    count: int

    def to_json(self) -> JSONObject:
        return {"value": self.value, "kind": self.kind, "count": self.count}


@dataclass(frozen=True)
class CountedValue:
    """A value of a coverage table and how often it was seen (the table names the value)."""

    value: str
    count: int


def _counted(rows: Sequence[CountedValue], name: str) -> list[JSONObject]:
    return [{name: row.value, "count": row.count} for row in rows]


@dataclass(frozen=True)
class Coverage:
    """What the suite sent and what it received."""

    issue_status_sent: tuple[IssueStatusSent, ...]
    issue_status_allowed: tuple[str, ...]
    issue_status_unsent: tuple[str, ...]
    assigner_shapes_sent: tuple[CountedValue, ...]
    http_status_received: tuple[CountedValue, ...]
    error_codes_received: tuple[CountedValue, ...]
    phases: tuple[CountedValue, ...]
    methods: tuple[CountedValue, ...]

    def to_json(self) -> JSONObject:
        return {
            "issue_status_sent": [row.to_json() for row in self.issue_status_sent],
            "issue_status_allowed": list(self.issue_status_allowed),
            "issue_status_unsent": list(self.issue_status_unsent),
            "assigner_shapes_sent": _counted(self.assigner_shapes_sent, "shape"),
            "http_status_received": _counted(self.http_status_received, "status"),
            "error_codes_received": _counted(self.error_codes_received, "errorCode"),
            "phases": _counted(self.phases, "phase"),
            "methods": _counted(self.methods, "method"),
        }


@dataclass(frozen=True)
class TimingPoint:
    """One answer on the response-time chart."""

    t: float
    elapsed_ms: float
    status: int | None

    def to_json(self) -> list[JSON]:
        # A triple, not an object: the chart's points are many, and the format says so.
        return [self.t, self.elapsed_ms, self.status]


@dataclass(frozen=True)
class Timings:
    """Response times: the summary statistics and the (sampled) points of the chart."""

    count: int
    min_ms: float | None
    p50_ms: float | None
    p95_ms: float | None
    max_ms: float | None
    points: tuple[TimingPoint, ...]
    points_sampled_every: int

    def to_json(self) -> JSONObject:
        return {
            "count": self.count,
            "min_ms": self.min_ms,
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
            "max_ms": self.max_ms,
            "points": [point.to_json() for point in self.points],
            "points_sampled_every": self.points_sampled_every,
        }


@dataclass(frozen=True)
class ProfileEntry:
    """What the target chose on one point the contract leaves open, how often, and an example."""

    point: str
    observed: str
    count: int
    #: One exchange that showed it, as :func:`truewatch_contract.profile.build_profile` wrote it
    #: (``{}`` when there is none).
    example: JSONObject

    @classmethod
    def from_json(cls, entry: JSONObject) -> ProfileEntry:
        """An entry of the library's profile (its keys are documented under ``profile[]``)."""
        return cls(
            point=str(entry["point"]),
            observed=str(entry["observed"]),
            count=int(entry["count"]),
            example=dict(entry["example"]),
        )

    def to_json(self) -> JSONObject:
        return {
            "point": self.point,
            "observed": self.observed,
            "count": self.count,
            "example": self.example,
        }


@dataclass(frozen=True)
class RecordStats:
    """How the run record read."""

    damaged_lines: int
    runs: int

    def to_json(self) -> JSONObject:
        return {"damaged_lines": self.damaged_lines, "runs": self.runs}


@dataclass(frozen=True)
class RunReport:
    """The report of one run (see the module)."""

    format: ClassVar[str] = FORMAT
    tool: ToolInfo
    #: ``passed``, ``failed``, ``error``, ``target-lost``, ``incomplete`` or ``interrupted``.
    verdict: str
    exit_code: int
    headline: str
    complete: bool
    notes: tuple[str, ...]
    target: RunTarget
    seed: int | None
    max_examples: int | None
    relaxed: tuple[str, ...]
    started_at: str | None
    duration_s: float | None
    counts: RunCounts
    rules: tuple[RuleRow, ...]
    failures: tuple[RuleFailure, ...]
    relaxed_findings: tuple[RuleFailure, ...]
    tests: tuple[TestRow, ...]
    collect_errors: tuple[CollectError, ...]
    coverage: Coverage
    timings: Timings
    profile: tuple[ProfileEntry, ...]
    #: The profile document learned from the run (docs/profile-format.md).
    target_profile: JSONObject
    #: The suite's ``budget`` line as it is (docs/report-format.md, ``budget``); None without one.
    budget: JSONObject | None
    record: RecordStats

    @property
    def test_failures(self) -> tuple[TestRow, ...]:
        """The tests that failed or errored."""
        return tuple(test for test in self.tests if test.failed)

    def to_json(self) -> JSONObject:
        """The ``report.json`` document."""
        return {
            "format": self.format,
            "tool": self.tool.to_json(),
            "verdict": self.verdict,
            "exit_code": self.exit_code,
            "headline": self.headline,
            "complete": self.complete,
            "notes": list(self.notes),
            "target": self.target.to_json(),
            "seed": self.seed,
            "max_examples": self.max_examples,
            "relaxed": list(self.relaxed),
            "started_at": self.started_at,
            "duration_s": self.duration_s,
            "counts": self.counts.to_json(),
            "rules": [row.to_json() for row in self.rules],
            "failures": [failure.to_json() for failure in self.failures],
            "relaxed_findings": [finding.to_json() for finding in self.relaxed_findings],
            "test_failures": [test.to_json() for test in self.test_failures],
            "tests": [test.to_json() for test in self.tests],
            "collect_errors": [error.to_json() for error in self.collect_errors],
            "coverage": self.coverage.to_json(),
            "timings": self.timings.to_json(),
            "profile": [entry.to_json() for entry in self.profile],
            "target_profile": self.target_profile,
            "budget": self.budget,
            "record": self.record.to_json(),
        }
