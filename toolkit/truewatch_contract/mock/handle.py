"""
`TruewatchMock`: a running mock as a test sees it (the type of the ``truewatch_mock`` fixture).

Kept apart from the pytest plugin so that ``from truewatch_contract.mock import TruewatchMock``
works with the ``mock`` extra alone (no pytest), e.g. to annotate a fixture's parameter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from truewatch_contract.mock.server import MockServer
    from truewatch_contract.mock.state import MockState


class UnknownIssue(KeyError):
    """`TruewatchMock.get_issue` of an id that no workspace of the mock has."""

    def __init__(self, issue_id: str) -> None:
        super().__init__(issue_id)
        self.issue_id = issue_id

    def __str__(self) -> str:  # KeyError would show only the quoted id
        return (
            f"no issue {self.issue_id!r} in any workspace of the mock "
            "(find_issue returns None for an id that may be missing)"
        )


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

    def __init__(self, app: Any, server: MockServer) -> None:
        self.app = app
        self.server = server
        self.service = app.state.service
        self.state: MockState = self.service.state
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

    def get_issue(self, issue_id: str) -> dict[str, Any]:
        """
        A copy of an issue of any workspace (by ``issueID`` or ``uuid``), as the API shows it.

        Raises:
            UnknownIssue: no workspace has it (a `KeyError`); `find_issue` returns None instead.
        """
        issue = self.find_issue(issue_id)
        if issue is None:
            raise UnknownIssue(issue_id)
        return issue

    def find_issue(self, issue_id: str) -> dict[str, Any] | None:
        """A copy of an issue of any workspace (by ``issueID`` or ``uuid``), or None."""
        issue: dict[str, Any] | None = self.state.get_issue(issue_id)
        return issue

    def reset(self) -> None:
        """Back to the seed (done before every test already)."""
        self.service.reset()

    def set_time(self, now: float | None) -> None:
        """Freeze the mock's clock at ``now`` (epoch seconds); None lets it run again."""
        self.service.frozen = now
