"""
What a request carried, so that an answer repeating it is not taken for a leak of internals.

A server may echo the client's own input (``unknown field(s): foo, psycopg`` to a body with a
field ``psycopg``). ``envelope.no-internal-detail`` discounts exactly those tokens: the body's keys
and string values (each also split at whitespace), its numbers, and the path's segments, each
matched in the message as a whole token. Anything else that looks like internals stays a leak.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

_WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class SentRequest:
    """
    The raw request an answer responds to (``sent=`` of the response validators).

    Attributes:
        path: the request's path, e.g. ``/api/v1/error_track/issue/update/<id>`` (a query string
            or fragment is ignored).
        body: the body as sent: raw bytes, text, or the parsed JSON value.
    """

    path: str = ""
    body: bytes | str | Any = None

    def __post_init__(self) -> None:
        if not isinstance(self.path, str):
            raise TypeError(f"SentRequest.path must be a string, not {type(self.path).__name__}")

    def tokens(self) -> frozenset[str]:
        """Every token the request carried: path segments, body keys and values."""
        found: set[str] = set()
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        found.update(unquote(segment) for segment in path.split("/") if segment)
        body = self.body
        if isinstance(body, (bytes, bytearray, memoryview)):
            body = bytes(body).decode("utf-8", "replace")
        if isinstance(body, str):
            try:
                body = json.loads(body)
            except (ValueError, RecursionError):
                # Not JSON (or too deep to parse): its words are what it carried.
                _add_text(found, body)
                found.update(_WORDS.findall(body))
                body = None
        _add_value(found, body)
        return frozenset(token for token in found if token.strip())


def _add_text(found: set[str], text: str) -> None:
    found.add(text)
    found.update(text.split())


def _add_value(found: set[str], value: Any) -> None:
    stack = [value]  # iterative: a body may be nested deeper than the interpreter's stack
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            _add_text(found, item)
        elif isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str):
                    _add_text(found, key)
                stack.append(child)
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, (int, float)) and not isinstance(item, bool):
            try:
                found.add(json.dumps(item))
            except ValueError:  # an integer beyond the interpreter's digit limit
                continue
