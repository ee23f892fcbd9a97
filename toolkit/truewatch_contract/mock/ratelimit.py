"""
Emulation of the platform's rate limits (off unless asked for).

The platform documents 20 requests a minute per API key and 200 a minute per workspace, both
answered 401 (``ft.TriggerApiAkCurrentLimiting`` / ``ft.TriggerApiWorkspaceCurrentLimiting``).
The key limit is a `truewatch_contract.rates.RateLimit` (``20/m``, ``5/s``, ``20/10s``: the one
rate grammar the suite's pacer reads too); the workspace limit is always ten times it, as on the
platform, which is the mock's own concern. Windows slide over the limit's period of the mock's own
clock. Every authenticated request counts, whatever its answer; a request answered with a
rate-limit error does not count, so a client that waits gets through again.
"""

from __future__ import annotations

import threading
from collections import deque

from truewatch_contract.rates import RateLimit

WORKSPACE_FACTOR = 10


def workspace_limit(limit: RateLimit) -> int:
    """Requests a workspace may send within the limit's period: ten times a key's."""
    return limit.requests * WORKSPACE_FACTOR


class RateLimiter:
    """Sliding-window counters per key and per workspace."""

    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit
        self._per_workspace = workspace_limit(limit)
        self._lock = threading.Lock()
        self._keys: dict[str, deque[float]] = {}
        self._workspaces: dict[str, deque[float]] = {}

    def reset(self) -> None:
        with self._lock:
            self._keys.clear()
            self._workspaces.clear()

    def check(self, key: str, workspace: str, now: float) -> str | None:
        """Count one request; return ``"key"`` or ``"workspace"`` when a limit is reached."""
        with self._lock:
            horizon = now - self.limit.period
            key_hits = self._keys.setdefault(key, deque())
            ws_hits = self._workspaces.setdefault(workspace, deque())
            for hits in (key_hits, ws_hits):
                while hits and hits[0] <= horizon:
                    hits.popleft()
            if len(key_hits) >= self.limit.requests:
                return "key"
            if len(ws_hits) >= self._per_workspace:
                return "workspace"
            key_hits.append(now)
            ws_hits.append(now)
            return None
