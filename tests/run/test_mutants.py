"""The mutation analysis: judging one run, the command's usage, and (in CI) the whole catalogue."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from truewatch_contract.cli import main
from truewatch_contract.errors import UsageError
from truewatch_contract.record import read_record
from truewatch_contract.runner.mutation import catalogue, judge, select

MUTANT = catalogue()["code-always-200"]


def test_a_failing_run_kills_the_mutant_and_names_the_first_catch(
    tmp_path: Path, synthetic: Any
) -> None:
    record = read_record(synthetic.write_lines(tmp_path / "r.jsonl", synthetic.failing_lines()))
    outcome = judge(MUTANT, record, exit_code=1, interrupted=False, wall=3.0)
    assert outcome.status == "killed"
    assert (outcome.caught_by, outcome.caught_kind) == ("envelope.code-matches-status", "rule")
    assert outcome.time_to_catch_s == 1.2
    assert outcome.requests == 10


def test_a_run_cut_short_at_its_first_failure_still_kills(tmp_path: Path, synthetic: Any) -> None:
    lines = synthetic.failing_lines()[:-4]  # killed right after the first violation
    record = read_record(synthetic.write_lines(tmp_path / "r.jsonl", lines))
    outcome = judge(MUTANT, record, exit_code=-9, interrupted=False, wall=2.0)
    assert outcome.status == "killed"
    assert outcome.caught_by == "envelope.code-matches-status"


def test_a_passing_run_means_the_mutant_survived(tmp_path: Path, synthetic: Any) -> None:
    record = read_record(synthetic.write_lines(tmp_path / "r.jsonl", synthetic.passing_lines()))
    assert judge(MUTANT, record, exit_code=0, interrupted=False, wall=1.0).status == "survived"
    assert judge(None, record, exit_code=0, interrupted=False, wall=1.0).status == "passed"


def test_a_test_failure_without_a_rule_is_still_a_catch(tmp_path: Path, synthetic: Any) -> None:
    lines = [
        *synthetic.passing_lines()[:-3],
        {"kind": "test", "test": "contract_tests/test_x.py::test_y", "when": "call",
         "outcome": "failed", "duration": 0.1, "message": "x\nE   ConnectionError: reset",
         "at": 1_790_000_001.5},
    ]  # fmt: skip
    record = read_record(synthetic.write_lines(tmp_path / "r.jsonl", lines))
    outcome = judge(MUTANT, record, exit_code=-9, interrupted=False, wall=1.0)
    assert outcome.status == "killed"
    assert (outcome.caught_by, outcome.caught_kind) == ("contract_tests/test_x.py::test_y", "test")
    assert outcome.detail == "ConnectionError: reset"
    assert outcome.time_to_catch_s == 1.5


def test_a_suite_that_cannot_run_is_an_error_not_a_kill(tmp_path: Path) -> None:
    record = read_record(tmp_path / "missing.jsonl")
    outcome = judge(MUTANT, record, exit_code=4, interrupted=False, wall=1.0)
    assert outcome.status == "error"
    assert outcome.detail


def test_only_selects_known_mutants() -> None:
    known = catalogue()
    assert len(known) >= 10
    first, second = list(known)[:2]
    assert [m.name for m in select(f"{second}, {first},{second}", known)] == [second, first]
    with pytest.raises(UsageError, match="unknown mutant"):
        select("no-such-mutant", known)
    with pytest.raises(UsageError, match="no mutant named"):
        select(" , ", known)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--only", "nope"], "--only: unknown mutant(s) nope"),
        (["--jobs", "0"], "--jobs: 0 must be at least 1"),
        (["--max-examples", "x"], "--max-examples: 'x' is not a whole number"),
        (["--seed", "-3"], "--seed: must not be negative"),
    ],
)
def test_bad_usage_exits_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["mutants", *argv]) == 2
    assert message in capsys.readouterr().err


def test_list_names_every_mutant(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mutants", "--list"]) == 0
    out = capsys.readouterr().out
    for name, info in catalogue().items():
        assert name in out and info.description in out


def test_every_mutant_is_killed_and_the_correct_mock_passes(tmp_path: Path) -> None:
    """
    The whole catalogue, in CI. Reduced against the full analysis in one way only: 5 generated
    examples per fuzzing test instead of the suite's default; every mutant, every test.
    """
    reports = tmp_path / "reports"
    argv = [sys.executable, "-m", "truewatch_contract", "mutants", "--max-examples", "5"]
    done = subprocess.run(
        [*argv, "--report-dir", str(reports)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    result = json.loads((reports / "mutants.json").read_text(encoding="utf-8"))
    survivors = [m["name"] for m in result["mutants"] if m["status"] != "killed"]
    assert survivors == [], done.stdout
    assert result["correct"]["status"] == "passed", done.stdout
    assert done.returncode == 0, done.stdout + done.stderr
    assert result["total"] == len(catalogue())
    assert all(m["caught_by"] for m in result["mutants"])
    page = (reports / "mutants.html").read_text(encoding="utf-8")
    assert "all killed" in page
