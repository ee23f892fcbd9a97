"""
Fuzzing the update with Schemathesis cases: each case steered at the target, sent through the
session, and judged once.

`steer` (Schemathesis' ``map_case`` hook) sends most generated cases to the test issue and the
known assignees, so they reach the update logic; the rest keep their generated ``issue_id``.
`fuzz` sends one case, runs Schemathesis' built-in checks on its answer, and hands the exchange
and those checks' findings (`truewatch_contract.suite.builtin`) to the session's one judgement
(`Suite.conclude`). A few rejected bodies with a valid half are followed by a probe, so a server
that writes the valid half of a body it rejects is caught here and not blamed on a later update.
"""

from __future__ import annotations

import zlib
from typing import Any

from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    unsupported_method,
)

from truewatch_contract.judge import Fault
from truewatch_contract.redaction import AUTH_HEADER
from truewatch_contract.spec import account_id_pattern
from truewatch_contract.suite.builtin import claims_of
from truewatch_contract.suite.check import case_context
from truewatch_contract.suite.config import SuiteConfig
from truewatch_contract.suite.sent import Sent
from truewatch_contract.suite.session import Suite
from truewatch_contract.suite.transport import TIMEOUT, exchange_of

#: Share of cases sent to the test issue (the rest keep their generated issue_id).
TEST_ISSUE_SHARE = 85
#: Share of positive cases whose assigner is replaced by known assignees.
KNOWN_ASSIGNEE_SHARE = 90
#: Share of negative cases with a mutated DF-API-KEY that get the right key back.
KEY_RESTORE_SHARE = 70
#: One case in this many also runs Schemathesis' `ignored_auth` (it re-sends the case twice).
IGNORED_AUTH_EVERY = 15

#: Schemathesis' built-in checks run on every answer (each speaks for a catalogued rule).
CHECKS = [
    not_a_server_error,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    missing_required_header,
    unsupported_method,
]


def roll(case: Any, salt: str) -> int:
    """A repeatable 0..99 draw from the case's own content (same case, same choice)."""
    text = f"{salt}|{case.method}|{case.path_parameters!r}|{case.body!r}"
    return zlib.crc32(text.encode("utf-8", "surrogatepass")) % 100


def steer(case: Any, target: SuiteConfig) -> Any:
    """Send most cases to the test issue and use known assignees, so they reach the update."""
    meta = case.meta
    path_negative = meta is not None and meta.is_negative_at(ParameterLocation.PATH)
    if (
        meta is not None
        and meta.is_negative_at(ParameterLocation.HEADER)
        and roll(case, "key") < KEY_RESTORE_SHARE
    ):
        # Most negative cases should reach body validation, not stop at the key check.
        case.headers = {**dict(case.headers or {}), AUTH_HEADER: target.api_key}
    params = case.path_parameters
    if (
        not path_negative
        and isinstance(params, dict)
        and isinstance(params.get("issue_id"), str)
        and params["issue_id"]
        and roll(case, "issue") < TEST_ISSUE_SHARE
    ):
        case.path_parameters = {**params, "issue_id": target.issue_id}
    body = case.body
    if isinstance(body, dict) and "assigner" in body and _valid_assigner(body["assigner"]):
        known = target.assignees
        if known and (not target.builtin_mock or roll(case, "assigner") < KNOWN_ASSIGNEE_SHARE):
            size = len(body["assigner"])
            picks = [known[(roll(case, f"a{i}") + i) % len(known)] for i in range(size)]
            case.body = {**body, "assigner": picks}
    return case


def _valid_assigner(value: Any) -> bool:
    """A list of account ids (the form steering replaces with known ones)."""
    pattern = account_id_pattern()
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, str) and pattern.fullmatch(item) for item in value)
    )


def _keep_restorable(case: Any, suite: Suite) -> None:
    """
    Off the built-in mock, an accepted body sets ``assigner`` only when the suite can put the
    issue's assignees back (known assignees, and an issue that had some): else it is dropped.
    """
    body = case.body
    if (
        not suite.may_assign
        and isinstance(body, dict)
        and "assigner" in body
        and _valid_assigner(body["assigner"])
    ):
        case.body = {k: v for k, v in body.items() if k != "assigner"}


def fuzz(suite: Suite, case: Any, test: str, *, probe_auth: bool = False) -> Sent:
    """
    Send one case, judge it once (with Schemathesis' built-in checks as claims), record it, and
    fail the test naming every broken rule. `probe_auth`: a share of accepted updates also run
    Schemathesis' ``ignored_auth`` (the key comes from the auth provider alone there).
    """
    _keep_restorable(case, suite)
    before = suite.current
    response = case.call(base_url=suite.target.base_url, session=suite.session, timeout=TIMEOUT)
    exchange = exchange_of(response)
    phase, mode, header_negative = case_context(case)
    checks = list(CHECKS)
    if probe_auth and _is_update(case, suite) and roll(case, "auth") < 100 // IGNORED_AUTH_EVERY:
        checks.append(ignored_auth)
    claims = []
    try:
        case.validate_response(
            response,
            checks=checks,
            transport_kwargs={"base_url": suite.target.base_url, "session": suite.session},
        )
    except FailureGroup as group:
        claims = claims_of(group.exceptions, exchange)
    sent = suite.conclude(
        test,
        phase,
        exchange,
        previous=suite.current,
        mode=mode,
        claims=claims,
        bad_key=exchange.header(AUTH_HEADER) if header_negative else None,
    )
    verdict = sent.verdict
    if (
        verdict.ok
        and verdict.expectation.faults == {Fault.SCHEMA}
        and verdict.expectation.known_issue
        and 400 <= (exchange.status or 0) < 500
        and suite.probes_left > 0
        and _valid_half(verdict)
    ):
        # A server may write the valid half of a body it rejects: a few such rejections are
        # followed by a probe, so the change is blamed on them and not on a later update.
        suite.probes_left -= 1
        shown = repr(verdict.sent.value if verdict.sent is not None else None)
        shown = shown if len(shown) <= 200 else shown[:200] + "…"
        suite.prove_unchanged(test, "behaviour.invalid-body-rejected", before, f"the body {shown}")
    return suite.require(sent, f"{mode or 'explicit'}, {phase}")


def _is_update(case: Any, suite: Suite) -> bool:
    """Whether the case is a valid update of the test issue (before it is sent)."""
    params = case.path_parameters or {}
    meta = case.meta
    return (
        params.get("issue_id") == suite.target.issue_id
        and meta is not None
        and not meta.generation.mode.is_negative
    )


def _valid_half(verdict: Any) -> bool:
    """Whether a body rejected for the schema carries a field that the rules do not blame."""
    sent = verdict.sent
    body = sent.value if sent is not None else None
    if not isinstance(body, dict):
        return False
    blamed = {v.pointer.split("/")[1] for v in verdict.request if v.pointer.count("/") >= 1}
    return any(name in body and name not in blamed for name in ("issueStatus", "assigner"))
