"""
What the spec says about the endpoint, in the terms the page uses.

Reads the parsed OpenAPI document (from `truewatch_contract.spec`, never a YAML file directly):
the operation's method and route, its route parameters, its body fields, its request examples,
its servers, its key header and the schema of its successful response.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from truewatch_contract.spec import OPERATION_ID

Schema = dict[str, Any]


@dataclass
class Expected:
    """The endpoint as the spec describes it."""

    method: str
    route: str
    route_parameters: dict[str, tuple[Schema, bool]] = field(default_factory=dict)
    body_fields: dict[str, tuple[Schema, bool]] = field(default_factory=dict)
    request_examples: list[Any] = field(default_factory=list)
    media_types: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)
    key_headers: list[str] = field(default_factory=list)
    response: Schema = field(default_factory=dict)


class Resolver:
    """Follows the document's local ``$ref``s and merges ``allOf`` into one schema."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def ref(self, node: Any) -> Any:
        seen = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 32:
            node = self._pointer(node["$ref"])
            seen += 1
        return node

    def _pointer(self, ref: str) -> Any:
        if not ref.startswith("#/"):
            raise ValueError(f"the spec refers outside itself ({ref}); drift reads local refs only")
        node: Any = self.document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            node = node[int(part)] if isinstance(node, list) else node[part]
        return node

    def schema(self, node: Any) -> Schema:
        """The schema at ``node``, with its ``$ref`` followed and its ``allOf`` merged."""
        node = self.ref(node)
        if not isinstance(node, dict):
            return {}
        if "allOf" not in node:
            return node
        merged: Schema = {k: v for k, v in node.items() if k != "allOf"}
        properties: dict[str, Any] = {}
        required: list[str] = []
        for part in node["allOf"]:
            part = self.schema(part)
            for key, value in part.items():
                if key == "properties":
                    properties.update(value)
                elif key == "required":
                    required.extend(name for name in value if name not in required)
                else:
                    merged.setdefault(key, value)
        merged.setdefault("properties", {}).update(properties)
        if required:
            merged["required"] = required
        return merged


def expected(document: dict[str, Any]) -> Expected:
    """Describe the operation `OPERATION_ID` of the document."""
    resolver = Resolver(document)
    for route, item in (document.get("paths") or {}).items():
        for method, operation in (item or {}).items():
            if isinstance(operation, dict) and operation.get("operationId") == OPERATION_ID:
                return _describe(resolver, route, method.upper(), item, operation)
    raise ValueError(f"the spec has no operation {OPERATION_ID}")


def _describe(
    resolver: Resolver, route: str, method: str, item: dict[str, Any], operation: dict[str, Any]
) -> Expected:
    document = resolver.document
    result = Expected(method, route)
    for parameter in [*item.get("parameters", []), *operation.get("parameters", [])]:
        parameter = resolver.ref(parameter)
        if parameter.get("in") == "path":
            schema = resolver.schema(parameter.get("schema", {}))
            result.route_parameters[parameter["name"]] = (schema, bool(parameter.get("required")))
    body = resolver.ref(operation.get("requestBody", {}))
    content = body.get("content", {})
    result.media_types = list(content)
    media: dict[str, Any] = content.get("application/json") or next(iter(content.values()), {})
    schema = resolver.schema(media.get("schema", {}))
    required = set(schema.get("required", []))
    for name, node in (schema.get("properties") or {}).items():
        result.body_fields[name] = (resolver.schema(node), name in required)
    for example in (media.get("examples") or {}).values():
        example = resolver.ref(example)
        if isinstance(example, dict) and "value" in example:
            result.request_examples.append(example["value"])
    if "example" in media:
        result.request_examples.append(media["example"])
    for server in document.get("servers", []):
        host = urllib.parse.urlsplit(str(server.get("url", ""))).hostname
        if host:
            result.hosts.append(host)
    for scheme in ((document.get("components") or {}).get("securitySchemes") or {}).values():
        scheme = resolver.ref(scheme)
        if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
            result.key_headers.append(str(scheme.get("name")))
    success = resolver.ref((operation.get("responses") or {}).get("200", {}))
    success_media = (success.get("content") or {}).get("application/json", {})
    result.response = resolver.schema(success_media.get("schema", {}))
    return result


def types_of(schema: Schema) -> set[str]:
    """The JSON types a schema allows (empty: any); an untyped enum gives its values' types."""
    declared = schema.get("type")
    if isinstance(declared, str):
        return {declared}
    if isinstance(declared, list):
        return {str(kind) for kind in declared}
    if "enum" in schema:
        return {json_type(value) for value in schema["enum"]}
    return set()


def json_type(value: Any) -> str:
    """The JSON type of a parsed value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    return "object"


def type_fits(actual: str, allowed: set[str]) -> bool:
    """Whether a value of JSON type ``actual`` fits; an integer fits where a number is allowed."""
    return not allowed or actual in allowed or (actual == "integer" and "number" in allowed)


def value_problem(value: Any, schema: Schema, resolver: Resolver) -> str | None:
    """Why an example value does not fit a schema (type, enum, pattern, items), or None."""
    schema = resolver.schema(schema)
    kind = json_type(value)
    allowed = types_of(schema)
    if not type_fits(kind, allowed):
        return f"is {_a(kind)}, the spec says {' or '.join(sorted(allowed))}"
    if "enum" in schema and value not in schema["enum"]:
        return "is not one of the allowed values"
    pattern = schema.get("pattern")
    if isinstance(value, str) and isinstance(pattern, str) and not re.search(pattern, value):
        return f"does not match the spec's pattern {pattern}"
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            problem = value_problem(item, schema["items"], resolver)
            if problem:
                return f"item {index} ({item!r}) {problem}"
    return None


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"
