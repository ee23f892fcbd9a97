"""
Keeping API keys out of everything the project writes or prints: the one `Redactor`.

A redactor knows the run's secret values (the API keys) and blanks them in *values*: header values,
request and response bodies, server messages, curl lines, tracebacks. It never touches the
structure of what it is given (the keys of a record line, the report's own words are the caller's,
and the caller passes only values through it), and it replaces a key only where the key stands as
a whole token, so a one-letter key ``k`` blanks ``DF-API-KEY: k`` but not the ``k`` in
``checked``. Besides the known values it blanks any value it recognises as a ``DF-API-KEY`` header
(``DF-API-KEY: v``, ``-H 'DF-API-KEY: v'``, ``"DF-API-KEY": "v"``, ``DF-API-KEY=v``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "[redacted]"
AUTH_HEADER = "DF-API-KEY"

# `DF-API-KEY: v`, `-H 'DF-API-KEY: v'`, `"DF-API-KEY": "v"`, `'df-api-key': 'v'`, `DF-API-KEY=v`.
_HEADER = re.compile(
    r"""(?P<name>df-api-key)(?P<sep>["']?\s*[:=]\s*["']?)(?!\[redacted\])(?P<value>[^"'\s,;}\]\)]+)""",
    re.IGNORECASE,
)
# A key stands as a whole token when no letter, digit, `_` or `-` touches it on either side.
_TOKEN_CHARS = r"A-Za-z0-9_\-"
# A key this long cannot be mistaken for a word: it is blanked wherever it stands, even inside
# a longer token (a URL's query, a base64 blob), since a leak there is still a leak.
_ANYWHERE_LENGTH = 12


# A secret made only of these characters is written as itself in JSON text (no escape).
_JSON_PLAIN = re.compile(r"[A-Za-z0-9_.~+/=:@-]*")
# A key header already blanked (or empty), as JSON text shows it: `"df-api-key": "[redacted]"`,
# `-H 'DF-API-KEY: [redacted]'`, `\"DF-API-KEY\": \"\"`.
_BLANKED_HEADER = re.compile(
    r"""df-api-key(?:\\?["'])?\s*[:=]\s*(?:\\?["'])?\[redacted\]"""
    r"""|df-api-key\\?["']\s*[:=]\s*\\?["']\\?["']"""
)


class Redactor:
    """Replaces the known secret values, and recognisable key headers, with ``[redacted]``."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        # Longest first, so a key that contains another key is replaced whole.
        self.secrets: tuple[str, ...] = tuple(
            sorted({s for s in secrets if s}, key=len, reverse=True)
        )
        self._pattern = (
            re.compile(
                "|".join(
                    re.escape(s)
                    if len(s) >= _ANYWHERE_LENGTH
                    else rf"(?<![{_TOKEN_CHARS}]){re.escape(s)}(?![{_TOKEN_CHARS}])"
                    for s in self.secrets
                )
            )
            if self.secrets
            else None
        )

    def text(self, value: str) -> str:
        """`value` with every secret (as a whole token) and every key header value blanked."""
        if self._pattern is not None:
            value = self._pattern.sub(REDACTED, value)
        return _HEADER.sub(_blank_header, value)

    def finds_in_json(self, line: str) -> bool:
        """
        Whether `text` or `value` could change anything in the JSON document `line` (a record's
        line, written redacted already): a quick test of its whole text that errs on the side of
        yes (a secret as a substring, a key header not shown blanked, a secret that JSON would
        escape).
        """
        if any(not _JSON_PLAIN.fullmatch(secret) or secret in line for secret in self.secrets):
            return True
        lowered = line.lower()
        return lowered.count("df-api-key") != len(_BLANKED_HEADER.findall(lowered))

    def value(self, value: Any) -> Any:
        """
        A copy of a JSON-like value (a body) with every string redacted, object keys included:
        a body is data, so a key named like the secret is a leak too.
        """
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {
                (self.text(k) if isinstance(k, str) else k): (
                    REDACTED
                    if isinstance(k, str) and k.lower() == AUTH_HEADER.lower() and v is not None
                    else self.value(v)
                )
                for k, v in value.items()
            }
        if isinstance(value, (list, tuple)):
            return [self.value(v) for v in value]
        return value

    def headers(self, headers: Mapping[str, Any]) -> dict[str, str]:
        """Headers with a non-blank ``DF-API-KEY`` value ``[redacted]``, other secrets blanked."""
        out: dict[str, str] = {}
        for name, value in headers.items():
            text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
            if str(name).lower() == AUTH_HEADER.lower():
                # An empty key hides nothing, and says what was sent (an empty key is a probe).
                out[str(name)] = REDACTED if text.strip() else text
            else:
                out[str(name)] = self.text(text)
        return out


def _blank_header(match: re.Match[str]) -> str:
    return f"{match.group('name')}{match.group('sep')}{REDACTED}"
