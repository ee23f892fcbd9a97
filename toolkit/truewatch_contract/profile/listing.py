"""A profile as a person reads it: one line per point, what the target did and how often."""

from __future__ import annotations

from truewatch_contract.profile.document import Profile, describe, label, sorted_points


def listing(profile: Profile, *, defaults: dict[str, str] | None = None) -> str:
    """
    One line per learned point (``answer to a wrong DF-API-KEY: 401 ft.Unauthorized, content
    null (3 exchanges)``); `defaults`, when given, adds the points answered as by default.
    """
    source = profile.source
    where = source.get("target") or "an unnamed target"
    lines = [
        f"profile of {where}: {len(profile.points)} points learned from "
        f"{profile.learned_from} of {profile.exchanges} answered exchanges"
    ]
    for point in sorted_points(profile.points):
        observed = profile.points[point]
        others = "".join(
            f"; also {describe(point, value)} ({count})" for value, count in observed.also
        )
        lines.append(
            f"  {label(point)}: {describe(point, observed.value)} "
            f"({observed.support} exchange{'s' if observed.support != 1 else ''}{others})"
        )
    for point, text in (defaults or {}).items():
        lines.append(f"  {label(point)}: {text} (not learned: the mock's own answer)")
    return "\n".join(lines)
