"""
Which broken rules fail and which are only reported: `is_relaxed`, the one place that decides,
and `Policy`, the set of relaxed rule ids and tags that every layer carries.

A relaxed rule is still checked; its violations are kept apart (``relaxed``), never dropped. The
``assumed`` tag is relaxed by default against any target but the built-in mock: those rules are
the project's own reading where the vendor's page is silent.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from truewatch_contract.rules.catalogue import RULES, tag_of
from truewatch_contract.violations import TAGS, Violation

ASSUMED = "assumed"


def is_relaxed(rule_id: str, relaxed: Collection[str]) -> bool:
    """Whether `relaxed` (rule ids and tags) relaxes the catalogued rule `rule_id`."""
    if rule_id in relaxed:
        return True
    try:
        return tag_of(rule_id) in relaxed
    except KeyError:  # not a catalogued rule: only its id can relax it
        return False


#: ``relax="none"`` / ``--relax none``: relax nothing, not even the ``assumed`` rules.
NOTHING = "none"


def _names(items: str | Iterable[str] | None) -> frozenset[str]:
    if items is None:
        return frozenset()
    if isinstance(items, str):
        items = [items]
    return frozenset(
        part.strip() for item in items for part in str(item).split(",") if part.strip()
    )


def parse_items(items: str | Iterable[str] | None, name: str = "relax") -> frozenset[str]:
    """
    Rule ids and tags from ``"a,b"``, ``["a", "b"]`` or ``["a,b"]`` (blanks ignored).

    Raises:
        ValueError: an item that is neither a rule id of the catalogue nor a tag; the message is
            one line that starts with `name` (the option or variable it came from).
    """
    names = _names(items)
    unknown = sorted(name for name in names if name not in TAGS and name not in RULES)
    if unknown:
        raise ValueError(
            f"{name}: unknown rule id or tag {', '.join(map(repr, unknown))} "
            f"(tags: {', '.join(TAGS)}; rule ids as in the spec's x-contract-rules)"
        )
    return names


@dataclass(frozen=True)
class Policy:
    """
    The rule ids and tags whose violations are reported but do not fail.

    `Policy.remote` (the default) relaxes the ``assumed`` rules, as against any target but the
    built-in mock; `Policy.strict` relaxes nothing.
    """

    relaxed: frozenset[str] = frozenset({ASSUMED})
    _decided: dict[str, bool] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    @classmethod
    def strict(cls) -> Policy:
        """Nothing relaxed: every broken rule fails."""
        return _STRICT

    @classmethod
    def remote(cls, relax: str | Iterable[str] | None = None) -> Policy:
        """
        The ``assumed`` rules relaxed, plus `relax` (rule ids or tags, ``"a,b"`` taken); `relax`
        ``"none"`` relaxes nothing, not even ``assumed`` (as ``--relax none`` for `run`).

        Raises:
            ValueError: an unknown rule id or tag, or ``none`` beside others.
        """
        names = _names(relax)
        if NOTHING in names:
            if len(names) > 1:
                raise ValueError(f"relax: {NOTHING!r} (relax nothing) cannot be combined")
            return _STRICT
        return cls.of(relax, include_assumed=False)

    @classmethod
    def of(cls, relax: str | Iterable[str] | None = None, *, include_assumed: bool) -> Policy:
        """
        `relax` (rule ids or tags), plus ``assumed`` unless `include_assumed`.

        Raises:
            ValueError: an unknown rule id or tag.
        """
        return _cached(parse_items(relax), bool(include_assumed))

    def relaxes(self, rule_id: str) -> bool:
        """Whether violations of `rule_id` are reported without failing."""
        decided = self._decided.get(rule_id)
        if decided is None:
            decided = self._decided[rule_id] = is_relaxed(rule_id, self.relaxed)
        return decided

    def split(
        self, violations: Iterable[Violation]
    ) -> tuple[tuple[Violation, ...], tuple[Violation, ...]]:
        """``(failing, relaxed)``: each sorted, one per rule and pointer."""
        failing: dict[tuple[str, str], Violation] = {}
        relaxed: dict[tuple[str, str], Violation] = {}
        for each in sorted(violations):
            (relaxed if self.relaxes(each.rule) else failing).setdefault(
                (each.rule, each.pointer), each
            )
        return tuple(failing.values()), tuple(relaxed.values())

    @functools.cached_property
    def relaxed_rules(self) -> frozenset[str]:
        """Every catalogued rule this policy relaxes."""
        return frozenset(rule for rule in RULES if self.relaxes(rule))


_STRICT = Policy(frozenset())


@functools.lru_cache(maxsize=64)
def _cached(relax: frozenset[str], include_assumed: bool) -> Policy:
    return Policy(relax if include_assumed else relax | {ASSUMED})
