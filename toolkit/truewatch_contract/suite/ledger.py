"""
What a run spends: the `Ledger` counts every request the target receives, and refuses one past
the budget (`BudgetExhausted`), retries included. The restore's requests are reserved up front,
so the restore still runs when generation has spent the rest. It also keeps the requests spent
per rule, for the reports.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from typing import Any

from truewatch_contract.suite.plan import RESTORE_WORST, RETRY_RESERVE


class BudgetExhausted(RuntimeError):
    """The cap is reached: the request was not sent."""


class Ledger:
    """
    Counts every request the target receives, and refuses one past the cap.

    ``reserve`` requests are kept for the restore: a request of any other purpose is refused
    once only the reserve is left. A purpose is a word for the reports (``setup``, ``plan``,
    ``concurrency``, ``generated``, ``scenario``, ``restore``); ``generated`` requests also stop
    at the window `share` opens. Thread-safe (the concurrency pairs go out together).
    """

    RESTORE = "restore"
    GENERATED = "generated"

    def __init__(self, cap: int | None, reserve: int = RESTORE_WORST + RETRY_RESERVE) -> None:
        self.cap = cap
        self.reserve = 0 if cap is None else min(reserve, cap)
        self.spent = 0
        self.by_purpose: Counter[str] = Counter()
        self.by_rule: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()
        self.window: int | None = None  # `share`: where the current generated test must stop
        self.purpose = "setup"  # what the requests sent now are for (`charge`)
        self._lock = threading.Lock()

    @property
    def left(self) -> int | None:
        """Requests still allowed for any purpose but the restore (None: no cap)."""
        if self.cap is None:
            return None
        return max(0, self.cap - self.reserve - self.spent)

    def admits(self, purpose: str, count: int = 1) -> bool:
        """Whether `count` more requests for `purpose` fit (the restore may use the reserve)."""
        if self.cap is None:
            return True
        limit = self.cap if purpose == self.RESTORE else self.cap - self.reserve
        if purpose == self.GENERATED and self.window is not None:
            limit = min(limit, self.window)
        return self.spent + count <= limit

    def share(self, tests_left: int) -> int:
        """
        Open the window of one generated test: an equal share of what is left among the
        `tests_left` generated tests still to run (so the first does not spend it all).
        """
        left = self.left
        if left is None or tests_left <= 0:
            self.window = None
            return left or 0
        portion = -(-left // tests_left)  # rounded up: nothing is left unspent
        self.window = self.spent + portion
        return portion

    def spend(self, purpose: str, count: int = 1) -> None:
        """
        Count `count` requests about to be sent.

        Raises:
            BudgetExhausted: they do not fit; nothing is counted.
        """
        with self._lock:
            if not self.admits(purpose, count):
                self.refused[purpose] += count
                raise BudgetExhausted(
                    f"not exercised: budget ({self.spent} of {self.cap} requests spent)"
                )
            self.spent += count
            self.by_purpose[purpose] += count

    def charge(self, count: int = 1) -> None:
        """`spend` for the current `purpose` (what the HTTP layer calls for every request)."""
        self.spend(self.purpose, count)

    def attribute(self, rules: Iterable[str]) -> None:
        """Charge one sent request to every rule its verdict checked."""
        with self._lock:
            self.by_rule.update(set(rules))

    def not_exercised(self, catalogue: Iterable[str]) -> list[str]:
        """The rules of `catalogue` that no request of the run checked."""
        return sorted(rule for rule in catalogue if not self.by_rule.get(rule))

    def summary(self, catalogue: Iterable[str] = ()) -> dict[str, Any]:
        """The budget as the reports show it (JSON-ready)."""
        return {
            "limit": self.cap,
            "spent": self.spent,
            "reserve": self.reserve,
            "by_purpose": dict(sorted(self.by_purpose.items())),
            "per_rule": dict(sorted(self.by_rule.items())),
            "refused": dict(sorted(self.refused.items())),
            "not_exercised": self.not_exercised(catalogue),
        }
