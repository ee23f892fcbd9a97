"""Fixtures of the mock's tests."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# The tests import their helpers by module name (pytest runs with --import-mode=importlib, which
# does not put test folders on sys.path).
sys.path.insert(0, str(Path(__file__).resolve().parent))

from truewatch_contract.mock import MockServer, create_app, serve


class Running:
    """A served app as a test sees it: ``base_url``, ``app``, ``service`` and ``state``."""

    def __init__(self, app: Any, server: MockServer) -> None:
        self.app = app
        self.server = server
        self.base_url = server.base_url
        self.service = app.state.service
        self.state = self.service.state


@pytest.fixture(scope="session")
def mock_server() -> Iterator[tuple[Any, MockServer]]:
    """One default mock for the module's tests over real HTTP (reset by `mock`)."""
    app = create_app()
    with serve(app) as server:
        yield app, server


@pytest.fixture
def mock(mock_server: tuple[Any, MockServer]) -> Iterator[Running]:
    """The session mock, reset; the object has ``base_url``, ``state`` and ``service``."""
    app, server = mock_server
    app.state.service.reset()
    yield Running(app, server)
    app.state.service.reset()
