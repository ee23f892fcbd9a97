"""
The mock answering as a profiled target does (`truewatch_contract.profile`).

`with_profile(base, profile)` makes a service class on top of `Service` (or of a mutant's class)
that keeps every step of the mock (so a mutant's defect stays where it was planted) and changes
only what the profile learned:

- **the order of checks**: the stages (route, method, size, key, media type, body, the id's form,
  lookup) run in the order `truewatch_contract.profile.order.stage_order` gives;
- **the answers**: where a step of the mock refuses a request for a reason the profile learned
  (``answer:bad-key``, ``answer:schema:assigner``, ...), the learned status and errorCode replace
  the mock's own; a point the run did not observe takes the learned answer of the point the mock
  groups it with (a byte-order mark is "not JSON" to the mock, an empty key a bad key, another
  media type a bad body), and keeps the mock's own answer when none was learned;
- **acceptance**: a point the target accepted (another media type, no Content-Type, a body above
  1 MiB, deep nesting, a byte-order mark) is accepted; one it refused (``{}``, unknown fields,
  the uuid form of an id, a field name in another case) is refused with its answer; bytes that are
  not UTF-8 are read as U+FFFD when the target did so; a field name in another case is applied
  when the target applied it; of a name given twice the first wins when the target took the first;
- **the history**: the same status again appends a record when the target did;
- **the envelope**: error ``content``, the traceId's shape, extra envelope fields (a value of
  each one's type) and the Content-Type.

A refusal is decided on the request itself (the library's reading of it), never on which step
failed: a step that refuses a request the contract calls valid (a mutant's defect) keeps the
mock's own answer, and a step that accepts a bad request (a mutant's defect) is not overruled.
The mock's steps run as they do without a profile: `reject` gets the mock's own error kind (only
the envelope it renders takes the learned status and errorCode), and where the profile's order
checks a stage earlier than the mock does, the steps there still see what the mock's own order
knows by then (a good key's credential, a valid body read ahead), so a mutant keeps its defect.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from truewatch_contract.judge.facts import ALIAS_ID, ISSUE_ID
from truewatch_contract.limits import BODY_LIMIT
from truewatch_contract.mock import errors
from truewatch_contract.mock.errors import ErrorKind
from truewatch_contract.mock.service import Answer, IncomingRequest, Service
from truewatch_contract.mock.state import ApiKey, Json
from truewatch_contract.profile.document import (
    OTHER_POINTS,
    LearnedAnswer,
    Profile,
    describe,
    label,
)
from truewatch_contract.profile.order import stage_order
from truewatch_contract.validate import Unreadable, read_body, request_findings

#: The most a profiled mock reads of a body when the target accepted bodies above 1 MiB.
LARGE_BODY_LIMIT = 8 * 1024 * 1024
_KNOWN_FIELDS = ("issueStatus", "assigner")
_FOLDED = {name.casefold(): name for name in _KNOWN_FIELDS}
_BOM = b"\xef\xbb\xbf"

#: Where a point the run did not observe takes its answer from: the points the mock answers alike.
FALLBACKS: dict[str, tuple[str, ...]] = {
    "missing-key": ("missing-key", "bad-key", "empty-key"),
    "empty-key": ("empty-key", "missing-key", "bad-key"),
    "bad-key": ("bad-key", "missing-key", "empty-key"),
    "foreign-issue": ("foreign-issue", "foreign-key", "unknown-issue"),
    "foreign-key": ("foreign-key", "foreign-issue", "unknown-issue"),
    "unknown-issue": ("unknown-issue", "foreign-issue", "foreign-key"),
    "malformed-id": ("malformed-id",),
    "alias-id": ("alias-id",),
    "not-json": ("not-json", "not-object", "schema"),
    "bom": ("bom", "not-json", "not-object", "schema"),
    "not-utf8": ("not-utf8", "not-json", "not-object", "schema"),
    "deep-nesting": ("deep-nesting", "not-json", "not-object", "schema"),
    "not-object": ("not-object", "not-json", "schema"),
    "schema": ("schema",),
    "schema:issueStatus": ("schema:issueStatus", "schema"),
    "schema:assigner": ("schema:assigner", "schema"),
    "media-type": ("media-type", "schema"),
    "no-media-type": ("no-media-type", "media-type", "schema"),
    "too-large": ("too-large",),
    "method": ("method",),
    "route": ("route",),
    "trailing-slash": ("trailing-slash", "route"),
    "empty-id": ("empty-id", "route"),
    "empty-body": ("empty-body",),
    "unknown-fields": ("unknown-fields",),
    "field-case": ("field-case", "unknown-fields"),
    "duplicate-keys": ("duplicate-keys",),
}
#: What the mock answers on each point when nothing was learned.
DEFAULTS: dict[str, str] = {
    **dict.fromkeys(("missing-key", "empty-key", "bad-key"), "403 ft.InvalidAPIKey"),
    **dict.fromkeys(
        ("foreign-issue", "foreign-key", "unknown-issue", "malformed-id"), "404 ft.NotFoundIssue"
    ),
    **dict.fromkeys(
        (
            "not-json",
            "bom",
            "not-utf8",
            "deep-nesting",
            "not-object",
            "schema",
            "media-type",
            "no-media-type",
        ),
        "400 ft.InvalidParameter",
    ),
    "alias-id": "accepted (200)",
    "too-large": "413 ft.RequestEntityTooLarge",
    "method": "405 ft.MethodNotAllowed",
    "route": "404 ft.RouterNotFound",
    "trailing-slash": "404 ft.RouterNotFound",
    "empty-id": "404 ft.RouterNotFound",
    "empty-body": "accepted (200, nothing changed)",
    "unknown-fields": "accepted (200, the fields ignored)",
    "field-case": "accepted (200, the field ignored)",
    "duplicate-keys": "accepted (200, the last value taken)",
    "same-status": "no record",
    "error-content": "null",
    "trace-id": "hex32",
    "content-type": "application/json",
    "extra-fields": "none",
}
_TYPE_VALUES: dict[str, Any] = {
    "string": "",
    "number": 0,
    "boolean": False,
    "null": None,
    "array": [],
    "object": {},
}


class Learned(Service):
    """
    The profile's layer over a service class (see the module); made by `with_profile`, which
    puts it first in the method resolution order, before a mutant's steps.
    """

    profile: ClassVar[Profile]
    stages: ClassVar[tuple[str, ...]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        profile = self.profile
        too_large = self.learned("too-large")
        #: The most the app reads of a body (a target that took larger bodies: more).
        self.body_limit = (
            LARGE_BODY_LIMIT if too_large is not None and too_large.accepted else BODY_LIMIT
        )
        self.same_status_appends = str(profile.value("same-status") or "").endswith("appended")
        self.reads_replaced = profile.value("not-utf8:reading") == "replaced"
        self.applies_field_case = profile.value("field-case:effect") == "applied"
        self.first_wins = profile.value("duplicate-keys:wins") == "first"
        content = profile.value("error-content")
        self.error_content = "{}" if content == "{}" else "null"
        content_type = profile.value("content-type")
        self.content_type = (
            str(content_type).encode("latin-1", "replace")
            if isinstance(content_type, str) and content_type not in ("", "(none)")
            else errors.JSON_CONTENT_TYPE
        )
        self.new_trace = _trace_maker(str(profile.value("trace-id") or "hex32"))
        extra = profile.value("extra-fields")
        self.extra_fields = (
            {str(k): _TYPE_VALUES.get(str(v)) for k, v in extra.items()}
            if isinstance(extra, Mapping)
            else {}
        )
        # The learned answer that the envelope of a refusal in progress takes (see `refuse`):
        # per thread, as a mutant that races answers two requests at once.
        self._refusing = threading.local()

    # -- what was learned ----------------------------------------------------------------------

    def learned(self, point: str) -> LearnedAnswer | None:
        """The learned answer to `point`, or to the first of its `FALLBACKS` learned."""
        for name in FALLBACKS.get(point, (point,)):
            answer = self.profile.answer(name)
            if answer is not None:
                return answer
        return None

    def accepts(self, point: str) -> bool:
        """Whether the target accepted requests with this point (only its own answer counts)."""
        answer = self.profile.answer(point)
        return answer is not None and answer.accepted

    def refuses(self, point: str) -> LearnedAnswer | None:
        """The learned refusal of an assumed point the mock accepts, or None."""
        answer = self.profile.answer(point)
        return answer if answer is not None and not answer.accepted else None

    # -- answers -------------------------------------------------------------------------------

    def refuse(
        self, exchange: IncomingRequest, point: str | None, kind: ErrorKind, message: str | None
    ) -> Answer:
        """
        Refuse with the learned answer of `point` (the mock's `kind` when none was learned).

        The mock's step runs as it does without a profile: `reject` (a mutant's included) gets
        the mock's own `kind`, and only the envelope it renders for that kind takes the learned
        status and errorCode. So a mutant's defect in `reject` stays: what it writes, leaks or
        answers instead (a mutant tells the kinds apart by identity, ``kind is NOT_FOUND_ISSUE``).
        """
        learned = self.learned(point) if point is not None else None
        if learned is None or learned.accepted:
            return self.reject(exchange, kind, message)
        return self._as_learned(kind, learned, lambda: self.reject(exchange, kind, message))

    def _as_learned(
        self, kind: ErrorKind, learned: LearnedAnswer, step: Callable[[], Answer]
    ) -> Answer:
        """Run `step`, whose envelope for `kind` (if it renders one) becomes `learned`."""
        self._refusing.swap = (kind.status, kind.error_code, learned)
        try:
            return step()
        finally:
            self._refusing.swap = None

    def envelope(self, status: int, content_json: str, error_code: str, message: str) -> Answer:
        swap = getattr(self._refusing, "swap", None)
        if swap is not None and (status, error_code) == swap[:2]:
            self._refusing.swap = None  # one envelope per refusal
            learned: LearnedAnswer = swap[2]
            if learned.error_code is None:
                # The target answered without a JSON envelope: its status, and no body to copy.
                return Answer(learned.status, b"", self.content_type)
            status, error_code = learned.status, learned.error_code
        if status >= 400 and content_json == "null":
            content_json = self.error_content
        answer = super().envelope(status, content_json, error_code, message)
        return self._dressed(answer)

    def _dressed(self, answer: Answer) -> Answer:
        """The envelope in the target's dress: traceId shape, extra fields, Content-Type."""
        body = answer.body
        if self.new_trace is not None or self.extra_fields:
            try:
                envelope = json.loads(body)
            except ValueError:
                envelope = None
            if isinstance(envelope, dict):
                trace = envelope.get("traceId")
                if self.new_trace is not None and isinstance(trace, str) and ISSUE_ID.match(trace):
                    envelope["traceId"] = self.new_trace()  # only the mock's own trace id
                for name, value in self.extra_fields.items():
                    envelope.setdefault(name, value)
                body = json.dumps(envelope, separators=(",", ":"), ensure_ascii=False).encode()
        content_type = (
            self.content_type
            if answer.content_type == errors.JSON_CONTENT_TYPE
            else answer.content_type
        )
        return Answer(answer.status, body, content_type, answer.headers)

    def unknown_route(self, path: str = "", api_keys: list[str] | None = None) -> Answer:
        """A path the API does not have; the key first when the target checks it first."""
        exchange = IncomingRequest("GET", "", list(api_keys or ()))
        for stage in self.stages:
            if stage == "route":
                break
            if stage == "key":
                answer = self._stage_key(exchange)
                if answer is not None:
                    return answer
        point = "route"
        if path.endswith("/update/"):
            point = "trailing-slash"
        elif path.rstrip("/").endswith("error_track//update"):
            point = "empty-id"
        kind = errors.NOT_FOUND_ROUTE
        return self.refuse(exchange, point, kind, None)

    # -- the pipeline, in the learned order ----------------------------------------------------

    def handle_method(self, exchange: IncomingRequest) -> Answer | None:
        return None  # the method is a stage like the others (see `handle`)

    def handle(self, exchange: IncomingRequest) -> Answer:
        for stage in self.stages:
            step = self._STAGES.get(stage)
            answer = step(self, exchange) if step is not None else None
            if answer is not None:
                return answer
        credential = exchange.credential
        assert credential is not None
        return self.apply(
            exchange,
            credential,
            lambda: self.refuse(
                exchange, self._missing_issue(exchange), errors.NOT_FOUND_ISSUE, None
            ),
        )

    def _stage_method(self, exchange: IncomingRequest) -> Answer | None:
        if exchange.method == "POST":
            return None
        learned = self.learned("method")
        if learned is None or learned.accepted:
            return self.not_allowed(exchange)
        kind = errors.METHOD_NOT_ALLOWED
        return self._as_learned(kind, learned, lambda: self.not_allowed(exchange))

    def _stage_size(self, exchange: IncomingRequest) -> Answer | None:
        raw = exchange.body
        if raw is not None and len(raw) <= BODY_LIMIT:
            return None
        if raw is not None and self.accepts("too-large"):
            return None
        return self.refuse(exchange, "too-large", errors.TOO_LARGE, None)

    def _stage_key(self, exchange: IncomingRequest) -> Answer | None:
        if exchange.credential is not None:
            return None
        credential = self.authenticate(exchange.api_keys)
        if credential is None:
            keys = exchange.api_keys
            point = (
                "missing-key"
                if not keys
                else "empty-key"
                if all(not key.strip() for key in keys)
                else "bad-key"
            )
            return self.refuse(exchange, point, errors.INVALID_API_KEY, None)
        exchange.credential = credential
        if self.limiter is not None:
            limited = self.limiter.check(credential.key, credential.workspace, self.now())
            if limited is not None:
                kind = errors.KEY_RATE_LIMIT if limited == "key" else errors.WORKSPACE_RATE_LIMIT
                return self.reject(exchange, kind)
        return None

    def _stage_media(self, exchange: IncomingRequest) -> Answer | None:
        values = exchange.content_types
        point = _media_point(values)
        if point is not None and self.accepts(point):
            return None
        problem = self.content_type_verdict(values)
        if problem is None:
            return None
        return self.refuse(exchange, point, errors.INVALID_PARAMETER, problem)

    def _stage_body(self, exchange: IncomingRequest) -> Answer | None:
        raw = exchange.body or b""
        if raw.startswith(_BOM):
            if not self.accepts("bom"):
                message = "body: a byte-order mark before the JSON text"
                return self.refuse(exchange, "bom", errors.INVALID_PARAMETER, message)
            raw = exchange.body = raw[len(_BOM) :]
        if not _utf8(raw):
            if not self.reads_replaced:
                message = "body: not valid UTF-8"
                return self.refuse(exchange, "not-utf8", errors.INVALID_PARAMETER, message)
            raw = exchange.body = raw.decode("utf-8", "replace").encode("utf-8")
        problem = self._body_verdict(exchange)
        if problem is not None:
            point = _body_point(raw)
            deep_accepted = point == "deep-nesting" and self.accepts(point)
            if deep_accepted and isinstance(exchange.parsed, dict):
                return None
            return self.refuse(exchange, point, errors.INVALID_PARAMETER, problem)
        return self._assumed_points(exchange, raw)

    def _body_verdict(self, exchange: IncomingRequest) -> str | None:
        """
        The mock's verdict on the body. When the profile's order checks the body before the key,
        the mock's steps there still see what the mock's own order knows by then: the acting
        credential of a good key (none for a bad one), so a mutant's ``check_body`` that writes
        for it (write-before-validation) keeps its defect; the key stage still runs as it does.
        """
        stages = self.stages
        if exchange.credential is not None or stages.index("key") < stages.index("body"):
            return self.verdict(exchange)
        exchange.credential = self.authenticate(exchange.api_keys)
        try:
            return self.verdict(exchange)
        finally:
            exchange.credential = None

    def _assumed_points(self, exchange: IncomingRequest, raw: bytes) -> Answer | None:
        """
        The refusals of valid bodies the target made, and its readings of them. The points are
        those of the request itself (the library's reading of its bytes), never of what a step of
        the mock made of it: a mutant that reads ``{"issueStatus": ""}`` or ``[]`` as ``{}`` has
        accepted a bad body, and a target's refusal of ``{}`` does not overrule that.
        """
        body = exchange.parsed
        sent = read_body(raw)[0]
        if not isinstance(body, dict) or not isinstance(sent, dict):
            return None
        duplicates = _duplicate_names(raw)
        if duplicates:
            refusal = self.refuses("duplicate-keys")
            if refusal is not None:
                message = f"body: {duplicates[0]} given twice"
                return self.refuse(exchange, "duplicate-keys", errors.INVALID_PARAMETER, message)
            if self.first_wins:
                exchange.parsed = body = _first_wins(raw)
        variants = [n for n in sent if n not in _KNOWN_FIELDS and str(n).casefold() in _FOLDED]
        others = [n for n in sent if n not in _KNOWN_FIELDS and n not in variants]
        if variants and not others:
            refusal = self.refuses("field-case")
            if refusal is not None:
                message = f"body: unknown field {variants[0]!r}"
                return self.refuse(exchange, "field-case", errors.INVALID_PARAMETER, message)
        if others or variants:
            refusal = self.refuses("unknown-fields")
            if refusal is not None and (others or self.profile.answer("field-case") is None):
                message = f"body: unknown field {(others or variants)[0]!r}"
                return self.refuse(exchange, "unknown-fields", errors.INVALID_PARAMETER, message)
        if variants and self.applies_field_case:
            for name in variants:
                exact = _FOLDED[str(name).casefold()]
                if exact not in body and name in body:
                    body[exact] = body.pop(name)
            problem = self.check_body(body, exchange)
            if problem is not None:
                point = "schema"
                return self.refuse(exchange, point, errors.INVALID_PARAMETER, problem)
        if not any(name in sent for name in _KNOWN_FIELDS) and not any(
            name in body for name in _KNOWN_FIELDS
        ):
            refusal = self.refuses("empty-body")
            if refusal is not None:
                message = "body: nothing to update (send issueStatus or assigner)"
                return self.refuse(exchange, "empty-body", errors.INVALID_PARAMETER, message)
        return None

    def _stage_id_form(self, exchange: IncomingRequest) -> Answer | None:
        issue_id = exchange.issue_id
        if ISSUE_ID.match(issue_id):
            return None
        if ALIAS_ID.match(issue_id):
            refusal = self.refuses("alias-id")
            if refusal is None:
                return None
            return self.refuse(exchange, "alias-id", errors.NOT_FOUND_ISSUE, None)
        malformed, unknown = self.profile.answer("malformed-id"), self.learned("unknown-issue")
        if malformed is None or malformed.accepted or (unknown and malformed.same(unknown)):
            return None  # no check of the id's form: the lookup finds nothing
        return self.refuse(exchange, "malformed-id", errors.NOT_FOUND_ISSUE, None)

    def _stage_lookup(self, exchange: IncomingRequest) -> Answer | None:
        credential = exchange.credential
        if credential is None:
            # The target looks the issue up before it checks the key: anywhere, for now.
            if self.state.find_issue_anywhere(exchange.issue_id) is not None:
                return None
            point = "malformed-id" if not _id_form(exchange.issue_id) else "unknown-issue"
            return self.refuse(exchange, point, errors.NOT_FOUND_ISSUE, None)
        with self.state.lock:
            found = self.find_issue(credential, exchange.issue_id)
        if found is not None:
            return None
        self._read_ahead(exchange)
        return self.refuse(exchange, self._missing_issue(exchange), errors.NOT_FOUND_ISSUE, None)

    def _read_ahead(self, exchange: IncomingRequest) -> None:
        """
        The body as the mock reads it, for a refusal the profile's order makes before the body
        stage: the mock's own order refuses an unknown issue only after the body was read, and its
        steps there (a mutant's ``reject``, which may write the body it sees) keep seeing a valid
        body, as they do without a profile. An invalid body is not kept, and refuses nothing here.
        """
        if exchange.parsed is not None or not exchange.body:
            return  # read already (by the body stage), or nothing to read
        try:
            problem = self.verdict(exchange)
        except Exception:  # a mutant's parse that fails: the refusal stands as it is
            problem = "unreadable"
        if problem is not None:
            exchange.parsed = None

    def _missing_issue(self, exchange: IncomingRequest) -> str:
        issue_id = exchange.issue_id
        if not _id_form(issue_id):
            malformed = self.profile.answer("malformed-id")
            return "malformed-id" if malformed is not None else "unknown-issue"
        if self.state.find_issue_anywhere(issue_id) is not None:
            return "foreign-issue"
        return "unknown-issue"

    _STAGES: ClassVar[dict[str, Callable[[Learned, IncomingRequest], Answer | None]]] = {
        "method": _stage_method,
        "size": _stage_size,
        "key": _stage_key,
        "media": _stage_media,
        "body": _stage_body,
        "id-form": _stage_id_form,
        "lookup": _stage_lookup,
    }

    # -- the history ---------------------------------------------------------------------------

    def apply_status(self, issue: Json, status: str, credential: ApiKey, now: float) -> None:
        same = status == issue["issueStatus"]
        super().apply_status(issue, status, credential, now)
        if same and self.same_status_appends:
            records: list[Json] = issue["extend"]["statusChangeRecords"]
            self.append_record(records, self.new_record(records, status, credential, now))

    # -- what a person or a tool is told -------------------------------------------------------

    def profile_points(self) -> dict[str, Any]:
        """
        The learned and the default points (the first output line's ``profile``): each learned
        point with its value, and each point the mock answers as it does by default or as a
        learned point it groups it with.
        """
        profile = self.profile
        points = [
            {
                "point": point,
                "about": label(point),
                "learned": True,
                "answer": describe(point, observed.value),
                "support": observed.support,
            }
            for point, observed in sorted(profile.points.items())
        ]
        for key, text in DEFAULTS.items():
            point = key if key in OTHER_POINTS else "answer:" + key
            if point in profile.points:
                continue
            answer = self.learned(key) if point.startswith("answer:") else None
            if answer is not None:
                sibling = next(n for n in FALLBACKS[key] if profile.answer(n) is not None)
                text = f"{answer.describe()} (as answer:{sibling})"
            points.append({"point": point, "about": label(point), "learned": False, "answer": text})
        return {"source": dict(profile.source), "order": list(self.stages), "points": points}


def with_profile(base: type[Service], profile: Profile) -> type[Service]:
    """The class of `base` (the mock's `Service` or a mutant's) answering as `profile` says."""
    name = f"Learned{base.__name__}"
    namespace = {"profile": profile, "stages": stage_order(profile), "__doc__": Learned.__doc__}
    cls: type[Service] = type(name, (Learned, base), namespace)
    return cls


# -- reading the request -------------------------------------------------------------------------


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _id_form(issue_id: str) -> bool:
    return bool(ISSUE_ID.match(issue_id) or ALIAS_ID.match(issue_id))


def _media_point(values: list[str]) -> str | None:
    """``no-media-type``, ``media-type`` (anything but one JSON type in UTF-8), or None."""
    if not values:
        return "no-media-type"
    if len(values) > 1:
        return "media-type"
    media, _, params = values[0].partition(";")
    if media.strip().lower() != "application/json":
        return "media-type"
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in (
            "utf-8",
            "utf8",
        ):
            return "media-type"
    return None


def _body_point(raw: bytes) -> str | None:
    """Why the library calls this body invalid (a point), None when it calls it valid."""
    value, _, _ = read_body(raw)
    if isinstance(value, Unreadable):
        return "deep-nesting" if value.kind == "depth" else "not-json"
    if not isinstance(value, dict):
        return "not-object"
    found = request_findings(value, None, None)[0]
    if not found:
        return None  # the contract calls it valid: a step that refused it keeps its own answer
    fields = {v.pointer.split("/")[1] for v in found if v.pointer.count("/") >= 1}
    if len(fields) == 1 and next(iter(fields)) in _KNOWN_FIELDS:
        return "schema:" + next(iter(fields))
    return "schema"


def _pairs(raw: bytes) -> list[tuple[str, Any]]:
    built: list[list[tuple[str, Any]]] = []

    def hook(items: list[tuple[str, Any]]) -> dict[str, Any]:
        built.append(items)
        return dict(items)

    try:
        value = json.loads(raw, object_pairs_hook=hook)
    except (ValueError, RecursionError):
        return []
    return built[-1] if isinstance(value, dict) and built else []


def _duplicate_names(raw: bytes) -> list[str]:
    if raw.count(b'"') < 4:
        return []
    names = [name for name, _ in _pairs(raw)]
    return sorted({n for n in names if names.count(n) > 1})


def _first_wins(raw: bytes) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, value in _pairs(raw):
        found.setdefault(name, value)
    return found


def _trace_maker(shape: str) -> Callable[[], str] | None:
    """A maker of trace ids of the learned shape; None for the mock's own (32 hex)."""
    if shape == "hex32":
        return None
    if shape == "hex32, upper case":
        return lambda: uuid.uuid4().hex.upper()
    if shape == "uuid":
        return lambda: str(uuid.uuid4())
    if shape.startswith("other (") and shape.endswith(" characters)"):
        try:
            length = int(shape.removeprefix("other (").split(" ", 1)[0])
        except ValueError:
            return None
        if 0 < length <= 256:
            return lambda: (uuid.uuid4().hex * (length // 32 + 1))[:length]
    return None
