"""
The edges of every constraint a request carries, derived from the spec: the values just outside
each constraint (near misses of a valid value) and just inside it (every shape the schema allows).

A server that trims a status, folds its case, normalises Unicode, compares a key by its prefix or
fails on a long list passes every far-off negative value (random strings, wrong types). It fails
on a near miss. `edges` walks the request schema of the spec (its ``enum``, ``pattern``,
``type``, ``minItems``, ``minLength``, ...) and, for each place a request carries a value (each
body field, each item of an array, the route's ``issue_id``, the ``DF-API-KEY``), makes:

- near misses of a valid value, one class at a time (`CLASSES`): surrounding or inner
  whitespace, another case, a Unicode look-alike or compatibility form, one character more,
  less or changed, and ``null`` or the empty value;
- for an array: below ``minItems``, ``null``, and the valid shapes: one item, two, many (at least
  `MANY`), and the same item repeated.

Every edge is checked with the library's request rules before it is used (`Edge.valid` is what
they say), so a near miss that happens to stay valid is never sent as a fault. A constraint added
to the spec later gets its edges without new code. Keys are opaque: their near misses keep to
printable ASCII without whitespace (HTTP strips whitespace, and a server's HTTP layer may refuse
other bytes before the API sees them).
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from truewatch_contract.schema_engine import schema
from truewatch_contract.validate import request_findings

#: The classes of near miss, in the order a plan takes them.
CLASSES = ("whitespace", "case", "unicode", "one-character", "null", "empty")
#: The valid shapes of an array.
SHAPES = ("one", "two", "many", "repeats")
#: A long list: nothing in the contract limits its length, so a target must take at least this.
MANY = 25

#: Look-alikes: the ASCII letter and a character that renders the same (Cyrillic, Greek).
_LOOKALIKES = {
    "a": "\u0430",
    "c": "\u0441",
    "e": "\u0435",
    "i": "\u0456",
    "o": "\u043e",
    "p": "\u0440",
    "s": "\u0455",
    "x": "\u0445",
    "y": "\u0443",
    "A": "\u0391",
    "B": "\u0392",
    "E": "\u0395",
    "I": "\u0399",
    "O": "\u039f",
    "R": "\u0420",
    "T": "\u03a4",
    "W": "\u051c",
}


@dataclasses.dataclass(frozen=True)
class Edge:
    """
    One value at the edge of a constraint.

    Attributes:
        place: where the value goes: a body field (``issueStatus``), an item of an array
            (``assigner/*``), the route's ``issue_id``, or ``key`` (the ``DF-API-KEY``).
        kind: its class (`CLASSES`) or, for a valid array, its shape (`SHAPES`).
        value: the value to send there.
        valid: inside the constraint (it must be accepted) or just outside (a 4xx error
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
        """What the budget planner covers: one representative of each class at each place."""
        return f"edge:{self.place}:{self.kind}"

    @property
    def name(self) -> str:
        """A short id for a test: ``issueStatus-whitespace-1``."""
        return f"{self.place.replace('/*', '-item')}-{self.kind}"


# -- near misses of one string ------------------------------------------------------------------


def near_misses(value: str, *, ascii_only: bool = False) -> Iterator[tuple[str, str, str]]:
    """
    ``(class, near miss, what)`` for a valid string `value`, each class in `CLASSES` order.
    `ascii_only`: printable ASCII without whitespace (a key).
    """
    if not ascii_only:
        yield "whitespace", f" {value}", f"{value!r} with a leading space"
        yield "whitespace", f"{value} ", f"{value!r} with a trailing space"
        yield "whitespace", f"\t{value}\n", f"{value!r} between a tab and a newline"
        middle = max(1, len(value) // 2)
        yield "whitespace", f"{value[:middle]} {value[middle:]}", f"{value!r} with a space inside"
    for changed, how in (
        (value.lower(), "lower case"),
        (value.upper(), "upper case"),
        (value.swapcase(), "its case swapped"),
    ):
        if changed != value:
            yield "case", changed, f"{value!r} in {how}"
    if not ascii_only:
        for index, char in enumerate(value):
            if char in _LOOKALIKES:
                twin = value[:index] + _LOOKALIKES[char] + value[index + 1 :]
                yield "unicode", twin, f"{value!r} with a look-alike of {char!r}"
                break
        wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in value[:1])
        yield "unicode", wide + value[1:], f"{value!r} with a full-width first letter"
        yield "unicode", value + "\u200b", f"{value!r} with a zero-width space"
        composed = unicodedata.normalize("NFD", value[:1] + "\u0301") + value[1:]
        yield "unicode", composed, f"{value!r} with a combining accent"
    if value:
        last = value[-1]
        yield "one-character", value[:-1], f"{value!r} without its last character"
        yield "one-character", value + last, f"{value!r} with its last character doubled"
        for other in (_next_char(last), "z", "_"):
            if other != last:
                yield "one-character", value[:-1] + other, f"{value!r} with its last character changed"
                break


def _next_char(char: str) -> str:
    """A character of the same kind as `char` (a hex digit stays a hex digit)."""
    order = "0123456789abcdef" if char in "0123456789abcdef" else None
    if order is not None:
        return order[(order.index(char) + 1) % len(order)]
    if char.isalpha():
        return "a" if char != "a" else "b"
    return "x"


# -- the schema walk ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Known:
    """Valid values the target offers (its assignees, the test issue, its key)."""

    strings: Mapping[str, Sequence[str]] = dataclasses.field(default_factory=dict)


def body_edges(known: Mapping[str, Sequence[str]] | None = None) -> list[Edge]:
    """
    Every edge of the request body's fields, from the spec's request schema. `known`: valid
    values a place should take its near misses from (``assigner/*``: the target's assignees);
    otherwise the schema's own ``enum`` values or ``examples``.
    """
    request = schema("request")
    found: list[Edge] = []
    for name, field_schema in sorted(request.get("properties", {}).items()):
        found.extend(_field_edges(name, field_schema, known or {}))
    return [edge for edge in found if _checked(edge)]


def _field_edges(place: str, node: Mapping[str, Any], known: Mapping[str, Sequence[str]]) -> list[Edge]:
    kind = node.get("type")
    found: list[Edge] = []
    if kind == "array":
        items = node.get("items", {})
        values = _valid_strings(f"{place}/*", items, known)
        minimum = int(node.get("minItems", 0))
        if minimum >= 1:
            found.append(Edge(place, "empty", [], False, "an empty list"))
        found.append(Edge(place, "null", None, False, "null"))
        if values:
            first = values[0]
            second = values[1] if len(values) > 1 else values[0]
            found.append(Edge(place, "one", [first], True, "a list of one"))
            found.append(Edge(place, "two", [first, second], True, "a list of two"))
            many = [values[i % len(values)] for i in range(max(MANY, minimum))]
            found.append(Edge(place, "many", many, True, f"a list of {len(many)}"))
            found.append(Edge(place, "repeats", [first, first], True, "one id twice"))
            for item in _string_edges(f"{place}/*", items, values):
                found.append(
                    dataclasses.replace(item, value=[item.value], what=f"[{item.what}]")
                )
        return found
    values = _valid_strings(place, node, known)
    if values:
        found.extend(_string_edges(place, node, values))
    elif kind is not None:
        found.append(Edge(place, "null", None, False, "null"))
    return found


def _valid_strings(
    place: str, node: Mapping[str, Any], known: Mapping[str, Sequence[str]]
) -> list[str]:
    if node.get("type") != "string":
        return []
    if known.get(place):
        return list(known[place])
    enum = node.get("enum")
    if isinstance(enum, list):
        return [str(v) for v in enum if isinstance(v, str)]
    examples = node.get("examples")
    if isinstance(examples, list):
        return [str(v) for v in examples if isinstance(v, str)]
    return []


def _string_edges(place: str, node: Mapping[str, Any], values: Sequence[str]) -> list[Edge]:
    """Near misses of the valid `values` (each class from a different value, where there are
    several), ``null``, and the empty string."""
    found: list[Edge] = []
    for index, (kind, value, what) in enumerate(_spread(values)):
        found.append(Edge(place, kind, value, False, what))
    found.append(Edge(place, "null", None, False, "null"))
    if int(node.get("minLength", 0)) >= 1 or "enum" in node or "pattern" in node:
        found.append(Edge(place, "empty", "", False, "the empty string"))
    return found


def _spread(values: Sequence[str]) -> Iterator[tuple[str, str, str]]:
    """Every near miss, the valid values taken in turn, so that each value is probed."""
    for turn, (kind, value, what) in enumerate(
        (kind, value, what) for kind, value, what in _all_near_misses(values)
    ):
        yield kind, value, what


def _all_near_misses(values: Sequence[str]) -> Iterator[tuple[str, str, str]]:
    per_value = [list(near_misses(value)) for value in values]
    # The n-th near miss of the n-th value (round robin): every class, every value, few requests.
    longest = max((len(items) for items in per_value), default=0)
    for position in range(longest):
        items = per_value[position % len(per_value)]
        if position < len(items):
            yield items[position]


def _checked(edge: Edge) -> bool:
    """Whether the library agrees with the edge: a near miss breaks a rule, a shape keeps them."""
    body = {edge.place.split("/", 1)[0]: edge.value}
    broken = bool(request_findings(body)[0])
    return broken != edge.valid


# -- the route's issue_id and the key -------------------------------------------------------------


def issue_edges(issue_id: str) -> list[Edge]:
    """Near misses of the test issue's id: none of them names an issue."""
    return [
        Edge("issue_id", kind, value, False, what)
        for kind, value, what in near_misses(issue_id)
        if kind not in ("null", "empty") and value != issue_id
    ]


def key_edges(key: str, *, place: str = "key") -> list[Edge]:
    """Near misses of a key, in printable ASCII without whitespace: none of them is a key."""
    return [
        Edge(place, kind, value, False, what)
        for kind, value, what in near_misses(key, ascii_only=True)
        if value != key and value.isprintable() and not any(c.isspace() for c in value)
    ]


def representatives(edges: Iterable[Edge]) -> list[Edge]:
    """One edge per unit (place and class), the first of each: what a plan sends."""
    seen: set[str] = set()
    chosen = []
    for edge in edges:
        if edge.unit not in seen:
            seen.add(edge.unit)
            chosen.append(edge)
    return chosen
