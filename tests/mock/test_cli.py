"""``truewatch-contract mock``: the first line, serving, a clean Ctrl-C, and exit 2 on bad input."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from mock_helpers import check_envelope, post, raw_request

from truewatch_contract.mock import MockState
from truewatch_contract.mock.mutants import MUTANTS

COMMAND = [sys.executable, "-m", "truewatch_contract.cli"]


@contextmanager
def running(*args: str) -> Iterator[tuple[subprocess.Popen[str], dict[str, Any]]]:
    process = subprocess.Popen(
        [*COMMAND, "mock", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first, process.stderr.read() if process.stderr else ""
        yield process, json.loads(first)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def stop(process: subprocess.Popen[str], sig: int) -> tuple[int, str, str]:
    process.send_signal(sig)
    out, err = process.communicate(timeout=20)
    return process.returncode, out, err


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_the_first_line_says_where_and_how_and_a_signal_ends_it_cleanly(sig: int) -> None:
    with running() as (process, info):
        assert set(info) == {
            "base_url",
            "api_key",
            "issue_id",
            "assignees",
            "foreign_api_key",
            "foreign_issue_id",
            "profile",
        }
        assert info["profile"] is None  # not started from a profile
        assert info["base_url"].startswith("http://127.0.0.1:")
        assert info["issue_id"] == "04a0bb44b28e9ff1e01f87828af622b9"
        assert "acnt_3875a23398de4c92a5fc68a1c49a664b" in info["assignees"]
        reply = post(info["base_url"], {"issueStatus": "Working"}, key=info["api_key"])
        assert check_envelope(reply) is not None and reply.status == 200
        foreign = post(
            info["base_url"],
            {},
            issue_id=info["foreign_issue_id"],
            key=info["foreign_api_key"],
        )
        assert foreign.status == 200
        code, out, err = stop(process, sig)
    assert code == 0, err
    assert out == ""  # nothing after the first line
    assert "Traceback" not in err
    assert info["api_key"] not in err


def test_state_file_rate_limit_and_no_control(tmp_path: Path) -> None:
    data = MockState.default().to_dict()
    data["workspaces"][0]["issues"][0]["issueStatus"] = "Ignored"
    data["workspaces"][0]["issues"][0]["extend"]["statusChangeRecords"].append(
        {"time": 1772788999, "status": "Ignored", "operator": "sys"}
    )
    fixture = tmp_path / "state.json"
    fixture.write_text(json.dumps(data))
    with running("--state", str(fixture), "--rate-limit", "2/m", "--no-control") as (process, info):
        first = post(info["base_url"], {}, key=info["api_key"])
        assert json.loads(first.body)["content"]["issueStatus"] == "Ignored"
        assert post(info["base_url"], {}, key=info["api_key"]).status == 200
        limited = post(info["base_url"], {}, key=info["api_key"])
        assert limited.status == 401
        assert json.loads(limited.body)["errorCode"] == "ft.TriggerApiAkCurrentLimiting"
        control = post(info["base_url"], {}, key=info["api_key"])
        reply = raw_request(info["base_url"], "POST", "/__mock__/reset")
        assert reply.status == 404 and json.loads(reply.body)["errorCode"] == "ft.RouterNotFound"
        assert control.status == 401
        assert stop(process, signal.SIGINT)[0] == 0


def test_a_mutant_can_be_served_and_listed() -> None:
    listing = subprocess.run(
        [*COMMAND, "mock", "--list-mutants"], capture_output=True, text=True, timeout=60
    )
    assert listing.returncode == 0
    assert [line.split()[0] for line in listing.stdout.splitlines()] == list(MUTANTS)
    with running("--mutant", "code-always-200") as (process, info):
        reply = post(info["base_url"], {}, key=None)
        assert reply.status == 403 and json.loads(reply.body)["code"] == 200
        assert stop(process, signal.SIGINT)[0] == 0


def _bad_state(tmp_path: Path) -> list[str]:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"workspaces": []}))
    return [str(broken), str(wrong), str(tmp_path / "missing.json"), str(tmp_path)]


@pytest.mark.parametrize(
    "args",
    [
        ["--rate-limit", "lots"],
        ["--rate-limit", "0/m"],
        ["--mutant", "no-such-defect"],
        ["--port", "70000"],
        ["--port", "abc"],
        ["--log-level", "loud"],
    ],
)
def test_bad_options_exit_2_with_one_line(args: list[str]) -> None:
    result = subprocess.run(
        [*COMMAND, "mock", "--port", "0", *args], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr and result.stderr.strip()


def test_bad_state_files_exit_2(tmp_path: Path) -> None:
    for path in _bad_state(tmp_path):
        result = subprocess.run(
            [*COMMAND, "mock", "--port", "0", "--state", path],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("truewatch-contract mock: error: --state")
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.stderr


def test_a_port_in_use_exits_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*COMMAND, "mock", "--port", str(port)], capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 2
    assert "cannot listen" in result.stderr and "Traceback" not in result.stderr
