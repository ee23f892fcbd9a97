"""
A pytest plugin that appends test outcomes to the run record.

Loaded in the suite's process with ``-p truewatch_contract.runner.collector``. It writes to the
same file as the suite (``TRUEWATCH_RECORD``), one line at a time as things happen, so a run that
is interrupted or killed still leaves a record the runner can report on:

- ``{"kind": "session", "event": "start", "at": epoch}``
- ``{"kind": "collect-error", "test": nodeid, "message": text}``
- ``{"kind": "test", "test": nodeid, "when": "setup"|"call"|"teardown", "outcome": ...,
  "duration": s, "message": text or null, "at": epoch}``
- ``{"kind": "session", "event": "interrupted", "at": epoch}``
- ``{"kind": "session", "event": "finished", "exitstatus": int, "at": epoch}``

Failure texts are redacted (API keys) and cut to a readable size before they are written.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import pytest

from truewatch_contract.redaction import SECRET_VARIABLES, Redactor

RECORD_VARIABLE = "TRUEWATCH_RECORD"
MAX_MESSAGE = 6000


def _redactor() -> Redactor:
    secrets: list[str | None] = [os.environ.get(name) for name in SECRET_VARIABLES]
    if not os.environ.get("TRUEWATCH_BASE_URL"):
        secrets.extend(_mock_keys())
    return Redactor(secrets)


def _mock_keys() -> list[str | None]:
    """The built-in mock's own keys: secrets too, as far as reports are concerned."""
    try:
        from truewatch_contract.mock import MockState

        info = MockState.default().connection_info("http://127.0.0.1")
        return [info.get("api_key"), info.get("foreign_api_key")]
    except Exception:  # the mock is optional here; the suite's own redaction still applies
        return []


class Collector:
    """Appends the session's events to the record file; one instance a pytest session."""

    def __init__(self, path: str, redactor: Redactor) -> None:
        self.path = path
        self.redactor = redactor

    def _write(self, item: dict[str, Any]) -> None:
        item["at"] = time.time()
        line = json.dumps(item, ensure_ascii=False, default=str) + "\n"
        # One os.write on an O_APPEND descriptor: lines from the suite and from here never
        # interleave.
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)

    def _message(self, report: Any) -> str | None:
        if report.passed:
            return None
        longrepr = report.longrepr
        if report.skipped and isinstance(longrepr, tuple) and len(longrepr) == 3:
            text = str(longrepr[2])
        else:
            text = str(getattr(report, "longreprtext", "") or longrepr or "")
        text = self.redactor.text(text)
        if len(text) > MAX_MESSAGE:
            # The end of a pytest failure holds the assertion and the falsifying example.
            text = "[...]\n" + text[-MAX_MESSAGE:]
        return text

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self._write({"kind": "session", "event": "start", "pid": os.getpid()})

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self._write(
                {"kind": "collect-error", "test": report.nodeid, "message": self._message(report)}
            )

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # The call phase always; setup and teardown only when they did not simply pass.
        if report.when != "call" and report.passed:
            return
        self._write(
            {
                "kind": "test",
                "test": report.nodeid,
                "when": report.when,
                "outcome": report.outcome,
                "duration": round(float(report.duration), 6),
                "message": self._message(report),
            }
        )

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        self._write({"kind": "session", "event": "interrupted"})

    def pytest_sessionfinish(
        self, session: pytest.Session, exitstatus: int | pytest.ExitCode
    ) -> None:
        self._write({"kind": "session", "event": "finished", "exitstatus": int(exitstatus)})


def pytest_configure(config: pytest.Config) -> None:
    """Register a collector when the record file is named; without one the plugin does nothing."""
    path = os.environ.get(RECORD_VARIABLE)
    if path:
        config.pluginmanager.register(Collector(path, _redactor()), "truewatch-record-collector")
