"""
From ``truewatch-contract run``'s options to the suite's environment.

Each option has a ``TRUEWATCH_*`` variable; an option given on the command line wins, otherwise
the variable already in the environment is used. The result is validated by the suite's own
:meth:`SuiteConfig.from_env <truewatch_contract.suite.config.SuiteConfig.from_env>`, so the
command refuses exactly what the suite would refuse, before anything runs.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from truewatch_contract.errors import UsageError

if TYPE_CHECKING:
    from truewatch_contract.suite.config import SuiteConfig

# (argparse dest, variable, option as the user spells it)
OPTIONS = (
    ("base_url", "TRUEWATCH_BASE_URL", "--base-url"),
    ("api_key", "TRUEWATCH_API_KEY", "--api-key"),
    ("issue_id", "TRUEWATCH_ISSUE_ID", "--issue-id"),
    ("assignees", "TRUEWATCH_ASSIGNEES", "--assignees"),
    ("foreign_api_key", "TRUEWATCH_FOREIGN_API_KEY", "--foreign-api-key"),
    ("foreign_issue_id", "TRUEWATCH_FOREIGN_ISSUE_ID", "--foreign-issue-id"),
    ("rate_limit", "TRUEWATCH_RATE_LIMIT", "--rate-limit"),
    ("max_examples", "TRUEWATCH_MAX_EXAMPLES", "--max-examples"),
    ("relax", "TRUEWATCH_RELAX", "--relax"),
    ("seed", "TRUEWATCH_SEED", "--seed"),
    ("budget", "TRUEWATCH_BUDGET", "--budget"),
    ("time_budget", "TRUEWATCH_TIME_BUDGET", "--time-budget"),
    ("concurrency", "TRUEWATCH_CONCURRENCY", "--concurrency"),
    ("mock_profile", "TRUEWATCH_MOCK_PROFILE", "--mock-profile"),
)
# Options that only make sense for a remote target: the built-in mock brings its own.
REMOTE_ONLY = ("api_key", "issue_id", "foreign_api_key", "foreign_issue_id")


@dataclass(frozen=True)
class RunPlan:
    """A validated run: the suite's environment and what the reports may say about the target."""

    env: dict[str, str]
    base_url: str | None
    issue_id: str | None
    relax: tuple[str, ...]
    secrets: tuple[str, ...]
    report_dir: Path
    seed: int
    max_examples: int
    budget: str = "budget: none (the full run)"  # the plan's headline, for the first line
    seed_drawn: bool = False  # --seed random drew `seed` for this run
    summary_md: tuple[Path, ...] = ()  # where the Markdown job summary goes (appended)
    mock_profile: Path | None = None  # the built-in mock answers as this profile says

    @property
    def target_name(self) -> str:
        if self.base_url:
            return self.base_url
        if self.mock_profile is not None:
            return f"built-in mock (profile {self.mock_profile})"
        return "built-in mock"


def plan_run(
    args: argparse.Namespace,
    environ: Mapping[str, str] | None = None,
    stdin: TextIO | None = None,
) -> RunPlan:
    """
    Build the suite's environment from the options and the environment.

    Raises:
        UsageError: a bad or missing value (exit 2), with a one-line message.
    """
    env = dict(os.environ if environ is None else environ)
    given: dict[str, str] = {}
    for dest, variable, option in OPTIONS:
        value = getattr(args, dest, None)
        if value is not None:
            given[variable] = option
            env[variable] = str(value)
    if getattr(args, "api_key_file", None):
        env["TRUEWATCH_API_KEY"] = _read_key_file(args.api_key_file, "--api-key-file")
        given["TRUEWATCH_API_KEY"] = "--api-key-file"
    if getattr(args, "api_key_stdin", False):
        env["TRUEWATCH_API_KEY"] = _read_key_stdin(stdin)
        given["TRUEWATCH_API_KEY"] = "--api-key-stdin"
    if getattr(args, "foreign_api_key_file", None):
        env["TRUEWATCH_FOREIGN_API_KEY"] = _read_key_file(
            args.foreign_api_key_file, "--foreign-api-key-file"
        )
        given["TRUEWATCH_FOREIGN_API_KEY"] = "--foreign-api-key-file"
    remote = bool(env.get("TRUEWATCH_BASE_URL", "").strip())
    if not remote:
        for dest, variable, _ in OPTIONS:
            if dest in REMOTE_ONLY and variable in given:
                raise UsageError(
                    f"{given[variable]} needs --base-url: the built-in mock brings its own "
                    "key and issue"
                )
    # The record and the mutant are the runner's business, never inherited by accident.
    env.pop("TRUEWATCH_RECORD", None)

    from truewatch_contract.suite.config import ConfigError, SuiteConfig

    try:
        target = SuiteConfig.from_env(env)
    except ConfigError as error:
        raise UsageError(_name_option(str(error), given)) from None
    if target.mock_profile is not None:
        # An absolute path: the suite runs in a folder of its own.
        env["TRUEWATCH_MOCK_PROFILE"] = str(target.mock_profile)
    if target.seed_drawn:
        # Drawn once, here: the suite gets the number, the first line and the reports show it.
        env["TRUEWATCH_SEED"] = str(target.seed)
    budget = _budget_headline(target, given)
    engine = env.get("TRUEWATCH_ENGINE", "")
    if engine.strip():
        from truewatch_contract.schema_engine import resolve_engine

        try:
            resolve_engine(engine.strip())
        except ValueError as error:
            raise UsageError(f"TRUEWATCH_ENGINE: {error}") from None
    report_dir = Path(getattr(args, "report_dir", None) or "reports")
    if report_dir.exists() and not report_dir.is_dir():
        raise UsageError(f"--report-dir: {report_dir} exists and is not a directory")
    return RunPlan(
        env=env,
        base_url=None if target.builtin_mock else target.base_url,
        issue_id=None if target.builtin_mock else target.issue_id,
        relax=tuple(sorted(target.relaxed)),
        secrets=target.secrets,
        report_dir=report_dir,
        seed=target.seed,
        max_examples=target.max_examples,
        budget=budget,
        seed_drawn=target.seed_drawn,
        summary_md=_summary_files(args, env),
        mock_profile=target.mock_profile,
    )


def _summary_files(args: argparse.Namespace, env: Mapping[str, str]) -> tuple[Path, ...]:
    """
    Where the Markdown job summary goes: ``--summary-md`` (else ``TRUEWATCH_SUMMARY_MD``), and
    ``GITHUB_STEP_SUMMARY`` when GitHub Actions sets it; each one is appended to.
    """
    files: list[Path] = []
    chosen = getattr(args, "summary_md", None) or env.get("TRUEWATCH_SUMMARY_MD", "").strip()
    option = "--summary-md" if getattr(args, "summary_md", None) else "TRUEWATCH_SUMMARY_MD"
    for name, text in ((option, chosen), ("GITHUB_STEP_SUMMARY", env.get("GITHUB_STEP_SUMMARY"))):
        if not text or not str(text).strip():
            continue
        path = Path(str(text).strip())
        if path.is_dir():
            raise UsageError(f"{name}: {path} is a directory, not a file")
        if path not in files:
            files.append(path)
    return tuple(files)


def _budget_headline(target: SuiteConfig, given: Mapping[str, str]) -> str:
    """
    Plan the run as the suite will (`truewatch_contract.suite.plan`), so that a budget too
    small for the plan is refused here, with the smallest that works, before anything runs.
    """
    from truewatch_contract.suite.budget import BudgetError

    try:
        plan = target.plan()
    except BudgetError as error:
        raise UsageError(_name_option(str(error), given)) from None
    return _name_option(plan.budget.headline(), given)


def name_options(message: str) -> str:
    """A message of the suite with each variable's option beside it (``--issue-id
    (TRUEWATCH_ISSUE_ID)``), for a user of ``run``."""
    return _name_option(message, {})


def _name_option(message: str, given: Mapping[str, str]) -> str:
    """
    Name the option a user of ``run`` types, not only the suite's variable.

    A value that came from the command line is named by its option (``--seed``); any other
    variable the message names gets its option beside it (``--issue-id (TRUEWATCH_ISSUE_ID)``).
    """
    for _, variable, option in OPTIONS:
        spelled = given.get(variable) or f"{option} / {variable}"
        message = re.sub(rf"\b{variable}\b", spelled, message)
    return message


def _read_key_file(path: str, option: str) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        raise UsageError(f"{option}: cannot read {path}: {reason}") from None
    return _one_key(text, option)


def _read_key_stdin(stdin: TextIO | None) -> str:
    stream = sys.stdin if stdin is None else stdin
    text = getpass.getpass("API key: ") if stream.isatty() else stream.read()
    return _one_key(text, "--api-key-stdin")


def _one_key(text: str, option: str) -> str:
    key = text.strip()
    if not key:
        raise UsageError(f"{option}: no key found (the input is empty)")
    if "\n" in key or "\r" in key:
        raise UsageError(f"{option}: expected one key on one line")
    return key
