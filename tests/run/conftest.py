"""Shared fixtures of the runner's tests: synthetic run records and a report directory."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

SECRET = "sk-live-DO-NOT-LEAK-3f9a1c0e77"
ISSUE = "0123456789abcdef0123456789abcdef"
ACCOUNT = "acnt_" + "a" * 32
HOSTILE = '<script>alert("x")</script><img src=https://evil.example/x.png>'


def _response(status: int, body: Any, elapsed: float = 3.5) -> dict[str, Any]:
    return {
        "status": status,
        "headers": {"content-type": "application/json"},
        "body": body,
        "text": None,
        "elapsed_ms": elapsed,
    }


def _envelope(code: int, error_code: str = "", content: Any = None) -> dict[str, Any]:
    return {
        "code": code,
        "content": content,
        "errorCode": error_code,
        "message": "" if code == 200 else "bad",
        "success": code == 200,
        "traceId": "t-1",
    }


def exchange(
    t: float,
    body: Any,
    status: int | None,
    *,
    test: str = "contract_tests/test_update.py::test_fuzz",
    phase: str = "fuzzing",
    error_code: str = "",
    checked: tuple[str, ...] = ("envelope.code-matches-status", "envelope.trace-id"),
    violations: tuple[dict[str, Any], ...] = (),
    relaxed: tuple[dict[str, Any], ...] = (),
    elapsed: float = 3.5,
) -> dict[str, Any]:
    return {
        "kind": "exchange",
        "t": t,
        "test": test,
        "phase": phase,
        "mode": "positive",
        "request": {
            "method": "POST",
            "path": f"/api/v1/error_track/{ISSUE}/update",
            "headers": {"DF-API-KEY": "[redacted]", "Content-Type": "application/json"},
            "body": body,
            "body_text": None,
        },
        "response": None
        if status is None
        else _response(status, _envelope(status, error_code), elapsed),
        "error": "Connection refused" if status is None else None,
        "checked": list(checked),
        "violations": list(violations),
        "relaxed_violations": list(relaxed),
        "input": _input(body),
        "curl": (
            "curl -X POST -H 'DF-API-KEY: [redacted]' "
            f"http://127.0.0.1/api/v1/error_track/{ISSUE}/update -d '{json.dumps(body)}'"
        ),
    }


def _input(body: Any) -> dict[str, Any]:
    """What the suite's judge records of the request rules for a body it sent."""
    from truewatch_contract.validate import request_findings

    found, checked, _ = request_findings(body)
    return {"checked": sorted(checked), "violations": [v.to_dict() for v in found]}


def violation(
    rule: str, message: str, tag: str = "documented", pointer: str = ""
) -> dict[str, Any]:
    return {"rule": rule, "pointer": pointer, "message": message, "tag": tag}


def run_line(
    relaxed: list[str] | None = None, started_at: float = 1_790_000_000.0
) -> dict[str, Any]:
    return {
        "kind": "run",
        "target": "mock",
        "mutant": None,
        "seed": 42,
        "max_examples": 10,
        "relaxed": relaxed or [],
        "started_at": started_at,
    }


def test_line(
    nodeid: str, outcome: str = "passed", when: str = "call", message: str | None = None
) -> dict[str, Any]:
    return {
        "kind": "test",
        "test": nodeid,
        "when": when,
        "outcome": outcome,
        "duration": 0.5,
        "message": message,
        "at": 1_790_000_001.0,
    }


def passing_lines() -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = [
        {"kind": "session", "event": "start", "at": 1_790_000_000.0},
        run_line(),
    ]
    statuses = ["Triage", "Assigned", "Working", "Resolved", "Ignored"]
    for i, status in enumerate(statuses):
        lines.append(
            exchange(0.1 * i, {"issueStatus": status, "assigner": [ACCOUNT]}, 200, elapsed=2 + i)
        )
    lines.append(exchange(0.6, {"issueStatus": "level"}, 400, error_code="ft.InvalidIssueStatus"))
    lines.append(exchange(0.7, {"assigner": []}, 400, error_code="ft.InvalidAssigner"))
    lines.append(exchange(0.8, {"assigner": None}, 400, error_code="ft.InvalidAssigner"))
    lines.append(exchange(0.9, [1, 2], 400, error_code="ft.InvalidBody"))
    lines.append(
        {
            "kind": "behaviour",
            "t": 1.0,
            "test": "contract_tests/test_auth.py::test_no_key",
            "rule": "behaviour.auth-required",
            "held": True,
            "message": "403 as required",
            "tag": "documented",
            "relaxed": False,
        }
    )
    lines.append(test_line("contract_tests/test_update.py::test_fuzz"))
    lines.append(test_line("contract_tests/test_auth.py::test_no_key"))
    lines.append({"kind": "session", "event": "finished", "exitstatus": 0, "at": 1_790_000_002.0})
    return lines


def failing_lines() -> list[dict[str, Any]]:
    lines = passing_lines()[:-3]
    lines.append(
        exchange(
            1.2,
            {"issueStatus": HOSTILE, "note": SECRET},
            201,
            violations=(
                violation(
                    "envelope.code-matches-status",
                    f"code is 201 but the HTTP status is 200 {HOSTILE}",
                    pointer="/code",
                ),
            ),
            relaxed=(
                violation("behaviour.unknown-fields-ignored", "note was rejected", tag="assumed"),
            ),
        )
    )
    lines.append(
        {
            "kind": "behaviour",
            "t": 1.3,
            "test": "contract_tests/test_auth.py::test_no_key",
            "rule": "behaviour.auth-required",
            "held": False,
            "message": "no key was answered 200",
            "tag": "documented",
            "relaxed": False,
        }
    )
    lines.append(
        test_line(
            "contract_tests/test_update.py::test_fuzz",
            "failed",
            message=f"E   AssertionError: DF-API-KEY: {SECRET}\nE   code 201 {HOSTILE}",
        )
    )
    lines.append(
        test_line(
            "contract_tests/test_auth.py::test_no_key",
            "failed",
            message="E   behaviour.auth-required broke",
        )
    )
    lines.append({"kind": "session", "event": "finished", "exitstatus": 1, "at": 1_790_000_002.0})
    return lines


def write_lines(path: Path, lines: list[dict[str, Any]], tail: str = "") -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines) + tail, encoding="utf-8")
    return path


@pytest.fixture
def record_file(tmp_path: Path) -> Callable[..., Path]:
    def make(kind: str = "passing", tail: str = "") -> Path:
        lines = passing_lines() if kind == "passing" else failing_lines()
        return write_lines(tmp_path / f"{kind}.jsonl", lines, tail)

    return make


def page_references(page: str) -> dict[str, list[str]]:
    """
    What an HTML page could load: URL attributes, CSS ``url()``/``@import``, and the tags that
    fetch or run things. Parsed, not grepped: escaped text that merely mentions a URL is fine.
    """
    from html.parser import HTMLParser

    found: dict[str, list[str]] = {"urls": [], "tags": [], "css": [], "csp": []}
    url_attributes = {
        "src",
        "href",
        "action",
        "formaction",
        "poster",
        "data",
        "srcset",
        "xlink:href",
        "background",
        "manifest",
        "ping",
    }

    class Parser(HTMLParser):
        in_style = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in {
                "script",
                "link",
                "iframe",
                "img",
                "object",
                "embed",
                "base",
                "audio",
                "video",
                "source",
                "frame",
                "form",
            }:
                found["tags"].append(tag)
            values = dict(attrs)
            if (
                tag == "meta"
                and (values.get("http-equiv") or "").lower() == "content-security-policy"
            ):
                found["csp"].append(values.get("content") or "")
            for name, value in attrs:
                if name in url_attributes and value is not None:
                    found["urls"].append(value)
                if name == "style" and value and ("url(" in value or "@import" in value):
                    found["css"].append(value)
            self.in_style = tag == "style"

        def handle_endtag(self, tag: str) -> None:
            self.in_style = False

        def handle_data(self, data: str) -> None:
            if self.in_style and ("url(" in data or "@import" in data):
                found["css"].append(data)

    Parser().feed(page)
    return found


@pytest.fixture
def synthetic() -> Any:
    """The builders of synthetic records (tests import nothing from conftest under importlib)."""
    import types

    return types.SimpleNamespace(
        SECRET=SECRET,
        HOSTILE=HOSTILE,
        passing_lines=passing_lines,
        failing_lines=failing_lines,
        write_lines=write_lines,
        exchange=exchange,
        violation=violation,
        test_line=test_line,
        run_line=run_line,
        page_references=page_references,
        decode_png=decode_png,
    )


@pytest.fixture
def unused_port() -> int:
    """A local port nobody listens on (bound, then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


class CodeIsWrong:
    """
    A deliberately broken server: the correct mock, except that a successful answer says
    ``"code": 201`` (breaks ``envelope.code-matches-status``). A tiny ASGI wrapper.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            if start.get("status") == 200:
                envelope = json.loads(body)
                envelope["code"] = 201
                body = json.dumps(envelope).encode()
            headers = [
                (k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"
            ]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capture)


@pytest.fixture(scope="session")
def broken_server() -> Any:
    """The broken server running on a free port, with its connection details."""
    from truewatch_contract.mock import MockState, create_app, serve

    state = MockState.default()
    with serve(CodeIsWrong(create_app(state))) as server:
        yield server, state.connection_info(server.base_url)


@pytest.fixture
def short_key_server() -> Any:
    """The broken server with one-word keys: ``k`` (the test issue's), ``test`` (the foreign)."""
    from truewatch_contract.mock import MockState, create_app, serve

    data = MockState.default().to_dict()
    renamed = {data["connection"]["apiKey"]: "k", data["connection"]["foreignApiKey"]: "test"}
    for entry in data["apiKeys"]:
        entry["key"] = renamed.get(entry["key"], entry["key"])
    data["connection"]["apiKey"] = "k"
    data["connection"]["foreignApiKey"] = "test"
    state = MockState.from_dict(data)
    with serve(CodeIsWrong(create_app(state))) as server:
        yield server, state.connection_info(server.base_url)


@pytest.fixture
def correct_server() -> Any:
    """The correct mock as a remote target (a server the test can stop midway)."""
    from truewatch_contract.mock import MockState, create_app, serve

    state = MockState.default()
    server = serve(create_app(state))
    try:
        yield server, state.connection_info(server.base_url)
    finally:
        server.stop()


@pytest.fixture
def mock_keys() -> tuple[str, ...]:
    """The built-in mock's keys: they must not appear in any report either."""
    from truewatch_contract.mock import MockState

    info = MockState.default().connection_info("http://127.0.0.1")
    return tuple(str(info[k]) for k in ("api_key", "foreign_api_key") if info.get(k))


def command(*argv: str) -> list[str]:
    """``truewatch-contract run ...`` as a user types it (the package's ``__main__``)."""
    return [sys.executable, "-m", "truewatch_contract", "run", *argv]


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without any ``TRUEWATCH_*`` variable, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUEWATCH_")}
    env.update(extra)
    return env


# Small but real: every test of the suite runs, with fewer generated cases.
MAX_EXAMPLES = "8"


@pytest.fixture(scope="session")
def mock_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """
    One run against the built-in mock, started as the README says (``scripts/run``, which runs
    ``truewatch-contract run`` in the checkout's .venv). Shared: it takes a few seconds.
    """
    reports = tmp_path_factory.mktemp("mock-run") / "reports"
    script = Path(__file__).resolve().parents[2] / "scripts" / "run"
    done = subprocess.run(
        [str(script), "--max-examples", MAX_EXAMPLES, "--report-dir", str(reports)],
        capture_output=True, text=True, timeout=180, env=clean_env(), check=False,
    )  # fmt: skip
    return done, reports


@pytest.fixture(scope="session")
def broken_run(
    tmp_path_factory: pytest.TempPathFactory, broken_server: Any
) -> tuple[subprocess.CompletedProcess[str], Path, dict[str, Any]]:
    """One run against the broken server: key on stdin, foreign key from a file."""
    server, info = broken_server
    base = tmp_path_factory.mktemp("broken-run")
    foreign = base / "foreign-key"
    foreign.write_text(info["foreign_api_key"] + "\n", encoding="utf-8")
    reports = base / "reports"
    argv = command(
        "--base-url", server.base_url, "--api-key-stdin", "--issue-id", info["issue_id"],
        "--assignees", ",".join(info["assignees"]), "--foreign-api-key-file", str(foreign),
        "--foreign-issue-id", info["foreign_issue_id"], "--max-examples", MAX_EXAMPLES,
        "--report-dir", str(reports),
    )  # fmt: skip
    done = subprocess.run(
        argv, input=info["api_key"] + "\n", capture_output=True, text=True, timeout=180,
        env=clean_env(), check=False,
    )  # fmt: skip
    return done, reports, info


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """
    A tiny PNG decoder (8-bit RGB or RGBA, not interlaced): width, height and the raw rows.
    Enough to tell a rendered page from a blank one without an imaging library.
    """
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = previous[x]
            c = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + a) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + b) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                predictor = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + predictor) & 0xFF
        rows.append(
            bytes(line) if channels == 3 else bytes(v for i, v in enumerate(line) if i % 4 != 3)
        )
        previous = line
    return width, height, rows
