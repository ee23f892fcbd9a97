"""
The proxy's upstream client: `UpstreamTransport`, an httpx transport (an `httpx.AsyncClient` can
use it) that keeps a pool of HTTP/1.1 keep-alive connections to the one upstream, on asyncio with
httptools' parser (uvicorn's). httpx's default transport (httpcore on anyio) costs several times
more per request than the proxy may add to a client's wait; this one does what a reverse proxy
needs and no more: one upstream, bodies in memory, the answer's bytes as they came (no decoding),
TLS by the standard library, and httpx's errors (`httpx.ConnectError`, `httpx.ConnectTimeout`,
`httpx.ReadTimeout`, `httpx.RemoteProtocolError`) for everything that goes wrong.

The proxy's own path skips the `httpx.Request` and `httpx.Response` objects around each exchange
(`UpstreamTransport.forward`: the request line, header pairs and body in, an `UpstreamAnswer`
out), which cost about a tenth of its time per request; `handle_async_request`, the client's way
in, wraps the same exchange.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httptools
import httpx

#: Idle keep-alive connections kept for reuse.
MAX_IDLE = 256


@dataclass(frozen=True)
class Upstream:
    """Where the proxy forwards to: ``scheme://host:port`` and an optional path prefix."""

    scheme: str
    host: str
    port: int
    prefix: str = ""

    @classmethod
    def parse(cls, url: str) -> Upstream:
        """
        Raises:
            ValueError: not an absolute http(s) URL, or one with a query or a fragment.
        """
        parsed = httpx.URL(url)
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise ValueError(f"expected an http:// or https:// URL, found {url!r}")
        if parsed.query or parsed.fragment:
            raise ValueError(f"expected a URL without a query or a fragment, found {url!r}")
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        # The path as it is written (percent-encoded ASCII), prefixed to every request's.
        prefix = parsed.raw_path.decode("ascii").rstrip("/")
        return cls(parsed.scheme, parsed.host, port, prefix)

    @property
    def netloc(self) -> str:
        """The ``Host`` header the upstream expects."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.netloc}{self.prefix}"


@dataclass
class UpstreamAnswer:
    """The upstream's answer: its status, header pairs and body bytes as they came."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    keep_alive: bool


class AnswerBody(httpx.AsyncByteStream):
    """An answer's body, read whole: its bytes as they came (`data`), never decoded."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.data


class _Stale(Exception):
    """A reused connection closed before the upstream sent a byte: the request may be retried."""


class _Connection(asyncio.Protocol):
    """One keep-alive connection to the upstream: one request at a time."""

    def __init__(self, loop: asyncio.AbstractEventLoop, max_body: int) -> None:
        self.loop = loop
        self.max_body = max_body
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future[UpstreamAnswer] | None = None
        self.closed = False
        self.head_only = False
        self.received = False
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []
        self.size = 0
        self.headers_done = False

    # -- asyncio ---------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.received = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._fail(httpx.RemoteProtocolError(f"the upstream's answer is not HTTP: {error}"))

    def eof_received(self) -> bool | None:
        return None  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        waiter = self.waiter
        if waiter is None or waiter.done():
            return
        if self.headers_done and self.status >= 200 and not self._framed():
            self._finish(keep_alive=False)  # a body delimited by the end of the connection
        elif not self.received:
            waiter.set_exception(_Stale())
        else:
            waiter.set_exception(
                httpx.RemoteProtocolError("the upstream closed the connection mid-answer")
            )

    # -- httptools -------------------------------------------------------------------------------

    def on_message_begin(self) -> None:
        self.status = 0
        self.headers = []
        self.body = []
        self.size = 0
        self.headers_done = False

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()
        self.headers_done = True
        if self.head_only and self.status >= 200:
            # The answer to HEAD has no body, whatever its Content-Length says; the parser cannot
            # know, so the connection is not reused.
            self._finish(keep_alive=False)

    def on_body(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.max_body:
            self._fail(
                httpx.RemoteProtocolError(
                    f"the upstream's answer is larger than --max-body ({self.max_body} bytes)"
                )
            )
            return
        self.body.append(chunk)

    def on_message_complete(self) -> None:
        if 100 <= self.status < 200:
            return  # an interim answer (100 Continue): the final one follows
        self._finish(keep_alive=self.parser.should_keep_alive())

    # -- the exchange ----------------------------------------------------------------------------

    async def exchange(self, data: bytes, *, head_only: bool, timeout: float) -> UpstreamAnswer:
        waiter: asyncio.Future[UpstreamAnswer] = self.loop.create_future()
        self.waiter = waiter
        self.head_only = head_only
        self.received = False
        assert self.transport is not None
        self.transport.write(data)
        timer = self.loop.call_later(timeout, self._timed_out, timeout)
        try:
            return await waiter
        finally:
            timer.cancel()
            self.waiter = None

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def _framed(self) -> bool:
        names = {name.lower() for name, _ in self.headers}
        return b"content-length" in names or b"transfer-encoding" in names

    def _finish(self, *, keep_alive: bool) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            body = self.body[0] if len(self.body) == 1 else b"".join(self.body)
            waiter.set_result(UpstreamAnswer(self.status, self.headers, body, keep_alive))
        if not keep_alive:
            self.close()

    def _fail(self, error: Exception) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)
        self.close()

    def _timed_out(self, timeout: float) -> None:
        self._fail(httpx.ReadTimeout(f"the upstream did not answer within {timeout:g} s"))


class UpstreamTransport(httpx.AsyncBaseTransport):
    """
    HTTP/1.1 to one upstream, over a pool of keep-alive connections (one request at a time on
    each; as many connections as requests in flight; up to `MAX_IDLE` kept for reuse).

    Arguments:
        upstream: where every request goes (a request's own URL names only its path and query).
        connect_timeout, read_timeout: seconds to open a connection (TLS included) and to wait
            for a complete answer.
        max_body: an answer larger than this is an error (`httpx.RemoteProtocolError`).
        ssl_context: for https (default: the system's trust store, verified).
    """

    def __init__(
        self,
        upstream: Upstream,
        *,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        max_body: int = 16 * 1024 * 1024,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.upstream = upstream
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.max_body = max_body
        self.ssl_context = ssl_context
        if upstream.scheme == "https" and ssl_context is None:
            self.ssl_context = ssl.create_default_context()
        self._idle: list[_Connection] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        # httpcore's ``target`` extension: the request line's target as given, not normalised
        # (a reverse proxy forwards "/a/../b" as received).
        target = request.extensions.get("target") or request.url.raw_path
        answer = await self.forward(request.method, target, request.headers.raw, request.content)
        return httpx.Response(
            answer.status,
            headers=answer.headers,
            stream=AnswerBody(answer.body),
            request=request,
            extensions={"http_version": b"HTTP/1.1"},
        )

    async def forward(
        self, method: str, target: bytes, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> UpstreamAnswer:
        """
        One exchange: the request line's `method` and `target`, the header pairs (as sent: the
        framing headers included) and the `body`, as given; the answer as it came.

        Raises:
            httpx.HTTPError: the upstream cannot be reached, times out or answers garbage.
        """
        lines = [method.encode("ascii"), b" ", target, b" HTTP/1.1\r\n"]
        for name, value in headers:
            lines += (name, b": ", value, b"\r\n")
        lines += (b"\r\n", body)
        data = b"".join(lines)
        head_only = method == "HEAD"
        for attempt in (1, 2):
            connection, reused = await self._acquire()
            try:
                answer = await connection.exchange(
                    data, head_only=head_only, timeout=self.read_timeout
                )
            except _Stale:
                connection.close()
                if reused and attempt == 1:
                    continue  # the upstream had closed it: the request never reached it
                raise httpx.RemoteProtocolError(
                    "the upstream closed the connection without answering"
                ) from None
            except BaseException:
                connection.close()
                raise
            if answer.keep_alive and not connection.closed and len(self._idle) < MAX_IDLE:
                self._idle.append(connection)
            elif not connection.closed:
                connection.close()
            return answer
        raise AssertionError("unreachable")  # pragma: no cover

    async def aclose(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    async def _acquire(self) -> tuple[_Connection, bool]:
        while self._idle:
            connection = self._idle.pop()
            transport = connection.transport
            if not connection.closed and transport is not None and not transport.is_closing():
                return connection, True
        return await self._connect(), False

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        upstream = self.upstream
        where = f"{upstream.host}:{upstream.port}"
        tls: dict[str, Any] = (
            {"ssl": self.ssl_context, "server_hostname": upstream.host}
            if upstream.scheme == "https"
            else {}
        )
        try:
            _, connection = await asyncio.wait_for(
                loop.create_connection(
                    lambda: _Connection(loop, self.max_body), upstream.host, upstream.port, **tls
                ),
                self.connect_timeout,
            )
        except asyncio.TimeoutError:
            raise httpx.ConnectTimeout(
                f"no connection to {where} within {self.connect_timeout:g} s"
            ) from None
        except ssl.SSLError as error:
            reason = getattr(error, "verify_message", None) or error.reason or str(error)
            raise httpx.ConnectError(f"TLS with {where} failed: {reason}") from None
        except OSError as error:
            raise httpx.ConnectError(
                f"cannot connect to {where}: {error.strerror or error}"
            ) from None
        return connection
