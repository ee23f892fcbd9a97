"""
How fast the validators are, as ratios measured side by side in one run.

- payloads per second of ``validate_response`` on the page's example response (valid) and on a
  response with five faults (full report), for each engine, each as a ratio to ``json.loads`` of
  the same bytes;
- a cold ``truewatch-contract validate response FILE`` (process start to exit) against a bare
  ``python -c "import jsonschema"``, both run ~10 times, interleaved, medians compared.

Goals: valid response <= 3x json.loads with jsonschema-rs and <= 40x with jsonschema alone; the
invalid response's full report <= 10x with jsonschema-rs; the cold CLI <= 2x importing jsonschema.

Run: ``.venv/bin/python benchmarks/bench_validate.py [--quick]``
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

from truewatch_contract import validate_response
from truewatch_contract.schema_engine import ENGINES, resolve_engine
from truewatch_contract.spec import spec_document as document


def example() -> dict[str, Any]:
    value = document()["components"]["examples"]["UpdateIssueSuccess"]["value"]
    return copy.deepcopy(value)


def five_faults() -> dict[str, Any]:
    """The example with five independent faults: five violations, one per fault."""
    payload = example()
    content = payload["content"]
    content["issueStatus"] = "level"  # content.schema: not an allowed status
    content["extend"]["firstTime"] = "1770102900086"  # content.schema: not an integer
    content["duration"] = 1  # content.duration
    content["deleteAt"] = 0  # content.delete-at
    payload["traceId"] = ""  # envelope.trace-id
    return payload


def side_by_side(
    first: Callable[[], object], second: Callable[[], object], budget: float
) -> tuple[float, float]:
    """
    Seconds per call of two functions, sampled alternately: the best of many short samples
    (about 1 ms each) within ``budget`` seconds.

    Alternating short samples: on a shared machine both functions see the same load, and the best
    short sample is the truest figure of what a call itself costs.
    """
    timers = (timeit.Timer(first), timeit.Timer(second))
    numbers = []
    for timer in timers:
        single = timer.timeit(number=20) / 20
        numbers.append(max(1, int(0.001 / max(single, 1e-9))))
    best = [float("inf"), float("inf")]
    deadline = time.perf_counter() + budget
    rounds = 0
    while rounds < 10 or time.perf_counter() < deadline:
        rounds += 1
        for index, timer in enumerate(timers):
            best[index] = min(best[index], timer.timeit(number=numbers[index]) / numbers[index])
    return best[0], best[1]


def throughput(budget: float) -> list[dict[str, Any]]:
    rows = []
    for name, payload in (("valid response", example()), ("five faults", five_faults())):
        data = json.dumps(payload).encode()
        for engine in ENGINES:
            try:
                resolve_engine(engine)
            except ValueError:
                print(f"  ({engine} is not installed: skipped)")
                continue
            parsed = json.loads(data)
            found = validate_response(parsed, status_code=200, engine=engine)  # warm: compile
            loads, check = side_by_side(
                lambda data=data: json.loads(data),
                lambda parsed=parsed, engine=engine: validate_response(
                    parsed, status_code=200, engine=engine
                ),
                budget,
            )
            rows.append(
                {
                    "payload": name,
                    "engine": engine,
                    "violations": len(found),
                    "loads_per_s": 1 / loads,
                    "validate_per_s": 1 / check,
                    "ratio": check / loads,
                }
            )
    return rows


def _median_seconds(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cold_start(runs: int) -> dict[str, float]:
    cli = shutil.which("truewatch-contract", path=str(Path(sys.executable).parent))
    command_prefix = [cli] if cli else [sys.executable, "-m", "truewatch_contract.cli"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "response.json"
        path.write_text(json.dumps(example()), encoding="utf-8")
        validate = [*command_prefix, "validate", "response", str(path)]
        baseline = [sys.executable, "-c", "import jsonschema"]
        check = subprocess.run(validate, capture_output=True, check=False)
        if check.returncode != 0:
            raise SystemExit(f"the CLI failed: {check.stderr.decode(errors='replace')}")
        cli_times, base_times = [], []
        for _ in range(runs):  # interleaved, so both see the same machine load
            cli_times.append(_median_seconds(validate, 1))
            base_times.append(_median_seconds(baseline, 1))
    return {
        "cli_s": statistics.median(cli_times),
        "import_jsonschema_s": statistics.median(base_times),
        "ratio": statistics.median(cli_times) / statistics.median(base_times),
    }


GOALS = {
    ("valid response", "jsonschema-rs"): 3.0,
    ("valid response", "jsonschema"): 40.0,
    ("five faults", "jsonschema-rs"): 10.0,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (noisier)")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args()
    budget, runs = (1.0, 5) if args.quick else (4.0, 11)

    rows = throughput(budget)
    print(
        f"{'payload':<16}{'engine':<15}{'violations':>10}{'loads/s':>11}{'validate/s':>12}"
        f"{'ratio':>8}  goal"
    )
    for row in rows:
        goal = GOALS.get((row["payload"], row["engine"]))
        verdict = (
            "" if goal is None else f"<= {goal:g}x {'met' if row['ratio'] <= goal else 'MISSED'}"
        )
        print(
            f"{row['payload']:<16}{row['engine']:<15}{row['violations']:>10}"
            f"{row['loads_per_s']:>11.0f}{row['validate_per_s']:>12.0f}"
            f"{row['ratio']:>7.2f}x  {verdict}"
        )
    cold = cold_start(runs)
    verdict = "met" if cold["ratio"] <= 2.0 else "MISSED"
    print(
        f"\ncold 'truewatch-contract validate response FILE': {cold['cli_s'] * 1000:.0f} ms; "
        f"'python -c \"import jsonschema\"': {cold['import_jsonschema_s'] * 1000:.0f} ms; "
        f"ratio {cold['ratio']:.2f}x (goal <= 2x: {verdict}; medians of {runs})"
    )
    if args.json:
        print(json.dumps({"throughput": rows, "cold_start": cold}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
