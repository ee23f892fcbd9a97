"""The mock answering as a profiled target (`truewatch_contract.mock.learned`)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from truewatch_contract.mock import create_app, serve
from truewatch_contract.mock.seed import (
    DEFAULT_API_KEY,
    PAGE_ASSIGNEE,
    PAGE_ISSUE_ID,
    PAGE_ISSUE_UUID,
)
from truewatch_contract.profile import Profile, ProfileError

ROUTE = f"/api/v1/error_track/{PAGE_ISSUE_ID}/update"
WRONG = "tkn_0123456789abcdef0123456789abcdef"


def answer(status: int, code: str, content: str = "null") -> dict[str, Any]:
    return {"status": status, "errorCode": code, "content": content, "contentType": None}


ACCEPTED = answer(200, "", "object")


def profile(points: dict[str, Any]) -> Profile:
    return Profile.from_json(
        {
            "format": "truewatch-contract-profile/1",
            "points": {name: {"value": value, "support": 1} for name, value in points.items()},
        }
    )


VALIDATOR_FIRST = profile(
    {
        "answer:bad-key": answer(401, "ft.Unauthorized", "{}"),
        "answer:schema": answer(422, "ft.InvalidParameter", "{}"),
        "answer:unknown-fields": answer(422, "ft.ParamError", "{}"),
        "answer:media-type": answer(415, "ft.UnsupportedMediaType", "{}"),
        "order:bad-key/schema": "schema",
        "error-content": "{}",
        "trace-id": "uuid",
        "content-type": "application/json;charset=UTF-8",
        "extra-fields": {"requestId": "string", "cost": "number"},
    }
)
GO_LIKE = profile(
    {
        "answer:bad-key": answer(401, "ft.Unauthorized"),
        "answer:empty-body": answer(400, "ft.ParamError"),
        "answer:media-type": ACCEPTED,
        "answer:no-media-type": ACCEPTED,
        "answer:field-case": ACCEPTED,
        "field-case:effect": "applied",
        "same-status": "1 record appended",
        "answer:schema": answer(400, "ft.InvalidParameter"),
        "answer:not-json": answer(400, "ft.ParamError"),
        "answer:not-utf8": answer(400, "ft.InvalidParameter"),
        "not-utf8:reading": "replaced",
        "answer:alias-id": answer(400, "ft.InvalidIssueId"),
    }
)


class Served:
    """An app served on loopback, and an HTTP client for it."""

    def __init__(self, app: Any) -> None:
        self.server = serve(app)
        self.http = httpx.Client(base_url=self.server.base_url, timeout=30)

    def post(self, path: str, *, content: bytes, headers: dict[str, str]) -> httpx.Response:
        return self.http.post(path, content=content, headers=headers)

    def close(self) -> None:
        self.http.close()
        self.server.stop()


_SERVED: list[Served] = []


@pytest.fixture(autouse=True)
def _stop_servers() -> Iterator[None]:
    yield
    while _SERVED:
        _SERVED.pop().close()


def client(learned: Profile | str | Path | None, **kwargs: Any) -> Served:
    served = Served(create_app(profile=learned, **kwargs))
    _SERVED.append(served)
    return served


def post(
    test: Served,
    body: Any = None,
    *,
    raw: bytes | None = None,
    key: str | None = DEFAULT_API_KEY,
    content_type: str | None = "application/json",
    path: str = ROUTE,
) -> Any:
    headers = {}
    if key is not None:
        headers["DF-API-KEY"] = key
    if content_type is not None:
        headers["Content-Type"] = content_type
    data = raw if raw is not None else json.dumps(body).encode()
    return test.post(path, content=data, headers=headers)


def test_learned_answers_and_envelope_dress() -> None:
    test = client(VALIDATOR_FIRST)
    reply = post(test, {"issueStatus": "Working"}, key=WRONG)
    envelope = reply.json()
    assert (reply.status_code, envelope["errorCode"], envelope["content"]) == (
        401,
        "ft.Unauthorized",
        {},
    )
    assert envelope["code"] == 401 and envelope["success"] is False
    assert re.fullmatch(r"[0-9a-f-]{36}", envelope["traceId"])
    assert envelope["requestId"] == "" and envelope["cost"] == 0
    assert reply.headers["content-type"] == "application/json;charset=UTF-8"
    # An empty key is not learned: it takes the answer of the bad key the mock groups it with.
    assert post(test, {"issueStatus": "Working"}, key="").status_code == 401


def test_the_learned_order_of_checks() -> None:
    test = client(VALIDATOR_FIRST)
    reply = post(test, {"issueStatus": "not-a-status"}, key=WRONG)
    assert (reply.status_code, reply.json()["errorCode"]) == (422, "ft.InvalidParameter")
    plain = client(None)
    assert post(plain, {"issueStatus": "not-a-status"}, key=WRONG).status_code == 403


def test_learned_refusals_and_acceptances() -> None:
    strict = client(VALIDATOR_FIRST)
    refused = post(strict, {"issueStatus": "Working", "comment": "x"})
    assert (refused.status_code, refused.json()["errorCode"]) == (422, "ft.ParamError")
    assert post(strict, {"issueStatus": "Working"}, content_type="text/plain").status_code == 415
    lenient = client(GO_LIKE)
    assert post(lenient, {"issueStatus": "Working"}, content_type="text/plain").status_code == 200
    assert post(lenient, {"issueStatus": "Working"}, content_type=None).status_code == 200
    empty = post(lenient, {})
    assert (empty.status_code, empty.json()["errorCode"]) == (400, "ft.ParamError")
    alias = post(
        lenient, {"issueStatus": "Working"}, path=ROUTE.replace(PAGE_ISSUE_ID, PAGE_ISSUE_UUID)
    )
    assert (alias.status_code, alias.json()["errorCode"]) == (400, "ft.InvalidIssueId")


def test_learned_readings_of_the_body() -> None:
    test = client(GO_LIKE)
    applied = post(test, {"IssueStatus": "Resolved"})
    assert applied.status_code == 200
    assert applied.json()["content"]["issueStatus"] == "Resolved"
    # Bytes that are not UTF-8 are read as U+FFFD: harmless in an unknown field...
    fine = post(test, raw=b'{"issueStatus": "Working", "note": "caf\xe9"}')
    assert fine.status_code == 200
    # ...and a bad status inside one.
    bad = post(test, raw=b'{"issueStatus": "Work\xffing"}')
    assert (bad.status_code, bad.json()["errorCode"]) == (400, "ft.InvalidParameter")
    not_json = post(test, raw=b'{"issueStatus"')
    assert not_json.json()["errorCode"] == "ft.ParamError"


def test_the_same_status_again_appends_a_record_when_learned() -> None:
    test = client(GO_LIKE)
    first = post(test, {"issueStatus": "Working"}).json()["content"]
    again = post(test, {"issueStatus": "Working"}).json()["content"]
    before = first["extend"]["statusChangeRecords"]
    after = again["extend"]["statusChangeRecords"]
    assert len(after) == len(before) + 1
    assert after[-1]["status"] == "Working"


def test_a_mutants_defect_stays_under_a_profile() -> None:
    test = client(VALIDATOR_FIRST, mutant="auth-wrong-key-200")
    assert post(test, {"issueStatus": "Working"}, key=WRONG).status_code == 200
    # A step refusing a valid body keeps the mock's own answer, not the learned one.
    refusing = client(VALIDATOR_FIRST, mutant="repeated-assignee-fails")
    reply = post(refusing, {"assigner": [PAGE_ASSIGNEE, PAGE_ASSIGNEE]})
    assert reply.status_code != 422


def test_what_create_app_refuses(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"create_app\(profile=\.\.\.\)"):
        create_app(profile=42)  # type: ignore[arg-type]
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{}", encoding="utf-8")
    with pytest.raises(ProfileError, match="not a profile"):
        create_app(profile=garbage)
    good = tmp_path / "profile.json"
    good.write_text(GO_LIKE.dumps(), encoding="utf-8")
    assert post(client(good), {}).status_code == 400


def test_the_profile_listing_names_learned_and_default_points() -> None:
    service = create_app(profile=GO_LIKE).state.service
    listed = {item["point"]: item for item in service.profile_points()["points"]}
    assert listed["answer:bad-key"]["learned"] is True
    assert listed["answer:empty-key"]["learned"] is False
    assert "as answer:bad-key" in listed["answer:empty-key"]["answer"]
    assert listed["answer:too-large"]["answer"] == "413 ft.RequestEntityTooLarge"
