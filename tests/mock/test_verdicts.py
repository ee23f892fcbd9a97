"""The service's remembered verdicts: a repeated body gets the same verdict and the same value."""

from __future__ import annotations

import json
from typing import Any

import pytest
from mock_helpers import DEFAULT_API_KEY, PAGE_ISSUE_ID

from truewatch_contract.mock import MockState
from truewatch_contract.mock.service import IncomingRequest, Service


def _request(body: bytes) -> IncomingRequest:
    request = IncomingRequest("POST", PAGE_ISSUE_ID, [DEFAULT_API_KEY], ["application/json"])
    request.body = body
    return request


def _twice(service: Service, body: bytes) -> tuple[IncomingRequest, IncomingRequest]:
    first, second = _request(body), _request(body)
    assert service.verdict(first) is None
    assert service.verdict(second) is None  # from the remembered verdict
    return first, second


@pytest.mark.parametrize(
    "body",
    [
        b'{"issueStatus":"Working","assigner":["acnt_3875a23398de4c92a5fc68a1c49a664b"]}',
        b'{"issueStatus":"Working","note":{"deep":[1,2.5,"x",null,true]},"note":1}',
        # Valid bodies that orjson would read otherwise (or not at all): integers beyond 64 bits,
        # a lone surrogate, an integer that equals a float (2**64).
        b'{"issueStatus":"Working","n":123456789012345678901234567890}',
        b'{"issueStatus":"Working","n":18446744073709551616}',
        b'{"issueStatus":"Working","s":"\\ud800"}',
    ],
)
def test_a_repeated_valid_body_has_the_same_value_never_the_same_object(body: bytes) -> None:
    service = Service(MockState.default())
    first, second = _twice(service, body)
    expected = json.loads(body)
    assert _typed(second.parsed) == _typed(expected) == _typed(first.parsed)
    assert second.parsed is not first.parsed
    if isinstance(expected.get("note"), dict):
        assert second.parsed["note"] is not first.parsed["note"]


def _typed(value: Any) -> Any:
    """The value with every scalar's type beside it: 1 and 1.0 (or 2**64 and 2.0**64) differ."""
    if isinstance(value, dict):
        return {key: _typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typed(item) for item in value]
    return (type(value).__name__, repr(value))


def test_a_repeated_invalid_body_gets_the_same_verdict() -> None:
    service = Service(MockState.default())
    body = b'{"issueStatus":"level"}'
    first = service.verdict(_request(body))
    assert first is not None and "issueStatus" in first
    assert service.verdict(_request(body)) == first
