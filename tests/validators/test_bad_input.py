"""
Any Python value gives a list of violations or a clear TypeError: never a crash, a hang or a
RecursionError.

Decisions (see `truewatch_contract.jsonscan`): a value no JSON parser yields (bytes, a set, a
tuple, an object, a non-string key, a cycle) raises TypeError naming the type and the pointer;
NaN, ±Infinity and nesting deeper than 512 levels are violations of ``request.body-object`` /
``envelope.json`` at the offending pointer, and nothing else is evaluated on such a payload.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import json_values, non_json_leaves, with_leaf
from validator_payloads import ISSUE_ID, example_response, previous_content

from truewatch_contract import (
    Violation,
    evaluate_request,
    evaluate_response,
    validate_envelope,
    validate_request,
    validate_response,
)
from truewatch_contract.jsonscan import MAX_DEPTH

FUZZ = settings(
    max_examples=200,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def all_violations(found: Any) -> None:
    assert isinstance(found, list)
    assert all(isinstance(v, Violation) for v in found)


@FUZZ
@given(
    payload=json_values,
    status=st.one_of(st.none(), st.integers(100, 599)),
    context=json_values,
)
def test_any_json_gives_violations(payload: Any, status: int | None, context: Any) -> None:
    all_violations(validate_request(payload, issue_id=context if context != "" else None))
    issue_id = context if isinstance(context, str) else None
    all_violations(
        validate_response(payload, status_code=status, request=context, issue_id=issue_id)
    )
    if context is None or isinstance(context, dict):
        # Any object: the history rules apply, or are listed as unchecked; it never raises.
        all_violations(validate_response(payload, status_code=status, previous=context))
    else:
        with pytest.raises(TypeError, match=r"^previous must be the content object"):
            validate_response(payload, status_code=status, previous=context)
    all_violations(validate_envelope(payload, status_code=status))


@settings(FUZZ, max_examples=120)
@given(value=with_leaf(non_json_leaves))
def test_non_json_values_raise_a_clear_type_error(value: tuple[Any, str]) -> None:
    payload, pointer = value
    for validate in (validate_request, validate_response, validate_envelope):
        with pytest.raises(TypeError) as caught:
            validate(payload)
        message = str(caught.value)
        assert "not a JSON type" in message
        assert (pointer or "(root)") in message


@settings(FUZZ, max_examples=120)
@given(value=with_leaf(st.sampled_from([math.nan, math.inf, -math.inf])))
def test_non_finite_numbers_are_violations(value: tuple[Any, str]) -> None:
    payload, pointer = value
    assert [(v.rule, v.pointer) for v in validate_request(payload)] == [
        ("request.body-object", pointer)
    ]
    assert [(v.rule, v.pointer) for v in validate_response(payload)] == [("envelope.json", pointer)]


@pytest.mark.parametrize(
    "key",
    [1, 1.5, None, True, (1, 2), b"k"],
    ids=["int", "float", "None", "bool", "tuple", "bytes"],
)
def test_non_string_keys_raise_type_error(key: Any) -> None:
    payload = example_response()
    payload["content"]["extend"][key] = 1
    with pytest.raises(TypeError, match="/content/extend"):
        validate_response(payload)


def test_cycles_raise_type_error() -> None:
    payload: dict[str, Any] = example_response()
    payload["content"]["creatorInfo"]["self"] = payload["content"]
    with pytest.raises(TypeError, match="circular reference at /content/creatorInfo/self"):
        validate_response(payload)
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(TypeError, match="circular"):
        validate_request(loop)


def test_shared_parts_are_fine() -> None:
    shared = ["acnt_3875a23398de4c92a5fc68a1c49a664b"]
    assert validate_request({"assigner": shared, "copy": shared}) == []
    # A diamond-shaped value 60 levels deep stands for 2**60 paths: it must not be walked as such.
    node: Any = {}
    for _ in range(60):
        node = {"a": node, "b": node}
    assert validate_request({"deep": node}) == []


def _nested(depth: int, leaf: Any = 0) -> Any:
    value = leaf
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


@pytest.mark.parametrize("where", ["body", "content", "extra"])
def test_100000_levels_of_nesting_give_one_violation(where: str) -> None:
    deep = _nested(100_000)
    if where == "body":
        found = validate_request(deep)
        assert len(found) == 1 and found[0].rule == "request.body-object"
        assert f"deeper than {MAX_DEPTH} levels" in found[0].message
        response_found = validate_response(deep)
        assert [v.rule for v in response_found] == ["envelope.json"]
    elif where == "content":
        payload = {"code": 400, "content": deep, "success": False}
        found = validate_response(payload, status_code=400)
        assert [v.rule for v in found] == ["envelope.json"]
        assert found[0].pointer.startswith("/content/0/k/0/k/")
    else:
        body = {"issueStatus": "Resolved", "extra": deep}
        found = validate_request(body)
        assert [v.rule for v in found] == ["request.body-object"]
        assert found[0].pointer.startswith("/extra/0/k/0/")


def test_nesting_up_to_the_limit_is_validated() -> None:
    body = {"issueStatus": "Resolved", "extra": _nested(MAX_DEPTH - 2)}
    assert validate_request(body) == []
    body = {"issueStatus": "Resolved", "extra": _nested(MAX_DEPTH)}
    assert [v.rule for v in validate_request(body)] == ["request.body-object"]


def test_deep_values_in_the_context_arguments_are_harmless() -> None:
    deep = _nested(100_000)
    # A JSON request of any shape is data: a non-object body answered 200 was not rejected.
    evaluation = evaluate_response(example_response(), request=deep, status_code=200)
    assert [(v.rule, v.pointer) for v in evaluation.violations] == [
        ("behaviour.invalid-body-rejected", "")
    ]
    # issue_id and previous are the caller's context: a wrong type is a clear TypeError.
    with pytest.raises(TypeError, match="issue_id"):
        evaluate_response(example_response(), issue_id=deep, status_code=200)
    with pytest.raises(TypeError, match="previous"):
        evaluate_response(example_response(), previous=deep, status_code=200)
    evaluation = evaluate_response(
        example_response(),
        request={"issueStatus": deep, "assigner": [deep]},
        previous={**previous_content(), "issueStatus": deep, "assigner": deep},
    )
    assert [(v.rule, v.pointer) for v in evaluation.violations] == [
        ("behaviour.invalid-body-rejected", "")
    ]


def test_huge_arrays() -> None:
    body = {"assigner": ["acnt_3875a23398de4c92a5fc68a1c49a664b"] * 200_000}
    assert validate_request(body) == []
    body["assigner"][150_000] = "acnt_bad"
    assert [(v.rule, v.pointer) for v in validate_request(body)] == [
        ("request.assigner", "/assigner/150000")
    ]
    payload = example_response()
    payload["content"]["creatorInfo"] = {"list": list(range(200_000))}
    assert validate_response(payload) == []


def test_huge_values_give_short_messages() -> None:
    payload = example_response()
    payload["content"]["issueStatus"] = "x" * 1_000_000
    payload["content"]["id"] = {"k": ["v" * 1000] * 1000}
    payload["message"] = "y" * 1_000_000
    for violation in validate_response(payload):
        assert len(violation.message) < 400, violation.rule


def test_issue_id_must_be_json() -> None:
    with pytest.raises(TypeError):
        evaluate_request({}, issue_id=b"04a0")
    assert [v.rule for v in validate_request({}, issue_id=math.nan)] == ["request.issue-id"]
    assert validate_request({}, issue_id=ISSUE_ID) == []


any_python = st.recursive(
    st.one_of(json_values, non_json_leaves, st.just(math.nan)),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.tuples(children),
        st.dictionaries(
            st.one_of(st.text(max_size=4), st.integers(), st.none(), st.booleans()),
            children,
            max_size=4,
        ),
    ),
    max_leaves=12,
)


@settings(FUZZ, max_examples=150)
@given(value=any_python, status=st.one_of(st.none(), st.integers(100, 599)))
def test_any_python_value_gives_violations_or_a_type_error(value: Any, status: int | None) -> None:
    for check in (
        lambda: validate_request(value, issue_id="x"),
        lambda: validate_response(value, status_code=status, request=value, previous=value),
        lambda: validate_envelope(value, status_code=status),
    ):
        try:
            all_violations(check())
        except TypeError as error:
            message = str(error)
            assert "JSON" in message or message.startswith("previous must be"), message
