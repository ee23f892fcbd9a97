"""
Extracting the endpoint's description from the page's lines.

The page is read the way a person reads it: the first ``METHOD /route`` line, then the sections
under their headings ("Route Parameters", "Body Parameters", "Request Example", "Response").
Parameter tables are read whether their cells are separated by tabs (HTML, a browser's copy),
pipes, plain spaces (a text scrape) or line breaks (one cell per line); the lines under a row that
read "Label: value" (``Example``, ``Allow empty``, ``Allowed values``, ...) belong to that row.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from truewatch_contract.drift.page import Line, Page, PageError

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_ROUTE_LINE = re.compile(
    r"^\s*(" + "|".join(METHODS) + r")\s+(?:https?://[^/\s]+)?(/\S*)\s*\W?\s*$", re.I
)

#: Section headings, normalised, and the section each one opens.
SECTIONS = {
    "overview": "overview",
    "route parameters": "route",
    "path parameters": "route",
    "query parameters": "query",
    "body parameters": "body",
    "request body": "body",
    "parameter details": "details",
    "request example": "request",
    "request examples": "request",
    "example request": "request",
    "response": "response",
    "responses": "response",
    "response example": "response",
    "response examples": "response",
    "example response": "response",
}
SECTION_TITLES = {
    "route": "Route Parameters",
    "query": "Query Parameters",
    "body": "Body Parameters",
    "request": "Request Example",
    "response": "Response",
}

# Type words a parameter table uses, and the JSON Schema type each means.
TYPE_WORDS = {
    "string": "string",
    "str": "string",
    "text": "string",
    "array": "array",
    "list": "array",
    "integer": "integer",
    "int": "integer",
    "int32": "integer",
    "int64": "integer",
    "long": "integer",
    "number": "number",
    "float": "number",
    "double": "number",
    "decimal": "number",
    "boolean": "boolean",
    "bool": "boolean",
    "object": "object",
    "dict": "object",
    "map": "object",
    "json": "object",
    "null": "null",
    "enum": "enum",
    "any": "any",
}
_TRUE = {"y", "yes", "true", "required", "✓", "✔", "√", "是", "必填", "必选"}
_FALSE = {"n", "no", "false", "optional", "否", "-", "—"}
_HEADER_WORDS = re.compile(
    r"parameter name|parameter|field name|field|name|type|required|description|desc|default",
    re.I,
)
_LABEL = re.compile(r"^\s*([A-Za-z][A-Za-z ]{0,40}?)\s*[:：]\s*(.*)$")
_IDENTIFIER = re.compile(r"^[A-Za-z_$][\w.$\[\]-]*$")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


@dataclass(frozen=True)
class Where:
    """Where something stands on the page: its section, the row or field, and the line."""

    section: str
    item: str = ""
    line: int | None = None

    def __str__(self) -> str:
        parts = [self.section]
        if self.item:
            parts.append(self.item)
        if self.line is not None:
            parts.append(f"line {self.line}")
        return ", ".join(parts)


@dataclass
class Parameter:
    """One row of a parameter table."""

    name: str
    type_word: str
    required: bool
    description: str
    line: int
    labels: dict[str, tuple[str, int]] = field(default_factory=dict)

    def label(self, *names: str) -> tuple[str, int] | None:
        """The value of the first of ``names`` that the row states (lower-case label names)."""
        for name in names:
            if name in self.labels:
                return self.labels[name]
        return None


@dataclass
class RequestExample:
    """The page's request example (a curl command)."""

    line: int
    method: str | None = None
    url: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    problem: str | None = None


@dataclass
class ResponseExample:
    """The page's example response: the parsed JSON and the line of each field."""

    line: int
    value: Any = None
    problem: str | None = None
    lines: dict[str, int] = field(default_factory=dict)


@dataclass
class Endpoint:
    """What the page says about the endpoint."""

    method: str
    route: str
    route_line: int
    sections: dict[str, int] = field(default_factory=dict)
    tables: dict[str, list[Parameter]] = field(default_factory=dict)
    request: RequestExample | None = None
    response: ResponseExample | None = None


def extract(page: Page) -> Endpoint:
    """
    Read the endpoint's description from the page.

    Raises:
        PageError: the page names no ``METHOD /route`` (not an API reference page).
    """
    lines = page.lines
    start = next((i for i, line in enumerate(lines) if _ROUTE_LINE.match(line.text)), None)
    if start is None:
        raise PageError(f"{page.source} does not look like an API page: no 'METHOD /route' line")
    match = _ROUTE_LINE.match(lines[start].text)
    assert match is not None
    endpoint = Endpoint(match.group(1).upper(), match.group(2), lines[start].number)
    for name, body in _sections(lines[start + 1 :]).items():
        heading, content = body
        endpoint.sections[name] = heading
        if name in ("route", "query", "body"):
            endpoint.tables[name] = parse_table(content)
        elif name == "request":
            endpoint.request = parse_request(content, heading)
        elif name == "response":
            endpoint.response = parse_response(content, heading)
    if not (endpoint.tables or endpoint.request or endpoint.response):
        raise PageError(
            f"{page.source} names {endpoint.method} {endpoint.route} but has none of an endpoint "
            "page's sections (parameters, request example, response)"
        )
    return endpoint


def _heading(text: str) -> str | None:
    normal = re.sub(r"\s+", " ", text.strip().rstrip("¶#:").strip()).lower()
    return SECTIONS.get(normal)


def _sections(lines: tuple[Line, ...]) -> dict[str, tuple[int, list[Line]]]:
    """The first section of each kind: its heading's line and its lines."""
    found: dict[str, tuple[int, list[Line]]] = {}
    current: list[Line] | None = None
    for line in lines:
        kind = _heading(line.text)
        if kind is not None:
            if kind in found:
                current = None  # a second "Response" (say, in a footer) is not read
                continue
            current = []
            found[kind] = (line.number, current)
        elif current is not None:
            current.append(line)
    return found


# Parameter tables ------------------------------------------------------------------------------


def _cells(text: str) -> list[str] | None:
    """The cells of a line whose cells are marked (tabs or pipes); None for a plain line."""
    if "\t" in text:
        return [cell.strip() for cell in text.split("\t")]
    stripped = text.strip()
    if stripped.count("|") >= 2:
        return [cell.strip() for cell in stripped.strip("|").split("|")]
    return None


def _header_columns(text: str) -> list[str] | None:
    """The columns of a table header line ("Parameter Name Type Required Description")."""
    cells = _cells(text)
    words = cells if cells is not None else _HEADER_WORDS.findall(text)
    rest = _HEADER_WORDS.sub("", text).replace("|", "").strip(" \t-:")
    if rest or not words:
        return None
    columns = [_column(word) for word in words]
    return columns if "type" in columns and "name" in columns else None


def _column(word: str) -> str:
    word = word.strip().lower()
    if word in ("parameter name", "parameter", "field name", "field", "name"):
        return "name"
    if word in ("desc", "description"):
        return "description"
    return word


def _type_word(token: str) -> bool:
    token = token.strip().lower()
    base = re.sub(r"[\[<(].*$", "", token).strip("[]") or token
    return base in TYPE_WORDS or token.startswith("[]")


def _required(token: str) -> bool | None:
    token = token.strip().lower()
    if token in _TRUE:
        return True
    if token in _FALSE:
        return False
    return None


def parse_table(lines: list[Line]) -> list[Parameter]:
    """Read the rows of a parameter table (the lines of its section)."""
    columns = ["name", "type", "required", "description"]
    rows: list[Parameter] = []
    texts = [line for line in lines if line.text.strip()]
    index = 0
    header_seen = False
    while index < len(texts):
        line = texts[index]
        text = line.text
        index += 1
        if not header_seen:
            found = _header_columns(text)
            if found is None and _column(text) == "name":
                # One header cell per line (a table copied cell by cell).
                gathered = []
                probe = index - 1
                while probe < len(texts) and _header_columns_cell(texts[probe].text):
                    gathered.append(_column(texts[probe].text))
                    probe += 1
                if "type" in gathered:
                    found, index = gathered, probe
            if found is not None:
                columns, header_seen = found, True
                continue
        row = _row(text, columns, line.number)
        if row is not None:
            rows.append(row)
            continue
        if _IDENTIFIER.match(text.strip()) and index < len(texts):
            following = texts[index].text.strip()
            if _type_word(following) and " " not in following:
                # One cell per line: name, type, then perhaps a required mark.
                row = Parameter(text.strip(), following, False, "", line.number)
                index += 1
                if index < len(texts) and _required(texts[index].text) is not None:
                    row.required = bool(_required(texts[index].text))
                    index += 1
                rows.append(row)
                continue
        label = _LABEL.match(text)
        if rows and label:
            rows[-1].labels[label.group(1).strip().lower()] = (label.group(2).strip(), line.number)
        elif rows:
            rows[-1].description = f"{rows[-1].description} {text.strip()}".strip()
    return rows


def _header_columns_cell(text: str) -> bool:
    return bool(_HEADER_WORDS.fullmatch(text.strip()))


def _row(text: str, columns: list[str], number: int) -> Parameter | None:
    """A table row on one line, or None when the line is no row."""
    cells = _cells(text)
    if cells is not None:
        values = dict(zip(columns, cells, strict=False))
        name, type_word = values.get("name", ""), values.get("type", "")
        if not _IDENTIFIER.match(name) or not type_word:
            return None
        required = _required(values.get("required", "")) or False
        return Parameter(name, type_word, required, values.get("description", ""), number)
    tokens = text.split()
    if len(tokens) < 2 or not _IDENTIFIER.match(tokens[0]) or not _type_word(tokens[1]):
        return None
    marked = _required(tokens[2]) if len(tokens) > 2 and "required" in columns else None
    rest = tokens[3:] if marked is not None else tokens[2:]
    return Parameter(tokens[0], tokens[1], bool(marked), " ".join(rest), number)


def parse_list(text: str) -> list[str] | None:
    """A list of values as a page writes it: ``['a', 'b']``, ``["a","b"]`` or ``a, b``."""
    text = text.translate(_QUOTES).strip()
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        value = [part.strip().strip("'\"`") for part in text.strip("[]()").split(",")]
    if isinstance(value, (list, tuple, set)):
        return [str(item) for item in value]
    return [str(value)]


def parse_literal(text: str) -> Any:
    """An example as a page writes it: JSON, a Python literal, or else the bare text."""
    text = text.translate(_QUOTES).strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return text


def parse_flag(text: str) -> bool | None:
    return _required(text.split()[0] if text.split() else "")


# The request example ---------------------------------------------------------------------------


def parse_request(lines: list[Line], heading: int) -> RequestExample:
    """Read the curl command of the request example."""
    start = next((i for i, line in enumerate(lines) if line.text.lstrip().startswith("curl")), None)
    if start is None:
        return RequestExample(heading, problem="no curl command under the heading")
    example = RequestExample(lines[start].number)
    command = ""
    for line in lines[start:]:
        text = line.text.rstrip()
        if text.endswith("\\"):
            command += text[:-1] + " "
            continue
        command += text
        break
    try:
        words = shlex.split(command)
    except ValueError as error:
        example.problem = f"the curl command cannot be split into words ({error})"
        return example
    position = 1
    while position < len(words):
        word = words[position]
        value = words[position + 1] if position + 1 < len(words) else ""
        if word in ("-X", "--request"):
            example.method, position = value.upper(), position + 2
        elif word in ("-H", "--header"):
            name, _, content = value.partition(":")
            example.headers[name.strip()] = content.strip()
            position += 2
        elif word in ("-d", "--data", "--data-raw", "--data-binary", "--data-ascii", "--json"):
            example.body, position = value, position + 2
        elif word == "--url":
            example.url, position = value, position + 2
        elif word.startswith("-"):
            position += 1
        else:
            example.url = example.url or word
            position += 1
    if example.method is None:
        example.method = "POST" if example.body is not None else "GET"
    return example


# The example response --------------------------------------------------------------------------


def parse_response(lines: list[Line], heading: int) -> ResponseExample:
    """Read the JSON of the example response and the line of each of its fields."""
    start = next((i for i, line in enumerate(lines) if line.text.lstrip().startswith("{")), None)
    if start is None:
        return ResponseExample(heading, problem="no JSON object under the heading")
    first = lines[start].number
    # Lines are joined with their real gaps so that positions in the text map back to lines.
    text = ""
    previous = first
    for line in lines[start:]:
        text += "\n" * max(1, line.number - previous) if text else ""
        text += line.text
        previous = line.number
    text = text.lstrip()
    example = ResponseExample(first)
    decoder = json.JSONDecoder()
    try:
        example.value, _ = decoder.raw_decode(text)
    except ValueError as error:
        example.problem = f"the example response is not valid JSON ({error})"
        return example
    except RecursionError:
        example.problem = "the example response is nested too deeply"
        return example
    example.lines = field_lines(text, first)
    return example


def field_lines(text: str, first_line: int) -> dict[str, int]:
    """
    Map each member and element of a JSON text to its line (paths like ``content.a[0].b``).

    Only called on text that parsed, so the walk can trust its structure.
    """
    found: dict[str, int] = {"": first_line}
    stack: list[list[Any]] = []  # [kind, path, index or key, expecting a key]
    line = first_line
    position = 0
    length = len(text)

    def value_path() -> str | None:
        if not stack:
            return ""
        kind, path, slot, _ = stack[-1]
        if kind == "array":
            return f"{path}[{slot}]"
        return f"{path}.{slot}" if path else str(slot)

    while position < length:
        char = text[position]
        if char == "\n":
            line += 1
            position += 1
            continue
        if char in " \t\r":
            position += 1
            continue
        if char == '"':
            end = position + 1
            while text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            token = json.loads(text[position : end + 1])
            position = end + 1
            if stack and stack[-1][0] == "object" and stack[-1][3]:
                stack[-1][2], stack[-1][3] = token, False
                path = value_path()
                if path is not None:
                    found[path] = line
            elif stack and stack[-1][0] == "array":
                path = value_path()
                if path is not None:
                    found.setdefault(path, line)
            if not stack:
                break
            continue
        if char in "{[":
            path = value_path() or ""
            if stack and stack[-1][0] == "array":
                found.setdefault(path, line)
            stack.append(["object" if char == "{" else "array", path, 0, char == "{"])
        elif char in "}]":
            stack.pop()
            if not stack:
                break
        elif char == ",":
            if stack[-1][0] == "array":
                stack[-1][2] += 1
            else:
                stack[-1][3] = True
        elif char != ":" and stack and stack[-1][0] == "array":
            path = value_path()
            if path is not None:
                found.setdefault(path, line)
        position += 1
    return found
