"""
The request hook for ``httpx``, sync and async (the same object)::

    from truewatch_contract.integrations.httpx import ContractHook

    hook = ContractHook(mode="raise")
    client = httpx.Client(event_hooks={"response": [hook]})
    async_client = httpx.AsyncClient(event_hooks={"response": [hook]})

An ``httpx`` response hook runs before the body is read: the hook reads it (``response.read()``,
or ``await response.aread()`` for an ``AsyncClient``, whose hooks are awaited: the hook then
returns an awaitable), and the caller finds it read. ``httpx`` is imported only inside the
functions that read its objects.
"""

from __future__ import annotations

from truewatch_contract.integrations.exchanges import httpx_exchange as exchange_of
from truewatch_contract.integrations.exchanges import httpx_exchange_async as exchange_of_async
from truewatch_contract.integrations.exchanges import httpx_is_async as is_async
from truewatch_contract.integrations.hook import ContractHook, ContractWarning

__all__ = ["ContractHook", "ContractWarning", "exchange_of", "exchange_of_async", "is_async"]
