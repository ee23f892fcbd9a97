"""
Writing a run record: `Recorder` appends one line at a time, redacted.

Each line is one ``os.write`` on a descriptor opened with ``O_APPEND``, so the lines of the suite
and of the runner's collector (another plugin of the same process, or another process) never
interleave, and a run killed midway leaves every line it wrote whole. The one
`truewatch_contract.redaction.Redactor` blanks API keys in every value before it is written; the
line's own keys are the record's structure and are never touched.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from truewatch_contract.judge.exchange import Exchange
from truewatch_contract.judge.verdict import Verdict
from truewatch_contract.record.lines import (
    BehaviourLine,
    BudgetLine,
    ExchangeLine,
    Line,
    RunLine,
    UnprovenLine,
)
from truewatch_contract.redaction import Redactor


def encode_line(line: Line, redactor: Redactor) -> bytes:
    """One line of the record: its JSON with every value redacted, ASCII-escaped, ``\\n``-ended."""
    item = line.to_json()
    redacted = {key: redactor.value(value) for key, value in item.items()}
    return (json.dumps(redacted, default=str) + "\n").encode("ascii")


def append_line(path: Path | str, line: Line, redactor: Redactor) -> None:
    """Append one line to a record file, opened and closed for it (no descriptor is kept)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, encode_line(line, redactor))
    finally:
        os.close(fd)


class Recorder:
    """
    Appends lines to a record file, or does nothing (no path). Thread-safe.

    Arguments:
        path: the record file (created when missing; its folder must exist).
        redactor: blanks the run's secrets in every value written.
        started_at: the run's start (epoch seconds), from which each line's ``t`` is counted.
    """

    def __init__(
        self, path: Path | str | None, redactor: Redactor, started_at: float | None = None
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.redactor = redactor
        self.started_at = time.time() if started_at is None else started_at
        self._lock = threading.Lock()
        self._fd: int | None = None
        if self.path is not None:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    @property
    def enabled(self) -> bool:
        return self._fd is not None

    def write(self, line: Line) -> None:
        """Append one line (nothing without a file)."""
        if self._fd is None:
            return
        data = encode_line(line, self.redactor)
        with self._lock:
            if self._fd is not None:
                os.write(self._fd, data)

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def elapsed(self) -> float:
        """Seconds since the run started (each line's ``t``)."""
        return round(time.time() - self.started_at, 6)

    # -- the lines the suite writes --------------------------------------------------------------

    def run(
        self,
        *,
        target: str,
        mutant: str | None,
        seed: int,
        max_examples: int,
        relaxed: Iterable[str],
    ) -> None:
        self.write(
            RunLine(
                target=target,
                mutant=mutant,
                seed=seed,
                max_examples=max_examples,
                relaxed=tuple(sorted(relaxed)),
                started_at=self.started_at,
            )
        )

    def exchange(
        self, exchange: Exchange, verdict: Verdict, *, test: str, phase: str, mode: str | None
    ) -> None:
        """The line of a judged exchange (nothing without a file: building it costs)."""
        if self._fd is None:
            return
        self.write(
            ExchangeLine.of(
                exchange,
                verdict,
                self.redactor,
                t=self.elapsed(),
                test=test,
                phase=phase,
                mode=mode,
            )
        )

    def behaviour(
        self, *, test: str, rule: str, held: bool, message: str, tag: str, relaxed: bool
    ) -> None:
        self.write(
            BehaviourLine(
                t=self.elapsed(),
                test=test,
                rule=rule,
                held=held,
                message=message,
                tag=tag,
                relaxed=relaxed,
            )
        )

    def unproven(self, *, test: str, rule: str, message: str) -> None:
        """A proof the suite could not make against this target (not a failure)."""
        self.write(UnprovenLine(t=self.elapsed(), test=test, rule=rule, message=message))

    def budget(self, data: Mapping[str, Any]) -> None:
        self.write(BudgetLine(dict(data)))
