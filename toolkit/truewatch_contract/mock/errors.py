"""
The one place that renders the platform's envelope, for successes and for every error.

Every answer of the mock's API is ``{"code", "content", "errorCode", "message", "success",
"traceId"}`` served as ``application/json``: ``code`` equals the HTTP status, ``success`` is true
exactly for 200, ``errorCode`` is ``""`` exactly on success, ``message`` is ``""`` on success,
``content`` is ``null`` on every error (the platform's pages allow ``{}`` too; the mock picks one)
and ``traceId`` is 32 lowercase hex, new for every response.

The bytes are assembled from pre-encoded pieces: the envelope is on the hot path of every request.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii

from truewatch_contract.limits import BODY_LIMIT  # the project's own (docs/contract-decisions.md)

JSON_CONTENT_TYPE = b"application/json"


@dataclass(frozen=True)
class ErrorKind:
    """One kind of error answer: its HTTP status, its ``errorCode`` and its default message."""

    status: int
    error_code: str
    message: str


# The codes the spec's error examples name, plus the platform's documented ones.
INVALID_API_KEY = ErrorKind(403, "ft.InvalidAPIKey", "The DF-API-KEY header is missing or invalid.")
KEY_RATE_LIMIT = ErrorKind(
    401, "ft.TriggerApiAkCurrentLimiting", "The API key's rate limit was reached; retry later."
)
WORKSPACE_RATE_LIMIT = ErrorKind(
    401,
    "ft.TriggerApiWorkspaceCurrentLimiting",
    "The workspace's rate limit was reached; retry later.",
)
INVALID_PARAMETER = ErrorKind(400, "ft.InvalidParameter", "The request is invalid.")
NOT_FOUND_ISSUE = ErrorKind(404, "ft.NotFoundIssue", "The issue was not found.")
NOT_FOUND_ROUTE = ErrorKind(404, "ft.RouterNotFound", "The route does not exist.")
METHOD_NOT_ALLOWED = ErrorKind(405, "ft.MethodNotAllowed", "The method is not allowed.")
TOO_LARGE = ErrorKind(
    413,
    "ft.RequestEntityTooLarge",
    f"The request body is larger than {BODY_LIMIT} bytes.",
)
INTERNAL_ERROR = ErrorKind(500, "ft.InternalError", "An internal error occurred.")


# A trace id names an answer; it guards no secret. Drawn from a generator of the mock's own,
# seeded by the OS: `os.urandom` is a system call on every answer, and the module-level `random`
# is the one that Hypothesis seeds again for every example of a suite run in the same process.
_trace_bits = random.Random(os.urandom(32)).getrandbits
# The C function behind ``json.dumps(text)``, without building an encoder on each call: the same
# bytes (ASCII, every non-ASCII character escaped).
_quote = encode_basestring_ascii


def new_trace_id() -> str:
    """A fresh trace id: 32 lowercase hex characters."""
    return f"{_trace_bits(128):032x}"


def render_envelope(
    status: int,
    content_json: str,
    error_code: str,
    message: str,
    *,
    success: bool | None = None,
    trace_id: str | None = None,
) -> bytes:
    """
    Render an envelope as bytes.

    ``content_json`` is the already-serialised ``content`` (``"null"`` on errors). ``success``
    defaults to ``status == 200``; ``trace_id`` to a new one.
    """
    ok = status == 200 if success is None else success
    if ok and status == 200 and not error_code and not message and trace_id is None:
        # The hot path: a success needs no escaping at all.
        return (
            f'{{"code":200,"content":{content_json},"errorCode":"","message":"",'
            f'"success":true,"traceId":"{new_trace_id()}"}}'
        ).encode()
    trace = new_trace_id() if trace_id is None else trace_id
    text = (
        f'{{"code":{status},"content":{content_json},"errorCode":{_quote(error_code)},'
        f'"message":{_quote(message)},"success":{"true" if ok else "false"},'
        f'"traceId":{_quote(trace)}}}'
    )
    return text.encode("utf-8")


def render_error(kind: ErrorKind, message: str | None = None) -> bytes:
    """Render the envelope of an error of ``kind`` (its default message unless one is given)."""
    return render_envelope(
        kind.status, "null", kind.error_code, kind.message if message is None else message
    )
