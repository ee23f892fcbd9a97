"""
A run planned to a request budget: how many requests the target may receive, and which.

Four parts, each small:

- **The budget** (`Budget.resolve`): ``--budget N|full`` (``TRUEWATCH_BUDGET``) and
  ``--time-budget DURATION`` (``TRUEWATCH_TIME_BUDGET``, needs a rate limit); with both, the
  smaller N wins. Against a remote target with a rate limit and no budget, the default plan fits
  `DEFAULT_MINUTES`; against the built-in mock the default is the full run.
- **The plan** (`make_plan`): the kinds of request (`truewatch_contract.suite.kinds`), ranked by
  what each exercises in the rule catalogue (the committed table ``request_kinds.json``, measured
  by ``scripts/rank-requests``). A greedy cover picks the representatives first: the fewest
  requests that exercise every rule, fault and input constraint the table knows. The other kinds
  follow while they fit; the rest of the budget goes to generated cases. Rejected requests that
  must be shown to change nothing share one read-back per batch.
- **The refusal**: a budget below the mandatory part (setup, the representatives and their
  read-backs, the restore and a reserve for retries, each counted at its worst) is a
  `BudgetError` that names the smallest budget that works.
- **The accounting** (`Ledger`): every request the target receives is counted, retries included;
  the restore's requests are reserved up front, so the restore still runs when generation has
  spent the rest. It also keeps the requests spent per rule, for the reports.

Nothing heavy is imported here.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from truewatch_contract.rates import RateLimit

#: The committed ranking table (regenerate with ``scripts/rank-requests``).
TABLE_PATH = Path(__file__).with_name("request_kinds.json")
#: Against a remote target with a rate limit and no budget, the plan fits this many minutes.
DEFAULT_MINUTES = 10
#: Learning the issue's state, at worst: ``{}`` rejected, then a status update.
SETUP_WORST = 2
#: The restore, at worst: a look (``{}``) and three attempts.
RESTORE_WORST = 4
#: Requests kept for rate-limit retries and re-sends the plan cannot foresee.
RETRY_RESERVE = 3
#: Rejected requests one read-back proves unchanged at most (a change is then blamed on the batch).
BATCH = 6
READ_BACK = "read-back"
FULL = "full"

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(hours?|h|minutes?|mins?|m|seconds?|secs?|s)", re.I)
_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0}


class BudgetError(ValueError):
    """A budget that cannot be used; the message is one line naming the option."""


# -- the budget ---------------------------------------------------------------------------


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


# -- the table ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class KindRow:
    """One row of the ranking table: a kind of request and the units it exercises."""

    name: str
    units: frozenset[str]
    faults: tuple[str, ...] = ()
    proves: str = ""
    needs: tuple[str, ...] = ()

    @property
    def rules(self) -> frozenset[str]:
        return frozenset(u.removeprefix("rule:") for u in self.units if u.startswith("rule:"))


def load_table(path: Path = TABLE_PATH) -> tuple[KindRow, ...]:
    """The committed table, in the plan's sending order."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        KindRow(
            name=row["kind"],
            units=frozenset(row["units"]),
            faults=tuple(row.get("faults", ())),
            proves=row.get("proves", ""),
            needs=tuple(row.get("needs", ())),
        )
        for row in data["kinds"]
    )


# -- the plan -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Step:
    """One planned request: a kind, or a read-back proving the rejected kinds it names."""

    kind: str
    proves: tuple[str, ...] = ()
    mandatory: bool = True


@dataclasses.dataclass(frozen=True)
class Plan:
    """
    What a budget buys: the planned steps in sending order, then `generated` requests for
    generated cases (None: as many as the run makes).
    """

    budget: Budget
    steps: tuple[Step, ...]
    generated: int | None
    minimum: int
    left_out: tuple[str, ...] = ()
    concurrency: int = 0  # requests kept for the lost-update probe

    def summary(self) -> dict[str, Any]:
        """The plan as the run record keeps it (JSON-ready)."""
        return {
            "limit": self.budget.requests,
            "why": self.budget.why,
            "minimum": self.minimum,
            "planned": list(self.kinds()),
            "read_backs": self.planned - len(self.kinds()),
            "concurrency": self.concurrency,
            "generated": self.generated,
            "reserve": self.reserve,
            "left_out": list(self.left_out),
        }

    @property
    def reserve(self) -> int:
        return RESTORE_WORST + RETRY_RESERVE

    @property
    def planned(self) -> int:
        return len(self.steps)

    def kinds(self) -> tuple[str, ...]:
        return tuple(step.kind for step in self.steps if step.kind != READ_BACK)


def rank(rows: Sequence[KindRow]) -> list[KindRow]:
    """
    The kinds, most valuable first: a greedy cover of every unit (each pick exercises the most
    units not yet exercised, per request it costs: a kind that needs a read-back pays a share of
    one), then the kinds that add nothing new, by how much they exercise.
    """
    left = [row for row in rows if row.name != READ_BACK]
    covered: set[str] = set()
    ranked: list[KindRow] = []
    while left:
        best = max(left, key=lambda row: (_gain(row, covered), -left.index(row)))
        if _gain(best, covered) <= 0:
            break
        ranked.append(best)
        covered |= best.units
        left.remove(best)
    # Ties keep the table's order (the sort is stable).
    return ranked + sorted(left, key=lambda row: -len(row.units))


def _gain(row: KindRow, covered: set[str]) -> float:
    cost = 1.0 + (1.0 / BATCH if row.proves else 0.0)
    return len(row.units - covered) / cost


def mandatory(rows: Sequence[KindRow]) -> list[KindRow]:
    """The representatives: the ranked kinds up to the last that exercises something new."""
    covered: set[str] = set()
    picked = []
    for row in rank(rows):
        if not row.units - covered:
            break
        picked.append(row)
        covered |= row.units
    return picked


def schedule(
    rows: Sequence[KindRow], chosen: Iterable[str], essential: Iterable[str]
) -> list[Step]:
    """
    The chosen kinds in the table's order (a chain that makes sense on one issue), each batch of
    rejected requests followed by one read-back. A batch holds kinds that prove the same rule,
    at most `BATCH` of them, and ends before any other request.
    """
    chosen, essential = set(chosen), set(essential)
    steps: list[Step] = []
    batch: list[KindRow] = []

    def flush() -> None:
        if batch:
            steps.append(Step(READ_BACK, tuple(row.name for row in batch)))
            batch.clear()

    for row in rows:
        if row.name not in chosen:
            continue
        if batch and (not row.proves or row.proves != batch[0].proves or len(batch) == BATCH):
            flush()
        steps.append(Step(row.name, mandatory=row.name in essential))
        if row.proves:
            batch.append(row)
    flush()
    return steps


def minimum_budget(rows: Sequence[KindRow]) -> int:
    """The smallest budget that works: setup, representatives, read-backs, restore, retries."""
    picked = [row.name for row in mandatory(rows)]
    return SETUP_WORST + len(schedule(rows, picked, picked)) + RESTORE_WORST + RETRY_RESERVE


def available_rows(rows: Sequence[KindRow], offers: Iterable[str]) -> tuple[KindRow, ...]:
    """The rows whose needs the target offers (``assignees``, ``two-assignees``, ``foreign``)."""
    have = set(offers)
    return tuple(row for row in rows if set(row.needs) <= have)


def concurrency_cost(pairs: int) -> int:
    """
    The lost-update probe: `pairs` pairs of simultaneous updates, each followed by its read-back
    (which is also the state the next pair is judged against).
    """
    return 3 * pairs


def make_plan(budget: Budget, rows: Sequence[KindRow], *, pairs: int = 0) -> Plan:
    """
    The plan for `budget` over `rows` (the table, filtered to what the target offers), with
    `pairs` concurrent pairs (`concurrency_cost`) in the mandatory part.

    Raises:
        BudgetError: the budget is below the mandatory part; the message gives the minimum.
    """
    extra = concurrency_cost(pairs)
    need = minimum_budget(rows) + extra
    essential = [row.name for row in mandatory(rows)]
    if budget.requests is None:
        everything = [row.name for row in rows if row.name != READ_BACK]
        steps = schedule(rows, everything, essential)
        return Plan(budget, tuple(steps), None, need, concurrency=extra)
    if budget.requests < need:
        planned = need - SETUP_WORST - RESTORE_WORST - RETRY_RESERVE - extra
        pair_text = (
            f", {extra} for {pairs} concurrent pair{'s' if pairs != 1 else ''}" if extra else ""
        )
        raise BudgetError(
            f"a budget of {budget.requests} requests ({budget.why}) cannot settle the contract: "
            f"the smallest budget that works is {need} (setup {SETUP_WORST}, {planned} planned "
            f"requests{pair_text}, restore {RESTORE_WORST}, {RETRY_RESERVE} for retries)"
        )
    room = budget.requests - SETUP_WORST - RESTORE_WORST - RETRY_RESERVE - extra
    chosen = list(essential)
    left_out = []
    for row in rank(rows)[len(essential) :]:
        if len(schedule(rows, [*chosen, row.name], essential)) <= room:
            chosen.append(row.name)
        else:
            left_out.append(row.name)
    steps = schedule(rows, chosen, essential)
    return Plan(budget, tuple(steps), room - len(steps), need, tuple(left_out), extra)


def plan_for(budget: Budget, *, assignees: int, foreign: bool, pairs: int = 0) -> Plan:
    """The plan for a target with `assignees` known assignees and a foreign workspace or not."""
    offers = {"assignees"} if assignees >= 1 else set()
    offers |= {"two-assignees"} if assignees >= 2 else set()
    offers |= {"foreign"} if foreign else set()
    return make_plan(budget, available_rows(load_table(), offers), pairs=pairs)


# -- the accounting -----------------------------------------------------------------------


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
