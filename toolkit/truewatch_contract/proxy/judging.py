"""
`Judging`: what the proxy does with each passage: the library's judge (a `Watcher`, which keeps
each issue's history per key), then the run record (`Recorder`: ``run``, ``session`` and one
``exchange`` line per passage).

It runs in one of two places. By default in a process of its own (`main`, started by the proxy
at a low CPU priority), reading the spool as the event loop writes it, so that judging never
delays an answer: under a load the machine cannot judge in real time, passages wait on disk and
are judged when the load drops or the proxy stops. With ``--annotate`` the verdict goes into the
answer, so the event loop calls `Judging.take` itself before answering.

A passage the proxy answered itself (the upstream unreachable, a body above ``--max-body``) is
recorded as an exchange line with its ``error`` and no answer: it is never judged as the target's.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from truewatch_contract.judge import Exchange, Policy, Verdict, Watcher
from truewatch_contract.proxy.passage import Passage
from truewatch_contract.proxy.spool import SpoolReader
from truewatch_contract.record import ExchangeLine, Recorder, RunLine, SentRecord, SessionLine
from truewatch_contract.redaction import Redactor
from truewatch_contract.spec import ROUTE

#: The ``test`` and ``phase`` of the proxy's exchange lines (``race``: judged as a race).
TEST = "proxy"
PHASE = "proxy"
RACE = "race"


class Judging:
    """
    Judges passages one at a time, in the order their answers left, and records each.

    Arguments:
        record: the run record file (created).
        base_url: the upstream's base URL (the record's target, each exchange's base).
        relax: the relaxed rule ids and tags, beside ``assumed`` (``none``: nothing relaxed).
        api_key, issue_id: the told key (as its stand-in) and test issue, when given.
        started_at: the proxy's start (each line's ``t`` counts from it).
    """

    def __init__(
        self,
        record: Path,
        *,
        base_url: str,
        relax: tuple[str, ...] = (),
        api_key: str | None = None,
        issue_id: str | None = None,
        started_at: float | None = None,
    ) -> None:
        self.base_url = base_url
        self.policy = Policy.remote(relax)
        self.watcher = Watcher(api_key=api_key, issue_id=issue_id, policy=self.policy)
        # Keys reach the judge as stand-ins and every DF-API-KEY header is blanked by name; the
        # proxy's reports redact the real values once more.
        self.redactor = Redactor()
        self.recorder = Recorder(record, self.redactor, started_at=started_at)
        self.judged = 0
        self.broken = 0
        self.own_answers = 0
        self.faults = 0
        self.recorder.write(
            RunLine(
                target=base_url,
                relaxed=tuple(sorted(self.policy.relaxed)),
                started_at=self.recorder.started_at,
            )
        )
        self.recorder.write(
            SessionLine(event="start", at=self.recorder.started_at, pid=os.getpid())
        )

    def take(self, passage: Passage) -> Verdict | None:
        """
        Judge and record one passage; None for the proxy's own answer (recorded, not judged).
        A fault of the judge on one passage is recorded as that exchange's error and said in
        one line on stderr: the passages after it are judged on.
        """
        try:
            return self._take(passage)
        except Exception as fault:  # a bug of ours must not cost the rest of the run
            reason = f"the proxy's judge failed on this exchange: {type(fault).__name__}: {fault}"
            self.faults += 1
            print(
                f"truewatch-contract proxy: {passage.method} {passage.target}: {reason}",
                file=sys.stderr,
                flush=True,
            )
            self.recorder.write(
                ExchangeLine(
                    t=round(max(0.0, passage.received_at - self.recorder.started_at), 6),
                    test=TEST,
                    phase=PHASE,
                    request=SentRecord(method=passage.method, path=passage.target),
                    error=reason,
                )
            )
            return None

    def _take(self, passage: Passage) -> Verdict | None:
        exchange = passage.exchange(self.base_url)
        t = round(max(0.0, passage.received_at - self.recorder.started_at), 6)
        if passage.error is not None:
            self.own_answers += 1
            self.recorder.write(
                ExchangeLine(
                    t=t,
                    test=TEST,
                    phase=PHASE,
                    request=SentRecord.of(exchange, self.redactor),
                    error=passage.error,
                    curl=exchange.curl(self.redactor),
                )
            )
            return None
        verdict = self.watcher.judge(exchange, concurrent=passage.concurrent)
        self.judged += 1
        if verdict.violations:
            self.broken += 1
        self.recorder.write(
            ExchangeLine.of(
                exchange,
                verdict,
                self.redactor,
                t=t,
                test=TEST,
                phase=RACE if passage.concurrent else PHASE,
                mode=None,
            )
        )
        return verdict

    def warm_up(self) -> None:
        """Load the spec and the validators now, while nothing waits (a first verdict pays it)."""
        probe = Exchange(
            method="POST",
            path=ROUTE.format(issue_id="0" * 32),
            request_headers={"Content-Type": "application/json"},
            request_body=b'{"issueStatus": "Working"}',
            status=404,
            response_headers={"content-type": "application/json"},
            response_body=b'{"code": 404, "content": null, "errorCode": "ft.NotFound", '
            b'"message": "", "success": false, "traceId": "t"}',
        )
        Watcher(policy=self.policy).judge(probe)

    def finish(self) -> None:
        """The session line that says the record is complete; close the file."""
        self.recorder.write(
            SessionLine(event="finished", at=time.time(), pid=os.getpid(), exitstatus=0)
        )
        self.recorder.close()


def main(argv: list[str] | None = None) -> int:
    """
    The judging process: its settings are one JSON object on standard input (``spool``,
    ``record``, ``base_url``, ``relax``, ``api_key``, ``issue_id``, ``started_at``,
    ``parent``); it judges the spool to its end frame (or until the proxy is gone), then writes
    one line on standard output: ``{"judged": N, "broken": N, "own_answers": N}``.
    """
    settings: Mapping[str, Any] = json.loads(sys.stdin.readline())
    lower_priority()
    with contextlib.suppress(AttributeError, ValueError):  # no SIGUSR1 on this platform
        signal.signal(signal.SIGUSR1, restore_priority)
    judging = Judging(
        Path(settings["record"]),
        base_url=str(settings["base_url"]),
        relax=tuple(settings.get("relax") or ()),
        api_key=settings.get("api_key"),
        issue_id=settings.get("issue_id"),
        started_at=float(settings["started_at"]),
    )
    judging.warm_up()
    parent = int(settings.get("parent") or os.getppid())
    try:
        judge_spool(judging, Path(settings["spool"]), alive=lambda: _alive(parent))
    finally:
        judging.finish()
        print(
            json.dumps(
                {
                    "judged": judging.judged,
                    "broken": judging.broken,
                    "own_answers": judging.own_answers,
                    "faults": judging.faults,
                }
            ),
            flush=True,
        )
    return 0


#: While the proxy is busy (its spool grows as the judge works), the judge works for `SLICE`
#: seconds, then rests `REST` seconds: a tenth of a CPU at most, whatever the scheduler makes of
#: its priority. Caught up, it judges each passage as it comes.
SLICE = 0.005
REST = 0.045
#: The proxy counts as serving for this long after the spool last grew (it is written every
#: 10 ms while requests come in).
BUSY_FOR = 0.05
#: Passages read ahead of the judge (the rest waits in the spool, on disk).
READ_AHEAD = 2000
_STOPPED = threading.Event()


def judge_spool(
    judging: Judging, path: Path, *, alive: Callable[[], bool] = lambda: True, poll: float = 0.01
) -> None:
    """
    Judge every passage of the spool in order, to its end frame (or until the proxy is gone),
    yielding the CPU to the proxy while it is busy, and at full speed once it has stopped
    (`restore_priority`).
    """
    reader = SpoolReader(path)
    pending: deque[Passage] = deque()
    written, busy_until = 0, 0.0
    try:
        while True:
            if len(pending) < READ_AHEAD:
                pending.extend(reader.take())
            if not pending:
                if reader.ended:
                    return
                if not alive():
                    pending.extend(reader.take())  # what it wrote before it went
                    if not pending:
                        return
                    _STOPPED.set()
                    continue
                time.sleep(poll)
                continue
            deadline = time.monotonic() + SLICE
            while pending and (_STOPPED.is_set() or time.monotonic() < deadline):
                judging.take(pending.popleft())
            size = reader.size()
            if size != written:  # the proxy wrote to the spool lately: it is serving
                written, busy_until = size, time.monotonic() + BUSY_FOR
            if pending and not _STOPPED.is_set() and time.monotonic() < busy_until:
                time.sleep(REST)  # the CPU is the proxy's first
    finally:
        reader.close()


#: The judge's nice value while the proxy serves: the event loop is served first under load,
#: and the judge still gets a share of a busy machine.
SERVING_NICE = 10


def lower_priority() -> None:
    """
    While the proxy serves, let it (and the upstream, and the clients) run first: the answers
    never wait for the judge. Where the kernel groups processes by session (autogroup), the
    judge's own session is lowered too.
    """
    with contextlib.suppress(OSError, AttributeError):  # AttributeError: not on this platform
        os.setpriority(os.PRIO_PROCESS, 0, SERVING_NICE)
    _autogroup(SERVING_NICE)


def restore_priority(*_: Any) -> None:
    """
    The proxy has stopped (SIGUSR1 from it): judge what is left at the normal priority, where the
    system allows it (raising a priority back needs the privilege to; elsewhere it stays low).
    """
    _STOPPED.set()
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, 0, 0)
    _autogroup(0)


def _autogroup(nice: int) -> None:
    with contextlib.suppress(OSError), open("/proc/self/autogroup", "w") as handle:
        handle.write(str(nice))


def _alive(pid: int) -> bool:
    return os.getppid() == pid


if __name__ == "__main__":  # pragma: no cover - the proxy starts it as `python -m`
    sys.exit(main())
