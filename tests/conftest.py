"""
The toolkit tests' session-wide rules.

The browser tests (those that use the ``chromium`` fixture, in tests/run/test_browser.py) need
Chromium. `scripts/test` installs it where it can (as root with apt-get, as `.ci/run` does); on a
machine where it cannot, those tests alone are skipped, with a line saying how to get them. Under
CI (``CI`` set, as CI services set it) they never skip: a missing browser fails them there.
"""

from __future__ import annotations

import os
import shutil

import pytest

# Running the project's own tests inside a GitHub job must write nothing to that job's summary:
# every `truewatch-contract run` the tests start inherits this environment.
for _variable in ("GITHUB_STEP_SUMMARY", "TRUEWATCH_SUMMARY_MD"):
    os.environ.pop(_variable, None)

BROWSER_FIXTURE = "chromium"
HOW_TO_GET_THEM = (
    "Chromium not found: browser tests skipped; install it (apt-get install -y "
    "--no-install-recommends chromium, or run scripts/test as root) to run them"
)


def _under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _chromium_found() -> bool:
    return bool(shutil.which("chromium") or shutil.which("chromium-browser"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _under_ci() or _chromium_found():
        return
    browser = [item for item in items if BROWSER_FIXTURE in getattr(item, "fixturenames", ())]
    for item in browser:
        item.add_marker(pytest.mark.skip(reason=HOW_TO_GET_THEM))
    config.stash[_SKIPPED] = len(browser)


_SKIPPED = pytest.StashKey[int]()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = terminalreporter.config.stash.get(_SKIPPED, 0)
    if skipped:
        terminalreporter.write_line(f"{skipped} browser tests skipped. {HOW_TO_GET_THEM}.")
