"""
No false alarm on a correct server the suite has never seen: five servers written without the
project's code (`correct_servers`), each making its own choices where the contract leaves room,
pass the whole suite with three seeds, and are left as the suite found them.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from typing import Any

import pytest
from correct_servers import PROFILES, seed
from correct_servers.fronts import serving
from correct_servers.harness import run_suite

SEEDS = (1, 20261127, 987654321)


@pytest.mark.parametrize("seed_value", SEEDS, ids=[f"seed-{s}" for s in SEEDS])
@pytest.mark.parametrize("name", list(PROFILES))
def test_suite_passes_on_a_correct_server(name: str, seed_value: int) -> None:
    profile = PROFILES[name]
    outcome = run_suite(profile, seed_value=seed_value, max_examples=10)
    assert outcome.returncode == 0, (
        f"false alarm on the correct profile {name!r} (seed {seed_value}): "
        f"rules {sorted(outcome.broken_rules())}\n{outcome.failures()}"
    )
    assert seed.API_KEY not in outcome.output and seed.FOREIGN_API_KEY not in outcome.output
    # The suite puts the test issue back, and never touches another workspace's issue.
    initial = seed.workspaces()
    ours = initial[seed.WORKSPACE]["issues"][seed.ISSUE_ID]
    now = outcome.store.snapshot(seed.WORKSPACE, seed.ISSUE_ID)
    assert (now["issueStatus"], now["assigner"]) == (ours["issueStatus"], ours["assigner"])
    theirs = outcome.store.snapshot(seed.FOREIGN_WORKSPACE, seed.FOREIGN_ISSUE_ID)
    original = initial[seed.FOREIGN_WORKSPACE]["issues"][seed.FOREIGN_ISSUE_ID]
    assert theirs["extend"] == original["extend"] and theirs["updateAt"] == original["updateAt"]


def _records(base_url: str, issue_id: str, key: str) -> tuple[str, int]:
    answer = _post(base_url, issue_id, key, {"assigner": [seed.ASSIGNEE]})
    content = answer["content"]
    return content["issueStatus"], len(content["extend"]["statusChangeRecords"])


def _post(base_url: str, issue_id: str, key: str, body: Any) -> Any:
    request = urllib.request.Request(
        f"{base_url}/api/v1/error_track/{issue_id}/update",
        data=json.dumps(body).encode(),
        headers={"DF-API-KEY": key, "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _lost_records(base_url: str, issue_id: str, key: str, pairs: int = 3) -> int:
    """Send `pairs` pairs of simultaneous status changes; how many records went missing."""
    lost = 0
    for _ in range(pairs):
        status, before = _records(base_url, issue_id, key)
        changes = [s for s in ("Triage", "Working", "Ignored") if s != status][:2]
        barrier = threading.Barrier(len(changes))

        def change(new: str, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            _post(base_url, issue_id, key, {"issueStatus": new})

        threads = [threading.Thread(target=change, args=(new,)) for new in changes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        lost += before + len(changes) - _records(base_url, issue_id, key)[1]
    return lost


@pytest.mark.parametrize("name", list(PROFILES))
def test_a_correct_server_keeps_every_record_of_simultaneous_changes(name: str) -> None:
    profile = PROFILES[name]
    with serving(profile, profile.new_store()) as base_url:
        assert _lost_records(base_url, seed.ISSUE_ID, seed.API_KEY) == 0


def test_the_lost_update_mutant_loses_a_record_of_every_simultaneous_pair() -> None:
    """The mock's lost-update mutant: its race window is fixed, so each pair loses one record."""
    from truewatch_contract.mock import MockState, create_app, serve

    state = MockState.default()
    with serve(create_app(state, mutant="lost-update"), log_level="error") as server:
        info = state.connection_info(server.base_url)
        lost = _lost_records(server.base_url, str(info["issue_id"]), str(info["api_key"]))
    assert lost == 3
