"""jsonschema and jsonschema-rs give the same violations on thousands of generated payloads."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import json_values, requests, responses
from validator_payloads import ISSUE_ID, previous_content

from truewatch_contract import validate_request, validate_response

pytest.importorskip("jsonschema_rs", reason="the parity needs the optional fast engine")

PARITY = settings(
    max_examples=1000,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def same(reference: list[Any], fast: list[Any]) -> None:
    # The verdict, the (rule, pointer) pairs, and since messages are written from the payload
    # and the schema rather than copied from an engine, the whole violations.
    assert bool(reference) == bool(fast)
    assert [(v.rule, v.pointer) for v in reference] == [(v.rule, v.pointer) for v in fast]
    assert reference == fast


@PARITY
@given(payload=responses)
def test_responses(payload: Any) -> None:
    # Each payload is judged as a success, as a documented error, as another status and with the
    # status left for the envelope to tell.
    for status in (200, 404, 418, None):
        options: dict[str, Any] = {
            "status_code": status,
            "request": {"issueStatus": "Resolved"},
            "issue_id": ISSUE_ID,
            "previous": previous_content(),
            "include_assumed": True,
        }
        same(
            validate_response(payload, engine="jsonschema", **options),
            validate_response(payload, engine="jsonschema-rs", **options),
        )


@settings(PARITY, max_examples=600)
@given(body=requests, issue_id=st.one_of(st.none(), st.sampled_from(["", ISSUE_ID]), json_values))
def test_requests(body: Any, issue_id: Any) -> None:
    same(
        validate_request(body, issue_id=issue_id, engine="jsonschema"),
        validate_request(body, issue_id=issue_id, engine="jsonschema-rs"),
    )


@settings(PARITY, max_examples=300)
@given(payload=json_values)
def test_any_json(payload: Any) -> None:
    same(
        validate_response(payload, engine="jsonschema"),
        validate_response(payload, engine="jsonschema-rs"),
    )
    same(
        validate_request(payload, engine="jsonschema"),
        validate_request(payload, engine="jsonschema-rs"),
    )


def test_mutations_reach_many_rules() -> None:
    """The generated payloads are interesting: they break many different rules."""
    seen: set[str] = set()

    @settings(PARITY, max_examples=250)
    @given(payload=responses)
    def collect(payload: Any) -> None:
        seen.update(
            v.rule
            for v in validate_response(
                payload, request={"issueStatus": "Resolved"}, previous=previous_content()
            )
        )

    collect()
    assert len(seen) >= 12, seen
