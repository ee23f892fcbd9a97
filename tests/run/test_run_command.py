"""
`truewatch-contract run` end to end, as a user runs it: a passing run against the built-in mock, a
failing run against a deliberately broken server, an interrupted run and a target that dies.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from truewatch_contract.runner.reports import REPORT_FILES


def _command(*argv: str) -> list[str]:
    return [sys.executable, "-m", "truewatch_contract", "run", *argv]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUEWATCH_")}
    env.update(extra)
    return env


def _reports(directory: Path) -> tuple[dict[str, Any], str, ET.Element]:
    report = json.loads((directory / "report.json").read_text(encoding="utf-8"))
    page = (directory / "report.html").read_text(encoding="utf-8")
    junit = ET.fromstring((directory / "junit.xml").read_bytes())
    return report, page, junit


def _assert_no_secret(directory: Path, output: str, secrets: tuple[str, ...]) -> None:
    assert secrets and all(secrets)
    for path in directory.iterdir():
        text = path.read_text(encoding="utf-8", errors="replace")
        for secret in secrets:
            assert secret not in text, f"a key leaked into {path.name}"
    for secret in secrets:
        assert secret not in output, "a key leaked into the command's output"


def test_a_run_against_the_built_in_mock_passes_and_reports(
    mock_run: Any, mock_keys: tuple[str, ...]
) -> None:
    done, reports = mock_run
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("PASSED: The contract holds.")
    assert " tests done (0 failed), 0 violations" in done.stderr  # progress shown
    assert sorted(p.name for p in reports.iterdir()) == sorted([*REPORT_FILES, "suite-output.txt"])
    report, page, junit = _reports(reports)
    assert report["verdict"] == "passed" and report["complete"]
    assert report["target"]["name"] == "built-in mock"
    assert report["counts"]["requests"] > 50
    assert report["counts"]["tests"]["failed"] == 0 and report["counts"]["tests"]["passed"] > 0
    held = [r["id"] for r in report["rules"] if r["status"] == "held"]
    assert "envelope.code-matches-status" in held and "behaviour.auth-required" in held
    assert not [r for r in report["rules"] if r["status"] == "broken"]
    coverage = report["coverage"]
    assert {row["kind"] for row in coverage["issue_status_sent"]} >= {"allowed", "invalid"}
    shapes = {row["shape"]: row["count"] for row in coverage["assigner_shapes_sent"]}
    assert shapes["valid list"] > 0 and shapes["absent"] > 0
    assert {row["status"] for row in coverage["http_status_received"]} >= {"200", "400", "404"}
    assert report["timings"]["count"] > 0
    # Version 2: the target's profile, non-empty, naming the mock's own choices.
    assert report["format"] == "truewatch-contract-report/2"
    profile = {(e["point"], e["observed"]) for e in report["profile"]}
    assert ("answer to a bad key", "403 ft.InvalidAPIKey") in profile
    assert ("answer to an unknown issue", "404 ft.NotFoundIssue") in profile
    assert ("error content", "null") in profile
    assert "Target profile" in page
    assert "PASSED" in page.upper() and "<svg" in page
    assert junit.get("failures") == "0" and int(junit.get("tests", "0")) > 40
    _assert_no_secret(reports, done.stdout + done.stderr, mock_keys)


def test_one_word_keys_give_three_complete_reports_with_the_keys_blanked(
    tmp_path: Path, short_key_server: Any
) -> None:
    """Issue 13 item 7: keys ``k`` and ``test`` never break a report, and never leak into one."""
    server, info = short_key_server
    foreign = tmp_path / "foreign-key"
    foreign.write_text("test\n", encoding="utf-8")
    reports = tmp_path / "reports"
    argv = _command(
        "--base-url", server.base_url, "--api-key-stdin", "--issue-id", info["issue_id"],
        "--assignees", ",".join(info["assignees"]), "--foreign-api-key-file", str(foreign),
        "--foreign-issue-id", info["foreign_issue_id"], "--max-examples", "5",
        "--report-dir", str(reports),
    )  # fmt: skip
    done = subprocess.run(
        argv, input="k\n", capture_output=True, text=True, timeout=180, env=_env(), check=False
    )
    assert done.returncode == 1, done.stdout + done.stderr  # the server breaks a rule
    report, page, junit = _reports(reports)
    assert report["rules"][0].keys() >= {"id", "checked", "held", "broke"}
    assert report["verdict"] == "failed" and report["profile"]
    examples = [x for failure in report["failures"] for x in failure["examples"]]
    assert examples and all("DF-API-KEY: [redacted]" in x["curl"] for x in examples if x["curl"])
    for example in examples:
        headers = (example.get("request") or {}).get("headers") or {}
        assert all(v == "[redacted]" for k, v in headers.items() if k.lower() == "df-api-key")
    for path in reports.iterdir():
        text = path.read_text(encoding="utf-8")
        for key in ("k", "test"):
            for leak in (f"DF-API-KEY: {key}'", f'"DF-API-KEY": "{key}"', f"DF-API-KEY={key} "):
                assert leak not in text, f"{leak!r} in {path.name}"
    assert junit.get("failures") != "0" and "Target profile" in page


def test_a_run_against_a_broken_server_fails_with_the_rule(broken_run: Any) -> None:
    done, reports, info = broken_run
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.startswith("FAILED: The contract is broken")
    assert "broken envelope.code-matches-status [documented]" in done.stdout
    report, page, junit = _reports(reports)
    assert report["verdict"] == "failed"
    assert report["target"]["base_url"].startswith("http://127.0.0.1:")
    assert "assumed" in report["relaxed"]  # a remote target: assumed rules relaxed by default
    first = report["failures"][0]
    assert first["rule"] == "envelope.code-matches-status"
    example = first["examples"][0]
    assert example["response"]["body"]["code"] == 201
    assert "DF-API-KEY: [redacted]" in example["curl"] or "[redacted]" in example["curl"]
    assert page.index("envelope.code-matches-status") < page.index("<h2>Coverage")
    case = junit.find(".//testcase[@name='envelope.code-matches-status']")
    assert case is not None and case.find("failure") is not None
    _assert_no_secret(
        reports, done.stdout + done.stderr, (info["api_key"], info["foreign_api_key"])
    )


def _wait_for_requests(process: subprocess.Popen[str], lines: list[str], at_least: int) -> None:
    """Read the command's progress lines until it has sent `at_least` requests."""
    assert process.stderr is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        lines.append(line)
        words = line.split()
        if "requests," in words and int(words[words.index("requests,") - 1]) >= at_least:
            return
    raise AssertionError("the run never got going: " + "".join(lines))


def test_an_interrupted_run_still_writes_reports_that_say_so(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    process = subprocess.Popen(
        _command("--max-examples", "1000", "--report-dir", str(reports)),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
    )  # fmt: skip
    lines: list[str] = []
    try:
        _wait_for_requests(process, lines, at_least=20)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, out + err
    assert out.startswith("INTERRUPTED: The run was interrupted")
    report, page, junit = _reports(reports)
    assert report["verdict"] == "interrupted" and not report["complete"]
    assert report["counts"]["requests"] >= 20
    assert "interrupted" in " ".join(report["notes"])
    assert "interrupted" in page
    run_case = junit.find(".//testcase[@name='run']")
    assert run_case is not None and run_case.find("error") is not None


def test_a_target_that_dies_midway_is_reported_as_lost(tmp_path: Path, correct_server: Any) -> None:
    server, info = correct_server
    reports = tmp_path / "reports"
    argv = _command(
        "--base-url", server.base_url, "--issue-id", info["issue_id"],
        "--max-examples", "1000", "--report-dir", str(reports),
    )  # fmt: skip
    env = _env(TRUEWATCH_API_KEY=info["api_key"])
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    lines: list[str] = []
    try:
        _wait_for_requests(process, lines, at_least=20)
        server.stop()
        out, err = process.communicate(timeout=90)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 2, out + err
    assert out.startswith("TARGET-LOST: The target stopped answering during the run.")
    report, page, _ = _reports(reports)
    assert report["verdict"] == "target-lost"
    assert report["counts"]["network_errors"] > 0
    assert any("stopped answering" in note for note in report["notes"])
    assert "stopped answering" in page
    _assert_no_secret(reports, out + err + "".join(lines), (info["api_key"],))
