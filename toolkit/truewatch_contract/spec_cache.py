"""
The parsed spec for the validators, read through a derived JSON cache.

Parsing the YAML spec costs more than the rest of a cold ``truewatch-contract validate``. The
parsed document is therefore cached as JSON in the user's cache folder, keyed by the sha256 of
the spec file: any edit of the spec makes a new key. The cache is derived data, never a second
source: when the folder is unwritable or the file unreadable, the YAML is parsed as usual.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from truewatch_contract.spec import spec_document, spec_path


def _cache_dir() -> Path:
    override = os.environ.get("TRUEWATCH_CACHE_DIR")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "truewatch-contract"


@functools.lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    """The parsed spec (shared and read-only by convention)."""
    path = spec_path()
    try:
        data = path.read_bytes()
    except OSError:
        return spec_document()
    cached = _cache_dir() / f"spec-{hashlib.sha256(data).hexdigest()[:32]}.json"
    try:
        with cached.open("rb") as handle:
            loaded = json.load(handle)
        if isinstance(loaded, dict):
            return loaded
    except (OSError, ValueError):
        pass
    # Parsed from the very bytes that were hashed: the cache entry can never hold another version
    # of the spec (a long-lived process's own parse may predate an edit of the file).
    parsed = _parse(data)
    _write(cached, parsed)
    return parsed


def _parse(data: bytes) -> dict[str, Any]:
    import yaml  # only on a cache miss: the cold CLI never imports it

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document = yaml.load(data, Loader=loader)  # a safe loader
    if not isinstance(document, dict):
        raise ValueError(f"{spec_path()} does not hold an OpenAPI document")
    return document


def _write(target: Path, parsed: dict[str, Any]) -> None:
    # Written to a temporary name, then renamed: a concurrent reader never sees half a file.
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(parsed), encoding="utf-8")
        os.replace(temporary, target)
        for stale in target.parent.glob("spec-*.json"):
            if stale != target:
                stale.unlink(missing_ok=True)
    except (OSError, TypeError, ValueError):
        pass  # an unwritable cache only costs speed
