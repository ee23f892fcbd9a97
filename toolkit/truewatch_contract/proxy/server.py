"""
The proxy's server: uvicorn in a background thread, on a socket bound here (so ``--port 0``
gives its real port at once), without headers of its own (no ``date``, no ``server``: the
upstream's answer is returned as it came).

A client that sends no HTTP at all, or a request head larger than `MAX_HEAD`, never reaches the
application: uvicorn's protocol is given a subclass that answers it with an error envelope (400,
or 431), closes that connection, and says so in one line; every other connection is served on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from truewatch_contract.errors import UsageError
from truewatch_contract.threaded import ServerThread, base_url, listen

#: The largest request head (request line and headers) read, in bytes.
MAX_HEAD = 64 * 1024
_START_TIMEOUT = 15.0


def protocol_class(log: Callable[[str, str], None]) -> Any:
    """uvicorn's httptools protocol, answering garbage and huge heads with an envelope."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    from truewatch_contract.proxy.app import envelope

    class GuardedProtocol(HttpToolsProtocol):
        _head_size = 0
        _head_done = False
        _too_large = False

        def data_received(self, data: bytes) -> None:
            if not self._head_done:
                self._head_size += len(data)
            super().data_received(data)
            if not self._head_done and self._head_size > MAX_HEAD and not self._too_large:
                self._too_large = True
                self._refuse(431, "ft.RequestHeaderFieldsTooLarge", "the request head is too large")

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._head_done = False

        def on_headers_complete(self) -> None:
            self._head_done = True
            self._head_size = 0
            super().on_headers_complete()

        def send_400_response(self, msg: str) -> None:
            self._refuse(400, "ft.InvalidParameter", "the request is not valid HTTP")

        def _refuse(self, status: int, code: str, message: str) -> None:
            client = self.client
            where = f"{client[0]}:{client[1]}" if client else "a client"
            log("client", f"{status} to {where}: {message} (connection closed)")
            body = envelope(status, code, message)
            reason = {400: b"Bad Request", 431: b"Request Header Fields Too Large"}[status]
            head = (
                b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
                b"connection: close\r\n\r\n" % (status, reason, len(body))
            )
            if not self.transport.is_closing():
                self.transport.write(head + body)
                self.transport.close()

    return GuardedProtocol


class ProxyServer:
    """uvicorn serving the proxy's app in a thread; ``base_url`` is known once started."""

    def __init__(self, app: Any, host: str, port: int, log: Callable[[str, str], None]) -> None:
        self.app = app
        self.host = host
        self.requested_port = port
        self.log = log
        self.port: int | None = None
        self._thread: ServerThread | None = None

    @property
    def base_url(self) -> str:
        return base_url(self.host, self.port or 0)

    def start(self) -> ProxyServer:
        """
        Raises:
            UsageError: the address cannot be bound, or the server does not start.
        """
        import uvicorn

        try:
            sock = listen(self.host, self.requested_port)
        except OSError as error:
            raise UsageError(
                f"cannot listen on {self.host}:{self.requested_port}: {error.strerror}"
            ) from None
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level="critical",
            access_log=False,
            lifespan="on",
            http=protocol_class(self.log),
            server_header=False,
            date_header=False,
            proxy_headers=False,
            timeout_graceful_shutdown=30,
            timeout_keep_alive=30,
        )
        self._thread = ServerThread(uvicorn.Server(config), sock, "truewatch-proxy")
        failed = self._thread.start(_START_TIMEOUT)
        if failed is not None:
            raise UsageError(f"the proxy did not start: {failed}")
        return self

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.running

    def stop(self, timeout: float = 35.0) -> None:
        """Stop accepting, let the requests in flight finish (30 s at most), wait (idempotent)."""
        if self._thread is not None:
            self._thread.stop(timeout, 5.0)
