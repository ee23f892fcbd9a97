"""
Property-based fuzzing of the update with Schemathesis: positive and negative generation through
the examples, coverage and fuzzing phases, every built-in check that applies to this API, and the
library's rules (`truewatch_contract.checks`).

Positive cases are steered at the test issue (most of them) and the known assignees, so they reach
the update logic; the rest keep their generated ``issue_id``. Every answer is judged once, by the
library's judge, through the session (`truewatch_contract.suite.fuzzing.fuzz`); a built-in check
that only looks at the status counts only where the judge finds the answer outside what the
request's faults allow (a correct server may answer a malformed ``issue_id`` 400, or a request with
several faults with any one fault's answer).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, seed, settings

from truewatch_contract.redaction import AUTH_HEADER
from truewatch_contract.spec import OPERATION_ID, load_spec
from truewatch_contract.suite.config import (
    ConfigError,
    SuiteConfig,
    collection_config,
    process_config,
)
from truewatch_contract.suite.fuzzing import fuzz, steer


def _collection_target() -> SuiteConfig:
    """The run's configuration (parsed once per process), with the built-in mock's connection."""
    try:
        return collection_config(process_config())
    except ConfigError:  # conftest has already stopped the run with a one-line usage error
        return SuiteConfig()


_TARGET = _collection_target()


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
        return steer(case, _TARGET)

    return schema


positive = _schema("positive")
negative = _schema("negative")

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
    fuzz(suite, case, request.node.nodeid, probe_auth=True)


@negative.parametrize()
@_SETTINGS
@seed(_TARGET.seed + 1)
def test_negative(case: Any, suite: Any, request: pytest.FixtureRequest) -> None:
    """Invalid requests: rejected with a 4xx error envelope, never a 5xx."""
    fuzz(suite, case, request.node.nodeid)
