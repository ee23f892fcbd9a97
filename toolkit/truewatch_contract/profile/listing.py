"""A profile as a person reads it: one line per point, what the target did and how often."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from truewatch_contract.profile.document import Profile, describe, label, sorted_points


def listing(
    profile: Profile,
    *,
    defaults: Mapping[str, str] | None = None,
    order: Sequence[str] | None = None,
) -> str:
    """
    One line per learned point (``answer to a wrong DF-API-KEY: 401 ft.Unauthorized, content
    null (3 exchanges)``). For a mock answering from the profile: `order`, the stages of its
    checks in the order it runs them, and `defaults`, the points it was not taught (point id ->
    what it answers there, e.g. ``403 ft.InvalidAPIKey (the mock's own)``), each marked "not
    learned".
    """
    source = profile.source
    where = source.get("target") or "an unnamed target"
    lines = [
        f"profile of {where}: {len(profile.points)} points learned from "
        f"{profile.learned_from} of {profile.exchanges} answered exchanges"
    ]
    if order:
        lines.append(f"  order of checks: {', '.join(order)}")
    for point in sorted_points(profile.points):
        observed = profile.points[point]
        others = "".join(
            f"; also {describe(point, value)} ({count})" for value, count in observed.also
        )
        lines.append(
            f"  {label(point)}: {describe(point, observed.value)} "
            f"({observed.support} exchange{'s' if observed.support != 1 else ''}{others})"
        )
    if defaults:
        lines.append("  not learned (answered as the mock's own, or as the point noted):")
        for point in sorted_points(defaults):
            lines.append(f"    {label(point)}: {defaults[point]}")
    return "\n".join(lines)
