"""
The broken rules of a run, most frequent first, each with a few examples a person can replay.

An exchange's violation shows that exchange; a behaviour rule (judged on a whole scenario) shows
the last request its test sent before the rule was judged, and says so. Huge bodies and curl lines
(the 1 MiB probe) are cut, so that no report grows with what the suite sent.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence, Set
from typing import Any

from truewatch_contract.record import BehaviourLine, ExchangeLine, Record
from truewatch_contract.rules import Rule
from truewatch_contract.runner.model import FailureExample, RuleFailure

EXAMPLES_PER_RULE = 5
MAX_JSON_CHARS = 6000
MAX_CURL_CHARS = 4000


def rule_failures(
    record: Record, rules: Mapping[str, Rule], *, relaxed: bool
) -> tuple[RuleFailure, ...]:
    """Broken rules (or relaxed findings), most frequent first, each with a few examples."""
    groups: dict[str, list[FailureExample]] = defaultdict(list)
    counts: Counter[str] = Counter()
    first_seen: dict[str, float] = {}
    for exchange in record.exchanges:
        found = exchange.relaxed_violations if relaxed else exchange.violations
        for violation in found:
            rule_id = violation.rule
            counts[rule_id] += 1
            first_seen.setdefault(rule_id, exchange.t)
            if len(groups[rule_id]) < EXAMPLES_PER_RULE:
                groups[rule_id].append(_example(exchange, violation.pointer, violation.message))
    shown = [b for b in record.behaviours if not b.held and b.relaxed == relaxed]
    # Only when a broken behaviour needs its context (a proxy's record has none).
    last_exchange = _last_exchange_per_test(record.exchanges, {b.test for b in shown})
    for behaviour in shown:
        counts[behaviour.rule] += 1
        first_seen.setdefault(behaviour.rule, behaviour.t)
        if len(groups[behaviour.rule]) < EXAMPLES_PER_RULE:
            groups[behaviour.rule].append(
                _behaviour_example(behaviour, last_exchange(behaviour.test, behaviour.t))
            )
    result = []
    for rule_id in sorted(counts, key=lambda r: (-counts[r], first_seen[r])):
        info = rules.get(rule_id)
        result.append(
            RuleFailure(
                rule=rule_id,
                tag=info.tag if info else "unknown",
                statement=info.statement if info else "",
                count=counts[rule_id],
                first_at_s=round(first_seen[rule_id], 3),
                examples=tuple(groups[rule_id]),
            )
        )
    return tuple(result)


def _example(exchange: ExchangeLine, pointer: str, message: str) -> FailureExample:
    return FailureExample(
        test=exchange.test,
        phase=exchange.phase,
        t=round(exchange.t, 3),
        pointer=pointer,
        message=message,
        request=_bounded(exchange.request.to_json()),
        response=_bounded(exchange.response.to_json()) if exchange.response else None,
        error=exchange.error,
        curl=_cut(exchange.curl, MAX_CURL_CHARS),
    )


def _behaviour_example(behaviour: BehaviourLine, exchange: ExchangeLine | None) -> FailureExample:
    shown = _example(exchange, "", behaviour.message) if exchange is not None else None
    return FailureExample(
        test=behaviour.test,
        phase=exchange.phase if exchange else "scenario",
        t=round(behaviour.t, 3),
        pointer="",
        message=behaviour.message,
        request=shown.request if shown else None,
        response=shown.response if shown else None,
        error=exchange.error if exchange else None,
        curl=shown.curl if shown else "",
        behaviour=True,
        context="the last request of this test before the rule was judged" if exchange else None,
    )


def _last_exchange_per_test(
    exchanges: Sequence[ExchangeLine], tests: Set[str]
) -> Callable[[str, float], ExchangeLine | None]:
    """The last exchange of a test (one of `tests`) sent by a time."""
    by_test: dict[str, list[ExchangeLine]] = defaultdict(list)
    if tests:
        for exchange in exchanges:
            if exchange.test in tests:
                by_test[exchange.test].append(exchange)

    def find(test: str, t: float) -> ExchangeLine | None:
        candidates = [e for e in by_test.get(test, ()) if e.t <= t + 1e-6]
        return candidates[-1] if candidates else None

    return find


def _bounded(value: Any) -> Any:
    """Keep huge bodies (the 1 MiB probe) out of the reports: a preview instead."""
    if value is None:
        return None
    text = json.dumps(value, ensure_ascii=False, default=str)
    if len(text) <= MAX_JSON_CHARS:
        return value
    if isinstance(value, Mapping):
        return {k: _bounded(v) for k, v in value.items()}
    return {"[truncated]": f"{len(text)} characters", "preview": text[:1000]}


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f" ... [{len(text) - limit} more characters]"
