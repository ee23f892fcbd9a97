"""
The test-control API, outside the API's namespace under ``/__mock__/`` (off with ``--no-control``).

Plain JSON in and out (not the platform's envelope: this is not the platform's API). API keys
appear only where a caller asks for them (``GET /__mock__/state?reveal_keys=true``,
``GET /__mock__/connection``).

- ``GET /__mock__/``: lists these endpoints.
- ``POST /__mock__/reset``: back to the state the mock started with (rate-limit counters and
  clock control too).
- ``GET /__mock__/state``: the whole state in the ``--state`` fixture format, keys redacted
  unless ``?reveal_keys=true``.
- ``PUT /__mock__/state``: replace the whole state with a fixture (400 with the reason if it is
  malformed).
- ``GET /__mock__/connection``: the connection info (``base_url``, keys, issue ids, assignees).
- ``GET /__mock__/issues/{id}``: one issue of any workspace by ``issueID`` or ``uuid``, as the
  API shows it (404 if unknown).
- ``PUT /__mock__/issues/{id}``: add or replace one issue (the body is an issue; its
  ``workspaceUUID`` picks the workspace). The issue must agree with its history, as in a fixture
  (`check_issue`): the last status record's ``status`` is its ``issueStatus``, so changing the
  status means appending a record too; otherwise 400 with the reason.
- ``GET /__mock__/profile``: the profile the mock answers from, as the first line of
  ``truewatch-contract mock`` shows it (``source``, ``order``, ``points``: each learned point and
  each point answered as by default); ``null`` for a mock started without one.
- ``GET /__mock__/clock``: ``{"now": ..., "frozen": ..., "offset": ...}``.
- ``PUT /__mock__/clock``: ``{"now": 1795000000.5}`` freezes time, ``{"advance": 60}`` moves it
  on, ``{"now": null}`` lets it run again.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from truewatch_contract.mock.service import Service
from truewatch_contract.mock.state import MockState, StateError, check_issue

_CONTROL_LIMIT = 16 * 1024 * 1024
CLOCK_LIMIT = 1e10  # epoch seconds: the year 2286


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if len(raw) > _CONTROL_LIMIT:
        raise StateError("the body is too large")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise StateError("the body is not JSON") from None


def control_routes(service: Service) -> list[BaseRoute]:
    """The Starlette routes of the control API for one service."""

    async def index(request: Request) -> Response:
        return JSONResponse(
            {
                "endpoints": [
                    "POST /__mock__/reset",
                    "GET /__mock__/state",
                    "PUT /__mock__/state",
                    "GET /__mock__/connection",
                    "GET /__mock__/issues/{id}",
                    "PUT /__mock__/issues/{id}",
                    "GET /__mock__/profile",
                    "GET /__mock__/clock",
                    "PUT /__mock__/clock",
                ],
                "mutant": service.mutant,
                "profiled": service.profile_points() is not None,
            }
        )

    async def reset(request: Request) -> Response:
        service.reset()
        return JSONResponse({"reset": True})

    async def get_state(request: Request) -> Response:
        reveal = request.query_params.get("reveal_keys", "").lower() in ("1", "true", "yes")
        return JSONResponse(service.state.to_dict(reveal_keys=reveal))

    async def put_state(request: Request) -> Response:
        try:
            fresh = MockState.from_dict(await _json_body(request))
        except StateError as error:
            return _error(400, str(error))
        service.state.replace_with(fresh)
        if service.limiter is not None:
            service.limiter.reset()
        return JSONResponse({"replaced": True})

    async def connection(request: Request) -> Response:
        return JSONResponse(service.state.connection_info(str(request.base_url)))

    async def get_issue(request: Request) -> Response:
        issue = service.state.get_issue(request.path_params["issue_id"])
        if issue is None:
            return _error(404, "no such issue in any workspace")
        return JSONResponse(issue)

    async def put_issue(request: Request) -> Response:
        try:
            issue = await _json_body(request)
            if not isinstance(issue, dict):
                raise StateError("issue: expected a JSON object")
            workspace = service.state.workspaces.get(str(issue.get("workspaceUUID")))
            if workspace is None:
                raise StateError("issue.workspaceUUID: no such workspace")
            if request.path_params["issue_id"] not in (issue.get("issueID"), issue.get("uuid")):
                raise StateError("issue: its issueID or uuid must be the one in the path")
            check_issue(issue, "issue", workspace.uuid)
        except StateError as error:
            return _error(400, str(error))
        with service.state.lock:
            workspace.remove_issue(issue["issueID"])
            workspace.remove_issue(issue["uuid"])
            workspace.put_issue(copy.deepcopy(issue))
            stored = copy.deepcopy(workspace.issues[issue["issueID"]])
        return JSONResponse(stored)

    async def profile(request: Request) -> Response:
        return JSONResponse(service.profile_points())

    async def get_clock(request: Request) -> Response:
        return JSONResponse(
            {"now": service.now(), "frozen": service.frozen, "offset": service.offset}
        )

    async def put_clock(request: Request) -> Response:
        try:
            data = await _json_body(request)
        except StateError as error:
            return _error(400, str(error))
        if not isinstance(data, dict) or not ({"now", "advance"} & set(data)):
            return _error(
                400, 'expected {"now": <epoch seconds or null>} or {"advance": <seconds>}'
            )
        frozen, offset = service.frozen, service.offset
        if "now" in data:
            now = data["now"]
            if now is not None and (isinstance(now, bool) or not isinstance(now, (int, float))):
                return _error(400, "now: expected a number or null")
            frozen = None if now is None else float(now)
        if "advance" in data:
            step = data["advance"]
            if isinstance(step, bool) or not isinstance(step, (int, float)):
                return _error(400, "advance: expected a number of seconds")
            if frozen is not None:
                frozen += float(step)
            else:
                offset += float(step)
        # The clock writes record times (whole seconds) and firstTime-like rules read 10-digit
        # seconds: keep it between 1970 and the year 2286, so no update can write absurd times.
        moved = frozen if frozen is not None else service.clock() + offset
        if not 0 <= moved < CLOCK_LIMIT:
            return _error(400, f"the clock must stay within 0..{CLOCK_LIMIT:.0f} epoch seconds")
        service.frozen, service.offset = frozen, offset
        return JSONResponse(
            {"now": service.now(), "frozen": service.frozen, "offset": service.offset}
        )

    async def unknown(request: Request) -> Response:
        return _error(404, "no such control endpoint; GET /__mock__/ lists them")

    return [
        Route("/", index, methods=["GET"]),
        Route("/reset", reset, methods=["POST"]),
        Route("/state", get_state, methods=["GET"]),
        Route("/state", put_state, methods=["PUT"]),
        Route("/connection", connection, methods=["GET"]),
        Route("/issues/{issue_id}", get_issue, methods=["GET"]),
        Route("/issues/{issue_id}", put_issue, methods=["PUT"]),
        Route("/profile", profile, methods=["GET"]),
        Route("/clock", get_clock, methods=["GET"]),
        Route("/clock", put_clock, methods=["PUT"]),
        Route(
            "/{path:path}",
            unknown,
            methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        ),
    ]
