"""`truewatch_contract.profile.learn`: what a run's exchanges teach about the target."""

from __future__ import annotations

import json

from profile_helpers import ROUTE, error, line

from truewatch_contract.profile import LearnedAnswer, learn


def _answer(profile: object, point: str) -> LearnedAnswer:
    value = profile.value(point)  # type: ignore[attr-defined]
    assert isinstance(value, LearnedAnswer), (point, value)
    return value


def test_a_fault_alone_shows_its_answer_and_the_kind_of_content() -> None:
    profile = learn(
        [
            error(1, 401, "ft.Unauthorized", faults=("bad-key",)),
            error(2, 401, "ft.Unauthorized", faults=("bad-key",)),
            line(3, faults=("schema",), status=422, code="ft.InvalidParameter", content={},
                 input_violations=("/assigner/0",)),
        ]
    )  # fmt: skip
    bad_key = _answer(profile, "answer:bad-key")
    assert (bad_key.status, bad_key.error_code, bad_key.content) == (401, "ft.Unauthorized", "null")
    assert profile.points["answer:bad-key"].support == 2
    schema = _answer(profile, "answer:schema:assigner")
    assert (schema.status, schema.content) == (422, "{}")
    assert _answer(profile, "answer:schema") == schema
    assert "answer:schema:issueStatus" not in profile


def test_the_request_itself_tells_points_the_judge_does_not_name() -> None:
    profile = learn(
        [
            error(1, 403, "ft.InvalidAPIKey", faults=("missing-key",), headers={}),
            error(2, 400, "ft.EmptyKey", faults=("missing-key",), headers={"DF-API-KEY": ""}),
            error(3, 400, "ft.Bom", faults=("not-json",), body_text='\ufeff{"issueStatus": 1}'),
            error(4, 400, "ft.Json", faults=("not-json",), body_text='{"issueStatus"'),
            error(5, 404, "ft.Slash", faults=("route",), path=ROUTE + "/"),
            error(6, 404, "ft.Empty", faults=("route",), path="/api/v1/error_track//update"),
            error(7, 404, "ft.Route", faults=("route",), path="/api/v1/other"),
        ]
    )
    codes = {
        point: _answer(profile, "answer:" + point).error_code
        for point in ("missing-key", "empty-key", "bom", "not-json", "trailing-slash", "empty-id")
    }
    assert codes == {
        "missing-key": "ft.InvalidAPIKey",
        "empty-key": "ft.EmptyKey",
        "bom": "ft.Bom",
        "not-json": "ft.Json",
        "trailing-slash": "ft.Slash",
        "empty-id": "ft.Empty",
    }
    assert _answer(profile, "answer:route").error_code == "ft.Route"


def test_an_answer_that_broke_a_rule_is_never_learned_but_an_assumed_choice_is() -> None:
    profile = learn(
        [
            error(1, 500, "ft.Oops", faults=("bad-key",),
                  violations=(("behaviour.auth-required", "documented"),)),
            error(2, 401, "ft.Relaxed", faults=("missing-key",),
                  relaxed=(("envelope.trace-id", "documented"),)),
            error(3, 400, "ft.ParamError", points=("empty-body",), body={},
                  relaxed=(("behaviour.empty-body-noop", "assumed"),)),
        ]
    )  # fmt: skip
    assert "answer:bad-key" not in profile
    assert "answer:missing-key" not in profile  # relaxed, but broken all the same
    assert _answer(profile, "answer:empty-body").error_code == "ft.ParamError"
    assert profile.learned_from == 1 and profile.exchanges == 3


def test_several_faults_show_whose_answer_wins() -> None:
    profile = learn(
        [
            error(1, 401, "ft.Unauthorized", faults=("bad-key",)),
            error(2, 422, "ft.InvalidParameter", faults=("schema",)),
            error(3, 404, "ft.NotFoundIssue", faults=("unknown-issue",)),
            error(4, 422, "ft.InvalidParameter", faults=("bad-key", "schema")),
            error(5, 404, "ft.NotFoundIssue", faults=("schema", "unknown-issue")),
            error(6, 418, "ft.Teapot", faults=("bad-key", "unknown-issue")),
        ]
    )
    assert profile.value("order:bad-key/schema") == "schema"
    assert profile.value("order:schema/unknown-issue") == "unknown-issue"
    assert profile.value("order:bad-key/unknown-issue") == "neither"
    assert "answer:schema" in profile and "answer:bad-key" in profile


def test_faults_that_share_their_answer_show_no_order() -> None:
    profile = learn(
        [
            error(1, 400, "ft.InvalidParameter", faults=("not-json",)),
            error(2, 400, "ft.InvalidParameter", faults=("schema",)),
            error(3, 400, "ft.InvalidParameter", faults=("not-json", "schema")),
        ]
    )
    assert not [point for point in profile.points if point.startswith("order:")]


def test_a_fault_beside_a_point_the_target_accepts_shows_the_faults_answer() -> None:
    profile = learn(
        [
            line(1, points=("unknown-fields",), body={"issueStatus": "Working", "x": 1}),
            error(2, 413, "ft.TooLarge", faults=("too-large",), points=("unknown-fields",)),
        ]
    )
    assert _answer(profile, "answer:too-large").status == 413


def test_a_fault_beside_a_point_whose_answer_is_unknown_teaches_nothing() -> None:
    profile = learn(
        [error(1, 413, "ft.TooLarge", faults=("too-large",), points=("unknown-fields",))]
    )
    assert "answer:too-large" not in profile


def test_history_points() -> None:
    working = {"issueID": "x", "issueStatus": "Working", "extend": {"statusChangeRecords": [1]}}
    again = {"issueID": "x", "issueStatus": "Working", "extend": {"statusChangeRecords": [1, 2]}}
    resolved = {"issueID": "x", "issueStatus": "Resolved", "extend": {"statusChangeRecords": [1]}}
    text = '{"issueStatus": "Working", "issueStatus": "Resolved"}'
    profile = learn(
        [
            line(1, body={"issueStatus": "Working"}, content=working),
            line(2, body={"issueStatus": "Working"}, content=again),
            line(3, points=("unknown-fields",), body={"IssueStatus": "Resolved"}, content=resolved),
            line(4, body={"issueStatus": "Resolved"}, body_text=text, content=resolved),
        ]
    )
    assert profile.value("same-status") == "1 record appended"
    assert profile.value("field-case:effect") == "applied"
    assert _answer(profile, "answer:field-case").accepted
    assert profile.value("duplicate-keys:wins") == "last"
    assert _answer(profile, "answer:duplicate-keys").accepted


def test_bytes_that_are_not_utf8_answered_as_a_bad_field_were_read() -> None:
    go_like = learn(
        [
            error(1, 400, "ft.InvalidParameter", faults=("schema",)),
            error(2, 400, "ft.ParamError", faults=("not-json",)),
            error(3, 400, "ft.InvalidParameter", faults=("schema",), points=("not-utf8",)),
        ]
    )
    strict = learn(
        [
            error(1, 422, "ft.InvalidParameter", faults=("schema",)),
            error(2, 400, "ft.InvalidParameter", faults=("not-json",)),
            error(3, 400, "ft.InvalidParameter", faults=("schema",), points=("not-utf8",)),
        ]
    )
    assert go_like.value("not-utf8:reading") == "replaced"
    assert strict.value("not-utf8:reading") == "refused"


def test_envelope_shapes_and_rate_limits() -> None:
    extra = {
        "code": 401,
        "content": {},
        "errorCode": "ft.Unauthorized",
        "message": "",
        "success": False,
        "traceId": "5f0c4ad0-94f5-4d5c-9a3b-0f1e2d3c4b5a",
        "requestId": "abc",
        "cost": 3,
    }
    profile = learn(
        [
            line(1, faults=("bad-key",), status=401, envelope=extra,
                 response_headers={"content-type": "application/json;charset=UTF-8"}),
            error(2, 401, "ft.TriggerApiAkCurrentLimiting", faults=("bad-key",)),
        ]
    )  # fmt: skip
    assert profile.value("trace-id") == "uuid"
    assert profile.value("error-content") == "{}"
    assert profile.value("extra-fields") == {"cost": "number", "requestId": "string"}
    assert profile.value("content-type") == "application/json;charset=UTF-8"
    assert _answer(profile, "answer:rate-limit").error_code == "ft.TriggerApiAkCurrentLimiting"
    assert _answer(profile, "answer:bad-key").error_code == "ft.Unauthorized"  # not the limit


def test_a_request_with_possible_faults_teaches_nothing_of_them() -> None:
    profile = learn([error(1, 404, "ft.NotFoundIssue", possible=("unknown-issue",))])
    assert [p for p in profile.points if p.startswith("answer:")] == []


def test_the_document_holds_no_key_and_no_header_value() -> None:
    secret = "tkn_0123456789abcdef0123456789abcdef"
    profile = learn(
        [
            error(1, 403, "ft.InvalidAPIKey", faults=("bad-key",),
                  headers={"DF-API-KEY": secret, "X-Other": "private-value"}),
        ]
    )  # fmt: skip
    text = json.dumps(profile.to_json())
    assert secret not in text and "private-value" not in text
    assert "answer:bad-key" in text
