"""
Every place of the README that states the size of the mutant catalogue states the live one: the
catalogue grows, and a count written down by hand does not follow it.
"""

from __future__ import annotations

import re
from pathlib import Path

from truewatch_contract.mock.mutants import FAMILIES, MUTANTS

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
WORDS = {"six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}

# "MUTANTS` holds 57 single, realistic defects", "(57 mutants; ...", a table's "| 57 of 57 |".
_CATALOGUE = re.compile(r"holds (\d+) single|\b(\d+) mutants\b")
_KILLED_OF = re.compile(r"\|\s*(\d+) of (\d+)\s*\|")
_FAMILIES = re.compile(r"defects in (\w+) families")


def _text() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in DOCS)


def test_every_stated_catalogue_size_is_the_catalogues() -> None:
    text = _text()
    stated = [int(a or b) for a, b in _CATALOGUE.findall(text)]
    totals = [int(total) for _killed, total in _KILLED_OF.findall(text)]
    # The README's mutants section and the budget table state it: never pass on finding nothing.
    assert re.search(r"holds \d+ single", text), "the mutants section no longer states the count"
    assert totals, "the budget table no longer states how many mutants were killed"
    assert stated + totals == [len(MUTANTS)] * (len(stated) + len(totals)), (
        f"the docs state {stated} mutants and totals {totals}; the catalogue has {len(MUTANTS)}"
    )


def test_a_killed_count_is_never_above_the_catalogue() -> None:
    for killed, total in _KILLED_OF.findall(_text()):
        assert int(killed) <= int(total)


def test_the_stated_number_of_families_is_the_catalogues() -> None:
    found = _FAMILIES.findall(_text())
    assert found
    assert [WORDS.get(word, -1) for word in found] == [len(FAMILIES)] * len(found)
