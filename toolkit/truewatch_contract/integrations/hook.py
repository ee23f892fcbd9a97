"""
`ContractHook`: one object a client calls with each response it receives; it judges the
exchange (the request as sent, the answer as received) and acts by its mode.

The hook never judges on its own: it builds the library's `Exchange` and asks a
`truewatch_contract.judge.Watcher`, the judge for traffic nobody planned. Without ``api_key`` and
``issue_id`` it knows no key and no issue: an answer that some possible fault of an unknown key or
issue explains is accepted, and it learns as it goes (an issue answered 200 to a key exists for
that key; its last answer is its previous state, so the history rules apply from the second
update on). Told the real key and the test issue, it judges as strictly as the contract suite.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
import warnings
from collections.abc import Awaitable, Iterable
from typing import Any, Literal, get_args

from truewatch_contract.integrations import exchanges
from truewatch_contract.judge import Exchange, Policy, Verdict, Watcher
from truewatch_contract.redaction import AUTH_HEADER, Redactor
from truewatch_contract.violations import ContractViolation, Violation

Mode = Literal["raise", "warn", "collect"]
MODES: tuple[Mode, ...] = get_args(Mode)
#: The logger a hook in ``warn`` mode writes to (one WARNING record per broken exchange).
LOGGER_NAME = "truewatch_contract.hooks"
_log = logging.getLogger(LOGGER_NAME)


class ContractWarning(UserWarning):
    """An exchange a request hook in ``warn`` mode saw break the contract."""


class ContractHook:
    """
    A response hook for ``requests`` and ``httpx`` (sync and async) that judges every exchange
    on the update route and acts by `mode`.

    Arguments:
        mode: ``"raise"``: a `ContractViolation` (an ``AssertionError``) naming the broken rules,
            one line each, raised out of the client's call; ``"warn"``: a `ContractWarning` and a
            WARNING record on the ``truewatch_contract.hooks`` logger; ``"collect"``: keep every
            verdict in `verdicts` and every failing violation in `violations`.
        relax: rule ids or tags reported but not failed on (``"a,b"`` or a list), beside
            ``assumed``, which is relaxed as against any target but the built-in mock;
            ``"none"``: nothing relaxed, not even ``assumed``.
        api_key: the target's real key, when known: any other key is then a bad one.
        issue_id: the one issue the traffic may change, when known: any other well-formed id is
            then an unknown issue. Give it only when the traffic touches that issue alone.

    Raises:
        ValueError: an unknown `mode`, or an unknown rule id or tag in `relax`.

    Attributes:
        verdicts: (``collect``) the verdict of every judged exchange, in order.
        violations: (``collect``) every failing violation, in order.
        judged: how many exchanges were judged (every mode).
        watcher: the `Watcher` that judges them (what it learnt: ``watcher.facts_for(key)``).
    """

    def __init__(
        self,
        mode: Mode = "raise",
        relax: str | Iterable[str] | None = None,
        api_key: str | None = None,
        issue_id: str | None = None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode: expected one of {', '.join(MODES)}, found {mode!r}")
        self.mode: Mode = mode
        self.policy = Policy.remote(relax)
        self.watcher = Watcher(api_key=api_key, issue_id=issue_id, policy=self.policy)
        self.verdicts: list[Verdict] = []
        self.violations: list[Violation] = []
        self.judged = 0
        self._lock = threading.Lock()
        self._keys: set[str] = {api_key} if api_key else set()
        self._redactor = Redactor(self._keys)
        # When the last exchange of each issue came back (the monotonic clock): an exchange
        # sent before that was in flight beside it.
        self._done_at: dict[str, float] = {}

    # -- the clients' entry point ----------------------------------------------------------------

    def __call__(self, response: Any, *args: Any, **kwargs: Any) -> Awaitable[None] | None:
        """
        Judge one response (``requests`` passes its send options as keyword arguments).

        Returns None, except for a response of ``httpx.AsyncClient``, whose body must be read
        asynchronously: then an awaitable, which the client awaits.
        """
        if hasattr(response, "aread"):  # httpx
            if exchanges.httpx_is_async(response):
                return self._check_async(response)
            exchange = exchanges.httpx_exchange(response)
        else:
            exchange = exchanges.requests_exchange(response)
        if exchange is not None:
            self.check(exchange)
        return None

    async def _check_async(self, response: Any) -> None:
        exchange = await exchanges.httpx_exchange_async(response)
        if exchange is not None:
            self.check(exchange)

    # -- any client ------------------------------------------------------------------------------

    def check(self, exchange: Exchange) -> Verdict | None:
        """
        Judge one exchange (from any client) and act by the mode; None when it is not on the
        update route. An exchange that overlapped in time with another of the same issue that
        came back first is judged as a race (`Watcher.judge`, ``concurrent=True``).
        """
        issue = exchange.issue_id
        if issue is None:
            return None
        key = exchange.header(AUTH_HEADER)
        now = time.monotonic()
        elapsed = max(0.0, exchange.elapsed_ms / 1000)
        with self._lock:
            concurrent = self._done_at.get(issue, float("-inf")) > now - elapsed
            self._done_at[issue] = now
            if key and key.strip() and key not in self._keys and len(self._keys) < _MAX_KEYS:
                self._keys.add(key)
                self._redactor = Redactor(self._keys)
        verdict = self.watcher.judge(exchange, concurrent=concurrent)
        with self._lock:
            self.judged += 1
            if self.mode == "collect":
                self.verdicts.append(verdict)
                self.violations.extend(verdict.violations)
        if verdict.violations and self.mode != "collect":
            self._act(exchange, verdict)
        return verdict

    def clear(self) -> None:
        """Forget the collected verdicts and violations (what the watcher learnt stays)."""
        with self._lock:
            self.verdicts.clear()
            self.violations.clear()

    def _act(self, exchange: Exchange, verdict: Verdict) -> None:
        error = self.violation(exchange, verdict)
        if self.mode == "raise":
            raise error
        message = str(error)
        warnings.warn(ContractWarning(message), stacklevel=3)
        _log.warning("%s", message)

    def violation(self, exchange: Exchange, verdict: Verdict) -> ContractViolation:
        """The `ContractViolation` of a judged exchange: one line per failing violation, with
        every key the hook has seen redacted."""
        redactor = self._redactor
        status = "no answer" if exchange.status is None else f"HTTP {exchange.status}"
        shown = [
            dataclasses.replace(v, message=redactor.text(v.message), pointer=v.pointer)
            for v in verdict.violations
        ]
        what = f"{exchange.method.upper()} {redactor.text(exchange.path)} -> {status}"
        return ContractViolation(shown, what=what)


#: Distinct keys a hook remembers for redaction (a client that sends endless keys costs no more).
_MAX_KEYS = 1024
