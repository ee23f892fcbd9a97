"""
The suite's judgement as a Schemathesis check, for plain ``st run``::

    SCHEMATHESIS_HOOKS=truewatch_contract.checks st run openapi/error-track.openapi.yaml --url ...

Importing this module registers the check ``truewatch_contract``. It judges every answer with
`judge` against the process's configuration (`process_config`: ``TRUEWATCH_*`` parsed once) and
raises `ContractCheckFailed` (an `AssertionError`) naming every broken rule id. The contract suite
does not use it: it judges each exchange itself, once, with its session's policy, and maps the
failures of Schemathesis' built-in checks to rules with `builtin_violations`, filtered through the
judge's verdict.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import schemathesis

from truewatch_contract.redaction import Redactor
from truewatch_contract.rules import scope_of, violation
from truewatch_contract.suite.config import process_config
from truewatch_contract.suite.exchange import Exchange
from truewatch_contract.suite.faults import Fault, Policy, acceptance_rule
from truewatch_contract.suite.judge import (
    ContractCheckFailed,
    Verdict,
    describe,
    judge,
    limit_code,
)
from truewatch_contract.suite.recording import Recorder, record_exchange
from truewatch_contract.violations import Violation

__all__ = [
    "BUILTIN_RULES",
    "STATUS_CHECKS",
    "CheckContext",
    "builtin_violations",
    "case_context",
    "check_context",
    "truewatch_contract",
]

# Built-in checks and the catalogued rule each one speaks for. Left out, on purpose:
# status_code_conformance (the contract asks any 4xx of bad input, not only the declared ones),
# allow_header_conformance (no rule asks for an Allow header), and the stateful checks
# use_after_free, ensure_resource_availability, object_level_authorization (one operation,
# no links).
BUILTIN_RULES: dict[str, str] = {
    "not_a_server_error": "behaviour.no-server-error",
    "content_type_conformance": "envelope.json",
    "response_headers_conformance": "envelope.fields",
    "response_schema_conformance": "envelope.fields",
    "negative_data_rejection": "behaviour.invalid-body-rejected",
    "positive_data_acceptance": "behaviour.valid-body-accepted",
    "missing_required_header": "behaviour.auth-required",
    "unsupported_method": "behaviour.method-not-allowed",
    "ignored_auth": "behaviour.auth-required",
}
#: Built-in checks that judge only the status of this very answer: each is filtered through the
#: judge's acceptance set (the answers the request's faults allow), never trusted alone.
STATUS_CHECKS = frozenset(
    {
        "negative_data_rejection",
        "positive_data_acceptance",
        "missing_required_header",
        "unsupported_method",
    }
)
#: Rules still judged on a rate-limit answer (it says nothing else about the request).
_ON_RATE_LIMIT = frozenset({"behaviour.no-server-error", "behaviour.rate-limit-signal"})


def builtin_violations(
    check: str, text: str, exchange: Exchange, verdict: Verdict
) -> list[Violation]:
    """
    The violation a failure of the built-in check `check` (its title and message in `text`)
    stands for, or none: a check no rule speaks through, a status check whose answer the judge
    finds acceptable for the request's faults, or a behaviour check on a rate-limit answer.
    """
    rule = BUILTIN_RULES.get(check)
    if rule is None:
        return []
    if check in STATUS_CHECKS and verdict.acceptable:
        return []  # the answer is one the request's faults allow: the judge has spoken
    status = exchange.status or 0
    if rule == "envelope.fields" and 200 <= status < 300:
        rule = "content.schema"
    if rule == "behaviour.valid-body-accepted":
        rule = acceptance_rule(exchange.sent_json()[1])
    if rule == "behaviour.invalid-body-rejected" and Fault.MEDIA_TYPE in verdict.expectation.faults:
        rule = "behaviour.media-type-rejected"  # the body was declared as another media type
    if (
        limit_code(exchange.json_body()[1]) is not None
        and rule not in _ON_RATE_LIMIT
        and scope_of(rule) == "behaviour"
    ):
        return []  # a rate-limit answer says nothing of the request
    message = " ".join(f"Schemathesis {check}: {text}".split())
    return [violation(rule, message[:500])]


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
