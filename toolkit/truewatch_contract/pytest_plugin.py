"""
The ``truewatch_mock`` pytest fixture (registered through the ``pytest11`` entry point).

``truewatch_mock`` gives a running mock of the update endpoint, served by uvicorn in a thread on a
free loopback port, and resets its state before each test::

    def test_resolve(truewatch_mock):
        response = requests.post(
            truewatch_mock.update_url(),
            json={"issueStatus": "Resolved"},
            headers=truewatch_mock.headers(),
        )
        assert response.json()["content"]["issueStatus"] == "Resolved"
        assert truewatch_mock.get_issue(truewatch_mock.issue_id)["issueStatus"] == "Resolved"

One server serves the whole session (the ``truewatch_mock_server`` fixture); it starts the first
time a test asks for it. Loading the plugin costs nothing else: this module imports only pytest
and the standard library, and the mock itself is imported inside the fixture, so a project without
the ``mock`` extra loads the plugin fine; only a test that asks for the fixture is told to install
it. The fixture's type is `truewatch_contract.mock.TruewatchMock`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from truewatch_contract.mock.handle import TruewatchMock

# What the 'mock' extra installs (pyproject.toml) that the mock imports.
_EXTRA_MODULES = frozenset({"starlette", "uvicorn", "uvloop", "httptools", "orjson", "anyio"})
_NEEDS_EXTRA = (
    "the truewatch_mock fixture needs the 'mock' extra ({missing} missing): "
    "pip install 'truewatch-contract[mock]'"
)


def __getattr__(name: str) -> Any:
    """``truewatch_contract.pytest_plugin.TruewatchMock``, its old home, still works."""
    if name == "TruewatchMock":
        from truewatch_contract.mock.handle import TruewatchMock

        return TruewatchMock
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@pytest.fixture(scope="session")
def truewatch_mock_server() -> Iterator[tuple[Any, Any]]:
    """The session's one mock server: ``(app, server)``, started on first use."""
    missing = None
    try:
        from truewatch_contract.mock import create_app, serve
    except ModuleNotFoundError as error:
        missing = (error.name or "").split(".")[0]
        if missing not in _EXTRA_MODULES:
            raise  # not the extra: a real fault, with its traceback
    if missing is not None:
        # Failed outside the except block: one line, without the ImportError chained before it.
        pytest.fail(_NEEDS_EXTRA.format(missing=missing), pytrace=False)

    app = create_app()
    server = serve(app)
    try:
        yield app, server
    finally:
        server.stop()


@pytest.fixture
def truewatch_mock(truewatch_mock_server: tuple[Any, Any]) -> TruewatchMock:
    """A running mock of the update endpoint, its state reset to the seed for this test."""
    from truewatch_contract.mock.handle import TruewatchMock

    app, server = truewatch_mock_server
    app.state.service.reset()
    return TruewatchMock(app, server)


def pytest_configure(config: pytest.Config) -> None:
    """
    A run of the contract suite refuses a bad ``TRUEWATCH_*`` value (or too small a budget) here,
    at start-up, with one line and pytest's usage error (exit 4), however the suite was named: a
    path (``pytest contract_tests``) or a package (``pytest --pyargs
    truewatch_contract.contract_tests``, whose ``conftest.py`` loads only during collection, too
    late for a usage error). Any other pytest session is left alone.
    """
    if not _runs_the_suite(config):
        return
    from truewatch_contract.suite.budget import BudgetError
    from truewatch_contract.suite.config import ConfigError, process_config

    try:
        process_config().plan()
    except (ConfigError, BudgetError) as error:
        raise pytest.UsageError(f"truewatch contract suite: {error}") from None


_SUITE_PACKAGE = "truewatch_contract.contract_tests"


def _runs_the_suite(config: pytest.Config) -> bool:
    """Whether the session's arguments name the contract suite (or a file of it)."""
    from pathlib import Path

    from truewatch_contract.spec import resource_path

    args = [str(arg).split("::", 1)[0] for arg in config.args]
    if config.getoption("pyargs", False) and any(
        arg == _SUITE_PACKAGE or arg.startswith(_SUITE_PACKAGE + ".") for arg in args
    ):
        return True
    try:
        suite = resource_path("contract_tests").resolve()
    except FileNotFoundError:
        return False
    for arg in args:
        path = Path(arg).resolve()
        if path == suite or suite in path.parents:
            return True
    return False
