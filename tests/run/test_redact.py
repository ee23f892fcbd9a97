"""The second fence that keeps API keys out of reports and output."""

from __future__ import annotations

from truewatch_contract.runner.redact import REDACTED, Redactor


def test_known_secrets_are_replaced_everywhere() -> None:
    redactor = Redactor(["k3y-value-123", None, ""])
    assert redactor.text("a k3y-value-123 b k3y-value-123") == f"a {REDACTED} b {REDACTED}"
    value = redactor.deep({"k3y-value-123": ["x k3y-value-123", 1, None, {"n": True}]})
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
    assert redactor.deep({"headers": {"df-api-key": "abc"}}) == {
        "headers": {"df-api-key": REDACTED}
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
