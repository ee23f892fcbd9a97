"""
`Exchange`: one request as it was sent and its answer as it was received.

The library's one exchange type. The contract suite builds it from what it sent, the Schemathesis
check and the request hooks from their HTTP library's objects, the proxy from the bytes it
forwarded; the judge reads it, the run record keeps it, and a failure shows it as a curl line
(`Exchange.curl`). Nothing here imports an HTTP library.
"""

from __future__ import annotations

import dataclasses
import shlex
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, TypeVar, overload
from urllib.parse import unquote, urlsplit

from truewatch_contract.jsonscan import loads_plain
from truewatch_contract.redaction import AUTH_HEADER, Redactor
from truewatch_contract.spec import ROUTE

# The route as the spec names it, split around its one parameter.
ROUTE_PREFIX, ROUTE_SUFFIX = ROUTE.split("{issue_id}")
_ROUTE_LENGTH = len(ROUTE_PREFIX) + len(ROUTE_SUFFIX)
#: A curl reproduction shows at most this much of the body (a 1 MiB body makes no useful line).
CURL_DATA_LIMIT = 2048
#: Headers a curl line leaves out: curl sets them itself.
_CURL_SKIPS = frozenset({"content-length", "accept-encoding", "connection", "user-agent", "host"})

_T = TypeVar("_T")


class _once(Generic[_T]):
    """
    `functools.cached_property` without its lock (before Python 3.12 it takes one on every first
    read, a cost the judge paid three times per exchange): the value is computed from the frozen
    exchange alone, so two threads that compute it at once store the same thing. Kept, as there,
    in the instance's ``__dict__`` under the property's name (`dataclasses.replace` starts anew).
    """

    def __init__(self, function: Callable[[Any], _T]) -> None:
        self.function = function
        self.name = function.__name__
        self.__doc__ = function.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> _once[_T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> _T: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> _T | _once[_T]:
        if instance is None:
            return self
        value = self.function(instance)
        instance.__dict__[self.name] = value
        return value


@dataclasses.dataclass(frozen=True)
class Exchange:
    """
    One request and its answer (``status is None``: no answer; `error` says why).

    Attributes:
        method: the request's method, as sent.
        path: the request target: the path and the query string, as sent.
        request_headers: the request's headers (a repeated header's values joined by ``", "``).
        request_body: the request's body bytes (None: no body).
        status: the answer's HTTP status (None: no answer).
        response_headers: the answer's headers.
        response_body: the answer's body bytes.
        base_url: where the request went (``https://host``; ``""`` when unknown).
        sent_at, received_at: the client's clock (epoch seconds) when the request left and when
            the answer came back, when known (the clock rules apply only then).
        elapsed_ms: how long the answer took.
        error: why there is no answer (a network error), for a person.
    """

    method: str
    path: str
    request_headers: Mapping[str, str]
    request_body: bytes | None
    status: int | None
    response_headers: Mapping[str, str]
    response_body: bytes | None
    base_url: str = ""
    sent_at: float | None = None
    received_at: float | None = None
    elapsed_ms: float = 0.0
    error: str | None = None

    @classmethod
    def to_url(cls, url: str, **fields: Any) -> Exchange:
        """An exchange whose request went to `url` (split into `base_url` and `path`)."""
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        base = f"{parts.scheme}://{parts.netloc}" if parts.scheme else ""
        return cls(path=path, base_url=base, **fields)

    @property
    def url(self) -> str:
        """The request's full URL (its path alone when the base URL is unknown)."""
        return self.base_url + self.path

    @_once
    def issue_id(self) -> str | None:
        """The route's issue_id (decoded), or None when the path is not the update route."""
        path = self.path
        if "?" in path or "#" in path:
            path = path.split("?", 1)[0].split("#", 1)[0]
        if len(path) < _ROUTE_LENGTH or not (
            path.startswith(ROUTE_PREFIX) and path.endswith(ROUTE_SUFFIX)
        ):
            return None
        segment = path[len(ROUTE_PREFIX) : -len(ROUTE_SUFFIX)]
        return unquote(segment) if "%" in segment else segment

    @property
    def on_route(self) -> bool:
        """Whether the request was for the update route (an issue_id, maybe an empty one)."""
        return self.issue_id is not None

    def header(self, name: str) -> str | None:
        """A request header (any case of its name), or None."""
        return self._request_names.get(name.lower())

    def response_header(self, name: str) -> str | None:
        """A response header (any case of its name), or None."""
        return _find(self.response_headers, name)

    @_once
    def _request_names(self) -> dict[str, str]:
        # Looked up several times per judgement: lowered once (the first of a repeated name wins).
        found: dict[str, str] = {}
        for key, value in self.request_headers.items():
            found.setdefault(key.lower(), value)
        return found

    @property
    def media_type(self) -> str:
        """The request's media type, lowercased, without parameters (``""`` when not sent)."""
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    def clock_window(self) -> tuple[float, float] | None:
        """The client's clock around the request, for the library's clock rules."""
        if self.sent_at is None or self.received_at is None:
            return None
        return (self.sent_at, max(self.sent_at, self.received_at))

    def json_body(self) -> tuple[bool, Any]:
        """``(True, value)`` when the answer's body is JSON, else ``(False, None)``."""
        return self._received[:2]

    @property
    def json_body_plain(self) -> bool:
        """
        Whether the answer's JSON value (`json_body`) is certainly plain JSON no deeper than
        `jsonscan.MAX_DEPTH` (`jsonscan.loads_plain`): the validators need not scan it again.
        """
        return self._received[2]

    # Parsed once per exchange (the judge, the record and the failure text all read it); the
    # cache lives in the instance, so `dataclasses.replace` starts a fresh one.
    @_once
    def _received(self) -> tuple[bool, Any, bool]:
        raw = self.response_body
        if not raw:
            return False, None, False
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("utf-8", "replace")
        try:
            return (True, *loads_plain(text))
        except (ValueError, RecursionError):
            return False, None, False

    def curl(self, redactor: Redactor) -> str:
        """A curl line that sends this request again, with the API key shown as ``[redacted]``."""
        parts = ["curl", "-X", self.method.upper(), shlex.quote(redactor.text(self.url))]
        for name, value in redactor.headers(self.request_headers).items():
            if name.lower() not in _CURL_SKIPS:
                parts += ["-H", shlex.quote(f"{name}: {value}")]
        if self.request_body:
            text = self.request_body.decode("utf-8", "replace")
            parts += ["--data-raw", shlex.quote(truncated(redactor.text(text), CURL_DATA_LIMIT))]
        return " ".join(parts)


def truncated(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, saying how many bytes were left out."""
    if len(text) <= limit:
        return text
    data = text.encode("utf-8", "replace")
    for keep in range(limit, -1, -1):
        # The note's own length depends on the count: shrink until the whole fits the limit.
        head = text[:keep]
        note = f"…[truncated {len(data) - len(head.encode('utf-8', 'replace'))} bytes]"
        if keep + len(note) <= limit:
            return head + note
    return text[:limit]  # pragma: no cover - limit smaller than any note


def _find(headers: Mapping[str, str], name: str) -> str | None:
    lower = name.lower()
    for key, value in headers.items():
        if key.lower() == lower:
            return value
    return None


def joined_headers(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """
    Headers as the judge reads them: a repeated name's values joined by ``", "`` under its first
    spelling; a ``DF-API-KEY`` repeated with the same value is one key (the contract refuses only
    different values).
    """
    out: dict[str, str] = {}
    names: dict[str, str] = {}
    for name, value in pairs:
        lower = name.lower()
        first = names.get(lower)
        if first is None:
            names[lower] = name
            out[name] = value
        elif lower == _AUTH_NAME and value in out[first].split(", "):
            continue
        else:
            out[first] = f"{out[first]}, {value}"
    return out


_AUTH_NAME = AUTH_HEADER.lower()
