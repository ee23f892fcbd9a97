"""
Errors as data: a broken rule is a `Violation`; an `Evaluation` says which rules applied.

`ContractViolation` is the one exception, raised at the edge by the ``assert_valid_*`` helpers.
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

#: How sure the contract is of a rule: the vendor's page says it, an observed answer shows it, or
#: the project assumes it.
Tag = Literal["documented", "observed", "assumed"]
TAGS: tuple[Tag, ...] = ("documented", "observed", "assumed")


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
    tag: Tag

    def __str__(self) -> str:
        """One line: ``envelope.code-matches-status at /code: code must equal ... [documented]``."""
        return f"{self.rule} at {self.pointer or '(root)'}: {self.message} [{self.tag}]"

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
        unchecked: rules that would have applied but could not be evaluated, each with the reason
            (``previous`` given but not the content of a success: the history rules).
    """

    violations: tuple[Violation, ...]
    checked: tuple[str, ...]
    relaxed: tuple[Violation, ...] = field(default=())
    unchecked: tuple[tuple[str, str], ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.violations

    def held(self) -> tuple[str, ...]:
        """The checked rules that no violation names."""
        broken = {violation.rule for violation in self.violations}
        broken.update(violation.rule for violation in self.relaxed)
        return tuple(rule for rule in self.checked if rule not in broken)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data: ``ok``, ``violations``, ``checked``, ``relaxed``, ``unchecked``."""
        return {
            "ok": self.ok,
            "violations": [violation.to_dict() for violation in self.violations],
            "checked": list(self.checked),
            "relaxed": [violation.to_dict() for violation in self.relaxed],
            "unchecked": [{"rule": rule, "reason": reason} for rule, reason in self.unchecked],
        }


class ContractViolation(AssertionError):
    """A payload broke the contract; ``violations`` holds every broken rule."""

    def __init__(self, violations: Iterable[Violation], *, what: str = "payload") -> None:
        self.violations: tuple[Violation, ...] = tuple(violations)
        self.what = what
        super().__init__(self._render())

    def __reduce__(self) -> tuple[Any, ...]:
        # The default rebuilds from ``args`` (the rendered text): pickle and copy need the data.
        return (_contract_violation, (self.violations, self.what))

    def _render(self) -> str:
        count = len(self.violations)
        lines = [f"{self.what} broke the contract ({count} violation{'s' if count != 1 else ''}):"]
        lines.extend(f"  - {violation.format_line()}" for violation in self.violations)
        return "\n".join(lines)


def _contract_violation(violations: tuple[Violation, ...], what: str) -> ContractViolation:
    return ContractViolation(violations, what=what)


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
