"""Pacing (a token bucket) and rate-limit answers treated as wait-and-retry, never failures."""

from __future__ import annotations

import json
from pathlib import Path

from suite_servers import run_suite

from truewatch_contract.mock import MockState, create_app, serve
from truewatch_contract.rates import RateLimit
from truewatch_contract.suite.pacing import TokenBucket, is_rate_limited, paced_session


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_bucket_spaces_requests_at_the_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(RateLimit(20, 60.0), clock=clock, sleep=clock.sleep)
    for _ in range(4):
        bucket.acquire()
    assert clock.slept == [3.0, 3.0, 3.0]
    assert bucket.backoff(1) == 3.0 and bucket.backoff(10) == 60.0


def test_a_pair_goes_out_at_once_and_the_next_request_pays_for_both() -> None:
    """The concurrency probe's pair is in flight together, and the average rate still holds."""
    clock = FakeClock()
    bucket = TokenBucket(RateLimit(20, 60.0), clock=clock, sleep=clock.sleep)
    bucket.acquire()  # t=0
    with bucket.together(2):
        assert [bucket.acquire(), bucket.acquire()] == [0.0, 0.0]  # both at t=3
    assert clock.now == 3.0
    bucket.acquire()  # two intervals after the pair
    assert clock.now == 9.0 and clock.slept == [3.0, 6.0]
    with bucket.together(2):
        bucket.acquire()  # one of the group's slots is left unused
    bucket.acquire()
    assert clock.now == 18.0  # an unused slot is not kept for later


def test_no_rate_limit_never_waits() -> None:
    clock = FakeClock()
    bucket = TokenBucket(None, clock=clock, sleep=clock.sleep)
    assert [bucket.acquire() for _ in range(5)] == [0.0] * 5


def test_rate_limit_signal() -> None:
    assert is_rate_limited(401, {"errorCode": "ft.TriggerApiAkCurrentLimiting"})
    assert is_rate_limited(401, {"errorCode": "ft.TriggerApiWorkspaceCurrentLimiting"})
    assert not is_rate_limited(401, {"errorCode": "ft.InvalidAPIKey"})
    assert not is_rate_limited(403, {"errorCode": "ft.TriggerApiAkCurrentLimiting"})


def test_rate_limited_answers_are_retried_until_they_pass() -> None:
    state = MockState.default()
    server = serve(create_app(state, rate_limit="3/s"))
    try:
        info = state.connection_info(server.base_url)
        session = paced_session(TokenBucket(None))
        url = f"{info['base_url']}/api/v1/error_track/{info['issue_id']}/update"
        statuses = [
            session.post(
                url, json={}, headers={"DF-API-KEY": info["api_key"]}, timeout=10
            ).status_code
            for _ in range(8)
        ]
        adapter = session.get_adapter(url)
    finally:
        server.stop()
    assert statuses == [200] * 8
    assert adapter.rate_limited > 0  # the mock did answer with its rate-limit signal


def test_suite_is_green_against_a_rate_limited_target(tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    run = run_suite(
        None,
        "-k",
        "status_chain or bad_key or unknown_issue",
        env={"TRUEWATCH_RATE_LIMIT": "4/s", "TRUEWATCH_RECORD": str(record)},
        rate_limit="3/s",
    )
    assert run.returncode == 0, run.output[-3000:]
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    exchanges = [line for line in lines if line["kind"] == "exchange"]
    assert len(exchanges) >= 15
    assert not any(line["violations"] for line in exchanges)
