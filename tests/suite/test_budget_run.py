"""
The contract suite run to a request budget, in a subprocess against a served mock (as a team runs
it against staging): the cap holds, the pace holds, and a budget too small sends nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from suite_servers import run_suite

from truewatch_contract.suite.plan import RETRY_RESERVE


def _record(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _budget_line(lines: list[dict[str, Any]]) -> dict[str, Any]:
    found = [line for line in lines if line["kind"] == "budget"]
    assert len(found) == 1
    return found[0]


def test_pytest_directly_honours_the_budget(tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    env = {"TRUEWATCH_BUDGET": "64", "TRUEWATCH_RECORD": str(record)}
    run = run_suite(None, "-rs", env=env)
    assert run.returncode == 0, run.output[-3000:]
    assert run.output.startswith("truewatch contract suite: budget: 64 requests (TRUEWATCH_BUDGET")
    lines = _record(record)
    exchanges = [line for line in lines if line["kind"] == "exchange"]
    budget = _budget_line(lines)
    # Every request is judged and recorded; the ledger counted each one (retries would add).
    assert len(exchanges) <= budget["spent"] <= 64
    assert budget["limit"] == 64 and budget["by_purpose"]["plan"] >= 45
    assert "not exercised: budget" in run.output  # what was left out is skipped, not passed
    # The planned requests went first: every exchange of the plan precedes the generated ones.
    phases = [line["phase"] for line in exchanges]
    last_plan = max(i for i, phase in enumerate(phases) if phase == "plan")
    assert all(p not in ("coverage", "fuzzing", "examples") for p in phases[:last_plan])


def test_sixty_requests_send_every_mandatory_probe(tmp_path: Path) -> None:
    """At --budget 60 every representative goes out: edge classes, profile probes, read-back."""
    from truewatch_contract.suite.plan import load_table, mandatory

    record = tmp_path / "record.jsonl"
    run = run_suite(None, env={"TRUEWATCH_BUDGET": "60", "TRUEWATCH_RECORD": str(record)})
    assert run.returncode == 0, run.output[-3000:]
    lines = _record(record)
    sent = {
        line["test"].split("[", 1)[1].rstrip("]").split("-", 1)[1]
        for line in lines
        if line["kind"] == "exchange" and line["phase"] in ("plan", "probe")
    }
    assert {row.name for row in mandatory(load_table())} <= sent | {"read-back"}
    assert any(line["phase"] == "probe" for line in lines if line["kind"] == "exchange")
    assert _budget_line(lines)["spent"] <= 60


def test_a_budget_too_small_is_refused_before_any_request(tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    run = run_suite(None, env={"TRUEWATCH_BUDGET": "12", "TRUEWATCH_RECORD": str(record)})
    assert run.returncode == 4, run.output[-2000:]
    assert "a budget of 12 requests (TRUEWATCH_BUDGET 12) cannot settle" in run.output
    assert "the smallest budget that works is" in run.output
    assert "Traceback" not in run.output
    assert not [line for line in _record(record) if line["kind"] == "exchange"]


def test_a_rate_limited_target_gets_a_ten_minute_plan_by_default(tmp_path: Path) -> None:
    run = run_suite(None, "--collect-only", env={"TRUEWATCH_RATE_LIMIT": "20/m"})
    assert run.returncode == 0, run.output[-2000:]
    assert run.output.startswith(
        "truewatch contract suite: budget: 200 requests (the default for a rate-limited "
        "target: 10 minutes at 20/m; TRUEWATCH_BUDGET full restores the full run)"
    )


def test_sixty_requests_paced_to_a_server_allowing_twenty_per_ten_seconds(tmp_path: Path) -> None:
    """`--rate-limit 120/m --budget 60` against a server that limits at 20 per 10 s."""
    record = tmp_path / "record.jsonl"
    env = {
        "TRUEWATCH_RATE_LIMIT": "120/m",
        "TRUEWATCH_BUDGET": "60",
        "TRUEWATCH_RECORD": str(record),
    }
    run = run_suite(None, env=env, rate_limit="20/10s", timeout=600)
    assert run.returncode == 0, run.output[-3000:]
    lines = _record(record)
    exchanges = [line for line in lines if line["kind"] == "exchange"]
    assert len(exchanges) <= _budget_line(lines)["spent"] <= 60
    # No answer was left rate-limited; a retry (the pace meeting the server's window at its
    # edge) is counted in the budget, within the few the plan keeps for retries.
    assert not any("behaviour.rate-limit-signal" in line["checked"] for line in exchanges)
    assert 0 <= _budget_line(lines)["spent"] - len(exchanges) <= RETRY_RESERVE
    # The pace, read from the record: any 21 requests in a row span at least 10 s (a request
    # every 0.5 s), less a little for the answers' own latency.
    times = sorted(line["t"] for line in exchanges)
    spans = [times[i + 20] - times[i] for i in range(len(times) - 20)]
    assert spans and min(spans) >= 9.0, spans


class CountingProxy:
    """
    A loopback reverse proxy that forwards every request byte for byte (method, path, headers
    as sent, body) and counts them: what the target received, counted on the target's side.
    """

    def __init__(self, upstream: str) -> None:
        import http.client
        import http.server
        import threading
        from urllib.parse import urlsplit

        parts = urlsplit(upstream)
        self.count = 0
        lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                with lock:
                    proxy.count += 1
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
                conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for name, value in self.headers.items():
                    conn.putheader(name, value)
                conn.endheaders(body)
                answer = conn.getresponse()
                data = answer.read()
                self.send_response_only(answer.status, answer.reason)
                for name, value in answer.getheaders():
                    if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            def __getattr__(self, name: str) -> Any:
                if name.startswith("do_"):  # any method (TRACE, OPTIONS, ...) is forwarded
                    return self._forward
                raise AttributeError(name)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _profiles() -> list[str]:
    from correct_servers import PROFILES

    return list(PROFILES)


@pytest.mark.parametrize("name", _profiles())
def test_a_correct_server_passes_sixty_requests_and_receives_no_more(
    name: str, tmp_path: Path
) -> None:
    import os
    import subprocess
    import sys

    from correct_servers import PROFILES, seed
    from correct_servers.fronts import serving

    profile = PROFILES[name]
    store = profile.new_store()
    record = tmp_path / "record.jsonl"
    with serving(profile, store) as base_url:
        proxy = CountingProxy(base_url)
        try:
            env = {
                k: v for k, v in os.environ.items() if not k.startswith(("TRUEWATCH_", "PYTEST_"))
            }
            env.update(seed.suite_environment(proxy.base_url))
            env.update(TRUEWATCH_BUDGET="60", TRUEWATCH_RECORD=str(record))
            suite = Path(__file__).resolve().parents[2] / "contract_tests"
            done = subprocess.run(
                [sys.executable, "-m", "pytest", str(suite), "-q", "-p", "no:cacheprovider"],
                env=env,
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
        finally:
            proxy.close()
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert 0 < proxy.count <= 60
    assert _budget_line(_record(record))["spent"] == proxy.count
