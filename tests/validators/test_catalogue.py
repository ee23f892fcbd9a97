"""`RULES` is the spec's catalogue, and every rule it lists for the library is implemented."""

from __future__ import annotations

from truewatch_contract import RULES, Rule
from truewatch_contract.rules.catalogue import SCOPES
from truewatch_contract.rules.table import PYTHON_RULES
from truewatch_contract.schema_engine import rule_ids_in_schemas
from truewatch_contract.spec import spec_document as document
from truewatch_contract.validate import implemented_rules
from truewatch_contract.violations import TAGS


def test_rules_are_read_from_the_spec_catalogue() -> None:
    entries = document()["x-contract-rules"]
    assert list(RULES) == [entry["id"] for entry in entries]
    for entry in entries:
        rule = RULES[entry["id"]]
        assert isinstance(rule, Rule)
        assert (rule.scope, rule.tag, rule.statement, rule.where) == (
            entry["scope"],
            entry["tag"],
            entry["statement"],
            entry["where"],
        )


def test_every_rule_has_a_known_scope_and_tag_and_a_statement() -> None:
    for rule in RULES.values():
        assert rule.scope in SCOPES, rule
        assert rule.tag in TAGS, rule
        assert rule.statement.strip() and rule.where.strip(), rule
        assert rule.id.split(".", 1)[0] == rule.scope, rule


#: History rules that several exchanges decide (the suite's concurrency probe), not one response.
SUITE_OBSERVED = {"history.no-lost-update"}


def test_every_library_rule_of_the_catalogue_is_implemented() -> None:
    wanted = {rule.id for rule in RULES.values() if rule.scope != "behaviour"} - SUITE_OBSERVED
    assert wanted - implemented_rules() == set()


def test_every_implemented_rule_is_in_the_catalogue() -> None:
    assert implemented_rules() - set(RULES) == set()
    assert all(RULES[rule].scope != "behaviour" for rule in implemented_rules())


def test_python_rules_live_in_the_scope_they_are_catalogued_in() -> None:
    for rule_id in PYTHON_RULES:
        assert RULES[rule_id].scope in {"envelope", "content", "history"}, rule_id


def test_schema_annotations_name_catalogued_rules() -> None:
    assert rule_ids_in_schemas() <= set(RULES)
    assert {"request.body-object", "envelope.fields", "content.schema"} <= rule_ids_in_schemas()


def test_behaviour_rules_are_listed_for_the_suite() -> None:
    behaviour = [rule for rule in RULES.values() if rule.scope == "behaviour"]
    assert behaviour, "the suite's rules must be in RULES too"
    assert not {rule.id for rule in behaviour} & set(PYTHON_RULES)


def test_every_table_entry_is_catalogued() -> None:
    assert set(PYTHON_RULES) - set(RULES) == set()


def test_every_catalogued_library_rule_is_the_schemas_or_the_tables() -> None:
    # request.utf8 is decided by reading the bytes (validate_request of raw bytes), before any
    # schema: it is the one library rule neither the schema nor the table holds.
    wanted = {
        rule.id
        for rule in RULES.values()
        if rule.scope in {"request", "envelope", "content", "history"}
    } - SUITE_OBSERVED
    by_schema, by_table = rule_ids_in_schemas(), set(PYTHON_RULES)
    assert wanted - by_schema - by_table == {"request.utf8"}


def test_the_table_is_the_one_registry() -> None:
    import truewatch_contract.rules.catalogue as catalogue

    assert not hasattr(catalogue, "CHECKS") and not hasattr(catalogue, "check")
