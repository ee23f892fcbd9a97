"""
Run the contract suite against a correct server, as a team would run it against staging: a
subprocess with ``TRUEWATCH_*`` variables and a record, the server on a loopback port here.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from correct_servers import seed
from correct_servers.domain import Store
from correct_servers.fronts import serving
from correct_servers.profiles import Profile

SUITE_DIR = Path(__file__).resolve().parents[3] / "contract_tests"


@dataclass
class Outcome:
    """One run of the suite: its exit code, its output, the record, and the server's store."""

    returncode: int
    output: str
    record: list[dict[str, Any]]
    store: Store

    def broken_rules(self) -> set[str]:
        """The rule ids the run failed on (from the output and from the record)."""
        found: set[str] = set()
        for match in re.finditer(r"the contract is broken: ([a-z.\-, ]+)", self.output):
            found.update(p.strip() for p in match.group(1).split(",") if p.strip())
        for line in self.record:
            for item in line.get("violations") or []:
                if isinstance(item, dict) and not item.get("relaxed"):
                    found.add(str(item.get("rule")))
            failed = line.get("kind") == "behaviour" and line.get("held") is False
            if failed and not line.get("relaxed"):
                found.add(str(line.get("rule")))
        return found

    def failures(self) -> str:
        """The failing tests' summary lines, for an assertion message."""
        lines = [ln for ln in self.output.splitlines() if ln.startswith(("FAILED", "ERROR"))]
        return "\n".join(lines[:40]) or self.output[-3000:]


def run_suite(profile: Profile, *, seed_value: int, max_examples: int = 10) -> Outcome:
    """Serve `profile` and run the whole contract suite against it in a subprocess."""
    store = profile.new_store()
    with serving(profile, store) as base_url, tempfile.TemporaryDirectory() as folder:
        record = Path(folder) / "record.jsonl"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TRUEWATCH_", "PYTEST_"))}
        env.update(seed.suite_environment(base_url))
        env.update(
            TRUEWATCH_SEED=str(seed_value),
            TRUEWATCH_MAX_EXAMPLES=str(max_examples),
            TRUEWATCH_RECORD=str(record),
        )
        command = [sys.executable, "-m", "pytest", str(SUITE_DIR), "-q", "-p", "no:cacheprovider"]
        done = subprocess.run(
            [*command, "--tb=short"],
            env=env,
            cwd=folder,  # the suite needs no configuration file of the repository
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        lines = []
        if record.exists():
            for text in record.read_text(encoding="utf-8").splitlines():
                try:
                    lines.append(json.loads(text))
                except ValueError:
                    continue
        return Outcome(done.returncode, done.stdout + done.stderr, lines, store)
