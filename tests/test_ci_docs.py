"""
The ready-made CI files in ``docs/ci/``: they parse as YAML, and every ``truewatch-contract``
command, option and ``TRUEWATCH_*`` variable they use exists.
"""

from __future__ import annotations

import re
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomllib
import yaml

from truewatch_contract.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
CI_DIR = ROOT / "docs" / "ci"
WORKFLOWS = ("github-actions.yml", "gitlab-ci.yml")
# A GitHub expression (`${{ ... }}`) stands for a value the CI fills in at run time.
_EXPRESSION = re.compile(r"\$\{\{.*?\}\}")


def _load(name: str) -> Any:
    return yaml.safe_load((CI_DIR / name).read_text(encoding="utf-8"))


def _shell_lines(name: str, document: Any) -> Iterator[str]:
    """Every shell line of the workflow: GitHub steps' `run`, GitLab jobs' scripts."""
    if name.startswith("github"):
        for job in document["jobs"].values():
            for step in job["steps"]:
                if "run" in step:
                    yield from str(step["run"]).splitlines()
    else:
        for job in document.values():
            if not isinstance(job, dict):
                continue
            for key in ("before_script", "script", "after_script"):
                for line in job.get(key, []):
                    yield from str(line).splitlines()


def _env_names(document: Any) -> set[str]:
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("env", "variables") and isinstance(value, dict):
                    names.update(str(k) for k in value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document)
    return {n for n in names if n.startswith("TRUEWATCH_")}


def _commands(name: str) -> list[list[str]]:
    out = []
    for line in _shell_lines(name, _load(name)):
        # `test -f x || truewatch-contract ...`: each command of the line.
        for part in re.split(r"&&|\|\||;", _EXPRESSION.sub("1", line)):
            part = part.strip()
            if part.startswith("truewatch-contract"):
                out.append(shlex.split(part)[1:])
    return out


@pytest.mark.parametrize("name", WORKFLOWS)
def test_the_workflow_parses_as_yaml_and_runs_the_suite_and_drift(name: str) -> None:
    commands = _commands(name)
    # The default mock, the mock as staging answers, staging.
    assert [c[0] for c in commands].count("run") == 3, commands
    assert ["drift"] in commands
    assert any(c[0] == "run" and "--mock-profile" in c for c in commands), commands
    # The nightly loop: staging's profile exported, then compared with the kept one.
    assert ["profile", "reports/report.json", "-o", "reports/staging-profile.json"] in commands
    assert any(c[0] == "diff" and "reports/staging-profile.json" in c for c in commands)


@pytest.mark.parametrize("name", WORKFLOWS)
def test_every_command_and_option_the_workflow_uses_exists(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = build_parser()
    for argv in _commands(name):
        try:
            args = parser.parse_args(argv)
        except SystemExit:
            pytest.fail(
                f"{name}: `truewatch-contract {shlex.join(argv)}` does not parse:\n"
                f"{capsys.readouterr().err}"
            )
        assert getattr(args, "handler", None) is not None, argv


@pytest.mark.parametrize("name", WORKFLOWS)
def test_every_variable_the_workflow_sets_is_one_the_suite_reads(name: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for variable in _env_names(_load(name)):
        assert f"`{variable}`" in readme, (
            f"{name} sets {variable}, which the README does not document"
        )


@pytest.mark.parametrize("name", WORKFLOWS)
def test_the_workflow_installs_an_extra_that_exists(name: str) -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    installs = [line for line in _shell_lines(name, _load(name)) if "pip install" in line]
    assert installs
    for line in installs:
        for extra in re.findall(r"\[([a-z,]+)\]", line):
            for item in extra.split(","):
                assert item in extras, f"{name}: extra {item!r} does not exist"


def test_the_ci_guide_links_both_workflows_and_the_readme_links_the_guide() -> None:
    guide = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    for name in WORKFLOWS:
        assert f"ci/{name}" in guide
    assert "docs/ci.md" in (ROOT / "README.md").read_text(encoding="utf-8")


# docs/ci.md: "| `pip install ".[suite]"` | 14 s | 39 packages on Python 3.11 (...".
_SUITE_INSTALL = re.compile(
    r'\| `pip install "\.\[suite\]"` \|[^|]*\| (\d+) packages on Python (\d+)\.(\d+)'
)


def _installed_closure(name: str, extras: set[str]) -> set[str]:
    """The distributions `pip install 'name[extras]'` installs, from the installed metadata."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    done: dict[str, set[str]] = {}  # distribution -> the extras (and "" for itself) followed
    todo = [(name, extras)]
    while todo:
        current, wanted = todo.pop()
        requires = metadata.distribution(current).requires or []
        for extra in {"", *wanted} - done.setdefault(canonicalize_name(current), set()):
            done[canonicalize_name(current)].add(extra)
            for text in requires:
                requirement = Requirement(text)
                marker = requirement.marker
                if marker is None or marker.evaluate({"extra": extra}):
                    todo.append((requirement.name, set(requirement.extras)))
    return set(done)


def test_the_ci_guide_counts_the_packages_of_the_suite_extra() -> None:
    found = _SUITE_INSTALL.search((ROOT / "docs" / "ci.md").read_text(encoding="utf-8"))
    assert found, "docs/ci.md no longer says how many packages the suite extra installs"
    count, version = int(found.group(1)), (int(found.group(2)), int(found.group(3)))
    if sys.version_info[:2] != version:
        pytest.skip(f"docs/ci.md counts the packages on Python {version[0]}.{version[1]}")
    packages = _installed_closure("truewatch-contract", {"suite"})
    assert len(packages) == count, sorted(packages)
