"""The one redactor (`truewatch_contract.redaction`) and the run record's redaction."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from truewatch_contract.record import read_record
from truewatch_contract.redaction import REDACTED, Redactor
from truewatch_contract.runner.report import RunContext, build_report


def test_known_secrets_are_replaced_everywhere() -> None:
    redactor = Redactor(["k3y-value-123", None, ""])
    assert redactor.text("a k3y-value-123 b k3y-value-123") == f"a {REDACTED} b {REDACTED}"
    value = redactor.value({"k3y-value-123": ["x k3y-value-123", 1, None, {"n": True}]})
    assert value == {REDACTED: [f"x {REDACTED}", 1, None, {"n": True}]}


def test_key_headers_are_blanked_in_any_spelling() -> None:
    redactor = Redactor()
    samples = {
        "DF-API-KEY: abc": f"DF-API-KEY: {REDACTED}",
        "curl -H 'df-api-key: abc' url": f"curl -H 'df-api-key: {REDACTED}' url",
        '{"DF-API-KEY": "abc", "x": 1}': f'{{"DF-API-KEY": "{REDACTED}", "x": 1}}',
        "{'Df-Api-Key': 'abc'}": f"{{'Df-Api-Key': '{REDACTED}'}}",
        "DF-API-KEY=abc rest": f"DF-API-KEY={REDACTED} rest",
    }
    for raw, expected in samples.items():
        assert redactor.text(raw) == expected
    assert redactor.value({"headers": {"df-api-key": "abc"}}) == {
        "headers": {"df-api-key": REDACTED}
    }
    assert redactor.headers({"DF-API-KEY": "abc", "X-Echo": "abc"}) == {
        "DF-API-KEY": REDACTED,
        "X-Echo": "abc",
    }


def test_redaction_is_idempotent() -> None:
    redactor = Redactor(["secret-1"])
    once = redactor.text("DF-API-KEY: secret-1 and 'DF-API-KEY: [redacted]'")
    assert redactor.text(once) == once
    assert "secret-1" not in once
    assert once.count(REDACTED) == 2


def test_a_longer_secret_containing_a_shorter_one_is_replaced_whole() -> None:
    redactor = Redactor(["abc", "abcdef-long"])
    assert redactor.text("abcdef-long") == REDACTED


@pytest.mark.parametrize("key", ["k", "test"])
def test_a_short_key_is_blanked_as_a_whole_token_only(key: str) -> None:
    redactor = Redactor([key])
    assert redactor.text(f"sent {key} as the key") == f"sent {REDACTED} as the key"
    assert redactor.text(f'{{"field": "{key}"}}') == f'{{"field": "{REDACTED}"}}'
    # Inside a longer word it is a letter, not the key.
    assert redactor.text("checked the latest tests") == "checked the latest tests"


# -- the run record ---------------------------------------------------------------------------


def _record_with_key(tmp_path: Path, synthetic: Any, key: str) -> Path:
    """A failing run whose record quotes `key` in every place a value can carry it."""
    lines = synthetic.passing_lines()
    leaky = synthetic.exchange(
        1.5,
        {"issueStatus": key, "note": f"the key is {key}"},
        400,
        error_code="ft.InvalidParameter",
        violations=(
            synthetic.violation("envelope.no-internal-detail", f"message quotes {key} back"),
        ),
    )
    leaky["request"]["headers"]["DF-API-KEY"] = key
    leaky["response"]["headers"]["x-echo"] = key
    leaky["response"]["body"]["message"] = f"unknown key {key}"
    leaky["curl"] = f"curl -X POST -H 'DF-API-KEY: {key}' http://127.0.0.1/x -d '{{}}'"
    lines.append(leaky)
    lines.append(
        synthetic.test_line(
            "contract_tests/test_auth.py::test_key",
            "failed",
            message=f"E   AssertionError: DF-API-KEY={key} was refused: {key}",
        )
    )
    return synthetic.write_lines(tmp_path / "r.jsonl", lines)  # type: ignore[no-any-return]


@pytest.mark.parametrize("key", ["k", "test", "sk-live-DO-NOT-LEAK-3f9a1c0e77"])
def test_the_record_is_redacted_in_values_never_in_its_structure(
    tmp_path: Path, synthetic: Any, key: str
) -> None:
    raw = read_record(_record_with_key(tmp_path, synthetic, key))
    record = raw.redacted(Redactor([key]))
    leaky = record.exchanges[-1]
    assert leaky.request.headers["DF-API-KEY"] == REDACTED
    assert leaky.request.body == {"issueStatus": REDACTED, "note": f"the key is {REDACTED}"}
    assert leaky.response is not None
    assert leaky.response.headers["x-echo"] == REDACTED
    assert leaky.response.body["message"] == f"unknown key {REDACTED}"
    assert leaky.curl == f"curl -X POST -H 'DF-API-KEY: {REDACTED}' http://127.0.0.1/x -d '{{}}'"
    assert leaky.violations[0].message == f"message quotes {REDACTED} back"
    # Structure kept: the same fields, the same rule ids, the same tests.
    assert set(leaky.request.to_json()) == set(raw.exchanges[-1].request.to_json())
    assert leaky.violations[0].rule == "envelope.no-internal-detail"
    assert [t.test for t in record.tests] == [t.test for t in raw.tests]
    assert record.tests[-1].message == (
        f"E   AssertionError: DF-API-KEY={REDACTED} was refused: {REDACTED}"
    )


@pytest.mark.parametrize("key", ["k", "test"])
def test_a_short_key_gives_three_complete_reports(tmp_path: Path, synthetic: Any, key: str) -> None:
    """Issue 13 item 7: the reports are written, with the key blanked but no field renamed."""
    from truewatch_contract.runner.reports import write_reports

    report = build_report(
        read_record(_record_with_key(tmp_path, synthetic, key)),
        RunContext(redactor=Redactor([key])),
    )
    paths = write_reports(report, tmp_path / "reports")
    assert [p.name for p in paths] == ["junit.xml", "report.html", "report.json"]
    written = json.loads(paths[2].read_text(encoding="utf-8"))
    assert written["rules"][0].keys() >= {"id", "checked", "held", "broke"}
    assert written["tests"][0].keys() >= {"test", "outcome"}
    example = written["failures"][0]["examples"][0]
    assert example["message"] == f"message quotes {REDACTED} back"
    assert f"DF-API-KEY: {REDACTED}" in example["curl"]
    assert example["request"]["body"]["issueStatus"] == REDACTED
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert f"DF-API-KEY: {key}'" not in text and f"DF-API-KEY={key} " not in text
        assert f"unknown key {key}" not in text and f"the key is {key}" not in text
