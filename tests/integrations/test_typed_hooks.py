"""The request hooks as a user types them: an example under ``mypy --strict``, and its mistakes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CONSUMER = """
import asyncio

import httpx
import requests

from truewatch_contract.integrations import ContractWarning
from truewatch_contract.integrations.httpx import ContractHook as HttpxHook
from truewatch_contract.integrations.requests import ContractHook
from truewatch_contract.judge import Verdict
from truewatch_contract.violations import ContractViolation, Violation


def with_requests(url: str, key: str) -> list[Violation]:
    hook = ContractHook(mode="collect", relax="assumed,behaviour.empty-body-noop")
    session = requests.Session()
    session.hooks["response"].append(hook)
    session.post(url, json={"issueStatus": "Working"}, headers={"DF-API-KEY": key})
    verdicts: list[Verdict] = hook.verdicts
    assert all(verdict.ok for verdict in verdicts)
    return hook.violations


def with_httpx(url: str, key: str, issue: str) -> int:
    hook = HttpxHook(mode="raise", relax=["observed"], api_key=key, issue_id=issue)
    with httpx.Client(event_hooks={"response": [hook]}) as client:
        try:
            return client.post(url, json={}).status_code
        except ContractViolation as error:
            return len(error.violations)


async def with_httpx_async(url: str) -> int:
    hook = HttpxHook(mode="warn")
    async with httpx.AsyncClient(event_hooks={"response": [hook]}) as client:
        answer = await client.post(url, json={"issueStatus": "Resolved"})
    warning: type[Warning] = ContractWarning
    return answer.status_code + hook.judged + len(warning.__name__)


def main() -> None:
    asyncio.run(with_httpx_async("http://127.0.0.1:1"))
"""

WRONG = """
from truewatch_contract.integrations.requests import ContractHook

ContractHook(mode="loud")
ContractHook(relax=3)
ContractHook(api_key=b"key")
hook = ContractHook()
count: str = hook.judged
"""


def _mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "consumer.py").write_text(source)
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "consumer.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_user_of_the_hooks_type_checks_under_mypy_strict(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    done = _mypy(tmp_path, CONSUMER)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_catches_a_wrong_mode_relax_key_and_result(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    done = _mypy(tmp_path, WRONG)
    assert done.returncode == 1
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert [line.split(":")[1] for line in errors] == ["4", "5", "6", "8"], done.stdout
