"""Eight clients change one issue's status 100 times each at once: no record lost or reordered."""

from __future__ import annotations

import http.client
import itertools
import json
import threading
from typing import Any
from urllib.parse import urlsplit

from truewatch_contract.mock import MockState, create_app, serve
from truewatch_contract.mock.seed import PAGE_ISSUE_ID

CLIENTS = 8
CHANGES = 100
STATUSES = ("Triage", "Assigned", "Working", "Resolved", "Ignored")
T0 = 1795000000


def _state_with_client_keys() -> tuple[MockState, list[tuple[str, str]]]:
    data = MockState.default().to_dict()
    workspace = data["workspaces"][0]["uuid"]
    clients = [(f"tkn_{i + 1:032x}", f"acnt_{i + 1:032x}") for i in range(CLIENTS)]
    for key, account in clients:
        data["apiKeys"].append({"key": key, "workspace": workspace, "account": account})
    return MockState.from_dict(data), clients


def test_concurrent_status_changes_keep_every_record_in_time_order() -> None:
    state, clients = _state_with_client_keys()
    ticks = itertools.count(T0)
    ticks_lock = threading.Lock()

    def clock() -> float:
        with ticks_lock:  # a clock that moves one second per reading: every update has its own time
            return float(next(ticks))

    app = create_app(state, clock=clock)
    seed_records = state.get_issue(PAGE_ISSUE_ID)["extend"]["statusChangeRecords"]
    replies: list[tuple[str, str, int, dict[str, Any]]] = []
    replies_lock = threading.Lock()
    failures: list[str] = []
    start = threading.Barrier(CLIENTS)

    def client(index: int, key: str, account: str, base_url: str) -> None:
        parts = urlsplit(base_url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        start.wait()
        try:
            for change in range(CHANGES):
                status = STATUSES[(index + change) % len(STATUSES)]
                connection.request(
                    "POST",
                    f"/api/v1/error_track/{PAGE_ISSUE_ID}/update",
                    body=json.dumps({"issueStatus": status}),
                    headers={"DF-API-KEY": key, "Content-Type": "application/json"},
                )
                response = connection.getresponse()
                envelope = json.loads(response.read())
                with replies_lock:
                    replies.append((account, status, response.status, envelope["content"]))
        except Exception as error:  # reported by the main thread
            failures.append(repr(error))
        finally:
            connection.close()

    with serve(app) as server:
        threads = [
            threading.Thread(target=client, args=(i, key, account, server.base_url))
            for i, (key, account) in enumerate(clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    assert not failures
    assert len(replies) == CLIENTS * CHANGES
    assert all(status == 200 for _, _, status, _ in replies)

    final = state.get_issue(PAGE_ISSUE_ID)["extend"]["statusChangeRecords"]
    assert final[: len(seed_records)] == seed_records
    times = [record["time"] for record in final]
    assert times == sorted(times) and len(set(times[len(seed_records) :])) == len(times) - len(
        seed_records
    )

    appended = []
    for account, status, _, content in replies:
        records = content["extend"]["statusChangeRecords"]
        assert records == final[: len(records)]  # every answer saw a prefix of the final history
        last = records[-1]
        if last["time"] == content["updateAt"]:  # this request's own tick: it appended the record
            assert last == {"time": last["time"], "status": status, "operator": account}
            appended.append(last)
        else:  # it set the status the issue already had: no record
            assert last["status"] == status
        assert content["issueStatus"] == status
    appended.sort(key=lambda record: record["time"])
    assert appended == final[len(seed_records) :]
    for before, after in itertools.pairwise(final):
        assert before["status"] != after["status"]
