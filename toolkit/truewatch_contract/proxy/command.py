"""
``truewatch-contract proxy``, end to end: check the options, start the judge and the server, say
where clients connect, forward until told to stop (SIGINT, SIGTERM or ``--duration``), let the
requests in flight finish, judge every exchange already answered, write the reports.

Exit codes: 0 no rule broke, 1 a rule broke, 2 bad usage, a port in use, or a judge that did not
finish (its report says ``incomplete``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from truewatch_contract.errors import UsageError
from truewatch_contract.proxy.passage import KeyAliases
from truewatch_contract.proxy.upstream import Upstream
from truewatch_contract.redaction import Redactor
from truewatch_contract.rules.policy import Policy

DEFAULT_PORT = 8080
DEFAULT_MAX_BODY = 16 * 1024 * 1024
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([smh]?)$")
_UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}


@dataclass(frozen=True)
class ProxyPlan:
    """The validated options of one proxy run."""

    upstream: Upstream
    host: str
    port: int
    report_dir: Path
    relax: tuple[str, ...]
    annotate: bool
    duration: float | None
    api_key: str | None
    issue_id: str | None
    summary_md: tuple[Path, ...]
    max_body: int


def plan_proxy(args: argparse.Namespace, environ: dict[str, str] | None = None) -> ProxyPlan:
    """
    Raises:
        UsageError: a bad option, one line naming it.
    """
    from truewatch_contract.runner.options import _read_key_file, _summary_files

    env = dict(os.environ if environ is None else environ)
    try:
        upstream = Upstream.parse(str(args.upstream).strip())
    except ValueError as error:
        raise UsageError(f"--upstream: {error}") from None
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port: expected 0..65535, found {args.port}")
    try:
        Policy.remote(args.relax)  # `none` (relax nothing) as for `run`, else ids and tags
    except ValueError as error:
        raise UsageError(f"--relax{str(error).removeprefix('relax')}") from None
    relax = tuple(sorted(part.strip() for part in (args.relax or "").split(",") if part.strip()))
    duration = None
    if args.duration is not None:
        match = _DURATION.match(str(args.duration).strip())
        if match is None or float(match.group(1)) <= 0:
            raise UsageError(
                f"--duration: expected a positive time such as 30s, 5m or 1h, found "
                f"{args.duration!r}"
            )
        duration = float(match.group(1)) * _UNITS[match.group(2)]
    max_body = _max_body(args.max_body)
    api_key = _read_key_file(args.api_key_file, "--api-key-file") if args.api_key_file else None
    issue_id = None
    if args.issue_id is not None:
        issue_id = str(args.issue_id).strip()
        if not issue_id or "/" in issue_id:
            raise UsageError(f"--issue-id: expected an issue's id, found {args.issue_id!r}")
    report_dir = Path(args.report_dir)
    if report_dir.exists() and not report_dir.is_dir():
        raise UsageError(f"--report-dir: {report_dir} exists and is not a directory")
    return ProxyPlan(
        upstream=upstream,
        host=str(args.host),
        port=int(args.port),
        report_dir=report_dir,
        relax=relax,
        annotate=bool(args.annotate),
        duration=duration,
        api_key=api_key,
        issue_id=issue_id,
        summary_md=_summary_files(args, env),
        max_body=max_body,
    )


def _max_body(value: Any) -> int:
    if value is None:
        return DEFAULT_MAX_BODY
    text = str(value).strip()
    if not text.isdigit() or int(text) < 1:
        raise UsageError(f"--max-body: expected a number of bytes, found {value!r}")
    return int(text)


class ProxyLog:
    """
    One line on stderr for each thing worth a person's attention. A flood is held back: at most
    `burst` lines a second of each kind (``client``, ``upstream``); the next line of that kind,
    or the end of the run, says how many were not shown.
    """

    def __init__(self, stream: TextIO, aliases: KeyAliases, burst: int = 5) -> None:
        self.stream = stream
        self.aliases = aliases
        self.burst = burst
        self._window: dict[str, tuple[float, int]] = {}
        self._held: dict[str, int] = {}
        self._lock = threading.Lock()

    def __call__(self, kind: str, message: str) -> None:
        now = time.monotonic()
        with self._lock:
            started, count = self._window.get(kind, (now, 0))
            if now - started >= 1.0:
                started, count = now, 0
            if count >= self.burst:
                self._held[kind] = self._held.get(kind, 0) + 1
                self._window[kind] = (started, count)
                return
            self._window[kind] = (started, count + 1)
            held = self._held.pop(kind, 0)
        self.say(message + (f" ({held} more like it not shown)" if held else ""))

    def close(self) -> None:
        """Say how many lines were held back and never shown."""
        with self._lock:
            held, self._held = self._held, {}
        for kind, count in sorted(held.items()):
            self.say(f"{count} more {kind} events not shown")

    def say(self, message: str) -> None:
        text = Redactor(self.aliases.keys).text(message) if len(self.aliases) else message
        with contextlib.suppress(OSError, ValueError):  # stderr gone: nothing more to say
            print(f"truewatch-contract proxy: {text}", file=self.stream, flush=True)


def run_proxy(args: argparse.Namespace) -> int:
    plan = plan_proxy(args)
    try:
        plan.report_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(
            f"--report-dir: cannot create {plan.report_dir}: {error.strerror}"
        ) from None
    aliases = KeyAliases()
    told_key = aliases.alias(plan.api_key) if plan.api_key else None
    log = ProxyLog(sys.stderr, aliases)
    with tempfile.TemporaryDirectory(prefix="truewatch-proxy-") as folder:
        return _serve(plan, Path(folder), aliases, told_key, log)


def _serve(
    plan: ProxyPlan, folder: Path, aliases: KeyAliases, told_key: str | None, log: ProxyLog
) -> int:
    from truewatch_contract.proxy.app import ProxyApp
    from truewatch_contract.proxy.judging import Judging
    from truewatch_contract.proxy.server import ProxyServer
    from truewatch_contract.proxy.spool import SpoolWriter

    record = folder / "record.jsonl"
    started_at = time.time()
    spool_path = folder / "spool.bin"
    settings: dict[str, Any] = {
        "record": str(record),
        "spool": str(spool_path),
        "base_url": plan.upstream.base_url,
        "relax": list(plan.relax),
        "api_key": told_key,
        "issue_id": plan.issue_id,
        "started_at": started_at,
        "parent": os.getpid(),
    }
    judging = judge = spool = None
    if plan.annotate:
        judging = Judging(
            record,
            base_url=plan.upstream.base_url,
            relax=plan.relax,
            api_key=told_key,
            issue_id=plan.issue_id,
            started_at=started_at,
        )
    else:
        spool = SpoolWriter(spool_path)
        judge = _start_judge(settings)
    app = ProxyApp(
        plan.upstream,
        aliases=aliases,
        spool=spool,
        judging=judging,
        log=log,
        max_body=plan.max_body,
    )
    server = ProxyServer(app, plan.host, plan.port, log)
    try:
        server.start()
    except UsageError:
        if judge is not None:
            _end(judge)
        raise
    stop = threading.Event()
    hurry = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        (hurry if stop.is_set() else stop).set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        print(
            json.dumps({"base_url": server.base_url, "upstream": plan.upstream.base_url}),
            flush=True,
        )
        deadline = None if plan.duration is None else time.monotonic() + plan.duration
        while not stop.is_set() and server.running:
            if deadline is not None and time.monotonic() >= deadline:
                break
            if judge is not None and judge.poll() is not None:
                log.say("the judge stopped unexpectedly; forwarding goes on, unjudged")
                judge = None
            stop.wait(0.1 if deadline is None else max(0.0, min(0.1, deadline - time.monotonic())))
        stop.set()
        server.stop()
        log.close()
        if judge is not None and judge.poll() is None:
            with contextlib.suppress(OSError, AttributeError):
                judge.send_signal(signal.SIGUSR1)  # judge what is left at the normal priority
        wall = time.time() - started_at
        queued = spool.written if spool is not None else 0
        if spool is not None:
            spool.close()
        outcome: dict[str, Any] = {}
        if judge is not None:
            outcome = _wait_for(judge, hurry, queued, log)
        elif judging is not None:
            judging.finish()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return _report(plan, record, aliases, app, outcome, wall, log)


def _start_judge(settings: dict[str, Any]) -> subprocess.Popen[str]:
    """The judging process, in a session of its own (a terminal's Ctrl-C is the proxy's)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "truewatch_contract.proxy.judging"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert process.stdin is not None
    process.stdin.write(json.dumps(settings) + "\n")
    process.stdin.close()
    return process


def _wait_for(
    judge: subprocess.Popen[str], hurry: threading.Event, queued: int, log: ProxyLog
) -> dict[str, Any]:
    """
    Wait for the judge to reach the end of the spool (saying so when it takes a while); a
    second Ctrl-C stops it at once, and the report says the run is incomplete.
    """
    waited = 0.0
    while judge.poll() is None:
        if hurry.wait(0.2):
            _end(judge)
            break
        waited += 0.2
        if abs(waited - 2.0) < 0.1:
            log.say(f"stopped; judging the {queued} exchanges forwarded (Ctrl-C to cut short)")
    output = judge.stdout.read() if judge.stdout is not None else ""
    try:
        found = json.loads(output.strip().splitlines()[-1]) if output.strip() else {}
    except ValueError:
        found = {}
    return found if isinstance(found, dict) else {}


def _end(judge: subprocess.Popen[str]) -> None:
    if judge.poll() is None:
        judge.kill()
        judge.wait(10)


def _report(
    plan: ProxyPlan,
    record_path: Path,
    aliases: KeyAliases,
    app: Any,
    outcome: dict[str, Any],
    wall: float,
    log: ProxyLog,
) -> int:
    from truewatch_contract.record import read_record
    from truewatch_contract.runner.job_summary import write_summaries
    from truewatch_contract.runner.report import RunContext, build_report
    from truewatch_contract.runner.reports import write_reports

    record = read_record(record_path)
    redactor = Redactor([*aliases.keys, plan.api_key])
    context = RunContext(
        target=f"proxy in front of {plan.upstream.base_url}",
        base_url=plan.upstream.base_url,
        issue_id=plan.issue_id,
        requested_relax=plan.relax,
        redactor=redactor,
        wall_seconds=wall,
        tests_expected=False,
    )
    report = build_report(record, context)
    try:
        paths = write_reports(report, plan.report_dir)
    except OSError as error:
        raise UsageError(
            f"cannot write the reports to {plan.report_dir}: {error.strerror}"
        ) from None
    for problem in write_summaries(report, plan.summary_md, paths):
        log.say(problem)
    races = sum(1 for e in record.exchanges if e.phase == "race")
    text = summary(report, paths, app=app, races=races)
    if outcome.get("faults"):
        text += f"\n  note: the judge failed on {outcome['faults']} exchange(s): see stderr"
    print(text, flush=True)
    return report.exit_code


def summary(report: Any, paths: Sequence[Path], *, app: Any, races: int) -> str:
    """A few lines for the end of a proxy run: the verdict, what was judged, what broke."""
    counts = report.counts
    judged = counts.requests - counts.network_errors
    lines = [
        f"{report.verdict.upper()}: {report.headline}",
        f"  upstream {report.target.base_url}; {judged} exchanges judged"
        + (f" ({races} as races)" if races else "")
        + f", {app.own_answers} answered by the proxy itself, "
        f"{app.off_route} forwarded off the update route (not judged); "
        f"relaxed: {', '.join(report.relaxed) or 'nothing'}; {report.duration_s} s",
    ]
    for note in report.notes:
        lines.append(f"  note: {note}")
    for failure in report.failures[:12]:
        example = failure.examples[0].message if failure.examples else ""
        lines.append(f"  broken {failure.rule} [{failure.tag}] x{failure.count}: {_line(example)}")
    if report.relaxed_findings:
        found = ", ".join(f"{f.rule} x{f.count}" for f in report.relaxed_findings[:8])
        lines.append(f"  relaxed (not failed on): {found}")
    if paths:
        lines.append("  reports: " + ", ".join(str(p) for p in paths))
    return "\n".join(lines)


def _line(text: str, limit: int = 140) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
