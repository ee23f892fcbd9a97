"""What a Python rule sees: the payload and what is known around it, plus small type guards."""

from __future__ import annotations

from typing import Any, TypeGuard

from truewatch_contract.rules.catalogue import status_records
from truewatch_contract.rules.echo import SentRequest


class RuleContext:
    """
    The facts a rule may use.

    Attributes:
        envelope: the response (already checked to be a JSON object).
        status_code: the HTTP status, when known.
        request: the body that was sent, when known.
        issue_id: the route's issue_id, when known.
        previous: the content of an earlier successful response for the same issue, when known.
        content_type: the response's Content-Type, when known.
        sent: the raw request (path and body), when known: what an answer may echo.
        requested_between: the client's clock (epoch seconds) when the request left and when the
            answer came back, when known: a status change happens within it.
        success: whether the response is read as a successful update (its content rules apply).
        flagged: the pointers the schema already reported.
        content: the success content, when the response is a success and its content an object.
        records: the content's status records, when all are well-formed (see `records`).
    """

    __slots__ = (
        "_touched",
        "content",
        "content_type",
        "envelope",
        "flagged",
        "issue_id",
        "previous",
        "records",
        "request",
        "requested_between",
        "sent",
        "status_code",
        "success",
    )

    def __init__(
        self,
        envelope: dict[str, Any],
        *,
        status_code: int | None = None,
        request: Any = None,
        issue_id: Any = None,
        previous: Any = None,
        content_type: str | None = None,
        requested_between: tuple[float, float] | None = None,
        success: bool = False,
        flagged: frozenset[str] = frozenset(),
        sent: SentRequest | None = None,
    ) -> None:
        self.envelope = envelope
        self.status_code = status_code
        self.request = request
        self.issue_id = issue_id
        self.previous = previous
        self.content_type = content_type
        self.requested_between = requested_between
        self.success = success
        self.flagged = flagged
        self.sent = sent
        # Every flagged pointer and each of its ancestors: a place is clean when it is none of them.
        self._touched: set[str] = set()
        for place in flagged:
            self._touched.add(place)
            while place:
                place = place[: place.rindex("/")]
                self._touched.add(place)

        content = envelope.get("content")
        self.content: dict[str, Any] | None = (
            content if success and isinstance(content, dict) else None
        )
        # Computed once: most content and history rules read the records.
        self.records = None if self.content is None else records(self.content)

    def clean(self, *pointers: str) -> bool:
        """
        Whether the schema left these places (and everything under them) alone.

        A cross-field rule skips a value the schema already failed: one fault, one violation.
        """
        if not self.flagged:
            return True
        touched = self._touched
        for place in pointers:  # noqa: SIM110 - a loop: all(generator) costs more here
            if place in touched:
                return False
        return True


def is_int(value: Any) -> TypeGuard[int]:
    """An integer, not a boolean (exact ints, as JSON parsers give them, are the fast case)."""
    return type(value) is int or (isinstance(value, int) and not isinstance(value, bool))


def is_number(value: Any) -> TypeGuard[int | float]:
    """An integer or a float, not a boolean."""
    kind = type(value)
    return (
        kind is int
        or kind is float
        or (isinstance(value, (int, float)) and not isinstance(value, bool))
    )


def records(content: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The status records, when every one has an integer time and a string status; else None."""
    found = status_records(content)
    if found is None:
        return None
    for record in found:
        if not (
            isinstance(record, dict)
            and is_int(record.get("time"))
            and isinstance(record.get("status"), str)
        ):
            return None
    return found


def string_list(value: Any) -> list[str] | None:
    """The value, when it is a list of strings; else None."""
    if not isinstance(value, list):
        return None
    for item in value:  # a loop, not all(...): this runs on every response
        if not isinstance(item, str):
            return None
    return value
