"""
A run planned to a request budget, under pytest: the plan first, the rest with what is left.

``contract_tests/conftest.py`` calls `start` from ``pytest_configure`` (the plan is made once,
and a budget too small for it stops the run with a one-line usage error naming the minimum) and
imports the hooks below. The session's `Ledger` (kept in ``config.stash``) counts every request
the target receives; a request past the budget is not sent (`BudgetExhausted`), and the test
that wanted it is reported skipped, "not exercised: budget", never passed.

The order: the planned requests (``test_plan.py``), the lost-update probe, the generated cases
(``test_fuzz.py``, each generated test an equal share of what is left), then the scenarios.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from truewatch_contract.suite.config import SuiteConfig
from truewatch_contract.suite.ledger import BudgetExhausted, Ledger
from truewatch_contract.suite.plan import Plan

PLAN_KEY = pytest.StashKey[Plan]()
LEDGER_KEY = pytest.StashKey[Ledger]()
#: The modules a planned run sends first, in this order; the others follow as collected.
FIRST = ("test_plan.py", "test_concurrency.py", "test_fuzz.py")
#: Each module's purpose in the ledger (anything else: ``scenario``).
PURPOSES = {
    "test_plan.py": "plan",
    "test_concurrency.py": "concurrency",
    "test_fuzz.py": Ledger.GENERATED,
}


def plan_of(config: SuiteConfig) -> Plan:
    """The plan for a configured target (`SuiteConfig.plan`)."""
    return config.plan()


def start(config: pytest.Config, suite_config: SuiteConfig) -> Plan:
    """
    Make the run's plan and its ledger (in ``config.stash``).

    Raises:
        pytest.UsageError: the budget cannot hold the plan's mandatory part.
    """
    from truewatch_contract.suite.budget import BudgetError

    try:
        plan = suite_config.plan()
    except BudgetError as error:
        raise pytest.UsageError(f"truewatch contract suite: {error}") from None
    config.stash[PLAN_KEY] = plan
    config.stash[LEDGER_KEY] = Ledger(plan.budget.requests)
    return plan


def ledger_of(config: pytest.Config) -> Ledger:
    """The run's ledger (an uncapped one when `start` did not run)."""
    return config.stash.get(LEDGER_KEY, None) or config.stash.setdefault(LEDGER_KEY, Ledger(None))


def _module(item: pytest.Item) -> str:
    return item.path.name


def purpose_of(item: pytest.Item) -> str:
    return PURPOSES.get(_module(item), "scenario")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The plan's requests first, then the lost-update probe and the generated cases."""
    rank = {name: index for index, name in enumerate(FIRST)}
    items.sort(key=lambda item: rank.get(_module(item), len(FIRST)))


def _not_exercised(ledger: Ledger) -> str:
    return f"not exercised: budget ({ledger.spent} of {ledger.cap} requests spent)"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    """Skip a test the budget cannot pay for before it starts."""
    ledger = ledger_of(item.config)
    purpose = purpose_of(item)
    if purpose == Ledger.GENERATED and ledger.cap is not None:
        ledger.share(_generated_left(item))
    if not ledger.admits(purpose):
        pytest.skip(_not_exercised(ledger))
    try:
        return (yield)
    except BudgetExhausted:
        pytest.skip(_not_exercised(ledger))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """Count the test's requests under its purpose; past the budget, it was not exercised."""
    ledger = ledger_of(item.config)
    ledger.purpose = purpose_of(item)
    try:
        return (yield)
    except BudgetExhausted:
        pytest.skip(_not_exercised(ledger))
    finally:
        ledger.window = None
        ledger.purpose = "teardown"


def _generated_left(item: pytest.Item) -> int:
    """The generated tests from `item` on (itself included)."""
    session: Any = item.session
    items: list[pytest.Item] = list(getattr(session, "items", []) or [])
    if item not in items:
        return 1
    rest = items[items.index(item) :]
    return max(1, sum(1 for other in rest if purpose_of(other) == Ledger.GENERATED))


def pytest_sessionstart(session: pytest.Session) -> None:
    """The budget, first (also under ``-q``): the remote default says how to get the full run."""
    plan = session.config.stash.get(PLAN_KEY, None)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if plan is not None and reporter is not None:
        reporter.write_line(f"truewatch contract suite: {plan.budget.headline()}")
