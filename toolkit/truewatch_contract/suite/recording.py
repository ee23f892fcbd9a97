"""
The run record: one JSON object a line, appended to the file named by ``TRUEWATCH_RECORD``.

Three kinds of line: ``run`` (once, at the start), ``exchange`` (each request the suite sends and
judges) and ``behaviour`` (each scenario-level rule outcome). The runner reads the file to write its
reports. The one `truewatch_contract.redaction.Redactor` keeps API keys out of every value written:
the ``DF-API-KEY`` header becomes ``[redacted]`` and any occurrence of a key's value is replaced.
"""

from __future__ import annotations

import json
import shlex
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from truewatch_contract.redaction import Redactor

if TYPE_CHECKING:
    from truewatch_contract.suite.exchange import Exchange
    from truewatch_contract.suite.judge import Verdict

__all__ = [
    "Recorder",
    "curl_command",
    "record_exchange",
    "request_record",
    "response_record",
    "truncated",
]

TEXT_LIMIT = 4096
#: A curl reproduction shows at most this much of the body (a 1 MiB body makes no useful line).
CURL_DATA_LIMIT = 2048


def truncated(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, saying how many bytes were left out."""
    if len(text) <= limit:
        return text
    data = text.encode("utf-8", "replace")
    for keep in range(limit, -1, -1):
        # The note's own length depends on the count: shrink until the whole fits the limit.
        head = text[:keep]
        note = f"…[truncated {len(data) - len(head.encode('utf-8', 'replace'))} bytes]"
        if keep + len(note) <= limit:
            return head + note
    return text[:limit]  # pragma: no cover - limit smaller than any note


def split_body(raw: bytes | str | None) -> tuple[Any, str | None]:
    """Return ``(parsed JSON or None, text or None)`` for a body, the text cut to 4096 chars."""
    if raw is None or raw in (b"", ""):
        return None, None
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    try:
        return json.loads(text), None
    except (ValueError, RecursionError):
        return None, truncated(text, TEXT_LIMIT)


def curl_command(
    method: str, url: str, headers: Mapping[str, str], body: bytes | str | None, redactor: Redactor
) -> str:
    """A curl reproduction of a request, with the API key shown as ``[redacted]``."""
    parts = ["curl", "-X", method.upper(), shlex.quote(redactor.text(url))]
    for name, value in redactor.headers(headers).items():
        if name.lower() in ("content-length", "accept-encoding", "connection", "user-agent"):
            continue
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    if body not in (None, b"", ""):
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        parts += ["-d", shlex.quote(truncated(redactor.text(text), CURL_DATA_LIMIT))]
    return " ".join(parts)


class Recorder:
    """
    Appends record lines to a file (one ``write()`` per line, flushed), or does nothing.

    Thread-safe; every line passes through the `Redactor` before it is written.
    """

    def __init__(self, path: Path | None, redactor: Redactor, started_at: float | None = None):
        self.path = path
        self.redactor = redactor
        self.started_at = time.time() if started_at is None else started_at
        self._lock = threading.Lock()
        self._handle = None
        if path is not None:
            # No folder is created: `Target.from_env` has checked that it exists.
            self._handle = path.open("a", encoding="utf-8")

    @property
    def enabled(self) -> bool:
        return self._handle is not None

    def write(self, line: Mapping[str, Any]) -> None:
        if self._handle is None:
            return
        # The line's own keys are the record's structure: only the values are redacted.
        redacted = {key: self.redactor.value(value) for key, value in line.items()}
        text = json.dumps(redacted, default=str) + "\n"
        with self._lock:
            self._handle.write(text)
            self._handle.flush()

    def close(self) -> None:
        with self._lock:
            if self._handle is not None:
                self._handle.close()
                self._handle = None

    def elapsed(self) -> float:
        return round(time.time() - self.started_at, 6)

    def run(
        self,
        *,
        target: str,
        mutant: str | None,
        seed: int,
        max_examples: int,
        relaxed: Iterable[str],
    ) -> None:
        self.write(
            {
                "kind": "run",
                "target": target,
                "mutant": mutant,
                "seed": seed,
                "max_examples": max_examples,
                "relaxed": sorted(relaxed),
                "started_at": self.started_at,
            }
        )

    def exchange(
        self,
        *,
        test: str,
        phase: str,
        mode: str | None,
        request: Mapping[str, Any],
        response: Mapping[str, Any] | None,
        error: str | None,
        checked: Sequence[str],
        faults: Sequence[str] = (),
        points: Sequence[str] = (),
        violations: Sequence[Mapping[str, Any]] = (),
        relaxed_violations: Sequence[Mapping[str, Any]] = (),
        curl: str = "",
    ) -> None:
        self.write(
            {
                "kind": "exchange",
                "t": self.elapsed(),
                "test": test,
                "phase": phase,
                "mode": mode,
                "request": dict(request),
                "response": dict(response) if response is not None else None,
                "error": error,
                "checked": list(checked),
                "faults": sorted(faults),
                "points": sorted(points),
                "violations": list(violations),
                "relaxed_violations": list(relaxed_violations),
                "curl": curl,
            }
        )

    def behaviour(
        self, *, test: str, rule: str, held: bool, message: str, tag: str, relaxed: bool
    ) -> None:
        self.write(
            {
                "kind": "behaviour",
                "t": self.elapsed(),
                "test": test,
                "rule": rule,
                "held": held,
                "message": message,
                "tag": tag,
                "relaxed": relaxed,
            }
        )

    def unproven(self, *, test: str, rule: str, message: str) -> None:
        """A proof the suite could not make against this target (not a failure)."""
        self.write(
            {
                "kind": "unproven",
                "t": self.elapsed(),
                "test": test,
                "rule": rule,
                "message": message,
            }
        )


def request_record(
    method: str, path: str, headers: Mapping[str, Any], body: bytes | str | None, redactor: Redactor
) -> dict[str, Any]:
    """The ``request`` object of an exchange line."""
    parsed, text = split_body(body)
    if parsed is not None and text is None:
        shown = json.dumps(parsed, ensure_ascii=False)
        if len(shown) > TEXT_LIMIT:
            # A huge JSON body (the body-too-large case) stays out of the record: its head only.
            parsed, text = None, truncated(shown, TEXT_LIMIT)
    return {
        "method": method.upper(),
        "path": redactor.text(path),
        "headers": redactor.headers(headers),
        "body": parsed,
        "body_text": text,
    }


def response_record(
    status: int, headers: Mapping[str, Any], body: bytes | str | None, elapsed_ms: float
) -> dict[str, Any]:
    """The ``response`` object of an exchange line."""
    parsed, text = split_body(body)
    return {
        "status": status,
        "headers": {str(k).lower(): str(v) for k, v in headers.items()},
        "body": parsed,
        "text": text,
        "elapsed_ms": round(elapsed_ms, 3),
    }


def record_exchange(
    recorder: Recorder | None,
    exchange: Exchange,
    verdict: Verdict,
    *,
    test: str,
    phase: str,
    mode: str | None,
) -> None:
    """Append the ``exchange`` line of a judged exchange (no-op without a record)."""
    if recorder is None or not recorder.enabled:
        return
    redactor = recorder.redactor
    response = None
    if exchange.status is not None:
        response = response_record(
            exchange.status, exchange.response_headers, exchange.response_body, exchange.elapsed_ms
        )
    recorder.exchange(
        test=test,
        phase=phase,
        mode=mode,
        request=request_record(
            exchange.method,
            exchange.path,
            exchange.request_headers,
            exchange.request_body,
            redactor,
        ),
        response=response,
        error=exchange.error,
        checked=verdict.checked,
        faults=verdict.expectation.names,
        points=verdict.expectation.point_names,
        violations=[v.to_dict() for v in verdict.violations],
        relaxed_violations=[v.to_dict() for v in verdict.relaxed],
        curl=curl_command(
            exchange.method, exchange.url, exchange.request_headers, exchange.request_body, redactor
        ),
    )
