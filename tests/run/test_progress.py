"""Progress while the suite runs: the growing record is read a complete line at a time."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from truewatch_contract.runner.command import ProgressPrinter
from truewatch_contract.runner.execute import Progress, RecordTail


def test_the_tail_reads_only_complete_lines_as_the_file_grows(
    tmp_path: Path, synthetic: Any
) -> None:
    path = tmp_path / "record.jsonl"
    tail = RecordTail(path)
    assert tail.poll().requests == 0  # no file yet
    text = "".join(json.dumps(line) + "\n" for line in synthetic.failing_lines())
    cut = text.index('"kind": "exchange"', 300) + 5  # in the middle of a line
    path.write_text(text[:cut], encoding="utf-8")
    first = tail.poll().requests
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text[cut:])
    progress = tail.poll()
    assert first < progress.requests == 10
    assert progress.violations == 2  # one exchange violation, one broken behaviour
    assert progress.tests_done == 2 and progress.tests_failed == 2
    assert progress.first_failure_at == 1.2


def test_network_errors_in_a_row_are_counted(tmp_path: Path, synthetic: Any) -> None:
    lines = synthetic.passing_lines()[:3]
    failed = {**lines[-1], "response": None, "error": "Connection refused"}
    path = synthetic.write_lines(tmp_path / "r.jsonl", [*lines, failed, failed, failed])
    progress = RecordTail(path).poll()
    assert (progress.network_errors, progress.consecutive_errors) == (3, 3)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(lines[-1]) + "\n")
    tail = RecordTail(path)
    assert tail.poll().consecutive_errors == 0


def test_the_printer_writes_a_line_every_few_seconds_off_a_terminal() -> None:
    stream = io.StringIO()
    printer = ProgressPrinter(stream, every=5.0)
    progress = Progress(requests=12, tests_done=3, tests_failed=1, violations=2, started_at=1.0)
    for elapsed in (1.0, 4.0, 5.5, 6.0, 11.0):
        printer.tick(progress, elapsed)
    printer.done(progress, 12.0)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3  # two ticks and the final count
    assert lines[-1].split()[0] == "12.0"
    assert " ".join(lines[0].split()) == "5.5 s 12 requests, 3 tests done (1 failed), 2 violations"


def test_a_quiet_printer_prints_nothing() -> None:
    stream = io.StringIO()
    printer = ProgressPrinter(stream, enabled=False)
    printer.tick(Progress(requests=1), 100.0)
    assert stream.getvalue() == ""


def test_a_suite_that_never_started_or_could_not_collect_is_a_suite_error() -> None:
    from truewatch_contract.record import Record
    from truewatch_contract.runner.command import _suite_error

    never_started = _suite_error(Record(), 1, interrupted=False, lost=None)
    assert never_started is not None and "could not start" in never_started
    collect = Record(session_started_at=1.0, collect_errors=[("contract_tests/x.py", "boom")])
    assert "could not be collected" in str(_suite_error(collect, 2, interrupted=False, lost=None))
    assert "no tests collected" in str(
        _suite_error(Record(session_started_at=1.0), 5, interrupted=False, lost=None)
    )
    assert _suite_error(Record(session_started_at=1.0), 1, interrupted=False, lost=None) is None
    assert _suite_error(Record(), 1, interrupted=True, lost=None) is None
