"""
`Exchange`: one request of the suite and its answer, as sent and received on the wire.

The suite's one exchange type: the session builds it from what it sent, the Schemathesis check from
a `requests` response; the judge, the record and the failure text all read it.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

from truewatch_contract.spec import ROUTE

# The route as the spec names it, split around its one parameter.
ROUTE_PREFIX, ROUTE_SUFFIX = ROUTE.split("{issue_id}")


@dataclasses.dataclass(frozen=True)
class Exchange:
    """One request and its answer (``status is None``: no answer, `error` says why)."""

    method: str
    url: str
    request_headers: Mapping[str, str]
    request_body: bytes | None
    status: int | None
    response_headers: Mapping[str, str]
    response_body: bytes | None
    elapsed_ms: float = 0.0
    error: str | None = None
    # The client's clock (epoch seconds) when the request left and the answer came back; set
    # by the contract suite, None elsewhere (the clock rules then do not apply).
    sent_at: float | None = None
    received_at: float | None = None

    def clock_window(self) -> tuple[float, float] | None:
        """The client's clock around the request, for the library's clock rules."""
        if self.sent_at is None or self.received_at is None:
            return None
        return (self.sent_at, max(self.sent_at, self.received_at))

    @property
    def path(self) -> str:
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    @property
    def issue_id(self) -> str | None:
        """The route's issue_id (decoded), or None when the path is not the update route."""
        path = urlsplit(self.url).path
        if len(path) < len(ROUTE_PREFIX) + len(ROUTE_SUFFIX):
            return None
        if not (path.startswith(ROUTE_PREFIX) and path.endswith(ROUTE_SUFFIX)):
            return None
        return unquote(path[len(ROUTE_PREFIX) : -len(ROUTE_SUFFIX)])

    def header(self, name: str) -> str | None:
        """A request header (any case of its name), or None."""
        return _find(self.request_headers, name)

    def response_header(self, name: str) -> str | None:
        """A response header (any case of its name), or None."""
        return _find(self.response_headers, name)

    @property
    def media_type(self) -> str:
        """The request's media type, lowercased, without parameters (``""`` when not sent)."""
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    def json_body(self) -> tuple[bool, Any]:
        """``(True, value)`` when the response body is JSON, else ``(False, None)``."""
        return self._received

    def sent_json(self) -> tuple[bool, Any]:
        """
        ``(True, value)`` when the request body is JSON (an empty body is not). Bytes that are not
        UTF-8 are read as Go's decoder reads them, each replaced by U+FFFD.
        """
        return self._sent

    # Parsed once per exchange (the judge, the record and the failure text all read them); the
    # cache lives in the instance, so `dataclasses.replace` starts a fresh one.
    @functools.cached_property
    def _received(self) -> tuple[bool, Any]:
        return _parse(self.response_body)

    @functools.cached_property
    def _sent(self) -> tuple[bool, Any]:
        return _parse(self.request_body)

    @property
    def sent_utf8(self) -> bool:
        """Whether the request body (if any) is valid UTF-8."""
        try:
            (self.request_body or b"").decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True

    @classmethod
    def from_requests(cls, response: Any) -> Exchange:
        """Build from a ``requests.Response`` (or Schemathesis' `Response`, which wraps one)."""
        request = response.request
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        elapsed = response.elapsed
        elapsed_ms = elapsed.total_seconds() * 1000 if hasattr(elapsed, "total_seconds") else 0.0
        if isinstance(elapsed, (int, float)):
            elapsed_ms = float(elapsed) * 1000
        flat = {
            str(k): (", ".join(v) if isinstance(v, list) else str(v))
            for k, v in response.headers.items()
        }
        content = response.content
        return cls(
            method=str(request.method),
            url=str(request.url),
            request_headers={str(k): _text(v) for k, v in request.headers.items()},
            request_body=body,
            status=int(response.status_code),
            response_headers=flat,
            response_body=content if isinstance(content, bytes) else None,
            elapsed_ms=elapsed_ms,
        )


def _find(headers: Mapping[str, str], name: str) -> str | None:
    lower = name.lower()
    for key, value in headers.items():
        if key.lower() == lower:
            return value
    return None


def _parse(raw: bytes | None) -> tuple[bool, Any]:
    if not raw:
        return False, None
    try:
        return True, json.loads(raw.decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return False, None


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)
