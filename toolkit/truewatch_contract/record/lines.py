"""
The lines of a run record: one frozen class per kind, each with ``to_json`` and ``from_json``.

A run record is JSON Lines: the contract suite writes a `RunLine`, then an `ExchangeLine` per
judged request, `BehaviourLine` and `UnprovenLine` for scenario-level outcomes, and a
`BudgetLine` at the end; the runner's collector adds `SessionLine`, `TestLine` and
`CollectErrorLine`. Violations stay `Violation` objects in memory and are plain objects in JSON.

Reading is tolerant (a killed run can leave a half-written line; an older suite leaves keys out):
``from_json`` takes what it finds and gives defaults for the rest. The `RunLine` names the record's
format (`FORMAT`); a record without one is format 1 (no ``possible``, no ``input``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from truewatch_contract.jsonscan import scan
from truewatch_contract.judge.exchange import Exchange, truncated
from truewatch_contract.judge.verdict import Verdict
from truewatch_contract.redaction import Redactor
from truewatch_contract.violations import TAGS, Violation

#: The record's format; a key removed or changed in meaning makes a new one.
FORMAT = "truewatch-contract-record/2"
#: A body or text kept in a line is cut to this many characters.
TEXT_LIMIT = 4096
#: A body nested deeper than this is kept as text (see `_split_body`).
RECORD_DEPTH = 64

JSON = Any


# -- tolerant readers of JSON values ---------------------------------------------------------------


def _str(value: JSON, default: str = "") -> str:
    return value if isinstance(value, str) else default


def _opt_str(value: JSON) -> str | None:
    return value if isinstance(value, str) else None


def _float(value: JSON, default: float = 0.0) -> float:
    result = _opt_float(value)
    return default if result is None else result


def _opt_float(value: JSON) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _opt_int(value: JSON) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return int(value)


def _strings(value: JSON) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(item for item in value if isinstance(item, str))


def _opt_strings(value: JSON) -> tuple[str, ...] | None:
    return _strings(value) if isinstance(value, list) else None


def _violations(value: JSON) -> tuple[Violation, ...]:
    """Violations from their JSON objects (an object that is not one is skipped)."""
    if not isinstance(value, list):
        return ()
    found = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("rule"), str):
            continue
        tag = item.get("tag")
        found.append(
            Violation(
                rule=item["rule"],
                pointer=_str(item.get("pointer")),
                message=_str(item.get("message")),
                tag=tag if tag in TAGS else "documented",
            )
        )
    return tuple(found)


def _violations_json(violations: Sequence[Violation]) -> list[dict[str, str]]:
    return [violation.to_dict() for violation in violations]


# -- the lines -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunLine:
    """Once per run, first: what the suite was pointed at and how."""

    kind: ClassVar[str] = "run"
    target: str = "mock"
    mutant: str | None = None
    seed: int | None = None
    max_examples: int | None = None
    relaxed: tuple[str, ...] = ()
    started_at: float | None = None
    format: str = FORMAT

    def to_json(self) -> dict[str, JSON]:
        return {
            "kind": self.kind,
            "format": self.format,
            "target": self.target,
            "mutant": self.mutant,
            "seed": self.seed,
            "max_examples": self.max_examples,
            "relaxed": sorted(self.relaxed),
            "started_at": self.started_at,
        }

    @classmethod
    def from_json(cls, item: Mapping[str, JSON]) -> RunLine:
        return cls(
            target=_str(item.get("target"), "mock"),
            mutant=_opt_str(item.get("mutant")),
            seed=_opt_int(item.get("seed")),
            max_examples=_opt_int(item.get("max_examples")),
            relaxed=_strings(item.get("relaxed")),
            started_at=_opt_float(item.get("started_at")),
            format=_str(item.get("format"), "truewatch-contract-record/1"),
        )


def _split_body(raw: bytes | str | None) -> tuple[JSON, str | None]:
    """
    ``(parsed JSON, None)`` for a JSON body, ``(None, text)`` for another, cut to a size. A body
    nested deeper than `RECORD_DEPTH` levels (or with NaN) stays text: every reader of the record
    walks the values it keeps, and a payload of this API is 5 levels deep.
    """
    if raw is None or raw in (b"", ""):
        return None, None
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    repeated: list[bool] = []
    try:
        parsed = json.loads(text, object_pairs_hook=lambda items: _members(items, repeated))
    except (ValueError, RecursionError):
        return None, truncated(text, TEXT_LIMIT)
    if isinstance(parsed, (dict, list)) and scan(parsed, max_depth=RECORD_DEPTH):
        return None, truncated(text, TEXT_LIMIT)
    shown = json.dumps(parsed, ensure_ascii=False)
    if len(shown) > TEXT_LIMIT:
        # A huge JSON body (the body-too-large case) stays out of the record: its head only.
        return None, truncated(shown, TEXT_LIMIT)
    # A name given twice is lost in the value: the text is kept beside it, to show what was sent.
    return parsed, truncated(text, TEXT_LIMIT) if repeated else None


def _members(items: list[tuple[str, JSON]], repeated: list[bool]) -> dict[str, JSON]:
    value = dict(items)
    if len(value) != len(items):
        repeated.append(True)
    return value


@dataclass(frozen=True)
class SentRecord:
    """
    A request as the record keeps it: its body parsed when JSON (else ``body_text``); a JSON
    body that names a member twice keeps its text in ``body_text`` too.
    """

    method: str = ""
    path: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: JSON = None
    body_text: str | None = None

    def to_json(self) -> dict[str, JSON]:
        return {
            "method": self.method,
            "path": self.path,
            "headers": dict(self.headers),
            "body": self.body,
            "body_text": self.body_text,
        }

    @classmethod
    def from_json(cls, item: JSON) -> SentRecord:
        if not isinstance(item, dict):
            return cls()
        headers = item.get("headers")
        return cls(
            method=_str(item.get("method")),
            path=_str(item.get("path")),
            headers={str(k): str(v) for k, v in headers.items()}
            if isinstance(headers, dict)
            else {},
            body=item.get("body"),
            body_text=_opt_str(item.get("body_text")),
        )

    @classmethod
    def of(cls, exchange: Exchange, redactor: Redactor) -> SentRecord:
        body, text = _split_body(exchange.request_body)
        return cls(
            method=exchange.method.upper(),
            path=redactor.text(exchange.path),
            headers=redactor.headers(exchange.request_headers),
            body=body,
            body_text=text,
        )


@dataclass(frozen=True)
class AnswerRecord:
    """An answer as the record keeps it: headers lowercased, its body parsed when JSON."""

    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    body: JSON = None
    text: str | None = None
    elapsed_ms: float = 0.0

    def to_json(self) -> dict[str, JSON]:
        return {
            "status": self.status,
            "headers": dict(self.headers),
            "body": self.body,
            "text": self.text,
            "elapsed_ms": self.elapsed_ms,
        }

    @classmethod
    def from_json(cls, item: JSON) -> AnswerRecord | None:
        if not isinstance(item, dict):
            return None
        headers = item.get("headers")
        return cls(
            status=_opt_int(item.get("status")),
            headers={str(k).lower(): str(v) for k, v in headers.items()}
            if isinstance(headers, dict)
            else {},
            body=item.get("body"),
            text=_opt_str(item.get("text")),
            elapsed_ms=_float(item.get("elapsed_ms")),
        )

    @classmethod
    def of(cls, exchange: Exchange) -> AnswerRecord | None:
        if exchange.status is None:
            return None
        body, text = _split_body(exchange.response_body)
        return cls(
            status=exchange.status,
            headers={str(k).lower(): str(v) for k, v in exchange.response_headers.items()},
            body=body,
            text=text,
            elapsed_ms=round(exchange.elapsed_ms, 3),
        )

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class ExchangeLine:
    """
    One judged request: the request and its answer as recorded, and the verdict.

    `faults`, `points` and `possible` are the request's faults, assumed points and possible
    faults as the judge derived them (`truewatch_contract.judge.Fault` values); `faults` is None
    when the line does not say (an older suite). `input_checked` and `input_violations` are the
    request rules the body was checked against and broke (every rule, none relaxed).
    """

    kind: ClassVar[str] = "exchange"
    t: float = 0.0
    test: str = ""
    phase: str = "unknown"
    mode: str | None = None
    request: SentRecord = field(default_factory=SentRecord)
    response: AnswerRecord | None = None
    error: str | None = None
    checked: tuple[str, ...] = ()
    violations: tuple[Violation, ...] = ()
    relaxed_violations: tuple[Violation, ...] = ()
    faults: tuple[str, ...] | None = None
    points: tuple[str, ...] | None = None
    possible: tuple[str, ...] = ()
    input_checked: tuple[str, ...] = ()
    input_violations: tuple[Violation, ...] = ()
    curl: str = ""

    @classmethod
    def of(
        cls,
        exchange: Exchange,
        verdict: Verdict,
        redactor: Redactor,
        *,
        t: float,
        test: str,
        phase: str,
        mode: str | None,
    ) -> ExchangeLine:
        """The line of a judged exchange (header values and the key redacted)."""
        expectation = verdict.expectation
        return cls(
            t=t,
            test=test,
            phase=phase,
            mode=mode,
            request=SentRecord.of(exchange, redactor),
            response=AnswerRecord.of(exchange),
            error=exchange.error,
            checked=verdict.checked,
            violations=verdict.violations,
            relaxed_violations=verdict.relaxed,
            faults=tuple(expectation.names),
            points=tuple(expectation.point_names),
            possible=tuple(expectation.possible_names),
            input_checked=verdict.request_checked,
            input_violations=verdict.request,
            curl=exchange.curl(redactor),
        )

    @property
    def status(self) -> int | None:
        """The answer's HTTP status (None: no answer)."""
        return self.response.status if self.response is not None else None

    @property
    def envelope(self) -> Mapping[str, JSON] | None:
        """The answer's body, when it is a JSON object."""
        body = self.response.body if self.response is not None else None
        return body if isinstance(body, dict) else None

    def to_json(self) -> dict[str, JSON]:
        return {
            "kind": self.kind,
            "t": self.t,
            "test": self.test,
            "phase": self.phase,
            "mode": self.mode,
            "request": self.request.to_json(),
            "response": self.response.to_json() if self.response is not None else None,
            "error": self.error,
            "checked": list(self.checked),
            "faults": list(self.faults) if self.faults is not None else None,
            "points": list(self.points) if self.points is not None else None,
            "possible": list(self.possible),
            "violations": _violations_json(self.violations),
            "relaxed_violations": _violations_json(self.relaxed_violations),
            "input": {
                "checked": list(self.input_checked),
                "violations": _violations_json(self.input_violations),
            },
            "curl": self.curl,
        }

    @classmethod
    def from_json(cls, item: Mapping[str, JSON]) -> ExchangeLine:
        error = item.get("error")
        given = item.get("input")
        given = given if isinstance(given, dict) else {}
        return cls(
            t=_float(item.get("t")),
            test=_str(item.get("test")),
            phase=_str(item.get("phase"), "unknown"),
            mode=_opt_str(item.get("mode")),
            request=SentRecord.from_json(item.get("request")),
            response=AnswerRecord.from_json(item.get("response")),
            error=str(error) if error else None,
            checked=_strings(item.get("checked")),
            violations=_violations(item.get("violations")),
            relaxed_violations=_violations(item.get("relaxed_violations")),
            faults=_opt_strings(item.get("faults")),
            points=_opt_strings(item.get("points")),
            possible=_strings(item.get("possible")),
            input_checked=_strings(given.get("checked")),
            input_violations=_violations(given.get("violations")),
            curl=_str(item.get("curl")),
        )


@dataclass(frozen=True)
class BehaviourLine:
    """A scenario-level rule outcome (``behaviour.*`` or ``history.*``)."""

    kind: ClassVar[str] = "behaviour"
    t: float = 0.0
    test: str = ""
    rule: str = "unknown"
    held: bool = False
    message: str = ""
    tag: str = ""
    relaxed: bool = False

    def to_json(self) -> dict[str, JSON]:
        return {
            "kind": self.kind,
            "t": self.t,
            "test": self.test,
            "rule": self.rule,
            "held": self.held,
            "message": self.message,
            "tag": self.tag,
            "relaxed": self.relaxed,
        }

    @classmethod
    def from_json(cls, item: Mapping[str, JSON]) -> BehaviourLine:
        return cls(
            t=_float(item.get("t")),
            test=_str(item.get("test")),
            rule=_str(item.get("rule"), "unknown"),
            held=item.get("held") is True,
            message=_str(item.get("message")),
            tag=_str(item.get("tag")),
            relaxed=item.get("relaxed") is True,
        )


@dataclass(frozen=True)
class UnprovenLine:
    """A proof the suite could not make against this target (a note, never a failure)."""

    kind: ClassVar[str] = "unproven"
    t: float = 0.0
    test: str = ""
    rule: str = ""
    message: str = ""

    def to_json(self) -> dict[str, JSON]:
        return {
            "kind": self.kind,
            "t": self.t,
            "test": self.test,
            "rule": self.rule,
            "message": self.message,
        }

    @classmethod
    def from_json(cls, item: Mapping[str, JSON]) -> UnprovenLine:
        return cls(
            t=_float(item.get("t")),
            test=_str(item.get("test")),
            rule=_str(item.get("rule")),
            message=_str(item.get("message")),
        )


@dataclass(frozen=True)
class BudgetLine:
    """
    Once, at the end: the request budget, what the plan bought and what the run spent.

    `data` holds the keys documented under ``budget`` in docs/report-format.md (``limit``,
    ``spent``, ``per_rule``, ...); the report carries them as they are.
    """

    kind: ClassVar[str] = "budget"
    data: Mapping[str, JSON] = field(default_factory=dict)

    @property
    def limit(self) -> int | None:
        return _opt_int(self.data.get("limit"))

    @property
    def spent(self) -> int | None:
        return _opt_int(self.data.get("spent"))

    def to_json(self) -> dict[str, JSON]:
        return {"kind": self.kind, **{k: v for k, v in self.data.items() if k != "kind"}}

    @classmethod
    def from_json(cls, item: Mapping[str, JSON]) -> BudgetLine:
        return cls({k: v for k, v in item.items() if k != "kind"})


@dataclass(frozen=True)
class StopLine:
    """
    The suite stopped before it tested anything: the first answer said the configuration is
    wrong (a refused key, an unknown issue, a target that is not the API). One line, for a person.
    """

    kind: ClassVar[str] = "stop"
    message: str = ""

    def to_json(self) -> dict[str, JSON]:
        return {"kind": self.kind, "message": self.message}

    @classmethod
    def from_json(cls, item: Mapping[str, JSON]) -> StopLine:
        return cls(message=_str(item.get("message")))


SessionEvent = Literal["start", "interrupted", "finished"]


@dataclass(frozen=True)
class SessionLine:
    """The collector's view of the pytest session: it started, was interrupted, finished."""

    kind: ClassVar[str] = "session"
    event: str = "start"
    at: float | None = None
    pid: int | None = None
    exitstatus: int | None = None

    def to_json(self) -> dict[str, JSON]:
        item: dict[str, JSON] = {"kind": self.kind, "event": self.event, "at": self.at}
        if self.pid is not None:
            item["pid"] = self.pid
        if self.event == "finished":
            item["exitstatus"] = self.exitstatus
        return item

    @classmethod
    def from_json(cls, item: Mapping[str, JSON]) -> SessionLine:
        return cls(
            event=_str(item.get("event")),
            at=_opt_float(item.get("at")),
            pid=_opt_int(item.get("pid")),
            exitstatus=_opt_int(item.get("exitstatus")),
        )


@dataclass(frozen=True)
class TestLine:
    """One phase report of one pytest test (the call always; setup and teardown when not passed)."""

    kind: ClassVar[str] = "test"
    __test__: ClassVar[bool] = False  # not a test class, whatever pytest makes of the name
    test: str = ""
    when: str = "call"
    outcome: str = "failed"
    duration: float = 0.0
    message: str | None = None
    at: float | None = None

    def to_json(self) -> dict[str, JSON]:
        return {
            "kind": self.kind,
            "test": self.test,
            "when": self.when,
            "outcome": self.outcome,
            "duration": self.duration,
            "message": self.message,
            "at": self.at,
        }

    @classmethod
    def from_json(cls, item: Mapping[str, JSON]) -> TestLine:
        return cls(
            test=_str(item.get("test")),
            when=_str(item.get("when"), "call"),
            outcome=_str(item.get("outcome"), "failed"),
            duration=_float(item.get("duration")),
            message=_opt_str(item.get("message")),
            at=_opt_float(item.get("at")),
        )


@dataclass(frozen=True)
class CollectErrorLine:
    """A test module the suite could not collect."""

    kind: ClassVar[str] = "collect-error"
    test: str = ""
    message: str = ""
    at: float | None = None

    def to_json(self) -> dict[str, JSON]:
        return {"kind": self.kind, "test": self.test, "message": self.message, "at": self.at}

    @classmethod
    def from_json(cls, item: Mapping[str, JSON]) -> CollectErrorLine:
        return cls(
            test=_str(item.get("test")),
            message=_str(item.get("message")),
            at=_opt_float(item.get("at")),
        )


Line = (
    RunLine
    | ExchangeLine
    | BehaviourLine
    | UnprovenLine
    | BudgetLine
    | StopLine
    | SessionLine
    | TestLine
    | CollectErrorLine
)

#: Every kind of line, by its ``kind``.
KINDS: dict[str, Any] = {
    cls.kind: cls
    for cls in (
        RunLine,
        ExchangeLine,
        BehaviourLine,
        UnprovenLine,
        BudgetLine,
        StopLine,
        SessionLine,
        TestLine,
        CollectErrorLine,
    )
}


def line_from_json(item: Mapping[str, JSON]) -> Line | None:
    """The line an object of the record stands for; None for a kind this version does not know."""
    cls = KINDS.get(_str(item.get("kind")))
    return None if cls is None else cls.from_json(item)


__all__ = [
    "FORMAT",
    "KINDS",
    "AnswerRecord",
    "BehaviourLine",
    "BudgetLine",
    "CollectErrorLine",
    "ExchangeLine",
    "Line",
    "RunLine",
    "SentRecord",
    "SessionLine",
    "StopLine",
    "TestLine",
    "UnprovenLine",
    "line_from_json",
]
