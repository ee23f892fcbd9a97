"""The collector plugin, in a real pytest process: outcomes, redaction, interrupts."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from truewatch_contract.record import read_record

KEY = "collector-secret-key-42"

TESTS = textwrap.dedent(
    f"""
    import os, signal
    import pytest

    @pytest.fixture
    def broken():
        raise RuntimeError("fixture broke")

    def test_passes():
        pass

    def test_fails():
        headers = {{"DF-API-KEY": os.environ["TRUEWATCH_API_KEY"]}}
        assert headers == {{}}, "leaked {KEY} and DF-API-KEY: other-value"

    def test_skips():
        pytest.skip("not today")

    def test_errors_in_setup(broken):
        pass

    def test_zz_interrupts():
        if os.environ.get("INTERRUPT"):
            os.kill(os.getpid(), signal.SIGINT)
    """
)


def _run(tmp_path: Path, **extra: str) -> tuple[int, Path]:
    (tmp_path / "test_sample.py").write_text(TESTS, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    record = tmp_path / "record.jsonl"
    env = {**os.environ, "TRUEWATCH_RECORD": str(record), "TRUEWATCH_API_KEY": KEY, **extra}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # the collector alone: a faster start
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "truewatch_contract.runner.collector"]
    argv += ["-p", "no:cacheprovider", "-c", str(tmp_path / "pytest.ini"), str(tmp_path)]
    done = subprocess.run(argv, env=env, capture_output=True, timeout=60, check=False)
    return done.returncode, record


def test_outcomes_are_appended_with_redacted_failure_texts(tmp_path: Path) -> None:
    code, path = _run(tmp_path)
    assert code == 1
    text = path.read_text(encoding="utf-8")
    assert KEY not in text
    assert "other-value" not in text
    record = read_record(path)
    assert record.session_started_at is not None
    assert record.session_finished and record.exit_status == 1
    outcomes = {(t.test.split("::")[-1], t.when): t.outcome for t in record.tests}
    assert outcomes == {
        ("test_passes", "call"): "passed",
        ("test_fails", "call"): "failed",
        ("test_skips", "call"): "skipped",
        ("test_errors_in_setup", "setup"): "failed",
        ("test_zz_interrupts", "call"): "passed",
    }
    failed = next(t for t in record.tests if t.test.endswith("test_fails"))
    assert failed.message is not None and "[redacted]" in failed.message
    skipped = next(t for t in record.tests if t.test.endswith("test_skips"))
    assert skipped.message == "Skipped: not today"


def test_an_interrupted_session_leaves_its_marker(tmp_path: Path) -> None:
    code, path = _run(tmp_path, INTERRUPT="1")
    assert code == 2
    record = read_record(path)
    assert record.interrupted
    assert record.session_finished and record.exit_status == 2


def test_without_a_record_variable_the_plugin_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "test_one.py").write_text("def test_one():\n    pass\n", encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "TRUEWATCH_RECORD"}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "truewatch_contract.runner.collector"]
    argv += ["-p", "no:cacheprovider", "-c", str(tmp_path / "pytest.ini"), str(tmp_path)]
    done = subprocess.run(argv, env=env, capture_output=True, timeout=60, check=False, cwd=tmp_path)
    assert done.returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pytest.ini", "test_one.py"]
