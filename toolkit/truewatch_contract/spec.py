"""
The OpenAPI document that drives the toolkit: where it lives and how it is loaded.

The YAML in the repository's ``openapi/`` folder is the one source. A wheel ships it in
``truewatch_contract/openapi/`` together with a JSON copy that the build generates from it
(``hatch_build.py``), so an installed package reads the spec with the standard library alone. An
editable checkout has no JSON copy: it reads the YAML (PyYAML is a dev dependency there), through
the cache described in `truewatch_contract.spec_cache`.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from pathlib import Path
from typing import Any

from truewatch_contract import spec_cache

SPEC_NAME = "error-track.openapi.yaml"
SPEC_JSON_NAME = "error-track.openapi.json"
OPERATION_ID = "updateErrorTrackIssue"
ROUTE = "/api/v1/error_track/{issue_id}/update"

_PACKAGE_DIR = Path(__file__).resolve().parent


class SpecError(ValueError):
    """The spec cannot be read: a broken checkout or a missing build requirement."""


def resource_path(*parts: str) -> Path:
    """
    Find a file or folder that ships with the package.

    Looks inside the installed package first (a wheel), then in the source checkout that holds
    ``toolkit/`` (an editable install).

    Raises:
        FileNotFoundError: neither place has it.
    """
    packaged = _PACKAGE_DIR.joinpath(*parts)
    if packaged.exists():
        return packaged
    checkout = _PACKAGE_DIR.parent.parent.joinpath(*parts)
    if checkout.exists():
        return checkout
    raise FileNotFoundError(f"{'/'.join(parts)} is neither in {_PACKAGE_DIR} nor in the checkout")


def spec_path() -> Path:
    """Return the path of the OpenAPI document (the YAML, in a wheel and in a checkout alike)."""
    return resource_path("openapi", SPEC_NAME)


def shipped_json_path() -> Path | None:
    """The JSON copy a wheel carries, or None (an editable checkout has none)."""
    path = _PACKAGE_DIR / "openapi" / SPEC_JSON_NAME
    return path if path.is_file() else None


def parse_yaml(data: bytes) -> dict[str, Any]:
    """
    Parse the YAML spec's bytes.

    Raises:
        SpecError: PyYAML is missing, or the bytes hold no OpenAPI document.
    """
    try:
        import yaml  # only a checkout reads YAML at run time
    except ModuleNotFoundError:
        raise SpecError(
            "reading the spec from a source checkout needs PyYAML: pip install -e '.[dev]'"
        ) from None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        document = yaml.load(data, Loader=loader)  # a safe loader
    except yaml.YAMLError as error:
        raise SpecError(f"{spec_path()} is not valid YAML: {error}") from None
    if not isinstance(document, dict):
        raise SpecError(f"{spec_path()} does not hold an OpenAPI document")
    return document


def load_spec() -> dict[str, Any]:
    """
    Return the parsed OpenAPI document.

    The document is parsed once per process; each call returns a fresh deep copy, so a caller
    may change what it gets without affecting anyone else.
    """
    return copy.deepcopy(spec_document())


@functools.cache
def spec_document() -> dict[str, Any]:
    """
    The parsed document, read once per process and shared (read-only by convention: the
    library's own fast path; `load_spec` gives a copy to change).

    Raises:
        SpecError: the spec cannot be read.
    """
    shipped = shipped_json_path()
    if shipped is not None:
        return _read_shipped(shipped)
    path = spec_path()
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SpecError(f"cannot read the spec {path}: {error.strerror or error}") from None
    entry, digest, prefix = spec_cache.locate(path, data)
    cached = spec_cache.read(entry, digest)
    if cached is not None:
        return cached
    # Parsed from the very bytes that were hashed: an entry never holds another version.
    parsed = parse_yaml(data)
    spec_cache.write(entry, prefix, digest, parsed)
    return parsed


def _read_shipped(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            loaded = json.load(handle)
    except (OSError, ValueError) as error:
        raise SpecError(f"the installed spec {path} is unreadable ({error}); reinstall") from None
    if not isinstance(loaded, dict):
        raise SpecError(f"the installed spec {path} holds no OpenAPI document; reinstall")
    return loaded


# --- the contract's vocabulary, from the spec --------------------------------------------------


def _schema(name: str) -> dict[str, Any]:
    schema = spec_document().get("components", {}).get("schemas", {}).get(name, {})
    return schema if isinstance(schema, dict) else {}


@functools.cache
def issue_statuses() -> tuple[str, ...]:
    """The allowed ``issueStatus`` values, in the spec's order (``IssueStatus``'s enum)."""
    return tuple(str(value) for value in _schema("IssueStatus").get("enum", []))


@functools.cache
def account_id_pattern() -> re.Pattern[str]:
    """The ``AccountId`` pattern (``acnt_`` + 32 lowercase hex), from the spec."""
    pattern = _schema("AccountId").get("pattern")
    if not isinstance(pattern, str):
        raise SpecError("the spec's AccountId schema has no pattern")
    return re.compile(pattern)
