"""
``truewatch-contract validate`` reads no more than the contract's body limit (1 MiB) plus one
byte, from a file or a pipe: a larger input, endless ones included, is refused in one line
(exit 2) without being read to its end, and the command's memory stays small.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from validator_payloads import example_response, write_json

from truewatch_contract.cli import main

# The contract's body limit (the spec's behaviour.body-too-large): 1 MiB.
BODY_LIMIT = 1024 * 1024

PREFIX = "truewatch-contract validate: error:"
LIMIT_TEXT = "is larger than the contract's 1 MiB limit (1,048,576 bytes); nothing was validated"
# Generous: a refused input is read in well under a second; only a command that never stops
# reading gets anywhere near it.
DEADLINE = 120
# The CLI runs under this address-space cap, so that a command that reads without a limit fails
# with MemoryError instead of eating the machine (the CLI itself needs a few hundred MB of it).
ADDRESS_SPACE = 2 * 1024**3
# "A few tens of MB": the peak with a huge input may exceed the peak with a tiny one by this much.
MEMORY_SLACK_KIB = 32 * 1024

# Runs the CLI as its only child and prints its exit code, stderr and peak RSS (ru_maxrss of the
# children: KiB on Linux). With "endless", a thread feeds the CLI's stdin zeros until the pipe
# breaks, i.e. forever unless the CLI stops reading and exits.
_WRAPPER = r"""
import json, resource, subprocess, sys, threading
argv, endless, cap = json.loads(sys.argv[1])

def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

child = subprocess.Popen(
    [sys.executable, "-m", "truewatch_contract.cli", "validate", *argv],
    stdin=subprocess.PIPE if endless else subprocess.DEVNULL,
    stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=limit_memory,
)

def feed():
    chunk = b"0" * 65536
    try:
        while True:
            child.stdin.write(chunk)
    except (BrokenPipeError, OSError, ValueError):
        pass

if endless:
    threading.Thread(target=feed, daemon=True).start()
out, err = child.stdout.read(), child.stderr.read()
code = child.wait()
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": code, "out": out.decode(), "err": err.decode(), "peak_kib": peak}))
"""


def _measured(*argv: str, endless: bool = False) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, json.dumps([list(argv), endless, ADDRESS_SPACE])],
        capture_output=True,
        timeout=DEADLINE,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.fixture(scope="module")
def baseline_kib(tmp_path_factory: pytest.TempPathFactory) -> int:
    """The CLI's peak RSS on a tiny valid body."""
    path = write_json(tmp_path_factory.mktemp("small") / "q.json", {"issueStatus": "Resolved"})
    result = _measured("request", str(path))
    assert result["code"] == 0, result
    return int(result["peak_kib"])


def _assert_refused(result: dict[str, Any], name: str, baseline_kib: int) -> None:
    assert result["code"] == 2, result["err"][-500:]
    assert result["out"] == ""
    lines = result["err"].strip().splitlines()
    assert lines == [f"truewatch-contract validate: error: {name} {LIMIT_TEXT}"]
    assert result["peak_kib"] - baseline_kib < MEMORY_SLACK_KIB, (result["peak_kib"], baseline_kib)


def test_an_endless_stream_on_stdin_is_refused_in_small_memory(baseline_kib: int) -> None:
    result = _measured("request", "-", endless=True)
    _assert_refused(result, "standard input", baseline_kib)


def test_an_endless_response_on_stdin_is_refused(baseline_kib: int) -> None:
    result = _measured("response", endless=True)
    _assert_refused(result, "standard input", baseline_kib)


def test_dev_zero_as_the_file_is_refused_in_small_memory(baseline_kib: int) -> None:
    result = _measured("request", "/dev/zero")
    _assert_refused(result, "input '/dev/zero'", baseline_kib)


@pytest.mark.parametrize("option", ["--request", "--previous"])
def test_dev_zero_as_request_or_previous_is_refused(
    option: str, baseline_kib: int, tmp_path: Path
) -> None:
    response = write_json(tmp_path / "r.json", example_response())
    result = _measured("response", str(response), option, "/dev/zero")
    _assert_refused(result, f"{option} '/dev/zero'", baseline_kib)


def _body_of(size: int, status: str = "Resolved") -> bytes:
    """A valid request body of exactly `size` bytes (an unknown field pads it)."""
    head, tail = b'{"issueStatus": "%s", "padding": "' % status.encode(), b'"}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


def test_exactly_1_mib_is_read_and_one_byte_more_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exact = tmp_path / "exact.json"
    exact.write_bytes(_body_of(BODY_LIMIT))
    assert exact.stat().st_size == BODY_LIMIT
    assert main(["validate", "request", str(exact)]) == 0
    assert capsys.readouterr().out.strip() == "request is valid: no violations"

    over = tmp_path / "over.json"
    over.write_bytes(_body_of(BODY_LIMIT + 1))
    assert main(["validate", "request", str(over)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"truewatch-contract validate: error: input {str(over)!r} {LIMIT_TEXT}\n"


def test_a_request_option_of_exactly_1_mib_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    response = write_json(tmp_path / "r.json", example_response())
    sent = tmp_path / "q.json"
    sent.write_bytes(_body_of(BODY_LIMIT, status="Working"))
    # The example answers a status other than the one sent: the --request was read and used.
    code = main(["validate", "response", str(response), "--request", str(sent), "--format", "json"])
    captured = capsys.readouterr()
    assert (code, captured.err) == (1, "")
    assert "content.status-applied" in {item["rule"] for item in json.loads(captured.out)}


def test_exactly_1_mib_on_stdin_is_read() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "truewatch_contract.cli", "validate", "request", "-"],
        input=_body_of(BODY_LIMIT),
        capture_output=True,
        timeout=DEADLINE,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, b"")
    done = subprocess.run(
        [sys.executable, "-m", "truewatch_contract.cli", "validate", "request", "-"],
        input=_body_of(BODY_LIMIT + 1),
        capture_output=True,
        timeout=DEADLINE,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.decode() == f"{PREFIX} standard input {LIMIT_TEXT}\n"
