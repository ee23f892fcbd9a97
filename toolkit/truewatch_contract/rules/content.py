"""
The success content's cross-field rules: what the page's example shows beyond field types.

Every rule reads only fields whose types it checks itself, and skips (returns None) what the
schema already reports, so a malformed content never crashes a rule nor counts as checked.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from truewatch_contract.rules.catalogue import violation
from truewatch_contract.rules.context import (
    RuleContext,
    is_int,
    is_number,
    string_list,
)
from truewatch_contract.violations import Violation, kind, short

#: Epoch values above this are milliseconds, below it seconds (10**11 s is the year 5138).
MILLISECONDS_ABOVE = 10**11

_RECORDS = "/content/extend/statusChangeRecords"


def status_applied(ctx: RuleContext) -> list[Violation] | None:
    content, request = ctx.content, ctx.request
    if content is None or not isinstance(request, dict):
        return None
    sent, got = request.get("issueStatus"), content.get("issueStatus")
    if not isinstance(sent, str) or not isinstance(got, str):
        return None
    if ctx.flagged and not ctx.clean("/content/issueStatus"):
        return None
    if got == sent:
        return []
    return [
        violation(
            "content.status-applied",
            f"content.issueStatus must be the status sent, {short(sent)}, found {short(got)}.",
            "/content/issueStatus",
        )
    ]


def assigner_applied(ctx: RuleContext) -> list[Violation] | None:
    content, request = ctx.content, ctx.request
    if content is None or not isinstance(request, dict):
        return None
    sent, got = string_list(request.get("assigner")), string_list(content.get("assigner"))
    if sent is None or got is None or (ctx.flagged and not ctx.clean("/content/assigner")):
        return None
    # Compared as sets: the order of assignees means nothing, and a server may drop duplicates.
    if set(sent) == set(got):
        return []
    return [
        violation(
            "content.assigner-applied",
            f"content.assigner must hold the ids sent, {short(sorted(set(sent)))}, "
            f"found {short(got)}.",
            "/content/assigner",
        )
    ]


def same_issue(ctx: RuleContext) -> list[Violation] | None:
    content = ctx.content
    if content is None or not isinstance(ctx.issue_id, str) or not ctx.issue_id:
        return None
    issue_id, uuid = content.get("issueID"), content.get("uuid")
    if not isinstance(issue_id, str) and not isinstance(uuid, str):
        return None
    if ctx.flagged and not ctx.clean("/content/issueID", "/content/uuid"):
        return None
    if ctx.issue_id in (issue_id, uuid):
        return []
    return [
        violation(
            "content.same-issue",
            f"content.issueID or content.uuid must be the route's issue_id {short(ctx.issue_id)}, "
            f"found issueID {short(issue_id)} and uuid {short(uuid)}.",
            "/content/issueID",
        )
    ]


def history_order(ctx: RuleContext) -> list[Violation] | None:
    found = ctx.records
    if found is None or (ctx.flagged and not ctx.clean(_RECORDS)):
        return None
    for index in range(1, len(found)):
        before, after = found[index - 1]["time"], found[index]["time"]
        if after < before:
            return [
                violation(
                    "content.history-order",
                    f"status record {index} must not be older than record {index - 1} "
                    f"({before}), found time {after}.",
                    f"{_RECORDS}/{index}/time",
                )
            ]
    return []


def history_head(ctx: RuleContext) -> list[Violation] | None:
    content = ctx.content
    found = ctx.records
    if content is None or not found or not isinstance(content.get("issueStatus"), str):
        return None
    if ctx.flagged and not ctx.clean(_RECORDS, "/content/issueStatus"):
        return None
    last = found[-1]["status"]
    if last == content["issueStatus"]:
        return []
    return [
        violation(
            "content.history-head",
            f"the last status record must have the current status {short(content['issueStatus'])}, "
            f"found {short(last)}.",
            f"{_RECORDS}/{len(found) - 1}/status",
        )
    ]


def status_duration(ctx: RuleContext) -> list[Violation] | None:
    content = ctx.content
    found = ctx.records
    durations = None if content is None else content.get("statusDuration")
    if found is None or not isinstance(durations, dict):
        return None
    if ctx.flagged and not ctx.clean(_RECORDS, "/content/statusDuration"):
        return None
    latest: dict[str, int] = {}
    for record in found:  # oldest first: the last record of a status is its latest
        latest[record["status"]] = record["time"]
    if latest == durations:  # equal to integers: the schema reports any other type
        return []
    problems: list[Violation] = []
    for status, time in latest.items():
        where = f"/content/statusDuration/{_escape(status)}"
        if status not in durations:
            problems.append(
                violation(
                    "content.status-duration",
                    f"statusDuration must map {status} to its latest record time {time}, "
                    "found no entry.",
                    where,
                )
            )
        elif is_int(durations[status]) and durations[status] != time:
            problems.append(
                violation(
                    "content.status-duration",
                    f"statusDuration.{status} must be the time of the latest {status} record, "
                    f"{time}, found {kind(durations[status])}.",
                    where,
                )
            )
    for status in durations:
        if status not in latest:
            problems.append(
                violation(
                    "content.status-duration",
                    f"statusDuration must have no entry for {short(status)}, which has no status "
                    "record, found one.",
                    f"/content/statusDuration/{_escape(status)}",
                )
            )
    return problems


def duration(ctx: RuleContext) -> list[Violation] | None:
    content = ctx.content
    found = ctx.records
    if content is None or not found or not is_int(content.get("duration")):
        return None
    if ctx.flagged and not ctx.clean(_RECORDS, "/content/duration"):
        return None
    expected = found[-1]["time"] - found[0]["time"]
    if content["duration"] == expected:
        return []
    return [
        violation(
            "content.duration",
            f"duration must be the last record time minus the first one, {expected}, "
            f"found {short(content['duration'])}.",
            "/content/duration",
        )
    ]


def _entries(ids: Counter[str], what: str) -> str:
    """``1 entry missing for 'acnt_a'``: each id with how many entries it lacks or has too many."""
    shown = [
        f"{n} {'entry' if n == 1 else 'entries'} {what} for {short(i)}"
        for i, n in sorted(ids.items())
    ]
    return ", ".join(shown[:3]) + (f" and {len(shown) - 3} more ids" if len(shown) > 3 else "")


def assigner_info(ctx: RuleContext) -> list[Violation] | None:
    content = ctx.content
    if content is None:
        return None
    assigner, info = string_list(content.get("assigner")), content.get("assignerInfo")
    if assigner is None or not isinstance(info, list):
        return None
    if ctx.flagged and not ctx.clean("/content/assigner", "/content/assignerInfo"):
        return None
    if len(info) == len(assigner):  # the usual case: the same ids, in the same order
        for item, assignee in zip(info, assigner, strict=True):
            if not isinstance(item, dict) or item.get("uuid") != assignee:
                break
        else:
            return []
    uuids = string_list([item.get("uuid") for item in info if isinstance(item, dict)])
    if uuids is None or len(uuids) != len(info):
        return None
    # Counted, not compared as sets: one entry per id of content.assigner, with the same
    # multiplicity (an id the target kept twice has two entries; an account listed twice for
    # one id is wrong). Only the order is free (docs/contract-decisions.md).
    wanted, found = Counter(assigner), Counter(uuids)
    if wanted == found:
        return []
    parts = []
    missing, extra = wanted - found, found - wanted
    if missing:
        parts.append(_entries(missing, "missing"))
    if extra:
        parts.append(_entries(extra, "too many"))
    return [
        violation(
            "content.assigner-info",
            "assignerInfo must hold one entry per id of assigner (as many as assigner holds), "
            f"found {' and '.join(parts)}.",
            "/content/assignerInfo",
        )
    ]


def time_units(ctx: RuleContext) -> list[Violation] | None:
    content = ctx.content
    if content is None:
        return None
    extend = content.get("extend")
    first = extend.get("firstTime") if isinstance(extend, dict) else None
    created, updated = content.get("createAt"), content.get("updateAt")
    if (  # the usual case, in one go
        not ctx.flagged
        and type(first) is int
        and type(created) is int
        and type(updated) in (int, float)
        and ctx.records is not None
        and first is not None
        and updated is not None
        and first > MILLISECONDS_ABOVE
        and created <= updated < MILLISECONDS_ABOVE
        and _all_seconds(ctx.records)
    ):
        return []
    problems: list[Violation] = []
    evaluated = False
    if is_int(first) and ctx.clean("/content/extend/firstTime"):
        evaluated = True
        if first <= MILLISECONDS_ABOVE:
            problems.append(
                violation(
                    "content.time-units",
                    f"extend.firstTime must be epoch milliseconds (above {MILLISECONDS_ABOVE}), "
                    f"found {first}.",
                    "/content/extend/firstTime",
                )
            )
    found = ctx.records if ctx.clean(_RECORDS) else None
    for index, record in enumerate(found or ()):
        evaluated = True
        if record["time"] >= MILLISECONDS_ABOVE:
            problems.append(
                violation(
                    "content.time-units",
                    f"a status record time must be epoch seconds (below {MILLISECONDS_ABOVE}), "
                    f"found {record['time']}.",
                    f"{_RECORDS}/{index}/time",
                )
            )
    for name, value in (("createAt", created), ("updateAt", updated)):
        if is_number(value) and ctx.clean(f"/content/{name}"):
            evaluated = True
            if value >= MILLISECONDS_ABOVE:
                problems.append(
                    violation(
                        "content.time-units",
                        f"{name} must be epoch seconds (below {MILLISECONDS_ABOVE}), "
                        f"found {value}.",
                        f"/content/{name}",
                    )
                )
    if (
        is_int(created)
        and is_number(updated)
        and ctx.clean("/content/createAt", "/content/updateAt")
    ):
        evaluated = True
        if updated < created:
            problems.append(
                violation(
                    "content.time-units",
                    f"updateAt must not be before createAt ({created}), found {updated}.",
                    "/content/updateAt",
                )
            )
    return problems if evaluated else None


def _all_seconds(found: list[dict[str, Any]]) -> bool:
    for record in found:  # noqa: SIM110 - a loop: all(generator) costs more on this hot path
        if record["time"] >= MILLISECONDS_ABOVE:
            return False
    return True


def delete_at(ctx: RuleContext) -> list[Violation] | None:
    content = ctx.content
    if content is None or not is_int(content.get("deleteAt")):
        return None
    if content["deleteAt"] == -1:
        return []
    return [
        violation(
            "content.delete-at",
            f"deleteAt must be -1 for an issue that is not deleted, found {content['deleteAt']}.",
            "/content/deleteAt",
        )
    ]


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")
