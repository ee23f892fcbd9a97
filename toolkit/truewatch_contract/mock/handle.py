"""
`TruewatchMock`: a running mock as a test sees it (the type of the ``truewatch_mock`` fixture).

Kept apart from the pytest plugin so that ``from truewatch_contract.mock import TruewatchMock``
works with the ``mock`` extra alone (no pytest), e.g. to annotate a fixture's parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from truewatch_contract.mock.server import MockServer
    from truewatch_contract.mock.state import MockState
    from truewatch_contract.profile.document import Profile
    from truewatch_contract.rates import RateLimit


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
        profile: the target's profile the mock answers from (a
            `truewatch_contract.profile.Profile`), or None for the mock as it is.
        app: the ASGI app; ``server``: the `MockServer`.

    `TruewatchMock.start` starts one of your own (a profiled one with ``profile=...``); the
    ``truewatch_mock`` fixture gives the session's.
    """

    def __init__(self, app: Any, server: MockServer, *, owned: bool = False) -> None:
        self.app = app
        self.server = server
        self._owned = owned
        self.service = app.state.service
        self.profile: Profile | None = getattr(self.service, "profile", None)
        self.state: MockState = self.service.state
        info = self.state.connection_info(server.base_url)
        self.base_url: str = info["base_url"]
        self.api_key: str = info["api_key"]
        self.issue_id: str = info["issue_id"]
        self.assignees: list[str] = info["assignees"]
        self.foreign_api_key: str = info["foreign_api_key"]
        self.foreign_issue_id: str = info["foreign_issue_id"]

    @classmethod
    def start(
        cls,
        *,
        profile: Profile | str | PathLike[str] | None = None,
        state: MockState | Mapping[str, Any] | None = None,
        mutant: str | None = None,
        rate_limit: RateLimit | str | None = None,
    ) -> TruewatchMock:
        """
        Start a mock of your own on a free loopback port (stop it with `stop`, or use it as a
        context manager)::

            with TruewatchMock.start(profile="reports/report.json") as mock:
                requests.post(mock.update_url(), json={}, headers=mock.headers())

        ``profile``: a `truewatch_contract.profile.Profile`, or the path of a profile or of a
        run's ``report.json``: the mock answers as that target did (`ProfileError`, one line, for
        a file that is none of them). ``state``, ``mutant`` and ``rate_limit`` are
        `create_app`'s.
        """
        from truewatch_contract.mock.app import create_app
        from truewatch_contract.mock.server import serve

        app = create_app(state, mutant=mutant, rate_limit=rate_limit, profile=profile)
        return cls(app, serve(app), owned=True)

    def stop(self) -> None:
        """Stop a mock started with `start` (the fixture's server belongs to the session: kept)."""
        if self._owned:
            self.server.stop()

    def __enter__(self) -> TruewatchMock:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:  # the keys never reach a failure message
        profiled = ", profiled" if self.profile is not None else ""
        return f"TruewatchMock(base_url={self.base_url!r}, issue_id={self.issue_id!r}{profiled})"

    def profile_points(self) -> dict[str, Any] | None:
        """The learned and default points the mock answers from (``GET /__mock__/profile``)."""
        points: dict[str, Any] | None = self.service.profile_points()
        return points

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
