"""
Errors as data: a broken rule is a `Violation`; an `Evaluation` says which rules applied.

`ContractViolation` is the one exception, raised at the edge by the ``assert_valid_*`` helpers.
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

TAGS: tuple[str, ...] = ("documented", "observed", "assumed")


@dataclass(frozen=True, order=True)
class Violation:
    """
    One broken rule.

    Attributes:
        rule: a rule id, a key of `truewatch_contract.RULES` (``envelope.success-matches-code``).
        pointer: an RFC 6901 pointer into the payload (``""`` is the payload itself).
        message: one sentence: what was expected and what was found.
        tag: ``documented``, ``observed`` or ``assumed``: how sure the contract is of the rule.
    """

    rule: str
    pointer: str
    message: str
    tag: str

    def to_dict(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "pointer": self.pointer,
            "message": self.message,
            "tag": self.tag,
        }

    def format_line(self) -> str:
        """One line for a terminal: ``rule  pointer  message  [tag]``."""
        return f"{self.rule}  {self.pointer or '(root)'}  {self.message}  [{self.tag}]"


@dataclass(frozen=True)
class Evaluation:
    """
    The outcome of validating one payload.

    Attributes:
        violations: the violations to act on (sorted).
        checked: the ids of the rules that applied and could be evaluated (sorted).
        relaxed: violations that were found but dropped (``relax=`` or an ``assumed`` tag).
    """

    violations: tuple[Violation, ...]
    checked: tuple[str, ...]
    relaxed: tuple[Violation, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.violations

    def held(self) -> tuple[str, ...]:
        """The checked rules that no violation names."""
        broken = {violation.rule for violation in self.violations}
        broken.update(violation.rule for violation in self.relaxed)
        return tuple(rule for rule in self.checked if rule not in broken)


class ContractViolation(AssertionError):
    """A payload broke the contract; ``violations`` holds every broken rule."""

    def __init__(self, violations: Iterable[Violation], *, what: str = "payload") -> None:
        self.violations: tuple[Violation, ...] = tuple(violations)
        self.what = what
        super().__init__(self._render())

    def _render(self) -> str:
        count = len(self.violations)
        lines = [f"{self.what} broke the contract ({count} violation{'s' if count != 1 else ''}):"]
        lines.extend(f"  - {violation.format_line()}" for violation in self.violations)
        return "\n".join(lines)


def escape_token(token: object) -> str:
    """Escape one reference token of an RFC 6901 pointer."""
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(path: Iterable[object]) -> str:
    """The RFC 6901 pointer of a path of keys and indexes."""
    parts = []
    for token in path:
        text = str(token)
        if "~" in text or "/" in text:
            text = text.replace("~", "~0").replace("/", "~1")
        parts.append(text)
    return "/" + "/".join(parts) if parts else ""


def join(base: str, *tokens: object) -> str:
    """Extend a pointer by some keys or indexes."""
    return base + "".join("/" + escape_token(token) for token in tokens)


_SHORT = reprlib.Repr()
_SHORT.maxlevel = 3
_SHORT.maxstring = 60
_SHORT.maxother = 60
_SHORT.maxdict = 4
_SHORT.maxlist = 4
_SHORT.maxlong = 40


def short(value: Any) -> str:
    """A bounded repr for messages: a huge or deep value never floods a message."""
    if value is None or isinstance(value, bool):
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, str) and len(value) <= _SHORT.maxstring:
        return repr(value)  # the common case, without reprlib's machinery
    if isinstance(value, int) and -(10**15) < value < 10**15:
        return repr(value)
    return _SHORT.repr(value)


def kind(value: Any) -> str:
    """The JSON type of a value, with the value when short: ``the string 'x'``, ``an array``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the string {short(value)}"
    if isinstance(value, int):
        return f"the integer {short(value)}"
    if isinstance(value, float):
        return f"the number {short(value)}"
    if isinstance(value, list):
        return f"an array of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"
