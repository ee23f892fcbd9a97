"""
Benchmark of the request budget: mutants killed and wall time at each budget.

For each budget (20, 40, 60, 100, 200 and the full run) it runs ``truewatch-contract mutants
--budget N`` (the whole catalogue against the built-in mock) and ``truewatch-contract run
--budget N`` once on the correct mock, and prints one table row: whether the budget is refused
(with the minimum the refusal names), mutants killed of the catalogue, the survivors, the
requests the correct run sent, and the wall time of the catalogue.

Usage: ``.venv/bin/python benchmarks/bench_budget.py [--budgets 20,40,60,100,200,full] [--jobs N]``
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = [sys.executable, "-m", "truewatch_contract.cli"]
BUDGETS = ("20", "40", "60", "100", "200", "full")


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("TRUEWATCH_")}


def catalogue_run(budget: str, jobs: int | None, workdir: Path) -> dict[str, object]:
    """``mutants --budget``: killed, survivors, wall time (or the refusal)."""
    command = [*CLI, "mutants", "--budget", budget, "--report-dir", str(workdir), "-q"]
    if jobs:
        command += ["--jobs", str(jobs)]
    started = time.perf_counter()
    done = subprocess.run(command, env=_env(), capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode == 2:
        minimum = re.search(r"smallest budget that works is (\d+)", done.stderr)
        return {"refused": minimum.group(1) if minimum else done.stderr.strip()[-200:]}
    data = json.loads((workdir / "mutants.json").read_text(encoding="utf-8"))
    rows = [r for r in data["mutants"] if r.get("mutant")]
    killed = [r["name"] for r in rows if r["status"] == "killed"]
    survived = [r["name"] for r in rows if r["status"] != "killed"]
    return {"killed": len(killed), "total": len(rows), "survived": survived, "wall": wall}


def correct_run(budget: str, workdir: Path) -> dict[str, object]:
    """``run --budget`` on the correct mock: passed, and the requests its record counts."""
    command = [*CLI, "run", "--budget", budget, "--report-dir", str(workdir), "-q"]
    started = time.perf_counter()
    done = subprocess.run(command, env=_env(), capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode == 2:
        return {"refused": True}
    report = json.loads((workdir / "report.json").read_text(encoding="utf-8"))
    budget_info = report.get("budget") or {}
    spent = budget_info.get("spent")
    if spent is None:
        spent = len(report.get("exchanges", []))
    return {"passed": done.returncode == 0, "requests": spent, "wall": wall}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budgets", default=",".join(BUDGETS))
    parser.add_argument("--jobs", type=int, default=None, help="mutant runs in parallel")
    args = parser.parse_args(argv)
    header = (
        "| budget | mutants killed | survivors | correct run: requests | "
        "catalogue wall time |\n|---|---|---|---|---|"
    )
    print(header, flush=True)
    for budget in args.budgets.split(","):
        with tempfile.TemporaryDirectory(prefix="bench-budget-") as tmp:
            mutants_dir, run_dir = Path(tmp) / "m", Path(tmp) / "r"
            catalogue = catalogue_run(budget, args.jobs, mutants_dir)
            if "refused" in catalogue:
                print(
                    f"| {budget} | refused: the smallest budget that works is "
                    f"{catalogue['refused']} | | | |",
                    flush=True,
                )
                continue
            correct = correct_run(budget, run_dir)
        survivors = ", ".join(catalogue["survived"]) or "none"  # type: ignore[arg-type]
        verdict = "passed" if correct.get("passed") else "FAILED"
        print(
            f"| {budget} | {catalogue['killed']} of {catalogue['total']} | {survivors} | "
            f"{correct.get('requests')} ({verdict}) | {catalogue['wall']:.0f} s |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
