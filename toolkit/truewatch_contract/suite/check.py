"""
The suite's judgement as a Schemathesis check, for plain ``st run``::

    SCHEMATHESIS_HOOKS=truewatch_contract.checks st run openapi/error-track.openapi.yaml --url ...

Importing this module registers the check ``truewatch_contract``. It judges every answer with
`judge` against the process's configuration (`process_config`: ``TRUEWATCH_*`` parsed once) and
raises `ContractCheckFailed` (an `AssertionError`) naming every broken rule id. The contract suite
does not use it: it judges each exchange itself, once, with its session's policy.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import schemathesis

from truewatch_contract.suite.config import process_config
from truewatch_contract.suite.exchange import Exchange
from truewatch_contract.suite.faults import Policy
from truewatch_contract.suite.judge import ContractCheckFailed, describe, judge
from truewatch_contract.suite.recording import Recorder, Redactor, record_exchange

__all__ = ["CheckContext", "case_context", "check_context", "truewatch_contract"]


@dataclasses.dataclass(frozen=True)
class CheckContext:
    """What the check judges against under ``st run``: built once per process."""

    policy: Policy
    redactor: Redactor
    recorder: Recorder | None


@functools.cache
def check_context() -> CheckContext:
    """
    The check's context from the process's configuration: ``assumed`` rules relaxed unless
    ``TRUEWATCH_RELAX=none``; a ``run`` line first when ``TRUEWATCH_RECORD`` is set.
    """
    config = process_config()
    policy = Policy(
        api_key=config.api_key or None,
        issue_ids=frozenset({config.issue_id} - {""}),
        foreign_issue_id=config.foreign_issue_id,
        foreign_api_key=config.foreign_api_key,
        relaxed=config.relaxed_remote,
    )
    redactor = Redactor(config.secrets)
    recorder = Recorder(config.record, redactor) if config.record is not None else None
    if recorder is not None:
        recorder.run(
            target=config.base_url or "st run",
            mutant=None,
            seed=config.seed,
            max_examples=config.max_examples,
            relaxed=policy.relaxed,
        )
    return CheckContext(policy, redactor, recorder)


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
    context = check_context()
    exchange = Exchange.from_requests(response)
    phase, mode, header_negative = case_context(case)
    verdict = judge(exchange, context.policy, header_negative=header_negative)
    record_exchange(
        context.recorder,
        exchange,
        verdict,
        test=str(getattr(case.operation, "label", "")),
        phase=phase,
        mode=mode,
    )
    if verdict.violations:
        raise ContractCheckFailed(
            describe(verdict, exchange, context.redactor, f"{mode or 'explicit'}, {phase}"),
            verdict,
        )
    return None
