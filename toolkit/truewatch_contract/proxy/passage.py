"""
`Passage`: one exchange as the proxy forwarded it, in the plain values the spool carries, and the
library's `Exchange` of it (the request as sent upstream, the answer as received).

The proxy replaces every ``DF-API-KEY`` value with a stand-in of its own (`KeyAliases`) before a
passage leaves the event loop: the spool, the judge and the record never hold a key, and the judge
still tells keys apart (one key, one stand-in). The real values stay in the proxy's memory, for
the reports' `Redactor`.
"""

from __future__ import annotations

import zlib
from typing import Any, NamedTuple

from truewatch_contract.judge import Exchange
from truewatch_contract.judge.exchange import joined_headers

#: Header pairs as they went over the wire (decoded by the judge, not by the event loop).
Headers = list[tuple[bytes, bytes]]


class Passage(NamedTuple):
    """
    One request the proxy forwarded (or answered itself), and its answer.

    Attributes:
        method, target: the request line (the path and the query, as received).
        headers: the request's headers as sent upstream (keys as stand-ins).
        body: the request's body.
        status, response_headers, response_body: the upstream's answer (None: none came).
        sent_at, received_at: epoch seconds when the request arrived and the answer left.
        elapsed_ms: how long the upstream took.
        concurrent: another request for the same issue was in flight at the same time.
        error: why the proxy answered itself (the upstream unreachable, a body too large): that
            answer is the proxy's, never judged as the target's.
    """

    method: str
    target: str
    headers: Headers
    body: bytes
    status: int | None
    response_headers: Headers
    response_body: bytes | None
    sent_at: float
    received_at: float
    elapsed_ms: float
    concurrent: bool = False
    error: str | None = None

    def exchange(self, base_url: str) -> Exchange:
        """The library's `Exchange`; an answer's body in a content coding is decoded to judge."""
        response_headers = joined_headers(_text(self.response_headers))
        return Exchange(
            method=self.method,
            path=self.target,
            request_headers=joined_headers(_text(self.headers)),
            request_body=self.body if self.body else None,
            status=self.status,
            response_headers=response_headers,
            response_body=_decoded(self.response_body, response_headers),
            base_url=base_url,
            sent_at=self.sent_at,
            received_at=self.received_at,
            elapsed_ms=self.elapsed_ms,
            error=self.error,
        )


def _text(headers: Headers) -> list[tuple[str, str]]:
    return [(n.decode("latin-1"), v.decode("latin-1")) for n, v in headers]


def _decoded(body: bytes | None, headers: dict[str, str]) -> bytes | None:
    """An answer's body without its gzip or deflate coding (as a client reads it)."""
    coding = next((v for k, v in headers.items() if k.lower() == "content-encoding"), "")
    coding = coding.strip().lower()
    if not body or coding in ("", "identity"):
        return body
    try:
        if coding in ("gzip", "x-gzip"):
            return zlib.decompress(body, 16 + zlib.MAX_WBITS)
        if coding == "deflate":
            try:
                return zlib.decompress(body)
            except zlib.error:
                return zlib.decompress(body, -zlib.MAX_WBITS)
    except zlib.error:
        return body
    return body  # a coding the standard library cannot read: judged as it came


class KeyAliases:
    """
    Each distinct ``DF-API-KEY`` value, and the stand-in the judge sees for it (``key-1``, ...).
    An empty or blank value stays as it is (it is no key: the judge reads it as missing).
    """

    LIMIT = 100_000  # distinct keys remembered; beyond, one more stand-in for all the others

    def __init__(self) -> None:
        self._aliases: dict[str, str] = {}

    def alias(self, key: str) -> str:
        if not key.strip():
            return key
        found = self._aliases.get(key)
        if found is None:
            if len(self._aliases) >= self.LIMIT:
                return "key-overflow"
            found = self._aliases[key] = f"key-{len(self._aliases) + 1}"
        return found

    def alias_bytes(self, key: bytes) -> bytes:
        """`alias` of a header's raw value."""
        return self.alias(key.decode("latin-1")).encode("latin-1")

    @property
    def keys(self) -> tuple[str, ...]:
        """Every key seen (the secrets of the reports' `Redactor`)."""
        return tuple(self._aliases)

    def __len__(self) -> int:
        return len(self._aliases)


def to_plain(passage: Passage) -> tuple[Any, ...]:
    """The passage as a tuple of plain values (what `marshal` writes)."""
    return tuple(passage)


def from_plain(values: Any) -> Passage:
    """A passage read back (``marshal`` gives lists of tuples back as they were written)."""
    return Passage(*values)
