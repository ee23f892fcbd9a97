"""``truewatch-contract proxy``'s options: each explained by --help, each refused in one line."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from truewatch_contract import cli
from truewatch_contract.cli import main

OPTIONS = (
    "--upstream",
    "--host",
    "--port",
    "--report-dir",
    "--relax",
    "--annotate",
    "--duration",
    "--api-key-file",
    "--issue-id",
    "--summary-md",
    "--max-body",
)


def test_help_explains_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["proxy", "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    for option in OPTIONS:
        line = next(line for line in text.splitlines() if line.strip().startswith(option))
        assert len(line.split(option, 1)[1].strip()) > 3 or option in ("--upstream",), line
    for words in ("loopback", "16 MiB", "X-Truewatch-Contract", "SIGTERM", "base_url"):
        assert words in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--upstream", "ftp://x"], "--upstream: expected an http:// or https:// URL"),
        (["--upstream", "http://x/?q=1"], "--upstream: expected a URL without a query"),
        (["--port", "70000"], "--port: expected 0..65535, found 70000"),
        (["--relax", "nonsense"], "--relax: unknown rule id or tag 'nonsense'"),
        (["--relax", "none,assumed"], "--relax: 'none' (relax nothing) cannot be combined"),
        (["--duration", "soon"], "--duration: expected a positive time such as 30s"),
        (["--duration", "0s"], "--duration: expected a positive time such as 30s"),
        (["--max-body", "lots"], "--max-body: expected a number of bytes, found 'lots'"),
        (["--api-key-file", "/nonexistent/key"], "--api-key-file: cannot read /nonexistent/key"),
        (["--issue-id", " "], "--issue-id: expected an issue's id"),
    ],
)
def test_a_bad_option_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    full = ["proxy", "--upstream", "http://127.0.0.1:9", *args]
    assert main(full) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"truewatch-contract proxy: error: {message}")


def test_a_report_dir_that_is_a_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "reports"
    taken.write_text("")
    assert main(["proxy", "--upstream", "http://127.0.0.1:9", "--report-dir", str(taken)]) == 2
    assert "is not a directory" in capsys.readouterr().err


def test_a_port_in_use_is_one_line_and_exit_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "truewatch_contract.cli", "proxy", "--upstream",
             "http://127.0.0.1:9", "--port", str(port), "--report-dir", str(tmp_path)],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        f"truewatch-contract proxy: error: cannot listen on 127.0.0.1:{port}: "
        "Address already in use"
    ]


def test_a_missing_extra_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(cli.EXTRA_MODULES, "proxy", ("starlette", "truewatch_no_such_module"))
    assert main(["proxy", "--upstream", "http://127.0.0.1:9"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "truewatch-contract proxy: error: this command needs the 'proxy' extra "
        "(truewatch_no_such_module missing): pip install 'truewatch-contract[proxy]'"
    ]


def test_the_hooks_and_the_proxy_import_nothing_heavy() -> None:
    """The HTTP libraries and the server come in only when a hook reads a response or it runs."""
    script = (
        "import sys, json\n"
        "import truewatch_contract.integrations.requests, truewatch_contract.integrations.httpx\n"
        "import truewatch_contract.proxy, truewatch_contract.cli.proxy\n"
        "from truewatch_contract.integrations import ContractHook\n"
        "ContractHook(mode='collect')\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    loaded = {name.split(".")[0] for name in json.loads(done.stdout.splitlines()[-1])}
    assert not loaded & {"requests", "httpx", "starlette", "uvicorn", "httptools", "urllib3"}
