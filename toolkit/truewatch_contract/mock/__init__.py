"""
The mock server: a faithful, stateful stand-in for ``POST /api/v1/error_track/{issue_id}/update``.

- `create_app(state=None, *, clock=None, mutant=None, rate_limit=None, control=True)`: the ASGI app.
- `MockState`: the state (workspaces, accounts, issues, API keys); `MockState.default()` is
  the seed.
- `serve(app, host="127.0.0.1", port=0)`: uvicorn in a thread, with ``base_url`` and ``stop()``.
- `TruewatchMock`: a running mock as a test sees it (the ``truewatch_mock`` fixture's type);
  its ``get_issue`` raises `UnknownIssue` (a `KeyError`) for an id no workspace has.
- `truewatch_contract.mock.mutants.MUTANTS`: the catalogue of single defects for mutation analysis.

It behaves as ``docs/contract-decisions.md`` reads the vendor page (the mock's columns); see
`truewatch_contract.mock.service` for the order of its checks and the update's semantics.
"""

from __future__ import annotations

from truewatch_contract.mock.app import create_app
from truewatch_contract.mock.handle import TruewatchMock, UnknownIssue
from truewatch_contract.mock.server import MockServer, ServerError, serve
from truewatch_contract.mock.state import ApiKey, MockState, StateError, Workspace
from truewatch_contract.rates import RateLimit

__all__ = [
    "ApiKey",
    "MockServer",
    "MockState",
    "RateLimit",
    "ServerError",
    "StateError",
    "TruewatchMock",
    "UnknownIssue",
    "Workspace",
    "create_app",
    "serve",
]
