"""One concept, one name: no two classes of the toolkit share a name (issue 10)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "toolkit" / "truewatch_contract"
# The mutant catalogue names each defect after what it breaks; its classes are all `Service`
# subclasses registered by name, never imported one by one.
CATALOGUE = PACKAGE / "mock" / "mutants.py"


def _classes(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]


def test_no_two_classes_share_a_name() -> None:
    where: dict[str, list[str]] = defaultdict(list)
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == CATALOGUE:
            continue
        for name in _classes(path):
            where[name].append(str(path.relative_to(PACKAGE)))
    shared = {name: paths for name, paths in where.items() if len(paths) > 1}
    assert shared == {}, f"classes sharing a name: {shared}"


def test_the_scan_sees_the_whole_package() -> None:
    """The scan is not vacuous: it finds the classes it is meant to keep apart."""
    names = {name for path in PACKAGE.rglob("*.py") for name in _classes(path)}
    assert {"Redactor", "RateLimit", "ExchangeLine", "IncomingRequest"} <= names
