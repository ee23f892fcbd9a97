"""
No false alarm on a correct server the suite has never seen: seven servers written without the
project's code (`correct_servers`), each making its own choices where the contract leaves room,
pass the whole suite with three seeds, and are left as the suite found them.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from correct_servers import PROFILES, seed
from correct_servers.fronts import serving
from correct_servers.harness import Outcome, run_suite

SEEDS = (1, 20261127, 987654321)
#: Suite runs in flight at once: each is a subprocess, mostly start-up, so two overlap well.
WORKERS = 2


@pytest.fixture(scope="module")
def outcomes(request: pytest.FixtureRequest) -> Iterator[dict[tuple[str, int], Future[Outcome]]]:
    """The suite's runs for every (profile, seed) this session selected, two at a time."""
    selected = [
        (item.callspec.params["name"], item.callspec.params["seed_value"])
        for item in request.session.items
        if isinstance(item, pytest.Function)
        and item.originalname == "test_suite_passes_on_a_correct_server"
    ]
    pool = ThreadPoolExecutor(max_workers=WORKERS)
    try:
        yield {
            case: pool.submit(run_suite, PROFILES[case[0]], seed_value=case[1], max_examples=10)
            for case in selected
        }
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # after -x, no run still to start


@pytest.mark.parametrize("seed_value", SEEDS, ids=[f"seed-{s}" for s in SEEDS])
@pytest.mark.parametrize("name", list(PROFILES))
def test_suite_passes_on_a_correct_server(
    name: str, seed_value: int, outcomes: dict[tuple[str, int], Future[Outcome]]
) -> None:
    outcome = outcomes[(name, seed_value)].result()
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

    # A target that rejects `{}` and appends a record for the same status again leaves no
    # request free of side effects: the suite says which proofs it could not make.
    unproven = [line for line in outcome.record if line.get("kind") == "unproven"]
    profile = PROFILES[name]
    if profile.reject_empty and profile.same_status_appends:
        assert unproven, f"{name}: the suite claimed proofs it cannot make on this target"
        assert all("not provable" in str(line["message"]) for line in unproven)
    else:
        assert not unproven, unproven[:3]


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
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:  # an error envelope, e.g. a 409 for a lost race
        with error:
            return json.loads(error.read())


def _lost_records(base_url: str, issue_id: str, key: str, pairs: int = 3) -> int:
    """
    Send `pairs` pairs of simultaneous status changes; how many records of accepted changes
    went missing (a change refused with an error envelope must leave none).
    """
    lost = 0
    for _ in range(pairs):
        status, before = _records(base_url, issue_id, key)
        changes = [s for s in ("Triage", "Working", "Ignored") if s != status][:2]
        barrier = threading.Barrier(len(changes))
        accepted: list[bool] = []

        def change(
            new: str, barrier: threading.Barrier = barrier, accepted: list[bool] = accepted
        ) -> None:
            barrier.wait()
            answer = _post(base_url, issue_id, key, {"issueStatus": new})
            accepted.append(answer["success"] is True)

        threads = [threading.Thread(target=change, args=(new,)) for new in changes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert any(accepted), "neither change of the pair was accepted"
        lost += before + sum(accepted) - _records(base_url, issue_id, key)[1]
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


def test_the_optimistic_server_answers_the_loser_of_a_race_409() -> None:
    """The optimistic profile really races: of two changes at once, one gets a 409 envelope."""
    profile = PROFILES["optimistic"]
    with serving(profile, profile.new_store()) as base_url:
        barrier = threading.Barrier(2)
        answers: list[Any] = []

        def change(new: str) -> None:
            barrier.wait()
            answers.append(_post(base_url, seed.ISSUE_ID, seed.API_KEY, {"issueStatus": new}))

        threads = [threading.Thread(target=change, args=(s,)) for s in ("Working", "Ignored")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(a["code"] for a in answers) == [200, 409]
    assert [a["success"] for a in answers if a["code"] == 409] == [False]
