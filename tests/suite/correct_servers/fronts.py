"""
The two front ends a profile is served by: the standard library's threading HTTP server, and a
Starlette application (its own routing, 404 and 405) under uvicorn. Both bind loopback only.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from correct_servers.domain import Fault, Store
from correct_servers.profiles import Profile

#: Bodies beyond this are not even read (the connection is closed after the answer).
READ_LIMIT = 8 * 1024 * 1024


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, profile: Profile, store: Store) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.profile = profile
        self.store = store


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        # Every method, known or not, reaches the application (which answers 405): without this
        # http.server answers an unknown method with its own 501 page.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def _serve(self) -> None:
        profile = self.server.profile
        try:
            body = self._read_body()
        except Fault as fault:
            self.close_connection = True
            self._write(*profile.error(fault))
            return
        status, headers, payload = profile.respond(
            self.server.store, self.command, self.path, list(self.headers.items()), body
        )
        self._write(status, headers, payload)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            raise Fault(411, "ft.LengthRequired", "send the body with a Content-Length")
        text = self.headers.get("Content-Length", "0").strip() or "0"
        if not text.isdigit():
            raise Fault(400, "ft.InvalidParameter", "the Content-Length header is not a number")
        length = int(text)
        if length > READ_LIMIT:
            raise Fault(413, "ft.RequestEntityTooLarge", "the request body is too large")
        return self.rfile.read(length)

    def _write(self, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)


@contextmanager
def _stdlib(profile: Profile, store: Store) -> Iterator[str]:
    server = _Server(profile, store)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def starlette_app(profile: Profile, store: Store) -> Any:
    """The profile as a Starlette application: routing, 404 and 405 are Starlette's own."""
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    def reply(answer: tuple[int, list[tuple[str, str]], bytes]) -> Response:
        status, headers, payload = answer
        return Response(payload, status, headers=dict(headers))

    async def update(request: Request) -> Response:
        body = await request.body()
        return reply(
            profile.update(
                store,
                request.path_params["issue_id"],
                request.headers.getlist("df-api-key"),
                request.headers.get("content-type"),
                body,
            )
        )

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        code = {404: "ft.RouteNotFound", 405: "ft.MethodNotAllowed"}.get(status, "ft.BadRequest")
        return reply(profile.error(Fault(status, code, "this route does not take the request")))

    return Starlette(
        routes=[Route("/api/v1/error_track/{issue_id}/update", update, methods=["POST"])],
        exception_handlers={HTTPException: http_error},
    )


@contextmanager
def _starlette(profile: Profile, store: Store) -> Iterator[str]:
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        starlette_app(profile, store), log_level="error", lifespan="off", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the Starlette server did not start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join()
        sock.close()


@contextmanager
def serving(profile: Profile, store: Store) -> Iterator[str]:
    """Serve `profile` over `store` on a loopback port; yields the base URL."""
    front = _starlette if profile.front == "starlette" else _stdlib
    with front(profile, store) as base_url:
        yield base_url
