"""
The request hook for ``requests``::

    from truewatch_contract.integrations.requests import ContractHook

    hook = ContractHook(mode="raise")
    session.hooks["response"].append(hook)

`exchange_of` reads a ``requests.Response`` (its ``PreparedRequest`` as sent, its body as
received) into the library's `Exchange`. ``requests`` itself is never imported: the hook reads
the objects it is handed.
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

__all__ = ["ContractHook", "ContractWarning", "exchange_of"]


def exchange_of(response: Any) -> Exchange | None:
    """
    The exchange of a ``requests.Response``, or None when it is not for the update route (its
    body is then left unread) or its request body was a stream, which cannot be seen again.
    """
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
