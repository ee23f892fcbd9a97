"""
Schemathesis' built-in checks, as claims the judge weighs (`truewatch_contract.judge.Claim`).

Each built-in check that speaks for a catalogued rule becomes a claim of that rule, with a message
built here once. The checks that look only at the status of the answer
(`STATUS_CHECKS`) are claims the judge counts only where it finds the answer outside what the
request's faults allow: a correct server may answer a malformed ``issue_id`` 400, or a request with
several faults with any one fault's answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from truewatch_contract.judge import Claim, Exchange, acceptance_rule
from truewatch_contract.rules import violation

# Built-in checks and the catalogued rule each one speaks for. Left out, on purpose:
# status_code_conformance (the contract asks any 4xx of bad input, not only the declared ones),
# allow_header_conformance (no rule asks for an Allow header), and the stateful checks
# use_after_free, ensure_resource_availability, object_level_authorization (one operation,
# no links).
BUILTIN_RULES: dict[str, str] = {
    "not_a_server_error": "behaviour.no-server-error",
    "content_type_conformance": "envelope.json",
    "response_headers_conformance": "envelope.fields",
    "response_schema_conformance": "envelope.fields",
    "negative_data_rejection": "behaviour.invalid-body-rejected",
    "positive_data_acceptance": "behaviour.valid-body-accepted",
    "missing_required_header": "behaviour.auth-required",
    "unsupported_method": "behaviour.method-not-allowed",
    "ignored_auth": "behaviour.auth-required",
}
#: Built-in checks that judge only the status of this very answer.
STATUS_CHECKS = frozenset(
    {
        "negative_data_rejection",
        "positive_data_acceptance",
        "missing_required_header",
        "unsupported_method",
    }
)
#: A failure's text is shown this long at most in its message.
_TEXT = 300


def claim_of(check: str, title: str, text: str, exchange: Exchange) -> Claim | None:
    """
    The claim a failure of the built-in check `check` stands for (its `title` and `text`), or
    None for a check no rule speaks through.
    """
    rule = BUILTIN_RULES.get(check)
    if rule is None:
        return None
    status = exchange.status or 0
    if rule == "envelope.fields" and 200 <= status < 300:
        rule = "content.schema"
    if rule == "behaviour.valid-body-accepted":
        rule = acceptance_rule(_sent_value(exchange))  # {} and unknown fields: assumed rules
    if rule == "behaviour.invalid-body-rejected" and exchange.media_type not in (
        "",
        "application/json",
    ):
        rule = "behaviour.media-type-rejected"  # the body was declared as another media type
    message = f"Schemathesis' check {check} failed: {_one_line(f'{title}. {text}')}"
    return Claim(violation(rule, message), status_only=check in STATUS_CHECKS)


def claims_of(failures: Iterable[Any], exchange: Exchange) -> list[Claim]:
    """The claims of a Schemathesis ``FailureGroup``'s failures about one exchange."""
    found = []
    for failure in failures:
        names = getattr(type(failure), "checks", ()) or ("",)
        claim = claim_of(names[0], str(failure.title), str(failure.message), exchange)
        if claim is not None:
            found.append(claim)
    return found


def _one_line(text: str) -> str:
    """Schemathesis' text on one line, at most `_TEXT` characters (a schema dump can be huge)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= _TEXT else flat[: _TEXT - 1] + "…"


def _sent_value(exchange: Exchange) -> Any:
    try:
        return json.loads((exchange.request_body or b"").decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return None
