"""
The contract's rules: the catalogue (`RULES`, read from the spec's ``x-contract-rules``), the
Python logic of the cross-field rules (`context`, `envelope`, `content`, `history`, `echo`), and
`table`, which says which function implements which rule (imported on use: it loads every module).
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
from truewatch_contract.rules.echo import SentRequest

__all__ = [
    "RULES",
    "SCOPES",
    "Rule",
    "SentRequest",
    "is_relaxed",
    "scope_of",
    "status_records",
    "tag_of",
    "violation",
]
