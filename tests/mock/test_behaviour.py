"""The mock answers as docs/contract-decisions.md reads the page: one test per decision row."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from mock_helpers import (
    DEFAULT_API_KEY,
    FOREIGN_API_KEY,
    FOREIGN_ISSUE_ID,
    PAGE_ISSUE_ID,
    api_path,
    check_envelope,
    post,
    raw_request,
)

from truewatch_contract import load_spec, validate_response
from truewatch_contract.mock import MockState, create_app, serve
from truewatch_contract.mock.seed import ACTING_ACCOUNT, PAGE_ASSIGNEE, SECOND_API_KEY

T0 = 1795000000.25
PAGE_UUID = "isset_3572af454e1d48918612304f0f22237f"
UNKNOWN_ACCOUNT = "acnt_" + "c0ffee00" * 4


def page_example() -> dict[str, Any]:
    spec = load_spec()
    value: dict[str, Any] = spec["components"]["examples"]["UpdateIssueSuccess"]["value"]
    return value


def ok(reply: Any, **context: Any) -> dict[str, Any]:
    envelope = check_envelope(reply)
    assert envelope is not None and reply.status == 200, reply.body[:300]
    assert validate_response(envelope, status_code=200, include_assumed=True, **context) == []
    content: dict[str, Any] = envelope["content"]
    return content


def error(reply: Any, status: int, code: str) -> dict[str, Any]:
    envelope = check_envelope(reply)
    assert envelope is not None
    assert (reply.status, envelope["errorCode"]) == (status, code), reply.body[:300]
    return envelope


# -- the seed and the no-op ---------------------------------------------------------------------


def test_empty_body_answers_the_page_example_exactly(mock: Any) -> None:
    before = mock.state.get_issue(PAGE_ISSUE_ID)
    content = ok(post(mock.base_url, {}), request={}, issue_id=PAGE_ISSUE_ID)
    assert content == page_example()["content"]
    assert json.dumps(content) == json.dumps(page_example()["content"])  # the key order too
    assert mock.state.get_issue(PAGE_ISSUE_ID) == before


def test_unknown_fields_are_ignored(mock: Any) -> None:
    before = mock.state.get_issue(PAGE_ISSUE_ID)
    content = ok(post(mock.base_url, {"comment": "x", "level": 3}), issue_id=PAGE_ISSUE_ID)
    assert content == before
    assert mock.state.get_issue(PAGE_ISSUE_ID) == before


# -- status changes and history -----------------------------------------------------------------


def test_status_change_appends_one_record_and_derives_the_rest(mock: Any) -> None:
    mock.service.frozen = T0
    previous = mock.state.get_issue(PAGE_ISSUE_ID)
    body = {"issueStatus": "Working"}
    content = ok(post(mock.base_url, body), request=body, issue_id=PAGE_ISSUE_ID, previous=previous)
    records = content["extend"]["statusChangeRecords"]
    assert records[:-1] == previous["extend"]["statusChangeRecords"]
    assert records[-1] == {"time": int(T0), "status": "Working", "operator": ACTING_ACCOUNT}
    assert content["issueStatus"] == "Working"
    assert content["statusDuration"] == {
        "Triage": 1770103057,
        "Resolved": 1772788899,
        "Working": int(T0),
    }
    assert content["duration"] == int(T0) - 1770103057
    assert content["updateAt"] == T0
    assert content["updator"] == ACTING_ACCOUNT
    assert content["assigner"] == previous["assigner"]  # partial update
    assert mock.state.get_issue(PAGE_ISSUE_ID) == content


def test_same_status_again_appends_nothing_but_stamps_the_update(mock: Any) -> None:
    mock.service.frozen = T0
    previous = mock.state.get_issue(PAGE_ISSUE_ID)
    body = {"issueStatus": "Resolved"}
    content = ok(post(mock.base_url, body), request=body, issue_id=PAGE_ISSUE_ID, previous=previous)
    assert content["extend"] == previous["extend"]
    assert content["statusDuration"] == previous["statusDuration"]
    assert content["updateAt"] == T0


def test_the_operator_is_the_keys_own_account(mock: Any) -> None:
    mock.service.frozen = T0
    body = {"issueStatus": "Ignored"}
    content = ok(post(mock.base_url, body, key=SECOND_API_KEY), request=body)
    assert content["extend"]["statusChangeRecords"][-1]["operator"] == PAGE_ASSIGNEE
    assert content["updator"] == PAGE_ASSIGNEE


def test_a_sequence_of_updates_keeps_every_history_rule(mock: Any) -> None:
    previous = mock.state.get_issue(PAGE_ISSUE_ID)
    bodies: list[dict[str, Any]] = [
        {"issueStatus": "Triage"},
        {"assigner": [PAGE_ASSIGNEE, ACTING_ACCOUNT]},
        {"issueStatus": "Assigned", "assigner": [ACTING_ACCOUNT]},
        {"issueStatus": "Assigned"},
        {},
        {"issueStatus": "Working"},
        {"issueStatus": "Resolved", "note": "fixed"},
    ]
    for step, body in enumerate(bodies):
        mock.service.frozen = T0 + 37.5 * step
        content = ok(
            post(mock.base_url, body), request=body, issue_id=PAGE_ISSUE_ID, previous=previous
        )
        previous = content
    statuses = [r["status"] for r in previous["extend"]["statusChangeRecords"]]
    assert statuses == ["Triage", "Resolved", "Triage", "Assigned", "Working", "Resolved"]


def test_a_clock_that_steps_back_never_reorders_the_history(mock: Any) -> None:
    mock.service.frozen = T0
    ok(post(mock.base_url, {"issueStatus": "Working"}))
    mock.service.frozen = T0 - 3600
    previous = mock.state.get_issue(PAGE_ISSUE_ID)
    body = {"issueStatus": "Resolved"}
    content = ok(post(mock.base_url, body), request=body, issue_id=PAGE_ISSUE_ID, previous=previous)
    times = [r["time"] for r in content["extend"]["statusChangeRecords"]]
    assert times == sorted(times) and times[-1] == int(T0)
    assert content["updateAt"] == T0


# -- assignees ----------------------------------------------------------------------------------


def test_assigner_replaces_the_list_and_assignerinfo_follows_in_order(mock: Any) -> None:
    body = {"assigner": [UNKNOWN_ACCOUNT, ACTING_ACCOUNT, UNKNOWN_ACCOUNT]}
    content = ok(post(mock.base_url, body), request=body, issue_id=PAGE_ISSUE_ID)
    assert content["assigner"] == body["assigner"]
    assert [a["uuid"] for a in content["assignerInfo"]] == body["assigner"]
    known = content["assignerInfo"][1]
    assert known["email"] == "priya.nair@example-corp.com" and known["username"]
    blank = content["assignerInfo"][0]
    assert blank == {
        "uuid": UNKNOWN_ACCOUNT,
        "status": 0,
        "wsAccountStatus": 0,
        "username": "",
        "name": "",
        "iconUrl": "",
        "email": "",
        "mobile": "",
        "acntWsNickname": "",
    }
    assert content["issueStatus"] == "Resolved"  # not sent: kept
    assert len(content["extend"]["statusChangeRecords"]) == 2  # no record for an assignment


def test_the_issue_is_found_by_its_uuid_too(mock: Any) -> None:
    body = {"issueStatus": "Working"}
    content = ok(post(mock.base_url, body, issue_id=PAGE_UUID), request=body, issue_id=PAGE_UUID)
    assert content["uuid"] == PAGE_UUID
    assert mock.state.get_issue(PAGE_ISSUE_ID)["issueStatus"] == "Working"


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        None,
        "",
        "tkn_" + "0" * 32,
        DEFAULT_API_KEY.upper(),
        DEFAULT_API_KEY + " x",
        FOREIGN_API_KEY[:-1],
    ],
)
def test_a_missing_or_invalid_key_is_403_and_changes_nothing(mock: Any, key: str | None) -> None:
    before = mock.state.to_dict()
    envelope = error(
        post(mock.base_url, {"issueStatus": "Working"}, key=key), 403, "ft.InvalidAPIKey"
    )
    assert envelope["message"] == "The DF-API-KEY header is missing or invalid."
    assert mock.state.to_dict() == before


def test_a_repeated_key_header_counts_only_when_the_values_agree(mock: Any) -> None:
    headers = [("Content-Type", "application/json")]
    body = b'{"issueStatus": "Working"}'
    same = raw_request(
        mock.base_url,
        "POST",
        api_path(),
        [*headers, ("DF-API-KEY", DEFAULT_API_KEY), ("DF-API-KEY", DEFAULT_API_KEY)],
        body,
    )
    assert check_envelope(same) is not None and same.status == 200
    mock.service.reset()
    before = mock.state.to_dict()
    differing = raw_request(
        mock.base_url,
        "POST",
        api_path(),
        [*headers, ("DF-API-KEY", DEFAULT_API_KEY), ("DF-API-KEY", SECOND_API_KEY)],
        body,
    )
    error(differing, 403, "ft.InvalidAPIKey")
    assert mock.state.to_dict() == before


def test_another_workspaces_issue_is_exactly_an_unknown_one(mock: Any) -> None:
    before = mock.state.to_dict()
    foreign = post(mock.base_url, {"issueStatus": "Ignored"}, issue_id=FOREIGN_ISSUE_ID)
    unknown = post(mock.base_url, {"issueStatus": "Ignored"}, issue_id="f" * 32)
    a = error(foreign, 404, "ft.NotFoundIssue")
    b = error(unknown, 404, "ft.NotFoundIssue")
    del a["traceId"], b["traceId"]
    assert a == b
    assert sorted(foreign.headers) == sorted(unknown.headers)
    assert mock.state.to_dict() == before
    # ... while its own key reaches it.
    ok(
        post(
            mock.base_url,
            {"issueStatus": "Ignored"},
            issue_id=FOREIGN_ISSUE_ID,
            key=FOREIGN_API_KEY,
        )
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"issueStatus": "level"}, "issueStatus"),
        ({"issueStatus": "resolved"}, "issueStatus"),
        ({"issueStatus": None}, "issueStatus"),
        ({"issueStatus": ""}, "issueStatus"),
        ({"issueStatus": ["Resolved"]}, "issueStatus"),
        ({"assigner": []}, "assigner"),
        ({"assigner": None}, "assigner"),
        ({"assigner": "acnt_3875a23398de4c92a5fc68a1c49a664b"}, "assigner"),
        ({"assigner": ["acnt_xxx"]}, "assigner"),
        ({"assigner": ["ACNT_3875A23398DE4C92A5FC68A1C49A664B"]}, "assigner"),
        ({"assigner": [PAGE_ASSIGNEE, 7]}, "assigner"),
        ([], "body"),
        ("Resolved", "body"),
        (None, "body"),
    ],
)
def test_a_body_against_the_schema_is_400_naming_the_field(
    mock: Any, body: Any, field: str
) -> None:
    before = mock.state.to_dict()
    envelope = error(post(mock.base_url, body), 400, "ft.InvalidParameter")
    assert envelope["message"].startswith(field) or field == "body", envelope["message"]
    assert mock.state.to_dict() == before


def test_a_valid_status_beside_an_invalid_field_is_not_applied(mock: Any) -> None:
    before = mock.state.to_dict()
    error(
        post(mock.base_url, {"issueStatus": "Working", "assigner": []}), 400, "ft.InvalidParameter"
    )
    assert mock.state.to_dict() == before


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json;charset=UTF-8", "Application/JSON; charset=utf-8"],
)
def test_json_content_types_are_accepted(mock: Any, content_type: str) -> None:
    ok(post(mock.base_url, {"issueStatus": "Working"}, content_type=content_type))


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1", ""],
)
def test_other_content_types_are_400(mock: Any, content_type: str) -> None:
    before = mock.state.to_dict()
    envelope = error(
        post(mock.base_url, {"issueStatus": "Working"}, content_type=content_type),
        400,
        "ft.InvalidParameter",
    )
    assert envelope["message"].startswith("Content-Type")
    assert mock.state.to_dict() == before


def test_a_missing_content_type_is_400(mock: Any) -> None:
    reply = raw_request(mock.base_url, "POST", api_path(), [("DF-API-KEY", DEFAULT_API_KEY)], b"{}")
    error(reply, 400, "ft.InvalidParameter")


@pytest.mark.parametrize(
    "method", ["GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND", "QUERY"]
)
def test_other_methods_on_the_route_are_405_with_allow(mock: Any, method: str) -> None:
    before = mock.state.to_dict()
    reply = raw_request(
        mock.base_url,
        method,
        api_path(),
        [("DF-API-KEY", DEFAULT_API_KEY), ("Content-Type", "application/json")],
        b'{"issueStatus": "Working"}',
    )
    assert reply.status == 405
    assert reply.header("allow") == "POST"
    envelope = check_envelope(reply, method=method)
    if envelope is not None:
        assert envelope["errorCode"] == "ft.MethodNotAllowed"
    assert mock.state.to_dict() == before


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/api/v1/error_track/update",
        "/api/v1/error_track//update",
        f"/api/v1/error_track/{PAGE_ISSUE_ID}/update/",
        f"/api/v1/error_track/{PAGE_ISSUE_ID}",
        f"/api/v2/error_track/{PAGE_ISSUE_ID}/update",
        "/__mock__",
    ],
)
def test_unknown_routes_are_a_404_envelope(mock: Any, path: str) -> None:
    reply = raw_request(
        mock.base_url,
        "POST",
        path,
        [("DF-API-KEY", DEFAULT_API_KEY), ("Content-Type", "application/json")],
        b"{}",
    )
    assert error(reply, 404, "ft.RouterNotFound")


def test_a_body_above_one_mib_is_413_by_length_and_by_stream(mock: Any) -> None:
    before = mock.state.to_dict()
    big = b'{"issueStatus": "Working", "pad": "' + b"x" * (1024 * 1024) + b'"}'
    headers = [("DF-API-KEY", DEFAULT_API_KEY), ("Content-Type", "application/json")]
    declared = raw_request(mock.base_url, "POST", api_path(), headers, big)
    error(declared, 413, "ft.RequestEntityTooLarge")
    streamed = raw_request(
        mock.base_url,
        "POST",
        api_path(),
        headers,
        chunked=[big[i : i + 65536] for i in range(0, len(big), 65536)],
    )
    error(streamed, 413, "ft.RequestEntityTooLarge")
    assert mock.state.to_dict() == before
    # Exactly at the limit is fine.
    at_limit = b'{"issueStatus":"Working","pad":"'
    at_limit += b"x" * (1024 * 1024 - len(at_limit) - 2) + b'"}'
    assert len(at_limit) == 1024 * 1024
    ok(raw_request(mock.base_url, "POST", api_path(), headers, at_limit))


def test_a_fault_is_a_500_envelope_without_detail() -> None:
    class Broken(MockState):
        pass

    app = create_app()
    service = app.state.service

    def explode(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("secret internal detail")

    service.find_issue = explode
    with serve(app) as server:
        reply = post(server.base_url, {"issueStatus": "Working"})
    assert reply.status == 500
    envelope = json.loads(reply.body)
    assert envelope["errorCode"] == "ft.InternalError" and envelope["content"] is None
    assert "secret" not in reply.body.decode() and "KeyError" not in reply.body.decode()


# -- the rate limit -----------------------------------------------------------------------------


def test_the_rate_limit_is_per_key_and_ten_times_that_per_workspace() -> None:
    data = MockState.default().to_dict()
    main = data["workspaces"][0]["uuid"]
    for n in range(12):
        data["apiKeys"].append(
            {"key": f"tkn_{n:032x}", "workspace": main, "account": ACTING_ACCOUNT, "name": f"k{n}"}
        )
    now = [T0]
    app = create_app(MockState.from_dict(data), clock=lambda: now[0], rate_limit="2/m")
    with serve(app) as server:
        state = app.state.mock_state
        for _ in range(2):
            ok(post(server.base_url, {}))
        before = copy.deepcopy(state.to_dict())
        envelope = error(
            post(server.base_url, {"issueStatus": "Working"}), 401, "ft.TriggerApiAkCurrentLimiting"
        )
        assert "retry" in envelope["message"]
        assert state.to_dict() == before
        # Other keys of the workspace go on until the workspace's 20 a minute are spent.
        used = 2
        for n in range(12):
            for _ in range(2):
                reply = post(server.base_url, {}, key=f"tkn_{n:032x}")
                if used < 20:
                    ok(reply)
                    used += 1
                else:
                    error(reply, 401, "ft.TriggerApiWorkspaceCurrentLimiting")
        # Another workspace is not affected.
        ok(post(server.base_url, {}, issue_id=FOREIGN_ISSUE_ID, key=FOREIGN_API_KEY))
        # A minute later the key gets through again.
        now[0] += 60.5
        ok(post(server.base_url, {"issueStatus": "Working"}))


def test_a_rate_with_a_multiple_period_limits_the_mock_over_that_period() -> None:
    """``20/10s`` is a rate the suite's pacer reads: the mock emulates it too."""
    now = [T0]
    app = create_app(clock=lambda: now[0], rate_limit="2/10s")
    with serve(app) as server:
        for _ in range(2):
            ok(post(server.base_url, {}))
        error(post(server.base_url, {}), 401, "ft.TriggerApiAkCurrentLimiting")
        now[0] += 9.0
        error(post(server.base_url, {}), 401, "ft.TriggerApiAkCurrentLimiting")
        now[0] += 1.5
        ok(post(server.base_url, {}))


def test_rate_limit_specs_are_parsed_strictly() -> None:
    from truewatch_contract import rates
    from truewatch_contract.mock import RateLimit
    from truewatch_contract.mock.ratelimit import workspace_limit

    # One rate grammar: the mock's `RateLimit` is the shared one, `20/10s` included.
    assert RateLimit is rates.RateLimit
    assert RateLimit.parse("20/m") == RateLimit(20, 60.0)
    assert workspace_limit(RateLimit.parse("20/m")) == 200
    assert RateLimit.parse("5/s") == RateLimit(5, 1.0)
    assert RateLimit.parse("20/10s") == RateLimit(20, 10.0)
    for bad in ("", "20", "0/m", "-1/m", "20/d", "x/m", "20/m/s"):
        with pytest.raises(ValueError):
            RateLimit.parse(bad)
    with pytest.raises(ValueError):
        create_app(rate_limit="abc")
