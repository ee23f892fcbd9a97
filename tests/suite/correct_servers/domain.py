"""
What every correct server shares: the issue store and the body decoders. Written from the
vendor's page and ``docs/contract-decisions.md`` only (no import of the project's code).
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from correct_servers import seed

STATUSES = ("Triage", "Assigned", "Working", "Resolved", "Ignored")
FIELDS = ("issueStatus", "assigner")
ACCOUNT = re.compile(r"acnt_[0-9a-f]{32}")
ISSUE_ID = re.compile(r"[0-9a-f]{32}")
ISSUE_UUID = re.compile(r"isset_[0-9a-f]{32}")


@dataclass(frozen=True)
class Fault(Exception):
    """An error answer: HTTP status, errorCode and message (never the client's secrets)."""

    status: int
    code: str
    message: str


@dataclass
class Change:
    """A decoded update: the fields that were sent, and the names of any unknown ones."""

    fields: dict[str, Any] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)


def blank_account(uuid: str) -> dict[str, Any]:
    """An id the workspace does not know still gets an assignerInfo entry, with blanks."""
    return {**seed.account(uuid, ""), "username": "", "name": ""}


class Store:
    """
    The workspaces' issues. Every update is a read-modify-write of one issue under one lock, so
    two updates that arrive at the same time each leave their record.
    """

    def __init__(
        self,
        *,
        same_status_appends: bool,
        race_window: float | None = None,
        canonical_assignees: bool = False,
    ) -> None:
        self.workspaces = seed.workspaces()
        self.same_status_appends = same_status_appends
        # Assignees kept as a set: sorted, each id once (the contract compares them as a set).
        self.canonical_assignees = canonical_assignees
        # Optimistic concurrency: a status change reads a version, works for `race_window`
        # seconds (a slow backend), and writes only if nobody wrote meanwhile (else 409).
        self.race_window = race_window
        self.versions: dict[tuple[str, str], int] = {}
        self.lock = threading.Lock()
        for workspace in self.workspaces.values():
            for issue in workspace["issues"].values():
                self._derive(issue, workspace["accounts"])

    def find(self, workspace: str, issue_id: str, *, by_uuid: bool) -> str | None:
        """The issueID that `issue_id` names in `workspace` (its issueID, or its uuid)."""
        issues = self.workspaces[workspace]["issues"]
        if issue_id in issues:
            return issue_id
        if by_uuid:
            for key, issue in issues.items():
                if issue["uuid"] == issue_id:
                    return str(key)
        return None

    def snapshot(self, workspace: str, issue_id: str) -> dict[str, Any]:
        with self.lock:
            return copy.deepcopy(self.workspaces[workspace]["issues"][issue_id])

    def update(self, workspace: str, issue_id: str, actor: str, fields: dict[str, Any]) -> Any:
        """
        Apply `fields` (``{}``: nothing at all) and return the issue as it now is.

        Raises:
            Fault: 409, when optimistic and another update came first (nothing is written).
        """
        key = (workspace, issue_id)
        version = self.versions.get(key, 0)
        if self.race_window is not None and "issueStatus" in fields:
            time.sleep(self.race_window)
        with self.lock:
            issue = self.workspaces[workspace]["issues"][issue_id]
            if self.race_window is not None and self.versions.get(key, 0) != version:
                raise Fault(409, "ft.Conflict", "the issue was changed meanwhile; try again")
            if fields:
                self._apply(issue, actor, fields, self.workspaces[workspace]["accounts"])
                self.versions[key] = version + 1
            return copy.deepcopy(issue)

    def _apply(
        self, issue: dict[str, Any], actor: str, fields: dict[str, Any], accounts: Any
    ) -> None:
        now = max(time.time(), float(issue["updateAt"]))
        status = fields.get("issueStatus")
        if status is not None and (status != issue["issueStatus"] or self.same_status_appends):
            records = issue["extend"]["statusChangeRecords"]
            records.append({"time": int(now), "status": status, "operator": actor})
            issue["issueStatus"] = status
        if "assigner" in fields:
            assigner = list(fields["assigner"])
            issue["assigner"] = sorted(set(assigner)) if self.canonical_assignees else assigner
        issue["updator"] = actor
        issue["updateAt"] = now
        self._derive(issue, accounts)

    @staticmethod
    def _derive(issue: dict[str, Any], accounts: dict[str, Any]) -> None:
        records = issue["extend"]["statusChangeRecords"]
        issue["statusDuration"] = {r["status"]: r["time"] for r in records}
        issue["duration"] = records[-1]["time"] - records[0]["time"]
        issue["assignerInfo"] = [
            copy.deepcopy(accounts.get(uuid)) or blank_account(uuid) for uuid in issue["assigner"]
        ]


# --- decoders ---------------------------------------------------------------------------


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def decode_strict(raw: bytes) -> Change:
    """A strict decoder: UTF-8 only, a JSON object, duplicate names: the last one wins."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Fault(400, "ft.InvalidParameter", "the request body is not UTF-8") from None
    try:
        value = json.loads(text, parse_constant=_no_constants)
    except (ValueError, RecursionError):
        raise Fault(400, "ft.InvalidParameter", "the request body is not valid JSON") from None
    if not isinstance(value, dict):
        raise Fault(400, "ft.InvalidParameter", "the request body must be a JSON object")
    return Change(
        fields={name: value[name] for name in FIELDS if name in value},
        unknown=[name for name in value if name not in FIELDS],
    )


class _Pairs(list[tuple[str, Any]]):
    """An object's members in order, as Go's decoder walks them."""


def decode_go_like(raw: bytes) -> Change:
    """
    Like Go's ``encoding/json`` into a struct: invalid UTF-8 becomes U+FFFD, unknown fields are
    skipped, a name matches a field case-insensitively (``IssueStatus`` sets ``issueStatus``),
    and of repeated names the last one wins. Unlike a naive Go handler it tells ``null`` from a
    missing field, so ``null`` is rejected as the page requires.
    """
    text = raw.decode("utf-8", errors="replace")
    try:
        value = json.loads(text, object_pairs_hook=_Pairs, parse_constant=_no_constants)
    except (ValueError, RecursionError):
        raise Fault(400, "ft.ParamError", "invalid JSON in the request body") from None
    if not isinstance(value, _Pairs):
        raise Fault(400, "ft.ParamError", "the request body must be an object")
    change = Change()
    folded = {name.casefold(): name for name in FIELDS}
    for name, member in value:
        target = name if name in FIELDS else folded.get(name.casefold())
        if target is None:
            change.unknown.append(name)
        else:
            change.fields[target] = _plain(member)
    return change


def _plain(value: Any) -> Any:
    """Turn the decoder's member lists back into plain objects (last name wins)."""
    if isinstance(value, _Pairs):
        return {name: _plain(member) for name, member in value}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def schema_problems(fields: dict[str, Any]) -> list[str]:
    """What breaks the documented request schema, one phrase per field."""
    problems = []
    if "issueStatus" in fields and fields["issueStatus"] not in STATUSES:
        problems.append("issueStatus must be one of " + ", ".join(STATUSES))
    if "assigner" in fields:
        assigner = fields["assigner"]
        if not isinstance(assigner, list) or not assigner:
            problems.append("assigner must be a non-empty array of account ids")
        elif not all(isinstance(a, str) and ACCOUNT.fullmatch(a) for a in assigner):
            problems.append("assigner must hold account ids (acnt_ and 32 lowercase hex)")
    return problems


def media_type(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower()
