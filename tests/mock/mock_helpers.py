"""Helpers of the mock's tests: raw HTTP, and the checks every API answer must pass."""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from truewatch_contract import validate_envelope, validate_response
from truewatch_contract.mock.seed import (
    DEFAULT_API_KEY,
    FOREIGN_API_KEY,
    FOREIGN_ISSUE_ID,
    PAGE_ISSUE_ID,
)

TRACE_ID = re.compile(r"[0-9a-f]{32}")
LEAKS = ("Traceback", 'File "', "Exception", "Error:", "line ", "site-packages", "starlette")


@dataclass
class Reply:
    status: int
    headers: dict[str, list[str]]
    body: bytes

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[0] if values else None

    def json(self) -> Any:
        return json.loads(self.body)


def raw_request(
    base_url: str,
    method: str,
    path: str,
    headers: Sequence[tuple[str, str]] = (),
    body: bytes | None = None,
    *,
    chunked: Sequence[bytes] | None = None,
) -> Reply:
    """One request over a fresh connection, headers exactly as given (duplicates included)."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        if chunked is not None:
            connection.putheader("Transfer-Encoding", "chunked")
            connection.endheaders()
            for chunk in chunked:
                connection.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            connection.send(b"0\r\n\r\n")
        else:
            if body is not None:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
        response = connection.getresponse()
        payload = response.read()
        grouped: dict[str, list[str]] = {}
        for name, value in response.getheaders():
            grouped.setdefault(name.lower(), []).append(value)
        return Reply(response.status, grouped, payload)
    finally:
        connection.close()


def api_path(issue_id: str = PAGE_ISSUE_ID) -> str:
    return f"/api/v1/error_track/{issue_id}/update"


def post(
    base_url: str,
    body: Any,
    *,
    issue_id: str = PAGE_ISSUE_ID,
    key: str | None = DEFAULT_API_KEY,
    content_type: str = "application/json",
) -> Reply:
    headers = [("Content-Type", content_type)]
    if key is not None:
        headers.append(("DF-API-KEY", key))
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return raw_request(base_url, "POST", api_path(issue_id), headers, raw)


def check_envelope(reply: Reply, *, method: str = "POST") -> dict[str, Any] | None:
    """Every answer of the API: the envelope, exactly as docs/contract-decisions.md reads it."""
    assert reply.status < 500, f"a server error: {reply.status} {reply.body[:200]!r}"
    content_type = reply.header("content-type") or ""
    assert content_type.split(";")[0].strip() == "application/json", content_type
    if method == "HEAD":
        assert reply.body == b""
        return None
    envelope = json.loads(reply.body)
    assert isinstance(envelope, dict)
    assert validate_envelope(envelope, status_code=reply.status, include_assumed=True) == []
    assert envelope["code"] == reply.status
    assert envelope["success"] is (reply.status == 200)
    assert TRACE_ID.fullmatch(envelope["traceId"]), envelope["traceId"]
    if reply.status == 200:
        assert envelope["errorCode"] == "" and envelope["message"] == ""
        assert (
            validate_response(
                envelope, status_code=200, content_type=content_type, include_assumed=True
            )
            == []
        )
    else:
        assert envelope["content"] is None
        assert envelope["errorCode"].startswith("ft.")
        assert envelope["message"]
        for leak in LEAKS:
            assert leak not in envelope["message"], envelope["message"]
    return envelope


__all__ = [
    "DEFAULT_API_KEY",
    "FOREIGN_API_KEY",
    "FOREIGN_ISSUE_ID",
    "PAGE_ISSUE_ID",
    "Reply",
    "api_path",
    "check_envelope",
    "post",
    "raw_request",
]
