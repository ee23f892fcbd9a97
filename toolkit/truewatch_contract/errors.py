"""
The package's exceptions, as one tree.

    UsageError (ValueError)      a bad option, variable or input: one line; a command exits 2
    ├── ConfigError              a ``TRUEWATCH_*`` variable of the suite (`suite.config`)
    ├── BudgetError              a request budget that cannot be used (`suite.budget`)
    ├── RateError                a rate such as ``20/m`` (`rates`)
    ├── StateError               a state fixture of the mock (`mock.state`)
    └── PageError                a vendor page that cannot be read (`drift.page`)
    SpecError (ValueError)       the spec cannot be read: a broken install or checkout (`spec`)

The contract's own failure stands apart: `truewatch_contract.violations.ContractViolation` is an
`AssertionError`, raised at the edge by the ``assert_valid_*`` helpers (and the suite's scenario
errors are assertions too). Every message of a `UsageError` is one line that names what was
wrong (the option or variable) and what was found.
"""

from __future__ import annotations


class UsageError(ValueError):
    """Bad usage or unreadable input: one line, and the command exits 2."""
