"""
What a budget buys: the plan of a run, from the kinds of request and what each exercises.

The kinds (`truewatch_contract.suite.kinds`) are ranked by what each exercises in the rule
catalogue (the committed table ``request_kinds.json``, measured by ``scripts/rank-requests``). A
greedy cover picks the representatives first: the fewest requests that exercise every rule,
fault, assumed point, input constraint and edge class the table knows. The other kinds follow
while they fit; the rest of the budget goes to generated cases. Rejected requests that must be
shown to change nothing share one read-back per batch. A budget below the mandatory part (setup,
the representatives and their read-backs, the concurrent pairs, the restore and a reserve for
retries, each counted at its worst) is a `BudgetError` naming the smallest budget that works.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from truewatch_contract.suite.budget import Budget, BudgetError

#: The committed ranking table (regenerate with ``scripts/rank-requests``).
TABLE_PATH = Path(__file__).with_name("request_kinds.json")
#: Learning the issue's state, at worst: ``{}`` rejected, then a status update.
SETUP_WORST = 2
#: The restore, at worst: a look (``{}``) and three attempts.
RESTORE_WORST = 4
#: Requests kept for rate-limit retries and re-sends the plan cannot foresee.
RETRY_RESERVE = 3
#: Rejected requests one read-back proves unchanged at most (a change is then blamed on the batch).
BATCH = 6
READ_BACK = "read-back"


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
