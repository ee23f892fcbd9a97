"""
The OpenAPI document that drives the toolkit: where it lives and how it is loaded.

The spec ships inside the wheel (``truewatch_contract/openapi/``); an editable checkout reads it
from the repository's ``openapi/`` folder instead, so there is exactly one copy to edit.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

SPEC_NAME = "error-track.openapi.yaml"
OPERATION_ID = "updateErrorTrackIssue"
ROUTE = "/api/v1/error_track/{issue_id}/update"

_PACKAGE_DIR = Path(__file__).resolve().parent


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
    """Return the path of the OpenAPI document."""
    return resource_path("openapi", SPEC_NAME)


@functools.lru_cache(maxsize=1)
def _load_cached() -> dict[str, Any]:
    import yaml  # imported here: a CLI run that never needs the spec does not pay for it

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with spec_path().open("rb") as handle:
        document = yaml.load(handle, Loader=loader)
    if not isinstance(document, dict):
        raise ValueError(f"{spec_path()} does not hold an OpenAPI document")
    return document


def load_spec() -> dict[str, Any]:
    """
    Return the parsed OpenAPI document.

    The document is parsed once per process; each call returns a fresh deep copy, so a caller
    may change what it gets without affecting anyone else.
    """
    import copy

    return copy.deepcopy(_load_cached())


def spec_document() -> dict[str, Any]:
    """Return the shared, parsed document. Read-only by convention: the library's own fast path."""
    return _load_cached()
