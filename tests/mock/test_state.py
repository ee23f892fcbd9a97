"""The state: the seed, its JSON round-trip, fixtures that cannot load, and the control API."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from mock_helpers import PAGE_ISSUE_ID, post, raw_request

from truewatch_contract import load_spec, validate_response
from truewatch_contract.mock import MockState, StateError, create_app, serve
from truewatch_contract.mock.seed import ACTING_ACCOUNT, DEFAULT_API_KEY, FOREIGN_API_KEY


def test_the_seed_is_a_real_looking_workspace() -> None:
    state = MockState.default()
    assert len(state.workspaces) == 2
    main = state.workspaces[state.api_keys[DEFAULT_API_KEY].workspace]
    assert state.api_keys[DEFAULT_API_KEY].account == ACTING_ACCOUNT
    assert len(main.accounts) >= 3 and len(main.issues) >= 3
    assert state.api_keys[FOREIGN_API_KEY].workspace != main.uuid
    example = load_spec()["components"]["examples"]["UpdateIssueSuccess"]["value"]["content"]
    assert state.get_issue(PAGE_ISSUE_ID) == example
    for issue in state.issues():
        envelope = {"code": 200, "content": issue, "errorCode": "", "message": "", "success": True}
        envelope["traceId"] = "0" * 32
        assert validate_response(envelope, status_code=200, include_assumed=True) == []
    for key in state.api_keys:
        assert key not in repr(state.api_keys[key]) and key not in repr(state.connection)


def test_the_json_form_round_trips(tmp_path: Path) -> None:
    state = MockState.default()
    data = state.to_dict()
    assert MockState.from_dict(data).to_dict() == data
    path = tmp_path / "state.json"
    path.write_text(json.dumps(data))
    assert MockState.from_file(path).to_dict() == data
    redacted = state.to_dict(reveal_keys=False)
    assert DEFAULT_API_KEY not in json.dumps(redacted)


def test_derived_fields_are_recomputed_on_load() -> None:
    data = MockState.default().to_dict()
    issue = data["workspaces"][0]["issues"][0]
    del issue["statusDuration"], issue["duration"], issue["assignerInfo"]
    loaded = MockState.from_dict(data).get_issue(PAGE_ISSUE_ID)
    assert loaded == MockState.default().get_issue(PAGE_ISSUE_ID)


def _broken(change: Any) -> dict[str, Any]:
    data = MockState.default().to_dict()
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d.pop("workspaces"), "workspaces"),
        (lambda d: d["workspaces"][0].update(uuid="wksp_x"), "workspaces[0].uuid"),
        (lambda d: d["workspaces"][0]["accounts"][0].update(status="0"), "accounts[0].status"),
        (lambda d: d["workspaces"][0]["issues"][0].update(issueStatus="level"), "issueStatus"),
        (
            lambda d: d["workspaces"][0]["issues"][0]["extend"].update(statusChangeRecords=[]),
            "statusChangeRecords",
        ),
        (
            lambda d: d["workspaces"][0]["issues"][0]["extend"]["statusChangeRecords"].reverse(),
            "time",
        ),
        (lambda d: d["workspaces"][0]["issues"][0].update(assigner=["x"]), "assigner[0]"),
        (lambda d: d["workspaces"][0]["issues"][1].update(issueID=PAGE_ISSUE_ID), "appears twice"),
        (lambda d: d["apiKeys"][0].update(workspace="wksp_" + "0" * 32), "apiKeys[0].workspace"),
        (lambda d: d["apiKeys"].append(dict(d["apiKeys"][0])), "twice"),
        (lambda d: d["connection"].update(issueId="f" * 32), "connection.issueId"),
        (lambda d: d["connection"].update(foreignApiKey=DEFAULT_API_KEY), "connection.foreign"),
        (
            lambda d: d["connection"].update(foreignIssueId=PAGE_ISSUE_ID),
            "connection.foreignIssueId",
        ),
    ],
)
def test_a_broken_fixture_is_refused_with_its_place(change: Any, where: str) -> None:
    with pytest.raises(StateError, match=re.escape(where)):
        MockState.from_dict(_broken(change))


def test_an_unreadable_fixture_is_refused(tmp_path: Path) -> None:
    for text in ("", "{", "[1]", "null"):
        path = tmp_path / "state.json"
        path.write_text(text)
        with pytest.raises(StateError):
            MockState.from_file(path)
    with pytest.raises(StateError, match="cannot read"):
        MockState.from_file(tmp_path / "missing.json")


def test_create_app_serves_a_fixture_dict() -> None:
    """The documented fixture format (``GET /__mock__/state?reveal_keys=true``) as ``state=``."""
    data = MockState.default().to_dict()
    data["workspaces"][0]["issues"][0]["assigner"] = []
    app = create_app(state=data)
    assert isinstance(app.state.mock_state, MockState)
    with serve(app) as server:
        reply = post(server.base_url, {"issueStatus": "Working"})
        assert reply.status == 200, reply.body
        content = reply.json()["content"]
    assert content["issueStatus"] == "Working" and content["assigner"] == []
    # Built once, from a copy: the caller's dict is not the live state.
    assert data["workspaces"][0]["issues"][0]["issueStatus"] == "Resolved"


def test_create_app_refuses_a_state_it_cannot_serve_at_once() -> None:
    with pytest.raises(StateError, match="workspaces"):
        create_app(state={"workspaces": 1})
    for wrong in ("state.json", [MockState.default().to_dict()], 42):
        with pytest.raises(TypeError, match=r"MockState\.from_dict"):
            create_app(state=wrong)  # type: ignore[arg-type]


def test_seeding_a_new_status_needs_a_record_of_it(mock: Any) -> None:
    """README, "Test control": the last status record's status must equal issueStatus."""
    path = f"/__mock__/issues/{PAGE_ISSUE_ID}"
    issue = json.loads(raw_request(mock.base_url, "GET", path).body)
    issue["issueStatus"] = "Working"
    refused = raw_request(mock.base_url, "PUT", path, [], json.dumps(issue).encode())
    assert refused.status == 400
    assert json.loads(refused.body) == {
        "error": "issue.issueStatus: differs from the last status record"
    }
    assert mock.state.get_issue(PAGE_ISSUE_ID)["issueStatus"] == "Resolved"
    issue["extend"]["statusChangeRecords"].append(
        {"time": 1795000000, "status": "Working", "operator": ACTING_ACCOUNT}
    )
    accepted = raw_request(mock.base_url, "PUT", path, [], json.dumps(issue).encode())
    assert accepted.status == 200
    assert json.loads(accepted.body)["statusDuration"]["Working"] == 1795000000


def test_the_control_api_arranges_and_inspects(mock: Any) -> None:
    base = mock.base_url
    index = json.loads(raw_request(base, "GET", "/__mock__/").body)
    assert "POST /__mock__/reset" in index["endpoints"]
    post(base, {"issueStatus": "Working"})
    issue = json.loads(raw_request(base, "GET", f"/__mock__/issues/{PAGE_ISSUE_ID}").body)
    assert issue["issueStatus"] == "Working"
    assert raw_request(base, "GET", "/__mock__/issues/nope").status == 404
    assert json.loads(raw_request(base, "POST", "/__mock__/reset").body) == {"reset": True}
    assert mock.state.get_issue(PAGE_ISSUE_ID)["issueStatus"] == "Resolved"

    dump = raw_request(base, "GET", "/__mock__/state")
    assert DEFAULT_API_KEY.encode() not in dump.body
    full = raw_request(base, "GET", "/__mock__/state?reveal_keys=true").body
    data = json.loads(full)
    data["workspaces"][0]["issues"][0]["assigner"] = []
    assert raw_request(base, "PUT", "/__mock__/state", [], json.dumps(data).encode()).status == 200
    assert mock.state.get_issue(PAGE_ISSUE_ID)["assignerInfo"] == []
    bad = raw_request(base, "PUT", "/__mock__/state", [], b'{"workspaces": 1}')
    assert bad.status == 400 and "workspaces" in json.loads(bad.body)["error"]

    seeded = dict(mock.state.get_issue(PAGE_ISSUE_ID), issueStatus="Ignored")
    seeded["extend"]["statusChangeRecords"].append(
        {"time": 1772789999, "status": "Ignored", "operator": "sys"}
    )
    reply = raw_request(
        base, "PUT", f"/__mock__/issues/{PAGE_ISSUE_ID}", [], json.dumps(seeded).encode()
    )
    assert reply.status == 200 and json.loads(reply.body)["statusDuration"]["Ignored"] == 1772789999

    clock = raw_request(base, "PUT", "/__mock__/clock", [], b'{"now": 1795000000.5}')
    assert json.loads(clock.body)["now"] == 1795000000.5
    raw_request(base, "PUT", "/__mock__/clock", [], b'{"advance": 10}')
    content = json.loads(post(base, {"issueStatus": "Working"}).body)["content"]
    assert content["updateAt"] == 1795000010.5
    assert raw_request(base, "PUT", "/__mock__/clock", [], b'{"now": "x"}').status == 400
    # A clock beyond the year 2286 (or before 1970) would write absurd record times: refused,
    # and the clock stays where it was.
    for absurd in (b'{"advance": 1e308}', b'{"now": -5}', b'{"now": 1e10}'):
        assert raw_request(base, "PUT", "/__mock__/clock", [], absurd).status == 400
    clock = raw_request(base, "GET", "/__mock__/clock")
    assert json.loads(clock.body)["now"] == 1795000010.5
    connection = json.loads(raw_request(base, "GET", "/__mock__/connection").body)
    assert connection["issue_id"] == PAGE_ISSUE_ID and connection["base_url"] == base
    assert raw_request(base, "DELETE", "/__mock__/nothing").status == 404
