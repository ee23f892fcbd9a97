"""The public surface: `Violation`, `Evaluation`, `ContractViolation`, options and engines."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from validator_payloads import error_response, example_response

import truewatch_contract
from truewatch_contract import (
    ContractViolation,
    Violation,
    assert_valid_request,
    assert_valid_response,
    schema_engine,
    spec,
    validate_envelope,
    validate_request,
    validate_response,
)


def test_violation_is_a_frozen_comparable_hashable_value() -> None:
    one = Violation("envelope.trace-id", "/traceId", "traceId must be ...", "documented")
    same = Violation("envelope.trace-id", "/traceId", "traceId must be ...", "documented")
    other = Violation("envelope.fields", "/code", "code must be ...", "documented")
    assert one == same and hash(one) == hash(same)
    assert sorted([one, other]) == [other, one]
    assert len({one, same, other}) == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.rule = "x"  # type: ignore[misc]
    assert one.to_dict() == {
        "rule": "envelope.trace-id",
        "pointer": "/traceId",
        "message": "traceId must be ...",
        "tag": "documented",
    }
    json.dumps(one.to_dict())


def test_results_are_sorted_and_unique() -> None:
    payload = example_response()
    payload.update(code="200", success="yes", traceId="")
    found = validate_response(payload)
    assert found == sorted(set(found))


def test_assert_valid_raises_an_assertion_error_with_every_violation() -> None:
    assert_valid_request({"issueStatus": "Resolved"})
    assert_valid_response(example_response(), status_code=200)
    with pytest.raises(AssertionError) as caught:
        assert_valid_request({"issueStatus": "level", "assigner": []})
    error = caught.value
    assert isinstance(error, ContractViolation)
    assert {v.rule for v in error.violations} == {"request.issue-status", "request.assigner"}
    lines = str(error).splitlines()
    assert lines[0] == "request body broke the contract (2 violations):"
    assert lines[1].startswith("  - request.assigner  /assigner  ")
    assert lines[2].endswith("[documented]")


def test_assert_valid_response_passes_options_through() -> None:
    payload = example_response()
    payload["message"] = "ok"
    with pytest.raises(ContractViolation, match=r"envelope\.message-empty-on-success"):
        assert_valid_response(payload)
    assert_valid_response(payload, relax=["envelope.message-empty-on-success"])


def test_relax_by_rule_id_and_by_tag() -> None:
    payload = example_response()
    payload["message"] = "ok"  # observed
    payload["traceId"] = ""  # documented
    evaluation = truewatch_contract.evaluate_response(payload, relax=["observed"])
    assert [v.rule for v in evaluation.violations] == ["envelope.trace-id"]
    assert [v.rule for v in evaluation.relaxed] == ["envelope.message-empty-on-success"]
    assert "envelope.message-empty-on-success" not in evaluation.checked
    evaluation = truewatch_contract.evaluate_response(payload, relax="envelope.trace-id")
    assert [v.rule for v in evaluation.violations] == ["envelope.message-empty-on-success"]
    assert evaluation.held() == tuple(
        rule
        for rule in evaluation.checked
        if rule not in {"envelope.message-empty-on-success", "envelope.trace-id"}
    )


def test_relax_rejects_unknown_names() -> None:
    with pytest.raises(ValueError, match="no-such-rule"):
        validate_response(example_response(), relax=["no-such-rule"])


def test_validate_envelope_checks_no_content_rules() -> None:
    payload = example_response()
    payload["content"] = {"anything": "at all"}
    assert validate_envelope(payload, status_code=200) == []
    assert validate_envelope(error_response(), status_code=404) == []
    payload = error_response()
    payload["content"] = {"x": 1}
    assert [v.rule for v in validate_envelope(payload)] == ["envelope.no-content-on-error"]


def test_status_code_must_be_an_int() -> None:
    with pytest.raises(TypeError, match="status_code"):
        validate_response(example_response(), status_code="200")  # type: ignore[arg-type]


def test_which_schema_applies() -> None:
    # A 200 whose envelope says otherwise is judged by the envelope rules alone: they name the
    # contradiction, and the content rules would bury it.
    found = {v.rule for v in validate_response(error_response(404), status_code=200)}
    assert found == {"envelope.code-matches-status"}
    # Without a status, the envelope decides.
    assert validate_response(error_response(404)) == []
    # Any other status: the envelope rules only.
    payload = error_response(418, "ft.Teapot")
    assert validate_response(payload, status_code=418) == []


@pytest.mark.parametrize("engine", ["jsonschema", "jsonschema-rs", "auto", None])
def test_engines_by_keyword(engine: Any) -> None:
    payload = example_response()
    payload["content"]["id"] = "39"
    found = validate_response(payload, engine=engine)
    assert [(v.rule, v.pointer) for v in found] == [("content.schema", "/content/id")]


def test_engine_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUEWATCH_ENGINE", "jsonschema")
    assert schema_engine.default_engine() == "jsonschema"
    monkeypatch.setenv("TRUEWATCH_ENGINE", "jsonschema-rs")
    assert schema_engine.default_engine() == "jsonschema-rs"
    monkeypatch.setenv("TRUEWATCH_ENGINE", "auto")
    assert schema_engine.default_engine() == "jsonschema-rs"  # installed in the dev venv
    monkeypatch.setenv("TRUEWATCH_ENGINE", "fastest")
    with pytest.raises(ValueError, match="unknown engine"):
        validate_request({})


def test_unknown_engine_keyword() -> None:
    with pytest.raises(ValueError, match="unknown engine"):
        validate_request({}, engine="turbo")


def test_missing_rust_engine_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schema_engine, "_rs_available", lambda: False)
    monkeypatch.delenv("TRUEWATCH_ENGINE", raising=False)
    schema_engine._default_for.cache_clear()
    try:
        assert schema_engine.default_engine() == "jsonschema"
        with pytest.raises(ValueError, match="pip install"):
            validate_request({}, engine="jsonschema-rs")
    finally:
        schema_engine._default_for.cache_clear()


def test_spec_cache_is_derived_and_optional(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRUEWATCH_CACHE_DIR", str(tmp_path / "cache"))
    spec.spec_document.cache_clear()
    try:
        first = spec.spec_document()
        written = list((tmp_path / "cache").glob("spec-*.json"))
        assert len(written) == 1
        spec.spec_document.cache_clear()
        assert spec.spec_document() == first  # read back from the cache
        # An unwritable cache only costs speed.
        blocker = tmp_path / "file"
        blocker.write_text("not a folder")
        monkeypatch.setenv("TRUEWATCH_CACHE_DIR", str(blocker / "cache"))
        spec.spec_document.cache_clear()
        assert spec.spec_document() == first
        # A corrupt cache file is ignored.
        monkeypatch.setenv("TRUEWATCH_CACHE_DIR", str(tmp_path / "cache"))
        written[0].write_text("{not json")
        spec.spec_document.cache_clear()
        assert spec.spec_document() == first
    finally:
        spec.spec_document.cache_clear()


def test_rule_catalogue_is_lazy_and_read_only() -> None:
    rules = truewatch_contract.RULES
    assert "envelope.json" in rules and len(rules) == len(list(rules))
    assert not hasattr(rules, "__setitem__")
    assert repr(rules).startswith("RULES(")


def test_spec_cache_follows_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An edit of the spec is seen at once: the cache is keyed by, and parsed from, the bytes."""
    original = spec.spec_path().read_text(encoding="utf-8")
    old = "statement: deleteAt is -1 for an issue that is not deleted."
    assert old in original
    edited = tmp_path / "spec.yaml"
    edited.write_text(original.replace(old, "statement: Edited."), encoding="utf-8")
    monkeypatch.setenv("TRUEWATCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(spec, "spec_path", lambda: edited)
    spec.spec_document.cache_clear()
    try:
        rules = {rule["id"]: rule for rule in spec.spec_document()["x-contract-rules"]}
        assert rules["content.delete-at"]["statement"] == "Edited."
    finally:
        spec.spec_document.cache_clear()


def test_a_body_given_as_text_or_bytes_is_the_bodys_text() -> None:
    """`str` and `bytes` are parsed the same way wherever a body is taken; else the value."""
    payload = example_response()
    text = json.dumps(payload)
    assert validate_response(text, status_code=200) == []
    assert validate_response(text.encode(), status_code=200) == []
    assert validate_response(payload, status_code=200) == []
    # The request as text or bytes: the same verdict as the parsed body.
    status = payload["content"]["issueStatus"]
    sent = json.dumps({"issueStatus": status})
    for request in (sent, sent.encode()):
        assert validate_response(payload, status_code=200, request=request) == []
    wrong = json.dumps({"issueStatus": "Working" if status != "Working" else "Triage"})
    assert {v.rule for v in validate_response(payload, status_code=200, request=wrong)} == {
        "content.status-applied"
    }
    # A request body that is no JSON object, answered 200: the server accepted what it must not.
    rejected = validate_response(payload, status_code=200, request="not json")
    assert [v.rule for v in rejected] == ["behaviour.invalid-body-rejected"]
    # Text that is a JSON string is a string, not an object (the envelope rule says so).
    (found,) = validate_response(json.dumps(text), status_code=200)
    assert found.rule == "envelope.json" and "a JSON object" in found.message
    assert validate_request('{"issueStatus": "Working"}') == []
    assert [v.rule for v in validate_request('{"issueStatus": "working"}')] == [
        "request.issue-status"
    ]


def test_relax_takes_a_comma_separated_string_as_the_cli_does() -> None:
    payload = example_response()
    payload["traceId"] = ""
    payload["message"] = "OK"
    both = "envelope.trace-id,envelope.message-empty-on-success"
    assert validate_response(payload, status_code=200, relax=both) == []
    assert validate_response(payload, status_code=200, relax=[both]) == []
    assert (
        validate_response(payload, status_code=200, relax=["envelope.trace-id", "observed"]) == []
    )
    with pytest.raises(ValueError, match="unknown rule id or tag 'nope'"):
        validate_response(payload, status_code=200, relax="envelope.trace-id, nope")
