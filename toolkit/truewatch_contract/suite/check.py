"""
The contract as a Schemathesis check, for plain ``st run``::

    SCHEMATHESIS_HOOKS=truewatch_contract.checks st run openapi/error-track.openapi.yaml --url ...

Importing this module registers the check ``truewatch_contract``. It hands every answer to the
library's judge with the facts the process's configuration gives (`process_config`: the
``TRUEWATCH_*`` variables parsed once) and raises `ContractCheckFailed` (an `AssertionError`)
naming every broken rule id. ``assumed`` rules are relaxed unless ``TRUEWATCH_RELAX=none``. The
contract suite does not use it: it judges each exchange itself, once, in its session.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from typing import Any

import schemathesis

from truewatch_contract.judge import Facts, Policy, Verdict, judge
from truewatch_contract.record import ExchangeLine, RunLine, append_line
from truewatch_contract.redaction import AUTH_HEADER, Redactor
from truewatch_contract.suite.config import process_config
from truewatch_contract.suite.transport import exchange_of

__all__ = ["CheckContext", "ContractCheckFailed", "case_context", "check_context"]


class ContractCheckFailed(AssertionError):
    """The check failed; ``verdict`` holds the broken rules."""

    def __init__(self, message: str, verdict: Verdict) -> None:
        super().__init__(message)
        self.verdict = verdict

    def __reduce__(self) -> tuple[Any, ...]:  # pickle and copy: the verdict is no argument of args
        return (type(self), (*self.args, self.verdict))


@dataclasses.dataclass
class CheckContext:
    """What the check judges with under ``st run``: made once per process, holds no open file."""

    facts: Facts
    policy: Policy
    redactor: Redactor
    record: Any  # the record file (``TRUEWATCH_RECORD``), or None
    started_at: float
    _lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)


@functools.cache
def check_context() -> CheckContext:
    """
    The check's context from the process's configuration; a ``run`` line first when
    ``TRUEWATCH_RECORD`` is set.
    """
    import time

    config = process_config()
    context = CheckContext(
        facts=config.facts(),
        policy=config.remote_policy,
        redactor=Redactor(config.secrets),
        record=config.record,
        started_at=time.time(),
    )
    if context.record is not None:
        run = RunLine(
            target=config.base_url or "st run",
            seed=config.seed,
            max_examples=config.max_examples,
            relaxed=tuple(sorted(context.policy.relaxed)),
            started_at=context.started_at,
        )
        append_line(context.record, run, context.redactor)
    return context


def case_context(case: Any) -> tuple[str, str | None, bool]:
    """``(phase, mode, header negative)`` of a Schemathesis case (its metadata, when it has any)."""
    meta = getattr(case, "meta", None)
    if meta is None:
        return "examples", None, False
    phase = str(meta.phase.name.value)
    mode = "negative" if meta.generation.mode.is_negative else "positive"
    from schemathesis.core.parameters import ParameterLocation

    header_negative = bool(meta.is_negative_at(ParameterLocation.HEADER))
    return phase, mode, header_negative


@schemathesis.check
def truewatch_contract(ctx: Any, response: Any, case: Any) -> bool | None:
    """
    The contract of the update: envelope, content and behaviour rules (``truewatch_contract``).

    Relaxed rules (``TRUEWATCH_RELAX``; ``assumed`` unless ``TRUEWATCH_RELAX=none``) are reported
    in the record but do not fail.
    """
    import time

    context = check_context()
    exchange = exchange_of(response)
    phase, mode, header_negative = case_context(case)
    facts = context.facts
    if header_negative:  # Schemathesis broke the key: a key the suite does not know is bad
        facts = facts.with_bad_key(exchange.header(AUTH_HEADER))
    verdict = judge(exchange, facts, policy=context.policy)
    if context.record is not None:
        line = ExchangeLine.of(
            exchange,
            verdict,
            context.redactor,
            t=round(time.time() - context.started_at, 6),
            test=str(getattr(case.operation, "label", "")),
            phase=phase,
            mode=mode,
        )
        append_line(context.record, line, context.redactor)
    if verdict.violations:
        raise ContractCheckFailed(
            verdict.describe(exchange, context.redactor, f"{mode or 'explicit'}, {phase}"),
            verdict,
        )
    return None
