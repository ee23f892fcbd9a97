"""
Pacing and rate-limit retries for every request the contract suite sends.

The platform limits each API key (20 requests a minute) and each workspace (200 a minute) and
answers ``401`` with ``ft.TriggerApiAkCurrentLimiting`` / ``ft.TriggerApiWorkspaceCurrentLimiting``
when a limit is hit. The suite paces itself with a `TokenBucket` and treats that answer as a signal
to wait and retry (`PacedAdapter`), never as a contract failure.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from truewatch_contract.judge import is_rate_limited
from truewatch_contract.rates import RateLimit
from truewatch_contract.suite.ledger import Ledger

#: Retries of one request after rate-limit answers, before the answer is handed back as it is.
MAX_RETRIES = 6


def _body_of(response: requests.Response) -> Any:
    try:
        return json.loads(response.content)
    except (ValueError, RecursionError):
        return None


class TokenBucket:
    """
    A thread-safe token bucket: `acquire` blocks until a request may go.

    The bucket holds one token, so requests go out evenly spaced at the configured rate (a burst
    at the start could trip a sliding-window limiter on the platform).
    """

    def __init__(
        self,
        rate: RateLimit | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next = 0.0
        self._prepaid = 0
        self.waited = 0.0

    def acquire(self) -> float:
        """Wait for the next slot; return the seconds waited."""
        if self.rate is None:
            return 0.0
        with self._lock:
            if self._prepaid > 0:
                self._prepaid -= 1
                return 0.0
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.rate.interval
        delay = start - now
        if delay > 0:
            self._sleep(delay)
            self.waited += delay
        return delay

    @contextlib.contextmanager
    def together(self, count: int) -> Iterator[None]:
        """
        Let the next `count` requests go out at once (the concurrency probe's pair): wait for
        one slot, pay for `count`, and space the request after them by as many intervals, so
        the average rate holds (two at once is within 20 a minute).
        """
        if self.rate is None or count <= 1:
            yield
            return
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.rate.interval * count
        if start > now:
            self._sleep(start - now)
            self.waited += start - now
        with self._lock:
            self._prepaid = count
        try:
            yield
        finally:
            with self._lock:
                self._prepaid = 0  # a slot a request of the group did not use is not kept

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after the `attempt`-th rate-limit answer (1-based)."""
        base = self.rate.interval if self.rate is not None else 0.5
        ceiling = self.rate.period if self.rate is not None else 30.0
        return float(min(ceiling, base * 2 ** (attempt - 1)))

    def pause(self, seconds: float) -> None:
        """The server said we were too fast: wait, and hold every other request back as long."""
        with self._lock:
            self._next = max(self._next, self._clock() + seconds)
        self._sleep(seconds)
        self.waited += seconds


class PacedAdapter(HTTPAdapter):
    """A requests adapter that paces every request and retries rate-limited ones (bounded)."""

    def __init__(
        self,
        bucket: TokenBucket,
        *,
        max_retries_on_limit: int = MAX_RETRIES,
        ledger: Ledger | None = None,
    ) -> None:
        super().__init__()
        self.bucket = bucket
        self.max_retries_on_limit = max_retries_on_limit
        self.rate_limited = 0
        # Counts every request that goes out, retries included, and refuses one past the budget.
        self.ledger = ledger

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        attempt = 0
        while True:
            if self.ledger is not None:
                self.ledger.charge()  # BudgetExhausted: the request is not sent
            self.bucket.acquire()
            response = super().send(request, **kwargs)
            if not is_rate_limited(response.status_code, _body_of(response)):
                return response
            attempt += 1
            self.rate_limited += 1
            if attempt > self.max_retries_on_limit or not self._may_retry():
                return response
            response.close()
            self.bucket.pause(self.bucket.backoff(attempt))

    def _may_retry(self) -> bool:
        """A retry the budget cannot pay for is not sent: the rate-limited answer stands."""
        return self.ledger is None or self.ledger.admits(self.ledger.purpose)


def paced_session(bucket: TokenBucket, ledger: Ledger | None = None) -> requests.Session:
    """A requests session whose every HTTP(S) request goes through one shared `PacedAdapter`."""
    session = requests.Session()
    adapter = PacedAdapter(bucket, ledger=ledger)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
