"""
truewatch-contract: contract tests, validators and a mock for TrueWatch's Error Tracking update API.

The public surface is re-exported here; everything heavy (schemathesis, hypothesis, starlette,
uvicorn, pytest) is imported only by the modules that need it.
"""

from __future__ import annotations

from truewatch_contract.rules import RULES, Rule
from truewatch_contract.spec import OPERATION_ID, ROUTE, load_spec, spec_path
from truewatch_contract.validate import (
    SentRequest,
    assert_valid_envelope,
    assert_valid_request,
    assert_valid_response,
    evaluate_envelope,
    evaluate_request,
    evaluate_response,
    validate_envelope,
    validate_request,
    validate_response,
)
from truewatch_contract.violations import ContractViolation, Evaluation, Violation

__version__ = "0.1.0"

__all__ = [
    # The spec
    "OPERATION_ID",
    "ROUTE",
    # The validators
    "RULES",
    "ContractViolation",
    "Evaluation",
    "Rule",
    "SentRequest",
    "Violation",
    "__version__",
    "assert_valid_envelope",
    "assert_valid_request",
    "assert_valid_response",
    "evaluate_envelope",
    "evaluate_request",
    "evaluate_response",
    "load_spec",
    "spec_path",
    "validate_envelope",
    "validate_request",
    "validate_response",
]
