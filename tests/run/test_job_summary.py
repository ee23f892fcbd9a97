"""
The run's job summary (``GITHUB_STEP_SUMMARY``, ``--summary-md``, ``TRUEWATCH_SUMMARY_MD``) and
``--seed random``: a page a person reads in five seconds, with the key nowhere in it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from truewatch_contract.record import read_record
from truewatch_contract.redaction import Redactor
from truewatch_contract.runner.job_summary import render_markdown
from truewatch_contract.runner.report import RunContext, build_report


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TRUEWATCH_") and k != "GITHUB_STEP_SUMMARY"
    }
    env.update(extra)
    return env


def _run(*argv: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "truewatch_contract", "run", *argv],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


def test_a_failing_run_summary_names_the_verdict_each_broken_rule_and_no_key(
    tmp_path: Path, synthetic: Any
) -> None:
    path = synthetic.write_lines(tmp_path / "r.jsonl", synthetic.failing_lines())
    report = build_report(
        read_record(path),
        RunContext(target="https://staging.example", redactor=Redactor([synthetic.SECRET])),
    )
    text = render_markdown(report, [Path("reports/report.html")])
    lines = text.splitlines()
    assert lines[0].startswith("## ") and "FAILED" in lines[0]
    for failure in report.failures:
        row = next(line for line in lines if f"`{failure.rule}`" in line)
        assert f"| {failure.count} |" in row and row.count("|") == 5  # one example, one row
    assert "reports/report.html" in text
    assert synthetic.SECRET not in text
    assert len(lines) < 40  # short: read in five seconds


def test_a_run_appends_to_github_step_summary_and_writes_summary_md(tmp_path: Path) -> None:
    step_summary = tmp_path / "step-summary.md"
    step_summary.write_text("## an earlier step\n", encoding="utf-8")
    own = tmp_path / "out" / "summary.md"
    done = _run(
        "--max-examples", "3", "--concurrency", "1", "--seed", "random",
        "--report-dir", str(tmp_path / "reports"), "--summary-md", str(own),
        env=_env(GITHUB_STEP_SUMMARY=str(step_summary)),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    github = step_summary.read_text(encoding="utf-8")
    assert github.startswith("## an earlier step\n")  # appended, never overwritten
    assert "PASSED" in github and "built-in mock" in github and "report.html" in github
    assert own.read_text(encoding="utf-8") == github[len("## an earlier step\n") :]
    # --seed random: drawn once, printed on the first line, recorded in the reports.
    match = re.search(r"seed (\d+) \(drawn at random; replay with --seed (\d+)\)", done.stderr)
    assert match and match.group(1) == match.group(2), done.stderr
    report = json.loads((tmp_path / "reports" / "report.json").read_text(encoding="utf-8"))
    assert report["seed"] == int(match.group(1))
    assert f"| {report['seed']} |" in github


def test_a_summary_path_that_is_a_directory_is_a_usage_error(tmp_path: Path) -> None:
    done = _run("--summary-md", str(tmp_path), env=_env())
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].endswith("is a directory, not a file")
    done = _run("--seed", "sometimes", env=_env())
    assert done.returncode == 2 and "'random'" in done.stderr and "Traceback" not in done.stderr


def test_the_projects_own_tests_never_write_to_a_github_job_summary() -> None:
    assert "GITHUB_STEP_SUMMARY" not in os.environ
    assert "TRUEWATCH_SUMMARY_MD" not in os.environ
