"""
Keeping API keys out of everything the runner writes or prints.

The suite already redacts the ``DF-API-KEY`` header in its record; this is the second fence. Every
string that reaches a report, the summary or the console passes through a :class:`Redactor` that
knows the run's key values and also blanks any ``DF-API-KEY`` header value it can recognise.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "[redacted]"

# The environment variables that carry secrets: the collector reads them in the suite's process.
SECRET_VARIABLES = ("TRUEWATCH_API_KEY", "TRUEWATCH_FOREIGN_API_KEY")

# `DF-API-KEY: v`, `-H 'DF-API-KEY: v'`, `"DF-API-KEY": "v"`, `'df-api-key': 'v'`, `DF-API-KEY=v`.
_HEADER = re.compile(
    r"""(?P<name>df-api-key)(?P<sep>["']?\s*[:=]\s*["']?)(?!\[redacted\])(?P<value>[^"'\s,;}\]\)]+)""",
    re.IGNORECASE,
)


class Redactor:
    """Replaces known secret values and recognisable key headers with ``[redacted]``."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        # Longest first, so a key that contains another key is replaced whole.
        unique = {s for s in secrets if s}
        self._secrets = sorted(unique, key=len, reverse=True)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Redactor:
        env = os.environ if environ is None else environ
        return cls(env.get(name) for name in SECRET_VARIABLES)

    def text(self, value: str) -> str:
        for secret in self._secrets:
            if secret in value:
                value = value.replace(secret, REDACTED)
        return _HEADER.sub(_blank_header, value)

    def deep(self, value: Any) -> Any:
        """Return a copy of a JSON-like value with every string (keys too) redacted."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {
                (self.text(k) if isinstance(k, str) else k): self._header_value(k, v)
                for k, v in value.items()
            }
        if isinstance(value, (list, tuple)):
            return [self.deep(v) for v in value]
        return value

    def _header_value(self, key: Any, value: Any) -> Any:
        if isinstance(key, str) and key.lower() == "df-api-key" and value is not None:
            return REDACTED
        return self.deep(value)


def _blank_header(match: re.Match[str]) -> str:
    return f"{match.group('name')}{match.group('sep')}{REDACTED}"
