"""
truewatch-contract: contract tests, validators and a mock for TrueWatch's Error Tracking update API.

The public surface is re-exported here; everything heavy (schemathesis, hypothesis, starlette,
uvicorn, pytest) is imported only by the modules that need it.
"""

from __future__ import annotations

from truewatch_contract.spec import OPERATION_ID, ROUTE, load_spec, spec_path

__version__ = "0.1.0"

__all__ = [
    # The spec
    "OPERATION_ID",
    "ROUTE",
    "__version__",
    "load_spec",
    "spec_path",
]
