"""
Drift of behaviour: what changed between two profiles (or two ``report.json`` files).

`compare` lists every point whose observed value changed (``answer:bad-key: 403 ft.InvalidAPIKey,
content null -> 401 ft.InvalidAPIKey, content null``), every point observed in one and not the
other, and, for two reports, every rule whose verdict changed (held -> broken, broken -> held,
exercised -> not exercised). A changed value or verdict is drift (exit 1); a point seen in only one
of the two is listed but is drift only when asked (``strict``): seeds and budgets differ between
runs, so one run may simply not have sent what the other did.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from truewatch_contract.profile.document import (
    MAX_BYTES,
    LearnedAnswer,
    Profile,
    ProfileError,
    describe,
    label,
    sorted_points,
)
from truewatch_contract.profile.load import load_profile

FORMAT = "truewatch-contract-diff/1"


@dataclass(frozen=True)
class Change:
    """One point (or rule) whose value differs: `old` or `new` None when seen in one only."""

    point: str
    old: Any
    new: Any

    def text(self) -> str:
        old = "not observed" if self.old is None else describe(self.point, self.old)
        new = "not observed" if self.new is None else describe(self.point, self.new)
        return f"{self.point} ({label(self.point)}): {old} -> {new}"


@dataclass(frozen=True)
class RuleChange:
    rule: str
    old: str
    new: str

    def text(self) -> str:
        return f"{self.rule}: {self.old} -> {self.new}"


@dataclass(frozen=True)
class Diff:
    changed: tuple[Change, ...] = ()
    only_old: tuple[Change, ...] = ()
    only_new: tuple[Change, ...] = ()
    rules: tuple[RuleChange, ...] = ()
    strict: bool = False
    names: tuple[str, str] = ("OLD", "NEW")
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def exit_code(self) -> int:
        """0 nothing changed, 1 an observed answer or a rule's verdict changed."""
        drift = bool(self.changed or self.rules)
        if self.strict:
            drift = drift or bool(self.only_old or self.only_new)
        return 1 if drift else 0

    def to_json(self) -> dict[str, Any]:
        def entry(change: Change) -> dict[str, Any]:
            return {
                "point": change.point,
                "about": label(change.point),
                "old": _plain(change.old),
                "new": _plain(change.new),
                "text": change.text(),
            }

        return {
            "format": FORMAT,
            "old": self.names[0],
            "new": self.names[1],
            "strict": self.strict,
            "exit_code": self.exit_code,
            "changed": [entry(c) for c in self.changed],
            "only_old": [entry(c) for c in self.only_old],
            "only_new": [entry(c) for c in self.only_new],
            "rules": [{"rule": r.rule, "old": r.old, "new": r.new} for r in self.rules],
            "notes": list(self.notes),
        }

    def text(self) -> str:
        old, new = self.names
        lines = []
        if self.changed:
            lines.append(f"changed ({len(self.changed)}):")
            lines.extend("  " + c.text() for c in self.changed)
        if self.rules:
            lines.append(f"rules whose verdict changed ({len(self.rules)}):")
            lines.extend("  " + r.text() for r in self.rules)
        for title, changes in (
            (f"observed only in {old}", self.only_old),
            (f"observed only in {new}", self.only_new),
        ):
            if changes:
                suffix = "" if self.strict else "; not drift without --strict"
                lines.append(f"{title} ({len(changes)}{suffix}):")
                lines.extend("  " + c.text() for c in changes)
        lines.extend(f"note: {note}" for note in self.notes)
        if self.exit_code == 0:
            verdict = "no drift: every point observed in both answers alike"
            if not (self.only_old or self.only_new):
                verdict = "no drift: the two agree on every point"
            lines.append(verdict)
        else:
            lines.append(
                f"drift: {len(self.changed)} point(s) and {len(self.rules)} rule(s) changed"
                + (" (strict: points seen in one only count)" if self.strict else "")
            )
        return "\n".join(lines)


def _plain(value: Any) -> Any:
    return value.to_json() if hasattr(value, "to_json") else value


def compare(old: Profile, new: Profile, *, strict: bool = False) -> Diff:
    """What changed from `old` to `new` (see the module)."""
    changed, only_old, only_new = [], [], []
    for point in sorted_points({**old.points, **new.points}):
        before, after = old.points.get(point), new.points.get(point)
        if before is None and after is not None:
            only_new.append(Change(point, None, after.value))
        elif after is None and before is not None:
            only_old.append(Change(point, before.value, None))
        elif before is not None and after is not None and not _same(before.value, after.value):
            changed.append(Change(point, before.value, after.value))
    return Diff(tuple(changed), tuple(only_old), tuple(only_new), strict=strict)


def _same(first: Any, second: Any) -> bool:
    if isinstance(first, LearnedAnswer) and isinstance(second, LearnedAnswer):
        # Alike as a client sees them; a Content-Type that changed shows in ``content-type``.
        return first.same(second)
    return json.dumps(_plain(first), sort_keys=True) == json.dumps(_plain(second), sort_keys=True)


def rule_changes(old: dict[str, Any], new: dict[str, Any]) -> list[RuleChange]:
    """Rules of two ``report.json`` documents whose verdict changed (``rules[].status``)."""
    before, after = _statuses(old), _statuses(new)
    found = []
    for rule in sorted(set(before) | set(after)):
        first = before.get(rule, "not in the catalogue")
        second = after.get(rule, "not in the catalogue")
        if _verdict(first) != _verdict(second):
            found.append(RuleChange(rule, first, second))
    return found


def _statuses(report: dict[str, Any]) -> dict[str, str]:
    rows = report.get("rules")
    if not isinstance(rows, list):
        return {}
    return {
        str(row["id"]): str(row.get("status"))
        for row in rows
        if isinstance(row, dict) and "id" in row
    }


def _verdict(status: str) -> str:
    """A rule's verdict for drift: held and input both mean it was exercised and held."""
    return {"input": "held", "relaxed": "broken"}.get(status, status)


def diff_files(old: str | Path, new: str | Path, *, strict: bool = False) -> Diff:
    """
    Compare two files, each a profile, a ``report.json`` or a run record; for two reports the
    rules' verdicts too.

    Raises:
        ProfileError: a file that is none of these (one line).
    """
    old_profile, new_profile = load_profile(old), load_profile(new)
    diff = compare(old_profile, new_profile, strict=strict)
    old_report, new_report = _report(old), _report(new)
    notes = []
    rules: list[RuleChange] = []
    if old_report is not None and new_report is not None:
        rules = rule_changes(old_report, new_report)
    elif (old_report is None) != (new_report is None):
        notes.append("one of the two is not a report.json: rules' verdicts are not compared")
    return Diff(
        diff.changed,
        diff.only_old,
        diff.only_new,
        tuple(rules),
        strict,
        (str(old), str(new)),
        tuple(notes),
    )


def _report(path: str | Path) -> dict[str, Any] | None:
    try:
        if Path(path).stat().st_size > MAX_BYTES:
            return None  # a record, not a report
        with open(path, encoding="utf-8", errors="replace") as handle:
            document = json.load(handle)
    except (OSError, ValueError, RecursionError):
        return None
    if isinstance(document, dict) and str(document.get("format", "")).startswith(
        "truewatch-contract-report/"
    ):
        return document
    return None


__all__ = ["Change", "Diff", "ProfileError", "RuleChange", "compare", "diff_files"]
