"""The request budget: parsing, the ranking, the refusal with its minimum, the plan, the ledger."""

from __future__ import annotations

import dataclasses
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
    required = [r for r in rows if r.name != READ_BACK and not r.optional]
    everything = set().union(*(r.cover_units for r in required))
    picked = mandatory(rows)
    assert set(b.free_units(rows)).union(*(r.cover_units for r in picked)) >= everything
    assert not any(r.optional for r in picked)
    # Every edge class and every profile point is in the mandatory part.
    units = set(b.free_units(rows)).union(*(r.units for r in picked))
    for unit in set().union(*(r.units for r in required)):
        if unit.startswith(("edge:", "profile:", "fault:", "point:", "proof:", "rule:")):
            assert unit in units, unit
    # Status chains settle several history rules in one request.
    assert len(next(r for r in rows if r.name == "status-change").rules & _HISTORY) >= 3


def test_the_input_constraints_rank_the_optional_part_only() -> None:
    """The request schema's input units leave the mandatory cover; a full run still covers them."""
    rows = load_table()
    inputs = {u for r in rows for u in r.units if u.startswith("input:")}
    assert inputs and not any(u.startswith("input:") for r in rows for u in r.cover_units)
    ranked = rank(rows)
    first = len(mandatory(rows))
    # After the representatives, the kinds that exercise an input unit not yet covered come first.
    covered = set(b.free_units(rows)).union(*(r.units for r in ranked[:first]))
    for row in ranked[first:]:
        if not row.units - covered:
            break
        covered |= row.units
    assert inputs <= covered


def test_a_kind_that_declares_profile_units_counts_only_those() -> None:
    """A probe of several faults never stands in for the single-fault kinds."""
    rows = [
        row("key-missing", "fault:missing-key", "rule:auth"),
        row("key-empty", "fault:missing-key", "rule:auth", "profile:empty-key"),
        row("order", "fault:missing-key", "fault:schema", "profile:order:key-body"),
        row("schema", "fault:schema"),
    ]
    assert [r.name for r in mandatory(rows)] == ["key-missing", "key-empty", "order", "schema"]


def test_optional_kinds_are_never_mandatory_but_fill_a_budget_with_room() -> None:
    rows = load_table()
    optional = {r.name for r in rows if r.optional}
    assert optional == {"body-bom", "duplicate-keys", "query-string"}
    assert not optional & {r.name for r in mandatory(rows)}
    roomy = make_plan(Budget(minimum_budget(rows) + 30, "--budget"), rows)
    assert optional <= set(roomy.kinds())


def test_the_read_back_stands_in_for_the_no_op_kind() -> None:
    """The read-back is the body {}, judged like any request: empty-body needs no step."""
    rows = load_table()
    assert "empty-body" not in {r.name for r in mandatory(rows)}
    assert next(r for r in rows if r.name == "empty-body").units <= b.free_units(rows)
    assert b.free_units([r for r in rows if not r.proves]) == frozenset()


_HISTORY = {
    "history.append-only",
    "history.status-change-record",
    "history.partial-update",
    "history.update-time",
}


def test_one_representative_per_fault_of_the_judges_table() -> None:
    from truewatch_contract.judge import ANSWERS, Fault

    # Known to the suite only (another target's refusal of the issue's uuid, a change sent at
    # once with another by the concurrency probe): no point of its own on the mock.
    internal = {Fault.ALIAS_ID, Fault.RACE}
    rows = load_table()
    units = set(b.free_units(rows)).union(*(r.units for r in mandatory(rows)))
    represented = {u.split(":", 1)[1] for u in units if ":" in u}
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


def rejected(name: str, *units: str, proves: str = "") -> KindRow:
    return KindRow(name, frozenset(units), faults=("schema",), proves=proves)


def test_read_backs_batch_up_to_eight_whatever_rule_each_proves() -> None:
    rows = [
        row("ok", "rule:x"),
        *(rejected(f"bad{i}", f"rule:b{i}", proves="invalid") for i in range(3)),
        rejected("near", "edge:x"),  # rejected, nothing to prove: it joins the batch
        *(rejected(f"key{i}", f"rule:k{i}", proves="auth") for i in range(BATCH - 3 + 2)),
        row("ok2", "rule:y"),
        rejected("bad9", "rule:z", proves="invalid"),
    ]
    steps = schedule(rows, [r.name for r in rows], [])
    kinds = [s.kind for s in steps]
    backs = [s.proves for s in steps if s.kind == READ_BACK]
    assert BATCH == 8 and kinds.count(READ_BACK) == 3
    assert backs[0] == ("bad0", "bad1", "bad2", "key0", "key1", "key2", "key3", "key4")
    assert kinds.index("near") < kinds.index(READ_BACK)  # inside the first batch
    assert backs[1] == ("key5", "key6")
    assert backs[2] == ("bad9",)
    # A kind a correct target may accept ends the batch: it is read back before it goes out.
    assert kinds[kinds.index("ok2") - 1] == READ_BACK


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


def test_sixty_requests_send_every_mandatory_probe() -> None:
    """
    At 60 requests, with the concurrent pair, every rule, fault, point, edge class and profile
    point is covered: the minimum is at most 60.
    """
    rows = load_table()
    assert minimum_budget(rows) + b.concurrency_cost(1) <= 60
    plan = make_plan(Budget(60, "--budget 60"), rows, pairs=1)
    planned = set(plan.kinds())
    assert {r.name for r in mandatory(rows)} <= planned
    covered = set(b.free_units(rows)).union(*(r.units for r in rows if r.name in planned))
    required = [r for r in rows if not r.optional and r.name != READ_BACK]
    assert covered >= set().union(*(r.cover_units for r in required))
    edges = {u for r in rows for u in r.units if u.startswith("edge:")}
    profile = {u for r in required for u in r.units if u.startswith("profile:")}
    assert edges <= covered and profile <= covered
    assert {
        "profile:order:key-body",
        "profile:order:issue-body",
        "profile:order:id-key-body",
        "profile:order:key-size",
        "profile:order:key-media",
        "profile:order:method-key",
        "profile:order:route-key",
        "profile:route",
        "profile:empty-key",
        "profile:field-case",
        "profile:deep-nesting",
        "profile:alias-id",
    } <= profile
    assert plan.generated is not None and plan.generated >= 0


def test_the_probes_of_several_faults_carry_them_all() -> None:
    """Each order probe is rejected by any correct target with one of its faults' answers."""
    names = [k.name for k in KINDS if k.name.startswith("order-")]
    assert len(names) == 7
    for name in names:
        kind = BY_NAME[name]
        assert len(kind.faults) >= 2 and not kind.proves and not kind.optional, name
        assert any(u.startswith("profile:order:") for u in kind.declares), name


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


def test_the_profile_kinds_fill_in_what_the_session_knows() -> None:
    uuid = "isset_" + "ab" * 16
    context = Context(
        issue_id="04a0bb44b28e9ff1e01f87828af622b9",
        api_key="tkn_a",
        current={"issueStatus": "Working", "uuid": uuid},
    )
    alias = BY_NAME["alias-id"]
    assert alias.available(context) and alias.request(context).issue_id == uuid
    # No uuid seen (yet, or ever): the kind is skipped, never sent with an empty id.
    assert not alias.available(dataclasses.replace(context, current={"issueStatus": "Working"}))
    assert BY_NAME["key-empty"].request(context).key == ""
    route = BY_NAME["route-unknown"].request(context)
    assert route.route.format(issue_id=route.issue_id).endswith(f"/{route.issue_id}/change")
    assert BY_NAME["query-string"].request(context).route.endswith("/update?source=contract-suite")
    assert BY_NAME["field-case"].request(context).body == {"IssueStatus": "Resolved"}
    duplicate = BY_NAME["duplicate-keys"].request(context).raw
    assert duplicate == b'{"issueStatus":"Resolved","issueStatus":"Ignored"}'
    bom = BY_NAME["body-bom"].request(context).raw or b""
    assert bom.startswith(b"\xef\xbb\xbf") and json.loads(bom[3:]) == {"issueStatus": "Resolved"}
    deep = BY_NAME["deep-nesting"].request(context).raw or b""
    assert deep.count(b"[") == 600 and deep.startswith(b'{"nested": [')
    for name in ("order-key-body", "order-key-size", "order-key-media", "order-method-key"):
        assert BY_NAME[name].request(context).key == "tkn_0123456789abcdef0123456789abcdef"


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
    plan = make_plan(Budget(need + 10, "--budget"), rows, pairs=2)
    assert RESERVE_AND_SETUP + plan.planned + plan.concurrency + (plan.generated or 0) == need + 10
    assert plan.summary()["concurrency"] == 6 and plan.summary()["limit"] == need + 10


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
