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
and the standard library, and the mock itself is imported inside the fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


class TruewatchMock:
    """
    A running mock, as a test sees it.

    Attributes:
        base_url: ``http://127.0.0.1:<port>``.
        api_key: the main workspace's key (acts as ``acnt_93dfc910d94eea1c09f45d5e8f648457``).
        issue_id: the page's example issue (``04a0bb44b28e9ff1e01f87828af622b9``).
        assignees: the ids of the main workspace's member accounts.
        foreign_api_key, foreign_issue_id: a second workspace's key and issue.
        state: the live `MockState` (arrange or inspect it; hold ``state.lock`` while changing it).
        app: the ASGI app; ``server``: the `MockServer`.
    """

    def __init__(self, app: Any, server: Any) -> None:
        self.app = app
        self.server = server
        self.service = app.state.service
        self.state = self.service.state
        info = self.state.connection_info(server.base_url)
        self.base_url: str = info["base_url"]
        self.api_key: str = info["api_key"]
        self.issue_id: str = info["issue_id"]
        self.assignees: list[str] = info["assignees"]
        self.foreign_api_key: str = info["foreign_api_key"]
        self.foreign_issue_id: str = info["foreign_issue_id"]

    def __repr__(self) -> str:  # the keys never reach a failure message
        return f"TruewatchMock(base_url={self.base_url!r}, issue_id={self.issue_id!r})"

    def update_url(self, issue_id: str | None = None) -> str:
        """The URL of the update route for an issue (the page's example issue by default)."""
        return f"{self.base_url}/api/v1/error_track/{issue_id or self.issue_id}/update"

    def headers(self, api_key: str | None = None) -> dict[str, str]:
        """``DF-API-KEY`` (the main key by default) and ``Content-Type: application/json``."""
        return {"DF-API-KEY": api_key or self.api_key, "Content-Type": "application/json"}

    def get_issue(self, issue_id: str) -> dict[str, Any] | None:
        """A copy of an issue of any workspace (by ``issueID`` or ``uuid``), or None."""
        issue: dict[str, Any] | None = self.state.get_issue(issue_id)
        return issue

    def reset(self) -> None:
        """Back to the seed (done before every test already)."""
        self.service.reset()

    def set_time(self, now: float | None) -> None:
        """Freeze the mock's clock at ``now`` (epoch seconds); None lets it run again."""
        self.service.frozen = now


@pytest.fixture(scope="session")
def truewatch_mock_server() -> Iterator[tuple[Any, Any]]:
    """The session's one mock server: ``(app, server)``, started on first use."""
    from truewatch_contract.mock import create_app, serve

    app = create_app()
    server = serve(app)
    try:
        yield app, server
    finally:
        server.stop()


@pytest.fixture
def truewatch_mock(truewatch_mock_server: tuple[Any, Any]) -> TruewatchMock:
    """A running mock of the update endpoint, its state reset to the seed for this test."""
    app, server = truewatch_mock_server
    app.state.service.reset()
    return TruewatchMock(app, server)
