"""
Read a profile from wherever one is kept: a profile file, a ``report.json`` (its
``target_profile``) or a run record (learned again), or an object already in memory.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from truewatch_contract.profile.document import MAX_BYTES, Profile, ProfileError
from truewatch_contract.profile.learn import learn
from truewatch_contract.record.reader import read_record


def load_profile(source: Profile | Mapping[str, Any] | str | Path) -> Profile:
    """
    A profile from a `Profile`, a profile document, or a file: a profile, a ``report.json``
    (its ``target_profile``) or a run record (JSON lines, learned again).

    Raises:
        ProfileError: one line naming the file and what is wrong with it.
    """
    if isinstance(source, Profile):
        return source
    if isinstance(source, Mapping):
        return _from_document(source, "the object")
    if not isinstance(source, (str, Path)):
        raise ProfileError(
            "a profile is a Profile, a profile document or a file path, "
            f"not {type(source).__name__}"
        )
    path = Path(source)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise ProfileError(f"{path}: cannot be read ({error.strerror or error})") from None
    if len(data) > MAX_BYTES and not _looks_like_record(data):
        raise ProfileError(f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MiB, not a profile")
    text = data.decode("utf-8", "replace")
    try:
        document = json.loads(text) if len(data) <= MAX_BYTES else None
    except (ValueError, RecursionError):
        document = None
    if document is None:
        if _looks_like_record(data):
            return _from_record(path)
        raise ProfileError(f"{path}: not JSON, so neither a profile, a report.json nor a record")
    try:
        return _from_document(document, str(path))
    except ProfileError as error:
        raise ProfileError(f"{path}: {error}") from None


def _from_document(document: Any, where: str) -> Profile:
    if isinstance(document, Mapping) and str(document.get("format", "")).startswith(
        "truewatch-contract-report/"
    ):
        embedded = document.get("target_profile")
        if embedded is None:
            raise ProfileError(
                "this report.json has no target_profile (written before profiles were kept); "
                "give the run's record instead"
            )
        return Profile.from_json(embedded)
    if isinstance(document, Mapping) and document.get("kind") == "run":
        raise ProfileError("one line of a run record; give the whole record file")
    return Profile.from_json(document)


def _looks_like_record(data: bytes) -> bool:
    head = data[:4096].lstrip()
    return head.startswith(b"{") and b'"kind"' in head.split(b"\n", 1)[0]


def _from_record(path: Path) -> Profile:
    record = read_record(path)
    if record.run is None and not record.exchanges:
        raise ProfileError(f"{path}: not a run record (no run line and no exchange)")
    return learn(record.exchanges, source=_record_source(record))


def _record_source(record: Any) -> dict[str, Any]:
    run = record.run
    if run is None:
        return {}
    return {
        "target": run.target,
        "mutant": run.mutant,
        "seed": run.seed,
        "started_at": run.started_at,
        "budget": record.budget.limit if record.budget is not None else None,
    }
