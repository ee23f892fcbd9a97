"""The suite's checks under plain ``st run`` (``SCHEMATHESIS_HOOKS=truewatch_contract.checks``)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from suite_servers import WrongCode

from truewatch_contract.mock import MockState, create_app, serve
from truewatch_contract.spec import spec_path

ST = Path(sys.executable).with_name("st")


def st_run(broken: bool) -> tuple[int, str, str]:
    state = MockState.default()
    app = create_app(state)
    server = serve(WrongCode(app) if broken else app, log_level="error")
    try:
        info = state.connection_info(server.base_url)
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRUEWATCH_")}
        env.update(
            {
                "SCHEMATHESIS_HOOKS": "truewatch_contract.checks",
                "TRUEWATCH_API_KEY": info["api_key"],
                "TRUEWATCH_ISSUE_ID": info["issue_id"],
            }
        )
        done = subprocess.run(
            [
                str(ST),
                "run",
                str(spec_path()),
                "--url",
                info["base_url"],
                "-H",
                f"DF-API-KEY: {info['api_key']}",
                "-n",
                "10",
                "--seed",
                "1",
                "--generation-database",
                "none",
                "--phases",
                "examples,coverage",
            ],
            env=env,
            cwd=tempfile.gettempdir(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        server.stop()
    return done.returncode, done.stdout + done.stderr, info["api_key"]


@pytest.mark.parametrize("broken", [False, True], ids=["correct", "wrong-code"])
def test_st_run_with_the_suite_checks(broken: bool) -> None:
    code, output, key = st_run(broken)
    assert key not in output
    if broken:
        assert code == 1, output[-2000:]
        assert "truewatch_contract" in output
        assert "envelope.code-matches-status" in output
    else:
        assert code == 0, output[-2000:]
