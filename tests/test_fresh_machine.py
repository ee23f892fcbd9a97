"""
`scripts/test` on a fresh machine: without Chromium only the browser tests are skipped, with a line
saying how to get them; under CI they never skip (tests/conftest.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BROWSER_TESTS = "tests/run/test_browser.py"


def _pytest_without_chromium(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    env.update(PATH=str(tmp_path), **extra)  # an empty PATH: no chromium to be found
    return subprocess.run(
        [sys.executable, "-m", "pytest", BROWSER_TESTS, "-q", "-rs"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300, check=False,
    )  # fmt: skip


def test_without_chromium_the_browser_tests_skip_saying_how_to_get_them(tmp_path: Path) -> None:
    result = _pytest_without_chromium(tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    assert " skipped" in result.stdout and "passed" not in result.stdout
    assert "browser tests skipped. Chromium not found" in result.stdout
    assert "apt-get install -y --no-install-recommends chromium" in result.stdout


def test_under_ci_the_browser_tests_never_skip(tmp_path: Path) -> None:
    result = _pytest_without_chromium(tmp_path, CI="true")
    assert result.returncode != 0
    assert "skipped" not in result.stdout
    assert "Chromium is needed" in result.stdout
