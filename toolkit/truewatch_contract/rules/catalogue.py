"""
The rule catalogue, `RULES`, read from the spec's ``x-contract-rules``, and the helpers every rule
module shares (`violation`, `status_records`).

A rule is listed once, in the spec. This module never names a rule itself; which Python function
implements a cross-field rule is said in one place, `truewatch_contract.rules.table`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from truewatch_contract.violations import Tag, Violation

SCOPES: tuple[str, ...] = ("request", "envelope", "content", "history", "behaviour")


@dataclass(frozen=True)
class Rule:
    """One catalogued rule: its stable ``id``, ``scope``, ``tag``, ``statement`` and ``where``."""

    id: str
    scope: str
    tag: str
    statement: str
    where: str


def _load() -> dict[str, Rule]:
    from truewatch_contract.spec import spec_document as document

    entries = document().get("x-contract-rules")
    if not isinstance(entries, list):
        raise ValueError("the spec has no x-contract-rules catalogue")
    rules: dict[str, Rule] = {}
    for entry in entries:
        rule = Rule(
            id=str(entry["id"]),
            scope=str(entry["scope"]),
            tag=str(entry["tag"]),
            statement=str(entry["statement"]),
            where=str(entry["where"]),
        )
        if rule.id in rules:
            raise ValueError(f"x-contract-rules lists {rule.id!r} twice")
        rules[rule.id] = rule
    return rules


class _Catalogue(Mapping[str, Rule]):
    """A read-only mapping that reads the spec on first use: importing the package stays cheap."""

    _rules: dict[str, Rule] | None = None

    def _get(self) -> dict[str, Rule]:
        if self._rules is None:
            self._rules = _load()
        return self._rules

    def __getitem__(self, key: str) -> Rule:
        return self._get()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())

    def __repr__(self) -> str:
        return f"RULES({len(self)} rules)"


RULES: Mapping[str, Rule] = _Catalogue()


def tag_of(rule_id: str) -> str:
    """The tag of a catalogued rule (KeyError for an unknown id)."""
    return _tags()[rule_id]


@functools.cache
def _tags() -> dict[str, str]:
    return {rule.id: rule.tag for rule in RULES.values()}


def scope_of(rule_id: str) -> str:
    """The scope of a catalogued rule (KeyError for an unknown id)."""
    return RULES[rule_id].scope


# --- shared helpers: one of each, used by the library, the mock and the suite --------------------


def violation(rule: str, message: str, pointer: str = "") -> Violation:
    """A violation of the catalogued rule `rule`, tagged as its catalogue entry says."""
    from truewatch_contract.violations import Violation

    return Violation(rule=rule, pointer=pointer, message=message, tag=cast("Tag", tag_of(rule)))


def status_records(content: Any) -> list[Any] | None:
    """``content.extend.statusChangeRecords`` when it is a list, else None."""
    if not isinstance(content, dict):
        return None
    extend = content.get("extend")
    records = extend.get("statusChangeRecords") if isinstance(extend, dict) else None
    return records if isinstance(records, list) else None


def same_assignees(one: Any, other: Any) -> bool:
    """
    Whether two ``assigner`` values name the same accounts: compared as sets (a target may keep
    or drop a repeated id and keep or change the order), lists of anything else as they are.
    """
    if isinstance(one, list) and isinstance(other, list):
        try:
            return set(one) == set(other)
        except TypeError:  # unhashable items: not a list of ids
            return one == other
    return bool(one == other)
