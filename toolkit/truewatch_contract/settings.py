"""
The library's own settings, from the environment: the one place that reads them.

- ``TRUEWATCH_ENGINE``: the schema engine ``auto`` stands for (``jsonschema`` or
  ``jsonschema-rs``); unset or blank: jsonschema-rs when installed (`schema_engine`).
- ``TRUEWATCH_CACHE_DIR``: where an editable checkout keeps its parsed spec (`spec_cache`); unset:
  ``$XDG_CACHE_HOME/truewatch-contract``, else ``~/.cache/truewatch-contract``.

Each is read when it is used (so a test, or a long-lived process, that changes the environment is
followed). The contract suite's variables are read by its own configuration,
`truewatch_contract.suite.config.SuiteConfig`.
"""

from __future__ import annotations

import os
from pathlib import Path

ENGINE = "TRUEWATCH_ENGINE"
CACHE_DIR = "TRUEWATCH_CACHE_DIR"


def engine_setting() -> str:
    """``TRUEWATCH_ENGINE`` as set (``""`` when unset)."""
    return os.environ.get(ENGINE, "").strip()


def cache_dir() -> Path:
    """The folder of an editable checkout's spec cache."""
    override = os.environ.get(CACHE_DIR, "").strip()
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "truewatch-contract"
