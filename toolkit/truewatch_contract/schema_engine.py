"""
The JSON Schema half of the validators: the spec's schemas, two engines, one verdict.

The schemas are taken from the spec at load time and their local ``$ref`` s inlined, keeping every
``x-rule`` / ``x-source`` annotation. An engine error is mapped to a `Violation` by following its
schema path through the inlined schema: the rule is the nearest enclosing ``x-rule`` of a scope the
payload has (a response's ``issueStatus`` is a ``content.schema`` fault, not a
``request.issue-status`` one), the tag the nearest ``x-source``. Messages are written here from the
keyword, the schema and the payload, never copied from an engine, so both engines give the same
violations, word for word.

Engines: ``jsonschema`` (Draft 2020-12, format checking on) is the reference; ``jsonschema-rs``
(the ``fast`` extra) gives the same verdicts much faster. ``auto`` uses jsonschema-rs when it
can be imported. The environment variable ``TRUEWATCH_ENGINE`` overrides ``auto``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from truewatch_contract.settings import engine_setting
from truewatch_contract.violations import TAGS, Tag, Violation, kind, pointer, short

#: The engine option of the validators: ``auto`` picks jsonschema-rs when it is installed.
Engine = Literal["auto", "jsonschema", "jsonschema-rs"]
#: An engine that is not ``auto``: what ``auto`` resolves to.
ResolvedEngine = Literal["jsonschema", "jsonschema-rs"]
ENGINES: tuple[ResolvedEngine, ...] = ("jsonschema", "jsonschema-rs")
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


@dataclass(frozen=True)
class SpecSchema:
    """
    A schema of the spec the validators apply: where it is, the rule scopes a fault in it may
    name, the rule of a fault no ``x-rule`` names, and how messages call the payload's root.
    """

    name: str
    where: tuple[str, ...]
    scopes: frozenset[str]
    fallback_rule: str
    subject: str


SCHEMAS: dict[str, SpecSchema] = {
    spec.name: spec
    for spec in (
        SpecSchema(
            "request",
            ("components", "schemas", "UpdateIssueRequest"),
            frozenset({"request"}),
            "request.body-object",
            "the body",
        ),
        SpecSchema(
            "issue-id",
            ("components", "parameters", "IssueId", "schema"),
            frozenset({"request"}),
            "request.issue-id",
            "the route's issue_id",
        ),
        SpecSchema(
            "success",
            ("components", "schemas", "UpdateIssueResponse"),
            frozenset({"envelope", "content"}),
            "envelope.fields",
            "the response",
        ),
        SpecSchema(
            "error",
            ("components", "schemas", "ErrorEnvelope"),
            frozenset({"envelope"}),
            "envelope.fields",
            "the response",
        ),
        SpecSchema(
            "envelope",
            ("components", "schemas", "Envelope"),
            frozenset({"envelope"}),
            "envelope.fields",
            "the response",
        ),
    )
}


def default_engine() -> ResolvedEngine:
    """The engine ``auto`` stands for: ``TRUEWATCH_ENGINE`` if set, else rs when importable."""
    return _default_for(engine_setting())


@functools.lru_cache(maxsize=8)
def _default_for(setting: str) -> ResolvedEngine:
    chosen = setting.strip() or "auto"
    if chosen != "auto":
        return _checked_engine(chosen)
    return "jsonschema-rs" if _rs_available() else "jsonschema"


def resolve_engine(engine: Engine | str | None) -> ResolvedEngine:
    """The engine to use: ``auto`` or None resolved; ValueError for an unknown or absent one."""
    if engine is None or engine == "auto":
        return default_engine()
    return _checked_engine(engine)


def _checked_engine(engine: str) -> ResolvedEngine:
    if engine == "jsonschema":
        return "jsonschema"
    if engine != "jsonschema-rs":
        raise ValueError(f"unknown engine {engine!r}; expected auto, {', '.join(ENGINES)}")
    if engine == "jsonschema-rs" and not _rs_available():
        raise ValueError(
            "engine 'jsonschema-rs' is not installed: pip install 'truewatch-contract[fast]'"
        )
    return "jsonschema-rs"


@functools.lru_cache(maxsize=1)
def _rs_available() -> bool:
    try:
        import jsonschema_rs  # noqa: F401
    except ImportError:
        return False
    return True


# --- loading -------------------------------------------------------------------------------------


def _follow(document: Any, parts: Iterable[str]) -> Any:
    node = document
    for part in parts:
        node = node[part]
    return node


def _inline(node: Any, document: dict[str, Any], active: frozenset[str] = frozenset()) -> Any:
    """Replace every local ``$ref`` by a copy of its target (siblings of ``$ref`` win)."""
    if isinstance(node, list):
        return [_inline(item, document, active) for item in node]
    if not isinstance(node, dict):
        return node
    reference = node.get("$ref")
    if isinstance(reference, str):
        if not reference.startswith("#/"):
            raise ValueError(f"only local references are supported, not {reference!r}")
        if reference in active:
            raise ValueError(f"the spec's schemas are recursive at {reference!r}")
        parts = [part.replace("~1", "/").replace("~0", "~") for part in reference[2:].split("/")]
        merged = dict(_inline(_follow(document, parts), document, active | {reference}))
        merged.update(
            (key, _inline(value, document, active)) for key, value in node.items() if key != "$ref"
        )
        return merged
    return {key: _inline(value, document, active) for key, value in node.items()}


@functools.cache
def schema(target: str) -> dict[str, Any]:
    """The inlined schema of a target (shared, read-only)."""
    from truewatch_contract.spec import spec_document as document

    spec = document()
    inlined: dict[str, Any] = _inline(_follow(spec, SCHEMAS[target].where), spec)
    inlined["$schema"] = DRAFT_2020_12
    return inlined


def rule_ids_in_schemas() -> frozenset[str]:
    """Every ``x-rule`` the targets' schemas carry (the rules the schema half implements)."""
    found: set[str] = set()
    for name in SCHEMAS:
        stack: list[Any] = [schema(name)]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                if isinstance(node.get("x-rule"), str):
                    found.add(node["x-rule"])
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
    return frozenset(found)


# --- engines -------------------------------------------------------------------------------------

# JSON Schema patterns are ECMA-262 regular expressions: `$` matches only at the very end and `\d`
# only ASCII digits. Python's `re` lets `$` match before a final newline, so the reference engine
# gets the pattern translated (the Rust engine already behaves like ECMA-262).
_TRAILING_DOLLAR = re.compile(r"(?<!\\)((?:\\\\)*)\$$")


@functools.lru_cache(maxsize=64)
def _ecma_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(_TRAILING_DOLLAR.sub(r"\1\\Z", pattern), re.ASCII)


_ANNOTATIONS = frozenset({"description", "examples", "example", "summary", "title", "$comment"})
# Keywords whose value maps names to schemas: their keys are names, never annotations.
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})


def _bare(node: Any) -> Any:
    """
    The schema without what only costs time: annotations (``x-*``, descriptions, examples) and
    ``additionalProperties: true`` (the default). The engines skip an annotation only after
    looking at it, on every node of every payload. Paths through the schema are unchanged.
    """
    if isinstance(node, list):
        return [_bare(item) for item in node]
    if not isinstance(node, dict):
        return node
    bare: dict[str, Any] = {}
    for key, value in node.items():
        if key in _ANNOTATIONS or key.startswith("x-"):
            continue
        if key == "additionalProperties" and value is True:
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            bare[key] = {name: _bare(schema) for name, schema in value.items()}
        else:
            bare[key] = _bare(value)
    return bare


@functools.cache
def _compiled(target: str, engine: str) -> Any:
    bare = _bare(schema(target))
    if engine == "jsonschema-rs":
        import jsonschema_rs

        return jsonschema_rs.Draft202012Validator(bare, validate_formats=True)

    from jsonschema import Draft202012Validator, ValidationError, validators

    def pattern(validator: Any, patrn: str, instance: Any, _schema: Any) -> Iterator[Any]:
        if validator.is_type(instance, "string") and not _ecma_pattern(patrn).search(instance):
            yield ValidationError(f"{instance!r} does not match {patrn!r}")

    extended = validators.extend(  # type: ignore[no-untyped-call]
        Draft202012Validator, {"pattern": pattern}
    )
    return extended(bare, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _errors(
    target: str, engine: str, instance: Any
) -> list[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    """(schema path, instance path) of every error; [] when the instance is valid."""
    validator = _compiled(target, engine)
    if engine == "jsonschema-rs":
        found = []
        for error in validator.iter_errors(instance):
            path = tuple(error.instance_path)
            # jsonschema-rs drops an empty key from the instance path ({"": 1} reports its value
            # at the object's own place): a path that does not lead to the failing value is not
            # trusted, and the reference engine explains this payload instead.
            if not _leads_to(instance, path, error.instance):
                return _errors(target, "jsonschema", instance)
            found.append((tuple(error.schema_path), path))
        return found
    return [
        (tuple(error.absolute_schema_path), tuple(error.absolute_path))
        for error in validator.iter_errors(instance)
    ]


def _leads_to(document: Any, path: tuple[Any, ...], value: Any) -> bool:
    """Whether `path` leads from `document` to a value equal to `value`."""
    try:
        found = _at(document, path)
    except (KeyError, IndexError, TypeError):
        return False
    # Equal, not identical: the Rust engine hands back a copy of the failing value.
    return type(found) is type(value) and bool(found == value)


def is_valid(target: str, instance: Any, *, engine: Engine | None = None) -> bool:
    """Whether ``instance`` keeps a target's schema (no explanation: the fast question)."""
    chosen = resolve_engine(engine)
    try:
        return bool(_compiled(target, chosen).is_valid(instance))
    except (ValueError, OverflowError, UnicodeError):
        # A value the Rust engine cannot take (e.g. a lone surrogate): the reference decides.
        return bool(_compiled(target, "jsonschema").is_valid(instance))


def validate(target: str, instance: Any, *, engine: Engine | None = None) -> list[Violation]:
    """The violations of ``instance`` against a target's schema (one per rule and pointer)."""
    chosen = resolve_engine(engine)
    if chosen == "jsonschema-rs":
        # The hot path: a valid payload costs one call into Rust and nothing else.
        try:
            if _compiled(target, chosen).is_valid(instance):
                return []
        except (ValueError, OverflowError, UnicodeError):
            pass  # explained below, by the reference engine if need be
    try:
        errors = _errors(target, chosen, instance)
    except (ValueError, OverflowError, UnicodeError):
        if chosen == "jsonschema":
            raise
        # A value the Rust engine cannot take (e.g. a lone surrogate): the reference engine decides.
        errors = _errors(target, "jsonschema", instance)
    found: dict[tuple[str, str], Violation] = {}
    # Engines report in different orders; the most telling keyword explains a value first.
    errors.sort(key=_error_order)
    for schema_path, instance_path in errors:
        for violation in _explain(target, schema_path, instance_path, instance):
            found.setdefault((violation.rule, violation.pointer), violation)
    return sorted(found.values())


_KEYWORD_ORDER = {
    keyword: rank
    for rank, keyword in enumerate(
        ("type", "required", "enum", "const", "pattern", "minItems", "minLength", "maxLength")
    )
}


def _error_order(error: tuple[tuple[Any, ...], tuple[Any, ...]]) -> tuple[Any, ...]:
    schema_path, instance_path = error
    keyword = schema_path[-1] if schema_path else ""
    return (
        [str(part) for part in instance_path],
        _KEYWORD_ORDER.get(keyword, len(_KEYWORD_ORDER)),
        [str(part) for part in schema_path],
    )


# --- explaining an error -------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _annotations(target: str, schema_path: tuple[Any, ...]) -> tuple[str, Tag, Any]:
    """(rule, tag, node holding the failed keyword) for an error at ``schema_path``."""
    spec = SCHEMAS[target]
    node: Any = schema(target)
    rule: str = spec.fallback_rule
    tag: Tag = "documented"
    parent: Any = node
    for depth, part in enumerate((None, *schema_path)):
        if depth:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                break
        if isinstance(node, dict):
            parent = node
            candidate = node.get("x-rule")
            if isinstance(candidate, str) and candidate.split(".", 1)[0] in spec.scopes:
                rule = candidate
            source = node.get("x-source")
            if isinstance(source, dict) and source.get("tag") in TAGS:
                tag = source["tag"]
    return rule, tag, parent


def _at(document: Any, path: Sequence[Any]) -> Any:
    node = document
    for part in path:
        node = node[part]
    return node


def _name(path: Sequence[Any], subject: str) -> str:
    """A readable name for a place in the payload: ``content.extend.firstTime``, ``assigner[0]``."""
    if not path:
        return subject
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _explain(
    target: str, schema_path: tuple[Any, ...], instance_path: tuple[Any, ...], payload: Any
) -> Iterator[Violation]:
    keyword = schema_path[-1] if schema_path else ""
    subject = SCHEMAS[target].subject
    if "propertyNames" in schema_path:
        # Engines disagree on where a bad key sits; both agree on the object, so each bad key is
        # found here from the object and the propertyNames schema.
        cut = schema_path.index("propertyNames") + 1
        rule, tag, _ = _annotations(target, schema_path[:cut])
        names = _at(schema(target), schema_path[:cut])
        holder = _at(payload, instance_path)
        if isinstance(holder, dict):
            for key in holder:
                problem = _key_problem(key, names)
                if problem:
                    place = (*instance_path, key)
                    yield Violation(
                        rule, pointer(place), f"{_name(place, subject)}: {problem}.", tag
                    )
        return
    rule, tag, node = _annotations(target, schema_path)
    instance = _at(payload, instance_path)
    value = node.get(keyword) if isinstance(node, dict) else None
    if keyword == "required":
        if isinstance(instance, dict) and isinstance(value, list):
            for prop in value:
                if prop not in instance:
                    place = (*instance_path, prop)
                    yield Violation(
                        rule,
                        pointer(place),
                        f"{_name(place, subject)} is required but missing.",
                        tag,
                    )
        return
    yield Violation(
        rule,
        pointer(instance_path),
        _message(keyword, value, _name(instance_path, subject), instance),
        tag,
    )


def _key_problem(key: str, names: Any) -> str:
    if not isinstance(names, dict):
        return ""
    allowed = names.get("enum")
    if isinstance(allowed, list) and key not in allowed:
        return f"the key must be one of {_choices(allowed)}, found {short(key)}"
    expected = names.get("pattern")
    if isinstance(expected, str) and not _ecma_pattern(expected).search(key):
        return f"the key must match {expected}, found {short(key)}"
    return ""


def _choices(values: Sequence[Any]) -> str:
    return ", ".join(str(value) if isinstance(value, str) else short(value) for value in values)


_ARTICLES = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "null": "null",
}


def _message(keyword: str, value: Any, name: str, instance: Any) -> str:
    found = kind(instance)
    if keyword == "type":
        types = value if isinstance(value, list) else [value]
        expected = " or ".join(_ARTICLES.get(str(each), str(each)) for each in types)
        return f"{name} must be {expected}, found {found}."
    if keyword == "enum":
        return f"{name} must be one of {_choices(value)}, found {found}."
    if keyword == "const":
        return f"{name} must be {short(value)}, found {found}."
    if keyword == "pattern":
        return f"{name} must match {value}, found {found}."
    if keyword == "minLength":
        if value == 1:
            return f"{name} must be a non-empty string, found {found}."
        return f"{name} must be at least {value} characters long, found {found}."
    if keyword == "maxLength":
        return f"{name} must be at most {value} characters long, found {found}."
    if keyword == "minItems":
        return f"{name} must have at least {value} item{'s' if value != 1 else ''}, found {found}."
    return f"{name} breaks the schema keyword {keyword!r} ({short(value)}), found {found}."
