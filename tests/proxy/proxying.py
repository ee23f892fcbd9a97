"""
Helpers of the proxy's tests: the proxy as a user starts it (`Proxy`: ``truewatch-contract proxy``
in a subprocess, its first line read, stopped with a signal, its reports read back), and a client
that knows nothing of the contract (`battery`): ordinary updates, every fault, several at once,
wrong keys, other methods and routes, and garbage on the wire.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

MIB = 1024 * 1024


@dataclass
class Stopped:
    """A proxy run, ended: its exit code, output, and its reports (read when it stopped)."""

    returncode: int
    stdout: str
    stderr: str
    report_dir: Path
    files: dict[str, str] = field(default_factory=dict)

    @property
    def report(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.files["report.json"])
        return data

    def broken(self) -> set[str]:
        return {failure["rule"] for failure in self.report["failures"]}

    def everything(self) -> str:
        """Every text the run wrote: stdout, stderr, every report."""
        return "\n".join([self.stdout, self.stderr, *self.files.values()])


@dataclass
class Proxy:
    """``truewatch-contract proxy`` in a subprocess: a context manager yielding itself."""

    upstream: str
    report_dir: Path
    args: list[str] = field(default_factory=list)
    env: dict[str, str] | None = None
    process: subprocess.Popen[str] | None = None
    base_url: str = ""
    first_line: dict[str, Any] = field(default_factory=dict)
    stopped: Stopped | None = None

    def __enter__(self) -> Proxy:
        env = {k: v for k, v in (self.env or os.environ).items() if k != "GITHUB_STEP_SUMMARY"}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "truewatch_contract.cli",
                "proxy",
                "--upstream",
                self.upstream,
                "--port",
                "0",
                "--report-dir",
                str(self.report_dir),
                *self.args,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            self.process.wait(30)
            raise AssertionError(f"the proxy did not start: {self.process.stderr.read()}")  # type: ignore[union-attr]
        self.first_line = json.loads(line)
        self.base_url = self.first_line["base_url"]
        return self

    def url(self, path: str) -> str:
        return self.base_url + path

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 120) -> Stopped:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
        stdout, stderr = self.process.communicate(timeout=timeout)
        files = (
            {p.name: p.read_text(encoding="utf-8") for p in sorted(self.report_dir.iterdir())}
            if self.report_dir.is_dir()
            else {}
        )
        self.stopped = Stopped(self.process.returncode, stdout, stderr, self.report_dir, files)
        return self.stopped

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            if exc[0] is None:
                self.stop()
            else:
                self.process.kill()
                self.process.communicate(timeout=30)


# -- a client that knows nothing of the contract ------------------------------------------------


@dataclass(frozen=True)
class Data:
    """What an application knows of its own workspace: a key, an issue, an account."""

    key: str
    issue: str
    assignee: str
    other_issue: str | None = None  # another workspace's issue, when the application has one


def route(issue: str) -> str:
    return f"/api/v1/error_track/{issue}/update"


def battery(base_url: str, data: Data) -> list[int | None]:
    """
    Send the battery; return each answer's status (None: the proxy closed the connection, as
    it does for garbage).
    """
    statuses: list[int | None] = []
    session = requests.Session()
    ok = {"DF-API-KEY": data.key, "Content-Type": "application/json"}

    def send(
        method: str,
        issue_or_path: str,
        body: bytes | None = None,
        headers: dict[str, str] | list[tuple[str, str]] | None = None,
    ) -> None:
        path = issue_or_path if issue_or_path.startswith("/") else route(issue_or_path)
        prepared = session.prepare_request(requests.Request(method, base_url + path, data=body))
        pairs = (
            list(ok.items())
            if headers is None
            else (list(headers.items()) if isinstance(headers, dict) else headers)
        )
        from urllib3._collections import HTTPHeaderDict

        merged = HTTPHeaderDict()
        for name, value in pairs:
            merged.add(name, value)
        if body is not None:
            merged["Content-Length"] = str(len(body))
        prepared.headers = merged  # type: ignore[assignment]
        statuses.append(session.send(prepared, timeout=30).status_code)

    def js(value: Any) -> bytes:
        return json.dumps(value).encode()

    issue = data.issue
    # Ordinary updates.
    send("POST", issue, js({}))
    send("POST", issue, js({"issueStatus": "Working"}))
    send("POST", issue, js({"issueStatus": "Working"}))  # the same status again
    send("POST", issue, js({"assigner": [data.assignee]}))
    send("POST", issue, js({"issueStatus": "Resolved", "assigner": [data.assignee]}))
    send("POST", issue, js({"issueStatus": "Triage", "note": "unknown field"}))
    send(
        "POST",
        issue,
        js({"issueStatus": "Ignored"}),
        {"DF-API-KEY": data.key, "Content-Type": "application/json;charset=UTF-8"},
    )
    # Every fault, one at a time.
    for method in ("GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"):
        send(method, issue, None if method in ("GET", "HEAD", "DELETE") else js({}))
    send("POST", "/api/v1/error_track//update", js({"issueStatus": "Working"}))
    send("POST", issue, js({"issueStatus": "Working"}), {"Content-Type": "application/json"})
    send("POST", issue, js({"issueStatus": "Working"}), {"DF-API-KEY": "", **_json()})
    send("POST", issue, js({"issueStatus": "Working"}), {"DF-API-KEY": "tkn_guess", **_json()})
    send(
        "POST",
        issue,
        js({"issueStatus": "Working"}),
        [
            ("DF-API-KEY", data.key),
            ("DF-API-KEY", "tkn_other"),
            ("Content-Type", "application/json"),
        ],
    )
    send("POST", "not-an-id", js({"issueStatus": "Working"}))
    send("POST", issue.upper(), js({"issueStatus": "Working"}))
    send("POST", "f" * 32, js({"issueStatus": "Working"}))  # well formed, no such issue
    if data.other_issue:
        send("POST", data.other_issue, js({"issueStatus": "Working"}))
    send("POST", issue, b"{not json")
    send("POST", issue, js([1, 2]))
    send("POST", issue, js("Working"))
    send("POST", issue, js({"issueStatus": "level"}))
    send("POST", issue, js({"issueStatus": None}))
    send("POST", issue, js({"assigner": []}))
    send("POST", issue, js({"assigner": ["acnt_NOT_AN_ID"]}))
    send(
        "POST",
        issue,
        js({"issueStatus": "Working"}),
        {"DF-API-KEY": data.key, "Content-Type": "text/plain"},
    )
    send("POST", issue, js({"issueStatus": "Working"}), {"DF-API-KEY": data.key})  # no type
    send("POST", issue, b'{"issueStatus": "Work\xffing"}')  # not UTF-8
    send("POST", issue, b"[" * 600 + b"]" * 600)  # deeper than 512 levels
    send("POST", issue, b'{"issueStatus": "' + b"x" * (MIB + 10) + b'"}')  # above 1 MiB
    # Several faults at once.
    send("POST", issue, js({"issueStatus": "level"}), {"DF-API-KEY": "tkn_guess", **_json()})
    send("POST", "e" * 32, js({"assigner": []}))
    send("POST", "not-an-id", b"{not json", {"DF-API-KEY": "", **_json()})
    send("GET", "0" * 32, None, {"DF-API-KEY": "tkn_guess"})
    send(
        "POST",
        issue,
        js({"issueStatus": "level"}),
        {"DF-API-KEY": data.key, "Content-Type": "text/plain"},
    )
    # Other routes.
    send("POST", "/", js({}))
    send("GET", "/api/v1/error_track", None)
    send("POST", f"/api/v1/error_track/{issue}/delete", js({}))
    # Garbage on the wire (the proxy answers it, or the connection simply ends).
    statuses.append(raw(base_url, b"garbage\r\n\r\n"))
    statuses.append(
        raw(
            base_url,
            f"POST {route(issue)} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{{".encode(),
            close=True,
        )
    )
    statuses.append(
        raw(base_url, b"GET / HTTP/1.1\r\nHost: x\r\nX-Huge: " + b"a" * (200 * 1024) + b"\r\n\r\n")
    )
    # Ordinary again: the proxy served on.
    send("POST", issue, js({"issueStatus": "Working"}))
    session.close()
    return statuses


def _json() -> dict[str, str]:
    return {"Content-Type": "application/json"}


def raw(base_url: str, data: bytes, *, close: bool = False) -> int | None:
    """Send bytes as they are; the answer's status, or None when the connection just ended."""
    parts = urlsplit(base_url)
    with socket.create_connection(
        (parts.hostname or "127.0.0.1", parts.port or 80), timeout=10
    ) as sock:
        sock.sendall(data)
        if close:
            sock.shutdown(socket.SHUT_WR)
        try:
            head = sock.recv(65536)
        except (ConnectionResetError, TimeoutError, OSError):
            return None
    if not head.startswith(b"HTTP/1."):
        return None
    return int(head.split(b" ", 2)[1])


# -- upstreams of the tests' own ------------------------------------------------------------------


class Upstream:
    """
    A loopback HTTP server whose answers a test chooses (`handler(request) -> answer`); it keeps
    every request as it arrived (`seen`): the request line's target byte for byte, the headers
    with their case and repeats, the body.
    """

    def __init__(self, handler: Any) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        seen: list[dict[str, Any]] = []
        self.seen = seen

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return None

            def __getattr__(self, name: str) -> Any:
                if name.startswith("do_"):
                    return self._serve
                raise AttributeError(name)

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = {
                    "method": self.command,
                    "target": self.path,
                    "headers": list(self.headers.items()),
                    "body": body,
                }
                seen.append(request)
                status, headers, payload = handler(request)
                self.send_response_only(status)
                for name, value in headers:
                    self.send_header(name, value)
                if not any(name.lower() == "content-length" for name, _ in headers):
                    self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Upstream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def free_port() -> int:
    """A loopback port nobody listens on (now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ordinary_updates(base_url: str, data: Data) -> list[int]:
    """What an application sends all day: start work, assign and resolve, a typo, a stale id."""
    headers = {"DF-API-KEY": data.key}
    bodies: list[tuple[str, Any]] = [
        (data.issue, {"issueStatus": "Working"}),
        (data.issue, {"issueStatus": "Resolved", "assigner": [data.assignee]}),
        (data.issue, {"issueStatus": "resolved"}),
        ("0" * 32, {"issueStatus": "Working"}),
        (data.issue, {}),
    ]
    with requests.Session() as session:
        return [
            session.post(
                base_url + route(issue), json=body, headers=headers, timeout=30
            ).status_code
            for issue, body in bodies
        ]
