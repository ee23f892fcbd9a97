"""
Comparing the page's description of the endpoint with the spec's.

Each difference is data: a ``point`` (a stable name of the place, e.g. ``body.issueStatus.allowed``,
which the spec's ``x-page-defects`` refer to), what the page shows there, one sentence, and where
on the page it stands.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

from truewatch_contract.drift.expected import (
    Expected,
    Resolver,
    Schema,
    json_type,
    type_fits,
    types_of,
    value_problem,
)
from truewatch_contract.drift.extract import (
    SECTION_TITLES,
    TYPE_WORDS,
    Endpoint,
    Parameter,
    Where,
    parse_flag,
    parse_list,
    parse_literal,
)


@dataclass(frozen=True)
class Difference:
    """One way in which the page and the spec disagree."""

    point: str
    message: str
    where: Where
    page: str | None = None


def path_parameters(route: str) -> list[str]:
    """The parameter names of a route template (``{issue_id}``, ``<issue_id>`` or ``:issue_id``)."""
    return re.findall(r"\{([^}]+)\}", template(route))


def template(route: str) -> str:
    """A route with its parameters written ``{name}``, without a trailing slash."""
    route = re.sub(r"<([^>]+)>", r"{\1}", route)
    route = re.sub(r"(?<=/):([A-Za-z_]\w*)", r"{\1}", route)
    return route.rstrip("/") or "/"


def is_the_endpoint(page: Endpoint, spec: Expected) -> bool:
    """
    Whether the page documents the spec's endpoint, perhaps changed.

    The same route is enough; a moved route still counts when the route keeps the spec's path
    parameters and the body shares at least one field with the spec (a different endpoint's page
    shares neither).
    """
    if template(page.route) == template(spec.route):
        return True
    same_parameters = set(path_parameters(page.route)) == set(spec.route_parameters)
    body = {row.name for row in page.tables.get("body", [])}
    return same_parameters and bool(body & set(spec.body_fields))


def compare(page: Endpoint, spec: Expected, resolver: Resolver) -> list[Difference]:
    """Every difference between the page and the spec, in page order."""
    found: list[Difference] = []
    at_route = Where("route line", line=page.route_line)
    if page.method != spec.method:
        found.append(
            Difference(
                "method",
                f"the method is {page.method}, the spec says {spec.method}",
                at_route,
                page.method,
            )
        )
    if template(page.route) != template(spec.route):
        found.append(
            Difference(
                "route",
                f"the route moved: the page has {page.route}, the spec {spec.route}",
                at_route,
                page.route,
            )
        )
    found += _table(page, "route", spec.route_parameters, resolver)
    found += _table(page, "body", spec.body_fields, resolver)
    found += _request(page, spec)
    found += _response(page, spec, resolver)
    return found


# Parameter tables ------------------------------------------------------------------------------


def _table(
    page: Endpoint, kind: str, fields: dict[str, tuple[Schema, bool]], resolver: Resolver
) -> list[Difference]:
    title = f"{SECTION_TITLES[kind]} table"
    rows = page.tables.get(kind)
    if rows is None:
        if not fields:
            return []
        return [Difference(kind, f"the page has no {SECTION_TITLES[kind]} section", Where(title))]
    found: list[Difference] = []
    names = {row.name for row in rows}
    for row in rows:
        where = Where(title, f"row {row.name}", row.line)
        if row.name not in fields:
            found.append(
                Difference(
                    f"{kind}.{row.name}",
                    f"parameter {row.name} is on the page, not in the spec",
                    where,
                    row.name,
                )
            )
            continue
        schema, required = fields[row.name]
        found += _row(kind, row, schema, required, title, resolver)
    last = rows[-1].line if rows else page.sections.get(kind)
    for name in fields:
        if name not in names:
            found.append(
                Difference(
                    f"{kind}.{name}",
                    f"parameter {name} of the spec is no longer on the page",
                    Where(title, line=last),
                )
            )
    return found


def _row(
    kind: str, row: Parameter, schema: Schema, required: bool, title: str, resolver: Resolver
) -> list[Difference]:
    found: list[Difference] = []
    point = f"{kind}.{row.name}"

    def where(*labels: str) -> Where:
        stated = row.label(*labels) if labels else None
        return Where(title, f"row {row.name}", stated[1] if stated else row.line)

    def add(suffix: str, message: str, at: Where, value: str | None) -> None:
        found.append(Difference(f"{point}.{suffix}", f"{row.name}: {message}", at, value))

    allowed = types_of(schema) - {"null"}
    word = row.type_word.strip().lower()
    meant = TYPE_WORDS.get(
        re.sub(r"[\[<(].*$", "", word) or word, "array" if word.startswith("[]") else word
    )
    if meant == "enum":
        meant = next(iter(types_of({"enum": schema.get("enum", [])}) or {"string"}))
    if allowed and not type_fits(meant, allowed):
        add(
            "type",
            f"the type is {row.type_word}, the spec says {' or '.join(sorted(allowed))}",
            where(),
            row.type_word,
        )
    if row.required != required:
        says = "required" if row.required else "optional"
        add(
            "required",
            f"the page marks it {says}, the spec {'required' if required else 'optional'}",
            where(),
            says,
        )
    _flags(row, schema, allowed, kind, add, where)
    enum = schema.get("enum")
    stated = row.label("allowed values", "enum", "options", "values")
    if stated is not None:
        values = parse_list(stated[0]) or []
        spec_values = [str(value) for value in enum or []]
        if enum is None:
            add(
                "allowed",
                f"the page lists allowed values {values}, the spec has none",
                where("allowed values"),
                stated[0],
            )
        for value in values:
            if enum is not None and value not in spec_values:
                add(
                    "allowed",
                    f"allowed value {value!r} is on the page, not in the spec",
                    where("allowed values"),
                    value,
                )
        for value in spec_values:
            if value not in values:
                add(
                    "allowed",
                    f"allowed value {value!r} of the spec is no longer on the page",
                    where("allowed values"),
                    stated[0],
                )
    elif enum is not None:
        add("allowed", "the page no longer lists the allowed values", where(), None)
    example = row.label("example", "examples")
    if example is not None:
        problem = value_problem(parse_literal(example[0]), schema, resolver)
        if problem:
            add(
                "example",
                f"the example {example[0]} {problem}",
                where("example", "examples"),
                example[0],
            )
    return found


def _flags(
    row: Parameter, schema: Schema, allowed: set[str], kind: str, add: Any, where: Any
) -> None:
    """The "Allow empty" (null, and [] for an array) and "Allow empty string" flags."""
    checks: list[tuple[str, str, bool]] = []
    if kind == "body":
        # For a body field, "empty" is null, and for an array also [] (docs/contract-decisions.md).
        empty = "null" in types_of(schema) or (
            "array" in allowed and int(schema.get("minItems", 0)) < 1
        )
        checks.append(("allow empty", "allow-empty", empty))
    if "string" in allowed:
        enum = schema.get("enum")
        pattern = schema.get("pattern")
        empty_string = int(schema.get("minLength", 0)) < 1 and (enum is None or "" in enum)
        if empty_string and isinstance(pattern, str):
            empty_string = re.search(pattern, "") is not None
        checks.append(("allow empty string", "allow-empty-string", empty_string))
    for label, suffix, spec_allows in checks:
        stated = row.label(label)
        title = label.capitalize()
        if stated is None:
            if not spec_allows:
                add(
                    suffix,
                    f"the page no longer says '{title}: False' (the spec rejects it)",
                    where(),
                    None,
                )
            continue
        flag = parse_flag(stated[0])
        if flag is None:
            add(
                suffix, f"'{title}: {stated[0]}' is neither True nor False", where(label), stated[0]
            )
        elif flag != spec_allows:
            add(
                suffix,
                f"'{title}: {stated[0]}', the spec says {spec_allows}",
                where(label),
                stated[0],
            )


# The request example ---------------------------------------------------------------------------


def _request(page: Endpoint, spec: Expected) -> list[Difference]:
    example = page.request
    title = "Request Example"
    if example is None:
        return [Difference("request", "the page has no request example", Where(title))]
    where = Where(title, "curl", example.line)
    if example.problem:
        return [
            Difference("request", f"the request example cannot be read: {example.problem}", where)
        ]
    found: list[Difference] = []
    if example.method != spec.method:
        found.append(
            Difference(
                "request.method",
                f"the example sends {example.method}, the spec says {spec.method}",
                where,
                example.method,
            )
        )
    parts = urllib.parse.urlsplit(example.url or "")
    if template(urllib.parse.unquote(parts.path)) != template(spec.route):
        found.append(
            Difference(
                "request.route",
                f"the example's URL path {parts.path or '(none)'} is not the spec's route "
                f"{spec.route}",
                where,
                parts.path,
            )
        )
    if spec.hosts and parts.hostname not in spec.hosts:
        found.append(
            Difference(
                "request.host",
                f"the example's host {parts.hostname} is not a server of the spec "
                f"({', '.join(spec.hosts)})",
                where,
                parts.hostname,
            )
        )
    headers = {name.lower(): value for name, value in example.headers.items()}
    for name in spec.key_headers:
        if name.lower() not in headers:
            found.append(
                Difference(
                    "request.key-header",
                    f"the example sends no {name} header (the spec's key header)",
                    where,
                    ", ".join(example.headers),
                )
            )
    sent_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if spec.media_types and sent_type and sent_type not in spec.media_types:
        found.append(
            Difference(
                "request.content-type",
                f"the example sends Content-Type {sent_type}, the spec takes "
                f"{', '.join(spec.media_types)}",
                where,
                sent_type,
            )
        )
    if example.body is None:
        found.append(Difference("request.body", "the example sends no body", where))
        return found
    try:
        body = json.loads(example.body)
    except ValueError:
        found.append(
            Difference(
                "request.body",
                f"the example's body {example.body} is not JSON",
                where,
                example.body,
            )
        )
        return found
    if spec.request_examples and body not in spec.request_examples:
        found.append(
            Difference(
                "request.body",
                f"the example's body {example.body} is none of the spec's request examples",
                where,
                example.body,
            )
        )
    return found


# The example response --------------------------------------------------------------------------


def _response(page: Endpoint, spec: Expected, resolver: Resolver) -> list[Difference]:
    example = page.response
    title = "Response example"
    if example is None:
        return [Difference("response", "the page has no example response", Where(title))]
    if example.problem:
        return [Difference("response", example.problem, Where(title, line=example.line))]
    found: list[Difference] = []
    _walk(example.value, spec.response, "", resolver, example.lines, found)
    return found


def _walk(
    value: Any,
    schema: Schema,
    path: str,
    resolver: Resolver,
    lines: dict[str, int],
    found: list[Difference],
) -> None:
    schema = resolver.schema(schema)
    name = path or "the response"

    def where(at: str) -> Where:
        name, line = at, lines.get(at)
        while line is None and at:
            at = re.sub(r"(\.[^.\[]*|\[\d+\])$", "", at)
            line = lines.get(at)
        return Where("Response example", f"field {name}" if name else "", line)

    kind = json_type(value)
    allowed = types_of(schema)
    if not type_fits(kind, allowed):
        found.append(
            Difference(
                f"response.{path}.type",
                f"{name} is {kind} on the page, the spec says {' or '.join(sorted(allowed))}",
                where(path),
                kind,
            )
        )
        return
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        names = resolver.schema(schema.get("propertyNames", {}))
        for key, item in value.items():
            child = f"{path}.{key}" if path else key
            if key in properties:
                _walk(item, properties[key], child, resolver, lines, found)
            elif isinstance(extra, dict) and (extra or not properties):
                if "enum" in names and key not in names["enum"]:
                    found.append(
                        Difference(
                            f"response.{child}",
                            f"{path} has the key {key!r}, which the spec does not allow",
                            where(child),
                            key,
                        )
                    )
                _walk(item, extra, child, resolver, lines, found)
            else:
                found.append(
                    Difference(
                        f"response.{child}",
                        f"field {child} is on the page, not in the spec",
                        where(child),
                        json_type(item),
                    )
                )
        for key in properties:
            if key not in value:
                child = f"{path}.{key}" if path else key
                found.append(
                    Difference(
                        f"response.{child}",
                        f"field {child} of the spec is no longer in the example response",
                        where(path),
                    )
                )
    elif isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            _walk(item, schema["items"], f"{path}[{index}]", resolver, lines, found)
