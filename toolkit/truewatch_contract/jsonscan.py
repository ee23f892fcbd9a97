"""
A guard run before any rule: is the value JSON, and is it shallow enough to validate safely?

Everything after this guard may assume plain JSON (dict with str keys, list, str, int, float,
bool, None), no cycles and at most `MAX_DEPTH` levels of nesting, so nothing downstream can
recurse without bound. The scan itself is iterative.

Decisions:
- a value that no JSON parser yields (bytes, set, tuple, an arbitrary object, a non-string key, a
  circular reference) raises `TypeError` naming the type and the pointer: it is a caller's bug;
- NaN and ±Infinity (which ``json.loads`` accepts by default, but JSON does not) and nesting
  deeper than `MAX_DEPTH` levels are *findings*: the payload is not acceptable JSON, reported as
  violations by the caller; nothing else is evaluated on such a payload.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Literal

from truewatch_contract.violations import join

#: The deepest nesting validated. ``json.loads`` itself stops near 1,000 levels; real payloads of
#: this API are 5 levels deep.
MAX_DEPTH = 512


@dataclass(frozen=True)
class Finding:
    """A part of the payload that is not acceptable JSON: ``pointer`` and a ``problem`` phrase."""

    pointer: str
    problem: str


def scan(value: Any, *, max_depth: int = MAX_DEPTH) -> list[Finding]:
    """
    Check that ``value`` is plain JSON; return the findings (empty when it is).

    Raises:
        TypeError: the value holds something that is not JSON at all.
    """
    # Fast path: level by level, exact types, no paths. Anything unusual is re-scanned slowly,
    # with pointers, by `_precise`.
    level: list[Any] = [value]
    seen: set[int] = set()
    containers = 0
    depth = 0
    while level:
        depth += 1
        following: list[Any] = []
        for item in level:
            kind = type(item)
            if kind is dict:
                containers += 1
                seen.add(id(item))
                for key in item:
                    if type(key) is not str:
                        return _precise(value, max_depth)
                following.extend(item.values())
            elif kind is list:
                containers += 1
                seen.add(id(item))
                following.extend(item)
            elif kind is str or kind is int or kind is bool or item is None:
                continue
            elif kind is float:
                if item - item != 0.0:  # NaN or an infinity
                    return _precise(value, max_depth)
            else:
                return _precise(value, max_depth)
        # A container met twice is shared or part of a cycle; a level past the limit is too deep.
        # Checked per level, so a shared structure cannot blow a level up more than once.
        if len(seen) != containers or (
            following and depth >= max_depth and _has_container(following)
        ):
            return _precise(value, max_depth)
        level = following
    return []


def _has_container(items: list[Any]) -> bool:
    return any(isinstance(item, (dict, list)) for item in items)


_EXIT = object()


def _precise(value: Any, max_depth: int) -> list[Finding]:
    """Depth-first, with pointers and cycle detection; shared (acyclic) parts are allowed."""
    findings: list[Finding] = []
    on_path: set[int] = set()
    # The shallowest depth each container was scanned at: a shared part is scanned again only
    # when it is reached deeper than before, which bounds the work.
    scanned_at: dict[int, int] = {}
    stack: list[tuple[Any, str, int]] = [(value, "", 1)]
    while stack:
        item, where, depth = stack.pop()
        if item is _EXIT:
            on_path.discard(depth)  # for an exit marker, `depth` holds the container's id
            continue
        if isinstance(item, (dict, list)):
            ident = id(item)
            if ident in on_path:
                raise TypeError(f"circular reference at {where or '(root)'}: not JSON")
            if depth > max_depth:
                findings.append(Finding(where, f"nesting deeper than {max_depth} levels"))
                return findings  # one finding: the rest of that depth is noise
            if scanned_at.get(ident, max_depth + 1) <= depth:
                continue
            scanned_at[ident] = depth
            on_path.add(ident)
            stack.append((_EXIT, "", ident))
            if isinstance(item, dict):
                children: list[tuple[Any, str, int]] = []
                for key, child in item.items():
                    if not isinstance(key, str):
                        raise TypeError(
                            f"object key {key!r} ({type(key).__name__}) at {where or '(root)'} "
                            "is not a string: not JSON"
                        )
                    children.append((child, join(where, key), depth + 1))
                stack.extend(reversed(children))
            else:
                stack.extend(
                    (child, join(where, index), depth + 1)
                    for index, child in reversed(list(enumerate(item)))
                )
        elif isinstance(item, float):
            if not math.isfinite(item):
                findings.append(Finding(where, f"the non-finite number {item!r}"))
        elif item is None or isinstance(item, (str, int)):
            continue
        else:
            raise TypeError(
                f"{type(item).__name__} at {where or '(root)'} is not a JSON type "
                "(expected dict, list, str, int, float, bool or None)"
            )
    return findings


# --- reading bytes -------------------------------------------------------------------------------


class JSONTextError(ValueError):
    """
    Bytes that are no JSON text: ``kind`` says why (``encoding``: not UTF-8, or a byte-order mark;
    ``syntax``: not JSON; ``depth``: nested deeper than `MAX_DEPTH`), ``str()`` is a phrase.
    """

    def __init__(self, problem: str, kind: Literal["encoding", "syntax", "depth"]) -> None:
        super().__init__(problem, kind)  # both in args: pickle and copy rebuild it
        self.problem = problem
        self.kind = kind

    def __str__(self) -> str:
        return self.problem


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


# One decoder (``json.loads`` with options builds one per call); NaN and Infinity are not JSON.
_decode = json.JSONDecoder(parse_constant=_reject_constant).decode


def read_json(data: bytes) -> Any:
    """
    Parse a body as the mock reads one: UTF-8 without a byte-order mark (RFC 8259 §8.1; no
    UTF-16), strict JSON. Deep nesting is refused at any depth above `MAX_DEPTH`, whether the
    parser could build it or not.

    Raises:
        JSONTextError: the bytes are no JSON text.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        raise JSONTextError("a UTF-8 byte-order mark", "encoding")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise JSONTextError(f"bytes that are not UTF-8 (byte {error.start})", "encoding") from None
    return read_text(text)


def read_text(text: str) -> Any:
    """
    Parse a body already decoded to text (`read_json` without the encoding): strict JSON, no
    byte-order mark, at most `MAX_DEPTH` levels.

    Raises:
        JSONTextError: the text is no JSON text.
    """
    if text.startswith("\ufeff"):
        raise JSONTextError("a byte-order mark", "encoding")
    if "\x00" in text:
        # JSON text never holds a raw NUL (not even in a string): this is UTF-16 or UTF-32
        # without a byte-order mark, read as UTF-8.
        raise JSONTextError(f"a NUL byte (byte {text.index(chr(0))}): UTF-16 or UTF-32", "encoding")
    if not text or text.isspace():
        raise JSONTextError("an empty body", "syntax")
    try:
        value = _decode(text)
    except json.JSONDecodeError as error:
        raise JSONTextError(
            f"no JSON text ({error.msg} at position {error.pos})", "syntax"
        ) from None
    except RecursionError:
        if _deeper_than(text, MAX_DEPTH):
            raise JSONTextError(f"nesting deeper than {MAX_DEPTH} levels", "depth") from None
        raise
    except ValueError as error:  # NaN, or an integer beyond the interpreter's digit limit
        problem = str(error) if "JSON number" in str(error) else "a number out of range"
        raise JSONTextError(problem, "syntax") from None
    # Each level of nesting opens with a bracket: a text with at most `MAX_DEPTH` of them (in
    # strings or not) cannot nest deeper, and a value the decoder made is plain JSON otherwise
    # (what `scan` would find, a number beyond float's range, is no reason to refuse the text).
    if text.count("{") + text.count("[") > MAX_DEPTH:
        findings = scan(value)
        if findings and findings[0].problem.startswith("nesting"):
            raise JSONTextError(findings[0].problem, "depth")
    return value


class _NotPlain(Exception):
    """A number ``json.loads`` would make that is no JSON (NaN, an infinity, an overflow)."""


def _finite_float(text: str) -> float:
    number = float(text)
    if number - number != 0.0:  # a literal beyond the double's range
        raise _NotPlain
    return number


def _no_constant(name: str) -> Any:
    raise _NotPlain


# Called only for the (rare) float literals and NaN/Infinity: the rest parses as json.loads does.
_decode_plain = json.JSONDecoder(parse_float=_finite_float, parse_constant=_no_constant).decode


def loads_plain(text: str) -> tuple[Any, bool]:
    """
    ``(json.loads(text), plain)``: the same value, and whether it is certainly plain JSON no
    deeper than `MAX_DEPTH` levels, so that `scan` would find nothing in it (no NaN, no infinity,
    at most `MAX_DEPTH` brackets). Raises as ``json.loads`` does.
    """
    try:
        value = _decode_plain(text)
    except _NotPlain:
        return json.loads(text), False
    return value, text.count("{") + text.count("[") <= MAX_DEPTH


def _deeper_than(text: str, limit: int) -> bool:
    """Whether the JSON text nests more than ``limit`` levels (strings skipped)."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False
