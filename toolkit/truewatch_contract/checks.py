"""
The suite's Schemathesis check under its public name, for
``SCHEMATHESIS_HOOKS=truewatch_contract.checks``.

Importing this module registers the check ``truewatch_contract`` with Schemathesis; the logic lives
in `truewatch_contract.suite` (`suite.check`, `suite.judge`, `suite.faults`).
"""

from __future__ import annotations

from truewatch_contract.suite.check import truewatch_contract
from truewatch_contract.suite.exchange import Exchange
from truewatch_contract.suite.faults import Expectation, Fault, Policy
from truewatch_contract.suite.judge import ContractCheckFailed, Verdict, judge, limit_code

__all__ = [
    "ContractCheckFailed",
    "Exchange",
    "Expectation",
    "Fault",
    "Policy",
    "Verdict",
    "judge",
    "limit_code",
    "truewatch_contract",
]
