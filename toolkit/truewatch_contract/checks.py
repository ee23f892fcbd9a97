"""
The suite's Schemathesis check under its public name, for
``SCHEMATHESIS_HOOKS=truewatch_contract.checks``.

Importing this module registers the check ``truewatch_contract`` with Schemathesis; the logic lives
in `truewatch_contract.suite`.
"""

from __future__ import annotations

from truewatch_contract.suite.judge import *  # noqa: F403 - the public names of the check
from truewatch_contract.suite.judge import __all__ as __all__
