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

Failure texts are redacted (API keys) and cut to a readable size before they are written. The
record's path and the keys come from the suite's one configuration (`SuiteConfig`), as the suite
reads them.
"""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

from truewatch_contract.record import (
    CollectErrorLine,
    Line,
    SessionLine,
    TestLine,
    append_line,
)
from truewatch_contract.redaction import Redactor
from truewatch_contract.suite.config import ConfigError, SuiteConfig, process_config

MAX_MESSAGE = 6000


def _redactor(config: SuiteConfig) -> Redactor:
    secrets = list(config.secrets)
    if config.builtin_mock:
        secrets.extend(_mock_keys())
    return Redactor(secrets)


def _mock_keys() -> tuple[str, ...]:
    """The built-in mock's own keys: secrets too, as far as reports are concerned."""
    try:
        from truewatch_contract.mock.connection import default_keys
    except ImportError:  # the mock is optional here; the suite's own redaction still applies
        return ()
    return default_keys()


class Collector:
    """Appends the session's events to the record file; one instance a pytest session."""

    def __init__(self, path: str, redactor: Redactor) -> None:
        self.path = path
        self.redactor = redactor

    def _write(self, line: Line) -> None:
        # One os.write on an O_APPEND descriptor: lines from the suite and from here never
        # interleave. The texts are redacted here already (`_message`); the values again there.
        append_line(self.path, line, self.redactor)

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
        self._write(SessionLine(event="start", at=time.time(), pid=os.getpid()))

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            message = self._message(report) or ""
            self._write(CollectErrorLine(test=report.nodeid, message=message, at=time.time()))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # The call phase always; setup and teardown only when they did not simply pass.
        if report.when != "call" and report.passed:
            return
        self._write(
            TestLine(
                test=report.nodeid,
                when=report.when,
                outcome=report.outcome,
                duration=round(float(report.duration), 6),
                message=self._message(report),
                at=time.time(),
            )
        )

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        self._write(SessionLine(event="interrupted", at=time.time()))

    def pytest_sessionfinish(
        self, session: pytest.Session, exitstatus: int | pytest.ExitCode
    ) -> None:
        self._write(SessionLine(event="finished", at=time.time(), exitstatus=int(exitstatus)))


def pytest_configure(config: pytest.Config) -> None:
    """
    Register a collector when the record file is named (``TRUEWATCH_RECORD``); without one the
    plugin does nothing.
    """
    try:
        suite = process_config()
    except ConfigError:
        # The suite's own configuration says which variable is wrong, in one line; `run` checks
        # every variable before it starts the suite, so this is pytest started by hand.
        return
    if suite.record is not None:
        collector = Collector(str(suite.record), _redactor(suite))
        config.pluginmanager.register(collector, "truewatch-record-collector")
