"""
``run --mock-profile`` (``TRUEWATCH_MOCK_PROFILE``) and ``mutants --profile``: the built-in mock
started from a target's profile, judged as any target.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from truewatch_contract.cli import build_parser, main
from truewatch_contract.errors import UsageError
from truewatch_contract.judge import Fault, judge
from truewatch_contract.judge.exchange import Exchange
from truewatch_contract.mock.mutants import MUTANTS, Mutant
from truewatch_contract.runner.mutants_report import render_html, render_table
from truewatch_contract.runner.mutation import (
    CORRECT,
    MutantOutcome,
    base_environment,
    catalogue,
    not_applicable,
    summarise,
)
from truewatch_contract.runner.options import plan_run
from truewatch_contract.suite.config import ConfigError, SuiteConfig

ALIAS = "isset_3572af454e1d48918612304f0f22237f"  # the seed issue's uuid

PROFILE: dict[str, Any] = {
    "format": "truewatch-contract-profile/1",
    "source": {"target": "https://staging.example"},
    "points": {
        "answer:bad-key": {
            "value": {"status": 401, "errorCode": "ft.Unauthorized", "content": "null"},
            "support": 2,
        },
        "answer:empty-body": {
            "value": {"status": 400, "errorCode": "ft.ParamError", "content": "null"},
            "support": 1,
        },
    },
}


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    path = tmp_path / "staging.json"
    path.write_text(json.dumps(PROFILE), encoding="utf-8")
    return path


def _args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["run", *argv])


# -- the suite's configuration ---------------------------------------------------------------


def test_a_profiled_mock_is_judged_as_any_target(profile: Path) -> None:
    config = SuiteConfig.from_env({"TRUEWATCH_MOCK_PROFILE": str(profile)})
    assert config.builtin_mock and not config.default_mock
    assert config.mock_profile == profile.absolute()
    assert "assumed" in config.relaxed
    assert config.facts().builtin_mock is False
    assert config.label == f"mock (profile {profile.absolute()})"
    default = SuiteConfig.from_env({})
    assert default.default_mock and "assumed" not in default.relaxed
    assert default.facts().builtin_mock is True
    strict = SuiteConfig.from_env(
        {"TRUEWATCH_MOCK_PROFILE": str(profile), "TRUEWATCH_RELAX": "none"}
    )
    assert strict.relaxed == frozenset()


def test_the_alias_id_is_an_assumed_point_against_a_profiled_mock(profile: Path) -> None:
    config = SuiteConfig.from_env({"TRUEWATCH_MOCK_PROFILE": str(profile)})
    target = config.with_connection(
        {"base_url": "http://127.0.0.1:1", "api_key": "k" * 8, "issue_id": "0" * 32}
    )
    exchange = Exchange(
        method="POST",
        path=f"/api/v1/error_track/{ALIAS}/update",
        request_headers={"DF-API-KEY": "k" * 8, "Content-Type": "application/json"},
        request_body=b'{"issueStatus": "Working"}',
        status=404,
        response_headers={"Content-Type": "application/json"},
        response_body=(
            b'{"code":404,"content":null,"errorCode":"ft.NotFoundIssue","message":"",'
            b'"success":false,"traceId":"t"}'
        ),
    )
    verdict = judge(exchange, target.facts(aliases=[ALIAS]), policy=target.policy)
    assert Fault.ALIAS_ID in verdict.expectation.points
    assert verdict.violations == () and verdict.acceptable


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TRUEWATCH_BASE_URL": "http://127.0.0.1:1"}, "cannot be used with TRUEWATCH_BASE_URL"),
        ({}, "TRUEWATCH_MOCK_PROFILE: "),
    ],
)
def test_a_bad_mock_profile_variable_is_refused(
    tmp_path: Path, profile: Path, env: dict[str, str], message: str
) -> None:
    garbage = tmp_path / "garbage.json"
    garbage.write_text("nope")
    chosen = profile if env else garbage
    full = {"TRUEWATCH_API_KEY": "k", "TRUEWATCH_ISSUE_ID": "i", **env}
    with pytest.raises(ConfigError, match=message) as raised:
        SuiteConfig.from_env({**full, "TRUEWATCH_MOCK_PROFILE": str(chosen)})
    assert "\n" not in str(raised.value)


# -- run --mock-profile ----------------------------------------------------------------------


def test_the_option_wins_over_the_variable_and_reaches_the_suite_absolute(
    tmp_path: Path, profile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other.json"
    other.write_text(json.dumps(PROFILE), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    plan = plan_run(_args("--mock-profile", profile.name), {"TRUEWATCH_MOCK_PROFILE": str(other)})
    assert plan.env["TRUEWATCH_MOCK_PROFILE"] == str(profile.absolute())
    assert plan.mock_profile == profile.absolute()
    assert plan.base_url is None and "assumed" in plan.relax
    assert plan.target_name == f"built-in mock (profile {profile.absolute()})"
    from_variable = plan_run(_args(), {"TRUEWATCH_MOCK_PROFILE": "other.json"})
    assert from_variable.env["TRUEWATCH_MOCK_PROFILE"] == str(other.absolute())


def test_run_refuses_a_profile_with_a_base_url_or_a_bad_file_in_one_line(
    tmp_path: Path, profile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(UsageError) as raised:
        plan_run(
            _args("--mock-profile", str(profile), "--base-url", "http://127.0.0.1:1"),
            {"TRUEWATCH_API_KEY": "k", "TRUEWATCH_ISSUE_ID": "i"},
        )
    assert "--mock-profile" in str(raised.value) and "--base-url" in str(raised.value)
    garbage = tmp_path / "garbage.json"
    garbage.write_text("nope")
    for argv, env, named in (
        (["--mock-profile", str(garbage)], {}, "--mock-profile: "),
        ([], {"TRUEWATCH_MOCK_PROFILE": str(garbage)}, "TRUEWATCH_MOCK_PROFILE"),
        (["--mock-profile", str(tmp_path / "missing.json")], {}, "cannot be read"),
    ):
        with pytest.raises(UsageError) as raised:
            plan_run(_args(*argv), env)
        assert named in str(raised.value) and "\n" not in str(raised.value)
    assert main(["run", "--mock-profile", str(garbage)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("truewatch-contract run: error: --mock-profile: ")
    assert len(err.strip().splitlines()) == 1


def test_run_against_a_profiled_mock_passes(tmp_path: Path, profile: Path) -> None:
    """The one small smoke: a budgeted run against a mock that answers a wrong key 401."""
    reports = tmp_path / "reports"
    done = subprocess.run(
        [sys.executable, "-m", "truewatch_contract", "run", "--mock-profile", str(profile),
         "--budget", "60", "--seed", "1", "-q", "--report-dir", str(reports)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    report = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    assert report["verdict"] == "passed"
    assert report["target"]["name"] == f"built-in mock (profile {profile})"
    assert "assumed" in report["relaxed"]
    codes = {item["errorCode"] for item in report["coverage"]["error_codes_received"]}
    assert "ft.Unauthorized" in codes and "ft.InvalidAPIKey" not in codes  # the profile's


# -- mutants --profile -----------------------------------------------------------------------


def test_mutants_refuses_a_file_that_is_no_profile_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    garbage = tmp_path / "garbage.json"
    garbage.write_text("nope")
    assert main(["mutants", "--profile", str(garbage)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("truewatch-contract mutants: error: --profile: ")
    assert len(err.strip().splitlines()) == 1


def test_mutants_list_shows_the_rules_and_which_break_only_assumed_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["mutants", "--list"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert "[behaviour.empty-body-noop]  (assumed rules only)" in lines["rejects-empty-body"]
    assert "[envelope.code-matches-status]" in lines["code-always-200"]
    assert "assumed rules only" not in lines["code-always-200"]


def test_the_environment_of_a_profiled_analysis(profile: Path) -> None:
    env = base_environment(5, 1, None, profile)
    assert env["TRUEWATCH_MOCK_PROFILE"] == str(profile)
    assert "TRUEWATCH_MOCK_PROFILE" not in base_environment(5, 1)


def _killed(info: Mutant) -> MutantOutcome:
    return MutantOutcome(
        info.name, info.family, info.description, "killed", info.rules[0], "rule", "", 0.1, 1.0, 9
    )


def test_mutants_that_break_only_assumed_rules_are_listed_as_not_applicable() -> None:
    known = catalogue()
    assert {n for n, i in known.items() if i.assumed_only} == {
        n for n, m in MUTANTS.items() if m.assumed_only
    }
    assumed, real = known["rejects-empty-body"], known["code-always-200"]
    outcomes = {
        CORRECT: MutantOutcome(CORRECT, "-", "", "passed", None, None, None, None, 5.0, 90),
        real.name: _killed(real),
        assumed.name: not_applicable(assumed),
    }
    result = summarise(outcomes, [None, real, assumed], 6.0, 2, interrupted=False)
    assert result["exit_code"] == 0 and result["verdict"] == "all killed"
    assert result["counts"]["not-applicable"] == 1 and result["applicable"] == 1
    row = next(m for m in result["mutants"] if m["name"] == assumed.name)
    assert row["status"] == "not-applicable" and row["rules"] == ["behaviour.empty-body-noop"]
    assert "breaks only assumed rules (behaviour.empty-body-noop)" in row["detail"]
    result["profile"] = {"file": "/p/staging.json", "target": "https://staging.example"}
    table = render_table(result)
    assert "1 of the 1 applicable mutants killed" in table
    assert "1 not applicable (they break only assumed rules" in table
    assert "the mock answered as the profile /p/staging.json" in table
    assert "not-applicable" in render_html(result)
    outcomes[real.name] = MutantOutcome(
        real.name, real.family, real.description, "survived", None, None, None, None, 1.0, 9
    )
    gaps = summarise(outcomes, [None, real, assumed], 6.0, 2, interrupted=False)
    assert gaps["exit_code"] == 1 and gaps["problems"] == ["1 mutant(s) survived: code-always-200"]
