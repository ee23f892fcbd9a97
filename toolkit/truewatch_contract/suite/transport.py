"""
How the suite's requests reach the target: one paced ``requests`` session, and the `Exchange` of
each request as it was sent and answered.

Every request goes through `Transport.send` (or Schemathesis' ``case.call`` on `Transport.session`):
the same `PacedAdapter`, so the rate limit, the retries and the request budget (`Ledger`) count
them all.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import requests

from truewatch_contract.judge import Exchange
from truewatch_contract.redaction import AUTH_HEADER, Redactor
from truewatch_contract.spec import ROUTE
from truewatch_contract.suite.ledger import Ledger
from truewatch_contract.suite.pacing import TokenBucket, paced_session

#: The default of `Transport.send`'s ``key``: the target's own key.
DEFAULT: Any = object()
#: Seconds a request may take before it counts as unanswered.
TIMEOUT = 30


def exchange_of(response: Any) -> Exchange:
    """The `Exchange` of a ``requests.Response`` (or Schemathesis' `Response`, which wraps one)."""
    request = response.request
    body = request.body
    if isinstance(body, str):
        body = body.encode("utf-8")
    elapsed = response.elapsed
    if isinstance(elapsed, (int, float)):
        elapsed_ms = float(elapsed) * 1000
    else:
        elapsed_ms = elapsed.total_seconds() * 1000 if hasattr(elapsed, "total_seconds") else 0.0
    content = response.content
    return Exchange.to_url(
        str(request.url),
        method=str(request.method),
        request_headers={str(k): _text(v) for k, v in request.headers.items()},
        request_body=body,
        status=int(response.status_code),
        response_headers={str(k): _text(v) for k, v in response.headers.items()},
        response_body=content if isinstance(content, bytes) else None,
        elapsed_ms=elapsed_ms,
    )


class Transport:
    """The suite's connection to the target: paced, counted, and safe to share between threads."""

    def __init__(
        self, base_url: str, api_key: str, bucket: TokenBucket, ledger: Ledger, redactor: Redactor
    ) -> None:
        self.base_url = base_url
        self.api_key = api_key
        self.bucket = bucket
        self.ledger = ledger
        self.redactor = redactor
        self.session = paced_session(bucket, ledger)

    def url(self, issue_id: str, route: str | None = None) -> str:
        """The URL of `route` (the update route by default) for `issue_id`."""
        return self.base_url + (route or ROUTE).format(issue_id=quote(issue_id, safe=""))

    def send(
        self,
        issue_id: str,
        body: Any = None,
        *,
        method: str = "POST",
        raw: bytes | None = None,
        key: Any = DEFAULT,
        headers: Mapping[str, str] | list[tuple[str, str]] | None = None,
        route: str | None = None,
    ) -> Exchange:
        """
        Send one request (JSON `body`, or `raw` bytes) and return its exchange, not judged.

        ``key``: the target's key by default, ``None`` for no header, or a string to send.
        ``headers``: a mapping replaces the defaults of the same name (an empty value is sent as
        empty); a list of pairs is added as it is (a header may repeat).
        ``route``: another path than the update route (``{issue_id}`` filled in; a query string
        kept as it is).
        """
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        pairs: list[tuple[str, str]] = [("Content-Type", "application/json")]
        if key is DEFAULT:
            pairs.append((AUTH_HEADER, self.api_key))
        elif key is not None:
            pairs.append((AUTH_HEADER, str(key)))
        if isinstance(headers, Mapping):
            names = {n.lower() for n in headers}
            pairs = [(n, v) for n, v in pairs if n.lower() not in names]
            pairs += [(n, v) for n, v in headers.items() if v != "" or n.lower() != "content-type"]
        elif headers is not None:
            pairs += list(headers)
        return self._send(method, self.url(issue_id, route), pairs, data)

    def send_at_once(self, issue_id: str, bodies: list[Any]) -> list[Exchange]:
        """
        Send `bodies` to one issue from one thread each, released together (a barrier), and paid
        for together under the pace, so they are in flight at the same time; return their
        exchanges in order, not judged.
        """
        barrier = threading.Barrier(len(bodies))
        exchanges: list[Exchange | None] = [None] * len(bodies)

        def send(index: int) -> None:
            barrier.wait()
            exchanges[index] = self.send(issue_id, bodies[index])

        with self.bucket.together(len(bodies)):
            threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        return [e for e in exchanges if e is not None]

    def close(self) -> None:
        self.session.close()

    def _send(
        self, method: str, url: str, headers: list[tuple[str, str]], data: bytes | None
    ) -> Exchange:
        prepared = self.session.prepare_request(requests.Request(method, url, data=data))
        pairs = list(headers)
        if data is not None:
            pairs.append(("Content-Length", str(len(data))))
        # Repeated headers (a duplicated DF-API-KEY) go out as separate lines.
        prepared.headers = _multi_headers(pairs)
        started = time.perf_counter()
        sent_at = time.time()
        fields: dict[str, Any] = {
            "method": method,
            "request_headers": _joined(headers),
            "request_body": data,
        }
        try:
            response = self.session.send(prepared, timeout=TIMEOUT)
        except requests.RequestException as error:
            return Exchange.to_url(
                url,
                status=None,
                response_headers={},
                response_body=None,
                elapsed_ms=(time.perf_counter() - started) * 1000,
                error=self.redactor.text(f"{type(error).__name__}: {error}"),
                **fields,
            )
        return Exchange.to_url(
            url,
            status=response.status_code,
            response_headers=dict(response.headers),
            response_body=response.content,
            elapsed_ms=(time.perf_counter() - started) * 1000,
            sent_at=sent_at,
            received_at=time.time(),
            **fields,
        )


def network_reason(error: str) -> str:
    """The useful part of a requests connection error (``[Errno 111] Connection refused``)."""
    match = re.search(r"\[Errno -?\d+\][^'\")]*", error)
    return match.group(0).strip() if match else error.splitlines()[0][:300] if error else "?"


def _multi_headers(pairs: list[tuple[str, str]]) -> Any:
    """Headers that may repeat a name (a duplicated DF-API-KEY goes out as two lines)."""
    from urllib3._collections import HTTPHeaderDict  # also in urllib3 1.26

    headers = HTTPHeaderDict()
    for name, value in pairs:
        headers.add(name, value)
    return headers


def _joined(pairs: list[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in pairs:
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)
