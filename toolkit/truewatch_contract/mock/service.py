"""
The update endpoint's behaviour, free of HTTP plumbing: one request in, one answer out.

`Service.handle` runs the checks in the order a real server would, and answers with the first one
that fails:

1. a method other than POST: 405 ``ft.MethodNotAllowed`` (with ``Allow: POST``);
2. a body above 1 MiB (``Content-Length`` or the bytes actually received): 413;
3. a missing or unknown ``DF-API-KEY``, or the header repeated with different values: 403
   ``ft.InvalidAPIKey`` (repeating the same value is harmless and accepted);
4. the rate limit, when switched on: 401 ``ft.Trigger...CurrentLimiting``;
5. a Content-Type other than ``application/json`` (a ``charset`` other than UTF-8 included), a body
   that is not UTF-8, not JSON (``NaN``/``Infinity`` literals and nesting too deep included) or
   against the request schema (checked by the library's `validate_request`): 400
   ``ft.InvalidParameter``, with a ``message`` that names the field;
6. an issue unknown in the key's workspace (another workspace's issue included, with the very
   same answer): 404 ``ft.NotFoundIssue``;
7. otherwise the update, under the state's lock, and 200 with the issue.

The update (docs/contract-decisions.md, "History across updates"): a new status appends
``{time: int(now), status, operator: acting account}`` (never earlier than the last record, so the
history stays in order even if the clock steps back); the same status again appends nothing;
``assigner`` replaces the list; ``statusDuration``, ``duration`` and ``assignerInfo`` are derived
again; ``updator`` becomes the acting account and ``updateAt`` the time of the update (never going
back). ``{}`` (or a body of unknown fields only) changes nothing at all, not even ``updateAt``.

Speed: the verdicts on Content-Type values and on small bodies (by their bytes) are remembered,
so a client that repeats its bodies pays for the library's validation once; a valid body seen
before is parsed again by orjson when orjson reads those bytes exactly as the standard library
did. The parsed body is never shared between requests, and mutants never use the cache.

Every step is a small method: the catalogue of mutants (`truewatch_contract.mock.mutants`)
subclasses `Service` and overrides exactly one of them to plant exactly one defect.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from truewatch_contract.limits import BODY_LIMIT
from truewatch_contract.mock import errors
from truewatch_contract.mock.errors import JSON_CONTENT_TYPE, ErrorKind
from truewatch_contract.mock.ratelimit import RateLimiter
from truewatch_contract.mock.state import (
    ApiKey,
    Json,
    MockState,
    Workspace,
    blank_account,
    duration,
    status_duration,
)
from truewatch_contract.rates import RateLimit

Clock = Callable[[], float]
# One encoder for every answer: `json.dumps` with options builds a new encoder on each call.
_json_encode = json.JSONEncoder(separators=(",", ":")).encode
_VERDICT_CACHE_SIZE = 1024
_VERDICT_CACHE_BODY = 4096


def _encode(value: Any) -> str:
    """Compact JSON; orjson when installed (ten times faster), the standard library otherwise."""
    if _orjson is not None:
        try:
            return str(_orjson.dumps(value).decode("utf-8"))
        except (TypeError, ValueError):  # e.g. a lone surrogate or an integer beyond 64 bits
            pass
    return _json_encode(value)


_orjson: Any
try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is a declared dependency
    _orjson = None
_MAX_ECHO = 60


class Answer(NamedTuple):
    """
    A complete HTTP answer: status, body bytes, Content-Type and any extra headers.

    Immutable; a named tuple rather than a frozen dataclass, whose constructor costs twice as much
    on every request.
    """

    status: int
    body: bytes
    content_type: bytes = JSON_CONTENT_TYPE
    headers: tuple[tuple[bytes, bytes], ...] = ()


@dataclass
class IncomingRequest:
    """One request as the service sees it (the ASGI layer fills it in)."""

    method: str
    issue_id: str
    api_keys: list[str] = field(default_factory=list, repr=False)  # never in a log or a failure
    content_types: list[str] = field(default_factory=list)
    body: bytes | None = b""  # None: larger than the limit (never read past it)
    credential: ApiKey | None = None
    parsed: Any = None


_MISSING = object()
# What reads like internal detail in any language, whatever a checker's own list says.
_LEAK_MARKERS = re.compile(
    r"traceback|exception|error\b|file \"|line \d|\.py\b|site-packages|java\.|\bat \w+\.\w+\(",
    re.IGNORECASE,
)


class BadBody(Exception):
    """The body cannot be used; ``message`` names the field (or ``body``) and the reason."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _NonFinite(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise _NonFinite(name)


# One decoder for every body (``json.loads`` with options builds a new one on each call); it
# refuses the NaN and Infinity literals that Python's json accepts but JSON does not have.
_json_decode = json.JSONDecoder(parse_constant=_reject_constant).decode


def echo(value: str) -> str:
    """A client-supplied string, bounded and printable, for a message."""
    text = value if len(value) <= _MAX_ECHO else value[:_MAX_ECHO] + "..."
    return json.dumps(text)


class Service:
    """The mock's behaviour for one state, clock and rate limit. Subclassed by the mutants."""

    #: The most the app reads of a body; a larger one is refused unread (a profiled mock that
    #: learned a target taking larger bodies reads more).
    body_limit: int = BODY_LIMIT

    def __init__(
        self,
        state: MockState,
        *,
        clock: Clock | None = None,
        rate_limit: RateLimit | None = None,
        mutant: str | None = None,
    ) -> None:
        #: The mutant's name (its service is this class's subclass), or None for the correct mock.
        self.mutant = mutant
        self.state = state
        self.initial = state.copy()
        self.clock: Clock = clock if clock is not None else time.time
        self.limiter = RateLimiter(rate_limit) if rate_limit is not None else None
        # Test control of time (/__mock__/clock): a frozen instant, or an offset to the clock.
        self.frozen: float | None = None
        self.offset = 0.0
        from truewatch_contract import validate_envelope, validate_request
        from truewatch_contract.schema_engine import resolve_engine

        self._validate_request = validate_request
        self._validate_envelope = validate_envelope
        # Resolved once: the library would otherwise look the engine up on every call.
        self._engine = resolve_engine(None)
        self._verdicts: dict[tuple[bytes, str], str | None] = {}
        # Valid bodies that orjson reads exactly as `parse` did: parsed again by orjson (5x faster).
        self._orjson_reads_alike: set[tuple[bytes, str]] = set()
        self._content_types: dict[tuple[str, ...], str | None] = {}

    # -- time and test control ----------------------------------------------------------------

    def now(self) -> float:
        if self.frozen is not None:
            return self.frozen
        return self.clock() + self.offset

    def reset(self) -> None:
        """Back to the state the service started with; counters and clock control cleared."""
        self.state.replace_with(self.initial)
        if self.limiter is not None:
            self.limiter.reset()
        self.frozen = None
        self.offset = 0.0

    # -- the pipeline ---------------------------------------------------------------------------

    def handle(self, exchange: IncomingRequest) -> Answer:
        """Answer a POST on the route (the method was checked by `handle_method`)."""
        if exchange.body is None:
            return self.reject(exchange, errors.TOO_LARGE)
        credential = self.authenticate(exchange.api_keys)
        if credential is None:
            return self.reject(exchange, errors.INVALID_API_KEY)
        exchange.credential = credential
        if self.limiter is not None:
            limited = self.limiter.check(credential.key, credential.workspace, self.now())
            if limited is not None:
                kind = errors.KEY_RATE_LIMIT if limited == "key" else errors.WORKSPACE_RATE_LIMIT
                return self.reject(exchange, kind)
        problem = self.content_type_verdict(exchange.content_types)
        if problem is not None:
            return self.reject(exchange, errors.INVALID_PARAMETER, problem)
        problem = self.verdict(exchange)
        if problem is not None:
            return self.reject(exchange, errors.INVALID_PARAMETER, problem)
        return self.apply(
            exchange, credential, lambda: self.reject(exchange, errors.NOT_FOUND_ISSUE)
        )

    def apply(
        self, exchange: IncomingRequest, credential: ApiKey, missing: Callable[[], Answer]
    ) -> Answer:
        """
        The last stage, under the state's lock: the issue updated and the success, or the answer
        `missing` gives when the key's workspace has no such issue.
        """
        with self.state.lock:
            workspace = self.state.workspaces.get(credential.workspace)
            issue = self.find_issue(credential, exchange.issue_id)
            if workspace is None or issue is None:
                return missing()
            self.update(issue, exchange.parsed, credential, workspace)
            content = self.serialize(self.render_content(issue, exchange))
        return self.success(content)

    def handle_method(self, exchange: IncomingRequest) -> Answer | None:
        """The 405 answer for any method but POST, or None."""
        if exchange.method == "POST":
            return None
        return self.not_allowed(exchange)

    # -- the steps (hook points) ----------------------------------------------------------------

    def not_allowed(self, exchange: IncomingRequest) -> Answer:
        answer = self.reject(
            exchange,
            errors.METHOD_NOT_ALLOWED,
            f"{exchange.method[:20]} is not allowed on this route; use POST.",
        )
        return Answer(answer.status, answer.body, answer.content_type, ((b"allow", b"POST"),))

    def authenticate(self, values: list[str]) -> ApiKey | None:
        """The key's credential; None when missing, unknown or repeated with different values."""
        if not values:
            return None
        first = values[0]
        for other in values[1:]:
            if other != first:
                return None
        return self.state.api_keys.get(first)

    def safe(self, message: str) -> str:
        """
        A message that echoes client input, made safe to send.

        A client can send a value that reads like a leak (``"Traceback (most recent call
        last)"``); echoed back, it would make the answer break ``envelope.no-internal-detail``.
        The library's own rule decides, with a few markers of its own on top (stricter checkers
        exist): a message flagged loses the echoed value (the part from ``", found"``), and is
        dropped (``""``) if that is still not enough.
        """
        if self._leaks(message):
            message = message.split(", found ", 1)[0].rstrip(".") + "."
            if self._leaks(message):
                return ""
        return message

    def _leaks(self, message: str) -> bool:
        if _LEAK_MARKERS.search(message):
            return True
        envelope = {
            "code": 400,
            "content": None,
            "errorCode": errors.INVALID_PARAMETER.error_code,
            "message": message,
            "success": False,
            "traceId": "0" * 32,
        }
        return any(
            v.rule == "envelope.no-internal-detail"
            for v in self._validate_envelope(envelope, status_code=400, engine=self._engine)
        )

    def content_type_verdict(self, values: list[str]) -> str | None:
        """`check_content_type` (made `safe`), remembered for the few values clients send."""
        if self.mutant is not None:
            return self.check_content_type(values)
        key = tuple(values)
        cached = self._content_types.get(key, _MISSING)
        if cached is _MISSING:
            cached = self.check_content_type(values)
            if cached is not None:
                cached = self.safe(cached) or "Content-Type: expected application/json"
            if len(self._content_types) >= _VERDICT_CACHE_SIZE:
                self._content_types.clear()
            self._content_types[key] = cached
        return cached  # type: ignore[return-value]

    def check_content_type(self, values: list[str]) -> str | None:
        """None for ``application/json`` (any case, UTF-8 charset or none), else the problem."""
        if not values:
            return "Content-Type: expected application/json, found no Content-Type header"
        if len(values) > 1:
            return "Content-Type: expected one application/json header, found several"
        media, _, params = values[0].partition(";")
        if media.strip().lower() != "application/json":
            return f"Content-Type: expected application/json, found {echo(values[0])}"
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "charset":
                charset = value.strip().strip('"').lower()
                if charset not in ("utf-8", "utf8"):
                    return f"Content-Type: expected charset UTF-8, found {echo(charset)}"
        return None

    def parse(self, raw: bytes) -> Any:
        """The JSON value of the body; raise `BadBody` for anything that is not strict JSON."""
        if not raw.strip():
            raise BadBody("body: expected a JSON object, found an empty body")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise BadBody(f"body: not valid UTF-8 (byte {error.start})") from None
        try:
            return _json_decode(text)
        except _NonFinite as error:
            raise BadBody(f"body: {error} is not a JSON number") from None
        except json.JSONDecodeError as error:
            raise BadBody(f"body: not valid JSON ({error.msg} at position {error.pos})") from None
        except RecursionError:
            raise BadBody("body: nested too deeply") from None
        except ValueError:  # e.g. an integer literal beyond the interpreter's digit limit
            raise BadBody("body: not valid JSON (a number is out of range)") from None

    def verdict(self, exchange: IncomingRequest) -> str | None:
        """
        The verdict on the body's bytes: parse them, then ask the library.

        Verdicts of small bodies are remembered by their bytes (and the route's issue_id): the same
        bytes always get the same verdict, and clients repeat their bodies. The parsed value is
        never shared between requests.
        """
        raw = exchange.body or b""
        key = None
        if (
            self.mutant is None
            and len(raw) <= _VERDICT_CACHE_BODY
            and len(exchange.issue_id) <= 128
        ):
            # Mutants may have side effects in their checks: they are never cached.
            key = (raw, exchange.issue_id)
            cached = self._verdicts.get(key, _MISSING)
            if cached is None:  # valid bytes: their value again, a fresh one
                fast = _orjson is not None and key in self._orjson_reads_alike
                exchange.parsed = _orjson.loads(raw) if fast else self.parse(raw)
                return None
            if cached is not _MISSING:
                return cached  # type: ignore[return-value]
        try:
            exchange.parsed = self.parse(raw)
        except BadBody as bad:
            verdict: str | None = bad.message
        else:
            verdict = self.check_body(exchange.parsed, exchange)
        if key is not None:
            if len(self._verdicts) >= _VERDICT_CACHE_SIZE:
                self._verdicts.clear()
                self._orjson_reads_alike.clear()
            self._verdicts[key] = verdict
            if verdict is None and _reads_alike(raw, exchange.parsed):
                self._orjson_reads_alike.add(key)
        return verdict

    def check_body(self, body: Any, exchange: IncomingRequest) -> str | None:
        """The library's verdict on the body: None, or a message naming each broken field."""
        try:
            violations = self._validate_request(
                body, issue_id=exchange.issue_id, engine=self._engine
            )
        except RecursionError:
            return "body: nested too deeply"
        if not violations:
            return None
        parts = [self.safe(_field_message(v.pointer, v.message)) for v in violations[:3]]
        return "; ".join(part for part in parts if part) or "The request body is invalid."

    def find_issue(self, credential: ApiKey, issue_id: str) -> Json | None:
        """The issue of the key's own workspace, by ``issueID`` or ``uuid``; never another's."""
        workspace = self.state.workspaces.get(credential.workspace)
        return workspace.find_issue(issue_id) if workspace is not None else None

    def update(self, issue: Json, body: Json, credential: ApiKey, workspace: Workspace) -> None:
        """Apply a valid body to the issue (a body sending neither field changes nothing)."""
        if "issueStatus" not in body and "assigner" not in body:
            return
        now = self.now()
        self.apply_fields(issue, body, credential, workspace, now)
        self.stamp(issue, credential, now)
        self.refresh(issue, workspace)

    def apply_fields(
        self, issue: Json, body: Json, credential: ApiKey, workspace: Workspace, now: float
    ) -> None:
        """Apply each field that was sent; a field not sent keeps its value (partial update)."""
        if "issueStatus" in body:
            self.apply_status(issue, body["issueStatus"], credential, now)
        if "assigner" in body:
            self.apply_assigner(issue, body["assigner"])

    def apply_status(self, issue: Json, status: str, credential: ApiKey, now: float) -> None:
        if status == issue["issueStatus"]:
            return  # the same status again: no record (assumed)
        records: list[Json] = issue["extend"]["statusChangeRecords"]
        self.append_record(records, self.new_record(records, status, credential, now))
        issue["issueStatus"] = status

    def new_record(self, records: list[Json], status: str, credential: ApiKey, now: float) -> Json:
        moment = int(now)
        if records and records[-1]["time"] > moment:
            moment = records[-1]["time"]  # a clock that stepped back never reorders the history
        return {"time": moment, "status": status, "operator": self.operator(credential)}

    def operator(self, credential: ApiKey) -> str:
        return credential.account

    def append_record(self, records: list[Json], record: Json) -> None:
        records.append(record)

    def apply_assigner(self, issue: Json, assigner: list[str]) -> None:
        issue["assigner"] = list(assigner)

    def stamp(self, issue: Json, credential: ApiKey, now: float) -> None:
        issue["updator"] = credential.account
        previous = issue.get("updateAt")
        issue["updateAt"] = now if not isinstance(previous, (int, float)) else max(now, previous)

    def refresh(self, issue: Json, workspace: Workspace) -> None:
        records = issue["extend"]["statusChangeRecords"]
        issue["statusDuration"] = self.status_duration(records)
        issue["duration"] = self.duration(records)
        issue["assignerInfo"] = self.assigner_info(issue["assigner"], workspace)

    def status_duration(self, records: list[Json]) -> dict[str, int]:
        return status_duration(records)

    def duration(self, records: list[Json]) -> int:
        return duration(records)

    def assigner_info(self, assigner: list[str], workspace: Workspace) -> list[Json]:
        """One account object per assignee, in order: full info if known, else a blank one."""
        accounts = workspace.accounts
        return [dict(accounts[u]) if u in accounts else blank_account(u) for u in assigner]

    def render_content(self, issue: Json, exchange: IncomingRequest) -> Json:
        """The success ``content``: the issue as it now is."""
        return issue

    def serialize(self, content: Any) -> str:
        return _encode(content)

    # -- what a person or a tool is told -------------------------------------------------------

    def profile_points(self) -> dict[str, Any] | None:
        """
        The profile the mock answers from, as the first output line's ``profile`` and
        ``GET /__mock__/profile`` show it: None for the mock as it is (it answers as
        ``docs/contract-decisions.md`` says the mock does); a profiled mock
        (`truewatch_contract.mock.learned`) lists its learned and its default points.
        """
        return None

    # -- answers ------------------------------------------------------------------------------

    def success(self, content_json: str) -> Answer:
        return self.envelope(200, content_json, "", "")

    def reject(
        self, exchange: IncomingRequest, kind: ErrorKind, message: str | None = None
    ) -> Answer:
        """An error answer; changes nothing."""
        return self.envelope(kind.status, "null", kind.error_code, message or kind.message)

    def fault(self) -> Answer:
        """A real fault of the mock: a 500 envelope that says nothing of the cause."""
        kind = errors.INTERNAL_ERROR
        return Answer(
            kind.status, errors.render_envelope(kind.status, "null", kind.error_code, kind.message)
        )

    def unknown_route(self, path: str = "", api_keys: list[str] | None = None) -> Answer:
        """A path the API does not have (its `path` and keys matter to a profiled mock)."""
        kind = errors.NOT_FOUND_ROUTE
        return self.envelope(kind.status, "null", kind.error_code, kind.message)

    def envelope(self, status: int, content_json: str, error_code: str, message: str) -> Answer:
        """The one place every answer of the API goes through."""
        return Answer(status, errors.render_envelope(status, content_json, error_code, message))


def _reads_alike(raw: bytes, parsed: Any) -> bool:
    """
    Whether orjson reads ``raw`` as the standard library did (``parsed``), to the byte.

    They differ on a few valid bodies: orjson refuses lone surrogates and integers beyond 64 bits
    (or reads those as floats). Such bytes keep the standard library's `Service.parse`.
    """
    if _orjson is None:
        return False
    try:
        return bool(_orjson.dumps(_orjson.loads(raw)) == _orjson.dumps(parsed))
    except (TypeError, ValueError):  # orjson's own decode and encode errors derive from these
        return False


def _field_message(pointer: str, message: str) -> str:
    """The library's message, which names the field; prefixed with the field when it does not."""
    if not pointer:
        return message
    field_name = pointer.lstrip("/").split("/", 1)[0].replace("~1", "/").replace("~0", "~")
    if message.startswith(field_name):
        return message
    return f"{echo(field_name)[1:-1]}: {message}"
