"""`suite.session`: a session against the built-in mock, its record, its per-session state."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from truewatch_contract.judge import Fault
from truewatch_contract.suite.config import SuiteConfig
from truewatch_contract.suite.session import FUZZ_PROBES, ScenarioError, open_session


def test_each_exchange_line_carries_its_faults(tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    config = SuiteConfig.from_env({"TRUEWATCH_RECORD": str(record)})
    with open_session(config) as suite:
        sent = suite.send("t", "scenario", {"issueStatus": "level"}, key=None)
        assert sent.verdict.expectation.faults == {Fault.SCHEMA, Fault.MISSING_KEY}
        assert sent.verdict.ok, sent.verdict.violations
        suite.require(suite.send("t", "scenario", {"issueStatus": "Working", "note": 1}))
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    exchanges = [line for line in lines if line["kind"] == "exchange"]
    faulty = [line for line in exchanges if line["test"] == "t"]
    assert faulty[0]["faults"] == ["missing-key", "schema"] and faulty[0]["points"] == []
    assert faulty[1]["faults"] == [] and faulty[1]["points"] == ["unknown-fields"]
    assert all(isinstance(line["faults"], list) for line in exchanges)


def test_a_scenario_that_sends_other_faults_than_it_means_is_stopped() -> None:
    with open_session(SuiteConfig.from_env({})) as suite:
        with pytest.raises(ScenarioError, match="schema"):
            suite.send("t", "scenario", {"issueStatus": "level"}, meant=[Fault.UNKNOWN_ISSUE])
        sent = suite.send("t", "scenario", {"issueStatus": "level"}, meant=[Fault.SCHEMA])
        assert sent.verdict.ok


def test_the_policy_learns_the_issues_other_id_and_each_session_starts_afresh() -> None:
    with open_session(SuiteConfig.from_env({})) as suite:
        assert suite.current is not None
        alias = suite.current["uuid"]
        assert alias in suite.facts.issue_ids and suite.facts.builtin_mock
        # The mock's own alias names the issue there: a success, judged as the update.
        suite.require(suite.send("t", "scenario", {}, issue_id=alias))
        suite.probes_left -= 1
    with open_session(SuiteConfig.from_env({})) as again:
        assert again.probes_left == FUZZ_PROBES
