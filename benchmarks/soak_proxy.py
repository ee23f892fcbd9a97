"""
Nothing lost: ``truewatch-contract proxy`` under the benchmark's load for a while, with faults.

In front of the built-in mock, for ``--duration`` seconds (30 by default):

- the load of ``bench_proxy.py``: 10 connections, valid updates (answered 200) on five and
  rejected ones (``issueStatus: "level"``, answered 400) on the other five, with ``wrk`` or, when
  it is missing, an asyncio load generator;
- every second, a client that goes away mid-request (half a body, then the connection closed),
  one that sends no HTTP at all, one with a 200 KiB header, and one whose body stops short;
- at two thirds of the run, the upstream dies and comes back on the same port 2 s later: its
  clients get the proxy's 502 meanwhile (an error the upstream caused), and the proxy serves on.

Then the proxy is stopped with SIGTERM. The soak passes when: no error the upstream did not cause
(no socket error, no answer other than 200 / 400 / 502); every exchange the proxy forwarded or
answered is in its record (its report counts what the clients got, give or take the requests in
flight when the load stopped); the reports are complete (``junit.xml``, ``report.html``,
``report.json``: verdict ``passed``, the mock being correct); the proxy's memory (its judge
included) grew by less than 20 MB from the first seconds to the end; and each fault was said in
one line on stderr.

Usage: ``.venv/bin/python benchmarks/soak_proxy.py [--duration 30] [--python-load] [--json FILE]``.
Exit 0 when it passes, 1 when it does not. ``tests/proxy/test_soak.py`` runs it for a few
seconds; the 30 s run is this script.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_mock import start_mock
from bench_proxy import start_proxy

ISSUE = "04a0bb44b28e9ff1e01f87828af622b9"
PATH = f"/api/v1/error_track/{ISSUE}/update"
VALID = (
    '{"issueStatus":"Resolved","assigner":["acnt_3875a23398de4c92a5fc68a1c49a664b"]}',
    '{"issueStatus":"Resolved","assigner":["acnt_93dfc910d94eea1c09f45d5e8f648457",'
    '"acnt_3875a23398de4c92a5fc68a1c49a664b"]}',
)
REJECTED = ('{"issueStatus":"level"}',)
CONNECTIONS = 10
MEMORY_GROWTH_LIMIT_MB = 20.0

WRK_SCRIPT = """
local bodies = {%(bodies)s}
local threads = {}
local i = 0
function setup(thread) table.insert(threads, thread) end
function init(args)
  expected = tonumber(args[1])
  unexpected = 0
  upstream = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["DF-API-KEY"] = "%(key)s"
end
function request()
  i = i + 1
  return wrk.format(nil, nil, nil, bodies[(i %% #bodies) + 1])
end
function response(status, headers, body)
  if status == 502 then upstream = upstream + 1
  elseif status ~= expected then unexpected = unexpected + 1 end
end
function done(summary, latency, requests)
  local u, g = 0, 0
  for _, t in ipairs(threads) do u = u + t:get("unexpected"); g = g + t:get("upstream") end
  io.write(string.format("UNEXPECTED %%d\\nUPSTREAM %%d\\n", u, g))
end
"""


@dataclass
class Load:
    """What one load generator saw."""

    requests: int = 0
    unexpected: int = 0  # an answer other than the expected one and 502
    upstream_502: int = 0  # the proxy's answer while the upstream was down
    socket_errors: int = 0


@dataclass
class SoakResult:
    duration_s: float
    load: dict[str, Load]
    faults_sent: int
    rss_mb: list[float] = field(default_factory=list)  # proxy + judge, once a second
    memory_growth_mb: float = 0.0
    stop_s: float = 0.0
    stop_peak_mb: float = 0.0  # while judging what was left and writing the reports
    exit_code: int | None = None
    report: dict[str, Any] = field(default_factory=dict)
    reports: list[str] = field(default_factory=list)
    stderr: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


# -- processes -----------------------------------------------------------------------------------


def _end(process: subprocess.Popen[Any]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def _rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (the proxy and its judge), in MB."""
    total = 0
    for each in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


# -- load ----------------------------------------------------------------------------------------


def _wrk(url: str, key: str, bodies: tuple[str, ...], expected: int, seconds: float) -> Load:
    script = WRK_SCRIPT % {"bodies": ", ".join(json.dumps(b) for b in bodies), "key": key}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{CONNECTIONS // 2}",
                f"-d{seconds:g}s",
                "-s",
                handle.name,
                url + PATH,
                "--",
                str(expected),
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 120,
        ).stdout
    finally:
        os.unlink(handle.name)
    load = Load()
    for line in out.splitlines():
        words = line.split()
        if " requests in " in line:
            load.requests = int(words[0])
        elif words[:1] == ["UNEXPECTED"]:
            load.unexpected = int(words[1])
        elif words[:1] == ["UPSTREAM"]:
            load.upstream_502 = int(words[1])
        elif line.strip().startswith("Socket errors:"):
            load.socket_errors = sum(
                int(part.split()[-1]) for part in line.split(":", 1)[1].split(",")
            )
        elif line.strip().startswith("Non-2xx") or "requests in" in line:
            continue
    return load


def _python_load(
    url: str, key: str, bodies: tuple[str, ...], expected: int, seconds: float
) -> Load:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    raw = [
        (
            f"POST {PATH} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"DF-API-KEY: {key}\r\nContent-Length: {len(b)}\r\n\r\n{b}"
        ).encode()
        for b in bodies
    ]
    load = Load()
    deadline = time.monotonic() + seconds

    async def client(index: int) -> None:
        n = index
        while time.monotonic() < deadline:
            try:
                reader, writer = await asyncio.open_connection(host, int(port))
            except OSError:
                load.socket_errors += 1
                await asyncio.sleep(0.05)
                continue
            try:
                while time.monotonic() < deadline:
                    writer.write(raw[n % len(raw)])
                    n += 1
                    status = int((await reader.readline()).split()[1])
                    length, close = 0, False
                    while (line := await reader.readline()) not in (b"\r\n", b""):
                        name, _, value = line.partition(b":")
                        if name.strip().lower() == b"content-length":
                            length = int(value)
                        elif name.strip().lower() == b"connection" and b"close" in value.lower():
                            close = True
                    await reader.readexactly(length)
                    load.requests += 1
                    if status == 502:
                        load.upstream_502 += 1
                    elif status != expected:
                        load.unexpected += 1
                    if close:
                        break
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                load.socket_errors += 1
            finally:
                writer.close()

    async def run() -> None:
        await asyncio.gather(*(client(i) for i in range(CONNECTIONS // 2)))

    asyncio.run(run())
    return load


# -- faults --------------------------------------------------------------------------------------


def _fault(base_url: str, kind: str) -> None:
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    head = f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    data = {
        "gone": (head + "Content-Length: 100\r\n\r\n" + '{"issueStatus":').encode(),
        "garbage": b"\x16\x03\x01\x02\x00 not http\r\n\r\n",
        "huge-header": b"GET / HTTP/1.1\r\nHost: x\r\nX-Huge: " + b"a" * (200 * 1024) + b"\r\n\r\n",
        "short-body": (head + "Content-Length: 50\r\n\r\n{}").encode(),
    }[kind]
    try:
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            sock.sendall(data)
            if kind in ("gone", "short-body"):
                return  # closed mid-request
            sock.recv(65536)
    except OSError:
        pass


# -- the soak ------------------------------------------------------------------------------------


def soak(duration: float = 30.0, *, python_load: bool = False, outage: bool = True) -> SoakResult:
    use_wrk = shutil.which("wrk") is not None and not python_load
    generate = _wrk if use_wrk else _python_load
    workdir = Path(tempfile.mkdtemp(prefix="soak-proxy-"))
    mock, info = start_mock()
    upstream, key = str(info["base_url"]), str(info["api_key"])
    port = int(upstream.rsplit(":", 1)[1])
    proxy, base_url = start_proxy(upstream, workdir / "reports")
    result = SoakResult(duration, {}, 0)
    finished = threading.Event()
    mocks = [mock]

    def watch() -> None:
        started = time.monotonic()
        kinds = ("gone", "garbage", "huge-header", "short-body")
        n = 0
        died = False
        while not finished.wait(1.0):
            result.rss_mb.append(round(_rss_mb(proxy.pid), 2))
            _fault(base_url, kinds[n % len(kinds)])
            n += 1
            result.faults_sent += 1
            if outage and not died and time.monotonic() - started >= duration * 2 / 3:
                died = True
                _end(mocks[0])
                time.sleep(2.0)
                mocks.append(start_mock(port)[0])

    watcher = threading.Thread(target=watch, daemon=True)
    loads: dict[str, Load] = {}

    def run(kind: str, bodies: tuple[str, ...], expected: int) -> None:
        loads[kind] = generate(base_url, key, bodies, expected, duration)

    threads = [
        threading.Thread(target=run, args=("valid", VALID, 200)),
        threading.Thread(target=run, args=("rejected", REJECTED, 400)),
    ]
    try:
        watcher.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        finished.set()
        watcher.join()
        stopping = time.monotonic()
        proxy.send_signal(signal.SIGTERM)
        peak = [0.0]
        sampling = threading.Event()

        def sample() -> None:  # the memory judging the rest and building the reports takes
            while not sampling.wait(0.5):
                peak[0] = max(peak[0], _rss_mb(proxy.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, err = proxy.communicate(timeout=3600)
        sampling.set()
        sampler.join()
        result.stop_peak_mb = round(peak[0], 1)
        result.stop_s = round(time.monotonic() - stopping, 1)
        result.exit_code = proxy.returncode
        result.stderr = err
    finally:
        if proxy.poll() is None:
            proxy.kill()
        for each in mocks:
            _end(each)
    result.load = loads
    report_dir = workdir / "reports"
    result.reports = sorted(p.name for p in report_dir.iterdir()) if report_dir.is_dir() else []
    if (report_dir / "report.json").exists():
        result.report = json.loads((report_dir / "report.json").read_text())
    shutil.rmtree(workdir, ignore_errors=True)
    _judge(result)
    return result


def _judge(result: SoakResult) -> None:
    problems = result.problems
    load = result.load.values()
    sent = sum(each.requests for each in load)
    if any(each.socket_errors for each in load):
        problems.append(f"socket errors: {[each.socket_errors for each in load]}")
    if any(each.unexpected for each in load):
        problems.append(f"answers other than 200 / 400 / 502: {[e.unexpected for e in load]}")
    report = result.report
    counts = report.get("counts", {})
    recorded = counts.get("requests", 0)
    # The faults on the update route: a client gone mid-body is not forwarded (said, not
    # recorded); the requests in flight when the load stopped are answered and recorded too.
    if not sent <= recorded <= sent + CONNECTIONS + result.faults_sent:
        problems.append(f"the record holds {recorded} exchanges for {sent} answered requests")
    own = counts.get("network_errors", 0)
    got_502 = sum(each.upstream_502 for each in load)
    if not got_502 <= own <= got_502 + CONNECTIONS:
        problems.append(f"{own} of the proxy's own answers recorded for {got_502} 502s received")
    if result.reports != ["junit.xml", "report.html", "report.json"]:
        problems.append(f"reports written: {result.reports}")
    if report.get("verdict") != "passed" or not report.get("complete"):
        problems.append(f"verdict {report.get('verdict')}: {report.get('failures')}")
    if result.exit_code != 0:
        problems.append(f"the proxy exited {result.exit_code}")
    if len(result.rss_mb) >= 3:
        baseline = result.rss_mb[min(2, len(result.rss_mb) - 1)]
        result.memory_growth_mb = round(max(result.rss_mb) - baseline, 2)
        if result.memory_growth_mb >= MEMORY_GROWTH_LIMIT_MB:
            problems.append(f"memory grew by {result.memory_growth_mb} MB")
    said = result.stderr
    for words in ("went away mid-request", "not valid HTTP", "request head is too large"):
        if words not in said:
            problems.append(f"no line on stderr says: {words}")
    if got_502 and "502 for POST" not in said:
        problems.append("no line on stderr says the upstream failed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--python-load", action="store_true", help="do not use wrk")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    result = soak(args.duration, python_load=args.python_load)
    sent = sum(each.requests for each in result.load.values())
    counts = result.report.get("counts", {})
    print(
        f"soak: {args.duration:g} s, {sent} requests answered "
        f"({', '.join(f'{k}: {asdict(v)}' for k, v in result.load.items())}), "
        f"{result.faults_sent} faults sent"
    )
    print(
        f"record: {counts.get('requests')} exchanges ({counts.get('network_errors')} answered "
        f"by the proxy itself); verdict {result.report.get('verdict')}; reports "
        f"{', '.join(result.reports)}; stopped in {result.stop_s} s (judging what was left "
        f"and writing the reports; proxy + judge at most {result.stop_peak_mb} MB meanwhile)"
    )
    if result.rss_mb:
        print(
            f"memory (proxy + judge): {result.rss_mb[0]} MB at 1 s, {max(result.rss_mb)} MB "
            f"at most, growth {result.memory_growth_mb} MB after the first seconds"
        )
    lines = result.stderr.strip().splitlines()
    print(f"stderr: {len(lines)} lines, e.g.:")
    for line in lines[:6]:
        print("  " + line[:160])
    if args.json:
        Path(args.json).write_text(json.dumps(asdict(result), indent=2, default=str))
    print("PASSED" if result.passed else "FAILED: " + "; ".join(result.problems))
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
