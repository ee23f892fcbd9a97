"""
Request hooks: the contract judged on the traffic an application (or its tests) already sends.

Attach a `ContractHook` to an HTTP client and every exchange on the update route,
``POST /api/v1/error_track/{issue_id}/update``, is judged by the library's one judge (through a
`truewatch_contract.judge.Watcher`, which learns keys, issues and each issue's last state from
what it sees); anything else passes untouched. No request of its own is ever sent.

- `truewatch_contract.integrations.requests`: ``session.hooks["response"].append(hook)``.
- `truewatch_contract.integrations.httpx`: ``httpx.Client(event_hooks={"response": [hook]})``,
  and the same object in ``httpx.AsyncClient(event_hooks={"response": [hook]})``.

Both modules give the same `ContractHook` (one class reads a response of either library) and
import their HTTP library only inside the functions that read its objects, so importing them
costs nothing. The modes: ``raise`` (a `ContractViolation`), ``warn`` (a `ContractWarning` and a
record on the ``truewatch_contract.hooks`` logger) and ``collect`` (``hook.verdicts`` and
``hook.violations``, for a test to assert).
"""

from __future__ import annotations

from truewatch_contract.integrations.hook import (
    LOGGER_NAME,
    MODES,
    ContractHook,
    ContractWarning,
    Mode,
)

__all__ = ["LOGGER_NAME", "MODES", "ContractHook", "ContractWarning", "Mode"]
