"""
``envelope.no-internal-detail`` discounts the client's own input echoed back (``sent=``), and only
that: the tokens of the body (keys and values) and of the path, matched as whole tokens.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from validator_payloads import ISSUE_ID, error_response

from truewatch_contract import (
    ContractViolation,
    SentRequest,
    assert_valid_envelope,
    assert_valid_response,
    evaluate_envelope,
    evaluate_response,
    validate_envelope,
    validate_response,
)

PATH = f"/api/v1/error_track/{ISSUE_ID}/update"
RULE = "envelope.no-internal-detail"


def answer(message: str) -> dict[str, Any]:
    return {**error_response(400, "ft.InvalidBody"), "message": message}


def leaks(message: str, sent: SentRequest | None) -> list[str]:
    found = validate_response(answer(message), status_code=400, sent=sent)
    return [v.message for v in found if v.rule == RULE]


BODY = {"issueStatus": "Resolved", "foo": 1, "psycopg": 2}


@pytest.mark.parametrize(
    "body",
    [json.dumps(BODY).encode(), json.dumps(BODY), BODY],
    ids=["bytes", "text", "parsed"],
)
def test_an_echoed_field_name_is_no_leak(body: Any) -> None:
    message = "unknown field(s): foo, psycopg"
    assert leaks(message, None) != []  # without the request, it looks like a driver's name
    assert leaks(message, SentRequest(path=PATH, body=body)) == []


def test_a_stack_trace_beside_an_echoed_field_is_still_a_leak() -> None:
    sent = SentRequest(path=PATH, body=json.dumps(BODY).encode())
    found = leaks("unknown field psycopg\nTraceback (most recent call last):\n  x", sent)
    assert found == [
        "message must not carry internal detail, found 'Traceback (most recent call last)'."
    ]
    assert leaks('KeyError: "psycopg"', sent) == [
        "message must not carry internal detail, found 'KeyError'."
    ]


def test_only_whole_tokens_are_discounted() -> None:
    # The body said "psycopg"; the message names "psycopg2", a token the request never carried.
    sent = SentRequest(body={"psycopg": 1})
    assert leaks("could not load psycopg2", sent) != []
    # A short key does not hide what merely contains it.
    assert leaks("Traceback (most recent call last)", SentRequest(body={"a": "ce"})) != []


def test_echoed_values_and_path_segments_are_discounted() -> None:
    value = "SELECT id FROM issues WHERE 1"
    sent = SentRequest(path=PATH, body={"issueStatus": value})
    assert leaks(f"issueStatus: {value!r} is not allowed", None) != []
    assert leaks(f"issueStatus: {value!r} is not allowed", sent) == []
    # Truncated by the server: each word was still the client's.
    assert leaks("issueStatus: 'SELECT id FROM issues WHERE...' is not allowed", sent) == []
    path_sent = SentRequest(path="/api/v1/error_track/psycopg/update")
    assert leaks("no issue psycopg", path_sent) == []
    assert leaks("no issue psycopg", SentRequest(path="/api/v1/error_track/other/update")) != []


def test_a_body_that_is_no_json_gives_its_words() -> None:
    sent = SentRequest(body=b"psycopg NaN \xff")
    assert leaks("cannot read psycopg", sent) == []
    assert leaks("cannot read sqlalchemy.orm", sent) != []


def test_sent_is_a_keyword_of_every_response_validator() -> None:
    sent = SentRequest(path=PATH, body=b'{"psycopg": 1}')
    payload = answer("unknown field(s): psycopg")
    for evaluate in (evaluate_response, evaluate_envelope):
        assert evaluate(payload, status_code=400).violations != ()
        evaluation = evaluate(payload, status_code=400, sent=sent)
        assert evaluation.violations == () and RULE in evaluation.checked
    assert validate_envelope(payload, status_code=400, sent=sent) == []
    assert_valid_envelope(payload, status_code=400, sent=sent)
    assert_valid_response(payload, status_code=400, sent=sent)
    with pytest.raises(ContractViolation, match=RULE):
        assert_valid_envelope(payload, status_code=400)


def test_request_keeps_its_meaning_and_does_not_discount() -> None:
    # request= is the body for the content rules; only sent= speaks for the echo.
    payload = answer("unknown field(s): psycopg")
    found = validate_response(payload, status_code=400, request={"psycopg": 1})
    assert [v.rule for v in found] == [RULE]


def test_sent_must_be_a_sent_request() -> None:
    with pytest.raises(TypeError, match="sent must be a SentRequest"):
        validate_response(answer("x"), sent={"path": PATH})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="path must be a string"):
        SentRequest(path=b"/x")  # type: ignore[arg-type]


def test_a_huge_deep_body_is_harmless() -> None:
    assignees = json.dumps(["acnt_" + "a" * 32] * 100_000)
    body = '{"assigner": ' + assignees + ', "deep": ' + "[" * 5000 + '"psycopg"' + "]" * 5000 + "}"
    sent = SentRequest(path=PATH, body=body.encode())
    assert leaks("unknown field psycopg", sent) == []
