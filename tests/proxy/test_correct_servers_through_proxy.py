"""
No false alarm from the proxy in front of a correct server the project never wrote: each of the
seven correct servers (tests/suite/correct_servers) gets two kinds of traffic through it, and its
reports name no broken rule.

- The contract suite's own run (``pytest contract_tests``, few examples), pointed at the proxy
  with the server's key and issue, which the proxy is told too (as strict as the suite).
- The battery (`proxying.battery`): ordinary and faulty requests from a client that knows
  nothing of the contract, through a proxy told nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from correct_servers import PROFILES, seed
from correct_servers.fronts import serving
from proxying import Data, Proxy, Stopped, battery

SUITE = Path(__file__).resolve().parents[2] / "contract_tests"
#: Runs in flight at once (each is a server, a proxy and a client process).
WORKERS = 2


@dataclass
class Outcome:
    suite_returncode: int
    suite_output: str
    suite: Stopped
    battery: Stopped
    statuses: list[int | None]


def _run(name: str) -> Outcome:
    profile = PROFILES[name]
    with serving(profile, profile.new_store()) as base_url, tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        keyfile = folder / "key"
        keyfile.write_text(seed.API_KEY)
        told = ["--api-key-file", str(keyfile), "--issue-id", seed.ISSUE_ID]
        with Proxy(base_url, folder / "suite", told) as proxy:
            env = {
                k: v for k, v in os.environ.items() if not k.startswith(("TRUEWATCH_", "PYTEST_"))
            }
            env.update(seed.suite_environment(proxy.base_url))
            env.update(TRUEWATCH_SEED="1", TRUEWATCH_MAX_EXAMPLES="5")
            done = subprocess.run(
                [sys.executable, "-m", "pytest", str(SUITE), "-q", "-p", "no:cacheprovider"],
                env=env,
                cwd=folder,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            through_suite = proxy.stop()
        data = Data(seed.API_KEY, seed.ISSUE_ID, seed.ASSIGNEE, seed.FOREIGN_ISSUE_ID)
        with Proxy(base_url, folder / "battery") as proxy:
            statuses = battery(proxy.base_url, data)
            through_battery = proxy.stop()
    return Outcome(done.returncode, done.stdout[-3000:], through_suite, through_battery, statuses)


@pytest.fixture(scope="module")
def outcomes() -> Iterator[dict[str, Future[Outcome]]]:
    pool = ThreadPoolExecutor(max_workers=WORKERS)
    try:
        yield {name: pool.submit(_run, name) for name in PROFILES}
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@pytest.mark.parametrize("name", list(PROFILES))
def test_the_suite_through_the_proxy_breaks_nothing(
    outcomes: dict[str, Future[Outcome]], name: str
) -> None:
    outcome = outcomes[name].result()
    assert outcome.suite_returncode == 0, outcome.suite_output
    stopped = outcome.suite
    assert stopped.returncode == 0, stopped.stdout
    report = stopped.report
    assert report["verdict"] == "passed" and report["failures"] == []
    assert report["counts"]["requests"] > 100  # the suite's traffic, every exchange judged
    assert seed.API_KEY not in stopped.everything()


@pytest.mark.parametrize("name", list(PROFILES))
def test_the_battery_through_the_proxy_breaks_nothing(
    outcomes: dict[str, Future[Outcome]], name: str
) -> None:
    outcome = outcomes[name].result()
    stopped = outcome.battery
    assert stopped.returncode == 0, stopped.stdout
    report = stopped.report
    assert report["verdict"] == "passed" and report["failures"] == []
    assert report["counts"]["requests"] >= 40
    assert outcome.statuses[-4:-1] == [400, None, 431] and outcome.statuses[-1] == 200
    assert seed.API_KEY not in stopped.everything()
