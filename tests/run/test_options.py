"""`run`'s options: flags win over variables, keys stay out of argv, bad values exit 2."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from truewatch_contract.cli import build_parser, main
from truewatch_contract.errors import UsageError
from truewatch_contract.runner.execute import suite_command
from truewatch_contract.runner.options import plan_run

KEY = "flag-key-0123456789"
ISSUE = "0123456789abcdef0123456789abcdef"
REMOTE = {"TRUEWATCH_BASE_URL": "http://127.0.0.1:1", "TRUEWATCH_API_KEY": "env-key-value"}


def _args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["run", *argv])


def test_flags_win_over_the_environment() -> None:
    env = {**REMOTE, "TRUEWATCH_ISSUE_ID": "from-env", "TRUEWATCH_SEED": "5", "PATH": "/bin"}
    plan = plan_run(_args("--issue-id", ISSUE, "--api-key", KEY, "--max-examples", "3"), env)
    assert plan.env["TRUEWATCH_ISSUE_ID"] == ISSUE
    assert plan.env["TRUEWATCH_API_KEY"] == KEY
    assert plan.env["TRUEWATCH_MAX_EXAMPLES"] == "3"
    assert plan.env["TRUEWATCH_SEED"] == "5"  # not given as a flag: the environment's
    assert plan.env["PATH"] == "/bin"
    assert plan.base_url == "http://127.0.0.1:1"
    assert plan.secrets == (KEY,)
    assert "assumed" in plan.relax  # off the mock, assumed rules are relaxed by default


def test_the_key_comes_from_a_file_or_stdin(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text(KEY + "\n", encoding="utf-8")
    env = {**REMOTE, "TRUEWATCH_ISSUE_ID": ISSUE}
    assert plan_run(_args("--api-key-file", str(key_file)), env).env["TRUEWATCH_API_KEY"] == KEY
    stdin = io.StringIO(f"  {KEY}\n")
    assert plan_run(_args("--api-key-stdin"), env, stdin=stdin).env["TRUEWATCH_API_KEY"] == KEY


def test_the_key_never_reaches_the_suites_argv(tmp_path: Path) -> None:
    plan = plan_run(_args("--api-key", KEY, "--issue-id", ISSUE), REMOTE)
    argv = suite_command(tmp_path / "pytest.ini", exitfirst=True)
    assert not any(KEY in part for part in argv)
    assert plan.env["TRUEWATCH_API_KEY"] == KEY
    assert "-x" in argv and "truewatch_contract.runner.collector" in argv


def test_the_built_in_mock_needs_no_option_and_inherits_no_record() -> None:
    plan = plan_run(_args(), {"TRUEWATCH_RECORD": "/tmp/elsewhere.jsonl"})
    assert plan.base_url is None and plan.target_name == "built-in mock"
    assert "TRUEWATCH_RECORD" not in plan.env
    assert plan.relax == ()


@pytest.mark.parametrize(
    ("argv", "env", "message"),
    [
        (["--base-url", "ftp://x"], {}, "--base-url: 'ftp://x' is not an http(s) URL"),
        (
            ["--base-url", "http://h"],
            {},
            "--api-key / TRUEWATCH_API_KEY is required when --base-url is set",
        ),
        (["--max-examples", "many"], {}, "--max-examples: 'many' is not a whole number"),
        (["--max-examples", "0"], {}, "--max-examples: 0 is out of range"),
        (["--seed", "-1"], {}, "--seed: -1 is out of range"),
        (["--relax", "no.such-rule"], {}, "--relax: unknown rule id or tag 'no.such-rule'"),
        (["--rate-limit", "fast"], {}, "--rate-limit: 'fast' is not a rate"),
        (["--assignees", "bob"], {}, "--assignees: 'bob' is not an account id"),
        (["--api-key", KEY], {}, "--api-key needs --base-url"),
        (
            [],
            {"TRUEWATCH_SEED": "x"},
            "--seed / TRUEWATCH_SEED: 'x' is neither a whole number nor 'random'",
        ),
        ([], {"TRUEWATCH_ENGINE": "bogus"}, "TRUEWATCH_ENGINE: unknown engine 'bogus'"),
        (["--api-key-file", "/nonexistent/key"], REMOTE, "--api-key-file: cannot read"),
    ],
)
def test_bad_values_are_usage_errors_naming_the_option(
    argv: list[str], env: dict[str, str], message: str
) -> None:
    with pytest.raises(UsageError) as caught:
        plan_run(_args(*argv), env)
    assert str(caught.value).startswith(message), str(caught.value)


def test_an_empty_key_file_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "key"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(UsageError, match="no key found"):
        plan_run(_args("--api-key-file", str(empty), "--issue-id", ISSUE), REMOTE)


def test_the_command_exits_2_with_one_line_and_no_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["run", "--max-examples", "lots", "--report-dir", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        "truewatch-contract run: error: --max-examples: 'lots' is not a whole number"
    )
    assert "Traceback" not in err
    assert not (tmp_path / "r").exists()


def test_an_unreachable_target_exits_2_and_writes_no_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, unused_port: int
) -> None:
    argv = ["run", "--base-url", f"http://127.0.0.1:{unused_port}", "--api-key", KEY]
    argv += ["--issue-id", ISSUE, "--report-dir", str(tmp_path / "r")]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert "target unreachable: cannot connect to 127.0.0.1" in captured.err
    assert KEY not in captured.err + captured.out
    assert not (tmp_path / "r").exists()
