"""The suite engine stays in small modules, one concept each: none over 450 lines."""

from __future__ import annotations

from pathlib import Path

import truewatch_contract.suite

LIMIT = 450


def test_no_module_of_the_suite_engine_is_over_450_lines() -> None:
    folder = Path(truewatch_contract.suite.__file__).parent
    sizes = {path.name: len(path.read_text("utf-8").splitlines()) for path in folder.glob("*.py")}
    assert len(sizes) > 10, sizes
    assert {name: n for name, n in sizes.items() if n > LIMIT} == {}
