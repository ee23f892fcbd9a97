"""Payloads and helpers shared by the validators' tests (imported by name; see conftest.py)."""

from __future__ import annotations

import copy
import json
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from truewatch_contract.spec import spec_document as document

ISSUE_ID = "04a0bb44b28e9ff1e01f87828af622b9"
ISSUE_UUID = "isset_3572af454e1d48918612304f0f22237f"
ACTOR = "acnt_8b4bd2b8782646f3ba8f6554193f5997"
ASSIGNEE = "acnt_3875a23398de4c92a5fc68a1c49a664b"
OTHER = "acnt_" + "c" * 32
DATA = Path(__file__).resolve().parents[1] / "data"
# jsonschema-rs is the optional `fast` extra (installed with `dev`); without it, one engine.
ENGINES = ("jsonschema", "jsonschema-rs") if find_spec("jsonschema_rs") else ("jsonschema",)


def example_response() -> dict[str, Any]:
    """A fresh copy of the spec's success example (the page's example response)."""
    value = document()["components"]["examples"]["UpdateIssueSuccess"]["value"]
    return copy.deepcopy(value)


def error_response(status: int = 404, code: str = "ft.NotFoundIssue") -> dict[str, Any]:
    return {
        "code": status,
        "content": None,
        "errorCode": code,
        "message": "The issue was not found.",
        "success": False,
        "traceId": "5f0c1a9e2b7d4c3a8e6f1b2c3d4e5f60",
    }


def previous_content() -> dict[str, Any]:
    """The content the example had before the Resolved update: only the Triage record."""
    content = example_response()["content"]
    content["issueStatus"] = "Triage"
    content["extend"]["statusChangeRecords"] = content["extend"]["statusChangeRecords"][:1]
    content["updateAt"] = 1770103057.5
    content["statusDuration"] = {"Triage": 1770103057}
    content["duration"] = 0
    return content


def pairs(violations: Any) -> set[tuple[str, str]]:
    return {(violation.rule, violation.pointer) for violation in violations}


def write_json(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value), encoding="utf-8")
    return path
