"""
Nothing lost, briefly: ``benchmarks/soak_proxy.py`` for a few seconds (the 30 s soak is the
script): the benchmark's load with faults from clients and an upstream that dies and comes back;
no error the upstream did not cause, every exchange in the record, the reports complete after
SIGTERM, memory flat, every fault said on stderr. No timing is asserted.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "soak_proxy.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("soak_proxy", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["soak_proxy"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_a_short_soak_loses_nothing() -> None:
    result = _script().soak(8.0)
    assert result.passed, result.problems
    sent = sum(each.requests for each in result.load.values())
    assert sent > 0 and result.faults_sent >= 4
    assert sum(each.upstream_502 for each in result.load.values()) > 0  # the outage was seen
