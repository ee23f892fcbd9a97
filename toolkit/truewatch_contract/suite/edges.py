"""
The edges of every constraint a request carries, derived from the spec: the values just outside
each constraint (near misses of a valid value) and just inside it (every shape the schema allows).

A server that trims a status, folds its case, normalises Unicode, compares a key by its prefix or
fails on a long list passes every far-off negative value (random strings, wrong types); it fails
on a near miss. `body_edges` walks the spec's request schema (``enum``, ``pattern``, ``type``,
``minItems``, ``minLength``, ``examples``) and makes, for each place a body carries a value (each
field, each item of an array):

- near misses of a valid value, one class at a time (`NEAR_MISSES`): surrounding or inner
  whitespace, another case, a Unicode look-alike or compatibility form, one character more, less
  or changed; and ``null`` and the empty value where the schema refuses them;
- for an array: below ``minItems``, ``null``, and the valid shapes (`SHAPES`): one item, two,
  many (at least `MANY`: nothing in the contract limits the length), an item repeated.

`issue_edges` and `key_edges` make the near misses of the route's ``issue_id`` and of a key (the
target's and another workspace's). A key is opaque: its near misses keep to printable ASCII
without whitespace (HTTP strips whitespace, and a server's HTTP layer may refuse other bytes before
the API sees them).

Every body edge is checked with the library's request rules before it is used (a near miss must
break a rule, a shape must keep them), so the suite never sends a valid value as a fault. A
constraint added to the spec later gets its edges without new code. Each edge names its `unit`
(its place and class): the budget planner covers one representative of each.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from truewatch_contract.schema_engine import schema
from truewatch_contract.validate import request_findings

#: The classes of near miss of a string.
NEAR_MISSES = ("whitespace", "case", "unicode", "one-character")
#: The classes of near miss of a key: printable ASCII only.
KEY_NEAR_MISSES = ("case", "one-character")
#: The valid shapes of an array.
SHAPES = ("one", "two", "many", "repeats")
#: A long list: nothing in the contract limits its length, so a target must take at least this.
MANY = 25
#: Where a key's near misses go: the target's own key, and another workspace's.
KEY, FOREIGN_KEY, ISSUE_ID = "key", "foreign-key", "issue_id"

#: Look-alikes: an ASCII letter, and a letter of another script that renders the same.
_LOOKALIKES = {
    "a": "\u0430",  # Cyrillic a
    "c": "\u0441",
    "e": "\u0435",
    "i": "\u0456",
    "o": "\u043e",
    "p": "\u0440",
    "s": "\u0455",
    "x": "\u0445",
    "y": "\u0443",
    "A": "\u0391",  # Greek Alpha
    "B": "\u0392",
    "E": "\u0395",
    "I": "\u0399",
    "O": "\u039f",
    "R": "\u0420",  # Cyrillic Er
    "T": "\u03a4",
    "W": "\u051c",
}


@dataclasses.dataclass(frozen=True)
class Edge:
    """
    One value at the edge of a constraint.

    Attributes:
        place: where the value goes: a body field (``issueStatus``), an item of an array
            (``assigner/*``), the route's ``issue_id``, ``key`` or ``foreign-key``.
        kind: its class: a near miss (`NEAR_MISSES`), ``null``, ``empty``, or an array's shape
            (`SHAPES`).
        value: the value to send there (for an item, the whole array that carries it).
        valid: inside the constraint (it must be accepted) or just outside it (a 4xx error
            envelope, and nothing changed).
        what: the value in a few words, for messages.
    """

    place: str
    kind: str
    value: Any
    valid: bool
    what: str

    @property
    def unit(self) -> str:
        """What the budget planner covers: one representative per place and class."""
        return f"edge:{self.place}:{self.kind}"

    @property
    def field(self) -> str:
        """The body field the value goes in (``assigner`` for ``assigner/*``)."""
        return self.place.split("/", 1)[0]

    def body(self) -> dict[str, Any]:
        """A body that carries this edge alone."""
        return {self.field: self.value}


# -- near misses of one string ------------------------------------------------------------------


def near_misses(value: str, *, ascii_only: bool = False) -> Iterator[tuple[str, str, str]]:
    """
    ``(class, near miss, what)`` for a valid string `value`. `ascii_only`: only what stays
    printable ASCII without whitespace (a key).
    """
    if not ascii_only:
        middle = max(1, len(value) // 2)
        yield "whitespace", f"{value} ", f"{value!r} with a trailing space"
        yield "whitespace", f" {value}", f"{value!r} with a leading space"
        yield "whitespace", f"\t{value}\n", f"{value!r} between a tab and a newline"
        yield "whitespace", f"{value[:middle]} {value[middle:]}", f"{value!r} split by a space"
    seen = {value}
    for changed, how in (*_segment_cases(value), *(
        (value.lower(), "in lower case"),
        (value.upper(), "in upper case"),
        (value.swapcase(), "with its case swapped"),
    )):  # fmt: skip
        if changed not in seen:
            seen.add(changed)
            yield "case", changed, f"{value!r} {how}"
    if not ascii_only:
        for index, char in enumerate(value):
            if char in _LOOKALIKES:
                twin = value[:index] + _LOOKALIKES[char] + value[index + 1 :]
                yield "unicode", twin, f"{value!r} with a look-alike of {char!r}"
                break
        if value and "!" <= value[0] <= "~":
            wide = chr(ord(value[0]) + 0xFEE0) + value[1:]  # the full-width compatibility form
            yield "unicode", wide, f"{value!r} with a full-width first letter"
        yield "unicode", value + "\u200b", f"{value!r} with a zero-width space"
    if value:
        last = value[-1]
        shorter = (value[:-1], f"{value!r} without its last character")
        other = (value[:-1] + _other_char(last), f"{value!r} with its last character changed")
        # A key cut short is what a lookup by prefix takes; an id with one character changed
        # keeps its form (a well-formed id of no issue).
        for near, what in (shorter, other) if ascii_only else (other, shorter):
            yield "one-character", near, what
        yield "one-character", value + last, f"{value!r} with its last character doubled"


def _segment_cases(value: str) -> list[tuple[str, str]]:
    """
    For a value made of parts (``acnt_`` + hex, ``tkn_`` + hex): each part in upper case alone,
    the last part first: the right characters in the wrong case (``acnt_08A1...``).
    """
    parts = re.split(r"([^0-9A-Za-z]+)", value)
    words = [i for i in range(0, len(parts), 2) if parts[i]]
    if len(words) < 2:
        return []
    found = []
    for index in reversed(words):
        upper = parts[index].upper()
        if upper != parts[index]:
            changed = "".join(upper if i == index else part for i, part in enumerate(parts))
            found.append((changed, f"with its part {parts[index][:8]!r}... in upper case"))
    return found


def _other_char(char: str) -> str:
    """Another character of the same kind (a hex digit stays one: the form stays the same)."""
    digits = "0123456789abcdef"
    if char in digits:
        return digits[(digits.index(char) + 1) % len(digits)]
    if char.isalpha():
        return "b" if char.lower() == "a" else "a"
    return "0" if char != "0" else "1"


# -- the body, from the spec's request schema -----------------------------------------------------


def body_edges(known: Mapping[str, Sequence[str]] | None = None) -> list[Edge]:
    """
    Every edge of the request body's fields, from the spec's request schema.

    `known`: valid values a place takes its near misses and shapes from (``{"assigner/*": the
    target's assignees}``: a near miss of a real member is the most telling); otherwise the
    schema's own ``enum`` values or ``examples``.
    """
    return list(_body_edges(tuple((k, tuple(v)) for k, v in sorted((known or {}).items()))))


@functools.lru_cache(maxsize=16)
def _body_edges(known: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[Edge, ...]:
    values = dict(known)
    request = schema("request")
    found: list[Edge] = []
    for name, node in sorted(request.get("properties", {}).items()):
        found.extend(_field_edges(name, node, values))
    return tuple(edge for edge in found if _agrees(edge))


def _field_edges(
    place: str, node: Mapping[str, Any], known: Mapping[str, Sequence[str]]
) -> list[Edge]:
    if node.get("type") == "array":
        return _array_edges(place, node, known)
    found = [
        Edge(place, kind, value, False, what)
        for kind, value, what in _spread(_valid_strings(place, node, known))
    ]
    if node.get("type") is not None:
        found.append(Edge(place, "null", None, False, "null"))
    if node.get("type") == "string" and _refuses_empty(node):
        found.append(Edge(place, "empty", "", False, "the empty string"))
    return found


def _array_edges(
    place: str, node: Mapping[str, Any], known: Mapping[str, Sequence[str]]
) -> list[Edge]:
    items = node.get("items", {})
    item_place = f"{place}/*"
    values = _valid_strings(item_place, items, known)
    found: list[Edge] = []
    if int(node.get("minItems", 0)) >= 1:
        found.append(Edge(place, "empty", [], False, "an empty list"))
    found.append(Edge(place, "null", None, False, "null"))
    if values:
        first, second = values[0], values[1 % len(values)]
        # Many items, the other ids last: a target that keeps only the first few loses them,
        # which shows even when the list is compared as a set.
        count = max(MANY, int(node.get("minItems", 0)), len(values))
        many = [first] * (count - len(values) + 1) + list(values[1:])
        found.append(Edge(place, "one", [first], True, "a list of one id"))
        found.append(Edge(place, "two", [first, second], True, "a list of two ids"))
        found.append(Edge(place, "many", many, True, f"a list of {len(many)} ids"))
        found.append(Edge(place, "repeats", [first, first], True, "one id twice"))
        for kind, value, what in _spread(values):
            found.append(Edge(item_place, kind, [value], False, f"[{what}]"))
    return found


def _valid_strings(
    place: str, node: Mapping[str, Any], known: Mapping[str, Sequence[str]]
) -> list[str]:
    if node.get("type") != "string":
        return []
    if known.get(place):
        return list(known[place])
    for key in ("enum", "examples"):
        given = node.get(key)
        if isinstance(given, list) and given:
            return [str(v) for v in given if isinstance(v, str)]
    return []


def _refuses_empty(node: Mapping[str, Any]) -> bool:
    return int(node.get("minLength", 0)) >= 1 or "enum" in node or "pattern" in node


def _spread(values: Sequence[str]) -> Iterator[tuple[str, str, str]]:
    """
    The near misses of the valid values, the values taken in turn (the n-th near miss of the
    n-th value): every class appears, every value is probed, and the count stays small.
    """
    per_value = [list(near_misses(value)) for value in values]
    longest = max((len(items) for items in per_value), default=0)
    for position in range(longest):
        items = per_value[position % len(per_value)]
        if position < len(items):
            yield items[position]


def _agrees(edge: Edge) -> bool:
    """Whether the library's request rules agree: a near miss breaks one, a shape keeps them."""
    broken = bool(request_findings(edge.body())[0])
    return broken != edge.valid


# -- the route's issue_id and the keys ------------------------------------------------------------


def issue_edges(issue_id: str) -> list[Edge]:
    """Near misses of the test issue's id: none of them names an issue."""
    return [
        Edge(ISSUE_ID, kind, value, False, what)
        for kind, value, what in near_misses(issue_id)
        if value != issue_id
    ]


def key_edges(key: str, place: str = KEY) -> list[Edge]:
    """Near misses of a key, in printable ASCII without whitespace: none of them is a key."""
    found: dict[str, Edge] = {}
    for kind, value, what in near_misses(key, ascii_only=True):
        if value != key and value.isascii() and value.isprintable() and " " not in value:
            found.setdefault(value, Edge(place, kind, value, False, what))
    return list(found.values())


#: Stand-ins for the values a target offers, to name every unit before any target is known.
_STAND_IN_ISSUE = "0123456789abcdef0123456789abcdef"
_STAND_IN_KEY = "tkn_0123456789abcdef0123456789abcdef"
FOREIGN_STAND_IN = _STAND_IN_KEY[::-1]


def all_edges(
    *,
    known: Mapping[str, Sequence[str]] | None = None,
    issue_id: str = _STAND_IN_ISSUE,
    api_key: str = _STAND_IN_KEY,
    foreign_api_key: str | None = FOREIGN_STAND_IN,
) -> list[Edge]:
    """Every edge: the body's, the test issue id's, the keys' (the foreign key's when known)."""
    found = [*body_edges(known), *issue_edges(issue_id), *key_edges(api_key, KEY)]
    if foreign_api_key:
        # Another workspace's key, one character off: a key of nobody, never the workspace's.
        found.extend(e for e in key_edges(foreign_api_key, FOREIGN_KEY) if e.kind != "case")
    return found


def units() -> list[str]:
    """Every edge unit the spec makes, in order (what the plan's kinds stand for)."""
    return list(representatives(all_edges()))


def representative(
    unit: str,
    *,
    known: Mapping[str, Sequence[str]] | None = None,
    issue_id: str = _STAND_IN_ISSUE,
    api_key: str = _STAND_IN_KEY,
    foreign_api_key: str | None = None,
) -> Edge:
    """
    The edge a plan sends for `unit`, from the target's values.

    Raises:
        KeyError: the spec (or the values given) makes no such unit.
    """
    chosen = representatives(
        all_edges(known=known, issue_id=issue_id, api_key=api_key, foreign_api_key=foreign_api_key)
    )
    return chosen[unit]


# -- the plan's representatives and what a request represents -----------------------------------


def representatives(edges: Iterable[Edge]) -> dict[str, Edge]:
    """One edge per unit (place and class), the first of each: what a plan sends."""
    chosen: dict[str, Edge] = {}
    for edge in edges:
        chosen.setdefault(edge.unit, edge)
    return chosen


def units_of(
    body: Any,
    *,
    issue_id: str,
    key: str | None,
    valid_issue: str,
    valid_key: str,
    foreign_key: str | None = None,
    known: Mapping[str, Sequence[str]] | None = None,
) -> set[str]:
    """
    The edge units a request represents: each value it carries that is an edge of the spec's
    constraints (a body field's near miss or shape, a near miss of the test issue's id or of a
    key). The budget's ranking counts them (``scripts/rank-requests``).
    """
    found: set[str] = set()
    if isinstance(body, dict):
        found |= _body_units(body, known or {})
    if issue_id != valid_issue:
        found |= {f"edge:{ISSUE_ID}:{kind}" for kind in _classes(issue_id, valid_issue)}
    for place, real in ((KEY, valid_key), (FOREIGN_KEY, foreign_key)):
        if real and key is not None and key != real:
            found |= {f"edge:{place}:{kind}" for kind in _classes(key, real, ascii_only=True)}
    return found


def _classes(value: Any, valid: str, *, ascii_only: bool = False) -> set[str]:
    """The classes of near miss of `valid` that `value` is."""
    return {kind for kind, near, _ in near_misses(valid, ascii_only=ascii_only) if near == value}


def _body_units(body: Mapping[str, Any], known: Mapping[str, Sequence[str]]) -> set[str]:
    found: set[str] = set()
    request = schema("request")
    for name, node in request.get("properties", {}).items():
        if name not in body:
            continue
        value = body[name]
        if value is None:
            found.add(f"edge:{name}:null")
        elif node.get("type") == "array" and isinstance(value, list):
            found |= _array_units(name, node, value, known)
        elif isinstance(value, str):
            if value == "" and _refuses_empty(node):
                found.add(f"edge:{name}:empty")
            for valid in _valid_strings(name, node, known):
                found |= {f"edge:{name}:{kind}" for kind in _classes(value, valid)}
    return found


def _array_units(
    name: str, node: Mapping[str, Any], value: list[Any], known: Mapping[str, Sequence[str]]
) -> set[str]:
    found: set[str] = set()
    if not value:
        return {f"edge:{name}:empty"} if int(node.get("minItems", 0)) >= 1 else set()
    valid = _valid_strings(f"{name}/*", node.get("items", {}), known)
    if all(item in valid for item in value):
        count = len(value)
        found.add(f"edge:{name}:{'one' if count == 1 else 'two' if count == 2 else 'three'}")
        if count >= MANY:
            found.add(f"edge:{name}:many")
        if len(set(value)) < count:
            found.add(f"edge:{name}:repeats")
    for item in value:
        for real in valid:
            found |= {f"edge:{name}/*:{kind}" for kind in _classes(item, real)}
    return found & _unit_set()


@functools.cache
def _unit_set() -> frozenset[str]:
    return frozenset(units())
