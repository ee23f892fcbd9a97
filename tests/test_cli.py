"""The ``truewatch-contract`` dispatcher: help, usage errors, and a reader that goes away."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from truewatch_contract import cli, load_spec, spec_path
from truewatch_contract.cli import main
from truewatch_contract.cli import spec as cli_spec

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


def test_help_lists_the_spec_command() -> None:
    result = subprocess.run([*COMMAND, "--help"], capture_output=True, text=True, check=False)
    assert "    spec " in result.stdout


def test_spec_path_is_the_yaml_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["spec", "--path"]) == 0
    assert capsys.readouterr().out == f"{spec_path()}\n"
    assert main(["spec"]) == 0  # --path is the default
    assert capsys.readouterr().out == f"{spec_path()}\n"


def test_spec_prints_the_document_as_json_or_yaml(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["spec", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == load_spec()
    assert main(["spec", "--yaml"]) == 0
    assert capsys.readouterr().out == spec_path().read_text(encoding="utf-8")


def test_spec_takes_one_form_only(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["spec", "--json", "--yaml"])
    assert stopped.value.code == 2
    assert "not allowed with" in capsys.readouterr().err


def test_spec_output_to_a_reader_that_goes_away_is_quiet() -> None:
    with subprocess.Popen(
        [*COMMAND, "spec", "--yaml"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.readline()
        process.stdout.close()
        errors = process.stderr.read().decode()
        process.wait(timeout=60)
    assert errors == ""


@pytest.mark.parametrize(
    ("command", "extra"), [("run", "suite"), ("mutants", "suite"), ("mock", "mock")]
)
def test_a_missing_extra_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str, extra: str
) -> None:
    monkeypatch.setitem(cli.EXTRA_MODULES, extra, ("starlette", "truewatch_no_such_module"))
    assert main([command]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"truewatch-contract {command}: error: this command needs the '{extra}' extra "
        f"(truewatch_no_such_module missing): pip install 'truewatch-contract[{extra}]'"
    ]


def test_an_internal_error_is_exit_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(args: object) -> int:
        raise KeyError("checked")

    monkeypatch.setattr(cli_spec, "run", broken)
    assert main(["spec"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "truewatch-contract spec: internal error: KeyError: 'checked'"
    ]
