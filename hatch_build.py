"""
Build hook: ship the spec as JSON next to the YAML inside the wheel.

The YAML in ``openapi/`` is the one source. A wheel also carries it parsed, as
``truewatch_contract/openapi/error-track.openapi.json``, so an installed package reads the spec with
the standard library alone: no PyYAML and no cache at run time. An editable install gets no JSON
and reads the checkout's YAML (PyYAML is a dev dependency there), so an edit is seen at once.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCE = Path("openapi") / "error-track.openapi.yaml"
TARGET = "truewatch_contract/openapi/error-track.openapi.json"


def _check_json(node: Any, pointer: str = "") -> None:
    """Refuse what JSON cannot hold as YAML parsed it (dates, non-string keys, NaN)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if not isinstance(key, str):
                raise ValueError(f"{SOURCE}: key {key!r} at '{pointer}' is not a string; quote it")
            _check_json(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _check_json(value, f"{pointer}/{index}")
    elif isinstance(node, float) and not math.isfinite(node):
        raise ValueError(f"{SOURCE}: '{pointer}' is {node}, which JSON cannot hold")
    elif node is not None and not isinstance(node, (str, int, float, bool)):
        raise ValueError(f"{SOURCE}: '{pointer}' is a {type(node).__name__}; quote it")


def spec_json(root: Path) -> str:
    """The spec at ``root / SOURCE`` as JSON text (the YAML's document, value for value)."""
    import yaml  # a build requirement only

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document = yaml.load((root / SOURCE).read_bytes(), Loader=loader)  # a safe loader
    if not isinstance(document, dict):
        raise ValueError(f"{SOURCE} does not hold an OpenAPI document")
    _check_json(document)
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


class SpecJsonHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        self._folder = Path(tempfile.mkdtemp(prefix="truewatch-spec-"))
        generated = self._folder / "error-track.openapi.json"
        generated.write_text(spec_json(Path(self.root)), encoding="utf-8")
        build_data["force_include"][str(generated)] = TARGET

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        folder = getattr(self, "_folder", None)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
