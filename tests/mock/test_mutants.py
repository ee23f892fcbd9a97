"""
The catalogue of mutants: at least 30, every family covered, and each one observable: a fixed
script of requests gets a different transcript (answers, or the state after them) from the
mutant than from the correct mock.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
from typing import Any

import httpx
import pytest

from truewatch_contract.mock import create_app
from truewatch_contract.mock.mutants import FAMILIES, MUTANTS
from truewatch_contract.mock.seed import (
    DEFAULT_API_KEY,
    FOREIGN_ISSUE_ID,
    PAGE_ASSIGNEE,
    PAGE_ISSUE_ID,
    SECOND_API_KEY,
)
from truewatch_contract.mock.service import Service
from truewatch_contract.rules import status_records

T0 = 1795000000.5
OTHER = "acnt_93dfc910d94eea1c09f45d5e8f648457"
JSON = "application/json"
UPDATE = f"/api/v1/error_track/{PAGE_ISSUE_ID}/update"

# (method, path, key, content type, body): one script that touches every rule family.
SCRIPT: list[tuple[str, str, str | None, str, Any]] = [
    ("POST", UPDATE, DEFAULT_API_KEY, JSON, {}),
    ("POST", UPDATE, SECOND_API_KEY, JSON, {"issueStatus": "Working"}),
    ("POST", UPDATE, DEFAULT_API_KEY, JSON, {"issueStatus": "Working"}),
    ("POST", UPDATE, SECOND_API_KEY, JSON, {"assigner": [OTHER, PAGE_ASSIGNEE]}),
    ("POST", UPDATE, DEFAULT_API_KEY, JSON, {"issueStatus": "resolved"}),
    ("POST", UPDATE, DEFAULT_API_KEY, JSON, {"assigner": []}),
    ("POST", UPDATE, DEFAULT_API_KEY, JSON, {"issueStatus": None}),
    ("POST", UPDATE, DEFAULT_API_KEY, JSON, {"assigner": ["acnt_xxx"]}),
    ("POST", UPDATE, DEFAULT_API_KEY, JSON, []),
    ("POST", UPDATE, DEFAULT_API_KEY, "text/plain", {"issueStatus": "Triage"}),
    ("POST", UPDATE, DEFAULT_API_KEY, "application/json;charset=UTF-8", {"issueStatus": "Triage"}),
    ("POST", UPDATE, DEFAULT_API_KEY, JSON, {"issueStatus": "Assigned", "note": "x"}),
    ("POST", UPDATE, None, JSON, {"issueStatus": "Resolved"}),
    ("POST", UPDATE, "tkn_" + "0" * 32, JSON, {"issueStatus": "Ignored"}),
    (
        "POST",
        f"/api/v1/error_track/{FOREIGN_ISSUE_ID}/update",
        DEFAULT_API_KEY,
        JSON,
        {"issueStatus": "Working"},
    ),
    ("POST", UPDATE, DEFAULT_API_KEY, JSON, b'{"issueStatus": "Working"'),
    ("POST", UPDATE, DEFAULT_API_KEY, JSON, {"issueStatus": {}}),
    ("POST", "/api/v1/error_track/" + "f" * 32 + "/update", DEFAULT_API_KEY, JSON, {}),
    ("GET", UPDATE, DEFAULT_API_KEY, JSON, None),
    ("POST", UPDATE, DEFAULT_API_KEY, JSON, {"issueStatus": "level"}),
    ("POST", UPDATE, DEFAULT_API_KEY, JSON, {"issueStatus": "Ignored", "assigner": []}),
    ("POST", UPDATE, DEFAULT_API_KEY, JSON, {"issueStatus": "Resolved"}),
    # Near misses of valid values, and the shapes of the assignee list.
    ("POST", UPDATE, DEFAULT_API_KEY, JSON, {"issueStatus": "Working "}),
    ("POST", UPDATE, DEFAULT_API_KEY, JSON, {"issueStatus": ""}),
    ("POST", UPDATE, DEFAULT_API_KEY, JSON, {"assigner": None}),
    ("POST", UPDATE, DEFAULT_API_KEY, JSON, {"assigner": ["acnt_" + OTHER[5:].upper()]}),
    ("POST", UPDATE + "%20", DEFAULT_API_KEY, JSON, {"issueStatus": "Triage"}),
    ("POST", f"/api/v1/error_track/{PAGE_ISSUE_ID}%20/update", DEFAULT_API_KEY, JSON, {}),
    ("POST", UPDATE, DEFAULT_API_KEY[:-1], JSON, {"issueStatus": "Assigned"}),
    ("POST", UPDATE, DEFAULT_API_KEY.upper(), JSON, {"issueStatus": "Assigned"}),
    ("POST", UPDATE, DEFAULT_API_KEY, JSON, {"assigner": [OTHER, OTHER]}),
    ("POST", UPDATE, DEFAULT_API_KEY, JSON, {"assigner": [PAGE_ASSIGNEE] * 19 + [OTHER]}),
    # Enough status changes for a history of more than ten records.
    *(
        ("POST", UPDATE, DEFAULT_API_KEY, JSON, {"issueStatus": status})
        for status in ("Triage", "Working", "Assigned", "Ignored") * 3
    ),
]
# Two simultaneous status changes after the script (neither the script's last status).
PAIR = ("Working", "Assigned")
TRACE = re.compile(r'"traceId":"[0-9a-f]{32}"')


def transcript(mutant: str | None) -> list[Any]:
    """
    Every answer of the script (trace ids masked), the state after it, then what two
    simultaneous status changes left (so a mutant that loses concurrent updates shows).
    """
    app = create_app(mutant=mutant)
    service = app.state.service

    async def run() -> list[Any]:
        lines: list[Any] = []
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
            for step, (method, path, key, content_type, body) in enumerate(SCRIPT):
                service.frozen = T0 + 3600.25 * step
                headers = {"Content-Type": content_type}
                if key is not None:
                    headers["DF-API-KEY"] = key
                raw = body if isinstance(body, bytes) else json.dumps(body).encode()
                response = await client.request(
                    method, path, headers=headers, content=None if body is None else raw
                )
                lines.append(
                    (
                        response.status_code,
                        response.headers.get("content-type"),
                        TRACE.sub('"traceId":"<trace>"', response.text),
                    )
                )
            lines.append(service.state.to_dict())
            lines.append(await _concurrent_pair(client, len(SCRIPT)))
        return lines

    async def _concurrent_pair(client: httpx.AsyncClient, step: int) -> Any:
        """
        Two status changes at once, then a read-back: how many records they left, and which
        (sorted: the order of two simultaneous updates is the server's choice).
        """
        service.frozen = T0 + 3600.25 * step
        headers = {"Content-Type": JSON, "DF-API-KEY": DEFAULT_API_KEY}
        pair = await asyncio.gather(
            *(client.post(UPDATE, headers=headers, json={"issueStatus": s}) for s in PAIR)
        )
        back = await client.post(UPDATE, headers=headers, json={})
        records = status_records(back.json().get("content")) or []
        return (
            sorted(r.status_code for r in pair),
            len(records),
            sorted(str(r.get("status")) for r in records[-len(PAIR) :]),
        )

    return asyncio.run(run())


@pytest.fixture(scope="module")
def correct() -> list[Any]:
    return transcript(None)


def test_the_correct_mock_answers_the_script_as_decided(correct: list[Any]) -> None:
    statuses = [line[0] for line in correct[:-2]]
    assert statuses == [
        200, 200, 200, 200, 400, 400, 400, 400, 400, 400, 200, 200,
        403, 403, 404, 400, 400, 404, 405, 400, 400, 200,
        400, 400, 400, 400, 404, 404, 403, 403, 200, 200, *[200] * 12,
    ]  # fmt: skip
    # Two simultaneous status changes: both accepted, both recorded.
    pair_statuses, _, last_two = correct[-1]
    assert pair_statuses == [200, 200] and last_two == sorted(PAIR)


@pytest.mark.parametrize("name", list(MUTANTS))
def test_each_mutant_changes_what_a_client_can_observe(name: str, correct: list[Any]) -> None:
    observed = transcript(name)
    differing = [i for i, (a, b) in enumerate(zip(correct, observed, strict=False)) if a != b]
    assert differing, f"{name} behaves exactly like the correct mock on the script"


def test_the_catalogue_covers_every_family_with_at_least_30_mutants() -> None:
    assert len(MUTANTS) >= 30
    assert {m.family for m in MUTANTS.values()} == set(FAMILIES)
    for name, m in MUTANTS.items():
        assert m.name == name and re.fullmatch(r"[0-9a-z]+(-[0-9a-z]+)*", name)
        assert m.description.endswith(".") and "\n" not in m.description
        assert len(m.description) <= 120
        assert issubclass(m.service_class, Service) and m.service_class.__bases__ == (Service,)
        own = {
            attr
            for attr, value in vars(m.service_class).items()
            if inspect.isfunction(value) and hasattr(Service, attr)
        }
        assert own, f"{name} overrides no step of the service"
        assert create_app(mutant=name).state.service.mutant == name


def test_an_unknown_mutant_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown mutant"):
        create_app(mutant="no-such-defect")


def test_each_mutant_names_the_catalogued_rules_it_breaks() -> None:
    """Its rules' tags say where a mutant applies: any target, or the mock's assumed choices."""
    from truewatch_contract.rules import RULES

    for name, m in MUTANTS.items():
        assert m.rules, name
        assert set(m.rules) <= set(RULES), (name, set(m.rules) - set(RULES))
        assert m.tags == {RULES[rule].tag for rule in m.rules}
        assert m.assumed_only == (m.tags == {"assumed"})
    assumed_only = sorted(name for name, m in MUTANTS.items() if m.assumed_only)
    assert assumed_only == [
        "accepts-any-content-type",
        "empty-body-touches",
        "rejects-empty-body",
        "rejects-unknown-fields",
        "same-status-appends",
    ]
