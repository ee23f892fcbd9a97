"""
The OpenAPI document: valid, traceable, and saying what the vendor page says.

`tests/data/vendor-example-response.json` is the page's example response, copied verbatim
(scraped-out e-mails and all), so these tests need nothing outside the repository.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import referencing
import referencing.jsonschema
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate as validate_openapi

from truewatch_contract import OPERATION_ID, ROUTE, load_spec, spec_path
from truewatch_contract import spec as spec_module
from truewatch_contract.spec import SpecError

ROOT = Path(__file__).resolve().parent.parent
VENDOR_EXAMPLE = json.loads(
    (Path(__file__).parent / "data" / "vendor-example-response.json").read_text()
)
SPEC_URI = "urn:truewatch-contract:spec"
TAGS = {"documented", "observed", "assumed"}
STATUSES = ["Triage", "Assigned", "Working", "Resolved", "Ignored"]


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return load_spec()


def validator_for(spec: dict[str, Any], pointer: str) -> Draft202012Validator:
    """A validator for the schema at `pointer` of the spec, resolving the spec's local `$ref`s."""
    resource = referencing.Resource.from_contents(
        spec, default_specification=referencing.jsonschema.DRAFT202012
    )
    registry: referencing.Registry[Any] = referencing.Registry().with_resource(SPEC_URI, resource)
    return Draft202012Validator(
        {"$ref": f"{SPEC_URI}#{pointer}"}, registry=registry, format_checker=FormatChecker()
    )


def resolve(spec: dict[str, Any], node: Any) -> Any:
    """Follow a local `$ref` (one level at a time) to the node it names."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def operation(spec: dict[str, Any]) -> dict[str, Any]:
    op: dict[str, Any] = spec["paths"][ROUTE]["post"]
    return op


def test_the_spec_is_a_valid_openapi_3_1_document(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.1")
    validate_openapi(spec)


def test_the_operation_has_its_id_route_parameter_and_security(spec: dict[str, Any]) -> None:
    op = operation(spec)
    assert op["operationId"] == OPERATION_ID
    parameter = resolve(spec, op["parameters"][0])
    assert (parameter["name"], parameter["in"], parameter["required"]) == ("issue_id", "path", True)
    scheme = spec["components"]["securitySchemes"]["DfApiKey"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "DF-API-KEY")
    assert spec["security"] == [{"DfApiKey": []}]


def test_every_error_status_of_the_decisions_is_declared_with_the_envelope(
    spec: dict[str, Any],
) -> None:
    responses = operation(spec)["responses"]
    assert set(responses) == {"200", "400", "401", "403", "404", "405", "413", "500"}
    for status, response in responses.items():
        media = resolve(spec, response)["content"]["application/json"]
        schema_ref = media["schema"]["$ref"]
        expected = "UpdateIssueResponse" if status == "200" else "ErrorEnvelope"
        assert schema_ref == f"#/components/schemas/{expected}", status
        assert media["examples"], f"{status} has no example"


def iter_examples(spec: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """Every (where, schema pointer, example value) of the document."""
    op = operation(spec)
    body = op["requestBody"]["content"]["application/json"]
    for name, example in body["examples"].items():
        yield f"request/{name}", body["schema"]["$ref"].removeprefix("#"), example["value"]
    for status, response in op["responses"].items():
        media = resolve(spec, response)["content"]["application/json"]
        for name, example in media["examples"].items():
            value = resolve(spec, example)["value"]
            yield f"response {status}/{name}", media["schema"]["$ref"].removeprefix("#"), value
    parameter = spec["components"]["parameters"]["IssueId"]
    yield "parameter issue_id", "/components/parameters/IssueId/schema", parameter["example"]
    for name, schema in spec["components"]["schemas"].items():
        for index, value in enumerate(schema.get("examples", [])):
            yield f"schema {name}[{index}]", f"/components/schemas/{name}", value


def test_every_example_is_valid_against_its_schema(spec: dict[str, Any]) -> None:
    examples = list(iter_examples(spec))
    assert len(examples) >= 10
    for where, pointer, value in examples:
        errors = [error.message for error in validator_for(spec, pointer).iter_errors(value)]
        assert errors == [], f"{where}: {errors}"


def test_the_success_example_is_the_page_example_with_real_looking_emails(
    spec: dict[str, Any],
) -> None:
    example = spec["components"]["examples"]["UpdateIssueSuccess"]["value"]
    page_info = VENDOR_EXAMPLE["content"]["assignerInfo"][0]
    info = example["content"]["assignerInfo"][0]
    for field in ("username", "name", "email"):
        assert "[email" in page_info[field]  # the page's scraping artefact
        assert "@" in info[field] and "protected" not in info[field]
    # Apart from the e-mails, the example is the page's, value for value.
    stripped = json.loads(json.dumps(example))
    for field in ("username", "name", "email"):
        stripped["content"]["assignerInfo"][0][field] = page_info[field]
    assert stripped == VENDOR_EXAMPLE


def test_the_status_enum_is_exactly_the_five_statuses(spec: dict[str, Any]) -> None:
    assert spec["components"]["schemas"]["IssueStatus"]["enum"] == STATUSES


@pytest.mark.parametrize("value", ["level", "resolved", None, "", "RESOLVED", " Resolved", 1])
def test_issue_status_rejects(spec: dict[str, Any], value: Any) -> None:
    validator = validator_for(spec, "/components/schemas/UpdateIssueRequest")
    assert not validator.is_valid({"issueStatus": value})


@pytest.mark.parametrize("value", STATUSES)
def test_issue_status_accepts(spec: dict[str, Any], value: str) -> None:
    validator = validator_for(spec, "/components/schemas/UpdateIssueRequest")
    assert validator.is_valid({"issueStatus": value})


@pytest.mark.parametrize(
    "value",
    [
        None,
        [],
        "acnt_3875a23398de4c92a5fc68a1c49a664b",
        ["acnt_xxx"],
        ["acnt_3875A23398DE4C92A5FC68A1C49A664B"],
        ["acnt_3875a23398de4c92a5fc68a1c49a664"],
        ["acnt_3875a23398de4c92a5fc68a1c49a664bb"],
        ["wksp_3875a23398de4c92a5fc68a1c49a664b"],
        ["3875a23398de4c92a5fc68a1c49a664b"],
        [None],
        [""],
        ["acnt_3875a23398de4c92a5fc68a1c49a664b\n"],
    ],
)
def test_assigner_rejects(spec: dict[str, Any], value: Any) -> None:
    validator = validator_for(spec, "/components/schemas/UpdateIssueRequest")
    assert not validator.is_valid({"assigner": value})


def test_assigner_accepts_well_formed_account_ids(spec: dict[str, Any]) -> None:
    validator = validator_for(spec, "/components/schemas/UpdateIssueRequest")
    ids = ["acnt_3875a23398de4c92a5fc68a1c49a664b", "acnt_8b4bd2b8782646f3ba8f6554193f5997"]
    assert validator.is_valid({"assigner": ids})
    assert validator.is_valid({})
    assert validator.is_valid({"unknownField": 1, "issueStatus": "Working"})


def schema_keys(spec: dict[str, Any], schema: Any) -> set[str]:
    schema = resolve(spec, schema)
    keys = set(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        keys |= schema_keys(spec, part)
    return keys


def property_schema(spec: dict[str, Any], schema: Any, key: str) -> Any:
    schema = resolve(spec, schema)
    if key in schema.get("properties", {}):
        return schema["properties"][key]
    for part in reversed(schema.get("allOf", [])):  # later parts refine earlier ones
        found = property_schema(spec, part, key)
        if found is not None:
            return found
    return None


def assert_covered(spec: dict[str, Any], schema: Any, value: Any, where: str) -> None:
    """Every key of `value` (recursively, through lists) is a declared property of `schema`."""
    schema = resolve(spec, schema)
    if isinstance(value, dict):
        if schema.get("additionalProperties") not in (None, True) and not schema.get("properties"):
            return  # a map (statusDuration): its keys are data, not fields
        if "propertyNames" in schema:
            return
        declared = schema_keys(spec, schema)
        for key, item in value.items():
            assert key in declared, f"{where}/{key} is not in the schema"
            assert_covered(spec, property_schema(spec, schema, key), item, f"{where}/{key}")
    elif isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            assert_covered(spec, schema["items"], item, f"{where}/{index}")


def test_every_property_of_the_page_example_is_in_the_schema(spec: dict[str, Any]) -> None:
    response = {"$ref": "#/components/schemas/UpdateIssueResponse"}
    assert_covered(spec, response, VENDOR_EXAMPLE, "")
    content = spec["components"]["schemas"]["UpdateIssueContent"]
    assert set(content["required"]) == set(VENDOR_EXAMPLE["content"])


def iter_property_nodes(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, schema in spec["components"]["schemas"].items():
        yield f"schemas/{name}", schema
        for key, node in schema.get("properties", {}).items():
            yield f"schemas/{name}/properties/{key}", node


def test_every_schema_and_property_says_where_it_comes_from(spec: dict[str, Any]) -> None:
    for where, node in iter_property_nodes(spec):
        if "$ref" in node:
            continue  # the referenced schema carries its own x-source
        source = node.get("x-source")
        assert isinstance(source, dict), f"{where} has no x-source"
        assert source.get("tag") in TAGS, f"{where}: tag {source.get('tag')!r}"
        assert source.get("where"), f"{where}: x-source says no 'where'"
    for name, response in spec["components"]["responses"].items():
        assert response["x-source"]["tag"] in TAGS, name


def iter_nodes(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from iter_nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from iter_nodes(value)


def test_the_rule_catalogue_is_complete_and_consistent(spec: dict[str, Any]) -> None:
    rules = spec["x-contract-rules"]
    ids = [rule["id"] for rule in rules]
    assert len(ids) == len(set(ids)), "duplicate rule ids"
    for rule in rules:
        assert rule["tag"] in TAGS, rule["id"]
        assert rule["scope"] in {"request", "envelope", "content", "history", "behaviour"}
        assert rule["id"].split(".")[0] == rule["scope"], rule["id"]
        assert rule["statement"].endswith("."), rule["id"]
        assert rule["where"], rule["id"]
    referenced = {node["x-rule"] for node in iter_nodes(spec) if "x-rule" in node}
    assert referenced <= set(ids), referenced - set(ids)
    # The catalogue covers every decision row of the envelope and the content.
    for required in (
        "envelope.code-matches-status",
        "envelope.success-matches-code",
        "envelope.error-code-matches-success",
        "envelope.trace-id",
        "envelope.message-empty-on-success",
        "envelope.no-content-on-error",
        "content.status-applied",
        "content.assigner-applied",
        "history.append-only",
        "history.partial-update",
    ):
        assert required in ids


def test_the_description_lists_the_page_defects(spec: dict[str, Any]) -> None:
    description = spec["info"]["description"]
    for defect in (
        '"level"',
        "`assigner` has no item type",
        "no error response",
        "[email protected]",
    ):
        assert defect in description, defect


def test_spec_path_points_at_the_repository_copy_in_a_checkout() -> None:
    assert spec_path() == ROOT / "openapi" / "error-track.openapi.yaml"


def test_load_spec_returns_an_independent_copy() -> None:
    first = load_spec()
    first["paths"].clear()
    assert load_spec()["paths"], "a caller's change leaked into the shared document"


def test_an_installed_wheel_ships_and_loads_the_spec(tmp_path: Path) -> None:
    """Build the wheel, install it into a bare folder and load the spec from there."""
    wheel_dir = tmp_path / "wheel"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheel_dir),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheel_dir.glob("truewatch_contract-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "truewatch_contract/openapi/error-track.openapi.yaml" in names
    assert "truewatch_contract/openapi/error-track.openapi.json" in names
    assert "truewatch_contract/py.typed" in names
    assert any(name.startswith("truewatch_contract/contract_tests/") for name in names)
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import truewatch_contract as t;"
        "print(t.spec_path()); print(t.load_spec()['paths'] and 'loaded')"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", probe, str(target)],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    path, loaded = result.stdout.split()
    assert Path(path) == target / "truewatch_contract" / "openapi" / "error-track.openapi.yaml"
    assert loaded == "loaded"


@pytest.fixture
def cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private, empty spec cache, and a process that has not read the spec yet."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("TRUEWATCH_CACHE_DIR", str(folder))
    spec_module.spec_document.cache_clear()
    yield folder
    spec_module.spec_document.cache_clear()


def _reread() -> dict[str, Any]:
    spec_module.spec_document.cache_clear()
    return spec_module.spec_document()


def test_a_corrupted_or_foreign_cache_entry_is_ignored_and_rebuilt(cache_folder: Path) -> None:
    first = _reread()
    (entry,) = cache_folder.glob("spec-*.json")
    digest = hashlib.sha256(spec_path().read_bytes()).hexdigest()
    for garbage in (
        "{not json",
        "[]",
        "[" * 100_000,
        json.dumps({"format": 1, "sha256": "0" * 64, "document": {"paths": {"/forged": {}}}}),
        json.dumps({"format": 1, "sha256": digest, "document": ["not", "a", "spec"]}),
    ):
        entry.write_text(garbage)
        assert _reread() == first, garbage[:40]
        assert json.loads(entry.read_text())["document"] == first, "the entry was not rebuilt"


def test_the_cache_never_deletes_another_installs_entries(cache_folder: Path) -> None:
    _reread()
    (entry,) = cache_folder.glob("spec-*.json")
    ours = entry.name[: len("spec-") + 13]  # spec-<this YAML file>-
    older = cache_folder / f"{ours}{'0' * 32}.json"  # an earlier version of this very file
    others = [cache_folder / "spec-0123456789ab-feed.json", cache_folder / "spec-7e22aaad.json"]
    for path in [older, *others]:
        path.write_text("{}")
    entry.unlink()
    _reread()
    assert entry.exists() and not older.exists()
    assert all(path.exists() for path in others)


def test_a_wheel_reads_its_shipped_json_and_no_cache(
    cache_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = tmp_path / "error-track.openapi.json"
    shipped.write_text(json.dumps({"openapi": "3.1.0", "paths": {"/shipped": {}}}))
    monkeypatch.setattr(spec_module, "shipped_json_path", lambda: shipped)
    assert _reread()["paths"] == {"/shipped": {}}
    assert not cache_folder.exists()
    shipped.write_text("{broken")
    with pytest.raises(SpecError, match="reinstall"):
        _reread()


def test_the_cli_is_not_broken_by_a_corrupted_cache(tmp_path: Path) -> None:
    env = {**os.environ, "TRUEWATCH_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "truewatch_contract", "validate", "request"]
    for _ in range(2):
        result = subprocess.run(
            command, input='{"issueStatus": "Resolved"}', capture_output=True, text=True,
            env=env, timeout=60, check=False,
        )  # fmt: skip
        assert (result.returncode, result.stderr) == (0, "")
        for entry in (tmp_path / "cache").glob("spec-*.json"):
            entry.write_text('{"format": 1, "sha256": ')
