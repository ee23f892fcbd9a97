"""
The request hook for ``requests``::

    from truewatch_contract.integrations.requests import ContractHook

    hook = ContractHook(mode="raise")
    session.hooks["response"].append(hook)

`exchange_of` reads a ``requests.Response`` (its ``PreparedRequest`` as sent, its body as
received) into the library's `Exchange`. ``requests`` itself is never imported: the hook reads
the objects it is handed.
"""

from __future__ import annotations

from truewatch_contract.integrations.exchanges import requests_exchange as exchange_of
from truewatch_contract.integrations.hook import ContractHook, ContractWarning

__all__ = ["ContractHook", "ContractWarning", "exchange_of"]
