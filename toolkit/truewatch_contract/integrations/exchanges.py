"""
The library's `Exchange` of a response of ``requests`` or ``httpx``: the request as sent (method,
URL, headers, body bytes) and the answer as received (status, headers, body bytes).

Neither library is imported here at module level: ``httpx`` only inside the functions that need
its types, ``requests`` never (its objects are read as they are handed over). A response that is
not for the update route is left alone (its body unread), and so is one whose request body was a
stream, which cannot be seen again.
"""

from __future__ import annotations

import time
from typing import Any

from truewatch_contract.judge import Exchange
from truewatch_contract.judge.exchange import ROUTE_PREFIX, ROUTE_SUFFIX, joined_headers


def on_update_route(url: str) -> bool:
    """Whether `url` (absolute, or a path) is the update route: checked before anything is read."""
    path = url
    if "://" in url:
        rest = url.split("://", 1)[1]
        slash = rest.find("/")
        path = rest[slash:] if slash >= 0 else "/"
    path = path.split("?", 1)[0].split("#", 1)[0]
    return (
        len(path) >= len(ROUTE_PREFIX) + len(ROUTE_SUFFIX)
        and path.startswith(ROUTE_PREFIX)
        and path.endswith(ROUTE_SUFFIX)
    )


# -- requests --------------------------------------------------------------------------------------


def requests_exchange(response: Any) -> Exchange | None:
    """The exchange of a ``requests.Response`` (its body read here), or None (see the module)."""
    request = getattr(response, "request", None)
    url = str(getattr(request, "url", "") or "")
    if request is None or not on_update_route(url):
        return None
    body = request.body
    if isinstance(body, str):
        body = body.encode("utf-8")
    elif isinstance(body, (bytearray, memoryview)):
        body = bytes(body)
    elif body is not None and not isinstance(body, bytes):
        return None  # a file or a generator: already consumed
    elapsed: Any = getattr(response, "elapsed", None)
    seconds = float(elapsed.total_seconds()) if hasattr(elapsed, "total_seconds") else 0.0
    sent_at = time.time() - seconds
    content = response.content  # read once; requests keeps it for the caller
    return Exchange.to_url(
        url,
        method=str(request.method or "GET"),
        request_headers=joined_headers((str(k), _text(v)) for k, v in request.headers.items()),
        request_body=body,
        status=int(response.status_code),
        response_headers={str(k): _text(v) for k, v in response.headers.items()},
        response_body=content if isinstance(content, bytes) else None,
        elapsed_ms=seconds * 1000,
        sent_at=sent_at,
        received_at=time.time(),
    )


def _text(value: Any) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


# -- httpx -----------------------------------------------------------------------------------------


def httpx_is_async(response: Any) -> bool:
    """Whether an ``httpx.Response`` came from an ``AsyncClient`` (its body is read by awaiting)."""
    import httpx

    return isinstance(getattr(response, "stream", None), httpx.AsyncByteStream)


def httpx_exchange(response: Any) -> Exchange | None:
    """The exchange of a sync ``httpx.Response`` (its body read here), or None (see the module)."""
    if not _httpx_on_route(response):
        return None
    body = _httpx_request_body(response)
    if body is _STREAMED:
        return None
    reading = time.time()
    response.read()
    return _httpx_exchange(response, body, reading)


async def httpx_exchange_async(response: Any) -> Exchange | None:
    """The exchange of an async ``httpx.Response`` (its body awaited here), or None."""
    if not _httpx_on_route(response):
        return None
    body = _httpx_request_body(response)
    if body is _STREAMED:
        return None
    reading = time.time()
    await response.aread()
    return _httpx_exchange(response, body, reading)


_STREAMED: Any = object()


def _httpx_on_route(response: Any) -> bool:
    request = getattr(response, "request", None)
    return request is not None and on_update_route(str(request.url))


def _httpx_request_body(response: Any) -> Any:
    import httpx

    try:
        content = response.request.content
    except httpx.RequestNotRead:
        return _STREAMED  # a streamed upload, already gone
    return bytes(content) if content else None


def _httpx_exchange(response: Any, body: bytes | None, reading: float) -> Exchange:
    request = response.request
    try:
        seconds = response.elapsed.total_seconds()
    except RuntimeError:  # not closed yet: the body read is all that was measured
        seconds = time.time() - reading
    received = time.time()
    return Exchange.to_url(
        str(request.url),
        method=str(request.method),
        request_headers=joined_headers(request.headers.multi_items()),
        request_body=body,
        status=int(response.status_code),
        response_headers=joined_headers(response.headers.multi_items()),
        response_body=bytes(response.content),
        elapsed_ms=seconds * 1000,
        sent_at=received - seconds,
        received_at=received,
    )
