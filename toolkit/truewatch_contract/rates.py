"""
The one grammar of request rates, shared by the mock (its emulated limit) and the suite (its pacer).

``N/UNIT`` or ``N/<multiple>UNIT``: ``20/m``, ``5/s``, ``100/h``, ``20/10s``, ``20/minute``,
``1/2min``. Units: ``s``, ``sec``, ``second``, ``m``, ``min``, ``minute``, ``h``, ``hour``
(any case, also plural).
"""

from __future__ import annotations

import dataclasses
import re

from truewatch_contract.errors import UsageError

_RATE = re.compile(
    r"^\s*(\d{1,9})\s*/\s*(\d{0,9})\s*(s|secs?|seconds?|m|mins?|minutes?|h|hours?)\s*$",
    re.IGNORECASE,
)
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0}


class RateError(UsageError):
    """A rate that does not parse; the message is one line quoting it."""


@dataclasses.dataclass(frozen=True)
class RateLimit:
    """At most `requests` requests every `period` seconds (``20/m``: 20 every 60 s)."""

    requests: int
    period: float = 60.0

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """Parse a rate (see the module); raise `RateError` for anything else."""
        match = _RATE.match(text)
        if match is None:
            raise RateError(f"{text!r} is not a rate such as 20/m, 5/s, 100/h or 20/10s")
        count, multiple, unit = int(match[1]), match[2], match[3].lower()
        if count <= 0:
            raise RateError(f"{text!r} allows no request at all")
        period = _UNITS[unit[0]] * (int(multiple) if multiple else 1)
        if period <= 0:
            raise RateError(f"{text!r} has an empty period")
        return cls(count, period)

    @property
    def interval(self) -> float:
        """Seconds between two requests at the steady rate."""
        return self.period / self.requests

    @property
    def per_minute(self) -> float:
        """The same rate counted per minute."""
        return self.requests * 60.0 / self.period

    def __str__(self) -> str:
        for unit, seconds in (("h", 3600.0), ("m", 60.0), ("s", 1.0)):
            if self.period == seconds:
                return f"{self.requests}/{unit}"
        return f"{self.requests}/{self.period:g}s"
