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
