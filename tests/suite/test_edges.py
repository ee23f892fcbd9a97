"""
`suite.edges`: the edges of every constraint, derived from the spec, each checked by the library.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from truewatch_contract import validate_request
from truewatch_contract.suite import edges
from truewatch_contract.suite.edges import near_misses

STATUSES = ("Triage", "Assigned", "Working", "Resolved", "Ignored")
MEMBER = "acnt_3875a23398de4c92a5fc68a1c49a664b"
KEY = "tkn_1612505cfa2b3f1f69579c00a34f49ec"


def classes(value: str, **options: Any) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for kind, near, _ in near_misses(value, **options):
        found.setdefault(kind, []).append(near)
    return found


def test_a_status_has_a_near_miss_of_every_class() -> None:
    found = classes("Resolved")
    assert set(found) == set(edges.NEAR_MISSES)
    assert {"Resolved ", " Resolved", "Reso lved"} <= set(found["whitespace"])
    assert {"resolved", "RESOLVED"} <= set(found["case"])
    assert "\uff32esolved" in found["unicode"]  # the full-width compatibility form of R
    assert {"Resolve", "Resolvedd"} <= set(found["one-character"])
    for near in (n for group in found.values() for n in group):
        assert near != "Resolved" and validate_request({"issueStatus": near}), near


def test_an_account_id_keeps_its_prefix_with_its_hex_in_upper_case() -> None:
    """The right characters in the wrong case: a case-blind hex check accepts it."""
    found = classes(MEMBER)
    assert found["case"][0] == "acnt_" + MEMBER[5:].upper()


def test_a_keys_near_misses_stay_printable_ascii_without_whitespace() -> None:
    misses = edges.key_edges(KEY)
    assert {edge.kind for edge in misses} == set(edges.KEY_NEAR_MISSES)
    for edge in misses:
        assert edge.value != KEY and edge.value.isascii() and edge.value.isprintable()
        assert not any(char.isspace() for char in edge.value)
    # A lookup by prefix takes a key cut short: the plan's representative is that one.
    assert edges.representative("edge:key:one-character", api_key=KEY).value == KEY[:-1]


def test_every_body_edge_is_what_the_library_says_it_is() -> None:
    found = edges.body_edges({"assigner/*": [MEMBER, "acnt_" + "1" * 32]})
    assert found
    for edge in found:
        assert bool(validate_request(edge.body())) is not edge.valid, edge
    units = {edge.unit for edge in found}
    assert {
        "edge:issueStatus:whitespace",
        "edge:issueStatus:case",
        "edge:issueStatus:unicode",
        "edge:issueStatus:one-character",
        "edge:issueStatus:null",
        "edge:issueStatus:empty",
        "edge:assigner:empty",
        "edge:assigner:null",
        "edge:assigner/*:case",
    } <= units
    assert {f"edge:assigner:{shape}" for shape in edges.SHAPES} <= units


def test_many_assignees_keep_the_others_last_and_repeat_the_first() -> None:
    known = [MEMBER, "acnt_" + "1" * 32, "acnt_" + "2" * 32]
    (many,) = [e for e in edges.body_edges({"assigner/*": known}) if e.kind == "many"]
    assert len(many.value) >= edges.MANY and many.valid
    assert many.value[-2:] == known[1:] and many.value.count(MEMBER) == len(many.value) - 2


def test_every_value_of_an_enum_is_probed() -> None:
    statuses = [e for e in edges.body_edges() if e.place == "issueStatus"]
    probed = {s for s in STATUSES for e in statuses if e.what.startswith(repr(s))}
    assert probed == set(STATUSES)


def test_the_issue_ids_near_misses_include_a_well_formed_id_of_no_issue() -> None:
    issue = "04a0bb44b28e9ff1e01f87828af622b9"
    found = {e.value for e in edges.issue_edges(issue)}
    assert issue.upper() in found and f"{issue} " in found
    assert edges.representative("edge:issue_id:one-character", issue_id=issue).value == (
        issue[:-1] + "a"
    )


def test_a_constraint_added_to_the_spec_gets_its_edges_without_new_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = edges.schema("request")
    grown = copy.deepcopy(real)
    grown["properties"]["priority"] = {"type": "string", "enum": ["low", "high"]}

    def patched(target: str) -> dict[str, Any]:
        return grown if target == "request" else edges.schema(target)

    monkeypatch.setattr(edges, "schema", patched)
    edges._body_edges.cache_clear()
    try:
        made = edges._field_edges("priority", grown["properties"]["priority"], {})
        kinds = {edge.kind for edge in made}
        assert {"whitespace", "case", "unicode", "one-character", "null", "empty"} <= kinds
        assert {"low ", "HIGH"} & {edge.value for edge in made}
    finally:
        edges._body_edges.cache_clear()


def test_a_request_names_the_edge_units_it_carries() -> None:
    issue = "04a0bb44b28e9ff1e01f87828af622b9"
    units = edges.units_of(
        {"issueStatus": "working", "assigner": ["acnt_" + MEMBER[5:].upper()]},
        issue_id=issue.upper(),
        key=KEY[:-1],
        valid_issue=issue,
        valid_key=KEY,
        known={"assigner/*": [MEMBER]},
    )
    assert {
        "edge:issueStatus:case",
        "edge:assigner/*:case",
        "edge:issue_id:case",
        "edge:key:one-character",
    } <= units
