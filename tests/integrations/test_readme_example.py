"""The README's pytest example of the request hooks runs as written, and fails on a mutant."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def _example() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("In a pytest suite of your own")
    return re.search(r"```python\n(.*?)```", text[start:], re.S).group(1)  # type: ignore[union-attr]


def _run(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_example.py").write_text(source)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_the_readme_example_passes_against_the_mock(tmp_path: Path) -> None:
    done = _run(tmp_path, _example())
    assert done.returncode == 0, done.stdout[-3000:]
    assert "1 passed" in done.stdout


def test_the_same_example_fails_against_a_mutant(tmp_path: Path) -> None:
    """The fixture's mock swapped for one that appends a status record twice."""
    conftest = (
        "import pytest\n"
        "from truewatch_contract.mock import create_app, serve, MockState\n"
        "class Mock:\n"
        "    def __init__(self, server, state):\n"
        "        info = state.connection_info(server.base_url)\n"
        "        self.api_key, self.issue_id = info['api_key'], info['issue_id']\n"
        "        self.base_url = server.base_url\n"
        "    def update_url(self, issue=None):\n"
        "        return f'{self.base_url}/api/v1/error_track/{issue or self.issue_id}/update'\n"
        "@pytest.fixture\n"
        "def truewatch_mock():\n"
        "    state = MockState.default()\n"
        "    with serve(create_app(state, mutant='history-duplicate-record')) as server:\n"
        "        yield Mock(server, state)\n"
    )
    (tmp_path / "conftest.py").write_text(conftest)
    done = _run(tmp_path, _example())
    assert done.returncode == 1, done.stdout[-3000:]
    assert "history.status-change-record" in done.stdout and "ContractViolation" in done.stdout
