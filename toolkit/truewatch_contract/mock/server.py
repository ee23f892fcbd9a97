"""
Serve an ASGI app with uvicorn in a background thread, on loopback and a free port by default.

`serve(app)` binds the socket itself (so the real port is known at once, port 0 included), starts
uvicorn in a daemon thread and waits until it accepts connections. Use it as a context manager or
call ``stop()``. uvicorn picks uvloop and httptools when they are installed (they are declared
dependencies: the hot path needs them) and writes no access log.

A request that is not even valid HTTP never reaches the app: uvicorn answers it itself, in plain
text. The server swaps in a protocol class that answers it with the platform's envelope instead
(400 ``ft.InvalidParameter``), so that every answer of the mock is an envelope; the same class
hands each connection a `CoalescingTransport`, so an answer's head and body leave in one ``send``.
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any

from truewatch_contract.threaded import ServerThread, base_url, listen

_START_TIMEOUT = 15.0


class ServerError(RuntimeError):
    """The server could not start (the address is in use, or uvicorn stopped at once)."""


def _protocol_class() -> Any:
    """
    uvicorn's HTTP protocol (httptools, else h11): its bad-request answer as an envelope, and each
    answer written to the socket at once.
    """
    base: Any
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

        base = HttpToolsProtocol
    except ImportError:  # pragma: no cover - httptools is a declared dependency
        from uvicorn.protocols.http.h11_impl import H11Protocol

        base = H11Protocol

    from truewatch_contract.mock.errors import INVALID_PARAMETER, render_error
    from truewatch_contract.mock.transport import CoalescingTransport

    class EnvelopeProtocol(base):  # type: ignore[misc]
        def connection_made(self, transport: asyncio.Transport) -> None:
            # An answer's head and body in one send(2), not two (see `mock.transport`).
            super().connection_made(CoalescingTransport(transport, asyncio.get_running_loop()))

        def send_400_response(self, msg: str) -> None:
            body = render_error(INVALID_PARAMETER, "The request is not valid HTTP.")
            head = (
                b"HTTP/1.1 400 Bad Request\r\n"
                b"content-type: application/json\r\n"
                b"content-length: " + str(len(body)).encode("ascii") + b"\r\n"
                b"connection: close\r\n\r\n"
            )
            self.transport.write(head + body)
            self.transport.close()

    return EnvelopeProtocol


class MockServer:
    """uvicorn running one app in a thread. ``base_url`` is ``http://host:port`` once started."""

    def __init__(
        self, app: Any, host: str = "127.0.0.1", port: int = 0, *, log_level: str = "warning"
    ) -> None:
        self.app = app
        self.host = host
        self.requested_port = port
        self.log_level = log_level
        self.port: int | None = None
        self._thread: ServerThread | None = None

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise ServerError("the server is not started")
        return base_url(self.host, self.port)

    def start(self) -> MockServer:
        import uvicorn

        try:
            sock = listen(self.host, self.requested_port)
        except OSError as error:
            raise ServerError(
                f"cannot listen on {self.host}:{self.requested_port}: {error.strerror}"
            ) from None
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level=self.log_level,
            access_log=False,
            lifespan="off",
            http=_protocol_class(),
            server_header=False,
            # Nothing in the mock reads the client's address: no X-Forwarded-* rewriting (a
            # middleware layer on every request).
            proxy_headers=False,
            timeout_graceful_shutdown=2,
        )
        self._thread = ServerThread(uvicorn.Server(config), sock, f"truewatch-mock:{self.port}")
        failed = self._thread.start(_START_TIMEOUT)
        if failed is not None:
            raise ServerError(f"the mock did not start: {failed}")
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving and wait for the thread (idempotent)."""
        if self._thread is not None:
            self._thread.stop(timeout, timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.running

    def wait(self, timeout: float | None = None) -> None:
        """Block until the server thread ends."""
        if self._thread is not None:
            self._thread.join(timeout)

    def __enter__(self) -> MockServer:
        if self._thread is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve(
    app: Any, host: str = "127.0.0.1", port: int = 0, *, log_level: str = "warning"
) -> MockServer:
    """Start serving ``app`` in a thread and return the running server (a context manager)."""
    return MockServer(app, host, port, log_level=log_level).start()
