"""The request budget: parsing, the ranking, the refusal with its minimum, the plan, the ledger."""

from __future__ import annotations

import importlib.util
import json
import threading
from pathlib import Path

import pytest

from truewatch_contract.rates import RateLimit
from truewatch_contract.suite import budget as budgets
from truewatch_contract.suite import plan as b
from truewatch_contract.suite.budget import Budget, BudgetError
from truewatch_contract.suite.kinds import BY_NAME, KINDS, Context
from truewatch_contract.suite.ledger import BudgetExhausted, Ledger
from truewatch_contract.suite.plan import (
    BATCH,
    READ_BACK,
    KindRow,
    load_table,
    make_plan,
    mandatory,
    minimum_budget,
    rank,
    schedule,
)

TWENTY_A_MINUTE = RateLimit(20, 60.0)
RESERVE_AND_SETUP = b.SETUP_WORST + b.RESTORE_WORST + b.RETRY_RESERVE


def row(name: str, *units: str, proves: str = "") -> KindRow:
    return KindRow(name, frozenset(units), proves=proves)


# -- parsing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "count"), [("60", 60), (" 1 ", 1), ("full", None), ("FULL", None)]
)
def test_budget_parses(text: str, count: int | None) -> None:
    assert budgets.parse_budget(text) == count


@pytest.mark.parametrize("text", ["0", "-3", "sixty", "6.5", ""])
def test_bad_budget_is_one_line_naming_the_option(text: str) -> None:
    with pytest.raises(BudgetError, match=r"^--budget: .*'full'$"):
        budgets.parse_budget(text)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("3m", 180), ("90s", 90), ("1h", 3600), ("1h30m", 5400), ("2.5min", 150), ("10 minutes", 600)],
)
def test_duration_parses(text: str, seconds: float) -> None:
    assert budgets.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["3", "3x", "", "m", "3m and more", "0s"])
def test_bad_duration_is_a_usage_error(text: str) -> None:
    with pytest.raises(BudgetError, match=r"^--time-budget: "):
        budgets.parse_duration(text)


def test_time_budget_needs_a_rate_limit() -> None:
    with pytest.raises(BudgetError, match=r"needs a rate limit.*--rate-limit"):
        Budget.resolve(None, "3m", None, builtin_mock=True)


def test_time_budget_gives_the_requests_the_rate_allows() -> None:
    budget = Budget.resolve(None, "3m", TWENTY_A_MINUTE, builtin_mock=False)
    assert budget.requests == 60
    assert budget.headline() == "budget: 60 requests (--time-budget 3m at 20/m)"
    assert Budget.resolve(None, "1m", RateLimit.parse("120/m"), builtin_mock=True).requests == 120


@pytest.mark.parametrize(
    ("count", "duration", "expected"),
    [("100", "3m", 60), ("40", "3m", 40), ("full", "3m", 60), ("60", "3m", 60)],
)
def test_with_both_the_smaller_wins(count: str, duration: str, expected: int) -> None:
    budget = Budget.resolve(count, duration, TWENTY_A_MINUTE, builtin_mock=False)
    assert budget.requests == expected


def test_defaults() -> None:
    assert Budget.resolve(None, None, TWENTY_A_MINUTE, builtin_mock=True).full
    assert Budget.resolve(None, None, None, builtin_mock=False).full
    remote = Budget.resolve(None, None, TWENTY_A_MINUTE, builtin_mock=False)
    assert remote.requests == 200
    assert "10 minutes at 20/m" in remote.headline()
    assert "--budget full restores the full run" in remote.headline()
    assert Budget.resolve("full", None, TWENTY_A_MINUTE, builtin_mock=False).full


def test_environment_names_its_variables() -> None:
    env = {"TRUEWATCH_BUDGET": "60", "TRUEWATCH_TIME_BUDGET": "  "}
    assert budgets.from_environ(env, None, builtin_mock=True).requests == 60
    with pytest.raises(BudgetError, match=r"^TRUEWATCH_BUDGET: "):
        budgets.from_environ({"TRUEWATCH_BUDGET": "lots"}, None, builtin_mock=True)
    with pytest.raises(BudgetError, match=r"^TRUEWATCH_TIME_BUDGET needs a rate limit"):
        budgets.from_environ({"TRUEWATCH_TIME_BUDGET": "3m"}, None, builtin_mock=True)


# -- the ranking --------------------------------------------------------------------------


def test_rank_picks_the_widest_first_and_drops_what_adds_nothing() -> None:
    rows = [
        row("narrow", "rule:a"),
        row("wide", "rule:a", "rule:b", "rule:c"),
        row("other", "rule:d"),
        row("covered", "rule:b", "rule:c"),
    ]
    assert [r.name for r in rank(rows)] == ["wide", "other", "covered", "narrow"]
    assert [r.name for r in mandatory(rows)] == ["wide", "other"]


def test_rank_charges_a_share_of_the_read_back() -> None:
    # Same units, but one must be read back afterwards: the other is cheaper.
    rows = [row("proved", "rule:a", "rule:b", proves="r"), row("free", "rule:a", "rule:b")]
    assert [r.name for r in mandatory(rows)] == ["free"]


def test_rank_keeps_the_table_order_on_ties() -> None:
    rows = [row("first", "rule:a"), row("second", "rule:b")]
    assert [r.name for r in rank(rows)] == ["first", "second"]


def test_the_representatives_exercise_everything_the_table_knows() -> None:
    rows = load_table()
    everything = set().union(*(r.units for r in rows if r.name != READ_BACK))
    assert set().union(*(r.units for r in mandatory(rows))) == everything
    # Status chains settle several history rules in one request.
    assert len(next(r for r in rows if r.name == "status-change").rules & _HISTORY) >= 3


_HISTORY = {
    "history.append-only",
    "history.status-change-record",
    "history.partial-update",
    "history.update-time",
}


def test_one_representative_per_fault_of_the_judges_table() -> None:
    from truewatch_contract.judge import ANSWERS, Fault

    # Known to the suite only (the mock's id form, a change sent at once with another by the
    # concurrency probe, a body deeper than any parser here reads): no kind of its own.
    internal = {Fault.ALIAS_ID, Fault.RACE, Fault.DEEP_NESTING}
    represented = {u.split(":", 1)[1] for r in mandatory(load_table()) for u in r.units if ":" in u}
    missing = [f for f in ANSWERS if f not in internal and f.value not in represented]
    assert missing == []


def test_the_table_names_the_kinds_in_order() -> None:
    names = [r.name for r in load_table()]
    assert names == [k.name for k in KINDS] + [READ_BACK]


def test_the_committed_table_is_what_the_kinds_exercise() -> None:
    """`scripts/rank-requests --check`: the table is regenerated from the built-in mock."""
    script = Path(__file__).resolve().parents[2] / "scripts" / "rank_requests.py"
    spec = importlib.util.spec_from_file_location("rank_requests", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    measured = json.loads(json.dumps(module.measure()))
    assert measured == json.loads(b.TABLE_PATH.read_text(encoding="utf-8"))


# -- the schedule and the plan ------------------------------------------------------------


def test_read_backs_are_batched_by_the_rule_they_prove() -> None:
    rows = [
        row("ok", "rule:x"),
        *(row(f"bad{i}", f"rule:b{i}", proves="invalid") for i in range(BATCH + 2)),
        row("key", "rule:k", proves="auth"),
        row("ok2", "rule:y"),
    ]
    steps = schedule(rows, [r.name for r in rows], [])
    kinds = [s.kind for s in steps]
    assert kinds.count(READ_BACK) == 3
    backs = [s.proves for s in steps if s.kind == READ_BACK]
    assert backs[0] == tuple(f"bad{i}" for i in range(BATCH))
    assert backs[1] == ("bad6", "bad7")
    assert backs[2] == ("key",)
    assert kinds[-2:] == [READ_BACK, "ok2"]  # proved before any other request goes out


def test_a_budget_below_the_minimum_is_refused_with_the_minimum() -> None:
    rows = load_table()
    need = minimum_budget(rows)
    with pytest.raises(BudgetError, match=f"smallest budget that works is {need} ") as caught:
        make_plan(Budget(need - 1, "--budget"), rows)
    assert "\n" not in str(caught.value)
    plan = make_plan(Budget(need, "--budget"), rows)
    assert plan.generated == 0
    assert {r.name for r in mandatory(rows)} <= set(plan.kinds())
    assert RESERVE_AND_SETUP + plan.planned == need


def test_the_minimum_counts_the_worst_case() -> None:
    rows = [row("a", "rule:a"), row("b", "rule:b", proves="r")]
    # setup 2 + a + b + its read-back + restore 4 + retries 3
    assert minimum_budget(rows) == 2 + 3 + 4 + 3


@pytest.mark.parametrize("extra", [0, 1, 7, 19, 60, 160])
def test_the_plan_spends_exactly_the_budget(extra: int) -> None:
    rows = load_table()
    n = minimum_budget(rows) + extra
    plan = make_plan(Budget(n, "--budget"), rows)
    assert plan.generated is not None and plan.generated >= 0
    assert RESERVE_AND_SETUP + plan.planned + plan.generated == n
    every = [k.name for k in KINDS]
    assert sorted([*plan.kinds(), *plan.left_out]) == sorted(every)


def test_sixty_requests_cover_every_unit_of_the_table() -> None:
    """At 60 requests every rule, fault, point, input constraint and edge class is covered."""
    rows = load_table()
    plan = make_plan(Budget(60, "--budget 60"), rows, pairs=1)
    planned = set(plan.kinds())
    covered = {unit for row in rows if row.name in planned for unit in row.units}
    assert covered == {unit for row in rows for unit in row.units}
    assert plan.generated is not None and plan.generated >= 0


def test_the_full_run_plans_every_kind_and_leaves_generation_uncapped() -> None:
    plan = make_plan(Budget(None, "the full run"), load_table())
    assert plan.generated is None
    assert set(plan.kinds()) == {k.name for k in KINDS}


def test_a_target_without_a_foreign_workspace_plans_without_it() -> None:
    rows = b.available_rows(load_table(), {"assignees", "two-assignees"})
    names = {r.name for r in rows}
    assert "issue-foreign" not in names and "key-foreign" not in names
    assert minimum_budget(rows) < minimum_budget(load_table())


# -- the ledger ---------------------------------------------------------------------------


def test_the_ledger_keeps_the_reserve_for_the_restore() -> None:
    ledger = Ledger(10, reserve=4)
    for _ in range(6):
        ledger.spend("plan")
    assert ledger.left == 0
    with pytest.raises(BudgetExhausted, match="not exercised: budget"):
        ledger.spend("generated")
    assert ledger.refused["generated"] == 1
    for _ in range(4):
        ledger.spend(Ledger.RESTORE)
    with pytest.raises(BudgetExhausted):
        ledger.spend(Ledger.RESTORE)
    assert ledger.spent == 10
    assert dict(ledger.by_purpose) == {"plan": 6, "restore": 4}


def test_a_pair_is_admitted_whole_or_not_at_all() -> None:
    ledger = Ledger(5, reserve=2)
    ledger.spend("plan", 2)
    assert not ledger.admits("concurrency", 2)
    with pytest.raises(BudgetExhausted):
        ledger.spend("concurrency", 2)
    assert ledger.spent == 2


def test_without_a_cap_everything_counts_and_nothing_is_refused() -> None:
    ledger = Ledger(None)
    for _ in range(1000):
        ledger.spend("generated")
    assert ledger.spent == 1000 and ledger.left is None and ledger.reserve == 0


def test_the_ledger_never_overspends_under_threads() -> None:
    ledger = Ledger(50, reserve=5)
    refused = []

    def worker() -> None:
        for _ in range(20):
            try:
                ledger.spend("concurrency")
            except BudgetExhausted:
                refused.append(1)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ledger.spent == 45
    assert len(refused) == 80 - 45


def test_spending_per_rule_and_rules_not_exercised() -> None:
    ledger = Ledger(20)
    ledger.spend("plan")
    ledger.attribute(["history.append-only", "envelope.json", "envelope.json"])
    ledger.spend("plan")
    ledger.attribute(["envelope.json"])
    summary = ledger.summary(["envelope.json", "history.append-only", "behaviour.auth-required"])
    assert summary["per_rule"] == {"envelope.json": 2, "history.append-only": 1}
    assert summary["not_exercised"] == ["behaviour.auth-required"]
    assert summary["spent"] == 2 and summary["limit"] == 20 and summary["reserve"] == 7


# -- the kinds ----------------------------------------------------------------------------


def test_kinds_fill_in_what_the_session_knows() -> None:
    context = Context(
        issue_id="04a0bb44b28e9ff1e01f87828af622b9",
        api_key="tkn_a",
        assignees=("acnt_1", "acnt_2", "acnt_3"),
        current={"issueStatus": "Working"},
    )
    assert BY_NAME["status-change"].request(context).body == {"issueStatus": "Resolved"}
    assert BY_NAME["same-status"].request(context).body == {"issueStatus": "Working"}
    assert BY_NAME["status-wrong-case"].request(context).body == {"issueStatus": "resolved"}
    assert BY_NAME["assign-many"].request(context).body == {"assigner": ["acnt_1", "acnt_2"]}
    assert BY_NAME["assign-replace"].request(context).body == {"assigner": ["acnt_3"]}
    near = BY_NAME["issue-near-miss"].request(context)
    assert near.issue_id == "04A0BB44B28E9FF1E01F87828AF622B9"
    assert BY_NAME["key-missing"].request(context).key is None
    assert BY_NAME["key-wrong"].request(context).key not in (None, "tkn_a")
    assert not BY_NAME["key-foreign"].available(context)
    assert BY_NAME["assign-many"].available(context)


def test_generated_tests_share_what_is_left() -> None:
    ledger = Ledger(30, reserve=4)
    ledger.spend("plan", 10)
    assert ledger.share(tests_left=2) == 8  # 16 left for two generated tests
    spent = 0
    while ledger.admits(Ledger.GENERATED):
        ledger.spend(Ledger.GENERATED)
        spent += 1
    assert spent == 8
    assert ledger.admits("scenario")  # the window only holds generation back
    assert ledger.share(tests_left=1) == 8
    with pytest.raises(BudgetExhausted):
        for _ in range(9):
            ledger.spend(Ledger.GENERATED)
    assert ledger.spent == 26 and ledger.left == 0


def test_concurrent_pairs_are_in_the_mandatory_part() -> None:
    rows = load_table()
    need = minimum_budget(rows)
    assert b.concurrency_cost(2) == 6 and b.concurrency_cost(0) == 0
    with pytest.raises(BudgetError, match=f"is {need + 6} .*6 for 2 concurrent pairs"):
        make_plan(Budget(need + 5, "--budget"), rows, pairs=2)
    plan = make_plan(Budget(60, "--budget 60"), rows, pairs=2)
    assert RESERVE_AND_SETUP + plan.planned + plan.concurrency + (plan.generated or 0) == 60
    assert plan.summary()["concurrency"] == 6 and plan.summary()["limit"] == 60


def test_plan_for_a_target_filters_by_what_it_offers() -> None:
    plan = b.plan_for(Budget(None, "full"), assignees=1, foreign=False)
    assert "assign-many" not in plan.kinds() and "assign-replace" in plan.kinds()
    assert "key-foreign" not in plan.kinds()


def test_charge_counts_under_the_current_purpose() -> None:
    ledger = Ledger(12, reserve=2)
    ledger.charge()
    ledger.purpose = "plan"
    ledger.charge(3)
    ledger.purpose = Ledger.RESTORE
    ledger.charge(8)
    assert dict(ledger.by_purpose) == {"setup": 1, "plan": 3, "restore": 8}


def test_the_first_line_says_how_long_a_paced_budget_takes() -> None:
    from truewatch_contract.rates import RateLimit

    twenty = RateLimit.parse("20/m")
    assert Budget.resolve("60", None, twenty, builtin_mock=False).headline() == (
        "budget: 60 requests (--budget 60), about 3 minutes at 20/m"
    )
    assert Budget.resolve("60", None, None, builtin_mock=True).headline() == (
        "budget: 60 requests (--budget 60)"
    )
    assert "about" not in Budget.resolve(None, "3m", twenty, builtin_mock=False).headline()
