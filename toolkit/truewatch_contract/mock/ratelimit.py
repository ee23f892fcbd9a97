"""
Emulation of the platform's rate limits (off unless asked for).

The platform documents 20 requests a minute per API key and 200 a minute per workspace, both
answered 401 (``ft.TriggerApiAkCurrentLimiting`` / ``ft.TriggerApiWorkspaceCurrentLimiting``).
``RateLimit.parse("20/m")`` sets the key limit; the workspace limit is always ten times it, as on
the platform. Windows slide over the last 60 s (or 1 s for ``N/s``) of the mock's own clock. Every
authenticated request counts, whatever its answer; a request answered with a rate-limit error does
not count, so a client that waits gets through again.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from dataclasses import dataclass

_SPEC = re.compile(r"\s*([0-9]{1,9})\s*/\s*(s|m|min|h)\s*", re.IGNORECASE)
_WINDOWS = {"s": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}
WORKSPACE_FACTOR = 10


@dataclass(frozen=True)
class RateLimit:
    """``per_key`` requests per ``window`` seconds per key; ten times more per workspace."""

    per_key: int
    window: float = 60.0

    @property
    def per_workspace(self) -> int:
        return self.per_key * WORKSPACE_FACTOR

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """Parse ``N/m`` (also ``N/s``, ``N/h``); raise ``ValueError`` for anything else."""
        match = _SPEC.fullmatch(text)
        if match is None or int(match.group(1)) < 1:
            raise ValueError(
                f"invalid rate limit {text!r}: expected N/s, N/m or N/h with N >= 1 (e.g. 20/m)"
            )
        return cls(int(match.group(1)), _WINDOWS[match.group(2).lower()])

    def __str__(self) -> str:
        return f"{self.per_key}/{'m' if self.window == 60.0 else self.window}"


class RateLimiter:
    """Sliding-window counters per key and per workspace."""

    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit
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
            horizon = now - self.limit.window
            key_hits = self._keys.setdefault(key, deque())
            ws_hits = self._workspaces.setdefault(workspace, deque())
            for hits in (key_hits, ws_hits):
                while hits and hits[0] <= horizon:
                    hits.popleft()
            if len(key_hits) >= self.limit.per_key:
                return "key"
            if len(ws_hits) >= self.limit.per_workspace:
                return "workspace"
            key_hits.append(now)
            ws_hits.append(now)
            return None
