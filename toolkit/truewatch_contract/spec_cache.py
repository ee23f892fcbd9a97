"""
A cache of the parsed spec for an editable checkout: where entries live, reading and writing them.

An installed wheel reads the JSON copy of the spec that ships in it and never touches this cache.
An editable checkout parses the YAML, which costs more than the rest of a cold
``truewatch-contract validate``, so `truewatch_contract.spec` keeps the parse here, in
`truewatch_contract.settings.cache_dir` (``$TRUEWATCH_CACHE_DIR``, else
``$XDG_CACHE_HOME/truewatch-contract``, else ``~/.cache/truewatch-contract``):

- one entry per YAML file and content: ``spec-<file>-<sha256 of its bytes>.json``; any edit of the
  spec makes a new key, and the entry holds that digest, checked on every read;
- an entry that is unreadable, corrupted or for other bytes is ignored and rewritten;
- writing an entry removes only the older entries of the same YAML file, never another
  checkout's or install's;
- the cache is derived data: when its folder is unwritable, the YAML is parsed as usual.

This module knows nothing of the spec itself (`truewatch_contract.spec` owns the loading).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from truewatch_contract.settings import cache_dir

_FORMAT = 1


def locate(path: Path, data: bytes) -> tuple[Path, str, str]:
    """``(entry, digest, prefix)``: where the parse of `data`, read from `path`, is kept."""
    digest = hashlib.sha256(data).hexdigest()
    prefix = f"spec-{hashlib.sha256(str(path).encode()).hexdigest()[:12]}-"
    return cache_dir() / f"{prefix}{digest[:32]}.json", digest, prefix


def read(entry: Path, digest: str) -> dict[str, Any] | None:
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


def write(entry: Path, prefix: str, digest: str, document: dict[str, Any]) -> None:
    """Keep `document` as `entry` (and drop the older entries of the same file); never fails."""
    content = {"format": _FORMAT, "sha256": digest, "document": document}
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
