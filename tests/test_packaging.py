"""
The package as an integrator gets it: a wheel built from this checkout (with build isolation:
the hook needs PyYAML, so the build requirements are proven too), installed WITHOUT extras into a
fresh virtual environment.

The light core is jsonschema alone; the spec ships as JSON generated from the YAML, so neither
PyYAML nor a cache is needed; each command that needs an extra says which; the shipped suite runs
under plain ``pytest --pyargs``; the pytest plugin loads fine without the mock extra.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SPEC_YAML = ROOT / "openapi" / "error-track.openapi.yaml"
DECISIONS = ROOT / "docs/contract-decisions.md"
JSON_IN_WHEEL = "truewatch_contract/openapi/error-track.openapi.json"
# Distributions that must not come with the core (pip's names, normalised to lower case).
HEAVY = {
    "schemathesis", "hypothesis", "starlette", "uvicorn", "pytest", "requests", "pyyaml",
    "jsonschema-rs", "orjson", "httptools", "uvloop",
}  # fmt: skip


def _environment(home: Path) -> dict[str, str]:
    """A clean environment: no TRUEWATCH_* settings, no PYTHONPATH, a home of its own."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TRUEWATCH_", "PYTHON", "VIRTUAL_ENV"))
    }
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"))
    return env


@dataclass(frozen=True)
class Core:
    """A fresh virtual environment holding the wheel and its mandatory dependencies only."""

    wheel: Path
    venv: Path
    home: Path

    def run(self, *argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.venv / "bin" / argv[0]), *argv[1:]],
            input=stdin,
            capture_output=True,
            text=True,
            env=_environment(self.home),
            cwd=self.home,
            timeout=120,
            check=False,
        )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (found,) = out.glob("truewatch_contract-*.whl")
    return found


@pytest.fixture(scope="module")
def core(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Core:
    base = tmp_path_factory.mktemp("core")
    venv, home = base / "venv", base / "home"
    home.mkdir()
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
         str(wheel)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr[-3000:]
    return Core(wheel, venv, home)


def test_the_wheel_requires_jsonschema_alone(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = archive.read(name).decode()
    required = [
        line.removeprefix("Requires-Dist: ")
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist: ") and "extra ==" not in line
    ]
    assert required == ["jsonschema<5,>=4.23"]
    extras = {line.split(": ")[1] for line in metadata.splitlines() if line.startswith("Provides")}
    assert {"mock", "suite", "fast", "all", "dev"} <= extras


def test_a_core_install_brings_nothing_heavy(core: Core) -> None:
    names_of = (
        "import importlib.metadata as m; print(*(d.metadata['Name'] for d in m.distributions()))"
    )
    listed = core.run("python", "-c", names_of)
    assert listed.returncode == 0, listed.stderr
    names = {name.lower().replace("_", "-") for name in listed.stdout.split()}
    assert {"truewatch-contract", "jsonschema"} <= names
    assert names & HEAVY == set()


def test_the_wheels_json_spec_equals_the_yaml_as_parsed(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        shipped = json.loads(archive.read(JSON_IN_WHEEL))
        shipped_yaml = archive.read("truewatch_contract/openapi/error-track.openapi.yaml")
    assert shipped == yaml.safe_load(SPEC_YAML.read_bytes())
    assert shipped_yaml == SPEC_YAML.read_bytes()


def test_the_library_imports_and_validates_without_yaml_or_a_cache(core: Core) -> None:
    probe = textwrap.dedent(
        """
        import sys
        import truewatch_contract as t
        assert t.load_spec()["paths"], "no spec"
        print(len(t.validate_request({"issueStatus": "level"})))
        print(sorted(m for m in ("yaml", "pytest", "starlette") if m in sys.modules))
        """
    )
    result = core.run("python", "-c", probe)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n", 1) == ["1", "[]\n"]
    assert not (core.home / ".cache").exists(), "the installed package wrote a cache"


def test_the_core_judges_an_exchange_whose_key_and_issue_it_does_not_know(core: Core) -> None:
    """`truewatch_contract.judge` from the light install: no heavy package is imported."""
    probe = textwrap.dedent(
        """
        import json, sys
        from truewatch_contract.judge import Exchange, Facts, judge
        envelope = {"code": 403, "content": None, "errorCode": "ft.InvalidAPIKey",
                    "message": "", "success": False, "traceId": "t"}
        exchange = Exchange(
            method="POST",
            path="/api/v1/error_track/0123456789abcdef0123456789abcdef/update",
            request_headers={"Content-Type": "application/json", "DF-API-KEY": "tkn_someone"},
            request_body=b'{"issueStatus": "Resolved"}',
            status=403,
            response_headers={"Content-Type": "application/json"},
            response_body=json.dumps(envelope).encode(),
        )
        verdict = judge(exchange, Facts())
        print(verdict.ok, verdict.acceptable, sorted(f.value for f in verdict.expectation.possible))
        heavy = ("schemathesis", "hypothesis", "requests", "starlette", "pytest", "yaml")
        print(sorted(name for name in heavy if name in sys.modules))
        """
    )
    result = core.run("python", "-c", probe)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["True True ['bad-key', 'unknown-issue']", "[]"]


def test_validate_works_from_the_core(core: Core) -> None:
    valid = core.run(
        "truewatch-contract", "validate", "request", stdin='{"issueStatus": "Resolved"}'
    )
    assert (valid.returncode, valid.stderr) == (0, "")
    invalid = core.run("truewatch-contract", "validate", "request", stdin='{"issueStatus": "x"}')
    assert invalid.returncode == 1
    assert "request.issue-status" in invalid.stdout


def test_spec_says_where_the_shipped_spec_is_and_prints_it(core: Core) -> None:
    path = core.run("truewatch-contract", "spec", "--path")
    assert path.returncode == 0, path.stderr
    shipped = Path(path.stdout.strip())
    assert shipped.is_relative_to(core.venv) and shipped.name == "error-track.openapi.yaml"
    assert shipped.read_bytes() == SPEC_YAML.read_bytes()
    # The decisions the spec cites, where the README says: ../docs/ from the spec's folder; their
    # links into openapi/ resolve there as in the repository.
    decisions = shipped.parent.parent / "docs/contract-decisions.md"
    assert decisions.read_bytes() == DECISIONS.read_bytes()
    assert (decisions.parent / "../openapi/vendor-page.txt").is_file()
    as_json = core.run("truewatch-contract", "spec", "--json")
    assert json.loads(as_json.stdout) == yaml.safe_load(SPEC_YAML.read_bytes())
    as_yaml = core.run("truewatch-contract", "spec", "--yaml")
    assert as_yaml.stdout == SPEC_YAML.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("command", "extra"), [("run", "suite"), ("mutants", "suite"), ("mock", "mock")]
)
def test_a_command_without_its_extra_exits_2_naming_it(
    core: Core, command: str, extra: str
) -> None:
    result = core.run("truewatch-contract", command)
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"truewatch-contract {command}: error: ")
    assert line.endswith(f"pip install 'truewatch-contract[{extra}]'")
    helped = core.run("truewatch-contract", command, "--help")  # help needs no extra
    assert helped.returncode == 0 and "usage:" in helped.stdout


@pytest.fixture(scope="module")
def site(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel's files installed into a folder of their own (``pip install --target``)."""
    folder = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(folder),
         str(wheel)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return folder


def test_the_shipped_suite_runs_under_plain_pytest(site: Path, tmp_path: Path) -> None:
    """`pytest --pyargs truewatch_contract.contract_tests` from the installed wheel's files."""
    env = {**_environment(tmp_path), "PYTHONPATH": str(site)}
    common = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--pyargs"]
    collected = subprocess.run(
        [*common, "truewatch_contract.contract_tests", "--collect-only", "-q"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300, check=False,
    )  # fmt: skip
    assert collected.returncode == 0, collected.stdout[-3000:] + collected.stderr[-2000:]
    assert "test_fuzz.py::" in collected.stdout and "test_scenarios.py::" in collected.stdout
    ran = subprocess.run(
        [*common, "truewatch_contract.contract_tests.test_auth", "-q", "-rs"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300, check=False,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-2000:]
    assert " passed" in ran.stdout and "skipped" not in ran.stdout


@pytest.mark.parametrize("by", ["package", "path"])
def test_a_bad_variable_is_one_line_and_exit_4_however_the_suite_is_named(
    site: Path, tmp_path: Path, by: str
) -> None:
    """`--pyargs` loads the suite's conftest late; the refusal is the same one line all the same."""
    env = {**_environment(tmp_path), "PYTHONPATH": str(site), "TRUEWATCH_RATE_LIMIT": "fast"}
    target = (
        ["--pyargs", "truewatch_contract.contract_tests"]
        if by == "package"
        else [str(site / "truewatch_contract" / "contract_tests")]
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *target, "-q"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300, check=False,
    )  # fmt: skip
    output = (run.stdout + run.stderr).strip()
    assert run.returncode == 4, output[-3000:]
    assert output.splitlines() == [
        "ERROR: truewatch contract suite: TRUEWATCH_RATE_LIMIT: 'fast' is not a rate such as "
        "20/m, 5/s, 100/h or 20/10s"
    ]


def test_the_plugin_costs_nothing_without_the_mock_extra(tmp_path: Path) -> None:
    """The plugin loads with starlette and uvicorn missing; only the fixture names the extra."""
    (tmp_path / "conftest.py").write_text(
        "import sys\n"
        "for name in ('starlette', 'uvicorn'):\n"
        "    sys.modules[name] = None  # as if the 'mock' extra were not installed\n"
    )
    (tmp_path / "test_project.py").write_text(
        textwrap.dedent(
            """
            import sys

            def test_unrelated():
                assert "truewatch_contract.mock" not in sys.modules

            def test_uses_the_fixture(truewatch_mock):
                pass
            """
        )
    )
    env = {**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", str(tmp_path)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout[-3000:]
    assert "1 passed, 1 error" in result.stdout
    assert "pip install 'truewatch-contract[mock]'" in result.stdout
    assert "Traceback" not in result.stdout
