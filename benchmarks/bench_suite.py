"""
Benchmark of the contract suite against the built-in mock, measured side by side in one run.

1. The default suite run (``pytest contract_tests``, the README's CI command): judged requests,
   wall time, requests per second (goal: at least 1,000 in under 60 s).
2. The overhead of the suite's own checks (``truewatch_contract.checks``) over plain ``st run``:
   the same spec, seed and number of cases against the same mock, with and without
   ``SCHEMATHESIS_HOOKS=truewatch_contract.checks``, alternated over several rounds (median).
   Goal: at most 15 %.

Usage: ``.venv/bin/python benchmarks/bench_suite.py [--rounds 3] [--examples 300]``
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT / "contract_tests"
ST = Path(sys.executable).with_name("st")


def _clean_env() -> dict[str, str]:
    return {
        k: v for k, v in os.environ.items() if not k.startswith(("TRUEWATCH_", "SCHEMATHESIS_"))
    }


def suite_run(workdir: Path) -> tuple[int, float, bool]:
    """Run the default suite once; return (judged requests, seconds, passed)."""
    record = workdir / "record.jsonl"
    env = {**_clean_env(), "TRUEWATCH_RECORD": str(record)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(SUITE), "-q", "-p", "no:cacheprovider"],
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    lines = record.read_text().splitlines() if record.exists() else []
    count = sum(1 for line in lines if json.loads(line)["kind"] == "exchange")
    return count, elapsed, done.returncode == 0


def judge_cost(record: Path) -> float:
    """Seconds per `judge()` call, replaying the record's exchanges (the key put back in)."""
    from truewatch_contract.judge import Exchange, Facts, Policy, judge
    from truewatch_contract.mock.connection import default_connection

    info = default_connection()
    facts = Facts(
        api_key=info["api_key"],
        issue_ids=frozenset({info["issue_id"]}),
        foreign_issue_id=info["foreign_issue_id"],
    )
    policy = Policy.strict()
    exchanges = []
    for line in record.read_text().splitlines():
        item = json.loads(line)
        if item["kind"] != "exchange" or item["response"] is None:
            continue
        request, response = item["request"], item["response"]
        headers = dict(request["headers"])
        if "DF-API-KEY" in headers:
            headers["DF-API-KEY"] = info["api_key"]
        sent = request["body_text"] if request["body"] is None else json.dumps(request["body"])
        got = response["text"] if response["body"] is None else json.dumps(response["body"])
        exchanges.append(
            Exchange(
                method=request["method"],
                path=request["path"],
                base_url="http://127.0.0.1",
                request_headers=headers,
                request_body=(sent or "").encode(),
                status=response["status"],
                response_headers=response["headers"],
                response_body=(got or "").encode(),
            )
        )
    judge(exchanges[0], facts, policy=policy)  # warm the caches (spec, compiled schemas)
    started = time.perf_counter()
    for _ in range(3):
        for exchange in exchanges:
            judge(exchange, facts, policy=policy)
    return (time.perf_counter() - started) / (3 * len(exchanges))


def st_run(
    base_url: str, key: str, issue: str, examples: int, seed: int, hooks: bool
) -> tuple[float, float, int]:
    """One ``st run``; return (wall seconds, CPU seconds of the st process, generated cases)."""
    env = _clean_env()
    if hooks:
        env.update(
            {
                "SCHEMATHESIS_HOOKS": "truewatch_contract.checks",
                "TRUEWATCH_API_KEY": key,
                "TRUEWATCH_ISSUE_ID": issue,
            }
        )
    command = [
        str(ST),
        "run",
        str(ROOT / "openapi" / "error-track.openapi.yaml"),
        "--url",
        base_url,
        "-H",
        f"DF-API-KEY: {key}",
        "-n",
        str(examples),
        "--seed",
        str(seed),
        "--generation-database",
        "none",
        "--phases",
        "examples,coverage,fuzzing",
        "--continue-on-failure",
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    match = re.search(r"(\d+) generated", done.stdout)
    return elapsed, cpu, int(match.group(1)) if match else -1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--examples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20261127)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "toolkit"))
    from truewatch_contract.mock import MockState, create_app, serve

    with tempfile.TemporaryDirectory() as tmp:
        count, seconds, passed = suite_run(Path(tmp))
        per_judge = judge_cost(Path(tmp) / "record.jsonl")
    print("1. default suite run against the built-in mock (pytest contract_tests)")
    print(
        f"   judged requests: {count}, wall time: {seconds:.1f} s, "
        f"{count / seconds:.0f} requests/s,"
    )
    print(f"   green: {passed}; goal >= 1000 requests under 60 s: {count >= 1000 and seconds < 60}")
    print(
        f"   the suite's judgement of one exchange (library rules + behaviour rules), re-run in "
        f"process over the record: {1000 * per_judge:.2f} ms, "
        f"{100 * per_judge * count / seconds:.1f} % of the run's wall time"
    )

    wall: dict[bool, list[float]] = {False: [], True: []}
    cpu: dict[bool, list[float]] = {False: [], True: []}
    cases: set[tuple[bool, int]] = set()
    for _ in range(args.rounds):
        for hooks in (False, True):
            state = MockState.default()
            server = serve(create_app(state), log_level="error")
            try:
                info = state.connection_info(server.base_url)
                elapsed, spent, generated = st_run(
                    info["base_url"],
                    info["api_key"],
                    info["issue_id"],
                    args.examples,
                    args.seed,
                    hooks,
                )
            finally:
                server.stop()
            wall[hooks].append(elapsed)
            cpu[hooks].append(spent)
            cases.add((hooks, generated))
    print(f"2. st run, {args.examples} examples, seed {args.seed}, median of {args.rounds} rounds")
    print(f"   generated cases (with checks?, count): {sorted(cases)}")
    for name, numbers in (("wall time", wall), ("CPU time of st", cpu)):
        a, b = statistics.median(numbers[False]), statistics.median(numbers[True])
        print(
            f"   {name}: plain {a:.2f} s, with truewatch_contract.checks {b:.2f} s: "
            f"overhead {100 * (b - a) / a:+.1f} % (goal <= 15 %)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
