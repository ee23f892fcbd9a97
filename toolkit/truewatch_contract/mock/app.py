"""
The ASGI application: a small Starlette app around `Service`.

Routes:

- ``/api/v1/error_track/{issue_id}/update``: every method reaches one raw ASGI endpoint, which
  answers 405 itself for anything but POST, reads the body with a hard limit (it never holds more
  than 1 MiB + one chunk) and hands the request to the service. A raw endpoint keeps the hot path
  lean: no Request object, one pre-rendered byte string per answer.
- ``/__mock__/...``: the test-control API (`truewatch_contract.mock.control`), unless
  ``control=False``.
- anything else: a 404 envelope (``ft.RouterNotFound``), whatever the method.

No exception leaves an endpoint: a fault is a 500 envelope that says nothing about its cause, and a
Starlette-level handler backs that up.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Mapping
from os import PathLike
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import Message, Receive, Scope, Send

from truewatch_contract.limits import BODY_LIMIT
from truewatch_contract.mock.errors import (
    INTERNAL_ERROR,
    INVALID_PARAMETER,
    METHOD_NOT_ALLOWED,
    NOT_FOUND_ROUTE,
    render_envelope,
)
from truewatch_contract.mock.learned import with_profile
from truewatch_contract.mock.service import Answer, Clock, IncomingRequest, Service
from truewatch_contract.mock.state import MockState
from truewatch_contract.profile.document import Profile
from truewatch_contract.profile.load import load_profile
from truewatch_contract.rates import RateLimit

API_PATH = "/api/v1/error_track/{issue_id}/update"
_API_PATH = re.compile(r"/api/v1/error_track/([^/]+)/update")
CONTROL_PREFIX = "/__mock__"

_log = logging.getLogger("truewatch_contract.mock")


async def send_answer(send: Send, answer: Answer) -> None:
    headers = [
        (b"content-type", answer.content_type),
        (b"content-length", str(len(answer.body)).encode("ascii")),
        *answer.headers,
    ]
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


class ClientGone(Exception):
    """The client disconnected before its body was complete: nothing may be applied."""


async def read_body(
    receive: Receive,
    declared: int | None,
    first: Message | None = None,
    limit: int = BODY_LIMIT,
) -> bytes | None:
    """
    The whole body, or None when it is (or is declared) larger than `limit`; ``first`` is a
    message already received.

    Raises:
        ClientGone: the client went away mid-body. A partial body is never handled: a truncated
            request must change nothing, even when its first bytes happen to be valid JSON.
    """
    if declared is not None and declared > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = first if first is not None else await receive()
        first = None
        if message["type"] != "http.request":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


class UpdateEndpoint:
    """The raw ASGI endpoint of the update route (all methods)."""

    def __init__(self, service: Service) -> None:
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        service = self.service
        try:
            exchange = IncomingRequest(scope["method"], scope["path_params"]["issue_id"])
            declared: int | None = None
            for name, value in scope["headers"]:
                if name == b"df-api-key":
                    exchange.api_keys.append(value.decode("latin-1"))
                elif name == b"content-type":
                    exchange.content_types.append(value.decode("latin-1"))
                elif name == b"content-length" and value.isdigit():
                    declared = int(value)
            answer = service.handle_method(exchange)
            if answer is None:
                limit = service.body_limit
                if declared is not None and declared > limit:
                    exchange.body = None  # refused unread: no 100 Continue invites it
                else:
                    message = await receive()
                    body = message.get("body", b"")
                    if (
                        message["type"] == "http.request"
                        and not message.get("more_body", False)
                        and len(body) <= limit
                    ):
                        exchange.body = body  # the whole body in one message: the usual case
                    else:
                        exchange.body = await read_body(receive, declared, message, limit)
                if getattr(service, "threaded", False):
                    # A mutant that races (lost-update) needs two requests in flight at once.
                    answer = await run_in_threadpool(service.handle, exchange)
                else:
                    answer = service.handle(exchange)
        except ClientGone:
            return  # nobody to answer, and nothing was applied
        except Exception:  # a fault of the mock itself: never a traceback to the client
            _log.exception("the mock failed on a request")
            answer = service.fault()
        await send_answer(send, answer)


class NotFoundEndpoint:
    """Any route the API does not have: a 404 envelope, whatever the method."""

    def __init__(self, service: Service) -> None:
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            keys = [v.decode("latin-1") for n, v in scope.get("headers", ()) if n == b"df-api-key"]
            answer = self.service.unknown_route(scope.get("path", ""), keys)
        except Exception:
            _log.exception("the mock failed on a request")
            answer = self.service.fault()
        await send_answer(send, answer)


class MockApp(Starlette):
    """
    A Starlette app whose update route is pre-routed.

    The route table holds every route (the update route included), but a request for the update
    route goes straight to its endpoint, skipping the middleware stack and the route scan: that
    route's endpoint already answers every method and catches every fault itself.
    """

    update_endpoint: UpdateEndpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            match = _API_PATH.fullmatch(scope["path"])
            if match is not None:
                scope["path_params"] = {"issue_id": match.group(1)}
                await self.update_endpoint(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


async def _http_error_handler(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 (a path no route can match, e.g. ``*``), as an envelope."""
    status = getattr(exc, "status_code", 404)
    kind = {404: NOT_FOUND_ROUTE, 405: METHOD_NOT_ALLOWED}.get(status, INVALID_PARAMETER)
    body = render_envelope(status, "null", kind.error_code, kind.message)
    return Response(body, status_code=status, media_type="application/json")


async def _fault_handler(request: Request, exc: Exception) -> Response:
    body = render_envelope(
        INTERNAL_ERROR.status, "null", INTERNAL_ERROR.error_code, INTERNAL_ERROR.message
    )
    return Response(body, status_code=500, media_type="application/json")


def service_class(mutant: str | None) -> type[Service]:
    """`Service`, or the class of the named mutant (``ValueError`` for an unknown name)."""
    if mutant is None:
        return Service
    from truewatch_contract.mock.mutants import MUTANTS

    try:
        return MUTANTS[mutant].service_class
    except KeyError:
        raise ValueError(
            f"unknown mutant {mutant!r}; see `truewatch-contract mock --list-mutants`"
        ) from None


def _served_state(state: MockState | Mapping[str, Any] | None) -> MockState:
    """
    The state ``create_app`` serves: a `MockState` as it is, the default seed for None, and a
    fixture in its JSON form (a mapping, as ``GET /__mock__/state?reveal_keys=true`` shows it)
    built by `MockState.from_dict`, so a bad fixture fails here (`StateError`), not on every
    request. Anything else is a `TypeError`.
    """
    if state is None:
        return MockState.default()
    if isinstance(state, MockState):
        return state
    if isinstance(state, Mapping):
        return MockState.from_dict(dict(state))
    raise TypeError(
        "create_app(state=...) takes a MockState, a fixture dict (its JSON form, read by "
        f"MockState.from_dict) or None, not {type(state).__name__}"
    )


def _profile(profile: object) -> Profile:
    """The profile ``create_app(profile=...)`` was given: a `Profile`, or a file to read."""
    if isinstance(profile, Profile):
        return profile
    if isinstance(profile, (str, PathLike)):
        return load_profile(os.fspath(profile))
    raise TypeError(
        "create_app(profile=...) takes a Profile or the path of a profile or report.json, "
        f"not {type(profile).__name__}"
    )


def create_app(
    state: MockState | Mapping[str, Any] | None = None,
    *,
    clock: Clock | None = None,
    mutant: str | None = None,
    rate_limit: RateLimit | str | None = None,
    control: bool = True,
    profile: Profile | str | PathLike[str] | None = None,
) -> MockApp:
    """
    Build the mock as an ASGI application.

    Arguments:
        state: the state to serve (a `MockState` is used live: tests may inspect and change
            it); a fixture dict in its JSON form (the format of ``--state FILE`` and of ``GET
            /__mock__/state?reveal_keys=true``), built with `MockState.from_dict` (a bad one
            raises `StateError` here); the default seed when None. Anything else: `TypeError`.
        clock: a callable returning epoch seconds (float); `time.time` when None.
        mutant: the name of one mutant of `truewatch_contract.mock.mutants.MUTANTS`: the app then
            has exactly that defect.
        rate_limit: ``"20/m"`` (or a `RateLimit`) to emulate the platform's rate limits; off
            when None.
        control: serve the test-control API under ``/__mock__/``.
        profile: a target's profile (a `truewatch_contract.profile.Profile`, or the path of a
            profile file or of a ``report.json``): the mock then answers as that target on every
            point the profile learned (`truewatch_contract.mock.learned`). A file that is no
            profile raises `ProfileError` (one line) here; anything else, `TypeError`.

    The service is reachable as ``app.state.service`` (and the state as ``app.state.mock_state``);
    ``service.reset()`` (``POST /__mock__/reset``) brings the state back to what it was here.
    """
    if isinstance(rate_limit, str):
        rate_limit = RateLimit.parse(rate_limit)
    served = _served_state(state)
    cls = service_class(mutant)
    if profile is not None:
        cls = with_profile(cls, _profile(profile))
    service = cls(
        served,
        clock=clock if clock is not None else time.time,
        rate_limit=rate_limit,
        mutant=mutant,
    )
    update = UpdateEndpoint(service)
    routes: list[BaseRoute] = [Route(API_PATH, endpoint=update)]
    if control:
        from truewatch_contract.mock.control import control_routes

        routes.append(Mount(CONTROL_PREFIX, routes=control_routes(service)))
    routes.append(Route("/{path:path}", endpoint=NotFoundEndpoint(service)))
    app = MockApp(
        routes=routes,
        exception_handlers={Exception: _fault_handler, HTTPException: _http_error_handler},
    )
    app.update_endpoint = update
    app.state.service = service
    app.state.mock_state = service.state
    return app


def app_service(app: Any) -> Service:
    """The `Service` behind an app made by `create_app`."""
    service: Service = app.state.service
    return service
