"""
Correct servers written without the project's code: the fairness test bed of the contract suite.

Each profile is a complete implementation of ``POST /api/v1/error_track/{issue_id}/update`` as
the vendor's page and ``docs/contract-decisions.md`` allow it, and makes its own choice wherever the
contract leaves one (the order of its checks, 401 or 403, 400 or 422, error ``content``, traceId
shape, ``{}``, unknown fields, the same status again, ...). None imports ``truewatch_contract``:
a suite that only passes against servers built from its own code proves nothing about staging.

- `seed`: the data every profile serves (its own ids, shaped like the page's example).
- `domain`: the issue store (a lock around every read-modify-write) and the body decoders.
- `profiles`: the six profiles, their choices, and a stdlib or Starlette front end for each.
- `harness`: start a profile on a loopback port and run the contract suite against it.
"""

from __future__ import annotations

from correct_servers.profiles import PROFILES, Profile

__all__ = ["PROFILES", "Profile"]
