"""
The mock's state: workspaces, their member accounts and issues, and the API keys.

A plain object that tests can seed and inspect. Its JSON form (``to_dict``/``from_dict``, the
format of ``--state FILE``) is::

    {
      "workspaces": [
        {"uuid": "wksp_...", "name": "...",
         "accounts": [{"uuid": "acnt_...", "status": 0, "wsAccountStatus": 0, "username": "...",
                       "name": "...", "iconUrl": "", "email": "...", "mobile": "...",
                       "acntWsNickname": ""}, ...],
         "issues": [<an issue, exactly as the API's success content shows it>, ...]}
      ],
      "apiKeys": [{"key": "tkn_...", "workspace": "wksp_...", "account": "acnt_...",
                   "name": "..."}],
      "connection": {"apiKey": "tkn_...", "issueId": "...",
                     "foreignApiKey": "tkn_...", "foreignIssueId": "..."}
    }

An issue's derived fields (``statusDuration``, ``duration`` and ``assignerInfo``) are recomputed
from its history and the workspace's accounts when it is loaded, so a fixture may leave them out
and can never contradict itself. An issue is found by its ``issueID`` or its ``uuid``, within one
workspace only.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from truewatch_contract.errors import UsageError
from truewatch_contract.rules import status_records
from truewatch_contract.spec import account_id_pattern, issue_statuses

Json = dict[str, Any]

ACCOUNT_FIELDS: tuple[str, ...] = (
    "uuid",
    "status",
    "wsAccountStatus",
    "username",
    "name",
    "iconUrl",
    "email",
    "mobile",
    "acntWsNickname",
)
#: The allowed statuses, and the form of an account id: the spec's, defined there once.
STATUSES: tuple[str, ...] = issue_statuses()

_WORKSPACE_ID = re.compile(r"wksp_[0-9a-f]{32}")
_ACCOUNT_ID = account_id_pattern()
_ISSUE_ID = re.compile(r"[0-9a-f]{32}")
_ISSUE_UUID = re.compile(r"isset_[0-9a-f]{32}")


class StateError(UsageError):
    """A state fixture that cannot be loaded; the message says where and why."""


def blank_account(uuid: str) -> Json:
    """The account object of an id the workspace does not know: its uuid, zeros, empty strings."""
    return {
        "uuid": uuid,
        "status": 0,
        "wsAccountStatus": 0,
        "username": "",
        "name": "",
        "iconUrl": "",
        "email": "",
        "mobile": "",
        "acntWsNickname": "",
    }


def status_duration(records: list[Json]) -> dict[str, int]:
    """Each status mapped to the time of its latest record (a timestamp, despite the name)."""
    latest: dict[str, int] = {}
    for record in records:
        latest[record["status"]] = record["time"]
    return latest


def duration(records: list[Json]) -> int:
    """The last record's time minus the first one's (0 without records)."""
    if not records:
        return 0
    return int(records[-1]["time"]) - int(records[0]["time"])


@dataclass
class Workspace:
    """A workspace: its member accounts (full account info) and its issues (by ``issueID``)."""

    uuid: str
    name: str
    accounts: dict[str, Json] = field(default_factory=dict)
    issues: dict[str, Json] = field(default_factory=dict)
    _by_uuid: dict[str, str] = field(default_factory=dict, repr=False)

    def find_issue(self, issue_id: str) -> Json | None:
        """The issue whose ``issueID`` or ``uuid`` is ``issue_id``, or None."""
        issue = self.issues.get(issue_id)
        if issue is None:
            key = self._by_uuid.get(issue_id)
            if key is not None:
                issue = self.issues.get(key)
        return issue

    def put_issue(self, issue: Json) -> None:
        """Add or replace an issue (its derived fields are recomputed)."""
        refresh_derived(issue, self.accounts)
        self.issues[issue["issueID"]] = issue
        self._by_uuid[issue["uuid"]] = issue["issueID"]

    def remove_issue(self, issue_id: str) -> Json | None:
        """Remove the issue whose ``issueID`` or ``uuid`` is ``issue_id``; return it, or None."""
        issue = self.find_issue(issue_id)
        if issue is not None:
            del self.issues[issue["issueID"]]
            self._by_uuid.pop(issue["uuid"], None)
        return issue

    def account_info(self, uuid: str) -> Json:
        """The full info of a member, or a blank account object for an id nobody here has."""
        known = self.accounts.get(uuid)
        return dict(known) if known is not None else blank_account(uuid)


@dataclass(frozen=True)
class ApiKey:
    """An API key: the workspace it selects and the account it acts as."""

    key: str
    workspace: str
    account: str
    name: str = ""

    def __repr__(self) -> str:  # the key itself never reaches a log or a failure message
        return f"ApiKey(workspace={self.workspace!r}, account={self.account!r}, name={self.name!r})"


@dataclass(frozen=True)
class Connection:
    """What a client needs: the main key and issue, and a second workspace's key and issue."""

    api_key: str
    issue_id: str
    foreign_api_key: str
    foreign_issue_id: str

    def __repr__(self) -> str:
        return f"Connection(issue_id={self.issue_id!r}, foreign_issue_id={self.foreign_issue_id!r})"


def refresh_derived(issue: Json, accounts: Mapping[str, Json]) -> None:
    """Recompute ``statusDuration``, ``duration`` and ``assignerInfo`` from the issue itself."""
    records = issue["extend"]["statusChangeRecords"]
    issue["statusDuration"] = status_duration(records)
    issue["duration"] = duration(records)
    issue["assignerInfo"] = [
        dict(accounts[uuid]) if uuid in accounts else blank_account(uuid)
        for uuid in issue["assigner"]
    ]


class MockState:
    """
    Workspaces, API keys and the connection info of one mock.

    ``lock`` guards every read-modify-write of an issue (the app holds it around an update).
    """

    def __init__(
        self,
        workspaces: Mapping[str, Workspace],
        api_keys: Mapping[str, ApiKey],
        connection: Connection,
    ) -> None:
        self.workspaces: dict[str, Workspace] = dict(workspaces)
        self.api_keys: dict[str, ApiKey] = dict(api_keys)
        self.connection = connection
        self.lock = threading.RLock()

    def __repr__(self) -> str:
        counts = ", ".join(f"{w.uuid}: {len(w.issues)} issues" for w in self.workspaces.values())
        return f"MockState({counts})"

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def default(cls) -> MockState:
        """The default seed (see ``truewatch_contract.mock.seed``)."""
        from truewatch_contract.mock.seed import default_state_dict

        return cls.from_dict(default_state_dict())

    @classmethod
    def from_file(cls, path: str | Path) -> MockState:
        """Load a JSON fixture; raise ``StateError`` with a one-line reason if it is unusable."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise StateError(f"cannot read {path}: {error}") from None
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as error:
            raise StateError(f"{path} is not JSON: {error}") from None
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Any) -> MockState:
        """Build a state from its JSON form (deep-copied); raise ``StateError`` if malformed."""
        return _load(copy.deepcopy(data))

    def to_dict(self, *, reveal_keys: bool = True) -> Json:
        """The JSON form (a deep copy); ``reveal_keys=False`` puts ``[redacted]`` for every key."""
        with self.lock:

            def key_text(key: str) -> str:
                return key if reveal_keys else "[redacted]"

            return copy.deepcopy(
                {
                    "workspaces": [
                        {
                            "uuid": ws.uuid,
                            "name": ws.name,
                            "accounts": list(ws.accounts.values()),
                            "issues": list(ws.issues.values()),
                        }
                        for ws in self.workspaces.values()
                    ],
                    "apiKeys": [
                        {
                            "key": key_text(k.key),
                            "workspace": k.workspace,
                            "account": k.account,
                            "name": k.name,
                        }
                        for k in self.api_keys.values()
                    ],
                    "connection": {
                        "apiKey": key_text(self.connection.api_key),
                        "issueId": self.connection.issue_id,
                        "foreignApiKey": key_text(self.connection.foreign_api_key),
                        "foreignIssueId": self.connection.foreign_issue_id,
                    },
                }
            )

    def copy(self) -> MockState:
        """An independent deep copy."""
        return MockState.from_dict(self.to_dict())

    def replace_with(self, other: MockState) -> None:
        """Take over ``other``'s content in place (the lock and the object identity stay)."""
        with self.lock:
            fresh = other.copy()
            self.workspaces = fresh.workspaces
            self.api_keys = fresh.api_keys
            self.connection = fresh.connection

    # -- queries ------------------------------------------------------------------------

    def connection_info(self, base_url: str) -> Json:
        """``base_url, api_key, issue_id, assignees, foreign_api_key, foreign_issue_id``."""
        main = self.api_keys[self.connection.api_key]
        workspace = self.workspaces[main.workspace]
        return {
            "base_url": base_url.rstrip("/"),
            "api_key": self.connection.api_key,
            "issue_id": self.connection.issue_id,
            "assignees": sorted(workspace.accounts),
            "foreign_api_key": self.connection.foreign_api_key,
            "foreign_issue_id": self.connection.foreign_issue_id,
        }

    def find_issue_anywhere(self, issue_id: str) -> tuple[Workspace, Json] | None:
        """An issue by ``issueID`` or ``uuid`` in any workspace (the control API's view)."""
        for workspace in self.workspaces.values():
            issue = workspace.find_issue(issue_id)
            if issue is not None:
                return workspace, issue
        return None

    def get_issue(self, issue_id: str) -> Json | None:
        """A deep copy of an issue from any workspace, as the API would show it, or None."""
        with self.lock:
            found = self.find_issue_anywhere(issue_id)
            return copy.deepcopy(found[1]) if found is not None else None

    def issues(self) -> Iterator[Json]:
        """Every issue of every workspace (live objects: hold ``lock`` while using them)."""
        for workspace in self.workspaces.values():
            yield from workspace.issues.values()


# -- loading ----------------------------------------------------------------------------------


def _expect(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise StateError(f"{where}: {message}")


def _string(value: Any, where: str, pattern: re.Pattern[str] | None = None) -> str:
    _expect(isinstance(value, str), where, f"expected a string, found {type(value).__name__}")
    if pattern is not None:
        _expect(bool(pattern.fullmatch(value)), where, f"{value!r} is not of the form {pattern}")
    return str(value)


def _load(data: Any) -> MockState:
    _expect(isinstance(data, dict), "state", "expected a JSON object")
    workspaces: dict[str, Workspace] = {}
    raw_workspaces = data.get("workspaces")
    _expect(
        isinstance(raw_workspaces, list) and bool(raw_workspaces),
        "workspaces",
        "expected a non-empty list",
    )
    for w_index, raw in enumerate(raw_workspaces):
        where = f"workspaces[{w_index}]"
        _expect(isinstance(raw, dict), where, "expected an object")
        uuid = _string(raw.get("uuid"), f"{where}.uuid", _WORKSPACE_ID)
        _expect(uuid not in workspaces, f"{where}.uuid", f"{uuid} appears twice")
        workspace = Workspace(uuid=uuid, name=str(raw.get("name", "")))
        accounts = raw.get("accounts", [])
        _expect(isinstance(accounts, list), f"{where}.accounts", "expected a list")
        for a_index, account in enumerate(accounts):
            a_where = f"{where}.accounts[{a_index}]"
            _expect(isinstance(account, dict), a_where, "expected an object")
            a_uuid = _string(account.get("uuid"), f"{a_where}.uuid", _ACCOUNT_ID)
            info = blank_account(a_uuid)
            for name in ACCOUNT_FIELDS[1:]:
                if name in account:
                    expected = int if name in ("status", "wsAccountStatus") else str
                    value = account[name]
                    _expect(
                        isinstance(value, expected) and not isinstance(value, bool),
                        f"{a_where}.{name}",
                        f"expected {expected.__name__}",
                    )
                    info[name] = value
            workspace.accounts[a_uuid] = info
        issues = raw.get("issues", [])
        _expect(isinstance(issues, list), f"{where}.issues", "expected a list")
        for i_index, issue in enumerate(issues):
            i_where = f"{where}.issues[{i_index}]"
            check_issue(issue, i_where, uuid)
            _expect(
                workspace.find_issue(issue["issueID"]) is None
                and workspace.find_issue(issue["uuid"]) is None,
                i_where,
                "an issue with this issueID or uuid appears twice",
            )
            workspace.put_issue(issue)
        workspaces[uuid] = workspace

    api_keys: dict[str, ApiKey] = {}
    raw_keys = data.get("apiKeys")
    _expect(isinstance(raw_keys, list) and bool(raw_keys), "apiKeys", "expected a non-empty list")
    for k_index, raw in enumerate(raw_keys):
        where = f"apiKeys[{k_index}]"
        _expect(isinstance(raw, dict), where, "expected an object")
        key = _string(raw.get("key"), f"{where}.key")
        _expect(
            bool(key) and key.isascii() and key.isprintable() and key.strip() == key,
            f"{where}.key",
            "expected a non-empty printable ASCII token",
        )
        _expect(key not in api_keys, f"{where}.key", "the same key appears twice")
        ws = _string(raw.get("workspace"), f"{where}.workspace", _WORKSPACE_ID)
        _expect(ws in workspaces, f"{where}.workspace", f"no workspace {ws}")
        account = _string(raw.get("account"), f"{where}.account", _ACCOUNT_ID)
        api_keys[key] = ApiKey(key, ws, account, str(raw.get("name", "")))

    conn = data.get("connection")
    _expect(isinstance(conn, dict), "connection", "expected an object")
    fields = {}
    for name in ("apiKey", "issueId", "foreignApiKey", "foreignIssueId"):
        fields[name] = _string(conn.get(name), f"connection.{name}")
    for key_name, issue_name in (("apiKey", "issueId"), ("foreignApiKey", "foreignIssueId")):
        owner = api_keys.get(fields[key_name])
        _expect(owner is not None, f"connection.{key_name}", "not one of apiKeys")
        assert owner is not None
        _expect(
            workspaces[owner.workspace].find_issue(fields[issue_name]) is not None,
            f"connection.{issue_name}",
            f"no such issue in the key's workspace {owner.workspace}",
        )
    main_ws = api_keys[fields["apiKey"]].workspace
    _expect(
        api_keys[fields["foreignApiKey"]].workspace != main_ws,
        "connection.foreignApiKey",
        "must belong to another workspace than apiKey",
    )
    connection = Connection(
        fields["apiKey"], fields["issueId"], fields["foreignApiKey"], fields["foreignIssueId"]
    )
    return MockState(workspaces, api_keys, connection)


def check_issue(issue: Any, where: str, workspace: str) -> None:
    """Enough structure for the mock to work on; the content rules are checked by the library."""
    _expect(isinstance(issue, dict), where, "expected an object")
    _expect(
        issue.get("workspaceUUID") == workspace, f"{where}.workspaceUUID", f"expected {workspace}"
    )
    _string(issue.get("issueID"), f"{where}.issueID", _ISSUE_ID)
    _string(issue.get("uuid"), f"{where}.uuid", _ISSUE_UUID)
    _expect(
        issue.get("issueStatus") in STATUSES, f"{where}.issueStatus", f"expected one of {STATUSES}"
    )
    assigner = issue.get("assigner")
    _expect(isinstance(assigner, list), f"{where}.assigner", "expected a list")
    for index, uuid in enumerate(assigner):
        _string(uuid, f"{where}.assigner[{index}]", _ACCOUNT_ID)
    extend = issue.get("extend")
    _expect(isinstance(extend, dict), f"{where}.extend", "expected an object")
    records = status_records(issue) or []
    _expect(
        bool(records),
        f"{where}.extend.statusChangeRecords",
        "expected a non-empty list",
    )
    previous = None
    for index, record in enumerate(records):
        r_where = f"{where}.extend.statusChangeRecords[{index}]"
        _expect(isinstance(record, dict), r_where, "expected an object")
        time = record.get("time")
        _expect(
            isinstance(time, int) and not isinstance(time, bool),
            f"{r_where}.time",
            "expected an integer",
        )
        _expect(
            record.get("status") in STATUSES, f"{r_where}.status", f"expected one of {STATUSES}"
        )
        _string(record.get("operator"), f"{r_where}.operator")
        _expect(
            previous is None or time >= previous,
            f"{r_where}.time",
            "earlier than the record before",
        )
        previous = time
    _expect(
        records[-1]["status"] == issue["issueStatus"],
        f"{where}.issueStatus",
        "differs from the last status record",
    )
    for name in ("id", "createAt", "deleteAt", "status"):
        value = issue.get(name)
        _expect(
            isinstance(value, int) and not isinstance(value, bool),
            f"{where}.{name}",
            "expected an integer",
        )
    update_at = issue.get("updateAt")
    _expect(
        isinstance(update_at, (int, float)) and not isinstance(update_at, bool),
        f"{where}.updateAt",
        "expected a number",
    )
