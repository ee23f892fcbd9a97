"""
The target's profile: what it chose wherever the contract leaves a choice, built from a run
record by the library (so that every layer, the mock included, can read it).

- `observed`: the report's profile, a list of points, each with what the target did there, how
  often, and one exchange that shows it (`build_profile`).
"""

from __future__ import annotations

from truewatch_contract.profile.observed import POINTS, build_profile

__all__ = ["POINTS", "build_profile"]
