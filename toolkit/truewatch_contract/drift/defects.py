"""
The page's known defects, as the spec lists them in ``x-page-defects``.

Each entry names a point of the page (``at``, the same names as a difference's ``point``) and what
the page shows there (``page``). A difference at that point showing that value is a known defect,
not drift. A defect whose point no longer shows that value has vanished: the page fixed it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from truewatch_contract.drift.compare import Difference
from truewatch_contract.drift.extract import Endpoint, Where, parse_list


@dataclass(frozen=True)
class Defect:
    """One entry of the spec's ``x-page-defects``."""

    id: str
    at: str
    page: str
    reading: str
    number: int | None = None


def defects_of(document: dict[str, Any]) -> list[Defect]:
    """The spec's ``info.x-page-defects``; ValueError when an entry lacks id, at or page."""
    entries = (document.get("info") or {}).get("x-page-defects") or []
    if not isinstance(entries, list):
        raise ValueError("the spec's x-page-defects is not a list")
    result = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(k), str) for k in ("id", "at", "page")
        ):
            raise ValueError(f"the spec's x-page-defects[{index}] needs string id, at and page")
        number = entry.get("defect")
        result.append(
            Defect(
                entry["id"],
                entry["at"],
                entry["page"],
                str(entry.get("reading", "")),
                number if isinstance(number, int) else None,
            )
        )
    return result


def _normal(text: str | None) -> str | None:
    return None if text is None else re.sub(r"\s+", " ", text).strip()


def shown(page: Endpoint, point: str) -> tuple[str | None, Where]:
    """What the page shows at a point (None: nothing), and where that is."""
    head, _, rest = point.partition(".")
    if head in ("route", "body") and rest:
        name, _, attribute = rest.partition(".")
        title = "Route Parameters table" if head == "route" else "Body Parameters table"
        row = next((row for row in page.tables.get(head, []) if row.name == name), None)
        if row is None:
            return None, Where(title)
        where = Where(title, f"row {name}", row.line)
        if attribute == "description":
            return row.description, where
        if attribute == "type":
            return row.type_word, where
        labels = {
            "example": ("example", "examples"),
            "allowed": ("allowed values", "enum"),
            "allow-empty": ("allow empty",),
            "allow-empty-string": ("allow empty string",),
        }.get(attribute, (attribute,))
        stated = row.label(*labels)
        if stated is None:
            return None, where
        return stated[0], Where(title, f"row {name}", stated[1])
    if head == "request" and page.request is not None:
        where = Where("Request Example", "curl", page.request.line)
        if rest == "host":
            from urllib.parse import urlsplit

            return urlsplit(page.request.url or "").hostname, where
        if rest == "body":
            return page.request.body, where
        if rest == "method":
            return page.request.method, where
        return None, where
    if head == "response" and page.response is not None:
        value: Any = page.response.value
        for part in re.findall(r"[^.\[\]]+|\[\d+\]", rest):
            if part.startswith("["):
                index = int(part[1:-1])
                value = value[index] if isinstance(value, list) and index < len(value) else None
            else:
                value = value.get(part) if isinstance(value, dict) else None
            if value is None:
                break
        where = Where("Response example", f"field {rest}", page.response.lines.get(rest))
        if value is None:
            return None, where
        return (value if isinstance(value, str) else json.dumps(value)), where
    return None, Where(head)


def matches(defect: Defect, value: str | None) -> bool:
    """Whether the page's value at a defect's point is the defect's value."""
    if value is None:
        return False
    if defect.at.endswith(".allowed") or defect.page.lstrip().startswith("["):
        return parse_list(value) == parse_list(defect.page)
    return _normal(value) == _normal(defect.page)


@dataclass(frozen=True)
class Sorted:
    """The differences split into drift and known defects, and the defects the page fixed."""

    drift: list[Difference]
    known: list[tuple[Defect, Where]]
    fixed: list[tuple[Defect, str | None, Where]]


def sort(differences: list[Difference], defects: list[Defect], page: Endpoint) -> Sorted:
    known: list[tuple[Defect, Where]] = []
    fixed: list[tuple[Defect, str | None, Where]] = []
    present = []
    for defect in defects:
        value, where = shown(page, defect.at)
        if matches(defect, value):
            known.append((defect, where))
            present.append(defect)
        else:
            fixed.append((defect, value, where))
    drift = [
        difference
        for difference in differences
        if not any(
            difference.point == defect.at and matches(defect, difference.page) for defect in present
        )
    ]
    return Sorted(drift, known, fixed)
