"""
The order of a target's checks, as far as its profile shows it.

A server checks a request in stages: the route, the method, the body's size, the key, the media
type, the body, the id's form, the lookup of the issue. The built-in mock checks them in that
order (`DEFAULT_STAGES`). A profile's ``order:<a>/<b>`` points say, for two faults sent
together, whose answer came back: each is a constraint "this fault's stage before that one's".
`stage_order` sorts the stages under those constraints, keeping the mock's order wherever the
profile says nothing (a stable topological sort: of the stages free to go next, the one the mock
checks first). Where the profile says nothing about the media type or the size against a stage,
they follow the body (servers check them with it), and the id's form is always checked before the
lookup it saves.
"""

from __future__ import annotations

from collections.abc import Mapping

from truewatch_contract.profile.document import Profile

#: The built-in mock's order of checks.
DEFAULT_STAGES: tuple[str, ...] = (
    "route",
    "method",
    "size",
    "key",
    "media",
    "body",
    "id-form",
    "lookup",
)
#: The stage each fault is found in.
FAULT_STAGES: dict[str, str] = {
    "route": "route",
    "method": "method",
    "too-large": "size",
    "missing-key": "key",
    "bad-key": "key",
    "media-type": "media",
    "not-json": "body",
    "not-object": "body",
    "schema": "body",
    "malformed-id": "id-form",
    "unknown-issue": "lookup",
    "foreign-issue": "lookup",
    "foreign-key": "lookup",
}
#: Stages that go with the body where the profile says nothing of them.
FOLLOW_BODY = ("size", "media")


def fault_stage(fault: str, profile: Profile) -> str | None:
    """
    The stage `fault` is found in by this target: an id of the wrong form answered exactly as an
    unknown issue is found by the lookup (the target has no check of the id's form).
    """
    stage = FAULT_STAGES.get(fault)
    if stage == "id-form":
        malformed, unknown = profile.answer("malformed-id"), profile.answer("unknown-issue")
        if malformed is not None and unknown is not None and malformed.same(unknown):
            return "lookup"
    return stage


def constraints(profile: Profile) -> dict[tuple[str, str], int]:
    """``{(stage before, stage after): support}`` from the profile's order points."""
    found: dict[tuple[str, str], int] = {}
    for (first, second), (winner, support) in profile.order().items():
        if winner not in (first, second):
            continue  # neither fault's answer: no order shown
        loser = second if winner == first else first
        before, after = fault_stage(winner, profile), fault_stage(loser, profile)
        if before is None or after is None or before == after:
            continue
        found[(before, after)] = found.get((before, after), 0) + support
    return found


def stage_order(profile: Profile) -> tuple[str, ...]:
    """The stages in the order this target checks them (see the module)."""
    shown = constraints(profile)
    weighed = _settled(shown)
    for stage in FOLLOW_BODY:
        for other in DEFAULT_STAGES:
            if other in (stage, "body", *FOLLOW_BODY):
                continue
            if (stage, other) in weighed or (other, stage) in weighed:
                continue  # the profile speaks of this pair itself
            if ("body", other) in weighed:
                weighed[(stage, other)] = 0
            elif (other, "body") in weighed:
                weighed[(other, stage)] = 0
    if ("lookup", "id-form") not in shown:
        weighed[("id-form", "lookup")] = weighed.get(("id-form", "lookup"), 0)
        weighed.pop(("lookup", "id-form"), None)
    return _sorted(weighed)


def _settled(shown: Mapping[tuple[str, str], int]) -> dict[tuple[str, str], int]:
    """Of two opposite constraints, the better supported (the mock's order on a tie)."""
    settled: dict[tuple[str, str], int] = {}
    rank = {stage: i for i, stage in enumerate(DEFAULT_STAGES)}
    for (before, after), support in shown.items():
        against = shown.get((after, before), -1)
        if support > against or (support == against and rank[before] < rank[after]):
            settled[(before, after)] = support
    return settled


def _sorted(constraints: Mapping[tuple[str, str], int]) -> tuple[str, ...]:
    """A stable topological sort; a cycle is broken in the mock's order."""
    left = list(DEFAULT_STAGES)
    placed: list[str] = []
    while left:
        free = [
            s for s in left if not any(b in left and a == s for (b, a) in constraints if b != s)
        ]
        chosen = free[0] if free else left[0]
        placed.append(chosen)
        left.remove(chosen)
    return tuple(placed)
