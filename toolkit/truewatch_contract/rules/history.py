"""
The history rules: what must hold between an earlier successful update (``previous``, its content)
and this one, given the request that was sent.
"""

from __future__ import annotations

from typing import Any

from truewatch_contract.rules.catalogue import violation
from truewatch_contract.rules.context import (
    RuleContext,
    is_number,
    records,
    string_list,
)
from truewatch_contract.violations import Violation, kind, short

_RECORDS = "/content/extend/statusChangeRecords"
_UNCHANGED = ("createAt", "id", "uuid", "issueID", "workspaceUUID")

#: How far (seconds) the time of a status change may lie from the caller's clock around the
#: request: generous, for clocks that are merely unsynchronised; a server whose clock is hours
#: off (a wrong time zone, a skewed host) writes a history no client can trust.
CLOCK_TOLERANCE_S = 300.0


def _off_the_clock(
    ctx: RuleContext, rule: str, pointer: str, value: float, what: str
) -> Violation | None:
    """A violation when `value` lies outside the caller's clock window (`requested_between`)."""
    if ctx.requested_between is None:
        return None
    sent, received = ctx.requested_between
    if sent - CLOCK_TOLERANCE_S <= value <= received + CLOCK_TOLERANCE_S:
        return None
    return violation(
        rule,
        f"{what} must be the time of the update (the caller's clock read "
        f"{sent:.0f}..{received:.0f}, ±{CLOCK_TOLERANCE_S:.0f} s), found {value} "
        f"({value - received:+.0f} s).",
        pointer,
    )


def _pair(ctx: RuleContext) -> tuple[dict[str, Any], dict[str, Any]] | None:
    if ctx.content is None or not isinstance(ctx.previous, dict):
        return None
    return ctx.previous, ctx.content


def _key(record: dict[str, Any]) -> tuple[Any, Any, Any]:
    # A record is its time, status and operator; extra fields a server adds are not compared.
    operator = record.get("operator")
    return record["time"], record["status"], operator if isinstance(operator, str) else None


def _both_records(ctx: RuleContext) -> tuple[list[dict[str, Any]], list[dict[str, Any]]] | None:
    pair = _pair(ctx)
    if pair is None:
        return None
    before, after = records(pair[0]), ctx.records
    if before is None or after is None or (ctx.flagged and not ctx.clean(_RECORDS)):
        return None
    return before, after


def append_only(ctx: RuleContext) -> list[Violation] | None:
    both = _both_records(ctx)
    if both is None:
        return None
    before, after = both
    for index, record in enumerate(before):
        if index >= len(after):
            return [
                violation(
                    "history.append-only",
                    f"the status records must keep the {len(before)} earlier ones, "
                    f"found {len(after)}.",
                    _RECORDS,
                )
            ]
        if _key(after[index]) != _key(record):
            return [
                violation(
                    "history.append-only",
                    f"status record {index} must stay {short(record)}, "
                    f"found {short(after[index])}.",
                    f"{_RECORDS}/{index}",
                )
            ]
    return []


def _sent_status(ctx: RuleContext) -> str | None:
    request = ctx.request
    if not isinstance(request, dict):
        return None
    sent = request.get("issueStatus")
    return sent if isinstance(sent, str) else None


def status_change_record(ctx: RuleContext) -> list[Violation] | None:
    both, sent = _both_records(ctx), _sent_status(ctx)
    if both is None or sent is None or ctx.content is None:
        return None
    previous, content = ctx.previous, ctx.content
    assert isinstance(previous, dict)  # _both_records checked it
    if not isinstance(previous.get("issueStatus"), str) or previous["issueStatus"] == sent:
        return None
    before, after = both
    added = len(after) - len(before)
    if added != 1:
        return [
            violation(
                "history.status-change-record",
                f"changing the status from {previous['issueStatus']} to {sent} must append exactly "
                f"one status record, found {added} more.",
                _RECORDS,
            )
        ]
    index, record = len(after) - 1, after[-1]
    where = f"{_RECORDS}/{index}"
    problems: list[Violation] = []
    if record["status"] != sent:
        problems.append(
            violation(
                "history.status-change-record",
                f"the new status record must have the status sent, {sent}, "
                f"found {short(record['status'])}.",
                f"{where}/status",
            )
        )
    updator = content.get("updator")
    if isinstance(updator, str) and record.get("operator") != updator:
        problems.append(
            violation(
                "history.status-change-record",
                f"the new status record's operator must be the acting account {short(updator)}, "
                f"found {kind(record.get('operator'))}.",
                f"{where}/operator",
            )
        )
    earliest = previous.get("updateAt")
    if is_number(earliest) and record["time"] < int(earliest):
        problems.append(
            violation(
                "history.status-change-record",
                f"the new status record's time must not be before the previous update "
                f"({int(earliest)}), found {record['time']}.",
                f"{where}/time",
            )
        )
    skewed = _off_the_clock(
        ctx,
        "history.status-change-record",
        f"{where}/time",
        record["time"],
        "the new status record's time",
    )
    if skewed is not None:
        problems.append(skewed)
    latest = content.get("updateAt")
    if is_number(latest) and record["time"] > latest + 1:
        problems.append(
            violation(
                "history.status-change-record",
                f"the new status record's time must not be after this update ({latest}), "
                f"found {record['time']}.",
                f"{where}/time",
            )
        )
    return problems


def same_status_no_record(ctx: RuleContext) -> list[Violation] | None:
    both, sent = _both_records(ctx), _sent_status(ctx)
    if both is None or sent is None or not isinstance(ctx.previous, dict):
        return None
    if ctx.previous.get("issueStatus") != sent:
        return None
    before, after = both
    if len(after) == len(before):
        return []
    return [
        violation(
            "history.same-status-no-record",
            f"setting the current status {sent} again must append no status record, "
            f"found {len(after) - len(before)} more.",
            _RECORDS,
        )
    ]


def partial_update(ctx: RuleContext) -> list[Violation] | None:
    pair = _pair(ctx)
    if pair is None or not isinstance(ctx.request, dict):
        return None
    previous, content = pair
    evaluated = False
    problems: list[Violation] = []
    if "issueStatus" not in ctx.request:
        before, after = previous.get("issueStatus"), content.get("issueStatus")
        if isinstance(before, str) and isinstance(after, str) and ctx.clean("/content/issueStatus"):
            evaluated = True
            if before != after:
                problems.append(
                    violation(
                        "history.partial-update",
                        f"issueStatus was not sent, so it must stay {before}, "
                        f"found {short(after)}.",
                        "/content/issueStatus",
                    )
                )
        both = _both_records(ctx)
        if both is not None:
            evaluated = True
            if len(both[1]) != len(both[0]):
                problems.append(
                    violation(
                        "history.partial-update",
                        "issueStatus was not sent, so no status record may be appended, "
                        f"found {len(both[1]) - len(both[0])} more.",
                        _RECORDS,
                    )
                )
    if "assigner" not in ctx.request:
        before_ids = string_list(previous.get("assigner"))
        after_ids = string_list(content.get("assigner"))
        if before_ids is not None and after_ids is not None and ctx.clean("/content/assigner"):
            evaluated = True
            if set(before_ids) != set(after_ids):
                problems.append(
                    violation(
                        "history.partial-update",
                        f"assigner was not sent, so it must stay {short(before_ids)}, "
                        f"found {short(after_ids)}.",
                        "/content/assigner",
                    )
                )
    return problems if evaluated else None


def update_time(ctx: RuleContext) -> list[Violation] | None:
    pair = _pair(ctx)
    if pair is None:
        return None
    previous, content = pair
    evaluated = False
    problems: list[Violation] = []
    before, after = previous.get("updateAt"), content.get("updateAt")
    if is_number(before) and is_number(after) and ctx.clean("/content/updateAt"):
        evaluated = True
        if after < before:
            problems.append(
                violation(
                    "history.update-time",
                    f"updateAt must not go back from the previous update's {before}, "
                    f"found {after}.",
                    "/content/updateAt",
                )
            )
        elif after != before:  # this update stamped it: it happened now
            skewed = _off_the_clock(
                ctx, "history.update-time", "/content/updateAt", after, "updateAt"
            )
            if skewed is not None:
                problems.append(skewed)
    for name in _UNCHANGED:
        old, new = previous.get(name), content.get(name)
        # Only scalars are compared: a malformed field is the schema's to report.
        if not isinstance(old, (str, int)) or not isinstance(new, (str, int)):
            continue
        if ctx.flagged and not ctx.clean(f"/content/{name}"):
            continue
        evaluated = True
        if type(old) is not type(new) or old != new:
            problems.append(
                violation(
                    "history.update-time",
                    f"{name} must not change between updates ({short(old)}), found {short(new)}.",
                    f"/content/{name}",
                )
            )
    return problems if evaluated else None
