"""
The judge of one exchange: from a request as sent and its answer as received, the verdict.

- `Exchange`: the request (method, path, headers, body bytes) and the answer (status, headers,
  body bytes), and when.
- `Facts`: what the caller knows of the target's keys and issues; a fact not given is unknown.
- `Fault`, `ANSWERS`: what can be wrong with a request, and the answers the contract allows any
  target for each (docs/contract-decisions.md, "A request with several faults").
- `judge(exchange, facts, policy=..., previous=...)`: the one function that makes a `Verdict`.
- `Policy`: which broken rules fail and which are only reported.
- `Watcher`: the judge for traffic nobody planned (hooks, a proxy): it learns keys, issues and
  each issue's last state from the exchanges it sees.

Part of the light library: it imports nothing beyond what the validators need, so a plain
``pip install truewatch-contract`` can judge an exchange (no Schemathesis, Hypothesis, requests,
Starlette or pytest).
"""

from __future__ import annotations

from truewatch_contract.judge.exchange import Exchange
from truewatch_contract.judge.facts import Facts, KeyKind
from truewatch_contract.judge.faults import (
    ANSWERS,
    Answers,
    Expectation,
    Fault,
    UnknownFault,
    acceptance_rule,
    answers_for,
)
from truewatch_contract.judge.verdict import (
    RATE_LIMIT_CODES,
    Claim,
    Verdict,
    is_rate_limited,
    judge,
    limit_code,
)
from truewatch_contract.judge.watch import Watcher
from truewatch_contract.rules.policy import Policy

__all__ = [
    "ANSWERS",
    "RATE_LIMIT_CODES",
    "Answers",
    "Claim",
    "Exchange",
    "Expectation",
    "Facts",
    "Fault",
    "KeyKind",
    "Policy",
    "UnknownFault",
    "Verdict",
    "Watcher",
    "acceptance_rule",
    "answers_for",
    "is_rate_limited",
    "judge",
    "limit_code",
]
