"""
Schemathesis' own CLI against the running mock: every built-in check, positive and negative
generation, more than 1,000 cases, no failure.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from truewatch_contract import spec_path
from truewatch_contract.mock import create_app, serve


def test_schemathesis_finds_nothing_wrong_with_the_mock(tmp_path: Path) -> None:
    app = create_app()
    # The key goes through Schemathesis' auth provider (not a static header), so its
    # ignored_auth check can send requests without it.
    config = tmp_path / "schemathesis.toml"
    config.write_text('[auth.openapi.DfApiKey]\napi_key = "${DF_API_KEY}"\n')
    with serve(app) as server:
        env = dict(os.environ, DF_API_KEY=app.state.mock_state.connection.api_key)
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "--config-file",
                str(config),
                "run",
                str(spec_path()),
                "--url",
                server.base_url,
                "--checks",
                "all",
                "--mode",
                "all",
                "--max-examples",
                "1000",
                "--seed",
                "1",
                "--generation-database",
                "none",
                "--phases",
                "examples,coverage,fuzzing",
                "--request-timeout",
                "10",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
            cwd=tmp_path,
        )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "No issues found" in output
    cases = re.search(r"(\d+) generated, (\d+) passed", output)
    assert cases is not None, output[-2000:]
    assert int(cases.group(1)) >= 1000 and cases.group(1) == cases.group(2)
    assert app.state.mock_state.connection.api_key not in output
