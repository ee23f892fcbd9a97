"""
What the reports need to know about the contract: the rule catalogue and the request vocabulary.

Everything comes from the spec (the library's `RULES`, read from ``x-contract-rules``, the
``IssueStatus`` enum and the ``AccountId`` pattern), so the reports name rules exactly as the
validators do.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from truewatch_contract.rules import RULES, Rule
from truewatch_contract.spec import spec_document


def rules() -> Mapping[str, Rule]:
    """The catalogue ``x-contract-rules``, in the spec's order (the library's `RULES`)."""
    return RULES


def _schema(name: str) -> dict[str, Any]:
    schema = spec_document().get("components", {}).get("schemas", {}).get(name, {})
    return schema if isinstance(schema, dict) else {}


@functools.lru_cache(maxsize=1)
def issue_statuses() -> tuple[str, ...]:
    """The allowed ``issueStatus`` values."""
    return tuple(str(v) for v in _schema("IssueStatus").get("enum", []))


@functools.lru_cache(maxsize=1)
def account_id_pattern() -> re.Pattern[str]:
    """The ``AccountId`` pattern (``acnt_`` + 32 lowercase hex)."""
    return re.compile(str(_schema("AccountId").get("pattern", r"^acnt_[0-9a-f]{32}$")))
