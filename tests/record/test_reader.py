"""Reading the run record: tolerant of damage, defaults for missing fields, typed lines."""

from __future__ import annotations

import json
from pathlib import Path

from truewatch_contract.record import CollectErrorLine, parse_lines, read_record
from truewatch_contract.violations import Violation


def test_a_missing_file_reads_as_an_empty_record(tmp_path: Path) -> None:
    record = read_record(tmp_path / "nothing.jsonl")
    assert record.run is None
    assert record.exchanges == []
    assert not record.session_finished


def test_a_truncated_last_line_is_skipped_and_counted(tmp_path: Path) -> None:
    lines = [
        {"kind": "run", "target": "mock", "started_at": 1.0},
        *({"kind": "exchange", "t": float(n), "test": "t", "response": None} for n in range(9)),
        {"kind": "session", "event": "finished", "exitstatus": 0, "at": 9.0},
    ]
    path = tmp_path / "record.jsonl"
    text = "".join(json.dumps(line) + "\n" for line in lines)
    path.write_text(text + '{"kind": "exchange", "t": 3.0, "te', encoding="utf-8")
    record = read_record(path)
    assert record.damaged_lines == 1
    assert len(record.exchanges) == 9
    assert record.session_finished
    assert record.exit_status == 0


def test_each_kind_of_line_is_read() -> None:
    lines = [
        {"kind": "session", "event": "start", "at": 100.0},
        {
            "kind": "run",
            "target": "http://x",
            "mutant": "m",
            "seed": 3,
            "max_examples": 7,
            "relaxed": ["assumed"],
            "started_at": 101.0,
        },
        {
            "kind": "exchange",
            "t": 0.5,
            "test": "t::a",
            "phase": "fuzzing",
            "mode": "negative",
            "request": {"method": "POST"},
            "response": None,
            "error": "refused",
            "checked": ["a", 3],
            "violations": [{"rule": "r"}, "junk"],
            "relaxed_violations": None,
            "curl": "curl",
        },
        {
            "kind": "behaviour",
            "t": 0.7,
            "test": "t::b",
            "rule": "behaviour.x",
            "held": False,
            "message": "m",
            "tag": "documented",
            "relaxed": True,
        },
        {
            "kind": "test",
            "test": "t::a",
            "when": "call",
            "outcome": "failed",
            "duration": 0.1,
            "message": "E boom",
            "at": 102.0,
        },
        {"kind": "collect-error", "test": "t", "message": "SyntaxError"},
        {"kind": "session", "event": "interrupted", "at": 103.0},
        {"kind": "a-future-kind", "x": 1},
        {"kind": "run", "target": "second"},
    ]
    record = parse_lines(json.dumps(line) for line in lines)
    assert record.run is not None
    assert (record.run.target, record.run.mutant, record.run.seed) == ("http://x", "m", 3)
    assert record.run.relaxed == ("assumed",)
    assert record.started_at == 101.0
    assert record.runs_seen == 2
    (exchange,) = record.exchanges
    assert exchange.response is None and exchange.error == "refused"
    assert exchange.checked == ("a",)
    assert exchange.violations == (Violation("r", "", "", "documented"),)
    assert exchange.relaxed_violations == ()
    (behaviour,) = record.behaviours
    assert behaviour.relaxed and not behaviour.held
    assert record.tests[0].outcome == "failed"
    assert record.collect_errors == [CollectErrorLine(test="t", message="SyntaxError")]
    assert record.interrupted and not record.session_finished


def test_lines_that_are_not_objects_are_damage_not_crashes() -> None:
    record = parse_lines(["[1, 2]\n", "null\n", "\n", "{not json\n", '"text"\n'])
    assert record.damaged_lines == 4
    assert record.run is None
