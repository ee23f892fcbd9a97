"""
The run record, read back.

The contract suite appends one JSON object a line to the record file (``TRUEWATCH_RECORD``):
a ``run`` line, then ``exchange`` and ``behaviour`` lines; the collector plugin
(:mod:`truewatch_contract.runner.collector`) adds ``test`` and ``session`` lines to the same file.
A run that was killed can leave a half-written last line, so reading is tolerant: a line that is
not a JSON object is counted in ``damaged_lines`` and skipped, and missing fields get defaults.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from truewatch_contract.redaction import Redactor

JSON = Any


@dataclass(frozen=True)
class RunInfo:
    """The ``run`` line: what the suite was pointed at and how."""

    target: str = "mock"
    mutant: str | None = None
    seed: int | None = None
    max_examples: int | None = None
    relaxed: tuple[str, ...] = ()
    started_at: float | None = None


@dataclass(frozen=True)
class RecordedExchange:
    """One request the suite sent and judged, with its response (``None`` on a network error)."""

    t: float
    test: str
    phase: str
    mode: str | None
    request: Mapping[str, JSON]
    response: Mapping[str, JSON] | None
    error: str | None
    checked: tuple[str, ...]
    violations: tuple[Mapping[str, JSON], ...]
    relaxed_violations: tuple[Mapping[str, JSON], ...]
    curl: str
    #: The request's faults as the suite's judge derived them (``()``: a valid request); None
    #: when the line has no ``faults`` (a suite older than the fault table).
    faults: tuple[str, ...] | None = None
    #: The assumed points the request touches (``{}``, unknown fields, ...): a target may accept
    #: or refuse them; None when the line has no ``points``.
    points: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Behaviour:
    """A scenario-level rule outcome (``behaviour.*`` or ``history.*``)."""

    t: float
    test: str
    rule: str
    held: bool
    message: str
    tag: str
    relaxed: bool


@dataclass(frozen=True)
class TestOutcome:
    """One phase report of one pytest test, written by the collector."""

    test: str
    when: str
    outcome: str
    duration: float
    message: str | None
    at: float | None


@dataclass
class Record:
    """Everything one run left in its record file."""

    run: RunInfo | None = None
    exchanges: list[RecordedExchange] = field(default_factory=list)
    behaviours: list[Behaviour] = field(default_factory=list)
    tests: list[TestOutcome] = field(default_factory=list)
    collect_errors: list[tuple[str, str]] = field(default_factory=list)
    session_started_at: float | None = None
    session_finished: bool = False
    interrupted: bool = False
    exit_status: int | None = None
    damaged_lines: int = 0
    runs_seen: int = 0
    # Proofs the suite could not make against the target: (rule, message), one per attempt.
    unproven: list[tuple[str, str]] = field(default_factory=list)
    budget: dict[str, JSON] | None = None  # the suite's ``budget`` line: the plan and the spending

    @property
    def started_at(self) -> float | None:
        """Epoch seconds of the run's start: the suite's own, else the collector's."""
        if self.run is not None and self.run.started_at is not None:
            return self.run.started_at
        return self.session_started_at


def read_record(path: str | Path) -> Record:
    """Read a record file; a missing file reads as an empty record."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return parse_lines(handle)
    except FileNotFoundError:
        return Record()


def parse_lines(lines: Iterable[str]) -> Record:
    """Build a :class:`Record` from JSON lines, skipping the ones that do not parse."""
    record = Record()
    for line in lines:
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            record.damaged_lines += 1
            continue
        if not isinstance(item, dict):
            record.damaged_lines += 1
            continue
        _add(record, item)
    return record


def redact_record(record: Record, redactor: Redactor) -> Record:
    """
    A copy of `record` with the run's secrets blanked in every *value* that came from outside the
    runner: headers, bodies, server texts, messages, curl lines, tracebacks, the target's address.
    The record's structure (field names, rule ids, test ids, counts) is never touched, so a short
    key such as ``k`` or ``test`` cannot break what is built from it.
    """
    replace = dataclasses.replace
    run = record.run
    return replace(
        record,
        run=replace(run, target=redactor.text(run.target)) if run is not None else None,
        exchanges=[
            replace(
                e,
                request=_redact_message(e.request, redactor),
                response=_redact_message(e.response, redactor) if e.response is not None else None,
                error=redactor.text(e.error) if e.error is not None else None,
                violations=tuple(_redact_violation(v, redactor) for v in e.violations),
                relaxed_violations=tuple(
                    _redact_violation(v, redactor) for v in e.relaxed_violations
                ),
                curl=redactor.text(e.curl),
            )
            for e in record.exchanges
        ],
        behaviours=[replace(b, message=redactor.text(b.message)) for b in record.behaviours],
        tests=[
            replace(t, message=redactor.text(t.message) if t.message is not None else None)
            for t in record.tests
        ],
        collect_errors=[(test, redactor.text(message)) for test, message in record.collect_errors],
        unproven=[(rule, redactor.text(message)) for rule, message in record.unproven],
    )


def _redact_message(message: Mapping[str, JSON], redactor: Redactor) -> dict[str, JSON]:
    """A recorded request or response: its own fields kept, their values redacted."""
    return {
        name: redactor.headers(value)
        if name == "headers" and isinstance(value, Mapping)
        else redactor.value(value)
        for name, value in message.items()
    }


def _redact_violation(violation: Mapping[str, JSON], redactor: Redactor) -> dict[str, JSON]:
    return {
        name: value if name in ("rule", "tag") else redactor.value(value)
        for name, value in violation.items()
    }


def _add(record: Record, item: dict[str, JSON]) -> None:
    kind = item.get("kind")
    if kind == "exchange":
        record.exchanges.append(_exchange(item))
    elif kind == "behaviour":
        record.behaviours.append(_behaviour(item))
    elif kind == "test":
        record.tests.append(_test(item))
    elif kind == "run":
        record.runs_seen += 1
        if record.run is None:
            record.run = _run(item)
    elif kind == "unproven":
        record.unproven.append((_str(item.get("rule")), _str(item.get("message"))))
    elif kind == "budget":
        record.budget = {k: v for k, v in item.items() if k != "kind"}
    elif kind == "collect-error":
        record.collect_errors.append((_str(item.get("test")), _str(item.get("message"))))
    elif kind == "session":
        event = item.get("event")
        if event == "start":
            record.session_started_at = _float_or_none(item.get("at"))
        elif event == "interrupted":
            record.interrupted = True
        elif event == "finished":
            record.session_finished = True
            status = item.get("exitstatus")
            record.exit_status = status if isinstance(status, int) else None
    # Unknown kinds come from a newer suite: ignored, not fatal.


def _run(item: Mapping[str, JSON]) -> RunInfo:
    relaxed = item.get("relaxed")
    return RunInfo(
        target=_str(item.get("target"), "mock"),
        mutant=item["mutant"] if isinstance(item.get("mutant"), str) else None,
        seed=_int_or_none(item.get("seed")),
        max_examples=_int_or_none(item.get("max_examples")),
        relaxed=tuple(str(x) for x in relaxed) if isinstance(relaxed, list) else (),
        started_at=_float_or_none(item.get("started_at")),
    )


def _exchange(item: Mapping[str, JSON]) -> RecordedExchange:
    request = item.get("request")
    response = item.get("response")
    error = item.get("error")
    faults = item.get("faults")
    points = item.get("points")
    return RecordedExchange(
        t=_float(item.get("t")),
        test=_str(item.get("test")),
        phase=_str(item.get("phase"), "unknown"),
        mode=item["mode"] if isinstance(item.get("mode"), str) else None,
        request=request if isinstance(request, dict) else {},
        response=response if isinstance(response, dict) else None,
        error=str(error) if error else None,
        checked=_strings(item.get("checked")),
        violations=_objects(item.get("violations")),
        relaxed_violations=_objects(item.get("relaxed_violations")),
        curl=_str(item.get("curl")),
        faults=_strings(faults) if isinstance(faults, list) else None,
        points=_strings(points) if isinstance(points, list) else None,
    )


def _behaviour(item: Mapping[str, JSON]) -> Behaviour:
    return Behaviour(
        t=_float(item.get("t")),
        test=_str(item.get("test")),
        rule=_str(item.get("rule"), "unknown"),
        held=item.get("held") is True,
        message=_str(item.get("message")),
        tag=_str(item.get("tag")),
        relaxed=item.get("relaxed") is True,
    )


def _test(item: Mapping[str, JSON]) -> TestOutcome:
    message = item.get("message")
    return TestOutcome(
        test=_str(item.get("test")),
        when=_str(item.get("when"), "call"),
        outcome=_str(item.get("outcome"), "failed"),
        duration=_float(item.get("duration")),
        message=message if isinstance(message, str) else None,
        at=_float_or_none(item.get("at")),
    )


def _str(value: JSON, default: str = "") -> str:
    return value if isinstance(value, str) else default


def _float(value: JSON) -> float:
    result = _float_or_none(value)
    return 0.0 if result is None else result


def _float_or_none(value: JSON) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _int_or_none(value: JSON) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return int(value)


def _strings(value: JSON) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(x for x in value if isinstance(x, str))


def _objects(value: JSON) -> tuple[Mapping[str, JSON], ...]:
    if not isinstance(value, list):
        return ()
    return tuple(x for x in value if isinstance(x, dict))
