"""
The request hook for ``httpx``, sync and async (the same object)::

    from truewatch_contract.integrations.httpx import ContractHook

    hook = ContractHook(mode="raise")
    client = httpx.Client(event_hooks={"response": [hook]})
    async_client = httpx.AsyncClient(event_hooks={"response": [hook]})

An ``httpx`` response hook runs before the body is read: the hook reads it (``response.read()``,
or ``await response.aread()`` for an ``AsyncClient``, whose hooks are awaited), and the caller
finds it read. ``httpx`` is imported only inside `is_async`, when a response is in hand.
"""

from __future__ import annotations

import time
from typing import Any

from truewatch_contract.integrations.hook import (
    ContractHook,
    ContractWarning,
    joined_headers,
    on_update_route,
)
from truewatch_contract.judge import Exchange

__all__ = ["ContractHook", "ContractWarning", "exchange_of", "exchange_of_async", "is_async"]


def is_async(response: Any) -> bool:
    """Whether an ``httpx.Response`` came from an ``AsyncClient`` (its body is read by awaiting)."""
    import httpx

    return isinstance(getattr(response, "stream", None), httpx.AsyncByteStream)


def exchange_of(response: Any) -> Exchange | None:
    """The exchange of a sync ``httpx.Response`` (its body read here), or None off the route."""
    if not _on_route(response):
        return None
    body = _request_body(response)
    if body is _STREAMED:
        return None
    sent_at = time.time()
    response.read()
    return _exchange(response, body, sent_at)


async def exchange_of_async(response: Any) -> Exchange | None:
    """The exchange of an async ``httpx.Response`` (its body awaited), or None off the route."""
    if not _on_route(response):
        return None
    body = _request_body(response)
    if body is _STREAMED:
        return None
    sent_at = time.time()
    await response.aread()
    return _exchange(response, body, sent_at)


_STREAMED: Any = object()


def _on_route(response: Any) -> bool:
    request = getattr(response, "request", None)
    return request is not None and on_update_route(str(request.url))


def _request_body(response: Any) -> Any:
    import httpx

    try:
        content = response.request.content
    except httpx.RequestNotRead:
        return _STREAMED  # a streamed upload, already gone
    return bytes(content) if content else None


def _exchange(response: Any, body: bytes | None, read_from: float) -> Exchange:
    request = response.request
    try:
        seconds = response.elapsed.total_seconds()
    except RuntimeError:  # not closed yet: the body read is all that was measured
        seconds = time.time() - read_from
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
