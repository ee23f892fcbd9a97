"""
The run record: what one run of the contract suite sent, received and concluded, one JSON object
a line, read back as typed lines.

- `lines`: one frozen class per kind of line (`RunLine`, `ExchangeLine`, `BehaviourLine`, ...),
  each with ``to_json`` / ``from_json``; the record's `FORMAT`.
- `writer`: `Recorder`, which appends lines (redacted) as the suite runs.
- `reader`: `Record`, a whole record read back (`read_record`), and its redacted copy.

Every report reads the record (``junit.xml``, ``report.html``, ``report.json``, the summary), and so
does the target's profile (`truewatch_contract.profile`).
"""

from __future__ import annotations

from truewatch_contract.record.lines import (
    FORMAT,
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
from truewatch_contract.record.reader import Record, parse_lines, read_record
from truewatch_contract.record.writer import Recorder, append_line, encode_line

__all__ = [
    "FORMAT",
    "AnswerRecord",
    "BehaviourLine",
    "BudgetLine",
    "CollectErrorLine",
    "ExchangeLine",
    "Line",
    "Record",
    "Recorder",
    "RunLine",
    "SentRecord",
    "SessionLine",
    "StopLine",
    "TestLine",
    "UnprovenLine",
    "append_line",
    "encode_line",
    "line_from_json",
    "parse_lines",
    "read_record",
]
