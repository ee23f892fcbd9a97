"""
The target's profile: what it chose wherever the contract leaves a choice, learned from a run by
the library (so that every layer, the mock included, can read it).

- `document`: the profile document (``truewatch-contract-profile/1``): `Profile`,
  `LearnedAnswer`.
- `load`: `load_profile` (a profile, a ``report.json`` or a run record).
- `learn`: a `Profile` from a run's exchanges.
- `order`: the order of a target's checks, from its profile.
- `diff`: what changed between two profiles (or two reports).
- `listing`: a profile as a person reads it.
- `observed`: the report's readable profile, a list of points, each with an example exchange.
"""

from __future__ import annotations

from truewatch_contract.profile.document import (
    FORMAT,
    LearnedAnswer,
    Point,
    Profile,
    ProfileError,
)
from truewatch_contract.profile.learn import learn
from truewatch_contract.profile.load import load_profile
from truewatch_contract.profile.observed import POINTS, build_profile

__all__ = [
    "FORMAT",
    "POINTS",
    "LearnedAnswer",
    "Point",
    "Profile",
    "ProfileError",
    "build_profile",
    "learn",
    "load_profile",
]
