"""
Property-based fuzzing of the update with Schemathesis: positive and negative generation through
the examples, coverage and fuzzing phases, every built-in check that applies to this API, and the
library's rules (`truewatch_contract.checks`).

Positive cases are steered at the test issue (most of them) and the known assignees, so they reach
the update logic; the rest keep their generated ``issue_id``. Every answer is judged once, by the
session's judge; a built-in check that only looks at the status is trusted only where the judge
finds the answer outside what the request's faults allow (a correct server may answer a malformed
``issue_id`` 400, or a request with several faults with any one fault's answer).
"""

from __future__ import annotations

import zlib
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, seed, settings
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

from truewatch_contract.redaction import AUTH_HEADER
from truewatch_contract.spec import OPERATION_ID, load_spec
from truewatch_contract.suite.check import builtin_violations, case_context
from truewatch_contract.suite.config import ConfigError, SuiteConfig, process_config
from truewatch_contract.suite.exchange import Exchange
from truewatch_contract.suite.faults import Fault
from truewatch_contract.suite.session import collection_config


def _collection_target() -> SuiteConfig:
    """The run's configuration (parsed once per process), with the built-in mock's connection."""
    try:
        return collection_config(process_config())
    except ConfigError:  # conftest has already stopped the run with a one-line usage error
        return SuiteConfig()


_TARGET = _collection_target()

#: Share of cases sent to the test issue (the rest keep their generated issue_id).
TEST_ISSUE_SHARE = 85
#: Share of positive cases whose assigner is replaced by known assignees.
KNOWN_ASSIGNEE_SHARE = 90
#: Share of negative cases with a mutated DF-API-KEY that get the right key back.
KEY_RESTORE_SHARE = 70
#: One case in this many also runs Schemathesis' `ignored_auth` (it re-sends the case twice).
IGNORED_AUTH_EVERY = 15

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


def _config(mode: str) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": _TARGET.seed,
            "generation": {
                "mode": mode,
                "max-examples": _TARGET.max_examples,
                "database": "none",
                "deterministic": False,
            },
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": False},
            },
            "checks": {
                "negative_data_rejection": {"expected-statuses": ["4XX"]},
                "positive_data_acceptance": {"expected-statuses": ["2XX", 401, 404]},
            },
            "output": {
                "sanitization": {
                    "keys-to-sanitize": ["df-api-key", "df_api_key", "authorization"],
                    "replacement": "[redacted]",
                }
            },
        }
    )


def _schema(mode: str) -> Any:
    schema = schemathesis.openapi.from_dict(load_spec(), config=_config(mode))
    schema = schema.include(operation_id=OPERATION_ID)

    @schema.auth()
    class _DfApiKey:
        """The target's key in DF-API-KEY (never generated data, so `ignored_auth` works)."""

        def get(self, case: Any, ctx: Any) -> str:
            return _TARGET.api_key

        def set(self, case: Any, data: str, ctx: Any) -> None:
            case.headers = dict(case.headers or {})
            case.headers[AUTH_HEADER] = data

    @schema.hook
    def map_case(ctx: Any, case: Any) -> Any:
        return _steer(case)

    return schema


positive = _schema("positive")
negative = _schema("negative")


def _roll(case: Any, salt: str) -> int:
    """A repeatable 0..99 draw from the case's own content (same case, same choice)."""
    text = f"{salt}|{case.method}|{case.path_parameters!r}|{case.body!r}"
    return zlib.crc32(text.encode("utf-8", "surrogatepass")) % 100


def _steer(case: Any) -> Any:
    """Send most cases to the test issue and use known assignees, so they reach the update."""
    meta = case.meta
    path_negative = meta is not None and meta.is_negative_at(ParameterLocation.PATH)
    if (
        meta is not None
        and meta.is_negative_at(ParameterLocation.HEADER)
        and _roll(case, "key") < KEY_RESTORE_SHARE
    ):
        # Most negative cases should reach body validation, not stop at the key check.
        case.headers = {**dict(case.headers or {}), AUTH_HEADER: _TARGET.api_key}
    params = case.path_parameters
    if (
        not path_negative
        and isinstance(params, dict)
        and isinstance(params.get("issue_id"), str)
        and params["issue_id"]
        and _roll(case, "issue") < TEST_ISSUE_SHARE
    ):
        case.path_parameters = {**params, "issue_id": _TARGET.issue_id}
    body = case.body
    if isinstance(body, dict) and "assigner" in body and _valid_assigner(body["assigner"]):
        known = _TARGET.assignees
        if known and (not _TARGET.builtin_mock or _roll(case, "assigner") < KNOWN_ASSIGNEE_SHARE):
            size = len(body["assigner"])
            picks = [known[(_roll(case, f"a{i}") + i) % len(known)] for i in range(size)]
            case.body = {**body, "assigner": picks}
    return case


def _valid_assigner(value: Any) -> bool:
    from truewatch_contract import validate_request

    return not validate_request({"assigner": value})


def _keep_restorable(case: Any, suite: Any) -> None:
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


def _valid_half(body: Any) -> bool:
    """Whether a body that is invalid as a whole carries a field that would be valid alone."""
    from truewatch_contract import validate_request

    if not isinstance(body, dict) or not validate_request(body):
        return False
    return any(not validate_request({k: body[k]}) for k in ("issueStatus", "assigner") if k in body)


def _run(case: Any, suite: Any, test: str, *, probe_auth: bool = False) -> None:
    _keep_restorable(case, suite)
    before = suite.current
    response = case.call(base_url=suite.target.base_url, session=suite.session, timeout=30)
    exchange = Exchange.from_requests(response)
    phase, mode, header_negative = case_context(case)
    verdict = suite.judge(exchange, header_negative=header_negative)
    checks = list(CHECKS)
    if (
        probe_auth
        and verdict.expectation.is_update
        and _roll(case, "auth") < 100 // IGNORED_AUTH_EVERY
    ):
        checks.append(ignored_auth)
    extra: list[Any] = []
    try:
        case.validate_response(
            response,
            checks=checks,
            transport_kwargs={"base_url": suite.target.base_url, "session": suite.session},
        )
    except FailureGroup as group:
        for failure in group.exceptions:
            names = getattr(type(failure), "checks", ()) or ("",)
            text = f"{failure.title}. {failure.message}"
            extra.extend(builtin_violations(names[0], text, exchange, verdict))
    verdict = verdict.with_violations(
        failing=[v for v in extra if not suite.is_relaxed(v.rule)],
        relaxed=[v for v in extra if suite.is_relaxed(v.rule)],
    )
    sent = suite.record(test, phase, exchange, verdict, mode=mode)
    if (
        verdict.ok
        and verdict.expectation.faults == {Fault.SCHEMA}
        and verdict.expectation.test_issue
        and 400 <= (exchange.status or 0) < 500
        and suite.probes_left > 0
        and _valid_half(exchange.sent_json()[1])
    ):
        # A server may write the valid half of a body it rejects: a few such rejections are
        # followed by a probe, so the change is blamed on them and not on a later update.
        suite.probes_left -= 1
        shown = repr(exchange.sent_json()[1])
        shown = shown if len(shown) <= 200 else shown[:200] + "…"
        suite.prove_unchanged(test, "behaviour.invalid-body-rejected", before, f"the body {shown}")
    suite.require(sent, f"{mode or 'explicit'}, {phase}")


_SETTINGS = settings(
    max_examples=_TARGET.max_examples,
    deadline=None,
    database=None,
    derandomize=False,
    report_multiple_bugs=False,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@positive.parametrize()
@_SETTINGS
@seed(_TARGET.seed)
def test_positive(case: Any, suite: Any, request: pytest.FixtureRequest) -> None:
    """Valid requests: the test issue is updated (200, the update applied) or 404 elsewhere."""
    # Only here does the key come from the auth provider alone, as `ignored_auth` needs.
    _run(case, suite, request.node.nodeid, probe_auth=True)


@negative.parametrize()
@_SETTINGS
@seed(_TARGET.seed + 1)
def test_negative(case: Any, suite: Any, request: pytest.FixtureRequest) -> None:
    """Invalid requests: rejected with a 4xx error envelope, never a 5xx."""
    _run(case, suite, request.node.nodeid)
