"""
The parsed spec, read once per process: the wheel's JSON copy, or a checkout's YAML via a cache.

An installed wheel reads ``truewatch_contract/openapi/error-track.openapi.json`` (generated from
the YAML at build time) and never touches this cache. An editable checkout parses the YAML, which
costs more than the rest of a cold ``truewatch-contract validate``, so the parse is kept as JSON in
``$TRUEWATCH_CACHE_DIR``, else ``$XDG_CACHE_HOME/truewatch-contract``, else
``~/.cache/truewatch-contract``:

- one entry per YAML file and content: ``spec-<file>-<sha256 of its bytes>.json``; any edit of the
  spec makes a new key, and the entry holds that digest, checked on every read;
- an entry that is unreadable, corrupted or for other bytes is ignored and rewritten;
- writing an entry removes only the older entries of the same YAML file, never another
  checkout's or install's;
- the cache is derived data: when its folder is unwritable, the YAML is parsed as usual.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from truewatch_contract.spec import SpecError, parse_yaml, shipped_json_path, spec_path

_FORMAT = 1


def cache_dir() -> Path:
    """The folder of the checkout's spec cache."""
    override = os.environ.get("TRUEWATCH_CACHE_DIR")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "truewatch-contract"


@functools.lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    """The parsed spec (shared and read-only by convention)."""
    shipped = shipped_json_path()
    if shipped is not None:
        return _read_shipped(shipped)
    path = spec_path()
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SpecError(f"cannot read the spec {path}: {error.strerror or error}") from None
    digest = hashlib.sha256(data).hexdigest()
    prefix = f"spec-{hashlib.sha256(str(path).encode()).hexdigest()[:12]}-"
    entry = cache_dir() / f"{prefix}{digest[:32]}.json"
    cached = _read_entry(entry, digest)
    if cached is not None:
        return cached
    # Parsed from the very bytes that were hashed: an entry never holds another version.
    parsed = parse_yaml(data)
    _write_entry(entry, prefix, {"format": _FORMAT, "sha256": digest, "document": parsed})
    return parsed


def _read_shipped(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            loaded = json.load(handle)
    except (OSError, ValueError) as error:
        raise SpecError(f"the installed spec {path} is unreadable ({error}); reinstall") from None
    if not isinstance(loaded, dict):
        raise SpecError(f"the installed spec {path} holds no OpenAPI document; reinstall")
    return loaded


def _read_entry(entry: Path, digest: str) -> dict[str, Any] | None:
    """The cached document if the entry is sound and for these very bytes, else None."""
    try:
        with entry.open("rb") as handle:
            loaded = json.load(handle)
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(loaded, dict) or loaded.get("format") != _FORMAT:
        return None
    cached = loaded.get("document")
    if loaded.get("sha256") != digest or not isinstance(cached, dict) or "paths" not in cached:
        return None
    return cached


def _write_entry(entry: Path, prefix: str, content: dict[str, Any]) -> None:
    # Written to a temporary name, then renamed: a concurrent reader never sees half a file.
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        temporary = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(content), encoding="utf-8")
        os.replace(temporary, entry)
        for older in entry.parent.glob(f"{prefix}*.json"):
            if older != entry:
                older.unlink(missing_ok=True)
    except (OSError, TypeError, ValueError):
        pass  # an unwritable cache only costs speed
