"""
A run record read back: `Record`, everything one run left in its file, as typed lines.

A run that was killed can leave a half-written last line, so reading is tolerant: a line that is
not a JSON object is counted in ``damaged_lines`` and skipped, a kind this version does not know
(a newer suite) is skipped, and missing fields get defaults. A record of more than
`stored.IN_MEMORY` exchanges (a busy proxy's) keeps them in its file (`StoredExchanges`).
"""

from __future__ import annotations

import dataclasses
import json
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from truewatch_contract.record.lines import (
    AnswerRecord,
    BehaviourLine,
    BudgetLine,
    CollectErrorLine,
    ExchangeLine,
    Line,
    RunLine,
    SentRecord,
    SessionLine,
    StopLine,
    TestLine,
    UnprovenLine,
    line_from_json,
)
from truewatch_contract.record.stored import IN_MEMORY, StoredExchanges
from truewatch_contract.redaction import Redactor
from truewatch_contract.violations import Violation


@dataclass
class Record:
    """Everything one run left in its record file."""

    run: RunLine | None = None
    #: A list, or a large record's `StoredExchanges` (read from the file on each access).
    exchanges: Sequence[ExchangeLine] = field(default_factory=list)
    behaviours: list[BehaviourLine] = field(default_factory=list)
    unproven: list[UnprovenLine] = field(default_factory=list)
    budget: BudgetLine | None = None
    stopped: StopLine | None = None
    tests: list[TestLine] = field(default_factory=list)
    collect_errors: list[CollectErrorLine] = field(default_factory=list)
    session_started_at: float | None = None
    session_finished: bool = False
    interrupted: bool = False
    exit_status: int | None = None
    damaged_lines: int = 0
    runs_seen: int = 0

    @property
    def started_at(self) -> float | None:
        """Epoch seconds of the run's start: the suite's own, else the collector's."""
        if self.run is not None and self.run.started_at is not None:
            return self.run.started_at
        return self.session_started_at

    @property
    def started(self) -> bool:
        """Whether the suite's session began (a run stopped at its configuration did not)."""
        return self.session_started_at is not None or self.run is not None

    def add(self, item: Mapping[str, Any]) -> None:
        """Take one line of the record (an object as written)."""
        self.take(line_from_json(item))

    def take(self, line: Line | None) -> None:
        """Take one typed line (`None`: a kind from a newer suite, ignored)."""
        if isinstance(line, ExchangeLine):
            if not isinstance(self.exchanges, list):
                raise TypeError("a record whose exchanges stay in its file takes no more")
            self.exchanges.append(line)
        elif isinstance(line, BehaviourLine):
            self.behaviours.append(line)
        elif isinstance(line, TestLine):
            self.tests.append(line)
        elif isinstance(line, RunLine):
            self.runs_seen += 1
            if self.run is None:
                self.run = line
        elif isinstance(line, UnprovenLine):
            self.unproven.append(line)
        elif isinstance(line, BudgetLine):
            self.budget = line
        elif isinstance(line, StopLine):
            self.stopped = line
        elif isinstance(line, CollectErrorLine):
            self.collect_errors.append(line)
        elif isinstance(line, SessionLine):
            if line.event == "start":
                self.session_started_at = line.at
            elif line.event == "interrupted":
                self.interrupted = True
            elif line.event == "finished":
                self.session_finished = True
                self.exit_status = line.exitstatus
        # None: a kind from a newer suite, ignored, not fatal.

    def redacted(self, redactor: Redactor) -> Record:
        """
        A copy with the run's secrets blanked in every *value* that came from outside: headers,
        bodies, server texts, messages, curl lines, tracebacks, the target's address. Its
        structure (field names, rule ids, tags, test ids, counts) is never touched, so a short
        key such as ``k`` or ``test`` cannot break what is built from it.
        """
        replace = dataclasses.replace
        text = redactor.text
        run = self.run
        return replace(
            self,
            run=replace(run, target=text(run.target)) if run is not None else None,
            exchanges=self.exchanges.mapped(
                lambda e: _redact_exchange(e, redactor), when=redactor.finds_in_json
            )
            if isinstance(self.exchanges, StoredExchanges)
            else [_redact_exchange(e, redactor) for e in self.exchanges],
            behaviours=[replace(b, message=text(b.message)) for b in self.behaviours],
            unproven=[replace(u, message=text(u.message)) for u in self.unproven],
            tests=[
                replace(t, message=text(t.message) if t.message is not None else None)
                for t in self.tests
            ],
            collect_errors=[replace(c, message=text(c.message)) for c in self.collect_errors],
            stopped=replace(self.stopped, message=text(self.stopped.message))
            if self.stopped is not None
            else None,
        )


def _redact_exchange(line: ExchangeLine, redactor: Redactor) -> ExchangeLine:
    replace = dataclasses.replace
    request = line.request
    response = line.response
    return replace(
        line,
        request=SentRecord(
            method=request.method,
            path=redactor.text(request.path),
            headers=redactor.headers(request.headers),
            body=redactor.value(request.body),
            body_text=redactor.text(request.body_text) if request.body_text is not None else None,
        ),
        response=AnswerRecord(
            status=response.status,
            headers=redactor.headers(response.headers),
            body=redactor.value(response.body),
            text=redactor.text(response.text) if response.text is not None else None,
            elapsed_ms=response.elapsed_ms,
        )
        if response is not None
        else None,
        error=redactor.text(line.error) if line.error is not None else None,
        violations=_redact_violations(line.violations, redactor),
        relaxed_violations=_redact_violations(line.relaxed_violations, redactor),
        input_violations=_redact_violations(line.input_violations, redactor),
        curl=redactor.text(line.curl),
    )


def _redact_violations(
    violations: tuple[Violation, ...], redactor: Redactor
) -> tuple[Violation, ...]:
    return tuple(
        dataclasses.replace(v, pointer=redactor.text(v.pointer), message=redactor.text(v.message))
        for v in violations
    )


def read_record(path: str | Path) -> Record:
    """
    Read a record file; a missing file reads as an empty record. Past `IN_MEMORY` exchanges,
    they stay in the file (`StoredExchanges`, which keeps it open).
    """
    try:
        handle = open(path, "rb")  # noqa: SIM115 (kept open by a large record's exchanges)
    except FileNotFoundError:
        return Record()
    record = Record()
    kept: list[ExchangeLine] | None = []
    offsets = array("q")
    position = 0
    for raw in handle:
        start, position = position, position + len(raw)
        line = _typed(raw.decode("utf-8", "replace"), record)
        if isinstance(line, ExchangeLine):
            offsets.append(start)
            if kept is not None:
                kept.append(line)
                if len(kept) > IN_MEMORY:
                    kept = None  # from now on, only where each starts
        elif line is not None:
            record.take(line)
    if kept is not None:
        handle.close()
        record.exchanges = kept
    else:
        record.exchanges = StoredExchanges(handle, offsets)
    return record


def _typed(text: str, record: Record) -> Line | None:
    """One line of the file as a typed line; `None` for a blank, damaged or unknown one."""
    if not text.strip():
        return None
    try:
        item = json.loads(text)
    except (ValueError, RecursionError):
        record.damaged_lines += 1
        return None
    if not isinstance(item, dict):
        record.damaged_lines += 1
        return None
    return line_from_json(item)


def parse_lines(lines: Iterable[str]) -> Record:
    """Build a `Record` from JSON lines, skipping the ones that do not parse."""
    record = Record()
    for line in lines:
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except (ValueError, RecursionError):
            record.damaged_lines += 1
            continue
        if not isinstance(item, dict):
            record.damaged_lines += 1
            continue
        record.add(item)
    return record
