"""
Servers for testing the contract suite: the correct mock behind small ASGI rewriters that either
break one rule or make another documented choice, and a runner that starts the suite against one
of them in a subprocess (exactly as a team would run it against staging).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from truewatch_contract.mock import MockState, create_app, serve

SUITE_DIR = Path(__file__).resolve().parents[2] / "contract_tests"
STATUSES = ("Triage", "Assigned", "Working", "Resolved", "Ignored")
RATE_CODES = ("ft.TriggerApiAkCurrentLimiting", "ft.TriggerApiWorkspaceCurrentLimiting")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass
class Reply:
    """A buffered HTTP answer the rewriter may change."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def set_json(self, value: Any) -> None:
        self.body = json.dumps(value).encode()
        self.headers = [(k, v) for k, v in self.headers if k.lower() != b"content-length"]
        self.headers.append((b"content-length", str(len(self.body)).encode()))


@dataclass
class Call:
    """The request as the rewriter saw it (headers lowercased)."""

    method: str
    path: str
    headers: list[tuple[bytes, bytes]]
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError):
            return None

    def header(self, name: bytes) -> list[bytes]:
        return [v for k, v in self.headers if k.lower() == name]


class Rewriter:
    """
    ASGI middleware around the mock: ``request(call)`` may change the request (or answer it
    directly by returning a `Reply`); ``response(call, reply)`` may change the answer.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    def request(self, call: Call) -> Reply | None:
        return None

    def response(self, call: Call, reply: Reply) -> None:
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/__mock__"):
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        call = Call(scope["method"], scope["path"], list(scope["headers"]), b"".join(chunks))
        direct = self.request(call)
        if direct is not None:
            await _send_reply(send, direct)
            return
        headers = [(k, v) for k, v in call.headers if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(call.body)).encode()))
        inner_scope = {k: v for k, v in scope.items() if k != "raw_path"}
        inner_scope.update(headers=headers, path=call.path)
        sent = False

        async def inner_receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": call.body, "more_body": False}

        reply = Reply(500, [], b"")
        parts: list[bytes] = []

        async def inner_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                reply.status = message["status"]
                reply.headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))

        await self.app(inner_scope, inner_receive, inner_send)
        reply.body = b"".join(parts)
        self.response(call, reply)
        await _send_reply(send, reply)


async def _send_reply(send: Send, reply: Reply) -> None:
    headers = [(k, v) for k, v in reply.headers if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(reply.body)).encode()))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": reply.body})


def _envelope(status: int, error_code: str, message: str) -> Reply:
    body = {
        "code": status,
        "content": None,
        "errorCode": error_code,
        "message": message,
        "success": False,
        "traceId": "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e",
    }
    reply = Reply(status, [(b"content-type", b"application/json")], b"")
    reply.set_json(body)
    return reply


# --- broken servers: each breaks one rule -------------------------------------------------------


class WrongCode(Rewriter):
    """Errors carry ``code: 200`` whatever their HTTP status."""

    def response(self, call: Call, reply: Reply) -> None:
        body = reply.json()
        if isinstance(body, dict) and reply.status != 200:
            reply.set_json({**body, "code": 200})


class HistoryNotAppended(Rewriter):
    """Status changes are applied but the history never grows past what it first showed."""

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.first: dict[str, Any] = {}

    def response(self, call: Call, reply: Reply) -> None:
        body = reply.json()
        content = body.get("content") if isinstance(body, dict) else None
        if reply.status != 200 or not isinstance(content, dict):
            return
        records = content["extend"]["statusChangeRecords"]
        frozen = self.first.setdefault(content["issueID"], records)
        content["extend"]["statusChangeRecords"] = frozen
        reply.set_json(body)


class InvalidStatusAccepted(Rewriter):
    """An ``issueStatus`` outside the enum is answered 200 (the issue as it is)."""

    def request(self, call: Call) -> Reply | None:
        body = call.json()
        status = body.get("issueStatus") if isinstance(body, dict) else None
        if isinstance(status, str) and status not in STATUSES:
            call.body = b"{}"
        return None


class AuthIgnored(Rewriter):
    """Any request is served as if it carried the right key."""

    def __init__(self, app: Any, key: str) -> None:
        super().__init__(app)
        self.key = key.encode()

    def request(self, call: Call) -> Reply | None:
        call.headers = [(k, v) for k, v in call.headers if k.lower() != b"df-api-key"]
        call.headers.append((b"df-api-key", self.key))
        return None


class FaultOnMalformedJson(Rewriter):
    """A body that is not JSON crashes the handler: a 500."""

    def request(self, call: Call) -> Reply | None:
        if call.method == "POST" and call.body and call.json() is None:
            return _envelope(500, "ft.InternalError", "An internal error occurred.")
        return None


class CaseInsensitiveIssue(Rewriter):
    """The issue lookup ignores case: the upper-cased id updates the issue."""

    def request(self, call: Call) -> Reply | None:
        call.path = re.sub(r"(?<=/error_track/)[^/]*(?=/update$)", _lower, call.path)
        return None


def _lower(match: re.Match[str]) -> str:
    return match.group(0).lower()


class ValidHalfWritten(Rewriter):
    """
    A body with an invalid issueStatus and a valid assigner is answered 400, but its assigner
    is written all the same.
    """

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.rejected = False

    def request(self, call: Call) -> Reply | None:
        body = call.json()
        self.rejected = (
            isinstance(body, dict)
            and isinstance(body.get("issueStatus"), str)
            and body["issueStatus"] not in STATUSES
            and isinstance(body.get("assigner"), list)
            and bool(body["assigner"])
            and all(re.fullmatch(r"acnt_[0-9a-f]{32}", str(a)) for a in body["assigner"])
        )
        if self.rejected:
            call.body = json.dumps({"assigner": body["assigner"]}).encode()
        return None

    def response(self, call: Call, reply: Reply) -> None:
        if self.rejected:
            answer = _envelope(400, "ft.InvalidParameter", "issueStatus is not allowed")
            reply.status, reply.headers, reply.body = answer.status, answer.headers, answer.body


# --- correct servers that make other documented choices ---------------------------------------


class OtherChoices(Rewriter):
    """
    401 instead of 403 for a bad key, ``content: {}`` on errors, another ``traceId`` form, extra
    fields in the envelope and in the content: all allowed by the contract.
    """

    def __init__(self, app: Any, trace: Callable[[int], str]) -> None:
        super().__init__(app)
        self.trace = trace
        self.count = 0

    def response(self, call: Call, reply: Reply) -> None:
        body = reply.json()
        if not isinstance(body, dict):
            return
        self.count += 1
        body["traceId"] = self.trace(self.count)
        body["requestCost"] = 3
        if body.get("success") is False:
            body["content"] = {}
            if body.get("errorCode") == "ft.InvalidAPIKey":
                reply.status = 401
                body["code"] = 401
        elif isinstance(body.get("content"), dict):
            body["content"]["extraField"] = {"note": "ignored by clients"}
            body["content"]["labels"] = []
        reply.set_json(body)


class LenientFrontEnd(Rewriter):
    """
    A proxy answers a body above 1 MiB with its own HTML 413 page, and the API takes a JSON body
    whatever media type it is declared as: both only break ``assumed`` rules.
    """

    def request(self, call: Call) -> Reply | None:
        if len(call.body) > 1024 * 1024:
            page = b"<html><head><title>413 Request Entity Too Large</title></head></html>"
            return Reply(413, [(b"content-type", b"text/html")], page)
        call.headers = [(k, v) for k, v in call.headers if k.lower() != b"content-type"]
        call.headers.append((b"content-type", b"application/json"))
        return None


def decimal_trace(n: int) -> str:
    return str(1749091119335873001 + n)


def uuid_trace(n: int) -> str:
    return f"TRACE-6B1F7E2A-4C3D-4E5F-9A8B-{n:012X}"


@dataclass
class SuiteRun:
    """The outcome of one subprocess run of the contract suite."""

    returncode: int
    output: str
    state: MockState
    connection: dict[str, Any]

    def issue(self, issue_id: str) -> dict[str, Any]:
        issue = self.state.get_issue(issue_id)
        assert issue is not None
        return issue


def run_suite(
    wrap: Callable[[Any, dict[str, Any]], Any] | None,
    *args: str,
    env: dict[str, str] | None = None,
    max_examples: int = 30,
    rate_limit: str | None = None,
    timeout: float = 240,
    files: tuple[str, ...] = (),
) -> SuiteRun:
    """Serve the mock (wrapped by `wrap`) and run the contract suite against it in a subprocess."""
    state = MockState.default()
    app = create_app(state, rate_limit=rate_limit)
    info = state.connection_info("http://127.0.0.1")
    served = wrap(app, info) if wrap is not None else app
    server = serve(served, log_level="error")
    try:
        info = state.connection_info(server.base_url)
        child_env = {
            k: v for k, v in os.environ.items() if not k.startswith(("TRUEWATCH_", "PYTEST_"))
        }
        child_env.update(
            {
                "TRUEWATCH_BASE_URL": info["base_url"],
                "TRUEWATCH_API_KEY": info["api_key"],
                "TRUEWATCH_ISSUE_ID": info["issue_id"],
                "TRUEWATCH_ASSIGNEES": ",".join(info["assignees"]),
                "TRUEWATCH_FOREIGN_API_KEY": info["foreign_api_key"],
                "TRUEWATCH_FOREIGN_ISSUE_ID": info["foreign_issue_id"],
                "TRUEWATCH_MAX_EXAMPLES": str(max_examples),
            }
        )
        child_env.update(env or {})
        command = [
            sys.executable,
            "-m",
            "pytest",
            *([str(SUITE_DIR / name) for name in files] or [str(SUITE_DIR)]),
            "-q",
            "-p",
            "no:cacheprovider",
            "--tb=short",
            *args,
        ]
        done = subprocess.run(
            command,
            env=child_env,
            cwd=tempfile.gettempdir(),  # any directory: the suite needs no config file
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return SuiteRun(done.returncode, done.stdout + done.stderr, state, info)
    finally:
        server.stop()


def secrets_absent(run: SuiteRun) -> bool:
    keys = [run.connection["api_key"], run.connection["foreign_api_key"]]
    return not any(key and key in run.output for key in keys)


def broken_rules(output: str) -> set[str]:
    """The rule ids a failure message names (``the contract is broken: a.b, c.d``)."""
    found: set[str] = set()
    for match in re.finditer(r"the contract is broken: ([a-z.\-, ]+)", output):
        found.update(part.strip() for part in match.group(1).split(",") if part.strip())
    return found
