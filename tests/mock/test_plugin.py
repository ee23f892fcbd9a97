"""The ``truewatch_mock`` fixture, as another project meets it: through the pytest11 entry point."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

HEAVY = ("starlette", "uvicorn", "httpx", "anyio", "jsonschema", "jsonschema_rs", "yaml")

USER_TESTS = textwrap.dedent(
    """
    import http.client, json
    from urllib.parse import urlsplit

    def post(mock, body, issue_id=None, key=None):
        parts = urlsplit(mock.base_url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        connection.request("POST", urlsplit(mock.update_url(issue_id)).path,
                           body=json.dumps(body), headers=mock.headers(key))
        response = connection.getresponse()
        return response.status, json.loads(response.read())

    def test_a_plugin_load_costs_nothing(request):
        import sys
        heavy = [m for m in {HEAVY!r} if m in sys.modules]
        assert heavy == [], heavy

    def test_update_and_inspect(truewatch_mock):
        assert truewatch_mock.issue_id == "04a0bb44b28e9ff1e01f87828af622b9"
        assert truewatch_mock.api_key not in repr(truewatch_mock)
        status, envelope = post(truewatch_mock, {{"issueStatus": "Working"}})
        assert status == 200 and envelope["content"]["issueStatus"] == "Working"
        assert truewatch_mock.get_issue(truewatch_mock.issue_id)["issueStatus"] == "Working"
        assert len(truewatch_mock.assignees) >= 3

    def test_state_is_reset_for_each_test(truewatch_mock):
        assert truewatch_mock.get_issue(truewatch_mock.issue_id)["issueStatus"] == "Resolved"

    def test_arrange_through_the_live_state(truewatch_mock):
        with truewatch_mock.state.lock:
            issue = truewatch_mock.state.workspaces[
                "wksp_84c4a0044edc4f878ea88e4517659bda"].find_issue(truewatch_mock.issue_id)
            issue["assigner"] = []
        truewatch_mock.set_time(1795000000.5)
        status, envelope = post(truewatch_mock, {{"issueStatus": "Triage"}})
        assert envelope["content"]["assigner"] == []
        assert envelope["content"]["updateAt"] == 1795000000.5

    def test_isolation(truewatch_mock):
        status, envelope = post(truewatch_mock, {{}}, issue_id=truewatch_mock.foreign_issue_id)
        assert status == 404
        status, envelope = post(truewatch_mock, {{}}, issue_id=truewatch_mock.foreign_issue_id,
                                key=truewatch_mock.foreign_api_key)
        assert status == 200
    """
).format(HEAVY=HEAVY)


def test_the_fixture_serves_resets_and_loads_lazily(tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(USER_TESTS)
    result = subprocess.run(
        # The other installed plugins are switched off: they import what they need themselves.
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:anyio",
            "-p",
            "no:schemathesis",
            "-p",
            "no:hypothesispytest",
            "test_user.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "5 passed" in result.stdout


def test_importing_the_plugin_imports_nothing_heavy() -> None:
    code = (
        "import sys, truewatch_contract.pytest_plugin as p; "
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# The README's fixture example, annotated as a strict user would, and the optional lookup.
TYPED_CONSUMER = textwrap.dedent(
    """
    import requests

    from truewatch_contract.mock import TruewatchMock, UnknownIssue


    def test_start_working_on_the_issue(truewatch_mock: TruewatchMock) -> None:
        response = requests.post(truewatch_mock.update_url(), json={"issueStatus": "Working"},
                                 headers=truewatch_mock.headers())
        assert response.status_code == 200
        assert truewatch_mock.get_issue(truewatch_mock.issue_id)["issueStatus"] == "Working"


    def maybe_status(truewatch_mock: TruewatchMock, issue_id: str) -> str | None:
        issue = truewatch_mock.find_issue(issue_id)
        return None if issue is None else str(issue["issueStatus"])


    def missing(error: UnknownIssue) -> KeyError:
        return error
    """
)


def test_the_fixture_type_checks_under_mypy_strict(tmp_path: Path) -> None:
    """``get_issue(...)["issueStatus"]`` is indexable without a cast; ``find_issue`` is Optional."""
    (tmp_path / "test_typed.py").write_text(TYPED_CONSUMER)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"),
         "--python-version", "3.10", "test_typed.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found in 1 source file" in result.stdout


def test_get_issue_names_an_unknown_issue_and_find_issue_returns_none() -> None:
    from truewatch_contract.mock import TruewatchMock, UnknownIssue, create_app, serve

    app = create_app()
    with serve(app) as server:
        handle = TruewatchMock(app, server)
        assert handle.get_issue(handle.issue_id)["issueStatus"] == "Resolved"
        assert handle.find_issue(handle.foreign_issue_id) is not None  # any workspace
        assert handle.find_issue("f" * 32) is None
        with pytest.raises(UnknownIssue) as raised:
            handle.get_issue("f" * 32)
    assert isinstance(raised.value, KeyError) and raised.value.issue_id == "f" * 32
    assert str(raised.value).startswith(f"no issue {'f' * 32!r} in any workspace")


# As on a machine without the 'mock' extra: starlette cannot be found at all.
WITHOUT_THE_EXTRA = textwrap.dedent(
    """
    import sys


    class NoStarlette:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == "starlette":
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None


    for name in [m for m in sys.modules if m.split(".")[0] == "starlette"]:
        del sys.modules[name]
    sys.meta_path.insert(0, NoStarlette())
    """
)


def test_without_the_extra_the_fixture_says_so_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(WITHOUT_THE_EXTRA)
    (tmp_path / "test_project.py").write_text("def test_it(truewatch_mock):\n    pass\n")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "test_project.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout[-3000:]
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "ERROR at setup of test_it" in line)
    end = next(i for i, line in enumerate(lines) if "short test summary info" in line)
    assert lines[start + 1 : end] == [
        "the truewatch_mock fixture needs the 'mock' extra (starlette missing): "
        "pip install 'truewatch-contract[mock]'"
    ], result.stdout
    assert "During handling" not in result.stdout and "No module named" not in result.stdout
