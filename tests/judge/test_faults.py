"""`judge.faults`: the faults a request carries, and the one table of their acceptable answers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from truewatch_contract import RULES
from truewatch_contract.judge import (
    ANSWERS,
    Exchange,
    Expectation,
    Facts,
    Fault,
    UnknownFault,
    answers_for,
)
from truewatch_contract.judge.faults import expectation_of as _expectation_of
from truewatch_contract.judge.faults import read_sent

KEY = "tkn_faults_key"
FOREIGN_KEY = "tkn_other_workspace"
ISSUE = "04a0bb44b28e9ff1e01f87828af622b9"
FOREIGN = "822e8232b66ac59b970f4d2e0c53ca43"
FACTS = Facts(
    api_key=KEY,
    issue_ids=frozenset({ISSUE}),
    foreign_issue_id=FOREIGN,
    foreign_api_key=FOREIGN_KEY,
)


def expectation_of(made: Exchange, facts: Facts) -> Expectation:
    return _expectation_of(made, facts, read_sent(made))


def request(
    body: Any = None,
    *,
    raw: bytes | None = None,
    method: str = "POST",
    issue: str = ISSUE,
    key: str | None = KEY,
    content_type: str | None = "application/json",
) -> Exchange:
    headers = {}
    if content_type is not None:
        headers["Content-Type"] = content_type
    if key is not None:
        headers["DF-API-KEY"] = key
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    return Exchange(
        method=method,
        path=f"/api/v1/error_track/{issue}/update",
        request_headers=headers,
        request_body=data,
        status=None,
        response_headers={},
        response_body=None,
    )


VALID = {"issueStatus": "Resolved"}


@pytest.mark.parametrize(
    ("made", "faults", "points"),
    [
        (request(VALID), set(), set()),
        (request({}), set(), {Fault.EMPTY_BODY}),
        (request({"issueStatus": "Working", "psycopg": 1}), set(), {Fault.UNKNOWN_FIELDS}),
        (request(VALID, method="GET"), {Fault.METHOD}, set()),
        (request(None, method="DELETE"), {Fault.METHOD}, set()),
        (request(VALID, issue=""), {Fault.ROUTE}, set()),
        (request(VALID, issue=".."), {Fault.ROUTE}, set()),
        (request(VALID, key=None), {Fault.MISSING_KEY}, set()),
        (request(VALID, key=""), {Fault.MISSING_KEY}, set()),
        (request(VALID, key="nope"), {Fault.BAD_KEY}, set()),
        (request(VALID, key=FOREIGN_KEY), {Fault.FOREIGN_KEY}, set()),
        (request(VALID, issue=FOREIGN), {Fault.FOREIGN_ISSUE}, set()),
        (request(VALID, issue="f" * 32), {Fault.UNKNOWN_ISSUE}, set()),
        (request(VALID, issue=ISSUE.upper()), {Fault.MALFORMED_ID}, set()),
        (request(VALID, issue=ISSUE[:-1]), {Fault.MALFORMED_ID}, set()),
        (request(VALID, issue="isset_" + "0" * 32), {Fault.MALFORMED_ID}, set()),
        (request({"issueStatus": "level"}), {Fault.SCHEMA}, set()),
        (request(["Resolved"]), {Fault.NOT_OBJECT}, set()),
        (request(raw=b'{"issueStatus": '), {Fault.NOT_JSON}, set()),
        (request(raw=b""), {Fault.NOT_JSON}, set()),
        (request(VALID, content_type="text/plain"), {Fault.MEDIA_TYPE}, set()),
        (request(VALID, content_type=None), set(), {Fault.NO_MEDIA_TYPE}),
        (request(VALID, content_type="application/json;charset=UTF-8"), set(), set()),
        (
            request({"issueStatus": "level"}, key=None, issue="f" * 32),
            {Fault.SCHEMA, Fault.MISSING_KEY, Fault.UNKNOWN_ISSUE},
            set(),
        ),
        (
            request({"comment": "x"}, issue="f" * 32),
            {Fault.UNKNOWN_ISSUE},
            {Fault.UNKNOWN_FIELDS},
        ),
        # Bytes that are not UTF-8 are judged as Go decodes them (U+FFFD).
        (request(raw=b"\xff\xfe{}"), {Fault.NOT_JSON}, {Fault.NOT_UTF8}),
        (
            request(raw=b'{"issueStatus": "Resolved", "note": "\xff"}'),
            set(),
            {Fault.NOT_UTF8, Fault.UNKNOWN_FIELDS},
        ),
        (request(raw=b'{"issueStatus": "Resolved\xff"}'), {Fault.SCHEMA}, {Fault.NOT_UTF8}),
        (
            request(raw=b'{"issueStatus": "Resolved", "pad": "' + b"x" * (1 << 20) + b'"}'),
            {Fault.TOO_LARGE},
            {Fault.UNKNOWN_FIELDS},
        ),
    ],
)
def test_faults_come_from_the_request_alone(
    made: Exchange, faults: set[Fault], points: set[Fault]
) -> None:
    expectation = expectation_of(made, FACTS)
    assert expectation.faults == faults
    assert expectation.points == points


def test_the_mocks_alias_is_the_issue_on_the_mock_and_may_be_refused_elsewhere() -> None:
    alias = "isset_" + "1" * 32
    mock = Facts(api_key=KEY, issue_ids=frozenset({ISSUE, alias}), builtin_mock=True)
    remote = Facts(api_key=KEY, issue_ids=frozenset({ISSUE, alias}))
    assert expectation_of(request(VALID, issue=alias), mock) == Expectation(known_issue=True)
    elsewhere = expectation_of(request(VALID, issue=alias), remote)
    assert elsewhere.points == {Fault.ALIAS_ID} and elsewhere.is_update
    assert elsewhere.allows(400, True) and elsewhere.allows(404, True)


def test_a_key_known_to_be_bad_is_a_bad_key_where_the_real_one_is_unknown() -> None:
    facts = Facts(issue_ids=frozenset({ISSUE}))
    unknown = expectation_of(request(VALID, key="anything"), facts)
    assert unknown.faults == set() and unknown.possible == {Fault.BAD_KEY}
    negative = expectation_of(request(VALID, key="anything"), facts.with_bad_key("anything"))
    assert negative.faults == {Fault.BAD_KEY}


def test_every_fault_has_answers_naming_a_catalogued_rule() -> None:
    assert set(ANSWERS) == set(Fault)
    for fault, answers in ANSWERS.items():
        assert answers.rule is None or answers.rule in RULES, fault
        assert answers.point or answers.rule is not None, fault
        # No fault allows a success.
        assert not answers.allows(200, False) and not answers.allows(200, True)


def test_an_unknown_fault_is_an_error_never_a_pass() -> None:
    with pytest.raises(UnknownFault):
        Expectation(faults=frozenset({"rejected"}))  # type: ignore[arg-type]
    with pytest.raises(UnknownFault):
        answers_for("rejected")  # type: ignore[arg-type]
    with pytest.raises(UnknownFault):
        Expectation(faults=frozenset({Fault.EMPTY_BODY}))  # a point is no fault
    with pytest.raises(ValueError):
        Fault("rejected")


@pytest.mark.parametrize(
    ("faults", "status", "envelope", "allowed"),
    [
        ({Fault.MALFORMED_ID}, 400, True, True),
        ({Fault.MALFORMED_ID}, 404, True, True),
        ({Fault.MALFORMED_ID}, 422, True, False),
        ({Fault.UNKNOWN_ISSUE}, 400, True, False),
        ({Fault.FOREIGN_ISSUE}, 403, True, False),
        ({Fault.FOREIGN_KEY}, 404, True, True),
        ({Fault.BAD_KEY, Fault.SCHEMA}, 422, True, True),
        ({Fault.BAD_KEY, Fault.SCHEMA}, 401, True, True),
        ({Fault.BAD_KEY, Fault.SCHEMA}, 400, False, False),
        ({Fault.METHOD}, 405, False, True),
        ({Fault.UNKNOWN_ISSUE, Fault.SCHEMA}, 200, False, False),
    ],
)
def test_the_answer_is_right_for_at_least_one_fault(
    faults: set[Fault], status: int, envelope: bool, allowed: bool
) -> None:
    assert Expectation(faults=frozenset(faults)).allows(status, envelope) is allowed
