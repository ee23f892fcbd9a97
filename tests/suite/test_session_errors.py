"""
A wrong configuration stops the suite with one line and pytest's usage-error status (4): an
unreachable target, or a key or issue the target refuses at the first request.
"""

from __future__ import annotations

import pytest
from suite_servers import run_suite, secrets_absent


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"TRUEWATCH_BASE_URL": "http://127.0.0.1:1"}, "target unreachable: "),
        (
            {"TRUEWATCH_API_KEY": "tkn_wrong_0123456789"},
            "the target answered 403 ft.InvalidAPIKey to the first update of "
            "TRUEWATCH_ISSUE_ID: check TRUEWATCH_API_KEY",
        ),
        ({"TRUEWATCH_ISSUE_ID": "f" * 32}, "check TRUEWATCH_ISSUE_ID"),
    ],
    ids=["unreachable", "wrong-key", "wrong-issue"],
)
def test_a_wrong_configuration_is_one_line(env: dict[str, str], expected: str) -> None:
    run = run_suite(None, env=env, files=("test_scenarios.py",), max_examples=5)
    assert run.returncode == 4, run.output[-3000:]
    lines = [line for line in run.output.splitlines() if expected in line]
    assert len(lines) == 1, run.output[-3000:]
    assert "Traceback" not in run.output and "HTTP None" not in run.output
    assert " error" not in run.output.splitlines()[-1]  # no per-test fixture errors
    assert secrets_absent(run) and "tkn_wrong_0123456789" not in run.output
