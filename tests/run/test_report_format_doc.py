"""docs/report-format.md names exactly the tags a report's rules carry."""

from __future__ import annotations

import re
from pathlib import Path

from truewatch_contract.violations import TAGS

DOC = Path(__file__).resolve().parents[2] / "docs" / "report-format.md"


def _section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def test_the_tags_listed_for_rules_are_the_tags() -> None:
    found = re.search(r"`tag` \(([^)]*)\)", _section("`rules[]`"))
    assert found, "the rules[] section no longer lists the tags"
    listed = found.group(1)
    assert "..." not in listed, "the list of tags is complete: no '...'"
    names = re.findall(r"`([^`]+)`", listed)
    assert sorted(names) == sorted(TAGS), f"the doc lists {names}, the reports use {list(TAGS)}"
