"""`run --budget/--time-budget`, `mutants --budget`: passed on, refused at once if too small."""

from __future__ import annotations

import argparse

import pytest

from truewatch_contract.cli import build_parser
from truewatch_contract.errors import UsageError as BadUsage
from truewatch_contract.runner.mutation import base_environment, check_budget
from truewatch_contract.runner.options import plan_run

ISSUE = "0123456789abcdef0123456789abcdef"
REMOTE = {
    "TRUEWATCH_BASE_URL": "http://127.0.0.1:1",
    "TRUEWATCH_API_KEY": "env-key-value",
    "TRUEWATCH_ISSUE_ID": ISSUE,
}


def _args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["run", *argv])


def test_the_budget_reaches_the_suite_and_the_first_line() -> None:
    plan = plan_run(_args("--budget", "60"), {})
    assert plan.env["TRUEWATCH_BUDGET"] == "60"
    assert plan.budget == "budget: 60 requests (--budget 60)"


def test_the_time_budget_needs_a_rate_limit() -> None:
    with pytest.raises(BadUsage, match=r"^--time-budget needs a rate limit .*--rate-limit"):
        plan_run(_args("--time-budget", "3m"), {})
    plan = plan_run(_args("--time-budget", "3m", "--rate-limit", "20/m", "--budget", "100"), {})
    assert plan.env["TRUEWATCH_TIME_BUDGET"] == "3m"
    assert plan.budget == "budget: 60 requests (--time-budget 3m at 20/m)"


def test_a_budget_too_small_is_refused_with_the_smallest_that_works() -> None:
    with pytest.raises(BadUsage, match=r"smallest budget that works is \d+ ") as caught:
        plan_run(_args("--budget", "20"), {})
    assert "--budget 20" in str(caught.value)
    with pytest.raises(BadUsage, match=r"^--budget: 'lots' is not a number"):
        plan_run(_args("--budget", "lots"), {})


def test_a_remote_target_with_a_rate_limit_gets_ten_minutes_by_default() -> None:
    plan = plan_run(_args("--rate-limit", "20/m"), REMOTE)
    assert plan.budget.startswith("budget: 200 requests (the default for a rate-limited target")
    assert "--budget" in plan.budget and "full restores the full run" in plan.budget
    assert "TRUEWATCH_BUDGET" not in plan.env
    assert plan_run(_args("--rate-limit", "20/m", "--budget", "full"), REMOTE).budget.startswith(
        "budget: none"
    )
    assert plan_run(_args(), {}).budget == "budget: none (the full run)"


def test_the_mutants_budget_is_checked_then_passed_to_every_run() -> None:
    assert check_budget(None) is None
    assert check_budget(" 60 ") == "60"
    with pytest.raises(BadUsage, match="smallest budget that works"):
        check_budget("10")
    assert base_environment(None, None, "60")["TRUEWATCH_BUDGET"] == "60"
    assert "TRUEWATCH_BUDGET" not in base_environment(None, None)
