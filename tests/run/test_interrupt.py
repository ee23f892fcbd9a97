"""
An interrupt stops the suite whatever it is doing: `run_suite` forwards one SIGINT, and when the
suite does not stop (a Ctrl-C swallowed by Hypothesis's garbage-collection callback, a child of its
own), the suite's whole process group is terminated, then killed.

The suite here is a stand-in: a script that traps SIGINT, or one that stops on it but leaves a
child that traps SIGINT and SIGTERM behind, in the same process group.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from truewatch_contract.runner import execute

# Generous: how long the process group may take to be gone, and the runner to return. A liveness
# check, not a timing: the runner stops the group within a few seconds of the interrupt.
DEADLINE = 120.0

# The stand-in suite. Its child writes "<pgid> <pid>" to READY once both trap their signals.
_SUITE = textwrap.dedent(
    """
    import os, signal, subprocess, sys, time
    LEADER_TRAPS, READY = sys.argv[1] == "traps", sys.argv[2]
    if LEADER_TRAPS:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a swallowed Ctrl-C
    else:
        signal.signal(signal.SIGINT, lambda *_: sys.exit(2))  # stops, its child stays behind
    CHILD = (
        "import os, signal, sys, time\\n"
        "signal.signal(signal.SIGINT, signal.SIG_IGN)\\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\\n"
        "with open(sys.argv[1] + '.tmp', 'w') as f: f.write(f'{os.getpgid(0)} {os.getpid()}')\\n"
        "os.rename(sys.argv[1] + '.tmp', sys.argv[1])\\n"
        "while True: time.sleep(1)\\n"
    )
    subprocess.Popen([sys.executable, "-c", CHILD, READY])
    while True:
        time.sleep(1)
    """
)


def _live_members(pgid: int) -> list[int]:
    """The processes of the group that are not zombies (a zombie is gone, only not reaped)."""
    proc = Path("/proc")
    if not proc.is_dir():  # no /proc: any member, zombies included
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return []
        return [pgid]
    members = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # state, ppid, pgrp, ...
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def _wait_for(path: Path) -> str:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if path.exists():
            return path.read_text()
        time.sleep(0.05)
    raise AssertionError("the stand-in suite never started")


@pytest.fixture
def stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Point `run_suite` at the stand-in suite; yields a function that picks its behaviour."""
    script = tmp_path / "suite.py"
    script.write_text(_SUITE, encoding="utf-8")
    ready = tmp_path / "ready"
    groups: list[int] = []

    def use(leader: str) -> Path:
        def command(*_args: Any, **_kwargs: Any) -> list[str]:
            return [sys.executable, str(script), leader, str(ready)]

        monkeypatch.setattr(execute, "suite_command", command)
        return ready

    yield use, groups
    for pgid in groups:  # whatever the outcome, leave nothing running
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)


def _run_and_interrupt(tmp_path: Path, ready: Path, groups: list[int], how: str) -> Any:
    """Run the stand-in, interrupt it once it is up (a stop request or a SIGINT to us)."""
    results: list[Any] = []
    stop = threading.Event()

    def interrupt() -> None:
        pgid, _pid = map(int, _wait_for(ready).split())
        groups.append(pgid)
        if how == "stop":
            stop.set()
        else:
            os.kill(os.getpid(), signal.SIGINT)  # the runner's handler catches it

    if how == "stop":
        # In a worker thread: no signal handlers, the stop event is the interrupt.
        worker = threading.Thread(
            target=lambda: results.append(execute.run_suite({}, tmp_path / "run", stop=stop)),
            daemon=True,
        )
        threading.Thread(target=interrupt, daemon=True).start()
        worker.start()
        worker.join(DEADLINE)
        assert not worker.is_alive(), "run_suite did not return after the interrupt"
    else:
        # In the main thread, as `truewatch-contract run` does: a Ctrl-C lands on the runner.
        threading.Thread(target=interrupt, daemon=True).start()
        results.append(execute.run_suite({}, tmp_path / "run"))
    return results[0]


def _assert_group_gone(pgid: int) -> None:
    deadline = time.monotonic() + DEADLINE
    while _live_members(pgid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _live_members(pgid) == [], "the suite's process group outlived the interrupt"


@pytest.mark.parametrize(
    ("leader", "how"),
    [("traps", "sigint"), ("traps", "stop"), ("stops", "stop")],
    ids=["swallowed-ctrl-c", "swallowed-stop", "stray-child"],
)
def test_an_interrupt_stops_the_suites_whole_process_group(
    leader: str, how: str, stand_in: Any, tmp_path: Path
) -> None:
    use, groups = stand_in
    ready = use(leader)
    result = _run_and_interrupt(tmp_path, ready, groups, how)
    assert result.interrupted
    assert len(groups) == 1
    _assert_group_gone(groups[0])


# A suite that takes the interrupt as pytest does (the collector's `interrupted` line), then
# spends longer than the short grace wrapping up, as the restore of a rate-limited target does.
_WRAPS_UP = textwrap.dedent(
    """
    import json, os, signal, sys, time
    RECORD = os.environ["TRUEWATCH_RECORD"]
    READY, DONE, WRAP_UP = sys.argv[1], sys.argv[2], float(sys.argv[3])

    def wrap_up(*_):
        with open(RECORD, "a") as record:
            record.write(json.dumps({"kind": "session", "event": "interrupted"}) + "\\n")
        time.sleep(WRAP_UP)
        with open(DONE, "w") as done:
            done.write("restored")
        sys.exit(2)

    signal.signal(signal.SIGINT, wrap_up)
    with open(READY, "w") as ready:
        ready.write(f"{os.getpgid(0)} {os.getpid()}")
    while True:
        time.sleep(1)
    """
)


def test_a_suite_that_took_the_interrupt_may_finish_its_restore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script, ready, done = tmp_path / "suite.py", tmp_path / "ready", tmp_path / "done"
    script.write_text(_WRAPS_UP, encoding="utf-8")
    wrap_up = execute.GRACE_SECONDS + 2  # longer than the short grace, well within the wrap-up
    assert wrap_up < execute.WRAP_UP_SECONDS

    def command(*_args: Any, **_kwargs: Any) -> list[str]:
        return [sys.executable, str(script), str(ready), str(done), str(wrap_up)]

    monkeypatch.setattr(execute, "suite_command", command)
    groups: list[int] = []
    try:
        result = _run_and_interrupt(tmp_path, ready, groups, "stop")
    finally:
        for pgid in groups:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
    assert result.interrupted and result.progress.interrupt_taken
    assert done.read_text() == "restored"
    assert result.exit_code == 2
