"""
``docs/contract-decisions.md``, the project's own reading of the vendor page: it names every rule
of the spec's ``x-contract-rules``, tags its points with the spec's three tags only and agrees with
the catalogue on them, and it is the one place the repository cites for that reading (the copy
outside the repository that the citations used to name is not something a user can open).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DECISIONS = ROOT / "docs/contract-decisions.md"
SPEC = ROOT / "openapi" / "error-track.openapi.yaml"
TAGS = ("documented", "observed", "assumed")
SECTIONS = (
    "Request",
    "Response envelope",
    "Success content",
    "History across updates",
    "Errors",
    "A request with several faults",
    "Rate limits",
    "Open points",
)
ERROR_COLUMNS = ["situation", "required of any target", "the mock answers", "tag", "rule id"]
# The project's own files, in a checkout or an sdist: never .venv, .git or reports.
SCANNED = (
    "README.md", "ARCHITECTURE.md", "pyproject.toml", "hatch_build.py", "openapi", "docs",
    "toolkit", "tests", "contract_tests", "benchmarks", "scripts",
)  # fmt: skip
# A citation of the decisions; "[-]" keeps this pattern from matching its own source line.
_CITATION = re.compile(r"contract[-]decisions")
_CODE = re.compile(r"`([^`]+)`")
_RULE_ID = re.compile(r"^(request|envelope|content|history|behaviour)\.[a-z0-9-]+$")
_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _catalogue() -> dict[str, str]:
    """Every rule id of the spec's ``x-contract-rules``, with its tag."""
    rules = yaml.safe_load(SPEC.read_bytes())["x-contract-rules"]
    return {rule["id"]: rule["tag"] for rule in rules}


def _text() -> str:
    return DECISIONS.read_text(encoding="utf-8")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _tables(text: str) -> Iterator[tuple[str, list[str], list[dict[str, str]]]]:
    """Each Markdown table: the section it sits in, its header and its rows (column -> cell)."""
    section, lines = "", text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("## "):
            section = line[3:].strip()
        if line.startswith("|") and index + 1 < len(lines) and lines[index + 1].startswith("|---"):
            header = _cells(line)
            rows, index = [], index + 2
            while index < len(lines) and lines[index].startswith("|"):
                cells = _cells(lines[index])
                assert len(cells) == len(header), f"{section}: {lines[index][:80]!r}"
                rows.append(dict(zip(header, cells, strict=True)))
                index += 1
            yield section, header, rows
            continue
        index += 1


def _decision_rows() -> list[tuple[str, dict[str, str]]]:
    """The rows that decide a point: those of every table with a rule id column."""
    return [
        (section, row)
        for section, header, rows in _tables(_text())
        if "rule id" in header
        for row in rows
    ]


def test_every_rule_of_the_catalogue_appears_in_the_decisions() -> None:
    text = _text()
    missing = [rule for rule in _catalogue() if f"`{rule}`" not in text]
    assert missing == [], f"rules the decisions never name: {missing}"


def test_every_rule_id_the_decisions_cite_is_in_the_catalogue() -> None:
    catalogue = _catalogue()
    cited = {
        token
        for _, row in _decision_rows()
        for token in _CODE.findall(row["rule id"])
        if _RULE_ID.match(token)
    }
    assert cited, "no rule id found in the decision tables"
    assert sorted(cited - catalogue.keys()) == []
    for section, row in _decision_rows():
        cell = row["rule id"]
        assert any(_RULE_ID.match(t) for t in _CODE.findall(cell)) or cell.startswith(
            "none of its own"
        ), f"{section}: a point without a rule id or 'none of its own': {row}"


def test_the_decisions_use_the_three_tags_only() -> None:
    tag_cells = [
        (section, row["tag"])
        for section, header, rows in _tables(_text())
        if "tag" in header
        for row in rows
    ]
    assert len(tag_cells) > 40
    wrong = [(s, cell) for s, cell in tag_cells if cell.strip("`") not in TAGS or cell[0] != "`"]
    assert wrong == [], f"tags other than {TAGS}: {wrong}"
    # No other tag anywhere in the prose either (such as a "documented defect").
    tagish = [t for t in _CODE.findall(_text()) if t.split()[0].rstrip(",.") in TAGS]
    assert sorted(set(tagish) - set(TAGS)) == []
    for section, row in _decision_rows():
        assert "tag" in row, f"{section}: a table of decisions without a tag column"


def test_each_rule_is_cited_at_least_once_under_its_own_tag() -> None:
    """The doc and the spec agree on tags: some point citing a rule carries the rule's tag."""
    seen: dict[str, set[str]] = {}
    for _, row in _decision_rows():
        for token in _CODE.findall(row["rule id"]):
            seen.setdefault(token, set()).add(row["tag"].strip("`"))
    disagree = {
        rule: (tag, sorted(seen.get(rule, ())))
        for rule, tag in _catalogue().items()
        if tag not in seen.get(rule, ())
    }
    assert disagree == {}, "rule: (the catalogue's tag, the tags of the points citing it)"


def test_the_sections_and_the_errors_table() -> None:
    headings = [line[3:].strip() for line in _text().splitlines() if line.startswith("## ")]
    assert [h for h in headings if h in SECTIONS] == list(SECTIONS)
    (errors,) = [header for section, header, _ in _tables(_text()) if section == "Errors"]
    assert errors == ERROR_COLUMNS


def test_the_decisions_links_resolve() -> None:
    """Its relative links point into ``openapi/``, which the wheel ships beside it too."""
    links = [link for link in _LINK.findall(_text()) if "://" not in link]
    assert links
    for link in links:
        assert (DECISIONS.parent / link).is_file(), link
        assert link.startswith("../openapi/"), f"{link}: the wheel would not ship it"


def _project_files() -> Iterator[Path]:
    for name in SCANNED:
        top = ROOT / name
        for path in [top] if top.is_file() else sorted(top.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                yield path


def test_every_citation_names_the_file_in_docs() -> None:
    bare = []
    for path in _project_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for match in _CITATION.finditer(text):
            if text[max(0, match.start() - 5) : match.start()] != "docs/":
                line = text.count("\n", 0, match.start()) + 1
                bare.append(f"{path.relative_to(ROOT)}:{line}")
    assert bare == [], f"citations without the docs/ prefix: {bare}"


@pytest.mark.parametrize("where", ["README.md", "openapi/error-track.openapi.yaml"])
def test_the_readme_and_the_spec_cite_the_decisions(where: str) -> None:
    assert "docs/contract-decisions.md" in (ROOT / where).read_text(encoding="utf-8")


def _pyproject_table(name: str) -> str:
    """The text of one table of pyproject.toml (no tomllib: the project runs on Python 3.10)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    found = re.search(rf"^\[{re.escape(name)}\]\n(.*?)(?=^\[|\Z)", text, re.DOTALL | re.MULTILINE)
    assert found, f"pyproject.toml has no [{name}]"
    return found.group(1)


def test_the_wheel_and_the_sdist_carry_the_decisions() -> None:
    """Beside the spec in the wheel (so the spec's citation resolves there), and in the sdist."""
    shipped = _pyproject_table("tool.hatch.build.targets.wheel.force-include")
    assert re.search(
        r'^"docs/contract-decisions\.md" = "truewatch_contract/docs/contract-decisions\.md"$',
        shipped,
        re.MULTILINE,
    )
    sdist = _pyproject_table("tool.hatch.build.targets.sdist")
    assert '"docs/contract-decisions.md"' in sdist
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`truewatch_contract/docs/contract-decisions.md`" in readme
