"""
`truewatch-contract proxy` as a user runs it: what it forwards and returns, its own answers (502,
413, garbage), ``--annotate``, races, stopping, and that no key appears in anything it writes.
"""

from __future__ import annotations

import gzip
import http.client
import json
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from proxying import (
    MIB,
    Data,
    Proxy,
    Upstream,
    free_port,
    ordinary_updates,
    raw,
    route,
)

from truewatch_contract.mock import MockState, create_app, serve

ISSUE = "04a0bb44b28e9ff1e01f87828af622b9"


@pytest.fixture
def mock() -> Any:
    """The built-in mock on a loopback port, and what an application knows of it."""
    state = MockState.default()
    with serve(create_app(state), log_level="error") as server:
        info = state.connection_info(server.base_url)
        server.data = Data(str(info["api_key"]), ISSUE, str(info["assignees"][0]))
        yield server


def _json_answer(request: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    payload = json.dumps({"code": 418, "note": "as it came"}).encode()
    headers = [
        ("Content-Type", "application/json"),
        ("X-Upstream", "kept"),
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
        ("Connection", "keep-alive"),
    ]
    return 418, headers, payload


def test_it_forwards_as_received_and_returns_the_answer_unchanged(tmp_path: Path) -> None:
    with Upstream(_json_answer) as upstream, Proxy(upstream.base_url, tmp_path) as proxy:
        assert proxy.first_line == {"base_url": proxy.base_url, "upstream": upstream.base_url}
        assert proxy.base_url.startswith("http://127.0.0.1:")  # loopback unless told
        body = b'{"issueStatus": "Working",  "x": "\xc3\xa9"}'
        target = "/a/../b%2Fc/./d?x=1&y=%20&x=2"
        # http.client sends the target as given (requests would resolve the dot segments).
        connection = http.client.HTTPConnection(proxy.base_url.removeprefix("http://"), timeout=10)
        connection.putrequest("POST", target, skip_accept_encoding=True)
        for name, value in (
            ("DF-API-KEY", "tkn_abc"),
            ("X-Custom", "one"),
            ("Connection", "keep-alive, X-Hop"),
            ("X-Hop", "dropped"),
            ("Keep-Alive", "timeout=5"),
            ("TE", "trailers"),
            ("Proxy-Authorization", "Basic eA=="),
            ("Content-Length", str(len(body))),
        ):
            connection.putheader(name, value)
        connection.endheaders(body)
        answer = connection.getresponse()
        received = answer.read()
        connection.close()
        stopped = proxy.stop()
    [seen] = upstream.seen
    assert seen["method"] == "POST" and seen["target"] == target and seen["body"] == body
    names = [name.lower() for name, _ in seen["headers"]]
    sent = {name.lower(): value for name, value in seen["headers"]}
    assert sent["host"] == upstream.base_url.removeprefix("http://")
    assert sent["x-custom"] == "one" and sent["df-api-key"] == "tkn_abc"
    assert sent["content-length"] == str(len(body))
    assert not {"connection", "x-hop", "keep-alive", "te", "proxy-authorization"} & set(names)
    assert answer.status == 418 and received == _json_answer({})[2]
    assert answer.headers["X-Upstream"] == "kept"
    assert answer.headers.get_all("Set-Cookie") == ["a=1", "b=2"]
    assert answer.headers["Server"] is None and answer.headers["Date"] is None
    assert stopped.returncode == 0 and stopped.report["counts"]["requests"] == 0  # off the route


def test_an_answer_in_a_content_coding_is_returned_as_it_came_and_judged_decoded(
    tmp_path: Path,
) -> None:
    envelope = {"code": 404, "content": None, "errorCode": "ft.NotFound", "message": "",
                "success": False, "traceId": "t1"}  # fmt: skip
    packed = gzip.compress(json.dumps(envelope).encode(), mtime=0)

    def gzipped(request: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
        return 404, [("Content-Type", "application/json"), ("Content-Encoding", "gzip")], packed

    with Upstream(gzipped) as upstream, Proxy(upstream.base_url, tmp_path) as proxy:
        answer = requests.post(proxy.url(route("f" * 32)), json={}, stream=True, timeout=10)
        assert answer.raw.read(decode_content=False) == packed
        stopped = proxy.stop()
    report = stopped.report
    assert stopped.returncode == 0 and report["counts"]["requests"] == 1
    assert report["counts"]["violations"] == 0  # envelope.json would break on the gzip bytes


def test_an_upstream_that_cannot_be_reached_gets_the_client_a_502_envelope(
    tmp_path: Path,
) -> None:
    with Proxy(f"http://127.0.0.1:{free_port()}", tmp_path) as proxy:
        answer = requests.post(proxy.url(route(ISSUE)), json={"issueStatus": "Working"}, timeout=30)
        stopped = proxy.stop()
    assert answer.status_code == 502
    envelope = answer.json()
    assert list(envelope) == ["code", "content", "errorCode", "message", "success", "traceId"]
    assert envelope["code"] == 502 and envelope["errorCode"] == "ft.BadGateway"
    assert envelope["success"] is False and envelope["content"] is None
    assert "Connection refused" in envelope["message"]
    # The proxy's own answer: recorded, never judged as the target's.
    report = stopped.report
    assert stopped.returncode == 0 and report["verdict"] == "passed"
    assert report["counts"]["network_errors"] == 1 and report["failures"] == []
    assert "502 for POST" in stopped.stderr and len(stopped.stderr.splitlines()) == 1


def test_an_upstream_that_dies_mid_run_gets_502s_and_the_proxy_serves_on(
    mock: Any, tmp_path: Path
) -> None:
    data: Data = mock.data
    with Proxy(mock.base_url, tmp_path) as proxy:
        assert ordinary_updates(proxy.base_url, data) == [200, 200, 400, 404, 200]
        mock.stop()
        assert ordinary_updates(proxy.base_url, data) == [502] * 5
        with Upstream(_json_answer) as another:  # the proxy itself is still there
            assert requests.get(proxy.url("/"), timeout=10).status_code == 502
            assert another.seen == []
        stopped = proxy.stop()
    report = stopped.report
    assert report["verdict"] == "passed", report["failures"]
    assert report["counts"]["requests"] == 10 and report["counts"]["network_errors"] == 5
    assert "502 for POST" in stopped.stderr


def test_bodies_above_1_mib_are_forwarded_and_judged_above_max_body_refused(
    mock: Any, tmp_path: Path
) -> None:
    data: Data = mock.data
    big = b'{"issueStatus": "' + b"x" * (MIB + 100) + b'"}'
    huge = b'{"issueStatus": "' + b"x" * (3 * MIB) + b'"}'
    headers = {"DF-API-KEY": data.key, "Content-Type": "application/json"}
    with Proxy(mock.base_url, tmp_path, ["--max-body", str(2 * MIB)]) as proxy:
        forwarded = requests.post(proxy.url(route(ISSUE)), data=big, headers=headers, timeout=30)
        refused = requests.post(proxy.url(route(ISSUE)), data=huge, headers=headers, timeout=30)
        stopped = proxy.stop()
    assert forwarded.status_code == 413 and forwarded.json()["errorCode"] != "ft.BadGateway"
    assert refused.status_code == 413 and refused.headers["connection"] == "close"
    assert "--max-body" in refused.json()["message"]
    report = stopped.report
    rules = {row["id"]: row for row in report["rules"]}
    assert rules["behaviour.body-too-large"]["checked"] == 1  # the forwarded one, judged
    assert report["counts"]["requests"] == 2 and report["counts"]["network_errors"] == 1


def test_annotate_names_the_broken_rules_in_a_header(tmp_path: Path) -> None:
    state = MockState.default()
    with serve(create_app(state, mutant="message-ok-on-success"), log_level="error") as server:
        key = str(state.connection_info(server.base_url)["api_key"])
        with Proxy(server.base_url, tmp_path, ["--annotate"]) as proxy:
            ok = requests.post(proxy.url(route(ISSUE)), json={"issueStatus": "Working"},
                               headers={"DF-API-KEY": key}, timeout=10)  # fmt: skip
            refused = requests.post(proxy.url(route(ISSUE)), json={"issueStatus": "level"},
                                    headers={"DF-API-KEY": key}, timeout=10)  # fmt: skip
            elsewhere = requests.get(proxy.url("/__mock__/connection"), timeout=10)
            stopped = proxy.stop()
    assert ok.headers["X-Truewatch-Contract"] == "envelope.message-empty-on-success"
    assert refused.headers["X-Truewatch-Contract"] == "none"
    assert "X-Truewatch-Contract" not in elsewhere.headers
    assert ok.json()["message"] == "OK"  # nothing else is altered
    assert stopped.returncode == 1
    assert stopped.broken() == {"envelope.message-empty-on-success"}


def test_two_changes_of_one_issue_in_flight_at_once_are_judged_as_a_race(
    mock: Any, tmp_path: Path
) -> None:
    data: Data = mock.data
    release = threading.Event()

    def slow(request: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
        release.wait(5)  # both are in flight before either is answered
        answer = requests.post(mock.base_url + request["target"], data=request["body"],
                               headers=dict(request["headers"]), timeout=10)  # fmt: skip
        return answer.status_code, [("Content-Type", "application/json")], answer.content

    with Upstream(slow) as upstream, Proxy(upstream.base_url, tmp_path) as proxy:
        release.set()  # the first, alone: the issue's state is learnt
        requests.post(
            proxy.url(route(ISSUE)), json={}, headers={"DF-API-KEY": data.key}, timeout=10
        )
        release.clear()
        answers: list[int] = []

        def change(status: str) -> None:
            answer = requests.post(proxy.url(route(ISSUE)), json={"issueStatus": status},
                                   headers={"DF-API-KEY": data.key}, timeout=10)  # fmt: skip
            answers.append(answer.status_code)

        threads = [threading.Thread(target=change, args=(s,)) for s in ("Working", "Ignored")]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        release.set()
        for thread in threads:
            thread.join()
        stopped = proxy.stop()
    assert answers == [200, 200]
    phases = {row["phase"]: row["count"] for row in stopped.report["coverage"]["phases"]}
    assert phases == {"proxy": 1, "race": 2}
    assert "(2 as races)" in stopped.stdout and stopped.returncode == 0


def test_garbage_from_clients_is_answered_and_said_and_the_others_are_served(
    mock: Any, tmp_path: Path
) -> None:
    data: Data = mock.data
    with Proxy(mock.base_url, tmp_path) as proxy:
        assert raw(proxy.base_url, b"\x16\x03\x01 not http at all\r\n\r\n") == 400
        head = f"POST {route(ISSUE)} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{{"
        assert raw(proxy.base_url, head.encode(), close=True) is None
        huge = b"GET / HTTP/1.1\r\nHost: x\r\nX-Huge: " + b"a" * (200 * 1024) + b"\r\n\r\n"
        assert raw(proxy.base_url, huge) == 431
        assert ordinary_updates(proxy.base_url, data) == [200, 200, 400, 404, 200]
        stopped = proxy.stop()
    lines = stopped.stderr.splitlines()
    assert any("400 to 127.0.0.1" in line and "not valid HTTP" in line for line in lines)
    assert any("went away mid-request: POST" in line for line in lines)
    assert any("431 to 127.0.0.1" in line and "too large" in line for line in lines)
    assert all(line.startswith("truewatch-contract proxy: ") for line in lines)
    assert stopped.report["counts"]["requests"] == 5 and stopped.returncode == 0


@pytest.mark.parametrize("how", ["sigint", "duration"])
def test_it_stops_on_sigint_or_after_duration_and_writes_every_report(
    mock: Any, tmp_path: Path, how: str
) -> None:
    summary = tmp_path / "summary.md"
    args = ["--summary-md", str(summary)] + (["--duration", "2s"] if how == "duration" else [])
    with Proxy(mock.base_url, tmp_path / "reports", args) as proxy:
        ordinary_updates(proxy.base_url, mock.data)
        if how == "duration":
            assert proxy.process is not None
            proxy.process.wait(30)
        stopped = proxy.stop(signal.SIGINT)
    assert stopped.returncode == 0
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == [
        "junit.xml", "report.html", "report.json"
    ]  # fmt: skip
    report = stopped.report
    assert report["verdict"] == "passed" and report["complete"] is True
    assert report["counts"]["requests"] == 5 and report["tests"] == []
    assert report["target"]["base_url"] == mock.base_url
    assert "PASSED" in summary.read_text() and stopped.stdout.splitlines()[0].startswith("PASSED")


def test_no_key_appears_in_anything_it_writes(tmp_path: Path) -> None:
    """An upstream that echoes the key in its messages: stdout, stderr, reports, summary."""
    key, other = "tkn_5ecret5ecret5ecret5ecret5ecret5e", "k"

    def echo(request: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
        sent = dict(request["headers"]).get("DF-API-KEY", "")
        envelope = {"code": 403, "content": None, "errorCode": "ft.InvalidAPIKey",
                    "message": f"the key {sent} is refused", "success": False,
                    "traceId": sent}  # fmt: skip
        return (
            403,
            [("Content-Type", "application/json"), ("X-Key", sent)],
            (json.dumps(envelope).encode()),
        )

    summary = tmp_path / "summary.md"
    keyfile = tmp_path / "key"
    keyfile.write_text(key + "\n")
    with (
        Upstream(echo) as upstream,
        Proxy(
            upstream.base_url,
            tmp_path / "reports",
            ["--api-key-file", str(keyfile), "--summary-md", str(summary), "--relax", "documented"],
            env={
                "GITHUB_STEP_SUMMARY": str(tmp_path / "step.md"),
                **dict(__import__("os").environ),
            },
        ) as proxy,
    ):
        for sent in (key, other):
            requests.post(proxy.url(route(ISSUE) + f"?key={sent}"), json={"issueStatus": sent},
                          headers={"DF-API-KEY": sent}, timeout=10)  # fmt: skip
        stopped = proxy.stop()
    written = stopped.everything() + summary.read_text()
    assert key not in written
    assert not [word for word in written.replace('"', " ").split() if word == other]
    assert stopped.report["counts"]["requests"] == 2 and "[redacted]" in written


def test_a_path_in_the_upstream_prefixes_every_request(tmp_path: Path) -> None:
    with (
        Upstream(_json_answer) as upstream,
        Proxy(upstream.base_url + "/gate%20way/", tmp_path) as proxy,
    ):
        assert proxy.first_line["upstream"] == upstream.base_url + "/gate%20way"
        requests.get(proxy.url("/api/v1/x?y=1"), timeout=10)
        proxy.stop()
    assert [seen["target"] for seen in upstream.seen] == ["/gate%20way/api/v1/x?y=1"]
