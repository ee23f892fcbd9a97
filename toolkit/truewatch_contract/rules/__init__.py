"""
The contract's rules: the catalogue (`RULES`, read from the spec's ``x-contract-rules``), the
Python logic of the cross-field rules (`context`, `envelope`, `content`, `history`, `echo`),
`table`, which says which function implements which rule (imported on use: it loads every module),
and `policy`: which broken rules fail and which are only reported (`Policy`, `is_relaxed`).
"""

from __future__ import annotations

from truewatch_contract.rules.catalogue import (
    RULES,
    SCOPES,
    Rule,
    same_assignees,
    scope_of,
    status_records,
    tag_of,
    violation,
)
from truewatch_contract.rules.echo import SentRequest
from truewatch_contract.rules.policy import Policy, is_relaxed

__all__ = [
    "RULES",
    "SCOPES",
    "Policy",
    "Rule",
    "SentRequest",
    "is_relaxed",
    "same_assignees",
    "scope_of",
    "status_records",
    "tag_of",
    "violation",
]
