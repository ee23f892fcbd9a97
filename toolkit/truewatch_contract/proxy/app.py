"""
The proxy's ASGI application: every request is forwarded as received, every answer returned as
it came, and every exchange on the update route handed to the judge after its answer has left.

- Forwarded: the method, the path and query (byte for byte), the headers but the hop-by-hop ones
  (RFC 9110 §7.6.1, and those the ``Connection`` header names), ``Host`` set to the upstream's,
  the body bytes (with its ``Content-Length``).
- Returned: the upstream's status, headers (hop-by-hop ones aside) and body bytes, not decoded.
  With ``annotate``, one header more: ``X-Truewatch-Contract``, the rules the exchange broke.
- Its own answers, each an error envelope: 502 when the upstream cannot be reached, times out,
  fails TLS or answers garbage; 413 for a body above ``max_body`` (not forwarded). They are
  recorded as the proxy's, never judged as the target's.
- Races: two requests for the same issue in flight at once are both judged as a race
  (`Watcher.judge(..., concurrent=True)`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable

import httpx
from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from truewatch_contract.judge.exchange import ROUTE_PREFIX, ROUTE_SUFFIX
from truewatch_contract.proxy.judging import Judging
from truewatch_contract.proxy.passage import KeyAliases, Passage
from truewatch_contract.proxy.spool import SpoolWriter
from truewatch_contract.proxy.upstream import Upstream, UpstreamTransport

#: The header ``--annotate`` adds: the rules the exchange broke, or ``none``.
ANNOTATION = "X-Truewatch-Contract"
#: Hop-by-hop headers (RFC 9110 §7.6.1), and the framing the proxy sets itself.
HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-connection",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"host",
        b"content-length",
        b"expect",  # the proxy has the whole body: no 100-continue upstream
    }
)
_NO_BODY = frozenset({204, 304})
#: The methods httpx gives a ``Content-Length: 0`` when they have no body and no framing.
_FRAMED_ANYWAY = frozenset({"POST", "PUT", "PATCH"})
_KEY = b"df-api-key"
#: How often the spool buffer is written while requests come in (seconds).
FLUSH_EVERY = 0.01


def envelope(status: int, error_code: str, message: str) -> bytes:
    """The platform's error envelope, as the proxy's own answer."""
    return json.dumps(
        {
            "code": status,
            "content": None,
            "errorCode": error_code,
            "message": message,
            "success": False,
            "traceId": uuid.uuid4().hex,
        },
        sort_keys=True,
    ).encode("utf-8")


class ClientLeft(Exception):
    """The client went away before its request's body was complete."""


class BodyTooLarge(Exception):
    """The request's body is larger than ``--max-body``."""


class ProxyApp(Starlette):
    """
    The reverse proxy as an ASGI application (Starlette, whose lifespan opens and closes the
    upstream client; every HTTP request is forwarded by `forward`).

    Arguments:
        upstream: where requests go.
        aliases: the key stand-ins (shared with the command, which redacts the real keys).
        spool: where passages go to be judged off the response path; None with `judging`.
        judging: judge inline, before answering (``--annotate``).
        log: one line for a person (stderr), throttled by the caller.
        max_body: the largest request body forwarded (and answer accepted), in bytes.
    """

    def __init__(
        self,
        upstream: Upstream,
        *,
        aliases: KeyAliases,
        spool: SpoolWriter | None,
        judging: Judging | None = None,
        log: Callable[[str, str], None] = lambda kind, message: None,
        max_body: int = 16 * 1024 * 1024,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
    ) -> None:
        super().__init__(lifespan=self._lifespan)
        self.upstream = upstream
        self.aliases = aliases
        self.spool = spool
        self.judging = judging
        self.log = log
        self.max_body = max_body
        self.transport = UpstreamTransport(
            upstream,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            max_body=max_body,
        )
        self._host = upstream.netloc.encode("ascii")
        self._prefix = upstream.prefix.encode("ascii")
        self._inflight: dict[str, list[list[bool]]] = {}
        self._flush_armed = False
        self.forwarded = 0
        self.off_route = 0
        self.own_answers = 0

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await self.transport.aclose()
            if self.spool is not None:
                self.spool.flush()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.forward(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)

    # -- one request -----------------------------------------------------------------------------

    async def forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        sent_at = time.time()
        started = time.perf_counter()
        method: str = scope["method"]
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode("utf-8")
        query: bytes = scope.get("query_string") or b""
        target = raw_path + b"?" + query if query else raw_path
        target_text = target.decode("latin-1")
        issue = _issue_of(raw_path)

        headers: list[tuple[bytes, bytes]] = []
        declared: int | None = None
        framed = False
        listed: bytes | None = None
        for name, value in scope["headers"]:
            if name in HOP_BY_HOP:
                if name == b"content-length":
                    framed = True
                    declared = int(value) if value.isdigit() else declared
                elif name == b"transfer-encoding":
                    framed = True
                elif name == b"connection":
                    listed = value
                continue
            headers.append((name, value))
        if listed is not None:  # the headers the Connection header names are hop-by-hop too
            named = {t.strip().lower() for t in listed.split(b",")} - HOP_BY_HOP - {b""}
            if named:
                headers = [(n, v) for n, v in headers if n not in named]

        if declared is not None and declared > self.max_body:
            await self._too_large(send, method, target_text, headers, sent_at, started, issue)
            return
        try:
            body = await _read_body(receive, self.max_body)
        except ClientLeft:
            self.log(
                "client", f"a client went away mid-request: {method} {target_text} (not forwarded)"
            )
            return
        except BodyTooLarge:
            await self._too_large(send, method, target_text, headers, sent_at, started, issue)
            return

        headers.append((b"host", self._host))
        if body or framed:
            headers.append((b"content-length", str(len(body)).encode("ascii")))
        elif method in _FRAMED_ANYWAY:  # as httpx frames them: an empty body said so
            headers.insert(0, (b"Content-Length", b"0"))
        flight = self._enter(issue)
        error: str | None = None
        try:
            # Straight to the client's transport: the client's own layers (redirects followed,
            # cookies kept, auth added) are what a reverse proxy must not do; and no
            # `httpx.Request` or `httpx.Response` built around the exchange (`forward`).
            response = await self.transport.forward(method, self._prefix + target, headers, body)
        except httpx.HTTPError as failure:
            error = _reason(failure, self.upstream)
        except Exception as failure:  # a fault of ours: the client still gets an envelope
            error = f"the proxy could not forward it: {type(failure).__name__}: {failure}"
        finally:
            self._leave(issue, flight)
        elapsed_ms = (time.perf_counter() - started) * 1000

        if error is not None:
            self.own_answers += 1
            self.log("upstream", f"502 for {method} {target_text}: {error}")
            await _answer(send, 502, envelope(502, "ft.BadGateway", error))
            if issue is not None:
                self._judge_later(
                    Passage(
                        method,
                        target_text,
                        self._shown(headers),
                        body,
                        None,
                        [],
                        None,
                        sent_at,
                        time.time(),
                        elapsed_ms,
                        flight[0],
                        f"the proxy answered 502: {error}",
                    )
                )
            return

        status = response.status
        answer = response.body
        received = response.headers
        out = [(n, v) for n, v in received if n.lower() not in HOP_BY_HOP]
        bodyless = method == "HEAD" or status in _NO_BODY or status < 200
        if bodyless:
            out += [(n, v) for n, v in received if n.lower() == b"content-length"]
        else:
            out.append((b"content-length", str(len(answer)).encode("ascii")))
        self.forwarded += 1
        if issue is None:
            self.off_route += 1
            await _send(send, status, out, answer)
            return
        passage = Passage(
            method,
            target_text,
            self._shown(headers),
            body,
            status,
            received,
            answer,
            sent_at,
            time.time(),
            elapsed_ms,
            flight[0],
        )
        if self.judging is not None:
            verdict = self.judging.take(passage)
            rules = ", ".join(verdict.rules) if verdict is not None and verdict.rules else "none"
            out.append((ANNOTATION.encode("ascii"), rules.encode("ascii")))
            await _send(send, status, out, answer)
            return
        await _send(send, status, out, answer)
        self._judge_later(passage)

    async def _too_large(
        self,
        send: Send,
        method: str,
        target: str,
        headers: list[tuple[bytes, bytes]],
        sent_at: float,
        started: float,
        issue: str | None,
    ) -> None:
        self.own_answers += 1
        message = f"the request body is larger than the proxy's --max-body ({self.max_body} bytes)"
        self.log("client", f"413 for {method} {target}: {message} (not forwarded)")
        await _answer(send, 413, envelope(413, "ft.RequestEntityTooLarge", message), close=True)
        if issue is not None:
            elapsed = (time.perf_counter() - started) * 1000
            self._judge_later(
                Passage(
                    method,
                    target,
                    self._shown(headers),
                    b"",
                    None,
                    [],
                    None,
                    sent_at,
                    time.time(),
                    elapsed,
                    False,
                    f"the proxy answered 413: {message}",
                )
            )

    def _shown(self, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        """The headers as the judge sees them: each key as its stand-in."""
        alias = self.aliases.alias_bytes
        return [(n, alias(v)) if n == _KEY else (n, v) for n, v in headers]

    # -- judging, off the response path ---------------------------------------------------------

    def _judge_later(self, passage: Passage) -> None:
        if self.judging is not None:
            self.judging.take(passage)
            return
        spool = self.spool
        if spool is None:
            return
        spool.put(passage)
        if not self._flush_armed:
            self._flush_armed = True
            asyncio.get_running_loop().call_later(FLUSH_EVERY, self._flush)

    def _flush(self) -> None:
        self._flush_armed = False
        if self.spool is not None:
            self.spool.flush()

    def _enter(self, issue: str | None) -> list[bool]:
        """Count the request in flight for its issue; mark a race if another is."""
        flight = [False]
        if issue is None:
            return flight
        others = self._inflight.get(issue)
        if others:
            flight[0] = True
            for other in others:
                other[0] = True
            others.append(flight)
        else:
            self._inflight[issue] = [flight]
        return flight

    def _leave(self, issue: str | None, flight: list[bool]) -> None:
        if issue is None:
            return
        others = self._inflight.get(issue)
        if others is not None:
            others.remove(flight)
            if not others:
                del self._inflight[issue]


_PREFIX = ROUTE_PREFIX.encode("ascii")
_SUFFIX = ROUTE_SUFFIX.encode("ascii")


def _issue_of(raw_path: bytes) -> str | None:
    """The update route's issue_id segment (as received), or None off the route."""
    if (
        len(raw_path) >= len(_PREFIX) + len(_SUFFIX)
        and raw_path.startswith(_PREFIX)
        and raw_path.endswith(_SUFFIX)
    ):
        return raw_path[len(_PREFIX) : len(raw_path) - len(_SUFFIX)].decode("latin-1")
    return None


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise ClientLeft
        chunk = message.get("body", b"")
        if chunk:
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge
            chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _answer(send: Send, status: int, body: bytes, *, close: bool = False) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode("ascii")),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await _send(send, status, headers, body)


def _reason(error: Exception, upstream: Upstream) -> str:
    text = str(error) or type(error).__name__
    if isinstance(error, httpx.TimeoutException):
        return f"the upstream {upstream.base_url} timed out: {text}"
    return f"the upstream {upstream.base_url} failed: {text}"
