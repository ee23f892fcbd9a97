"""
``truewatch-contract run``, end to end: plan, probe, run the suite, report.

Exit codes: 0 the contract holds, 1 it is broken, 2 bad usage, an unreachable target (before or
during the run) or a suite that could not run, 130 interrupted. Whenever the suite started, the
three reports are written, even when it was interrupted or the target died midway.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from truewatch_contract.errors import UsageError
from truewatch_contract.record import Record, read_record
from truewatch_contract.redaction import Redactor
from truewatch_contract.runner.execute import (
    Progress,
    describe_exit,
    output_tail,
    probe,
    run_suite,
)
from truewatch_contract.runner.job_summary import write_summaries
from truewatch_contract.runner.options import RunPlan, name_options, plan_run
from truewatch_contract.runner.report import RunContext, build_report
from truewatch_contract.runner.reports import write_reports
from truewatch_contract.runner.summary import summarize

SUITE_OUTPUT = "suite-output.txt"


def run_command(args: argparse.Namespace) -> int:
    plan = plan_run(args)
    quiet = bool(getattr(args, "quiet", False))
    verbose = bool(getattr(args, "verbose", False))
    if plan.base_url:
        reason = probe(plan.base_url)
        if reason is not None:
            raise UsageError(f"target unreachable: {reason} (nothing was run, no report written)")
    try:
        plan.report_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(
            f"--report-dir: cannot create {plan.report_dir}: {error.strerror}"
        ) from None
    redactor = Redactor([*plan.secrets, *mock_secrets(plan)])
    err = sys.stderr
    if not quiet:
        relaxed = ", ".join(plan.relax) or "nothing"
        seed = f"seed {plan.seed}" + (
            f" (drawn at random; replay with --seed {plan.seed})" if plan.seed_drawn else ""
        )
        print(
            f"truewatch-contract run: {plan.target_name}, {seed}, "
            f"max examples {plan.max_examples}, relaxed: {relaxed}; {plan.budget}",
            file=err,
            flush=True,
        )
    printer = ProgressPrinter(err, enabled=not quiet)
    with tempfile.TemporaryDirectory(prefix="truewatch-run-") as tmp:
        result = run_suite(
            plan.env,
            Path(tmp),
            exitfirst=bool(getattr(args, "exitfirst", False)),
            watch_target=plan.base_url,
            on_tick=printer.tick,
            echo=(lambda line: print(line, flush=True)) if verbose else None,
            redactor=redactor,
        )
        printer.done(result.progress, result.wall_seconds)
        record = read_record(Path(tmp) / "record.jsonl")
        tail = output_tail(result.output, redactor, lines=400)
    if record.stopped is not None and not result.interrupted:
        # The first answer said the configuration is wrong: the run never started, and its
        # one line is all there is to say (the suite's own output would only repeat it).
        raise UsageError(stop_message(record.stopped.message, plan, redactor))
    lost = result.target_lost
    recent_errors = any(e.response is None for e in record.exchanges[-LOST_WINDOW:])
    if lost is None and plan.base_url and recent_errors and result.exit_code != 0:
        lost = probe(plan.base_url, timeout=2.0)
    suite_error = _suite_error(record, result.exit_code, result.interrupted, lost)
    context = RunContext(
        target=plan.target_name,
        base_url=plan.base_url,
        issue_id=plan.issue_id,
        requested_relax=plan.relax,
        redactor=redactor,
        interrupted=result.interrupted,
        target_lost=lost,
        suite_exit=result.exit_code,
        suite_error=suite_error,
        wall_seconds=result.wall_seconds,
        seed=plan.seed,
        max_examples=plan.max_examples,
    )
    report = build_report(record, context)
    try:
        paths = write_reports(report, plan.report_dir)
        (plan.report_dir / SUITE_OUTPUT).write_text("\n".join(tail) + "\n", encoding="utf-8")
    except OSError as error:
        print(summarize(report), flush=True)
        raise UsageError(
            f"cannot write the reports to {plan.report_dir}: {error.strerror}"
        ) from None
    for problem in write_summaries(report, plan.summary_md, paths):
        print(f"truewatch-contract run: {problem}", file=err)
    if suite_error:
        print("\n".join(tail[-25:]), file=err)
    print(summarize(report, paths, verbose=verbose), flush=True)
    return report.exit_code


# How many of the last exchanges are looked at to suspect a lost target after the run.
LOST_WINDOW = 5


def _suite_error(
    record: Record, exit_code: int | None, interrupted: bool, lost: str | None
) -> str | None:
    if interrupted or lost:
        return None
    if record.collect_errors:
        return "The contract suite could not be collected (see the collection errors)."
    if record.session_started_at is None and exit_code != 0:
        return (
            f"The contract suite could not start (pytest exited with status {exit_code} "
            f"before running anything; see {SUITE_OUTPUT})."
        )
    if exit_code in (3, 4, 5):
        return f"The contract suite could not run (pytest: {describe_exit(exit_code)})."
    return None


def stop_message(message: str, plan: RunPlan, redactor: Redactor) -> str:
    """The suite's stop line in the words of ``run``: its options, and that nothing was judged."""
    text = redactor.text(message).removeprefix("truewatch contract suite: ")
    return f"{name_options(text)} (the run stopped at its first request; no report written)"


def mock_secrets(plan: RunPlan) -> tuple[str, ...]:
    """The built-in mock's keys: kept out of the reports like any other key."""
    if plan.base_url:
        return ()
    try:
        from truewatch_contract.mock.connection import default_keys
    except ImportError:  # the reports still go through the record's own redaction
        return ()
    return default_keys()


class ProgressPrinter:
    """A progress line: rewritten in place on a terminal, printed every few seconds otherwise."""

    def __init__(self, stream: TextIO, *, enabled: bool = True, every: float = 5.0) -> None:
        self._stream = stream
        self._enabled = enabled
        self._tty = stream.isatty()
        self._every = 0.5 if self._tty else every
        self._last = 0.0

    def tick(self, progress: Progress, elapsed: float) -> None:
        if not self._enabled or elapsed - self._last < self._every:
            return
        self._last = elapsed
        self._show(progress, elapsed)

    def _show(self, progress: Progress, elapsed: float) -> None:
        if progress.started_at is None and not progress.requests:
            line = f"  {elapsed:6.1f} s  starting the suite"
        else:
            line = (
                f"  {elapsed:6.1f} s  {progress.requests} requests, "
                f"{progress.tests_done} tests done ({progress.tests_failed} failed), "
                f"{progress.violations} violations"
            )
        if progress.network_errors:
            line += f", {progress.network_errors} network errors"
        if self._tty:
            self._stream.write("\r\x1b[K" + line)
        else:
            self._stream.write(line + "\n")
        self._stream.flush()

    def done(self, progress: Progress, elapsed: float) -> None:
        """The final count, always shown (a short run may end before the first tick)."""
        if not self._enabled:
            return
        self._show(progress, elapsed)
        if self._tty:
            self._stream.write("\n")
            self._stream.flush()
