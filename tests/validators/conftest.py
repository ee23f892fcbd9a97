"""Fixtures of the validators' tests."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

# The tests import their shared payloads by module name (pytest runs with --import-mode=importlib,
# which does not put test folders on sys.path).
sys.path.insert(0, str(Path(__file__).resolve().parent))

from validator_payloads import DATA, ENGINES, example_response


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def success() -> dict[str, Any]:
    return example_response()


@pytest.fixture
def vendor_file() -> Path:
    return DATA / "vendor-example-response.json"
