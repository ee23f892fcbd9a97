"""
What the reports need to know about the contract: the rule catalogue and the request vocabulary.

Everything comes from the spec (``x-contract-rules``, the ``IssueStatus`` enum and the ``AccountId``
pattern), so the reports name rules exactly as the validators do.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from truewatch_contract.spec import spec_document


@dataclass(frozen=True)
class RuleInfo:
    id: str
    scope: str
    tag: str
    statement: str
    where: str


@functools.lru_cache(maxsize=1)
def rules() -> dict[str, RuleInfo]:
    """The catalogue ``x-contract-rules``, in the spec's order."""
    catalogue: dict[str, RuleInfo] = {}
    for item in spec_document().get("x-contract-rules", []):
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            catalogue[item["id"]] = RuleInfo(
                id=item["id"],
                scope=str(item.get("scope", "")),
                tag=str(item.get("tag", "")),
                statement=str(item.get("statement", "")),
                where=str(item.get("where", "")),
            )
    return catalogue


def tags() -> frozenset[str]:
    return frozenset(rule.tag for rule in rules().values())


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
