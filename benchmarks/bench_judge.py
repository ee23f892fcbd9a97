"""
The cost of a verdict: judging one exchange, as a ratio to one ``evaluate_response`` of the same
response with the same engine, measured side by side in one run.

Three exchanges, each answered by the built-in mock's own service (no sockets):

- ``valid 200``: a status change of the test issue, answered 200 with the issue (judged with the
  issue's previous content, so the history rules run too);
- ``schema 400``: a body against the schema (``issueStatus: "level"``), answered 400;
- ``two faults``: the same body with a wrong key, answered 403.

For each, the judge gets the exchange as bytes on the wire (it parses both bodies, finds the
request's faults, validates the request once and the response once) and ``evaluate_response`` gets
the same response bytes and the same context (status, Content-Type, request, issue, previous).

Goal: judging costs at most 1.3x one ``evaluate_response`` with the fast engine (jsonschema-rs).

Run: ``.venv/bin/python benchmarks/bench_judge.py [--budget SECONDS] [--json FILE]``. It measures
whichever judge the checkout has: the library's ``truewatch_contract.judge`` or, in an older
checkout, the suite engine's ``truewatch_contract.suite.judge``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import timeit
from collections.abc import Callable
from typing import Any

from truewatch_contract import evaluate_response
from truewatch_contract.mock import MockState
from truewatch_contract.mock.service import IncomingRequest, Service
from truewatch_contract.schema_engine import ENGINES, resolve_engine

GOAL = 1.3
BASE = "http://127.0.0.1:8000"
WRONG_KEY = "tkn_0123456789abcdef0123456789abcdef"


def _answer(service: Service, key: str, issue: str, body: bytes) -> tuple[int, bytes]:
    request = IncomingRequest("POST", issue)
    request.api_keys.append(key)
    request.content_types.append("application/json")
    request.body = body
    answer = service.handle(request)
    return answer.status, answer.body


def cases() -> list[dict[str, Any]]:
    """The three exchanges, with the mock's real answers and the issue's previous content."""
    state = MockState.default()
    info = state.connection_info(BASE)
    service = Service(state, clock=time.time)
    key, issue = str(info["api_key"]), str(info["issue_id"])
    _, before = _answer(service, key, issue, b"{}")
    previous = json.loads(before)["content"]
    found = []
    for name, use_key, body in (
        ("valid 200", key, b'{"issueStatus":"Working"}'),
        ("schema 400", key, b'{"issueStatus":"level"}'),
        ("two faults", WRONG_KEY, b'{"issueStatus":"level"}'),
    ):
        status, answer = _answer(service, use_key, issue, body)
        found.append(
            {
                "name": name,
                "key": use_key,
                "issue": issue,
                "body": body,
                "status": status,
                "answer": answer,
                "previous": previous if status == 200 else None,
                "info": info,
            }
        )
    return found


def _headers(case: dict[str, Any]) -> dict[str, str]:
    return {"Content-Type": "application/json", "DF-API-KEY": case["key"]}


_RESPONSE_HEADERS = {"content-type": "application/json"}


def judge_call(case: dict[str, Any], engine: str) -> tuple[str, Callable[[], object]]:
    """A callable that judges the case from its bytes, with the checkout's judge."""
    info = case["info"]
    path = f"/api/v1/error_track/{case['issue']}/update"
    try:
        from truewatch_contract import judge as library
    except ImportError:
        library = None
    if library is not None and hasattr(library, "judge"):
        facts = library.Facts(
            api_key=str(info["api_key"]),
            issue_ids=frozenset({case["issue"]}),
            foreign_api_key=str(info["foreign_api_key"]),
            foreign_issue_id=str(info["foreign_issue_id"]),
            builtin_mock=True,
        )
        policy = library.Policy.strict()

        exchange = library.Exchange(
            method="POST",
            path=path,
            request_headers=_headers(case),
            request_body=case["body"],
            status=case["status"],
            response_headers=_RESPONSE_HEADERS,
            response_body=case["answer"],
        )
        state = vars(exchange)
        fields = set(state)

        def new() -> object:
            # The caller hands the judge an exchange it already has; what the exchange parses
            # for itself (cached on the instance) is dropped, so every call parses again.
            for cached in set(state) - fields:
                del state[cached]
            return library.judge(
                exchange, facts, policy=policy, previous=case["previous"], engine=engine
            )

        return "truewatch_contract.judge", new
    # An older checkout: the judge of the suite engine (7f95bda), which has no engine option:
    # it uses TRUEWATCH_ENGINE, set by main() before anything is imported.
    from truewatch_contract.suite.exchange import Exchange
    from truewatch_contract.suite.faults import Policy
    from truewatch_contract.suite.judge import judge

    policy = Policy(
        api_key=str(info["api_key"]),
        issue_ids=frozenset({case["issue"]}),
        foreign_api_key=str(info["foreign_api_key"]),
        foreign_issue_id=str(info["foreign_issue_id"]),
        relaxed=frozenset(),
        builtin_mock=True,
    )

    def old() -> object:
        exchange = Exchange(
            method="POST",
            url=BASE + path,
            request_headers=_headers(case),
            request_body=case["body"],
            status=case["status"],
            response_headers=_RESPONSE_HEADERS,
            response_body=case["answer"],
        )
        return judge(exchange, policy, previous=case["previous"])

    return "truewatch_contract.suite.judge", old


def evaluate_call(case: dict[str, Any], engine: str) -> Callable[[], object]:
    request = json.loads(case["body"]) if case["status"] == 200 else None

    def evaluate() -> object:
        return evaluate_response(
            case["answer"],
            status_code=case["status"],
            request=request,
            issue_id=case["issue"] if case["status"] == 200 else None,
            previous=case["previous"],
            content_type="application/json",
            include_assumed=True,
            engine=engine,  # type: ignore[arg-type]
        )

    return evaluate


def side_by_side(
    first: Callable[[], object], second: Callable[[], object], budget: float
) -> tuple[float, float]:
    """Seconds per call of two functions, sampled alternately; the best short sample of each."""
    timers = (timeit.Timer(first), timeit.Timer(second))
    numbers = []
    for timer in timers:
        single = timer.timeit(number=20) / 20
        numbers.append(max(1, int(0.002 / max(single, 1e-9))))
    best = [float("inf"), float("inf")]
    deadline = time.perf_counter() + budget
    rounds = 0
    while rounds < 10 or time.perf_counter() < deadline:
        rounds += 1
        for index, timer in enumerate(timers):
            best[index] = min(best[index], timer.timeit(number=numbers[index]) / numbers[index])
    return best[0], best[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget", type=float, default=3.0, help="seconds per measurement")
    parser.add_argument("--engine", choices=ENGINES, action="append", help="default: every one")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    rows = []
    for engine in args.engine or ENGINES:
        try:
            resolve_engine(engine)
        except ValueError:
            print(f"({engine} is not installed: skipped)")
            continue
        # An older judge takes its engine from the environment (read on every call).
        os.environ["TRUEWATCH_ENGINE"] = engine
        for case in cases():
            name, judged = judge_call(case, engine)
            evaluated = evaluate_call(case, engine)
            judged()  # warm: compile the schemas
            evaluated()
            judge_s, evaluate_s = side_by_side(judged, evaluated, args.budget)
            rows.append(
                {
                    "engine": engine,
                    "exchange": case["name"],
                    "status": case["status"],
                    "judge": name,
                    "judge_us": judge_s * 1e6,
                    "evaluate_us": evaluate_s * 1e6,
                    "ratio": judge_s / evaluate_s,
                }
            )
    print(f"{'engine':13} {'exchange':11} {'judge us':>9} {'evaluate us':>12} {'ratio':>6}")
    for row in rows:
        print(
            f"{row['engine']:13} {row['exchange']:11} {row['judge_us']:9.1f} "
            f"{row['evaluate_us']:12.1f} {row['ratio']:6.2f}x"
        )
    fast = [row for row in rows if row["engine"] == "jsonschema-rs"]
    if rows:
        print(f"judge: {rows[0]['judge']}")
    if fast:
        worst = max(row["ratio"] for row in fast)
        verdict = "met" if worst <= GOAL else "NOT met"
        print(f"goal: at most {GOAL}x with jsonschema-rs; worst {worst:.2f}x: {verdict}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(rows, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
