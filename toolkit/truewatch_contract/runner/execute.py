"""
Running the contract suite in its own pytest process.

The suite is started as ``python -m pytest <contract_tests> -p truewatch_contract.runner.collector``
with a private ini file, so the configuration of whatever project the command runs in does not
leak in. Secrets travel in the child's environment only, never in its argv. While it runs, the
record file is tailed for progress; Ctrl-C (or SIGTERM) is forwarded as one SIGINT so pytest can
finish its bookkeeping, then the suite's whole process group is terminated if it does not stop
(see `_Stopper`).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from truewatch_contract.redaction import Redactor
from truewatch_contract.spec import resource_path

COLLECTOR = "truewatch_contract.runner.collector"
PROBE_TIMEOUT = 5.0
# After the forwarded SIGINT, how long pytest gets to show it took the interrupt (the collector's
# `interrupted` line) before its process group is terminated: a Ctrl-C that lands inside
# Hypothesis's garbage-collection callback is swallowed, and the suite would run on to its end.
GRACE_SECONDS = 2.0
# Once pytest took the interrupt, how long it gets to finish: the session's restore puts the test
# issue back, a few requests paced by the rate limit (4 at 20/m: about 12 s). A second Ctrl-C
# cuts it short.
WRAP_UP_SECONDS = 30.0
# After SIGTERM to the process group, how long before SIGKILL.
KILL_AFTER_SECONDS = 2.0
# Consecutive network errors in the record after which the runner checks the target is alive.
LOST_AFTER_ERRORS = 3

_INI = "[pytest]\n# Written by truewatch-contract run: the suite runs with this config only.\n"


def suite_path() -> Path:
    """The contract suite, as shipped in the wheel or found in the checkout."""
    return resource_path("contract_tests")


def suite_stages() -> list[tuple[str, list[str]]]:
    """
    The suite split for the mutation analysis: its explicit test files (cheap to collect, each
    aimed at one behaviour) and its generated-input files (``*fuzz*``: slow to collect). Falls
    back to one stage, the whole suite, when there is no such split.
    """
    suite = suite_path()
    files = sorted(suite.glob("test_*.py"))
    explicit = [str(p) for p in files if "fuzz" not in p.name]
    generated = [str(p) for p in files if "fuzz" in p.name]
    if not explicit or not generated:
        return [("whole suite", [str(suite)])]
    return [("scenarios", explicit), ("generated", generated)]


def suite_command(
    ini: Path, *, exitfirst: bool = False, paths: Sequence[str] | None = None
) -> list[str]:
    suite = suite_path()
    argv = [
        sys.executable,
        "-m",
        "pytest",
        *(paths or [str(suite)]),
        "-p",
        COLLECTOR,
        "-p",
        "no:cacheprovider",
        "-c",
        str(ini),
        "--rootdir",
        str(suite.parent),
        "--import-mode=importlib",
        "-q",
        "-rN",
        "--color=no",
    ]
    if exitfirst:
        argv.append("-x")
    return argv


def probe(base_url: str, timeout: float = PROBE_TIMEOUT) -> str | None:
    """Return ``None`` when a TCP connection to the target opens, else the reason it did not."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return f"{base_url} has an invalid port"
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except socket.gaierror as error:
        return f"cannot resolve {host}: {error.strerror or error}"
    except TimeoutError:
        return f"no answer from {host}:{port} within {timeout:g} s"
    except OSError as error:
        return f"cannot connect to {host}:{port}: {error.strerror or error}"


@dataclass
class Progress:
    """What the record says so far; updated as the file grows."""

    requests: int = 0
    network_errors: int = 0
    consecutive_errors: int = 0
    violations: int = 0
    tests_done: int = 0
    tests_failed: int = 0
    first_failure_at: float | None = None
    started_at: float | None = None
    # The collector's `interrupted` line: pytest took the interrupt and is wrapping up.
    interrupt_taken: bool = False


@dataclass
class RecordTail:
    """Reads the new complete lines of a growing record file."""

    path: Path
    progress: Progress = field(default_factory=Progress)
    _offset: int = 0
    _partial: bytes = b""

    def poll(self) -> Progress:
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self._offset)
                chunk = handle.read()
        except FileNotFoundError:
            return self.progress
        self._offset += len(chunk)
        data = self._partial + chunk
        lines = data.split(b"\n")
        self._partial = lines.pop()
        for line in lines:
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict):
                self._count(item)
        return self.progress

    def _count(self, item: Mapping[str, Any]) -> None:
        p = self.progress
        kind = item.get("kind")
        if kind == "run" and isinstance(item.get("started_at"), (int, float)):
            p.started_at = float(item["started_at"])
        elif kind == "session" and item.get("event") == "interrupted":
            p.interrupt_taken = True
        elif kind == "exchange":
            p.requests += 1
            if item.get("response") is None:
                p.network_errors += 1
                p.consecutive_errors += 1
            else:
                p.consecutive_errors = 0
            if item.get("violations"):
                p.violations += len(item["violations"])
                self._failed_at(item.get("t"))
        elif kind == "behaviour":
            if item.get("held") is False and not item.get("relaxed"):
                p.violations += 1
                self._failed_at(item.get("t"))
        elif kind == "test":
            if item.get("when") == "call":
                p.tests_done += 1
            if item.get("outcome") == "failed":
                p.tests_failed += 1
                at = item.get("at")
                if isinstance(at, (int, float)) and p.started_at is not None:
                    self._failed_at(float(at) - p.started_at)

    def _failed_at(self, t: Any) -> None:
        if self.progress.first_failure_at is None and isinstance(t, (int, float)):
            self.progress.first_failure_at = float(t)


@dataclass
class SuiteResult:
    exit_code: int | None
    interrupted: bool
    target_lost: str | None
    wall_seconds: float
    output: Path
    progress: Progress
    stopped_early: bool = False


class _Signals:
    """Catch SIGINT/SIGTERM while the child runs; restore the old handlers afterwards."""

    def __init__(self) -> None:
        self.count = 0
        self._old: dict[int, Any] = {}

    def __enter__(self) -> _Signals:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._old.items():
            signal.signal(sig, handler)


class _Stopper:
    """
    Stops the suite after an interrupt: one SIGINT to pytest, then SIGTERM to its whole process
    group (it runs in a session of its own, so the group holds every process it started), then
    SIGKILL. The grace before SIGTERM is short unless pytest shows it took the interrupt; once
    pytest itself is gone, whatever it left behind in the group is terminated at once.
    """

    def __init__(self, child: subprocess.Popen[bytes]) -> None:
        self._child = child
        self._group = child.pid  # start_new_session: pytest leads its own process group
        self.started_at: float | None = None
        self._terminated_at: float | None = None
        self._killed = False

    @property
    def started(self) -> bool:
        return self.started_at is not None

    def start(self, now: float) -> None:
        self.started_at = now
        _signal(self._child, signal.SIGINT)

    def step(self, now: float, *, taken: bool, insist: bool) -> None:
        """Escalate as far as is due: `taken` (pytest took the SIGINT), `insist` (a 2nd one)."""
        assert self.started_at is not None
        leader_gone = self._child.poll() is not None
        grace = WRAP_UP_SECONDS if taken else GRACE_SECONDS
        if self._terminated_at is None:
            if leader_gone or insist or now - self.started_at > grace:
                self._terminated_at = now
                _signal_group(self._group, signal.SIGTERM)
        elif not self._killed and now - self._terminated_at > KILL_AFTER_SECONDS:
            self._killed = True
            _signal_group(self._group, signal.SIGKILL)

    def done(self) -> bool:
        """Whether the group is gone (or was killed: a zombie member is not ours to wait for)."""
        return self._killed or not _group_alive(self._group)

    def kill(self) -> None:
        """Kill the whole group now (the first failure is all that was wanted, or we fail)."""
        self._killed = True
        _signal_group(self._group, signal.SIGKILL)


def run_suite(
    env: Mapping[str, str],
    workdir: Path,
    *,
    exitfirst: bool = False,
    watch_target: str | None = None,
    on_tick: Callable[[Progress, float], None] | None = None,
    echo: Callable[[str], None] | None = None,
    redactor: Redactor | None = None,
    tick_seconds: float = 0.25,
    stop: threading.Event | None = None,
    kill_on_failure: bool = False,
    paths: Sequence[str] | None = None,
) -> SuiteResult:
    """
    Run the suite once, writing its record to ``workdir/record.jsonl``.

    Arguments:
        env: the child's whole environment (``TRUEWATCH_RECORD`` is set here).
        watch_target: a remote base URL; when the record shows network errors in a row and the
            target no longer accepts connections, the run is stopped as "target lost".
        on_tick: called about every ``tick_seconds`` with the progress and the elapsed time.
        echo: receives the suite's own output line by line (redacted), for ``--verbose``.
        stop: set from another thread to stop the run as if interrupted.
        kill_on_failure: kill the suite as soon as the record shows a failure (the mutation
            analysis needs only the first one; pytest's own -x would still shrink the example).
        paths: the test files or folders to run (default: the whole suite).
    """
    workdir.mkdir(parents=True, exist_ok=True)
    record = workdir / "record.jsonl"
    ini = workdir / "pytest.ini"
    ini.write_text(_INI, encoding="utf-8")
    output = workdir / "suite-output.txt"
    child_env = dict(env)
    child_env["TRUEWATCH_RECORD"] = str(record)
    child_env["PYTHONUNBUFFERED"] = "1"
    tail = RecordTail(record)
    started = time.monotonic()
    lost: str | None = None
    interrupted = False
    stopped_early = False
    last_probe = 0.0
    with open(output, "wb") as sink, _Signals() as signals:
        child = subprocess.Popen(
            suite_command(ini, exitfirst=exitfirst, paths=paths),
            env=child_env,
            stdin=subprocess.DEVNULL,
            # Its working directory is the run's own: Hypothesis's example database and any other
            # droppings go there and are removed with it, not left in the user's project.
            cwd=workdir,
            stdout=sink,
            stderr=subprocess.STDOUT,
            # Its own session: a terminal's Ctrl-C reaches only us, and we forward exactly one.
            start_new_session=True,
        )
        echoer = _Echo(output, echo, redactor or Redactor()) if echo else None
        stopper = _Stopper(child)
        try:
            while child.poll() is None or (stopper.started and not stopper.done()):
                time.sleep(tick_seconds)
                progress = tail.poll()
                elapsed = time.monotonic() - started
                if on_tick is not None:
                    on_tick(progress, elapsed)
                if echoer is not None:
                    echoer.pump()
                if kill_on_failure and (progress.violations or progress.tests_failed):
                    stopped_early = True
                    stopper.kill()
                    break
                wants_stop = signals.count > 0 or (stop is not None and stop.is_set())
                if (
                    watch_target
                    and lost is None
                    and progress.consecutive_errors >= LOST_AFTER_ERRORS
                    and elapsed - last_probe > 2.0
                ):
                    last_probe = elapsed
                    lost = probe(watch_target, timeout=2.0)
                if (wants_stop or lost) and not stopper.started:
                    interrupted = wants_stop
                    stopper.start(time.monotonic())
                elif stopper.started:
                    stopper.step(
                        time.monotonic(),
                        taken=progress.interrupt_taken,
                        insist=signals.count > 1,
                    )
        except BaseException:
            stopper.kill()  # a fault of ours: leave no suite running behind us
            raise
        finally:
            child.wait()
        tail.poll()
        if echoer is not None:
            echoer.pump(final=True)
    code = child.returncode
    return SuiteResult(
        exit_code=code,
        interrupted=interrupted,
        target_lost=lost,
        wall_seconds=time.monotonic() - started,
        output=output,
        progress=tail.progress,
        stopped_early=stopped_early,
    )


def _signal(child: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        child.send_signal(sig)


def _signal_group(group: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, sig)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a member we may not signal is still a member
        return True
    return True


class _Echo:
    """Copies the suite's output file to a callback, a line at a time, redacted."""

    def __init__(self, path: Path, echo: Callable[[str], None], redactor: Redactor) -> None:
        self._path, self._echo, self._redactor = path, echo, redactor
        self._offset = 0
        self._partial = b""

    def pump(self, final: bool = False) -> None:
        with open(self._path, "rb") as handle:
            handle.seek(self._offset)
            chunk = handle.read()
        self._offset += len(chunk)
        lines = (self._partial + chunk).split(b"\n")
        self._partial = b"" if final else lines.pop()
        for line in lines:
            if line or final:
                self._echo(self._redactor.text(line.decode("utf-8", "replace")))


def output_tail(path: Path, redactor: Redactor, lines: int = 25) -> list[str]:
    """The last lines of the suite's output, redacted (to explain a suite that could not run)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return [redactor.text(line) for line in text.splitlines()[-lines:]]


def describe_exit(code: int | None) -> str:
    """Pytest's exit statuses in words."""
    names: Sequence[str] = (
        "all tests passed",
        "some tests failed",
        "interrupted",
        "internal error",
        "usage error",
        "no tests collected",
    )
    if code is not None and 0 <= code < len(names):
        return names[code]
    if code is not None and code < 0:
        return f"killed by signal {-code}"
    return f"exit status {code}"
