"""
The catalogue of mutants: the mock with exactly one realistic defect of a real server.

Each `Mutant` has a ``name``, a ``family`` (the rule family it breaks), a one-line ``description``
and the ``rules`` it breaks (their tags say whether it is a defect against any target or only
against the mock's own ``assumed`` choices); its ``service_class`` is a subclass of `Service` that
overrides one step of the pipeline and nothing else, so the mutant behaves exactly like the correct
mock except for that one defect. `CATALOGUE`, at the end, is the one explicit table of them.
``create_app(mutant=name)`` serves one; the mutation analysis (``truewatch-contract mutants``)
measures how many of them the contract suite catches.

Families: ``envelope`` (code, success, errorCode, message, traceId, Content-Type, error content),
``content`` (the success content, its types and units), ``history`` (status records and time
rules), ``partial`` (the partial update and the assignees), ``validation`` (what must be rejected
and is not, what is rejected and should not be), ``auth`` (keys and workspace isolation),
``errors`` (5xx and leaks in ``message``) and ``writes`` (a write although the answer was an error).
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar

from truewatch_contract.mock import errors
from truewatch_contract.mock.errors import ErrorKind
from truewatch_contract.mock.service import Answer, BadBody, IncomingRequest, Service
from truewatch_contract.mock.state import STATUSES, ApiKey, Json, Workspace

#: An account id whatever the case of its hex digits (what a case-blind server accepts).
_ACCOUNT_ANY_CASE = re.compile(r"acnt_[0-9a-fA-F]{32}")

FAMILIES: tuple[str, ...] = (
    "envelope",
    "content",
    "history",
    "partial",
    "validation",
    "auth",
    "errors",
    "writes",
)


@dataclass(frozen=True)
class Mutant:
    """
    One planted defect: its name, its rule family, what it does, the service that has it, and
    the rules of the catalogue (``x-contract-rules`` ids) its defect breaks.
    """

    name: str
    family: str
    description: str
    service_class: type[Service]
    rules: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"mutant {self.name!r}: unknown family {self.family!r}")
        if not self.rules:
            raise ValueError(f"mutant {self.name!r}: names no rule it breaks")

    @property
    def tags(self) -> frozenset[str]:
        """The tags of the rules it breaks (``documented``, ``observed``, ``assumed``)."""
        from truewatch_contract.rules import tag_of

        return frozenset(tag_of(rule) for rule in self.rules)

    @property
    def assumed_only(self) -> bool:
        """
        Whether it breaks only ``assumed`` rules: a defect only against the mock's own choices,
        none against any target that is judged with ``assumed`` relaxed (a profiled mock's).
        """
        return self.tags == {"assumed"}


def _envelope(
    status: int,
    content: str,
    error_code: Any,
    message: Any,
    success: Any,
    trace_id: Any,
    *,
    code: Any = None,
) -> bytes:
    """An envelope with any field mistyped, for the envelope mutants."""
    return (
        f'{{"code":{json.dumps(status if code is None else code)},"content":{content},'
        f'"errorCode":{json.dumps(error_code)},"message":{json.dumps(message)},'
        f'"success":{json.dumps(success)},"traceId":{json.dumps(trace_id)}}}'
    ).encode()


# -- envelope -------------------------------------------------------------------------------------


class CodeAlways200(Service):
    def envelope(self, status: int, content_json: str, error_code: str, message: str) -> Answer:
        body = _envelope(
            status,
            content_json,
            error_code,
            message,
            status == 200,
            errors.new_trace_id(),
            code=200,
        )
        return Answer(status, body)


class SuccessString(Service):
    def envelope(self, status: int, content_json: str, error_code: str, message: str) -> Answer:
        flag = "true" if status == 200 else "false"
        return Answer(
            status,
            _envelope(status, content_json, error_code, message, flag, errors.new_trace_id()),
        )


class SuccessTrueOnError(Service):
    def envelope(self, status: int, content_json: str, error_code: str, message: str) -> Answer:
        body = errors.render_envelope(status, content_json, error_code, message, success=True)
        return Answer(status, body)


class ErrorCodeNullOnSuccess(Service):
    def envelope(self, status: int, content_json: str, error_code: str, message: str) -> Answer:
        code = None if status == 200 else error_code
        return Answer(
            status,
            _envelope(status, content_json, code, message, status == 200, errors.new_trace_id()),
        )


class ErrorCodeEmptyOnError(Service):
    def envelope(self, status: int, content_json: str, error_code: str, message: str) -> Answer:
        return Answer(status, errors.render_envelope(status, content_json, "", message))


class MessageOkOnSuccess(Service):
    def success(self, content_json: str) -> Answer:
        return self.envelope(200, content_json, "", "OK")


class TraceIdEmpty(Service):
    def envelope(self, status: int, content_json: str, error_code: str, message: str) -> Answer:
        body = errors.render_envelope(status, content_json, error_code, message, trace_id="")
        return Answer(status, body)


class ContentTypeText(Service):
    def envelope(self, status: int, content_json: str, error_code: str, message: str) -> Answer:
        answer = super().envelope(status, content_json, error_code, message)
        return Answer(answer.status, answer.body, b"text/plain; charset=utf-8", answer.headers)


class ErrorContentLeaksIssue(Service):
    def reject(
        self, exchange: IncomingRequest, kind: ErrorKind, message: str | None = None
    ) -> Answer:
        if kind is errors.NOT_FOUND_ISSUE:
            found = self.state.find_issue_anywhere(exchange.issue_id)
            if found is not None:
                return self.envelope(
                    kind.status, self.serialize(found[1]), kind.error_code, message or kind.message
                )
        return super().reject(exchange, kind, message)


# -- content --------------------------------------------------------------------------------------


def _content_copy(issue: Json) -> Json:
    return copy.deepcopy(issue)


class FirstTimeSeconds(Service):
    def render_content(self, issue: Json, exchange: IncomingRequest) -> Json:
        content = _content_copy(issue)
        content["extend"]["firstTime"] = content["extend"]["firstTime"] // 1000
        return content


class CreateAtMs(Service):
    def render_content(self, issue: Json, exchange: IncomingRequest) -> Json:
        content = _content_copy(issue)
        content["createAt"] = content["createAt"] * 1000
        return content


class IdString(Service):
    def render_content(self, issue: Json, exchange: IncomingRequest) -> Json:
        content = _content_copy(issue)
        content["id"] = str(content["id"])
        return content


class DeleteAtZero(Service):
    def render_content(self, issue: Json, exchange: IncomingRequest) -> Json:
        content = _content_copy(issue)
        content["deleteAt"] = 0
        return content


class AssignerInfoFieldMissing(Service):
    def render_content(self, issue: Json, exchange: IncomingRequest) -> Json:
        content = _content_copy(issue)
        for account in content["assignerInfo"]:
            account.pop("mobile", None)
        return content


class SameIssueWrongId(Service):
    def render_content(self, issue: Json, exchange: IncomingRequest) -> Json:
        assert exchange.credential is not None
        workspace = self.state.workspaces[exchange.credential.workspace]
        for other in workspace.issues.values():
            if other is not issue:
                return other
        return issue


class StatusNotApplied(Service):
    def apply_status(self, issue: Json, status: str, credential: ApiKey, now: float) -> None:
        old = issue["issueStatus"]
        super().apply_status(issue, status, credential, now)
        issue["issueStatus"] = old


class AssignerInfoRepeatsFirst(Service):
    def assigner_info(self, assigner: list[str], workspace: Workspace) -> list[Json]:
        info = super().assigner_info(assigner, workspace)
        return [*info, dict(info[0])] if info else info


# -- history and time ----------------------------------------------------------------------------


class RecordTimeMs(Service):
    def new_record(self, records: list[Json], status: str, credential: ApiKey, now: float) -> Json:
        record = super().new_record(records, status, credential, now)
        record["time"] = int(now * 1000)
        return record


class HistoryNotAppended(Service):
    def append_record(self, records: list[Json], record: Json) -> None:
        return None


class HistoryRewritten(Service):
    def append_record(self, records: list[Json], record: Json) -> None:
        if len(records) > 1:
            records[-1] = record
        else:
            records.append(record)


class HistoryDuplicateRecord(Service):
    def append_record(self, records: list[Json], record: Json) -> None:
        records.append(record)
        records.append(dict(record))


class HistoryNewestFirst(Service):
    def append_record(self, records: list[Json], record: Json) -> None:
        records.insert(0, record)


class HistoryWrongOperator(Service):
    def operator(self, credential: ApiKey) -> str:
        return "sys"


class SameStatusAppends(Service):
    def apply_status(self, issue: Json, status: str, credential: ApiKey, now: float) -> None:
        if status == issue["issueStatus"]:
            records: list[Json] = issue["extend"]["statusChangeRecords"]
            self.append_record(records, self.new_record(records, status, credential, now))
            return
        super().apply_status(issue, status, credential, now)


class LostUpdate(Service):
    """
    The app serves this mutant from worker threads (``threaded``), so two requests can be in
    flight at once. Its update reads the issue, lets go of the lock for a fixed race window (a
    slow write), then writes what it read plus its own change: the later of two overlapping
    updates overwrites the earlier one's record. Sequential updates never overlap.
    """

    threaded: ClassVar[bool] = True
    race_window: ClassVar[float] = 0.1

    def update(self, issue: Json, body: Json, credential: ApiKey, workspace: Workspace) -> None:
        if "issueStatus" not in body:
            super().update(issue, body, credential, workspace)
            return
        read = copy.deepcopy(issue)  # the caller holds the state's lock (once) around this
        self.state.lock.release()
        try:
            time.sleep(self.race_window)
        finally:
            self.state.lock.acquire()
        super().update(read, body, credential, workspace)
        issue.clear()
        issue.update(read)


class StatusDurationStale(Service):
    def status_duration(self, records: list[Json]) -> dict[str, int]:
        return super().status_duration(records[:-1] or records)


class DurationWrong(Service):
    def refresh(self, issue: Json, workspace: Workspace) -> None:
        super().refresh(issue, workspace)
        issue["duration"] = int(self.now()) - issue["extend"]["firstTime"] // 1000


class UpdateAtStale(Service):
    def stamp(self, issue: Json, credential: ApiKey, now: float) -> None:
        issue["updator"] = credential.account


class UpdatorStale(Service):
    def stamp(self, issue: Json, credential: ApiKey, now: float) -> None:
        previous = issue.get("updator")
        super().stamp(issue, credential, now)
        issue["updator"] = previous


class EmptyBodyTouches(Service):
    def update(self, issue: Json, body: Json, credential: ApiKey, workspace: Workspace) -> None:
        if "issueStatus" not in body and "assigner" not in body:
            self.stamp(issue, credential, self.now())
            return
        super().update(issue, body, credential, workspace)


class HistoryCapped(Service):
    def append_record(self, records: list[Json], record: Json) -> None:
        super().append_record(records, record)
        del records[:-10]  # only the ten latest kept


class RecordTimeLocal(Service):
    def new_record(self, records: list[Json], status: str, credential: ApiKey, now: float) -> Json:
        record = super().new_record(records, status, credential, now)
        return {**record, "time": record["time"] + 8 * 3600}  # UTC+8 stamped as UTC


class CreateAtBumped(Service):
    def stamp(self, issue: Json, credential: ApiKey, now: float) -> None:
        super().stamp(issue, credential, now)
        issue["createAt"] = int(now)


# -- partial update and assignees -----------------------------------------------------------------


class PartialUpdateClearsAssigner(Service):
    def apply_fields(
        self, issue: Json, body: Json, credential: ApiKey, workspace: Workspace, now: float
    ) -> None:
        super().apply_fields(issue, body, credential, workspace, now)
        if "assigner" not in body:
            issue["assigner"] = []


class AssignerSetsStatus(Service):
    def apply_fields(
        self, issue: Json, body: Json, credential: ApiKey, workspace: Workspace, now: float
    ) -> None:
        super().apply_fields(issue, body, credential, workspace, now)
        if "assigner" in body and "issueStatus" not in body:
            self.apply_status(issue, "Assigned", credential, now)


class AssignerNotApplied(Service):
    def apply_assigner(self, issue: Json, assigner: list[str]) -> None:
        return None


class AssignerAppended(Service):
    def apply_assigner(self, issue: Json, assigner: list[str]) -> None:
        merged = list(issue["assigner"])
        merged.extend(uuid for uuid in assigner if uuid not in merged)
        issue["assigner"] = merged


class AssignerInfoStale(Service):
    def refresh(self, issue: Json, workspace: Workspace) -> None:
        info = issue.get("assignerInfo")
        super().refresh(issue, workspace)
        issue["assignerInfo"] = info


class AssignerCapped(Service):
    def apply_assigner(self, issue: Json, assigner: list[str]) -> None:
        super().apply_assigner(issue, assigner[:10])  # a column of ten ids


# -- validation ----------------------------------------------------------------------------------


class StatusTrimmed(Service):
    def parse(self, raw: bytes) -> Any:
        body = super().parse(raw)
        if isinstance(body, dict) and isinstance(body.get("issueStatus"), str):
            body["issueStatus"] = body["issueStatus"].strip()
        return body


class AssignerIdAnyCase(Service):
    def parse(self, raw: bytes) -> Any:
        body = super().parse(raw)
        assigner = body.get("assigner") if isinstance(body, dict) else None
        if isinstance(assigner, list):
            body["assigner"] = [
                item.lower()
                if isinstance(item, str) and _ACCOUNT_ANY_CASE.fullmatch(item)
                else item
                for item in assigner
            ]
        return body


class AcceptsNullAssigner(Service):
    def parse(self, raw: bytes) -> Any:
        body = super().parse(raw)
        if isinstance(body, dict) and "assigner" in body and body["assigner"] is None:
            del body["assigner"]
        return body


class EmptyStatusIgnored(Service):
    def parse(self, raw: bytes) -> Any:
        body = super().parse(raw)
        if isinstance(body, dict) and body.get("issueStatus") == "":
            del body["issueStatus"]
        return body


class IssueIdTrimmed(Service):
    def find_issue(self, credential: ApiKey, issue_id: str) -> Json | None:
        return super().find_issue(credential, issue_id.strip())


def _without(message: str | None, field_name: str) -> str | None:
    """A verdict without its parts about ``field_name`` (None if nothing is left)."""
    if message is None:
        return None
    parts = [part for part in message.split("; ") if not part.startswith(field_name)]
    return "; ".join(parts) or None


class AcceptsLowercaseStatus(Service):
    _CANONICAL: ClassVar[dict[str, str]] = {s.lower(): s for s in STATUSES}

    def parse(self, raw: bytes) -> Any:
        body = super().parse(raw)
        if isinstance(body, dict) and isinstance(body.get("issueStatus"), str):
            canonical = self._CANONICAL.get(body["issueStatus"].lower())
            if canonical is not None:
                body["issueStatus"] = canonical
        return body


class AcceptsEmptyAssigner(Service):
    def check_body(self, body: Any, exchange: IncomingRequest) -> str | None:
        verdict = super().check_body(body, exchange)
        if isinstance(body, dict) and body.get("assigner") == []:
            return _without(verdict, "assigner")
        return verdict


class AcceptsNullStatus(Service):
    def parse(self, raw: bytes) -> Any:
        body = super().parse(raw)
        if isinstance(body, dict) and "issueStatus" in body and body["issueStatus"] is None:
            del body["issueStatus"]
        return body


class AcceptsBadAccountId(Service):
    def check_body(self, body: Any, exchange: IncomingRequest) -> str | None:
        verdict = super().check_body(body, exchange)
        if (
            isinstance(body, dict)
            and isinstance(body.get("assigner"), list)
            and body["assigner"]
            and all(isinstance(item, str) for item in body["assigner"])
        ):
            return _without(verdict, "assigner")
        return verdict


class AcceptsNonObjectBody(Service):
    def parse(self, raw: bytes) -> Any:
        body = super().parse(raw)
        return body if isinstance(body, dict) else {}


class AcceptsAnyContentType(Service):
    def check_content_type(self, values: list[str]) -> str | None:
        return None


class RejectsCharsetContentType(Service):
    def check_content_type(self, values: list[str]) -> str | None:
        if len(values) == 1 and ";" in values[0]:
            return f"Content-Type: expected application/json, found {values[0][:60]!r}"
        return super().check_content_type(values)


class RejectsMultipleAssigners(Service):
    def check_body(self, body: Any, exchange: IncomingRequest) -> str | None:
        assigner = body.get("assigner") if isinstance(body, dict) else None
        if isinstance(assigner, list) and len(assigner) > 1:
            return "assigner: expected at most 1 item"
        return super().check_body(body, exchange)


class RejectsEmptyBody(Service):
    def check_body(self, body: Any, exchange: IncomingRequest) -> str | None:
        if body == {}:
            return "body: expected issueStatus or assigner"
        return super().check_body(body, exchange)


class RejectsUnknownFields(Service):
    def check_body(self, body: Any, exchange: IncomingRequest) -> str | None:
        if isinstance(body, dict):
            extra = sorted(set(body) - {"issueStatus", "assigner"})
            if extra:
                return f"{extra[0][:40]}: unknown field"
        return super().check_body(body, exchange)


# -- auth and workspace isolation ----------------------------------------------------------------


class KeyPrefix(Service):
    def authenticate(self, values: list[str]) -> ApiKey | None:
        found = super().authenticate(values)
        if found is None and len(values) == 1 and len(values[0]) >= 8:
            # A lookup by prefix (LIKE 'key%'): a key cut short still finds its owner.
            for key, credential in self.state.api_keys.items():
                if key.startswith(values[0]):
                    return credential
        return found


class KeyCaseInsensitive(Service):
    def authenticate(self, values: list[str]) -> ApiKey | None:
        found = super().authenticate(values)
        if found is None and len(values) == 1:
            for key, credential in self.state.api_keys.items():
                if key.lower() == values[0].lower():
                    return credential
        return found


class AuthIgnored(Service):
    def authenticate(self, values: list[str]) -> ApiKey | None:
        if not values:
            return next(iter(self.state.api_keys.values()))
        return super().authenticate(values)


class AuthWrongKey200(Service):
    def authenticate(self, values: list[str]) -> ApiKey | None:
        found = super().authenticate(values)
        if found is None and values and values[0]:
            return next(iter(self.state.api_keys.values()))
        return found


class ForeignIssueVisible(Service):
    def find_issue(self, credential: ApiKey, issue_id: str) -> Json | None:
        found = super().find_issue(credential, issue_id)
        if found is None:
            anywhere = self.state.find_issue_anywhere(issue_id)
            return anywhere[1] if anywhere is not None else None
        return found


class ForeignIssue403(Service):
    def reject(
        self, exchange: IncomingRequest, kind: ErrorKind, message: str | None = None
    ) -> Answer:
        if kind is errors.NOT_FOUND_ISSUE and self.state.find_issue_anywhere(exchange.issue_id):
            return self.envelope(
                403, "null", "ft.NoPermission", "The issue belongs to another workspace."
            )
        return super().reject(exchange, kind, message)


class ForeignIssueMessageHint(Service):
    def reject(
        self, exchange: IncomingRequest, kind: ErrorKind, message: str | None = None
    ) -> Answer:
        if kind is errors.NOT_FOUND_ISSUE and self.state.find_issue_anywhere(exchange.issue_id):
            message = "The issue exists but belongs to another workspace."
        return super().reject(exchange, kind, message)


# -- errors: 5xx and leaks ------------------------------------------------------------------------


class _ServerFault(Exception):
    pass


class ServerErrorOnMalformedJson(Service):
    def parse(self, raw: bytes) -> Any:
        try:
            return super().parse(raw)
        except BadBody as bad:
            if "not valid JSON" in bad.message:
                raise _ServerFault(bad.message) from None
            raise


class ServerErrorOnWrongType(Service):
    def check_body(self, body: Any, exchange: IncomingRequest) -> str | None:
        if isinstance(body, dict) and "issueStatus" in body:
            status = body["issueStatus"]
            if not isinstance(status, str):
                raise _ServerFault(f"unhashable or unexpected {type(status).__name__}")
        return super().check_body(body, exchange)


class ServerErrorOnUnknownIssue(Service):
    def find_issue(self, credential: ApiKey, issue_id: str) -> Json | None:
        found = super().find_issue(credential, issue_id)
        if found is None:
            raise _ServerFault("'NoneType' object is not subscriptable")
        return found


class MethodNotAllowedAs500(Service):
    def not_allowed(self, exchange: IncomingRequest) -> Answer:
        raise _ServerFault(f"no handler for {exchange.method}")


class StacktraceInMessage(Service):
    def reject(
        self, exchange: IncomingRequest, kind: ErrorKind, message: str | None = None
    ) -> Answer:
        if kind is errors.INVALID_PARAMETER:
            message = (
                "Traceback (most recent call last):\n"
                '  File "/srv/app/handlers/error_track.py", line 88, in update\n'
                "    payload = UpdateIssueSchema().load(request.json)\n"
                f"marshmallow.exceptions.ValidationError: {message or kind.message}"
            )
        return super().reject(exchange, kind, message)


class LongListFails(Service):
    def apply_assigner(self, issue: Json, assigner: list[str]) -> None:
        if len(assigner) > 16:
            raise _ServerFault("assignees overflow a fixed buffer of 16")
        super().apply_assigner(issue, assigner)


class RepeatedAssigneeFails(Service):
    def apply_assigner(self, issue: Json, assigner: list[str]) -> None:
        if len(set(assigner)) != len(assigner):
            raise _ServerFault("duplicate key value violates unique constraint")
        super().apply_assigner(issue, assigner)


# -- writes that happen although the answer was an error -----------------------------------------


class WriteBeforeValidation(Service):
    def check_body(self, body: Any, exchange: IncomingRequest) -> str | None:
        verdict = super().check_body(body, exchange)
        if verdict is not None and isinstance(body, dict) and exchange.credential is not None:
            status = body.get("issueStatus")
            if status in STATUSES:
                with self.state.lock:
                    issue = self.find_issue(exchange.credential, exchange.issue_id)
                    workspace = self.state.workspaces.get(exchange.credential.workspace)
                    if issue is not None and workspace is not None:
                        self.update(issue, {"issueStatus": status}, exchange.credential, workspace)
        return verdict


class WriteOnAuthFailure(Service):
    def reject(
        self, exchange: IncomingRequest, kind: ErrorKind, message: str | None = None
    ) -> Answer:
        if kind is errors.INVALID_API_KEY and exchange.body is not None:
            self._write_anyway(exchange)
        return super().reject(exchange, kind, message)

    def _write_anyway(self, exchange: IncomingRequest) -> None:
        try:
            body = self.parse(exchange.body or b"")
        except BadBody:
            return
        if not isinstance(body, dict) or self.check_body(body, exchange) is not None:
            return
        with self.state.lock:
            found = self.state.find_issue_anywhere(exchange.issue_id)
            if found is None:
                return
            workspace, issue = found
            owner = next(
                (k for k in self.state.api_keys.values() if k.workspace == workspace.uuid), None
            )
            if owner is not None:
                self.update(issue, body, owner, workspace)


class WriteOnForeign404(Service):
    def reject(
        self, exchange: IncomingRequest, kind: ErrorKind, message: str | None = None
    ) -> Answer:
        if kind is errors.NOT_FOUND_ISSUE and exchange.credential is not None:
            with self.state.lock:
                found = self.state.find_issue_anywhere(exchange.issue_id)
                if found is not None and isinstance(exchange.parsed, dict):
                    workspace, issue = found
                    self.update(issue, exchange.parsed, exchange.credential, workspace)
        return super().reject(exchange, kind, message)


#: The catalogue: every mutant, by family, in the order the reports list them.
CATALOGUE: tuple[Mutant, ...] = (
    Mutant(
        "code-always-200",
        "envelope",
        "The envelope's code is 200 on every answer, errors included.",
        CodeAlways200,
        rules=("envelope.code-matches-status",),
    ),
    Mutant(
        "success-string",
        "envelope",
        'success is the string "true" or "false", not a boolean.',
        SuccessString,
        rules=("envelope.fields",),
    ),
    Mutant(
        "success-true-on-error",
        "envelope",
        "success is true on every answer, errors included.",
        SuccessTrueOnError,
        rules=("envelope.success-matches-code",),
    ),
    Mutant(
        "errorcode-null-on-success",
        "envelope",
        'errorCode is null instead of "" on success.',
        ErrorCodeNullOnSuccess,
        rules=("envelope.fields",),
    ),
    Mutant(
        "errorcode-empty-on-error",
        "envelope",
        'errorCode is "" on errors, as if they succeeded.',
        ErrorCodeEmptyOnError,
        rules=("envelope.error-code-matches-success",),
    ),
    Mutant(
        "message-ok-on-success",
        "envelope",
        'message is "OK" instead of "" on success.',
        MessageOkOnSuccess,
        rules=("envelope.message-empty-on-success",),
    ),
    Mutant(
        "traceid-empty",
        "envelope",
        'traceId is "" on every answer.',
        TraceIdEmpty,
        rules=("envelope.trace-id",),
    ),
    Mutant(
        "content-type-text",
        "envelope",
        "Answers are served as text/plain, not application/json.",
        ContentTypeText,
        rules=("envelope.json",),
    ),
    Mutant(
        "error-content-leaks-issue",
        "envelope",
        "A 404 for a known issue id of another workspace carries that issue in content.",
        ErrorContentLeaksIssue,
        rules=("envelope.no-content-on-error",),
    ),
    Mutant(
        "firsttime-seconds",
        "content",
        "extend.firstTime is in seconds instead of milliseconds.",
        FirstTimeSeconds,
        rules=("content.time-units",),
    ),
    Mutant(
        "createat-ms",
        "content",
        "createAt is in milliseconds instead of seconds.",
        CreateAtMs,
        rules=("content.time-units",),
    ),
    Mutant(
        "id-string",
        "content",
        'id is serialised as a string ("39") instead of an integer.',
        IdString,
        rules=("content.schema",),
    ),
    Mutant(
        "deleteat-zero",
        "content",
        "deleteAt is 0 instead of -1 for an issue that is not deleted.",
        DeleteAtZero,
        rules=("content.delete-at",),
    ),
    Mutant(
        "assignerinfo-field-missing",
        "content",
        "assignerInfo items lack the mobile field.",
        AssignerInfoFieldMissing,
        rules=("content.schema",),
    ),
    Mutant(
        "same-issue-wrong-id",
        "content",
        "The answer shows the workspace's first issue, not the one updated.",
        SameIssueWrongId,
        rules=("content.same-issue",),
    ),
    Mutant(
        "status-not-applied",
        "content",
        "A new issueStatus is recorded in the history but content.issueStatus keeps the old one.",
        StatusNotApplied,
        rules=("content.status-applied", "content.history-head"),
    ),
    Mutant(
        "assignerinfo-repeats-first",
        "content",
        "assignerInfo lists the first assignee's account twice.",
        AssignerInfoRepeatsFirst,
        rules=("content.assigner-info",),
    ),
    Mutant(
        "record-time-ms",
        "history",
        "New status records carry their time in milliseconds.",
        RecordTimeMs,
        rules=("content.time-units",),
    ),
    Mutant(
        "history-not-appended",
        "history",
        "A status change updates issueStatus but appends no record.",
        HistoryNotAppended,
        rules=("history.status-change-record", "content.history-head"),
    ),
    Mutant(
        "history-rewritten",
        "history",
        "A status change overwrites the last record instead of appending one.",
        HistoryRewritten,
        rules=("history.append-only",),
    ),
    Mutant(
        "history-duplicate-record",
        "history",
        "A status change appends its record twice.",
        HistoryDuplicateRecord,
        rules=("history.status-change-record",),
    ),
    Mutant(
        "history-newest-first",
        "history",
        "New records are inserted at the front of the history.",
        HistoryNewestFirst,
        rules=("history.status-change-record", "content.history-order"),
    ),
    Mutant(
        "history-wrong-operator",
        "history",
        'New records name "sys" as operator instead of the acting account.',
        HistoryWrongOperator,
        rules=("history.status-change-record",),
    ),
    Mutant(
        "same-status-appends",
        "history",
        "Setting the current status again appends a record.",
        SameStatusAppends,
        rules=("history.same-status-no-record",),
    ),
    Mutant(
        "lost-update",
        "history",
        "Updates are read-modify-write without the lock: of two status changes at once, one is "
        "lost.",
        LostUpdate,
        rules=("history.no-lost-update",),
    ),
    Mutant(
        "status-duration-stale",
        "history",
        "statusDuration is not updated by a status change.",
        StatusDurationStale,
        rules=("content.status-duration",),
    ),
    Mutant(
        "duration-wrong",
        "history",
        "duration is computed as now minus the first occurrence (firstTime).",
        DurationWrong,
        rules=("content.duration",),
    ),
    Mutant(
        "updateat-stale",
        "history",
        "updateAt is not changed by an update.",
        UpdateAtStale,
        rules=("history.status-change-record",),
    ),
    Mutant(
        "updator-stale",
        "history",
        "updator is not set to the acting account by an update.",
        UpdatorStale,
        rules=("history.status-change-record",),
    ),
    Mutant(
        "empty-body-touches",
        "history",
        "The no-op body {} still bumps updateAt and updator.",
        EmptyBodyTouches,
        rules=("behaviour.empty-body-noop",),
    ),
    Mutant(
        "history-capped",
        "history",
        "Only the ten latest status records are kept: older ones are dropped.",
        HistoryCapped,
        rules=("history.append-only",),
    ),
    Mutant(
        "record-time-local",
        "history",
        "New status records are stamped in local time (UTC+8) as if it were UTC.",
        RecordTimeLocal,
        rules=("history.status-change-record",),
    ),
    Mutant(
        "createat-bumped",
        "history",
        "createAt is set to the time of every update.",
        CreateAtBumped,
        rules=("history.update-time",),
    ),
    Mutant(
        "partial-update-clears-assigner",
        "partial",
        "An update that does not send assigner clears the assignees.",
        PartialUpdateClearsAssigner,
        rules=("history.partial-update",),
    ),
    Mutant(
        "assigner-sets-status",
        "partial",
        "An update that sends only assigner also sets the status to Assigned.",
        AssignerSetsStatus,
        rules=("history.partial-update",),
    ),
    Mutant(
        "assigner-not-applied",
        "partial",
        "assigner is accepted but ignored.",
        AssignerNotApplied,
        rules=("content.assigner-applied",),
    ),
    Mutant(
        "assigner-appended",
        "partial",
        "assigner is merged into the current list instead of replacing it.",
        AssignerAppended,
        rules=("content.assigner-applied",),
    ),
    Mutant(
        "assignerinfo-stale",
        "partial",
        "assignerInfo is not recomputed when the assignees change.",
        AssignerInfoStale,
        rules=("content.assigner-info",),
    ),
    Mutant(
        "assigner-capped",
        "partial",
        "Only the first ten ids of assigner are kept.",
        AssignerCapped,
        rules=("content.assigner-applied",),
    ),
    Mutant(
        "accepts-lowercase-status",
        "validation",
        'issueStatus is matched case-insensitively ("resolved" is accepted).',
        AcceptsLowercaseStatus,
        rules=("behaviour.invalid-body-rejected",),
    ),
    Mutant(
        "accepts-empty-assigner",
        "validation",
        "assigner [] is accepted (and clears the assignees).",
        AcceptsEmptyAssigner,
        rules=("behaviour.invalid-body-rejected",),
    ),
    Mutant(
        "accepts-null-status",
        "validation",
        "issueStatus null is accepted as if it were not sent.",
        AcceptsNullStatus,
        rules=("behaviour.invalid-body-rejected",),
    ),
    Mutant(
        "accepts-bad-account-id",
        "validation",
        "assigner items are not checked against the acnt_ + 32 hex form.",
        AcceptsBadAccountId,
        rules=("behaviour.invalid-body-rejected", "content.schema"),
    ),
    Mutant(
        "accepts-non-object-body",
        "validation",
        "A JSON body that is not an object (an array, a string) is treated as {}.",
        AcceptsNonObjectBody,
        rules=("behaviour.invalid-body-rejected",),
    ),
    Mutant(
        "accepts-any-content-type",
        "validation",
        "The Content-Type is not checked (text/plain JSON is accepted).",
        AcceptsAnyContentType,
        rules=("behaviour.media-type-rejected",),
    ),
    Mutant(
        "rejects-charset-content-type",
        "validation",
        "application/json;charset=UTF-8, the page's own Content-Type, is rejected.",
        RejectsCharsetContentType,
        rules=("behaviour.valid-body-accepted",),
    ),
    Mutant(
        "rejects-multiple-assigners",
        "validation",
        "assigner with more than one id is rejected.",
        RejectsMultipleAssigners,
        rules=("behaviour.valid-body-accepted",),
    ),
    Mutant(
        "rejects-empty-body",
        "validation",
        "The no-op body {} is rejected with 400.",
        RejectsEmptyBody,
        rules=("behaviour.empty-body-noop",),
    ),
    Mutant(
        "rejects-unknown-fields",
        "validation",
        "A body with a field other than issueStatus and assigner is rejected.",
        RejectsUnknownFields,
        rules=("behaviour.unknown-fields-ignored",),
    ),
    Mutant(
        "status-trimmed",
        "validation",
        "issueStatus is trimmed of surrounding whitespace before it is checked.",
        StatusTrimmed,
        rules=("behaviour.invalid-body-rejected",),
    ),
    Mutant(
        "assigner-id-any-case",
        "validation",
        "assigner ids are matched case-insensitively (upper-case hex is accepted, stored lowered).",
        AssignerIdAnyCase,
        rules=("behaviour.invalid-body-rejected",),
    ),
    Mutant(
        "accepts-null-assigner",
        "validation",
        "assigner null is accepted as if it were not sent.",
        AcceptsNullAssigner,
        rules=("behaviour.invalid-body-rejected",),
    ),
    Mutant(
        "empty-status-ignored",
        "validation",
        'issueStatus "" is accepted as if it were not sent.',
        EmptyStatusIgnored,
        rules=("behaviour.invalid-body-rejected",),
    ),
    Mutant(
        "issue-id-trimmed",
        "validation",
        "The route's issue_id is trimmed of whitespace before the lookup.",
        IssueIdTrimmed,
        rules=("behaviour.unknown-issue",),
    ),
    Mutant(
        "auth-ignored",
        "auth",
        "A request without DF-API-KEY acts as the first key of the state.",
        AuthIgnored,
        rules=("behaviour.auth-required",),
    ),
    Mutant(
        "auth-wrong-key-200",
        "auth",
        "Any non-empty DF-API-KEY is accepted, acting as the first key of the state.",
        AuthWrongKey200,
        rules=("behaviour.auth-required",),
    ),
    Mutant(
        "foreign-issue-visible",
        "auth",
        "An issue of another workspace is found and updated with any valid key.",
        ForeignIssueVisible,
        rules=("behaviour.workspace-isolation",),
    ),
    Mutant(
        "foreign-issue-403",
        "auth",
        "An issue of another workspace is answered 403, hinting that it exists.",
        ForeignIssue403,
        rules=("behaviour.workspace-isolation",),
    ),
    Mutant(
        "foreign-issue-message-hint",
        "auth",
        "The 404 for another workspace's issue says so in its message.",
        ForeignIssueMessageHint,
        rules=("behaviour.workspace-isolation",),
    ),
    Mutant(
        "key-prefix",
        "auth",
        "A DF-API-KEY that the real key starts with (8 characters or more) is accepted.",
        KeyPrefix,
        rules=("behaviour.auth-required",),
    ),
    Mutant(
        "key-case-insensitive",
        "auth",
        "DF-API-KEY is compared without regard to case.",
        KeyCaseInsensitive,
        rules=("behaviour.auth-required",),
    ),
    Mutant(
        "500-on-malformed-json",
        "errors",
        "A body that is not valid JSON crashes the handler (500).",
        ServerErrorOnMalformedJson,
        rules=("behaviour.no-server-error",),
    ),
    Mutant(
        "500-on-wrong-type",
        "errors",
        'A non-string issueStatus (e.g. {"issueStatus": {}}) crashes the handler (500).',
        ServerErrorOnWrongType,
        rules=("behaviour.no-server-error",),
    ),
    Mutant(
        "500-on-unknown-issue",
        "errors",
        "An unknown issue id crashes the handler (500) instead of 404.",
        ServerErrorOnUnknownIssue,
        rules=("behaviour.no-server-error",),
    ),
    Mutant(
        "405-as-500",
        "errors",
        "A method other than POST on the route is answered 500.",
        MethodNotAllowedAs500,
        rules=("behaviour.no-server-error",),
    ),
    Mutant(
        "stacktrace-in-message",
        "errors",
        "400 answers carry a Python traceback in message.",
        StacktraceInMessage,
        rules=("envelope.no-internal-detail",),
    ),
    Mutant(
        "long-list-fails",
        "errors",
        "An assigner list of more than 16 ids crashes the handler (500).",
        LongListFails,
        rules=("behaviour.no-server-error",),
    ),
    Mutant(
        "repeated-assignee-fails",
        "errors",
        "An assigner list that repeats an id crashes the handler (500).",
        RepeatedAssigneeFails,
        rules=("behaviour.no-server-error",),
    ),
    Mutant(
        "write-before-validation",
        "writes",
        "A valid issueStatus is applied even when the rest of the body is rejected (400).",
        WriteBeforeValidation,
        rules=("behaviour.invalid-body-rejected",),
    ),
    Mutant(
        "write-on-auth-failure",
        "writes",
        "A request with a wrong DF-API-KEY is answered 403, but its update is applied.",
        WriteOnAuthFailure,
        rules=("behaviour.auth-required",),
    ),
    Mutant(
        "write-on-foreign-404",
        "writes",
        "Another workspace's issue is answered 404, but the update is applied to it.",
        WriteOnForeign404,
        rules=("behaviour.workspace-isolation",),
    ),
)

MUTANTS: Mapping[str, Mutant] = MappingProxyType({entry.name: entry for entry in CATALOGUE})
"""Every mutant by name, in catalogue order."""
