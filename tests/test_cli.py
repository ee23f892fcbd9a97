"""The ``truewatch-contract`` dispatcher: help, usage errors, and a reader that goes away."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from truewatch_contract.cli import main

COMMAND = [sys.executable, "-m", "truewatch_contract"]


def test_help_lists_every_command() -> None:
    result = subprocess.run([*COMMAND, "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    for name in ("run", "validate", "mock", "mutants"):
        assert f"    {name} " in result.stdout


def test_no_command_is_a_usage_error() -> None:
    assert main([]) == 2


def test_a_reader_that_goes_away_gets_no_traceback(tmp_path: Path) -> None:
    # Far more output than a pipe holds, so the writer is still writing when the reader leaves.
    payload = tmp_path / "many.json"
    payload.write_text(json.dumps({"assigner": ["acnt_bad"] * 5000}))
    with subprocess.Popen(
        [*COMMAND, "validate", "request", str(payload), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.readline()
        process.stdout.close()  # like `| head -1`
        errors = process.stderr.read().decode()
        process.wait(timeout=60)
    assert "Traceback" not in errors, errors
    assert process.returncode == 1


def test_a_bad_engine_setting_stops_the_mock_with_one_line() -> None:
    env = {**os.environ, "TRUEWATCH_ENGINE": "bogus"}
    result = subprocess.run(
        [*COMMAND, "mock", "--port", "0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "truewatch-contract mock: error: unknown engine 'bogus'; "
        "expected auto, jsonschema, jsonschema-rs"
    ]
