"""
The contract's rules: the catalogue (`RULES`, read from the spec's ``x-contract-rules``) and the
Python logic of the cross-field rules (`context`, `envelope`, `content`, `history`).
"""

from __future__ import annotations

from truewatch_contract.rules.catalogue import (
    RULES,
    SCOPES,
    Rule,
    is_relaxed,
    scope_of,
    status_records,
    tag_of,
    violation,
)

__all__ = [
    "RULES",
    "SCOPES",
    "Rule",
    "is_relaxed",
    "scope_of",
    "status_records",
    "tag_of",
    "violation",
]
