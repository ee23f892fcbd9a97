"""
Which Python function implements which catalogued rule: one explicit table.

The schema half of the rules is marked in the spec (``x-rule``); the cross-field rules are the
functions below. Adding one: a catalogue entry in the spec's ``x-contract-rules``, a function in
the module of its scope (it takes a `RuleContext` and returns None when the rule does not apply,
else its violations), and one line here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from truewatch_contract.rules import content, envelope, history
from truewatch_contract.rules.context import RuleContext
from truewatch_contract.violations import Violation

#: A Python rule: None when it does not apply or cannot be evaluated (e.g. a field already fails
#: the schema), else its violations (empty: the rule held).
Check = Callable[[RuleContext], "list[Violation] | None"]

PYTHON_RULES: Mapping[str, Check] = MappingProxyType(
    {
        # envelope: every response of the API
        "envelope.json": envelope.json_object,
        "envelope.code-matches-status": envelope.code_matches_status,
        "envelope.success-matches-code": envelope.success_matches_code,
        "envelope.error-code-matches-success": envelope.error_code_matches_success,
        "envelope.message-empty-on-success": envelope.message_empty_on_success,
        "envelope.no-content-on-error": envelope.no_content_on_error,
        "envelope.no-internal-detail": envelope.no_internal_detail,
        # content: a successful update
        "content.status-applied": content.status_applied,
        "content.assigner-applied": content.assigner_applied,
        "content.same-issue": content.same_issue,
        "content.history-order": content.history_order,
        "content.history-head": content.history_head,
        "content.status-duration": content.status_duration,
        "content.duration": content.duration,
        "content.assigner-info": content.assigner_info,
        "content.time-units": content.time_units,
        "content.delete-at": content.delete_at,
        # history: this success against an earlier one
        "history.append-only": history.append_only,
        "history.status-change-record": history.status_change_record,
        "history.same-status-no-record": history.same_status_no_record,
        "history.partial-update": history.partial_update,
        "history.update-time": history.update_time,
    }
)
