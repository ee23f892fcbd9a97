"""
The request budget: how many requests the target may receive.

`Budget.resolve` reads ``--budget N|full`` (``TRUEWATCH_BUDGET``) and ``--time-budget DURATION``
(``TRUEWATCH_TIME_BUDGET``, which needs a rate limit); with both, the smaller N wins. Against a
remote target with a rate limit and no budget, the default fits `DEFAULT_MINUTES`; against the
built-in mock the default is the full run. What a budget buys is the plan
(`truewatch_contract.suite.plan`); what the run spends is the ledger
(`truewatch_contract.suite.ledger`). Nothing heavy is imported here.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping

from truewatch_contract.errors import UsageError
from truewatch_contract.rates import RateLimit

#: Against a remote target with a rate limit and no budget, the plan fits this many minutes.
DEFAULT_MINUTES = 10
FULL = "full"

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(hours?|h|minutes?|mins?|m|seconds?|secs?|s)", re.I)
_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0}


class BudgetError(UsageError):
    """A budget that cannot be used; the message is one line naming the option."""


def parse_budget(text: str, name: str = "--budget") -> int | None:
    """``N`` (a positive count of requests) or ``full`` (None: the unplanned run)."""
    value = text.strip()
    if value.lower() == FULL:
        return None
    if not value.isdigit() or int(value) <= 0:
        raise BudgetError(f"{name}: {text!r} is not a number of requests (such as 60) or 'full'")
    return int(value)


def parse_duration(text: str, name: str = "--time-budget") -> float:
    """Seconds in ``3m``, ``90s``, ``1h``, ``1h30m``, ``2.5m``."""
    value = text.strip()
    parts = _DURATION.findall(value)
    if not value or _DURATION.sub("", value).strip() or not parts:
        raise BudgetError(f"{name}: {text!r} is not a duration such as 90s, 3m or 1h")
    seconds = sum(float(number) * _SECONDS[unit[0].lower()] for number, unit in parts)
    if seconds <= 0:
        raise BudgetError(f"{name}: {text!r} leaves no time at all")
    return seconds


@dataclasses.dataclass(frozen=True)
class Budget:
    """At most `requests` requests to the target (None: the full, unplanned run), and why."""

    requests: int | None
    why: str
    rate: RateLimit | None = None  # the pace, to say how long the planned run takes
    timed: bool = False  # `why` already says how long (a time budget, the remote default)

    @property
    def full(self) -> bool:
        return self.requests is None

    @property
    def minutes(self) -> float | None:
        """How long the planned run takes at the pace (None: no pace, or no cap)."""
        if self.requests is None or self.rate is None:
            return None
        return self.requests * self.rate.interval / 60.0

    @classmethod
    def resolve(
        cls,
        budget: str | None,
        time_budget: str | None,
        rate: RateLimit | None,
        *,
        builtin_mock: bool,
        names: tuple[str, str, str] = ("--budget", "--time-budget", "--rate-limit"),
    ) -> Budget:
        """
        The run's budget from its options (None: not given).

        Raises:
            BudgetError: a bad value, or a time budget without a rate limit.
        """
        found = cls._resolve(budget, time_budget, rate, builtin_mock=builtin_mock, names=names)
        return dataclasses.replace(found, rate=rate)

    @classmethod
    def _resolve(
        cls,
        budget: str | None,
        time_budget: str | None,
        rate: RateLimit | None,
        *,
        builtin_mock: bool,
        names: tuple[str, str, str],
    ) -> Budget:
        count = None if budget is None else parse_budget(budget, names[0])
        if time_budget is not None:
            seconds = parse_duration(time_budget, names[1])
            if rate is None:
                raise BudgetError(
                    f"{names[1]} needs a rate limit to turn time into requests "
                    f"({names[2]}, such as 20/m)"
                )
            timed = math.floor(seconds / rate.interval + 1e-9)
            if timed < 1:
                raise BudgetError(f"{names[1]}: {time_budget!r} at {rate} allows no request")
            # With both, the smaller wins (`full` is the largest of all).
            if count is not None and count <= timed:
                return cls(count, f"{names[0]} {count}, within {names[1]} {time_budget.strip()}")
            return cls(timed, f"{names[1]} {time_budget.strip()} at {rate}", timed=True)
        if budget is not None:
            return cls(count, f"{names[0]} {budget.strip()}")
        if not builtin_mock and rate is not None:
            count = math.floor(DEFAULT_MINUTES * 60 / rate.interval + 1e-9)
            return cls(
                count,
                f"the default for a rate-limited target: {DEFAULT_MINUTES} minutes at {rate}; "
                f"{names[0]} full restores the full run",
                timed=True,
            )
        return cls(None, FULL_RUN.why)

    def headline(self) -> str:
        """The run's first line."""
        if self.requests is None:
            return f"budget: none ({self.why})"
        minutes = self.minutes
        pace = ""
        if minutes is not None and not self.timed:
            pace = f", about {minutes:.3g} minutes at {self.rate}"
        return f"budget: {self.requests} requests ({self.why}){pace}"


#: No budget: today's unplanned run.
FULL_RUN = Budget(None, "the full run")


def from_environ(
    environ: Mapping[str, str], rate: RateLimit | None, *, builtin_mock: bool
) -> Budget:
    """The budget from ``TRUEWATCH_BUDGET`` and ``TRUEWATCH_TIME_BUDGET`` (blank: not set)."""

    def get(name: str) -> str | None:
        value = environ.get(name)
        return value if value is not None and value.strip() else None

    return Budget.resolve(
        get("TRUEWATCH_BUDGET"),
        get("TRUEWATCH_TIME_BUDGET"),
        rate,
        builtin_mock=builtin_mock,
        names=("TRUEWATCH_BUDGET", "TRUEWATCH_TIME_BUDGET", "TRUEWATCH_RATE_LIMIT"),
    )
