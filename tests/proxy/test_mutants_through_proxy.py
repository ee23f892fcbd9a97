"""
The proxy in front of the mock's mutants: an application's ordinary updates, passed through it,
are enough for its reports to name the rule each mutant breaks; in front of the plain mock the
same traffic, and the battery of faulty requests, break nothing.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from proxying import Data, Proxy, Stopped, battery, ordinary_updates

from truewatch_contract.mock import MockState, create_app, serve

#: The mutants an application's ordinary updates reveal (as for the request hooks), and the rule
#: each breaks.
MUTANTS = {
    "code-always-200": "envelope.code-matches-status",
    "status-not-applied": "content.status-applied",
    "history-duplicate-record": "history.status-change-record",
    "assigner-not-applied": "content.assigner-applied",
    "message-ok-on-success": "envelope.message-empty-on-success",
    "traceid-empty": "envelope.trace-id",
    "deleteat-zero": "content.delete-at",
}
PLAIN = "plain mock"


def _through_proxy(mutant: str) -> tuple[Stopped, list[int | None]]:
    state = MockState.default()
    app = create_app(state, mutant=None if mutant == PLAIN else mutant)
    with serve(app, log_level="error") as server, tempfile.TemporaryDirectory() as folder:
        info = state.connection_info(server.base_url)
        issue = str(info["issue_id"])
        assigned = state.get_issue(issue)["assigner"]
        data = Data(
            str(info["api_key"]),
            issue,
            next(str(a) for a in info["assignees"] if a not in assigned),
            str(info["foreign_issue_id"]),
        )
        with Proxy(server.base_url, Path(folder)) as proxy:
            statuses: list[int | None] = list(ordinary_updates(proxy.base_url, data))
            if mutant == PLAIN:
                statuses += battery(proxy.base_url, data)
            stopped = proxy.stop()
        return stopped, statuses


@pytest.fixture(scope="module")
def runs() -> Iterator[dict[str, Future[tuple[Stopped, list[int | None]]]]]:
    """Every run of the module, two at a time."""
    pool = ThreadPoolExecutor(max_workers=2)
    try:
        yield {name: pool.submit(_through_proxy, name) for name in [PLAIN, *MUTANTS]}
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@pytest.mark.parametrize("mutant", list(MUTANTS))
def test_the_proxy_names_the_rule_the_mutant_breaks(
    runs: dict[str, Future[tuple[Stopped, list[int | None]]]], mutant: str
) -> None:
    stopped, _ = runs[mutant].result()
    assert stopped.returncode == 1, stopped.stdout
    report = stopped.report
    assert report["verdict"] == "failed"
    assert MUTANTS[mutant] in {failure["rule"] for failure in report["failures"]}
    assert f"broken {MUTANTS[mutant]}" in stopped.stdout


def test_in_front_of_the_plain_mock_nothing_breaks(
    runs: dict[str, Future[tuple[Stopped, list[int | None]]]],
) -> None:
    stopped, statuses = runs[PLAIN].result()
    report = stopped.report
    assert stopped.returncode == 0, stopped.stdout
    assert report["verdict"] == "passed" and report["failures"] == []
    assert statuses[:5] == [200, 200, 400, 404, 200] and statuses[-1] == 200
    # The garbage was answered by the proxy, or its connection simply ended.
    assert statuses[-4:-1] == [400, None, 431]
