"""
The default seed: a workspace as a real one looks.

- Workspace ``wksp_84c4a0044edc4f878ea88e4517659bda`` with four member accounts (full account info,
  real-looking e-mails as in the spec's example), among them the page's ``updator``
  (``acnt_8b4bd2b8782646f3ba8f6554193f5997``), the page's assignee
  (``acnt_3875a23398de4c92a5fc68a1c49a664b``) and the acting account of the default key
  (``acnt_93dfc910d94eea1c09f45d5e8f648457``). The key acts as someone other than the issue's last
  updator on purpose: a server that never updates ``updator`` is then visible at the first update.
- The page's example issue ``04a0bb44b28e9ff1e01f87828af622b9`` /
  ``isset_3572af454e1d48918612304f0f22237f`` with exactly the page's content and history, and two
  more issues (a fresh one nobody is assigned to, one being worked on).
- A second workspace with its own key, account and issue: for workspace-isolation tests.

The keys are fixed, realistic opaque tokens (``tkn_`` + 32 hex) so that a seed is reproducible;
they are the mock's own keys and are only ever printed by ``truewatch-contract mock``'s first line.
"""

from __future__ import annotations

import copy
from typing import Any

WORKSPACE = "wksp_84c4a0044edc4f878ea88e4517659bda"
FOREIGN_WORKSPACE = "wksp_5d1e7c0b9a3f4e26b8c4d2a1f0e9b7c6"
PAGE_UPDATOR = "acnt_8b4bd2b8782646f3ba8f6554193f5997"
ACTING_ACCOUNT = "acnt_93dfc910d94eea1c09f45d5e8f648457"
PAGE_ASSIGNEE = "acnt_3875a23398de4c92a5fc68a1c49a664b"
PAGE_ISSUE_ID = "04a0bb44b28e9ff1e01f87828af622b9"
PAGE_ISSUE_UUID = "isset_3572af454e1d48918612304f0f22237f"
FOREIGN_ACCOUNT = "acnt_0945147f1b119027670674597b2c180f"
FOREIGN_ISSUE_ID = "822e8232b66ac59b970f4d2e0c53ca43"

DEFAULT_API_KEY = "tkn_1612505cfa2b3f1f69579c00a34f49ec"
SECOND_API_KEY = "tkn_d22fc92318dcaa18d22e1397564d062f"
FOREIGN_API_KEY = "tkn_7bffb6adb85a134d22e7acef58c92e05"


def _account(uuid: str, email: str, mobile: str = "", nickname: str = "") -> dict[str, Any]:
    return {
        "uuid": uuid,
        "status": 0,
        "wsAccountStatus": 0,
        "username": email,
        "name": email,
        "iconUrl": "",
        "email": email,
        "mobile": mobile,
        "acntWsNickname": nickname,
    }


_ACCOUNTS = [
    _account(PAGE_UPDATOR, "zhang.min@example-corp.com", "13917246680", "Min"),
    _account(PAGE_ASSIGNEE, "lin.wei@example-corp.com", "17316567690"),
    _account(ACTING_ACCOUNT, "priya.nair@example-corp.com", "", "Priya"),
    _account("acnt_08a1e09a985fc25ca81a84b012b43a48", "tomas.berg@example-corp.com", "46701234567"),
]

# The page's example content, with its scraped-out e-mail restored (spec: components/examples).
_PAGE_ISSUE: dict[str, Any] = {
    "workspaceUUID": WORKSPACE,
    "issueID": PAGE_ISSUE_ID,
    "assigner": [PAGE_ASSIGNEE],
    "issueStatus": "Resolved",
    "extend": {
        "errorType": "*errors.errorString",
        "firstTime": 1770102900086,
        "statusChangeRecords": [
            {"time": 1770103057, "status": "Triage", "operator": "sys"},
            {"status": "Resolved", "time": 1772788899, "operator": PAGE_UPDATOR},
        ],
    },
    "id": 39,
    "uuid": PAGE_ISSUE_UUID,
    "status": 0,
    "creator": "sys",
    "updator": PAGE_UPDATOR,
    "createAt": 1769011233,
    "deleteAt": -1,
    "updateAt": 1772788899.2923098,
    "creatorInfo": {},
    "updatorInfo": {},
    "assignerInfo": [_ACCOUNTS[1]],
    "duration": 2685842,
    "statusDuration": {"Triage": 1770103057, "Resolved": 1772788899},
}


def _issue(
    workspace: str,
    issue_id: str,
    uuid_hex: str,
    row_id: int,
    error_type: str,
    first_time_ms: int,
    records: list[dict[str, Any]],
    assigner: list[str],
    update_at: float,
    updator: str,
) -> dict[str, Any]:
    return {
        "workspaceUUID": workspace,
        "issueID": issue_id,
        "assigner": assigner,
        "issueStatus": records[-1]["status"],
        "extend": {
            "errorType": error_type,
            "firstTime": first_time_ms,
            "statusChangeRecords": records,
        },
        "id": row_id,
        "uuid": f"isset_{uuid_hex}",
        "status": 0,
        "creator": "sys",
        "updator": updator,
        "createAt": first_time_ms // 1000 + 2,
        "deleteAt": -1,
        "updateAt": update_at,
        "creatorInfo": {},
        "updatorInfo": {},
    }


def default_state_dict() -> dict[str, Any]:
    """The default seed in the JSON form of ``MockState.from_dict`` (a fresh copy)."""
    fresh = _issue(
        WORKSPACE,
        "b21d9d3ace322f1bf4f272af8c5358a6",
        "dd21a13d14b377a35dcc9d1ee349ed4d",
        52,
        "TypeError",
        1779261012447,
        [{"time": 1779261015, "status": "Triage", "operator": "sys"}],
        [],
        1779261015.104412,
        "sys",
    )
    working = _issue(
        WORKSPACE,
        "4d00008fc170f1cd97f382849ce9a8e4",
        "697dfc1bfeb0e5ed1b9fd2d9460d33cc",
        47,
        "java.lang.NullPointerException",
        1776840311902,
        [
            {"time": 1776840318, "status": "Triage", "operator": "sys"},
            {"time": 1776926701, "status": "Assigned", "operator": PAGE_UPDATOR},
            {"time": 1777012833, "status": "Working", "operator": PAGE_ASSIGNEE},
        ],
        [PAGE_ASSIGNEE, ACTING_ACCOUNT],
        1777012833.5518372,
        PAGE_ASSIGNEE,
    )
    foreign = _issue(
        FOREIGN_WORKSPACE,
        FOREIGN_ISSUE_ID,
        "9d73548b1bf985097dd9f24e71c53155",
        12,
        "ConnectionResetError",
        1774409281305,
        [
            {"time": 1774409290, "status": "Triage", "operator": "sys"},
            {"time": 1774495688, "status": "Assigned", "operator": FOREIGN_ACCOUNT},
        ],
        [FOREIGN_ACCOUNT],
        1774495688.0263927,
        FOREIGN_ACCOUNT,
    )
    return copy.deepcopy(
        {
            "workspaces": [
                {
                    "uuid": WORKSPACE,
                    "name": "Checkout Platform",
                    "accounts": _ACCOUNTS,
                    "issues": [_PAGE_ISSUE, working, fresh],
                },
                {
                    "uuid": FOREIGN_WORKSPACE,
                    "name": "Data Pipeline",
                    "accounts": [
                        _account(FOREIGN_ACCOUNT, "ana.souza@example-data.io", "5511987654321")
                    ],
                    "issues": [foreign],
                },
            ],
            "apiKeys": [
                {
                    "key": DEFAULT_API_KEY,
                    "workspace": WORKSPACE,
                    "account": ACTING_ACCOUNT,
                    "name": "ci-contract",
                },
                {
                    "key": SECOND_API_KEY,
                    "workspace": WORKSPACE,
                    "account": PAGE_ASSIGNEE,
                    "name": "lin.wei personal",
                },
                {
                    "key": FOREIGN_API_KEY,
                    "workspace": FOREIGN_WORKSPACE,
                    "account": FOREIGN_ACCOUNT,
                    "name": "pipeline-bot",
                },
            ],
            "connection": {
                "apiKey": DEFAULT_API_KEY,
                "issueId": PAGE_ISSUE_ID,
                "foreignApiKey": FOREIGN_API_KEY,
                "foreignIssueId": FOREIGN_ISSUE_ID,
            },
        }
    )
