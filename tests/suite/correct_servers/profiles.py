"""
Seven correct servers. Each answers every request as the contract requires and makes its own
choice wherever ``docs/contract-decisions.md`` leaves one; a `Profile` is those choices, and
`Profile.respond` is the whole server behind whichever front end (stdlib or Starlette) serves it.

| profile          | checks                    | bad key | bad body | error content | traceId      |
|------------------|---------------------------|---------|----------|---------------|--------------|
| gateway          | key, id form, lookup, body| 403     | 400      | null          | 32 hex       |
| validator-first  | body, key, lookup         | 401     | 422      | {}            | uuid         |
| go-like          | key, lookup, body         | 401     | 400      | null          | TRACE-UUID   |
| id-first         | id form, body, key, lookup| 403     | 422      | {}            | decimal      |
| starlette        | key, lookup, body         | 403     | 400      | null          | uuid         |
| optimistic       | key, lookup, body         | 401     | 400      | null          | 32 hex       |
| canonical        | key, lookup, body         | 403     | 400      | null          | 32 hex       |

Other choices: ``application/json;charset=UTF-8`` answers (gateway, id-first); extra envelope and
content fields (validator-first, id-first); unknown fields rejected, their names echoed
(validator-first); a Go-like decoder, ``{}`` rejected and the same status again appending a record
(go-like: no request of the suite is then free of side effects); the same status again appending
a record with ``{}`` a no-op (starlette); only the 32-hex ``issueID`` form accepted, the
``isset_`` form answered 400 (id-first); any media type taken (go-like, starlette); optimistic
concurrency: of two status changes at once, the one that loses the race is answered 409 and
leaves no record (optimistic); the assignees kept as a set, sorted and each id once, whatever
order and repeats were sent (canonical).
"""

from __future__ import annotations

import itertools
import json
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from correct_servers import domain, seed
from correct_servers.domain import Change, Fault, Store

ROUTE = re.compile(r"/api/v1/error_track/([^/]*)/update")
MIB = 1024 * 1024
_COUNTER = itertools.count(1749091119335873001)


def hex_trace() -> str:
    return uuid.uuid4().hex


def uuid_trace() -> str:
    return str(uuid.uuid4())


def upper_trace() -> str:
    return "TRACE-" + str(uuid.uuid4()).upper()


def decimal_trace() -> str:
    return str(next(_COUNTER))


@dataclass(frozen=True)
class Profile:
    """One correct server's choices where the contract leaves room."""

    name: str
    order: tuple[str, ...]  # of "key", "id-form", "lookup", "body" (lookup after key)
    bad_key_status: int
    bad_body_status: int
    error_content: Any
    trace: Callable[[], str]
    content_type: str = "application/json"
    json_only: bool = True  # other media types answered 415
    max_body: int | None = MIB  # larger bodies answered 413
    decoder: Callable[[bytes], Change] = domain.decode_strict
    reject_unknown: bool = False
    reject_empty: bool = False
    same_status_appends: bool = False
    accepts_uuid: bool = True  # the ``isset_`` form names the issue too
    envelope_extra: Callable[[], dict[str, Any]] = dict
    content_extra: dict[str, Any] = field(default_factory=dict)
    front: str = "stdlib"
    race_window: float | None = None  # optimistic concurrency: the loser of a race gets 409
    canonical_assignees: bool = False  # assignees stored sorted, each id once

    def new_store(self) -> Store:
        return Store(
            same_status_appends=self.same_status_appends,
            race_window=self.race_window,
            canonical_assignees=self.canonical_assignees,
        )

    # -- the whole server ---------------------------------------------------------------

    def respond(
        self,
        store: Store,
        method: str,
        target: str,
        headers: Sequence[tuple[str, str]],
        body: bytes,
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """Answer one HTTP request: status, headers, body."""
        match = ROUTE.fullmatch(target.split("?", 1)[0])
        if match is None:
            return self.error(Fault(404, "ft.RouteNotFound", "no such route"))
        if method != "POST":
            status, answer, payload = self.error(
                Fault(405, "ft.MethodNotAllowed", f"{method} is not allowed here; use POST")
            )
            return status, [*answer, ("Allow", "POST")], payload
        issue_id = unquote(match.group(1), errors="replace")
        keys = [value for name, value in headers if name.lower() == "df-api-key"]
        content_type = next((v for n, v in headers if n.lower() == "content-type"), None)
        return self.update(store, issue_id, keys, content_type, body)

    def update(
        self, store: Store, issue_id: str, keys: list[str], content_type: str | None, body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """The update route, its checks in this profile's order."""
        workspace = actor = found = None
        change = Change()
        try:
            for step in self.order:
                if step == "key":
                    workspace, actor = self.check_key(keys)
                elif step == "id-form":
                    self.check_id_form(issue_id)
                elif step == "lookup":
                    assert workspace is not None, "the lookup needs the key's workspace"
                    found = store.find(workspace, issue_id, by_uuid=self.accepts_uuid)
                    if found is None:
                        raise Fault(404, "ft.NotFoundIssue", "the issue was not found")
                else:
                    change = self.check_body(content_type, body)
        except Fault as fault:
            return self.error(fault)
        assert workspace is not None and actor is not None and found is not None
        try:
            content = store.update(workspace, found, actor, change.fields)
        except Fault as fault:
            return self.error(fault)
        return self.answer(200, {**content, **self.content_extra})

    def check_key(self, keys: list[str]) -> tuple[str, str]:
        if len(keys) == 1 and keys[0] in seed.KEYS:
            return seed.KEYS[keys[0]]
        code = "ft.InvalidAPIKey" if self.bad_key_status == 403 else "ft.Unauthorized"
        raise Fault(self.bad_key_status, code, "the DF-API-KEY header is missing or invalid")

    def check_id_form(self, issue_id: str) -> None:
        if domain.ISSUE_ID.fullmatch(issue_id):
            return
        if self.accepts_uuid and domain.ISSUE_UUID.fullmatch(issue_id):
            return
        raise Fault(400, "ft.InvalidIssueId", "issue_id must be an issueID (32 lowercase hex)")

    def check_body(self, content_type: str | None, body: bytes) -> Change:
        if self.json_only and domain.media_type(content_type) != "application/json":
            raise Fault(415, "ft.UnsupportedMediaType", "send the body as application/json")
        if self.max_body is not None and len(body) > self.max_body:
            raise Fault(413, "ft.RequestEntityTooLarge", "the request body is too large")
        change = self.decoder(body)
        if self.reject_unknown and change.unknown:
            names = ", ".join(change.unknown)
            if len(names) > 200:
                names = names[:200] + "..."
            raise Fault(self.bad_body_status, "ft.ParamError", f"unknown field(s): {names}")
        problems = domain.schema_problems(change.fields)
        if problems:
            raise Fault(self.bad_body_status, "ft.InvalidParameter", "; ".join(problems))
        if self.reject_empty and not change.fields:
            raise Fault(
                self.bad_body_status,
                "ft.ParamError",
                "nothing to update: send issueStatus or assigner",
            )
        return change

    # -- envelopes ----------------------------------------------------------------------

    def error(self, fault: Fault) -> tuple[int, list[tuple[str, str]], bytes]:
        return self.answer(fault.status, self.error_content, fault.code, fault.message)

    def answer(
        self, status: int, content: Any, code: str = "", message: str = ""
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        envelope = {
            "code": status,
            "content": content,
            "errorCode": code,
            "message": message,
            "success": status == 200,
            "traceId": self.trace(),
            **self.envelope_extra(),
        }
        payload = json.dumps(envelope).encode()
        return status, [("Content-Type", self.content_type)], payload


def _request_info() -> dict[str, Any]:
    return {"requestId": uuid.uuid4().hex[:16], "cost": 3}


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile(
            "gateway",
            order=("key", "id-form", "lookup", "body"),
            bad_key_status=403,
            bad_body_status=400,
            error_content=None,
            trace=hex_trace,
            content_type="application/json;charset=UTF-8",
        ),
        Profile(
            "validator-first",
            order=("body", "key", "lookup"),
            bad_key_status=401,
            bad_body_status=422,
            error_content={},
            trace=uuid_trace,
            reject_unknown=True,
            envelope_extra=_request_info,
            content_extra={"labels": [], "source": {"service": "checkout", "env": "prod"}},
        ),
        Profile(
            "go-like",
            order=("key", "lookup", "body"),
            bad_key_status=401,
            bad_body_status=400,
            error_content=None,
            trace=upper_trace,
            json_only=False,
            max_body=None,
            decoder=domain.decode_go_like,
            reject_empty=True,
            same_status_appends=True,
        ),
        Profile(
            "id-first",
            order=("id-form", "body", "key", "lookup"),
            bad_key_status=403,
            bad_body_status=422,
            error_content={},
            trace=decimal_trace,
            content_type="application/json;charset=UTF-8",
            accepts_uuid=False,
            envelope_extra=lambda: {"pageInfo": None},
            content_extra={"issueStatusName": "", "tags": ["backend"]},
        ),
        Profile(
            "starlette",
            order=("key", "lookup", "body"),
            bad_key_status=403,
            bad_body_status=400,
            error_content=None,
            trace=uuid_trace,
            json_only=False,
            same_status_appends=True,
            front="starlette",
        ),
        Profile(
            "optimistic",
            order=("key", "lookup", "body"),
            bad_key_status=401,
            bad_body_status=400,
            error_content=None,
            trace=hex_trace,
            race_window=0.02,
        ),
        Profile(
            "canonical",
            order=("key", "lookup", "body"),
            bad_key_status=403,
            bad_body_status=400,
            error_content=None,
            trace=hex_trace,
            canonical_assignees=True,
        ),
    )
}
