"""
The data the correct servers serve: one workspace shaped like the page's example, and a second
workspace for the isolation tests. The ids are this test bed's own, not the mock's.
"""

from __future__ import annotations

import copy
from typing import Any

WORKSPACE = "wksp_5e0a1c2b3d4f45a6b7c8d9e0f1a2b3c4"
FOREIGN_WORKSPACE = "wksp_a9b8c7d6e5f44a3b2c1d0e9f8a7b6c5d"

ACTING = "acnt_6d1f0e2c3b4a49586776a5b4c3d2e1f0"  # the account of the test key
UPDATOR = "acnt_1a2b3c4d5e6f47788990aabbccddeeff"  # the issue's last updator (not the key's)
ASSIGNEE = "acnt_f0e1d2c3b4a5968778695a4b3c2d1e0f"
FOREIGN_ACCOUNT = "acnt_0c1d2e3f4a5b46c7d8e9f0a1b2c3d4e5"

API_KEY = "tkn_3b9e5c7a1f2d4e6b8a0c9d7e5f3a1b2c"
FOREIGN_API_KEY = "tkn_8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b"

ISSUE_ID = "5c4b3a2918f7e6d5c4b3a29180f7e6d5"
ISSUE_UUID = "isset_2f4e6a8c0b1d3f5e7a9c1b3d5f7e9a0c"
FOREIGN_ISSUE_ID = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b"


def account(uuid: str, email: str, mobile: str = "", nickname: str = "") -> dict[str, Any]:
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


ACCOUNTS = {
    ACTING: account(ACTING, "ops.bot@example-shop.com", "", "ops"),
    UPDATOR: account(UPDATOR, "kim.lee@example-shop.com", "14155550123"),
    ASSIGNEE: account(ASSIGNEE, "noor.haddad@example-shop.com", "", "Noor"),
}
FOREIGN_ACCOUNTS = {FOREIGN_ACCOUNT: account(FOREIGN_ACCOUNT, "li.na@example-labs.io")}


def _issue(
    workspace: str,
    issue_id: str,
    uuid: str,
    row: int,
    records: list[dict[str, Any]],
    assigner: list[str],
    updator: str,
) -> dict[str, Any]:
    """An issue as the page's example shows one (derived fields filled in by the store)."""
    return {
        "workspaceUUID": workspace,
        "issueID": issue_id,
        "assigner": assigner,
        "issueStatus": records[-1]["status"],
        "extend": {
            "errorType": "*errors.errorString",
            "firstTime": records[0]["time"] * 1000 - 4171,
            "statusChangeRecords": records,
        },
        "id": row,
        "uuid": uuid,
        "status": 0,
        "creator": "sys",
        "updator": updator,
        "createAt": records[0]["time"] - 92000,
        "deleteAt": -1,
        "updateAt": records[-1]["time"] + 0.2923098,
        "creatorInfo": {},
        "updatorInfo": {},
    }


def workspaces() -> dict[str, dict[str, Any]]:
    """A fresh copy: workspace uuid -> {"accounts": ..., "issues": {issueID: issue}}."""
    ours = _issue(
        WORKSPACE,
        ISSUE_ID,
        ISSUE_UUID,
        39,
        [
            {"time": 1770103057, "status": "Triage", "operator": "sys"},
            {"status": "Resolved", "time": 1772788899, "operator": UPDATOR},
        ],
        [ASSIGNEE],
        UPDATOR,
    )
    theirs = _issue(
        FOREIGN_WORKSPACE,
        FOREIGN_ISSUE_ID,
        "isset_7a6b5c4d3e2f41a0b9c8d7e6f5a4b3c2",
        12,
        [
            {"time": 1774409290, "status": "Triage", "operator": "sys"},
            {"time": 1774495688, "status": "Assigned", "operator": FOREIGN_ACCOUNT},
        ],
        [FOREIGN_ACCOUNT],
        FOREIGN_ACCOUNT,
    )
    return copy.deepcopy(
        {
            WORKSPACE: {"accounts": ACCOUNTS, "issues": {ISSUE_ID: ours}},
            FOREIGN_WORKSPACE: {"accounts": FOREIGN_ACCOUNTS, "issues": {FOREIGN_ISSUE_ID: theirs}},
        }
    )


#: key -> (workspace, acting account)
KEYS = {API_KEY: (WORKSPACE, ACTING), FOREIGN_API_KEY: (FOREIGN_WORKSPACE, FOREIGN_ACCOUNT)}


def suite_environment(base_url: str) -> dict[str, str]:
    """The ``TRUEWATCH_*`` variables that point the contract suite at a server with this seed."""
    return {
        "TRUEWATCH_BASE_URL": base_url,
        "TRUEWATCH_API_KEY": API_KEY,
        "TRUEWATCH_ISSUE_ID": ISSUE_ID,
        "TRUEWATCH_ASSIGNEES": ",".join([ASSIGNEE, UPDATOR, ACTING]),
        "TRUEWATCH_FOREIGN_API_KEY": FOREIGN_API_KEY,
        "TRUEWATCH_FOREIGN_ISSUE_ID": FOREIGN_ISSUE_ID,
    }
