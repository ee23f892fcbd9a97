"""
One passing and one failing payload for every rule the library implements.

Each failing case asserts the rule id and the pointer; each passing case asserts that the rule
was checked (it applied and was evaluated) and held. Schema-backed rules run on both engines.
"""

from __future__ import annotations

from typing import Any

import pytest
from validator_payloads import (
    ACTOR,
    ASSIGNEE,
    ISSUE_ID,
    ISSUE_UUID,
    OTHER,
    error_response,
    example_response,
    pairs,
    previous_content,
)

from truewatch_contract import Evaluation, evaluate_request, evaluate_response, validate_request
from truewatch_contract.validate import evaluate_envelope

RECORDS = "/content/extend/statusChangeRecords"


def held(evaluation: Evaluation, rule: str) -> None:
    assert rule in evaluation.checked, f"{rule} was not checked: {evaluation.checked}"
    assert rule not in {v.rule for v in evaluation.violations}, evaluation.violations


def broke(evaluation: Evaluation, rule: str, pointer: str) -> None:
    assert (rule, pointer) in pairs(evaluation.violations), evaluation.violations
    assert rule in evaluation.checked
    for violation in evaluation.violations:
        assert violation.message.endswith("."), violation
        assert "\n" not in violation.message


# --- request -------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [{}, {"issueStatus": "Resolved"}, {"unknown": [1, {"x": None}]}])
def test_request_body_object_holds(body: Any, engine: str) -> None:
    held(evaluate_request(body, engine=engine), "request.body-object")


@pytest.mark.parametrize("body", [[], "Resolved", None, 3, True, [{"issueStatus": "Resolved"}]])
def test_request_body_object_breaks(body: Any, engine: str) -> None:
    evaluation = evaluate_request(body, engine=engine)
    broke(evaluation, "request.body-object", "")
    assert len(evaluation.violations) == 1


@pytest.mark.parametrize("status", ["Triage", "Assigned", "Working", "Resolved", "Ignored"])
def test_request_issue_status_holds(status: str, engine: str) -> None:
    held(evaluate_request({"issueStatus": status}, engine=engine), "request.issue-status")


@pytest.mark.parametrize("status", ["level", "resolved", "", None, 1, ["Resolved"], "Resolved\n"])
def test_request_issue_status_breaks(status: Any, engine: str) -> None:
    evaluation = evaluate_request({"issueStatus": status}, engine=engine)
    broke(evaluation, "request.issue-status", "/issueStatus")


@pytest.mark.parametrize("assigner", [[ASSIGNEE], [ASSIGNEE, OTHER], [ASSIGNEE, ASSIGNEE]])
def test_request_assigner_holds(assigner: list[str], engine: str) -> None:
    held(evaluate_request({"assigner": assigner}, engine=engine), "request.assigner")


@pytest.mark.parametrize(
    ("assigner", "pointer"),
    [
        ([], "/assigner"),
        (None, "/assigner"),
        (ASSIGNEE, "/assigner"),
        (["acnt_xxx"], "/assigner/0"),
        ([ASSIGNEE, ASSIGNEE.upper()], "/assigner/1"),
        ([ASSIGNEE + "\n"], "/assigner/0"),
        ([ASSIGNEE, 7], "/assigner/1"),
    ],
)
def test_request_assigner_breaks(assigner: Any, pointer: str, engine: str) -> None:
    broke(evaluate_request({"assigner": assigner}, engine=engine), "request.assigner", pointer)


@pytest.mark.parametrize("issue_id", [ISSUE_ID, ISSUE_UUID, "anything-else"])
def test_request_issue_id_holds(issue_id: str, engine: str) -> None:
    held(evaluate_request({}, issue_id=issue_id, engine=engine), "request.issue-id")


@pytest.mark.parametrize("issue_id", ["", 42])
def test_request_issue_id_breaks(issue_id: Any, engine: str) -> None:
    evaluation = evaluate_request({}, issue_id=issue_id, engine=engine)
    broke(evaluation, "request.issue-id", "")
    assert "issue_id" in evaluation.violations[0].message


# --- envelope ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON"]
)
def test_envelope_json_holds(success: dict[str, Any], content_type: str, engine: str) -> None:
    evaluation = evaluate_response(success, content_type=content_type, engine=engine)
    held(evaluation, "envelope.json")
    assert evaluation.ok


@pytest.mark.parametrize("payload", [[], "Internal Server Error", None, 200, [error_response()]])
def test_envelope_json_breaks_on_a_non_object(payload: Any, engine: str) -> None:
    evaluation = evaluate_response(payload, status_code=500, engine=engine)
    broke(evaluation, "envelope.json", "")
    assert len(evaluation.violations) == 1


@pytest.mark.parametrize(
    "content_type", ["text/html", "", "text/plain; charset=utf-8", "application/problem+json"]
)
def test_envelope_json_breaks_on_a_content_type(content_type: str, engine: str) -> None:
    evaluation = evaluate_response(example_response(), content_type=content_type, engine=engine)
    broke(evaluation, "envelope.json", "")


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"code": "200"}, "/code"),
        ({"code": 200.5}, "/code"),
        ({"errorCode": None}, "/errorCode"),
        ({"message": 0}, "/message"),
        ({"success": "true"}, "/success"),
        ({"errorCode": ...}, "/errorCode"),
        ({"content": ...}, "/content"),
        ({"traceId": ...}, "/traceId"),
    ],
)
def test_envelope_fields_breaks(change: dict[str, Any], pointer: str, engine: str) -> None:
    for payload in (example_response(), error_response()):
        for key, value in change.items():
            if value is ...:
                del payload[key]
            else:
                payload[key] = value
        evaluation = evaluate_response(payload, engine=engine)
        broke(evaluation, "envelope.fields", pointer)
        # One fault, one violation: no cross-field rule repeats what the schema said.
        assert [v.pointer for v in evaluation.violations].count(pointer) == 1


def test_envelope_fields_holds_with_extra_fields(engine: str) -> None:
    payload = error_response()
    payload["extra"] = {"anything": [1, 2]}
    evaluation = evaluate_envelope(payload, status_code=404, engine=engine)
    held(evaluation, "envelope.fields")
    assert evaluation.ok


def test_envelope_code_matches_status(engine: str) -> None:
    held(evaluate_response(error_response(404), status_code=404), "envelope.code-matches-status")
    evaluation = evaluate_response(error_response(404), status_code=400, engine=engine)
    broke(evaluation, "envelope.code-matches-status", "/code")
    evaluation = evaluate_response(example_response(), status_code=201, engine=engine)
    broke(evaluation, "envelope.code-matches-status", "/code")


def test_envelope_code_matches_status_needs_the_status() -> None:
    evaluation = evaluate_response(error_response(404))
    assert "envelope.code-matches-status" not in evaluation.checked


def test_envelope_success_matches_code(engine: str) -> None:
    held(evaluate_response(example_response(), engine=engine), "envelope.success-matches-code")
    held(evaluate_response(error_response(), engine=engine), "envelope.success-matches-code")
    payload = error_response(404)
    payload["success"] = True
    broke(evaluate_response(payload, engine=engine), "envelope.success-matches-code", "/success")
    payload = example_response()
    payload["success"] = False
    evaluation = evaluate_response(payload, status_code=200, engine=engine)
    broke(evaluation, "envelope.success-matches-code", "/success")


def test_envelope_error_code_matches_success(engine: str) -> None:
    held(evaluate_response(error_response(), engine=engine), "envelope.error-code-matches-success")
    payload = error_response()
    payload["errorCode"] = ""
    evaluation = evaluate_response(payload, engine=engine)
    broke(evaluation, "envelope.error-code-matches-success", "/errorCode")
    payload = example_response()
    payload["errorCode"] = "ft.InvalidParameter"
    evaluation = evaluate_response(payload, engine=engine)
    broke(evaluation, "envelope.error-code-matches-success", "/errorCode")


@pytest.mark.parametrize("trace_id", ["", 1749091119335873001, None, True])
def test_envelope_trace_id_breaks(trace_id: Any, engine: str) -> None:
    for payload in (example_response(), error_response()):
        payload["traceId"] = trace_id
        broke(evaluate_response(payload, engine=engine), "envelope.trace-id", "/traceId")


@pytest.mark.parametrize("trace_id", ["1749091119335873001", "TRACE-6B1F", "x"])
def test_envelope_trace_id_holds(trace_id: str, engine: str) -> None:
    payload = error_response()
    payload["traceId"] = trace_id
    held(evaluate_response(payload, engine=engine), "envelope.trace-id")


def test_envelope_message_empty_on_success(engine: str) -> None:
    held(evaluate_response(example_response(), engine=engine), "envelope.message-empty-on-success")
    payload = example_response()
    payload["message"] = "ok"
    evaluation = evaluate_response(payload, engine=engine)
    broke(evaluation, "envelope.message-empty-on-success", "/message")
    assert "envelope.message-empty-on-success" not in evaluate_response(error_response()).checked


@pytest.mark.parametrize("content", [None, {}])
def test_envelope_no_content_on_error_holds(content: Any, engine: str) -> None:
    payload = error_response()
    payload["content"] = content
    held(evaluate_response(payload, engine=engine), "envelope.no-content-on-error")


@pytest.mark.parametrize("content", [example_response()["content"], [], "", {"issueID": ISSUE_ID}])
def test_envelope_no_content_on_error_breaks(content: Any, engine: str) -> None:
    payload = error_response()
    payload["content"] = content
    evaluation = evaluate_response(payload, status_code=404, engine=engine)
    broke(evaluation, "envelope.no-content-on-error", "/content")


@pytest.mark.parametrize(
    "message",
    [
        "The issue was not found.",
        'issueStatus: "level" is not one of Triage, Assigned, Working, Resolved, Ignored',
        "Le paramètre « issueStatus » n'est pas valide.",
        "参数 issueStatus 的取值无效",
        "Type error in field assigner: expected an array",
        "Select a status from the list.",
        "Value error: assigner must not be empty",
        "The API key's rate limit was reached; retry later.",
        "Key not valid. Please check the File you uploaded.",
        "A runtime error: the issue is being updated by another request; retry later.",
        "Exception: the workspace is read-only.",
        "SELECT one of the allowed statuses.",
        "Please SELECT one status FROM the list",
        "SELECT status FROM the list, then UPDATE the issue.",
        "The DF-API-KEY header is missing or invalid.",
        "接口请求超过限制",
        "The request body is larger than 1048576 bytes.",
        "Retry at the time shown (UTC 10:30:00).",
        "Error 4001: the issue is locked by another update.",
        "invalid character 'x' in issueStatus",
        "Content-Type: expected application/json",
        "assigner/0 must match acnt_ + 32 lowercase hex, found the string 'acnt_x'.",
        "See https://docs.truewatch.com/open-api/error-track#update:2",
    ],
)
def test_envelope_no_internal_detail_holds(message: str, engine: str) -> None:
    payload = error_response(400, "ft.InvalidParameter")
    payload["message"] = message
    evaluation = evaluate_response(payload, engine=engine)
    held(evaluation, "envelope.no-internal-detail")
    assert evaluation.ok


@pytest.mark.parametrize(
    "message",
    [
        'Traceback (most recent call last):\n  File "/app/server.py", line 12, in update',
        "KeyError: 'issueStatus'",
        "TypeError: 'NoneType' object is not subscriptable",
        "ValueError: invalid literal for int() with base 10",
        "error in /usr/lib/python3.11/site-packages/starlette/routing.py",
        "java.lang.NullPointerException at com.truewatch.Issue.update(Issue.java:42)",
        "panic: runtime error: invalid memory address or nil pointer dereference",
        'ERROR: duplicate key value violates unique constraint "issue_pkey"',
        'pq: syntax error at or near "WHERE" (SQLSTATE 42601)',
        "<app.models.Issue object at 0x7f3a2b1c9d80>",
        # Go, the vendor's stack
        "json: cannot unmarshal number into Go struct field UpdateReq.issueStatus of type string",
        "runtime error: invalid memory address or nil pointer dereference",
        "goroutine 1 [running]:\nmain.main()",
        "panic: assignment to entry in nil map",
        "invalid character 'l' looking for beginning of value",
        "sql: no rows in result set",
        "update failed: context deadline exceeded",
        # Node
        "at IssueService.update (/srv/app/dist/issue.js:88:13)",
        "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
        "Cannot read properties of undefined (reading 'x')",
        "ReferenceError: issue is not defined",
        "issueService.update is not a function",
        "connect ECONNREFUSED 127.0.0.1:3306",
        # databases
        "Error 1062: Duplicate entry 'x' for key 'PRIMARY'",
        "Error 1062 (23000): Duplicate entry 'x' for key 'issue.PRIMARY'",
        'ERROR:  duplicate key value violates unique constraint "issue_pkey"',
        "SQLSTATE[23000]: Integrity constraint violation",
        'pq: relation "issue" does not exist',
        "SELECT * FROM issue WHERE issue_id = '04a0'",
        "UPDATE issue SET status = 'Resolved' failed",
        # network, source paths
        "dial tcp 10.0.3.17:5432: connect: connection refused",
        "read tcp 10.0.0.1:5544->10.0.0.2:6379: i/o timeout",
        "failed at /app/handlers/issue.py:42",
        "issue.go:88: update failed",
        # Java, Python
        "java.lang.NullPointerException",
        "at com.example.Foo.bar(Foo.java:42)",
        'File "x.py", line 3, in update',
    ],
)
def test_envelope_no_internal_detail_breaks(message: str, engine: str) -> None:
    payload = error_response(500, "ft.InternalError")
    payload["message"] = message
    evaluation = evaluate_response(payload, status_code=500, engine=engine)
    broke(evaluation, "envelope.no-internal-detail", "/message")


# --- content -------------------------------------------------------------------------------------


def test_the_page_example_is_valid(engine: str) -> None:
    evaluation = evaluate_response(
        example_response(),
        status_code=200,
        request={"issueStatus": "Resolved"},
        issue_id=ISSUE_ID,
        previous=previous_content(),
        content_type="application/json",
        include_assumed=True,
        engine=engine,
    )
    assert evaluation.ok, evaluation.violations
    catalogue_rules = {
        "content.schema",
        "content.status-applied",
        "content.same-issue",
        "content.history-order",
        "content.history-head",
        "content.status-duration",
        "content.duration",
        "content.assigner-info",
        "content.time-units",
        "content.delete-at",
        "history.append-only",
        "history.status-change-record",
        "history.partial-update",
        "history.update-time",
    }
    assert catalogue_rules <= set(evaluation.checked)


@pytest.mark.parametrize(
    ("path", "value", "pointer"),
    [
        (("extend", "firstTime"), "1770102900086", "/content/extend/firstTime"),
        (("uuid",), ..., "/content/uuid"),
        (("issueID",), "04A0BB44B28E9FF1E01F87828AF622B9", "/content/issueID"),
        (("extend", "statusChangeRecords", 0, "time"), 1770103057.5, RECORDS + "/0/time"),
        (("assignerInfo", 0, "email"), None, "/content/assignerInfo/0/email"),
        (("statusDuration", "Closed"), 1, "/content/statusDuration/Closed"),
        (("statusDuration", "a/b~c"), 1, "/content/statusDuration/a~1b~0c"),
        (("creatorInfo",), [], "/content/creatorInfo"),
    ],
)
def test_content_schema_breaks(
    path: tuple[Any, ...], value: Any, pointer: str, engine: str
) -> None:
    payload = example_response()
    holder = payload["content"]
    for part in path[:-1]:
        holder = holder[part]
    if value is ...:
        del holder[path[-1]]
    else:
        holder[path[-1]] = value
    evaluation = evaluate_response(payload, engine=engine)
    broke(evaluation, "content.schema", pointer)
    assert [v.pointer for v in evaluation.violations].count(pointer) == 1


def test_content_schema_breaks_on_null_content(engine: str) -> None:
    payload = example_response()
    payload["content"] = None
    broke(evaluate_response(payload, status_code=200, engine=engine), "content.schema", "/content")


def test_content_schema_tags_come_from_the_nearest_source(engine: str) -> None:
    payload = example_response()
    payload["content"]["issueStatus"] = "level"  # IssueStatus is documented
    payload["content"]["id"] = "39"  # id is observed
    found = {v.pointer: v for v in evaluate_response(payload, engine=engine).violations}
    assert found["/content/issueStatus"].rule == "content.schema"
    assert found["/content/issueStatus"].tag == "documented"
    assert found["/content/id"].tag == "observed"


def test_content_status_applied(engine: str) -> None:
    ok = evaluate_response(example_response(), request={"issueStatus": "Resolved"}, engine=engine)
    held(ok, "content.status-applied")
    evaluation = evaluate_response(
        example_response(), request={"issueStatus": "Working"}, engine=engine
    )
    broke(evaluation, "content.status-applied", "/content/issueStatus")


def test_content_assigner_applied(engine: str) -> None:
    ok = evaluate_response(example_response(), request={"assigner": [ASSIGNEE]}, engine=engine)
    held(ok, "content.assigner-applied")
    evaluation = evaluate_response(
        example_response(), request={"assigner": [ASSIGNEE, OTHER]}, engine=engine
    )
    broke(evaluation, "content.assigner-applied", "/content/assigner")


@pytest.mark.parametrize("issue_id", [ISSUE_ID, ISSUE_UUID])
def test_content_same_issue_holds(issue_id: str, engine: str) -> None:
    held(evaluate_response(example_response(), issue_id=issue_id), "content.same-issue")


def test_content_same_issue_breaks(engine: str) -> None:
    evaluation = evaluate_response(example_response(), issue_id="f" * 32, engine=engine)
    broke(evaluation, "content.same-issue", "/content/issueID")


def test_content_history_order(engine: str) -> None:
    held(evaluate_response(example_response(), engine=engine), "content.history-order")
    payload = example_response()
    records = payload["content"]["extend"]["statusChangeRecords"]
    records[1]["time"] = records[0]["time"] - 10
    broke(evaluate_response(payload, engine=engine), "content.history-order", RECORDS + "/1/time")


def test_content_history_head(engine: str) -> None:
    held(evaluate_response(example_response(), engine=engine), "content.history-head")
    payload = example_response()
    payload["content"]["issueStatus"] = "Working"
    broke(evaluate_response(payload, engine=engine), "content.history-head", RECORDS + "/1/status")


def test_content_status_duration(engine: str) -> None:
    held(evaluate_response(example_response(), engine=engine), "content.status-duration")
    payload = example_response()
    payload["content"]["statusDuration"]["Resolved"] += 1
    payload["content"]["statusDuration"]["Working"] = 1772788899
    del payload["content"]["statusDuration"]["Triage"]
    found = pairs(evaluate_response(payload, engine=engine).violations)
    assert found == {
        ("content.status-duration", "/content/statusDuration/Resolved"),
        ("content.status-duration", "/content/statusDuration/Working"),
        ("content.status-duration", "/content/statusDuration/Triage"),
    }


def test_content_status_duration_uses_the_latest_record(engine: str) -> None:
    payload = example_response()
    content = payload["content"]
    content["extend"]["statusChangeRecords"].append(
        {"time": 1772790000, "status": "Triage", "operator": ACTOR}
    )
    content["issueStatus"] = "Triage"
    content["duration"] = 1772790000 - 1770103057
    content["updateAt"] = 1772790000.25
    held(evaluate_response(payload, engine=engine), "content.history-head")
    broke(
        evaluate_response(payload, engine=engine),
        "content.status-duration",
        "/content/statusDuration/Triage",
    )
    content["statusDuration"]["Triage"] = 1772790000
    assert evaluate_response(payload, engine=engine).ok


def test_content_duration(engine: str) -> None:
    held(evaluate_response(example_response(), engine=engine), "content.duration")
    payload = example_response()
    payload["content"]["duration"] = 0
    broke(evaluate_response(payload, engine=engine), "content.duration", "/content/duration")


def test_content_assigner_info(engine: str) -> None:
    held(evaluate_response(example_response(), engine=engine), "content.assigner-info")
    payload = example_response()
    payload["content"]["assignerInfo"] = []
    evaluation = evaluate_response(payload, engine=engine)
    broke(evaluation, "content.assigner-info", "/content/assignerInfo")


def test_content_assigner_info_counts_its_entries(engine: str) -> None:
    """One entry per id of assigner, with the same multiplicity; only the order is free."""
    payload = example_response()
    content = payload["content"]
    entry = content["assignerInfo"][0]
    other = {**entry, "uuid": "acnt_" + "1" * 32}
    # An account listed twice for an id listed once: wrong, although the sets are equal.
    content["assignerInfo"] = [entry, dict(entry)]
    evaluation = evaluate_response(payload, engine=engine)
    broke(evaluation, "content.assigner-info", "/content/assignerInfo")
    assert "1 entry too many" in evaluation.violations[0].message
    # The same id kept twice in assigner: two entries, in any order.
    content["assigner"] = [entry["uuid"], other["uuid"], entry["uuid"]]
    content["assignerInfo"] = [other, entry, dict(entry)]
    held(evaluate_response(payload, engine=engine), "content.assigner-info")
    content["assignerInfo"] = [other, entry]
    evaluation = evaluate_response(payload, engine=engine)
    broke(evaluation, "content.assigner-info", "/content/assignerInfo")
    assert "1 entry missing" in evaluation.violations[0].message


@pytest.mark.parametrize(
    ("field", "value", "pointer"),
    [
        (("extend", "firstTime"), 1770102900, "/content/extend/firstTime"),
        (("createAt",), 1769011233000, "/content/createAt"),
        (("updateAt",), 1769011232.5, "/content/updateAt"),
        (("updateAt",), 1772788899292, "/content/updateAt"),
    ],
)
def test_content_time_units_breaks(
    field: tuple[str, ...], value: Any, pointer: str, engine: str
) -> None:
    payload = example_response()
    holder = payload["content"]
    for part in field[:-1]:
        holder = holder[part]
    holder[field[-1]] = value
    broke(evaluate_response(payload, engine=engine), "content.time-units", pointer)


def test_content_time_units_record_in_milliseconds(engine: str) -> None:
    held(evaluate_response(example_response(), engine=engine), "content.time-units")
    payload = example_response()
    payload["content"]["extend"]["statusChangeRecords"][0]["time"] = 1770103057000
    broke(evaluate_response(payload, engine=engine), "content.time-units", RECORDS + "/0/time")


def test_content_delete_at(engine: str) -> None:
    held(evaluate_response(example_response(), engine=engine), "content.delete-at")
    payload = example_response()
    payload["content"]["deleteAt"] = 1772788899
    broke(evaluate_response(payload, engine=engine), "content.delete-at", "/content/deleteAt")


def test_content_rules_do_not_apply_to_errors(engine: str) -> None:
    evaluation = evaluate_response(
        error_response(), status_code=404, request={"issueStatus": "Resolved"}, engine=engine
    )
    assert not [rule for rule in evaluation.checked if rule.startswith(("content.", "history."))]


# --- history -------------------------------------------------------------------------------------


def _history(
    payload: dict[str, Any], request: Any, previous: Any, engine: str, **options: Any
) -> Evaluation:
    return evaluate_response(
        payload, status_code=200, request=request, previous=previous, engine=engine, **options
    )


def test_history_append_only(engine: str) -> None:
    ok = _history(example_response(), {"issueStatus": "Resolved"}, previous_content(), engine)
    held(ok, "history.append-only")
    previous = previous_content()
    previous["extend"]["statusChangeRecords"][0]["operator"] = ACTOR
    evaluation = _history(example_response(), {"issueStatus": "Resolved"}, previous, engine)
    broke(evaluation, "history.append-only", RECORDS + "/0")


def test_history_append_only_breaks_when_records_vanish(engine: str) -> None:
    previous = example_response()["content"]
    payload = example_response()
    payload["content"]["extend"]["statusChangeRecords"] = []
    evaluation = _history(payload, {"assigner": [ASSIGNEE]}, previous, engine)
    broke(evaluation, "history.append-only", RECORDS)


def test_history_status_change_record_holds(engine: str) -> None:
    evaluation = _history(
        example_response(), {"issueStatus": "Resolved"}, previous_content(), engine
    )
    held(evaluation, "history.status-change-record")


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"operator": "sys"}, RECORDS + "/1/operator"),
        ({"time": 1770103000}, RECORDS + "/1/time"),
        ({"time": 1772788999}, RECORDS + "/1/time"),
    ],
)
def test_history_status_change_record_breaks(
    change: dict[str, Any], pointer: str, engine: str
) -> None:
    payload = example_response()
    payload["content"]["extend"]["statusChangeRecords"][1].update(change)
    evaluation = _history(
        payload,
        {"issueStatus": "Resolved"},
        previous_content(),
        engine,
        relax=["content.status-duration", "content.duration", "content.history-order"],
    )
    broke(evaluation, "history.status-change-record", pointer)


def test_history_status_change_record_needs_exactly_one_record(engine: str) -> None:
    previous = previous_content()
    previous["extend"]["statusChangeRecords"] = []
    evaluation = _history(example_response(), {"issueStatus": "Resolved"}, previous, engine)
    broke(evaluation, "history.status-change-record", RECORDS)


def test_history_same_status_no_record_is_assumed(engine: str) -> None:
    previous = example_response()["content"]
    payload = example_response()
    payload["content"]["extend"]["statusChangeRecords"].append(
        {"time": 1772788899, "status": "Resolved", "operator": ACTOR}
    )
    evaluation = _history(payload, {"issueStatus": "Resolved"}, previous, engine)
    assert "history.same-status-no-record" not in {v.rule for v in evaluation.violations}
    assert "history.same-status-no-record" not in evaluation.checked
    assert ("history.same-status-no-record", RECORDS) in pairs(evaluation.relaxed)
    evaluation = _history(
        payload, {"issueStatus": "Resolved"}, previous, engine, include_assumed=True
    )
    broke(evaluation, "history.same-status-no-record", RECORDS)
    assert evaluation.violations[0].tag in {"observed", "assumed"}
    same = _history(
        example_response(), {"issueStatus": "Resolved"}, previous, engine, include_assumed=True
    )
    held(same, "history.same-status-no-record")


def test_history_partial_update_holds(engine: str) -> None:
    previous = example_response()["content"]
    payload = example_response()
    payload["content"]["assigner"] = [OTHER]
    payload["content"]["assignerInfo"][0]["uuid"] = OTHER
    evaluation = _history(payload, {"assigner": [OTHER]}, previous, engine)
    held(evaluation, "history.partial-update")
    assert evaluation.ok, evaluation.violations


def test_history_partial_update_breaks_on_status(engine: str) -> None:
    evaluation = _history(example_response(), {"assigner": [ASSIGNEE]}, previous_content(), engine)
    broke(evaluation, "history.partial-update", "/content/issueStatus")
    broke(evaluation, "history.partial-update", RECORDS)


def test_history_partial_update_breaks_on_assigner(engine: str) -> None:
    previous = previous_content()
    previous["assigner"] = [OTHER]
    evaluation = _history(example_response(), {"issueStatus": "Resolved"}, previous, engine)
    broke(evaluation, "history.partial-update", "/content/assigner")


def test_history_update_time(engine: str) -> None:
    ok = _history(example_response(), {"issueStatus": "Resolved"}, previous_content(), engine)
    held(ok, "history.update-time")
    previous = previous_content()
    previous["updateAt"] = 1772788900.0
    previous["id"] = 40
    evaluation = _history(example_response(), {}, previous, engine, relax=["observed"])
    assert evaluation.ok  # everything relaxed ...
    evaluation = _history(example_response(), {"issueStatus": "Resolved"}, previous, engine)
    broke(evaluation, "history.update-time", "/content/updateAt")
    broke(evaluation, "history.update-time", "/content/id")


def test_history_accepts_a_whole_previous_envelope(engine: str) -> None:
    previous = example_response()
    previous["content"] = previous_content()
    evaluation = _history(example_response(), {"issueStatus": "Resolved"}, previous, engine)
    held(evaluation, "history.status-change-record")


def test_history_rules_need_previous(engine: str) -> None:
    evaluation = evaluate_response(example_response(), request={"issueStatus": "Resolved"})
    assert not [rule for rule in evaluation.checked if rule.startswith("history.")]


def test_the_messages_the_mock_sends_never_read_as_leaks() -> None:
    from truewatch_contract.mock import errors
    from truewatch_contract.rules.envelope import internal_detail

    kinds = [value for value in vars(errors).values() if isinstance(value, errors.ErrorKind)]
    assert len(kinds) >= 5
    for error_kind in kinds:
        assert internal_detail(error_kind.message) == "", error_kind
    # The mock's 400s name the field with the library's own request messages.
    for body in (
        {"issueStatus": "level"},
        {"issueStatus": None},
        {"assigner": []},
        {"assigner": ["acnt_x", 3]},
        [1],
        "x",
    ):
        for found in validate_request(body):
            assert internal_detail(found.message) == "", found
