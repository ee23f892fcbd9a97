"""
``truewatch-contract mutants``: does the suite catch every known defect?

The suite runs once, whole, against the correct built-in mock, and against each mutant
(``TRUEWATCH_MOCK_MUTANT``), several runs in parallel. A mutant run is cut short at its first
failure, and goes in stages: the suite's explicit scenario files first (cheap to start), its
generated-input files (``*fuzz*``, slow to collect) only when the scenarios did not catch it. So
a mutant meets the whole suite before it is said to survive. A mutant is *killed* when a run
fails, *survives* when every stage passes, and is an *error* when the suite could not judge it.
For each kill the table names what caught it first (a rule, or the failing test) and how long into
that stage's run it was. Every survivor is a gap in the suite.

With ``--profile FILE`` every run is against the built-in mock started from that profile
(``TRUEWATCH_MOCK_PROFILE``), judged as any target: ``assumed`` rules relaxed. A mutant whose
defect breaks only ``assumed`` rules (`Mutant.assumed_only`) is then *not applicable*: listed, not
run, and not counted; every other one must still die.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from truewatch_contract.errors import UsageError
from truewatch_contract.record import Record, read_record
from truewatch_contract.redaction import Redactor
from truewatch_contract.runner.execute import describe_exit, output_tail, run_suite, suite_stages
from truewatch_contract.runner.model import RunReport
from truewatch_contract.runner.report import RunContext, build_report

if TYPE_CHECKING:  # the catalogue itself is imported when it is listed (the mock is optional)
    from truewatch_contract.mock.mutants import Mutant

#: The name of the run against the correct mock (``None`` where a `Mutant` is expected).
CORRECT = "(correct mock)"
FORMAT = "truewatch-contract-mutants/1"


@dataclass
class MutantOutcome:
    """What one run of the suite said about one mutant (or about the correct mock)."""

    name: str
    family: str
    description: str
    status: str  # killed | survived | error | passed | failed | interrupted | not-applicable
    caught_by: str | None
    caught_kind: str | None  # rule | test
    detail: str | None
    time_to_catch_s: float | None
    wall_s: float
    requests: int
    stage: str | None = None
    rules: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "mutant": None if self.name == CORRECT else self.name,
            "name": self.name,
            "family": self.family,
            "description": self.description,
            "rules": list(self.rules),
            "status": self.status,
            "caught_by": self.caught_by,
            "caught_kind": self.caught_kind,
            "detail": self.detail,
            "time_to_catch_s": self.time_to_catch_s,
            "wall_s": round(self.wall_s, 3),
            "requests": self.requests,
            "stage": self.stage,
        }


def catalogue() -> dict[str, Mutant]:
    """The mock's mutants, in catalogue order."""
    from truewatch_contract.mock.mutants import MUTANTS

    return dict(MUTANTS)


def _title(mutant: Mutant | None, *, profiled: bool = False) -> tuple[str, str, str]:
    """(name, family, description) of a run: a mutant's, or the correct mock's (`None`)."""
    if mutant is not None:
        return mutant.name, mutant.family, mutant.description
    if profiled:
        return CORRECT, "-", "The built-in mock answering as the profile says: the suite must pass."
    return CORRECT, "-", "The built-in mock as it should be: the suite must pass."


def _positive_int(value: str | None, option: str, default: int | None) -> int | None:
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise UsageError(f"{option}: {value!r} is not a whole number") from None
    if number < 1:
        raise UsageError(f"{option}: {number} must be at least 1")
    return number


def select(names: str | None, known: Mapping[str, Mutant]) -> list[Mutant]:
    """The mutants named in ``--only`` (all when ``None``)."""
    if names is None:
        return list(known.values())
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    if not wanted:
        raise UsageError("--only: no mutant named")
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise UsageError(
            f"--only: unknown mutant(s) {', '.join(unknown)} "
            "(see 'truewatch-contract mutants --list')"
        )
    return [known[n] for n in dict.fromkeys(wanted)]


def base_environment(
    max_examples: int | None,
    seed: int | None,
    budget: str | None = None,
    profile: Path | None = None,
) -> dict[str, str]:
    """
    The suite's environment for a mutation run: the built-in mock, strict, nothing relaxed; with
    a `profile`, the mock started from it, judged as any target (``assumed`` relaxed).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUEWATCH_")}
    if profile is not None:
        env["TRUEWATCH_MOCK_PROFILE"] = str(profile)
    if max_examples is not None:
        env["TRUEWATCH_MAX_EXAMPLES"] = str(max_examples)
    if seed is not None:
        env["TRUEWATCH_SEED"] = str(seed)
    if budget is not None:
        env["TRUEWATCH_BUDGET"] = budget
    return env


def check_budget(text: str | None) -> str | None:
    """``--budget N|full`` for every run of the catalogue: refused at once below the minimum."""
    if text is None:
        return None
    from truewatch_contract.suite.budget import BudgetError
    from truewatch_contract.suite.config import ConfigError, SuiteConfig

    try:
        # Every run of the catalogue targets the built-in mock with the default settings.
        SuiteConfig.from_env({"TRUEWATCH_BUDGET": text}).plan()
    except (BudgetError, ConfigError) as error:
        raise UsageError(str(error).replace("TRUEWATCH_BUDGET", "--budget")) from None
    return text.strip()


def check_profile(text: str | None) -> tuple[Path | None, str | None]:
    """``--profile FILE``: its absolute path and the profiled target's name, or a one-line error."""
    if text is None:
        return None, None
    from truewatch_contract.profile.load import load_profile

    path = Path(text).expanduser().absolute()
    try:
        profile = load_profile(path)
    except UsageError as error:  # ProfileError: the file is none of the three
        raise UsageError(f"--profile: {error}") from None
    return path, str(profile.source.get("target") or path.name)


def mutants_command(args: argparse.Namespace) -> int:
    known = catalogue()
    if getattr(args, "list", False):
        width = max((len(n) for n in known), default=0)
        for mutant in known.values():
            assumed = "  (assumed rules only)" if mutant.assumed_only else ""
            print(
                f"{mutant.name:<{width}}  {mutant.family:<10}  {mutant.description}  "
                f"[{', '.join(mutant.rules)}]{assumed}"
            )
        return 0
    chosen = select(getattr(args, "only", None), known)
    profile, profiled = check_profile(getattr(args, "profile", None))
    max_examples = _positive_int(getattr(args, "max_examples", None), "--max-examples", None)
    seed_text = getattr(args, "seed", None)
    seed = None
    if seed_text is not None:
        try:
            seed = int(seed_text)
        except ValueError:
            raise UsageError(f"--seed: {seed_text!r} is not a whole number") from None
        if seed < 0:
            raise UsageError("--seed: must not be negative")
    budget = check_budget(getattr(args, "budget", None))
    jobs = _positive_int(getattr(args, "jobs", None), "--jobs", os.cpu_count() or 1) or 1
    report_dir = Path(getattr(args, "report_dir", None) or "reports")
    if report_dir.exists() and not report_dir.is_dir():
        raise UsageError(f"--report-dir: {report_dir} exists and is not a directory")
    quiet = bool(getattr(args, "quiet", False))
    result = analyse(
        chosen,
        base_environment(max_examples, seed, budget, profile),
        jobs=jobs,
        echo=None if quiet else (lambda line: print(line, file=sys.stderr, flush=True)),
        profiled=profile is not None,
    )
    result["max_examples"] = max_examples
    result["seed"] = seed
    result["budget"] = budget
    result["profile"] = None if profile is None else {"file": str(profile), "target": profiled}
    from truewatch_contract.runner.mutants_report import render_table, write_mutant_reports

    try:
        paths = write_mutant_reports(result, report_dir)
    except OSError as error:
        print(render_table(result))
        raise UsageError(f"cannot write the reports to {report_dir}: {error.strerror}") from None
    print(render_table(result))
    print("  reports: " + ", ".join(str(p) for p in paths))
    code: int = result["exit_code"]
    return code


def analyse(
    mutants: Sequence[Mutant],
    env: Mapping[str, str],
    *,
    jobs: int,
    echo: Any = None,
    profiled: bool = False,
) -> dict[str, Any]:
    """
    Run the correct mock and every mutant; return the JSON-ready result. `profiled`: the
    environment starts the mock from a profile, so a mutant that breaks only ``assumed`` rules
    is not applicable (not run).
    """
    stop = threading.Event()
    started = time.monotonic()
    done = [0]
    lock = threading.Lock()
    outcomes: dict[str, MutantOutcome] = {}
    redactor = Redactor()
    skipped = [mutant for mutant in mutants if profiled and mutant.assumed_only]
    for mutant in skipped:
        outcomes[mutant.name] = not_applicable(mutant)
    runs = [mutant for mutant in mutants if mutant not in skipped]
    total = len(runs) + 1

    stages = suite_stages()

    def one(mutant: Mutant | None, workdir: Path) -> MutantOutcome:
        name, family, description = _title(mutant, profiled=profiled)
        if stop.is_set():
            return _not_run(name, family, description)
        run_env = dict(env)
        is_mutant = mutant is not None
        if is_mutant:
            run_env["TRUEWATCH_MOCK_MUTANT"] = name
        # The correct mock runs the whole suite at once; a mutant runs stage by stage and stops
        # at the first stage (and the first failure) that catches it.
        plan = stages if is_mutant else [("whole suite", [])]
        wall = 0.0
        outcome: MutantOutcome | None = None
        for index, (stage, paths) in enumerate(plan):
            rundir = workdir / _safe(name) / str(index)
            result = run_suite(
                run_env,
                rundir,
                exitfirst=is_mutant,
                redactor=redactor,
                stop=stop,
                kill_on_failure=is_mutant,
                paths=paths or None,
            )
            wall += result.wall_seconds
            record = read_record(rundir / "record.jsonl")
            outcome = judge(mutant, record, result.exit_code, result.interrupted, wall)
            outcome.description = description
            outcome.stage = stage
            if outcome.status == "error":
                tail = output_tail(result.output, redactor, lines=6)
                outcome.detail = (outcome.detail or "") + " | " + " / ".join(tail)
            if outcome.status != "survived":
                break
        assert outcome is not None
        outcome.rules = mutant.rules if mutant is not None else ()
        with lock:
            done[0] += 1
            if echo is not None:
                echo(_progress_line(done[0], total, outcome, time.monotonic() - started))
        return outcome

    with tempfile.TemporaryDirectory(prefix="truewatch-mutants-") as tmp:
        workdir = Path(tmp)
        env = with_bytecode_cache(env, workdir / "pycache")
        # The correct mock runs the whole suite: start it first so it does not finish last.
        order: list[Mutant | None] = [None, *runs]
        with _StopOnSignal(stop), ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures: dict[str, Future[MutantOutcome]] = {
                _title(mutant)[0]: pool.submit(one, mutant, workdir) for mutant in order
            }
            pending = set(futures.values())
            while pending:
                _, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                if stop.is_set():
                    for future in pending:
                        future.cancel()
            for name, future in futures.items():
                if not future.cancelled():
                    outcomes[name] = future.result()
    wall = time.monotonic() - started
    return summarise(outcomes, [None, *mutants], wall, jobs, interrupted=stop.is_set())


class _StopOnSignal:
    """Ctrl-C or SIGTERM stops the analysis: every running suite is interrupted, none started."""

    def __init__(self, stop: threading.Event) -> None:
        self._stop = stop
        self._old: dict[int, Any] = {}

    def __enter__(self) -> _StopOnSignal:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        self._stop.set()

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._old.items():
            signal.signal(sig, handler)


def not_applicable(mutant: Mutant) -> MutantOutcome:
    return MutantOutcome(
        name=mutant.name,
        family=mutant.family,
        description=mutant.description,
        status="not-applicable",
        caught_by=None,
        caught_kind=None,
        detail=(
            f"breaks only assumed rules ({', '.join(mutant.rules)}), relaxed against a profiled "
            "mock: not run"
        ),
        time_to_catch_s=None,
        wall_s=0.0,
        requests=0,
        rules=mutant.rules,
    )


def _not_run(name: str, family: str, description: str) -> MutantOutcome:
    return MutantOutcome(
        name=name,
        family=family,
        description=description,
        status="interrupted",
        caught_by=None,
        caught_kind=None,
        detail="not run: the analysis was interrupted",
        time_to_catch_s=None,
        wall_s=0.0,
        requests=0,
    )


def with_bytecode_cache(env: Mapping[str, str], directory: Path) -> dict[str, str]:
    """
    Let the many runs share compiled bytecode in a private cache for this analysis only.

    Pytest rewrites the asserts of every plugin module (schemathesis included) at each start;
    when bytecode writing is off (``PYTHONDONTWRITEBYTECODE``) it redoes that work in every run.
    A private ``PYTHONPYCACHEPREFIX`` lets the first run pay for it without writing anywhere
    else; it is deleted with the analysis's temporary directory.
    """
    cached = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cached["PYTHONPYCACHEPREFIX"] = str(directory)
    return cached


def judge(
    mutant: Mutant | None,
    record: Record,
    exit_code: int | None,
    interrupted: bool,
    wall: float,
) -> MutantOutcome:
    """
    Classify one run from its record, the way ``run`` would judge it: `mutant`'s, or the
    correct mock's (`None`).
    """
    report = build_report(
        record,
        RunContext(target="built-in mock", interrupted=interrupted, suite_exit=exit_code),
    )
    verdict = report.verdict
    caught, kind, detail, at = first_catch(record, report)
    # A failure anywhere in the record is a kill, even when the run was cut short on purpose.
    found = caught is not None
    if mutant is None:
        status = "failed" if found else {"passed": "passed"}.get(verdict, "error")
        if status == "error" and verdict == "interrupted":
            status = "interrupted"
    elif found or verdict == "failed":
        status = "killed"
    elif verdict == "passed":
        status = "survived"
    elif verdict == "interrupted":
        status = "interrupted"
    else:
        status = "error"
    if status in ("error", "interrupted") and detail is None:
        notes = " ".join(report.notes)
        detail = f"{report.headline} {notes} (pytest: {describe_exit(exit_code)})".strip()
    name, family, description = _title(mutant)
    return MutantOutcome(
        name=name,
        family=family,
        description=description,
        status=status,
        caught_by=caught,
        caught_kind=kind,
        detail=detail,
        time_to_catch_s=None if at is None else round(at, 3),
        wall_s=wall,
        requests=len(record.exchanges),
    )


def first_catch(
    record: Record, report: RunReport
) -> tuple[str | None, str | None, str | None, float | None]:
    """The earliest failure in the run: (rule id or test id, "rule"|"test", message, seconds)."""
    best: tuple[float, str, str, str] | None = None
    for failure in report.failures:
        message = failure.examples[0].message if failure.examples else ""
        candidate = (failure.first_at_s or 0.0, failure.rule, "rule", message)
        if best is None or candidate[0] < best[0]:
            best = candidate
    if best is None:
        started = record.started_at
        for test in record.tests:
            if test.outcome == "failed":
                at = (test.at - started) if (test.at is not None and started) else 0.0
                message = _last_error_line(test.message)
                best = (max(0.0, at), test.test, "test", message)
                break
    if best is None:
        return None, None, None, None
    return best[1], best[2], best[3], best[0]


def _last_error_line(message: str | None) -> str:
    lines = (message or "").strip().splitlines()
    errors = [line[1:] for line in lines if line.startswith("E ")]
    text = errors[0] if errors else (lines[-1] if lines else "")
    return " ".join(text.split())[:300]


def summarise(
    outcomes: Mapping[str, MutantOutcome],
    order: Sequence[Mutant | None],
    wall: float,
    jobs: int,
    *,
    interrupted: bool,
) -> dict[str, Any]:
    names = [_title(mutant)[0] for mutant in order]
    rows = [outcomes[name] for name in names if name in outcomes]
    correct = next((o for o in rows if o.name == CORRECT), None)
    mutants = [o for o in rows if o.name != CORRECT]
    counts = {
        s: sum(1 for o in mutants if o.status == s)
        for s in ("killed", "survived", "error", "interrupted", "not-applicable")
    }
    applicable = len(order) - 1 - counts["not-applicable"]
    ok = (
        not interrupted
        and correct is not None
        and correct.status == "passed"
        and counts["killed"] == applicable
    )
    problems = []
    if correct is None or correct.status not in ("passed", "interrupted"):
        detail = f": {correct.caught_by or correct.detail}" if correct else ""
        problems.append(f"the correct mock does not pass the suite{detail}")
    if counts["survived"]:
        survivors = ", ".join(o.name for o in mutants if o.status == "survived")
        problems.append(f"{counts['survived']} mutant(s) survived: {survivors}")
    if counts["error"]:
        problems.append(f"{counts['error']} run(s) could not be judged")
    if interrupted:
        problems.append("the analysis was interrupted")
    return {
        "format": FORMAT,
        "verdict": "all killed" if ok else "gaps",
        "exit_code": 0 if ok else (130 if interrupted else 1),
        "problems": problems,
        "wall_s": round(wall, 3),
        "jobs": jobs,
        "total": len(order) - 1,
        "applicable": applicable,
        "counts": counts,
        "correct": correct.to_dict() if correct else None,
        "mutants": [o.to_dict() for o in mutants],
    }


def _progress_line(done: int, total: int, outcome: MutantOutcome, elapsed: float) -> str:
    what = outcome.caught_by or outcome.detail or ""
    at = f" at {outcome.time_to_catch_s} s" if outcome.time_to_catch_s is not None else ""
    if outcome.stage and outcome.status == "killed":
        at += f" ({outcome.stage})"
    return (
        f"  [{done:>3}/{total}] {elapsed:6.1f} s  {outcome.status:<11} {outcome.name}"
        + (f"  by {what}{at}" if outcome.status in ("killed", "failed") else "")
        + f"  ({outcome.wall_s:.1f} s)"
    )


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name) or "run"
