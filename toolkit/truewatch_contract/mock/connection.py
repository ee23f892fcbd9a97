"""
The built-in mock's connection details before it is started: its keys, test issue and members.

The one home of what every layer above the mock needs to know of it without serving it: the
suite (to plan and steer against the built-in target), the runner (to keep its keys out of the
reports) and the collector.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from truewatch_contract.mock.state import MockState

#: The address the details name before the mock has a port of its own.
UNSTARTED = "http://127.0.0.1"


def default_connection() -> dict[str, Any]:
    """``base_url, api_key, issue_id, assignees, foreign_api_key, foreign_issue_id`` of the seed."""
    return copy.deepcopy(_seed_connection())


def default_keys() -> tuple[str, ...]:
    """The seed's API keys (the mock's own key and the other workspace's): secrets in reports."""
    info = _seed_connection()
    return tuple(str(info[k]) for k in ("api_key", "foreign_api_key") if info.get(k))


@functools.cache
def _seed_connection() -> dict[str, Any]:
    return MockState.default().connection_info(UNSTARTED)
