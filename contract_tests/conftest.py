"""
The contract suite's fixtures; the session machinery lives in `truewatch_contract.suite.session`.

Self-contained on purpose: the suite also runs from inside the installed wheel
(``truewatch_contract/contract_tests``), from any directory and without the repository's pytest
configuration, so everything it needs is set up here in Python. The ``TRUEWATCH_*`` environment
is parsed once (`process_config`) and kept in ``config.stash``; fixtures read it from there.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from truewatch_contract.redaction import Redactor
from truewatch_contract.suite.budget_hooks import (  # the planned run's hooks (request budget)
    LEDGER_KEY,
    PLAN_KEY,
    pytest_collection_modifyitems,
    pytest_runtest_call,
    pytest_runtest_setup,
    pytest_sessionstart,
    start,
)
from truewatch_contract.suite.config import (
    ConfigError,
    SuiteConfig,
    collection_config,
    process_config,
)
from truewatch_contract.suite.session import CONFIG_KEY, Suite, open_session

_REDACTOR_KEY = pytest.StashKey[Redactor]()


def pytest_configure(config: pytest.Config) -> None:
    try:
        suite_config = process_config()
    except ConfigError as error:
        raise pytest.UsageError(f"truewatch contract suite: {error}") from None
    config.stash[CONFIG_KEY] = suite_config
    start(config, suite_config)  # the plan for the budget; too small a budget: a usage error
    config.stash[_REDACTOR_KEY] = Redactor(collection_config(suite_config).secrets)
    # Hypothesis keeps caches in ./.hypothesis; the suite may run from any directory (`/`, the
    # site-packages of an installed wheel), so they go to the temp directory instead.
    from hypothesis.configuration import set_hypothesis_home_dir

    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "truewatch-contract-hypothesis")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """
    The last line of defence: no report leaves with an API key in it (a long traceback shows a
    Schemathesis case's headers, for one).
    """
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    redact = item.config.stash[_REDACTOR_KEY].text
    longrepr = report.longrepr
    if longrepr is not None and not isinstance(longrepr, tuple):
        text = str(longrepr)
        if redact(text) != text:
            report.longrepr = redact(text)
    report.sections = [(name, redact(content)) for name, content in report.sections]


@pytest.fixture(scope="session")
def suite_config(pytestconfig: pytest.Config) -> SuiteConfig:
    """The run's configuration, as parsed once from ``TRUEWATCH_*``."""
    return pytestconfig.stash[CONFIG_KEY]


@pytest.fixture(scope="session")
def suite(suite_config: SuiteConfig, pytestconfig: pytest.Config) -> Iterator[Suite]:
    """The session's `Suite`: starts the built-in mock when no base URL is set."""
    stash = pytestconfig.stash
    with open_session(suite_config, ledger=stash[LEDGER_KEY], plan=stash[PLAN_KEY]) as session:
        yield session


__all__ = [  # hooks imported from the engine, listed so that linters keep them
    "pytest_collection_modifyitems",
    "pytest_runtest_call",
    "pytest_runtest_setup",
    "pytest_sessionstart",
]
