"""
The contract's Schemathesis check under its public name, for
``SCHEMATHESIS_HOOKS=truewatch_contract.checks``.

Importing this module registers the check ``truewatch_contract`` with Schemathesis
(`truewatch_contract.suite.check`); the verdict is the library's judge (`truewatch_contract.judge`).
"""

from __future__ import annotations

from truewatch_contract.suite.check import ContractCheckFailed, truewatch_contract

__all__ = ["ContractCheckFailed", "truewatch_contract"]
