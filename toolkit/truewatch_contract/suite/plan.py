"""
What a budget buys: the plan of a run, from the kinds of request and what each exercises.

The kinds (`truewatch_contract.suite.kinds`) are ranked by what each exercises in the rule
catalogue (the committed table ``request_kinds.json``, measured by ``scripts/rank-requests``). A
greedy cover picks the representatives first: the fewest requests that exercise every rule,
fault, assumed point, edge class and profile point the table knows (`cover_units`: the input
constraints of the request schema only rank the rest; a kind that declares ``profile:`` units
counts only those, so that a probe of several faults never stands in for a single-fault one;
an optional kind is never a representative). The other kinds follow while they fit, those that
exercise something new first; the rest of the budget goes to generated cases.

Rejected requests that must be shown to change nothing share one read-back per batch, whatever
rule each proves (a change is then blamed on the batch). Any request a correct target rejects may
go out inside a batch; one it may accept ends the batch. The read-back is the no-op ``{}``, judged
like any request: what it exercises needs no kind of its own once the plan holds one.

A budget below the mandatory part (setup, the representatives and their read-backs, the
concurrent pairs, the restore and a reserve for retries, each counted at its worst) is a
`BudgetError` naming the smallest budget that works.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Sequence
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
BATCH = 8
READ_BACK = "read-back"
#: Units the mandatory cover leaves to the optional part: the request schema's input constraints.
RANKING_ONLY = ("input:",)
#: Units a kind declares: a target's choice the budgeted run must observe.
PROFILE = "profile:"


@dataclasses.dataclass(frozen=True)
class KindRow:
    """One row of the ranking table: a kind of request and the units it exercises."""

    name: str
    units: frozenset[str]
    faults: tuple[str, ...] = ()
    proves: str = ""
    needs: tuple[str, ...] = ()
    optional: bool = False

    @property
    def rules(self) -> frozenset[str]:
        return frozenset(u.removeprefix("rule:") for u in self.units if u.startswith("rule:"))

    @property
    def accepted(self) -> bool:
        """Whether a correct target may accept it (and so change the issue)."""
        return not self.faults

    @property
    def cover_units(self) -> frozenset[str]:
        """
        What the mandatory cover counts for this kind: its ``profile:`` units if it declares
        any, else every unit but the input constraints (`RANKING_ONLY`).
        """
        declared = frozenset(u for u in self.units if u.startswith(PROFILE))
        if declared:
            return declared
        return frozenset(u for u in self.units if not u.startswith(RANKING_ONLY))


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
            optional=bool(row.get("optional", False)),
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
    The kinds, most valuable first: the representatives (`mandatory`), then a greedy cover of
    every unit they leave (input constraints and what the optional kinds exercise), then the
    kinds that add nothing new, by how much they exercise.
    """
    first = mandatory(rows)
    covered = set(free_units(rows)).union(*(row.units for row in first))
    rest = [row for row in rows if row.name != READ_BACK and row not in first]
    more = _cover(rest, covered, lambda row: row.units)
    left = [row for row in rest if row not in more]
    # Ties keep the table's order (the sort is stable).
    return first + more + sorted(left, key=lambda row: -len(row.units))


def mandatory(rows: Sequence[KindRow]) -> list[KindRow]:
    """
    The representatives: a greedy cover of every unit the kinds count (`KindRow.cover_units`),
    optional kinds left out. Each pick exercises the most units not yet exercised, per request
    it costs (a kind that needs a read-back pays a share of one).
    """
    required = [row for row in rows if row.name != READ_BACK and not row.optional]
    return _cover(required, set(free_units(rows)), lambda row: row.cover_units)


def _cover(
    rows: Sequence[KindRow], covered: set[str], units: Callable[[KindRow], frozenset[str]]
) -> list[KindRow]:
    left = list(rows)
    covered = set(covered)
    picked: list[KindRow] = []
    while left:
        best = max(left, key=lambda row: (_gain(units(row), row, covered), -left.index(row)))
        if _gain(units(best), best, covered) <= 0:
            break
        picked.append(best)
        covered |= units(best)
        left.remove(best)
    return picked


def _gain(units: frozenset[str], row: KindRow, covered: set[str]) -> float:
    cost = 1.0 + (1.0 / BATCH if row.proves else 0.0)
    return len(units - covered) / cost


def free_units(rows: Sequence[KindRow]) -> frozenset[str]:
    """
    What the plan exercises without a kind of its own: the read-back's units, when the kinds
    hold one that must be read back (its proof unit is no other kind's, so the cover picks it).
    """
    if not any(row.proves and not row.optional for row in rows):
        return frozenset()
    return next((row.units for row in rows if row.name == READ_BACK), frozenset())


def schedule(
    rows: Sequence[KindRow], chosen: Iterable[str], essential: Iterable[str]
) -> list[Step]:
    """
    The chosen kinds in the table's order (a chain that makes sense on one issue), each batch of
    rejected requests followed by one read-back. A batch holds at most `BATCH` kinds that must
    be read back, whatever rule each proves; the rejected kinds between them join it; it ends
    before a kind a correct target may accept (which may change the issue).
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
        if batch and (row.accepted or (row.proves and len(batch) == BATCH)):
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
