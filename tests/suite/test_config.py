"""`SuiteConfig.from_env`: every TRUEWATCH_* variable, its validation, keys kept out of reprs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from truewatch_contract.rates import RateLimit
from truewatch_contract.rules import is_relaxed
from truewatch_contract.suite.config import (
    DEFAULT_CONCURRENCY,
    DEFAULT_SEED,
    ConfigError,
    SuiteConfig,
)

KEY = "tkn_secret_0123456789abcdef"
REMOTE = {
    "TRUEWATCH_BASE_URL": "https://staging.example.com/",
    "TRUEWATCH_API_KEY": KEY,
    "TRUEWATCH_ISSUE_ID": "04a0bb44b28e9ff1e01f87828af622b9",
}


def test_defaults_are_the_builtin_mock_with_a_fixed_seed() -> None:
    target = SuiteConfig.from_env({})
    assert target.builtin_mock and target.base_url is None
    assert target.seed == DEFAULT_SEED
    assert target.relaxed == frozenset()  # nothing relaxed against the mock
    assert target.label == "mock"


def test_remote_target_relaxes_assumed_rules_by_default() -> None:
    target = SuiteConfig.from_env({**REMOTE, "TRUEWATCH_RELAX": "content.duration, observed"})
    assert target.base_url == "https://staging.example.com"
    assert target.relaxed == {"assumed", "observed", "content.duration"}
    assert is_relaxed("behaviour.empty-body-noop", target.relaxed)
    assert not is_relaxed("envelope.fields", target.relaxed)


def test_relax_none_enforces_assumed_rules_off_the_mock() -> None:
    assert SuiteConfig.from_env({**REMOTE, "TRUEWATCH_RELAX": "none"}).relaxed == frozenset()
    with pytest.raises(ConfigError):
        SuiteConfig.from_env({**REMOTE, "TRUEWATCH_RELAX": "none,assumed"})


def test_assignees_foreign_and_rate_limit() -> None:
    target = SuiteConfig.from_env(
        {
            **REMOTE,
            "TRUEWATCH_ASSIGNEES": (
                "acnt_3875a23398de4c92a5fc68a1c49a664b, acnt_8b4bd2b8782646f3ba8f6554193f5997"
            ),
            "TRUEWATCH_FOREIGN_API_KEY": "other-key",
            "TRUEWATCH_FOREIGN_ISSUE_ID": "822e8232b66ac59b970f4d2e0c53ca43",
            "TRUEWATCH_RATE_LIMIT": "20/m",
            "TRUEWATCH_MAX_EXAMPLES": "40",
            "TRUEWATCH_SEED": "7",
        }
    )
    assert len(target.assignees) == 2
    assert target.rate_limit == RateLimit(20, 60.0) and target.rate_limit.interval == 3.0
    assert (target.max_examples, target.seed) == (40, 7)
    assert target.secrets == (KEY, "other-key")


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"TRUEWATCH_RATE_LIMIT": "abc"}, "TRUEWATCH_RATE_LIMIT"),
        ({"TRUEWATCH_RATE_LIMIT": "0/m"}, "TRUEWATCH_RATE_LIMIT"),
        ({"TRUEWATCH_MAX_EXAMPLES": "many"}, "TRUEWATCH_MAX_EXAMPLES"),
        ({"TRUEWATCH_MAX_EXAMPLES": "0"}, "TRUEWATCH_MAX_EXAMPLES"),
        ({"TRUEWATCH_SEED": "-1"}, "TRUEWATCH_SEED"),
        ({"TRUEWATCH_SEED": "9" * 5000}, "TRUEWATCH_SEED"),
        ({"TRUEWATCH_CONCURRENCY": "two"}, "TRUEWATCH_CONCURRENCY"),
        ({"TRUEWATCH_CONCURRENCY": "-1"}, "TRUEWATCH_CONCURRENCY"),
        ({"TRUEWATCH_RATE_LIMIT": "20/10q"}, "TRUEWATCH_RATE_LIMIT"),
        ({"TRUEWATCH_RELAX": "envelope.nope"}, "TRUEWATCH_RELAX"),
        ({"TRUEWATCH_ASSIGNEES": "bob"}, "TRUEWATCH_ASSIGNEES"),
        ({"TRUEWATCH_BASE_URL": "staging"}, "TRUEWATCH_BASE_URL"),
        ({"TRUEWATCH_BASE_URL": "https://x.example"}, "TRUEWATCH_API_KEY"),
        ({**REMOTE, "TRUEWATCH_ISSUE_ID": ""}, "TRUEWATCH_ISSUE_ID"),
        ({**REMOTE, "TRUEWATCH_FOREIGN_API_KEY": KEY}, "TRUEWATCH_FOREIGN_API_KEY"),
    ],
)
def test_bad_values_are_one_line_errors_naming_the_variable(
    env: dict[str, str], names: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        SuiteConfig.from_env(env)
    message = str(raised.value)
    assert message.startswith(names) and "\n" not in message
    assert KEY not in message


def test_concurrency_defaults_to_two_and_zero_switches_it_off() -> None:
    assert SuiteConfig.from_env({}).concurrency == DEFAULT_CONCURRENCY == 2
    assert SuiteConfig.from_env({"TRUEWATCH_CONCURRENCY": "0"}).concurrency == 0
    assert SuiteConfig.from_env({"TRUEWATCH_CONCURRENCY": " 5 "}).concurrency == 5


def test_the_shared_rate_grammar_is_accepted() -> None:
    target = SuiteConfig.from_env({"TRUEWATCH_RATE_LIMIT": "20/10s"})
    assert target.rate_limit == RateLimit(20, 10.0)


def test_st_run_relaxes_assumed_rules_even_without_a_base_url() -> None:
    assert SuiteConfig.from_env({}).relaxed_remote == {"assumed"}
    assert SuiteConfig.from_env({"TRUEWATCH_RELAX": "none"}).relaxed_remote == frozenset()


def test_repr_never_shows_keys() -> None:
    target = SuiteConfig.from_env({**REMOTE, "TRUEWATCH_FOREIGN_API_KEY": "other-key"})
    assert KEY not in repr(target) and "other-key" not in repr(target)
    assert KEY not in str(target)


def test_suite_reports_a_bad_variable_without_a_traceback(tmp_path: Path) -> None:
    suite = Path(__file__).resolve().parents[2] / "contract_tests"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(suite), "-q", "-p", "no:cacheprovider"],
        env={"TRUEWATCH_RATE_LIMIT": "abc", "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "TRUEWATCH_RATE_LIMIT: 'abc' is not a rate" in output
    assert "Traceback" not in output


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"TRUEWATCH_RECORD": "{tmp}"}, "TRUEWATCH_RECORD"),
        ({"TRUEWATCH_RECORD": "{tmp}/missing/record.jsonl"}, "TRUEWATCH_RECORD"),
        ({"TRUEWATCH_MOCK_MUTANT": "nosuch"}, "TRUEWATCH_MOCK_MUTANT"),
    ],
    ids=["record-is-a-directory", "record-folder-missing", "unknown-mutant"],
)
def test_record_path_and_mutant_are_checked(
    tmp_path: Path, env: dict[str, str], names: str
) -> None:
    env = {k: v.format(tmp=tmp_path) for k, v in env.items()}
    with pytest.raises(ConfigError) as raised:
        SuiteConfig.from_env(env)
    assert str(raised.value).startswith(names) and "\n" not in str(raised.value)
    assert not (tmp_path / "missing").exists()
    good = SuiteConfig.from_env({"TRUEWATCH_RECORD": str(tmp_path / "r.jsonl")})
    assert good.record == tmp_path / "r.jsonl"


def test_the_suite_package_and_its_configuration_import_nothing_heavy() -> None:
    code = (
        "import sys\n"
        "import truewatch_contract.suite, truewatch_contract.suite.config\n"
        "import truewatch_contract.judge, truewatch_contract.record, truewatch_contract.profile\n"
        "heavy = {'schemathesis', 'hypothesis', 'requests', 'pytest', 'starlette', 'uvicorn'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout
