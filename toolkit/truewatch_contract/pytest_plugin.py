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
time a test asks for it. It answers as a target's profile says when one is given: the command-line
option ``--truewatch-mock-profile FILE`` or the ini option ``truewatch_mock_profile = FILE`` (a
profile or a run's ``report.json``; the command line wins, and a file that is no profile is
pytest's usage error, one line), or a ``truewatch_mock_profile`` fixture of your own (a path or a
`Profile`; None for the mock as it is).

Loading the plugin costs nothing else: this module imports only pytest and the standard library,
and the mock itself is imported inside the fixture, so a project without the ``mock`` extra loads
the plugin fine; only a test that asks for the fixture is told to install it. The fixture's type
is `truewatch_contract.mock.TruewatchMock`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from truewatch_contract.mock.handle import TruewatchMock
    from truewatch_contract.profile.document import Profile

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


#: The profile named by ``--truewatch-mock-profile`` or the ini option, read at start-up.
_PROFILE_KEY = pytest.StashKey["Profile | None"]()
_PROFILE_OPTION = "--truewatch-mock-profile"
_PROFILE_INI = "truewatch_mock_profile"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("truewatch", "truewatch-contract's mock (the truewatch_mock fixture)")
    group.addoption(
        _PROFILE_OPTION,
        dest="truewatch_mock_profile",
        metavar="FILE",
        default=None,
        help="the truewatch_mock fixture answers as this profiled target (a profile or a run's "
        "report.json); wins over the ini option truewatch_mock_profile",
    )
    parser.addini(
        _PROFILE_INI,
        "the truewatch_mock fixture answers as this profiled target (a profile or a run's "
        "report.json; relative to the ini file)",
        default="",
    )


def _configured_profile(config: pytest.Config) -> Profile | None:
    """
    The profile the options name: ``--truewatch-mock-profile`` (relative to where pytest was
    started) wins over the ini option (relative to the ini file); None when neither is set.

    Raises:
        pytest.UsageError: the file is no profile, no report.json and no run record (one line).
    """
    from pathlib import Path

    option = config.getoption("truewatch_mock_profile", None)
    if option:
        name, path = _PROFILE_OPTION, config.invocation_params.dir / Path(option).expanduser()
    else:
        value = str(config.getini(_PROFILE_INI) or "").strip()
        if not value:
            return None
        folder = config.inipath.parent if config.inipath is not None else config.rootpath
        name, path = f"{_PROFILE_INI} (ini)", folder / Path(value).expanduser()
    from truewatch_contract.profile.document import ProfileError
    from truewatch_contract.profile.load import load_profile

    try:
        return load_profile(path)
    except ProfileError as error:
        raise pytest.UsageError(f"{name}: {error}") from None


@pytest.fixture(scope="session")
def truewatch_mock_profile(request: pytest.FixtureRequest) -> Any:
    """
    The profile the session's mock answers from: ``--truewatch-mock-profile`` or the ini option
    ``truewatch_mock_profile``, None when neither is set. Override this fixture (session scope)
    to give a profile from Python: a `Profile`, or the path of a profile or a ``report.json``.
    """
    return request.config.stash.get(_PROFILE_KEY, None)


@pytest.fixture(scope="session")
def truewatch_mock_server(truewatch_mock_profile: Any) -> Iterator[tuple[Any, Any]]:
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

    from truewatch_contract.errors import UsageError

    problem = None
    try:
        app = create_app(profile=truewatch_mock_profile)
    except (UsageError, TypeError) as error:  # ProfileError: a file that is no profile
        problem = f"truewatch_mock_profile: {error}"
    if problem is not None:
        pytest.fail(problem, pytrace=False)
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

    The fixture's profile (``--truewatch-mock-profile``, the ini option ``truewatch_mock_profile``)
    is read here too, in any session, so that a file that is no profile is a usage error (one
    line) before any test runs.
    """
    config.stash[_PROFILE_KEY] = _configured_profile(config)
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
