"""
A run whose first answer says the configuration is wrong stops at once, with one line and exit 2:
a base URL that answers a web page, a refused key, an unknown issue. Nothing is judged, so no
report claims the contract is broken and no finding is recorded.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

PAGE = b"<!doctype html><html><head><title>Console</title></head><body>Sign in</body></html>"


class _Page(BaseHTTPRequestHandler):
    """A web console: every request gets the same HTML page, 200."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    do_GET = do_POST

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def web_page() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _run(tmp_path: Path, *argv: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    reports = tmp_path / "reports"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUEWATCH_")}
    done = subprocess.run(
        [sys.executable, "-m", "truewatch_contract", "run", *argv, "--report-dir", str(reports)],
        capture_output=True, text=True, timeout=300, env=env, check=False,
    )  # fmt: skip
    return done, reports


def _one_line(done: subprocess.CompletedProcess[str]) -> str:
    """The run's one error line: the last one, after the run's own header and progress only."""
    output = done.stdout + done.stderr
    lines = [line for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("truewatch-contract run: error: ")]
    assert len(errors) == 1 and lines[-1] == errors[0], output
    noise = ("no tests ran", "Exit", "Traceback", "pytest", "FAILED", "broken", "suite-output")
    assert not any(word in output for word in noise), output
    return errors[0]


def test_a_base_url_that_answers_a_web_page_stops_the_run(web_page: str, tmp_path: Path) -> None:
    done, reports = _run(
        tmp_path, "--base-url", web_page, "--api-key", "tkn_someone", "--issue-id", "0" * 32, "-q"
    )
    assert done.returncode == 2
    line = _one_line(done)
    assert done.stdout + done.stderr == line + "\n"  # -q: the one line, nothing else
    assert line.startswith("truewatch-contract run: error: the target answered HTTP 200 ")
    assert "text/html" in line and "<!doctype html>" in line and "--base-url" in line
    assert not list(reports.glob("*")), "no report for a run that never started"


def test_a_refused_key_stops_the_run_with_no_finding(correct_server: Any, tmp_path: Path) -> None:
    server, info = correct_server
    done, reports = _run(
        tmp_path,
        "--base-url", server.base_url, "--api-key", "tkn_not_a_key_of_this_mock",
        "--issue-id", info["issue_id"],
    )  # fmt: skip
    assert done.returncode == 2
    line = _one_line(done)
    assert "answered 403 ft.InvalidAPIKey" in line and "check --api-key" in line
    assert "tkn_not_a_key_of_this_mock" not in done.stdout + done.stderr
    assert not list(reports.glob("*"))


def test_an_unknown_issue_stops_the_run(correct_server: Any, tmp_path: Path) -> None:
    server, info = correct_server
    done, _ = _run(
        tmp_path,
        "--base-url", server.base_url, "--api-key", info["api_key"], "--issue-id", "f" * 32,
    )  # fmt: skip
    assert done.returncode == 2
    assert "check --issue-id" in _one_line(done)
